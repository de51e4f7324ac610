//! The committed completions and man pages must match what the binary generates.
//! Regenerate them with `cargo run -- completions bash > completions/webhost.bash` etc.,
//! or all at once with `./scripts/generate`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::Env;

fn check(args: &[&str], file: &str) {
    let env = Env::new();
    let generated = env.run(args).ok().stdout;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        generated == committed,
        "{file} is stale: run ./scripts/generate and commit the result"
    );
}

#[test]
fn completions_are_fresh() {
    check(&["completions", "bash"], "completions/webhost.bash");
    check(&["completions", "zsh"], "completions/_webhost");
    check(&["completions", "fish"], "completions/webhost.fish");
}

#[test]
fn man_page_is_fresh() {
    check(&["man"], "man/webhost.1");
}

/// The `.1` files of `dir`, by name.
fn pages_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "1"))
        .map(|path| {
            let name = path.file_name().expect("a file name");
            let bytes = std::fs::read(&path).expect("a readable page");
            (name.to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// `man/` holds exactly the pages `webhost man --dir` writes: one per subcommand, each as
/// generated, and none of a subcommand that is gone.
#[test]
fn every_man_page_is_committed_and_fresh() {
    let env = Env::new();
    let out = env.path().join("man");
    env.run(&["man", "--dir", &out.to_string_lossy()]).ok();
    let generated = pages_in(&out);
    let committed = pages_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("man"));
    assert!(generated.contains_key("webhost.1") && generated.contains_key("webhost-host-add.1"));

    let mut problems = Vec::new();
    for (name, page) in &generated {
        match committed.get(name) {
            None => problems.push(format!("man/{name} is missing")),
            Some(c) if c != page => problems.push(format!("man/{name} is stale")),
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|n| !generated.contains_key(*n)) {
        problems.push(format!(
            "man/{name} is the page of a subcommand that no longer exists"
        ));
    }
    assert!(
        problems.is_empty(),
        "{}\nrun ./scripts/generate and commit the result",
        problems.join("\n")
    );
}
