//! Config as code: a hand-written TOML fleet file, `import --sync` (and `--prune`), tokens from
//! a file or the environment.

use serde_json::Value;

use crate::support::Env;

fn actions(res: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = res
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            (
                r["ref"].as_str().unwrap_or("").to_string(),
                r["action"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list
        .iter()
        .map(|(r, a)| (r.to_string(), a.to_string()))
        .collect();
    out.sort();
    out
}

/// The example fleet, with its token file beside it, in the test's folder.
fn example(env: &Env) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fleet.toml"))
        .expect("example");
    std::fs::create_dir_all(env.path().join("tokens")).expect("tokens dir");
    std::fs::write(env.path().join("tokens/srv1"), "srv1-t0ken\n").expect("token file");
    let path = env.path().join("fleet.toml");
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf-8").to_string()
}

const TOKENS: [(&str, &str); 2] = [
    ("WEBHOST_TOKEN_MARTIN", "martin-t0ken"),
    ("WEBHOST_TOKEN_LEFEBVRE", "lefebvre-t0ken"),
];

#[test]
fn a_fleet_file_syncs_and_a_second_run_changes_nothing() {
    let env = Env::sqlite();
    let file = example(&env);
    let dry = env
        .run_env(&["--json", "import", "--sync", "--dry-run", &file], &TOKENS)
        .ok()
        .json();
    assert_eq!(
        actions(&dry),
        pairs(&[
            ("srv1", "created"),
            ("boulangerie-martin", "created"),
            ("garage-lefebvre", "created"),
            ("vitrine-dupont", "created"),
        ])
    );
    assert!(!env.db.exists(), "a dry run writes nothing");

    env.run_env(&["import", "--sync", &file], &TOKENS).ok();
    let shown = env
        .run(&[
            "--json",
            "instance",
            "show",
            "garage-lefebvre",
            "--show-token",
        ])
        .ok()
        .json();
    assert_eq!(shown["token"], "lefebvre-t0ken");
    assert_eq!(shown["instance"]["push"], true);
    assert_eq!(shown["instance"]["push_grace_seconds"], 600);
    let host = env
        .run(&["--json", "host", "show", "srv1", "--show-token"])
        .ok()
        .json();
    assert_eq!(host["token"], "srv1-t0ken", "the file's first line");

    let again = env
        .run_env(&["--json", "import", "--sync", &file], &TOKENS)
        .ok()
        .json();
    assert!(
        actions(&again).iter().all(|(_, a)| a == "unchanged"),
        "{again}"
    );

    // A record the file no longer names is disabled, then removed with --prune.
    let text = std::fs::read_to_string(&file).expect("read");
    let cut = text
        .find("[[instance]]\nref = \"vitrine-dupont\"")
        .expect("the ping record");
    std::fs::write(&file, &text[..cut]).expect("write");
    let res = env
        .run_env(&["--json", "import", "--sync", &file], &TOKENS)
        .ok()
        .json();
    assert!(
        actions(&res).contains(&("vitrine-dupont".into(), "disabled".into())),
        "{res}"
    );
    let shown = env
        .run(&["--json", "instance", "show", "vitrine-dupont"])
        .ok()
        .json();
    assert_eq!(shown["enabled"], false);
    let res = env
        .run_env(&["--json", "import", "--sync", &file], &TOKENS)
        .ok()
        .json();
    assert!(actions(&res).iter().all(|(_, a)| a == "unchanged"), "{res}");
    let res = env
        .run_env(&["--json", "import", "--sync", "--prune", &file], &TOKENS)
        .ok()
        .json();
    assert!(
        actions(&res).contains(&("vitrine-dupont".into(), "removed".into())),
        "{res}"
    );
    env.run(&["instance", "show", "vitrine-dupont"])
        .fails(2, "no instance named 'vitrine-dupont'");
}

#[test]
fn instances_discovery_made_are_left_to_their_host() {
    let env = Env::new();
    let file = example(&env);
    env.run_env(&["import", "--sync", &file], &TOKENS).ok();
    // As update-hosts creates them.
    let found = env.path().join("found.json");
    std::fs::write(
        &found,
        r#"[{"type":"instance","ref":"found-on-srv1","api":"server-manager-v1","host":"srv1","discovered":true}]"#,
    )
    .expect("write");
    env.run(&["import", found.to_str().expect("utf-8")]).ok();
    let res = env
        .run_env(&["--json", "import", "--sync", "--prune", &file], &TOKENS)
        .ok()
        .json();
    assert!(
        !actions(&res).iter().any(|(r, _)| r == "found-on-srv1"),
        "{res}"
    );
    env.run(&["instance", "show", "found-on-srv1"]).ok();
}

#[test]
fn a_bad_fleet_file_is_refused_whole_with_its_lines() {
    let env = Env::sqlite();
    let file = example(&env);
    let run = env.run(&["import", "--sync", &file]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let line = |needle: &str| {
        let text = std::fs::read_to_string(&file).expect("read");
        text.lines()
            .position(|l| l.contains(needle))
            .expect("in file")
            + 1
    };
    // The record's header line, and what is wrong.
    let martin = line("ref = \"boulangerie-martin\"") - 1;
    assert!(
        run.stderr.contains(&format!(
            "fleet.toml:{martin}: instance 'boulangerie-martin': token_env WEBHOST_TOKEN_MARTIN: not set"
        )),
        "{}",
        run.stderr
    );
    assert!(!env.db.exists());

    std::fs::write(&file, "[[instance]]\nref = \"x\"\napi = \"ping\"\ntoken = \"t\"\ntoken_env = \"T\"\nurl = \"https://x.example/\"\nspeed = 3\n")
        .expect("write");
    let run = env.run(&["import", &file]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown field 'speed'"),
        "{}",
        run.stderr
    );
    std::fs::write(&file, "[[instance]\nref = 1\n").expect("write");
    let run = env.run(&["import", &file]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("fleet.toml:1: not valid TOML"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_export_as_toml_syncs_back_to_the_same_fleet() {
    let env = Env::new();
    let file = example(&env);
    env.run_env(&["import", "--sync", &file], &TOKENS).ok();
    let toml = env
        .run(&["export", "--format", "toml", "--with-tokens"])
        .ok()
        .stdout;
    assert!(
        toml.contains("[[host]]\n") && toml.contains("ref = \"srv1\""),
        "{toml}"
    );
    assert!(toml.contains("token = \"lefebvre-t0ken\""), "{toml}");
    let exported = env.path().join("exported.toml");
    std::fs::write(&exported, &toml).expect("write");
    let res = env
        .run(&[
            "--json",
            "import",
            "--sync",
            exported.to_str().expect("utf-8"),
        ])
        .ok()
        .json();
    assert!(actions(&res).iter().all(|(_, a)| a == "unchanged"), "{res}");
    // Without --with-tokens: no token, and the stored ones are kept on import.
    let bare = env.run(&["export", "--format", "toml"]).ok().stdout;
    assert!(!bare.contains("t0ken"), "{bare}");
}
