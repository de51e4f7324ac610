//! `export` and `import`: round trips through JSON and CSV, all-or-nothing checks, tokens.

use serde_json::{Value, json};

use crate::support::{CANARY, Env};

/// Probe arguments with blanks, both kinds of quotes and a comma, to test the CSV cell.
const PROBE: [&str; 4] = [
    "/usr/local/bin/check site",
    "--name=a \"quoted\" word",
    "it's",
    "x,y",
];

/// Hosts of each kind, instances of each kind (server-manager ones on a host), tokens,
/// thresholds and a disabled record, all made with the CLI.
fn build_fleet(env: &Env) {
    env.run_with_stdin(
        &[
            "host",
            "add",
            "srv1",
            "--api",
            "server-manager-v1",
            "--url",
            "https://srv1.example.com/manager/index.php",
            "--token-stdin",
            "--label",
            "Main server, \"Paris\"",
        ],
        &format!("{CANARY}\n"),
    )
    .ok();
    env.add_host(
        "obs",
        "server-observer-v1",
        &[
            "--url",
            "https://obs.example.com/observer.php",
            "--token",
            "obs-token-1",
            "--insecure-tls",
        ],
    );
    let probe = [&["--probe"], &PROBE[..]].concat();
    env.add_host(
        "lab",
        "custom",
        &[
            &["--url", "https://lab.example.com/", "--disabled"],
            &probe[..],
        ]
        .concat(),
    );
    env.add_instance("garage", "server-manager-v1", &["--host", "srv1"]);
    env.add_instance(
        "durand",
        "server-manager-v1",
        &[
            "--host",
            "srv1",
            "--remote-name",
            "durand_erp",
            "--label",
            "Durand",
        ],
    );
    env.add_instance(
        "martin",
        "server-observer-v1",
        &[
            "--url",
            "https://erp.martin.example/custom/webobserver/public/get-data.php",
            "--token",
            "martin-token",
            "--host",
            "obs",
        ],
    );
    env.add_instance(
        "shop",
        "ping",
        &["--url", "https://shop.example.com/", "--disabled"],
    );
    env.add_instance("own", "custom", &probe);
    env.run(&[
        "instance",
        "edit",
        "shop",
        "--disk-warn",
        "85%",
        "--disk-crit",
        "5G",
        "--cert-warn-days",
        "30",
        "--cert-crit-days",
        "10",
    ])
    .ok();
    env.run(&["host", "edit", "srv1", "--disk-warn", "70.5%"])
        .ok();
}

/// Both exports, with tokens, of an Env: the bytes a round trip must keep.
fn exports(env: &Env) -> (String, String) {
    let json = env.run(&["export", "--with-tokens"]).ok().stdout;
    let csv = env
        .run(&["export", "--with-tokens", "--format", "csv"])
        .ok()
        .stdout;
    (json, csv)
}

/// The settings fields of `show --json --show-token` for every record.
fn shown_settings(env: &Env) -> Vec<Value> {
    let mut out = Vec::new();
    for kind in ["host", "instance"] {
        let list = env.run(&["--json", kind, "list"]).ok().json();
        for r in list.as_array().expect("array") {
            let reference = r["ref"].as_str().expect("ref");
            let v = env
                .run(&["--json", kind, "show", reference, "--show-token"])
                .ok()
                .json();
            out.push(json!({
                "type": v["type"], "ref": v["ref"], "label": v["label"], "api": v["api"],
                "url": v["url"], "token": v["token"], "probe": v["probe"],
                "enabled": v["enabled"], "insecure_tls": v["insecure_tls"],
                "thresholds": v["thresholds"],
                "host": v["instance"]["host"], "remote_name": v["instance"]["remote_name"],
                "discovered": v["instance"]["discovered"],
            }));
        }
    }
    out
}

fn write(env: &Env, name: &str, text: &str) -> String {
    let path = env.path().join(name);
    std::fs::write(&path, text).expect("write file");
    path.to_str().expect("utf-8 path").to_string()
}

#[test]
fn export_then_import_into_an_empty_database_gives_the_same_records() {
    let source = Env::new();
    build_fleet(&source);
    let (json, csv) = exports(&source);
    let settings = shown_settings(&source);

    // What the fleet export holds, spot-checked.
    let rows: Value = serde_json::from_str(&json).expect("JSON export");
    let rows = rows.as_array().expect("array");
    let order: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["type"].as_str().unwrap_or(""),
                r["ref"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("host", "lab"),
            ("host", "obs"),
            ("host", "srv1"),
            ("instance", "martin"),
            ("instance", "durand"),
            ("instance", "garage"),
            ("instance", "own"),
            ("instance", "shop"),
        ]
    );
    assert_eq!(rows[0]["probe"], json!(PROBE));
    assert_eq!(rows[0]["enabled"], false);
    assert_eq!(rows[2]["token"], CANARY);
    assert_eq!(rows[2]["disk_warn"], "70.5%");
    assert_eq!(rows[4]["remote_name"], "durand_erp");
    assert_eq!(rows[4]["host"], "srv1");
    assert_eq!(rows[7]["disk_crit"], "5368709120");
    assert_eq!(rows[7]["cert_crit_days"], 10);
    assert!(rows[7].get("token").is_none(), "no token, no key");
    assert!(rows[0].get("status").is_none(), "state is not exported");
    let header = csv.lines().next().expect("header");
    assert_eq!(
        header,
        "type,ref,label,api,url,token,probe,enabled,insecure_tls,host,remote_name,discovered,disk_warn,disk_crit,cert_warn_days,cert_crit_days,ca_file,push,push_grace,expect_status,expect_body,reject_body,max_response_ms,method,headers"
    );

    for (name, text) in [("fleet.json", &json), ("fleet.csv", &csv)] {
        let target = Env::new();
        let file = write(&target, name, text);
        let run = target.run(&["import", &file]).ok();
        assert!(
            run.stdout.contains("8 created, 0 updated, 0 unchanged"),
            "{}",
            run.stdout
        );
        let (json2, csv2) = exports(&target);
        assert_eq!(json2, json, "JSON export after importing {name}");
        assert_eq!(csv2, csv, "CSV export after importing {name}");
        assert_eq!(shown_settings(&target), settings, "settings after {name}");

        // Importing the same file again changes nothing.
        let again = target.run(&["--json", "import", &file]).ok().json();
        let actions: Vec<&str> = again
            .as_array()
            .expect("array")
            .iter()
            .map(|r| r["action"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(actions, ["unchanged"; 8]);
    }
}

#[test]
fn a_file_with_bad_rows_is_refused_whole_and_every_bad_line_named() {
    let env = Env::sqlite();
    build_fleet(&env);
    let csv = env.run(&["export", "--format", "csv"]).ok().stdout;
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    // A good new record, then the two bad rows.
    lines.push(
        "instance,newsite,,ping,https://new.example.com/,,,true,false,,,false,,,,,,,,,,,,,".into(),
    );
    lines.push(
        "instance,badurl,,ping,ftp://files.example.com/,,,true,false,,,false,,,,,,,,,,,,,".into(),
    );
    let bad_url_line = lines.len();
    lines.push(
        "instance,orphan,,server-manager-v1,,,,true,false,nowhere,,false,,,,,,,,,,,,,".into(),
    );
    let no_host_line = lines.len();
    let file = write(&env, "bad.csv", &(lines.join("\n") + "\n"));

    let before = env.db_bytes().expect("database");
    let run = env.run(&["import", &file]);
    assert_eq!(run.code, 2, "stderr:\n{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "bad.csv:{bad_url_line}: instance 'badurl': invalid URL"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "bad.csv:{no_host_line}: instance 'orphan': host 'nowhere'"
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2 rows refused"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        env.db_bytes().expect("database"),
        before,
        "database changed"
    );
    let found = env.run(&["instance", "show", "newsite"]);
    assert_eq!(found.code, 2, "the good row was written: {}", found.stdout);

    // JSON: the record number and the line of its object.
    let text = "[\n  {\"type\": \"host\", \"ref\": \"h\", \"api\": \"ping\", \"url\": \"https://h.example/\"},\n  {\"type\": \"instance\", \"ref\": \"x\", \"api\": \"teapot\"}\n]\n";
    let file = write(&env, "bad.json", text);
    let run = env.run(&["import", &file]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("bad.json:2: record 1, host 'h': a host cannot use --api ping"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("bad.json:3: record 2, instance 'x': unknown API kind 'teapot'"),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.db_bytes().expect("database"),
        before,
        "database changed"
    );
}

#[test]
fn bad_input_does_not_create_a_database() {
    let env = Env::sqlite();
    let run = env.run_with_stdin(&["import", "-"], "type,ref,api\nhost,x,ping\n");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("stdin:2: host 'x'"), "{}", run.stderr);
    assert_eq!(env.db_bytes(), None);
    let run = env.run_with_stdin(&["import", "-"], "[{\"type\": \"host\",]");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not valid JSON"), "{}", run.stderr);
    assert_eq!(env.db_bytes(), None);
}

#[test]
fn dry_run_reports_changes_and_writes_nothing() {
    let env = Env::sqlite();
    build_fleet(&env);
    let json = env.run(&["export"]).ok().stdout;
    let mut rows: Value = serde_json::from_str(&json).expect("JSON");
    let list = rows.as_array_mut().expect("array");
    list[7]["label"] = json!("Web shop");
    list[7]["enabled"] = json!(true);
    list.push(json!({"type": "instance", "ref": "blog", "api": "ping",
        "url": "https://blog.example.com/"}));
    let file = write(&env, "changed.json", &rows.to_string());

    let before = env.db_bytes().expect("database");
    let table = env.run(&["import", "--dry-run", &file]).ok().stdout;
    assert!(
        table.lines().any(|l| l.starts_with("updated")
            && l.contains("shop")
            && l.ends_with("label, enabled")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("created") && l.contains("blog")),
        "{table}"
    );
    assert!(
        table.contains("dry run: would be 1 created, 1 updated, 7 unchanged; nothing was written"),
        "{table}"
    );
    let report = env
        .run(&["--json", "import", "--dry-run", &file])
        .ok()
        .json();
    let changed: Vec<&Value> = report
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["action"] != "unchanged")
        .collect();
    assert_eq!(
        changed,
        [
            &json!({"type": "instance", "ref": "shop", "action": "updated",
                "changed": ["label", "enabled"]}),
            &json!({"type": "instance", "ref": "blog", "action": "created", "changed": []}),
        ]
    );
    assert_eq!(env.db_bytes().expect("database"), before, "dry run wrote");

    // The real thing does what the dry run said.
    env.run(&["import", &file]).ok();
    let shop = env.run(&["--json", "instance", "show", "shop"]).ok().json();
    assert_eq!(shop["label"], "Web shop");
    assert_eq!(shop["enabled"], true);
    env.run(&["instance", "show", "blog"]).ok();
}

#[test]
fn import_reads_standard_input() {
    let source = Env::new();
    build_fleet(&source);
    let csv = source
        .run(&["export", "--with-tokens", "--format", "csv"])
        .ok()
        .stdout;
    let target = Env::new();
    let run = target.run_with_stdin(&["import", "-"], &csv).ok();
    assert!(run.stdout.contains("8 created"), "{}", run.stdout);
    assert_eq!(exports(&target).1, csv);
}

#[test]
fn reimporting_an_export_without_tokens_keeps_the_stored_tokens() {
    let env = Env::new();
    build_fleet(&env);
    let before = shown_settings(&env);
    for format in ["json", "csv"] {
        let export = env.run(&["export", "--format", format]).ok();
        assert!(
            export
                .stderr
                .contains("tokens left out (3 records have one)"),
            "{}",
            export.stderr
        );
        assert!(!export.stdout.contains(CANARY));
        assert!(!export.stdout.contains("obs-token-1") && !export.stdout.contains("martin-token"));
        let file = write(&env, &format!("fleet.{format}"), &export.stdout);
        let run = env.run(&["import", &file]).ok();
        assert!(
            run.stdout.contains("0 created, 0 updated, 8 unchanged"),
            "{}",
            run.stdout
        );
        assert_eq!(shown_settings(&env), before, "after re-importing {format}");
    }

    // A changed setting is written, and the token still stays.
    env.run(&["host", "edit", "srv1", "--label", "Old name"])
        .ok();
    let json = env.run(&["export"]).ok().stdout;
    let file = write(&env, "renamed.json", &json.replace("Old name", "New name"));
    let run = env.run(&["import", &file]).ok();
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("updated") && l.contains("srv1") && l.ends_with("label")),
        "{}",
        run.stdout
    );
    let srv1 = env
        .run(&["--json", "host", "show", "srv1", "--show-token"])
        .ok()
        .json();
    assert_eq!(srv1["label"], "New name");
    assert_eq!(srv1["token"], CANARY);

    // A token in the file replaces the stored one; its value is never printed.
    let with = env.run(&["export", "--with-tokens"]).ok().stdout;
    let file = write(
        &env,
        "new-token.json",
        &with.replace(CANARY, "replaced-token"),
    );
    let run = env.run(&["import", &file]).ok();
    assert!(
        run.stdout
            .lines()
            .any(|l| l.contains("srv1") && l.ends_with("token")),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("replaced-token"));
    let srv1 = env
        .run(&["--json", "host", "show", "srv1", "--show-token"])
        .ok()
        .json();
    assert_eq!(srv1["token"], "replaced-token");
}

#[test]
fn no_token_in_any_output_without_with_tokens() {
    let env = Env::new();
    build_fleet(&env);
    let with = env.run(&["export", "--with-tokens"]).ok().stdout;
    assert!(with.contains(CANARY));
    let file = write(&env, "with.json", &with);
    // The support helper also fails any run whose stdout or stderr holds the canary.
    for args in [
        vec!["export"],
        vec!["export", "--format", "csv"],
        vec!["--json", "export"],
        vec!["import", "--dry-run", file.as_str()],
        vec!["--json", "import", file.as_str()],
        vec!["import", file.as_str()],
    ] {
        let run = env.run(&args).ok();
        assert!(!run.stdout.contains(CANARY), "{args:?}: {}", run.stdout);
        assert!(!run.stderr.contains(CANARY), "{args:?}: {}", run.stderr);
    }
}
