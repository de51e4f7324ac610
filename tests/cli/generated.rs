//! The committed completions and man page must match what the binary generates.
//! Regenerate them with `cargo run -- completions bash > completions/webhost.bash` etc.,
//! or all at once with `./scripts/generate`.

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
