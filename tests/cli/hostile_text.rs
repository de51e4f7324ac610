//! Hostile servers and hostile text (issue 14): numbers out of range, secrets echoed back or
//! typed into URLs, control characters meant for the reader's terminal, spreadsheet formulas
//! in exports, and names that cannot become refs.

use serde_json::{Value, json};

use crate::server::{Reply, Server, fixture};
use crate::support::{CANARY, Env, Run};

/// The WebObserver fixture with some of its values replaced.
fn webobserver_with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut doc: Value =
        serde_json::from_slice(&fixture("webobserver-instance.json")).expect("fixture is JSON");
    edit(&mut doc);
    serde_json::to_vec(&doc).expect("JSON")
}

#[test]
fn sizes_and_counts_out_of_range_are_unknown_not_8_eib() {
    // 2^64 and 1e300 do not fit an integer; 12.5 is not one; -1 users is no count.
    let body = webobserver_with(|doc| {
        doc["dolibarr"]["repertoire_client"]["size"] =
            serde_json::from_str("18446744073709551616").expect("2^64");
        doc["dolibarr"]["htdocs"]["size"] = json!(1e300);
        doc["dolibarr"]["data"]["size"] = json!("12.5");
        doc["user"]["all"] = json!(-1);
        doc["user"]["active"] = json!("-3");
    });
    let server = Server::start(None, move |_| Reply::ok(body.clone()));
    let env = Env::new();
    env.add_instance(
        "martin",
        "server-observer-v1",
        &["--url", &server.url("/get-data.php")],
    );
    let pass = env.run(&["--json", "update-instances"]).ok().json();
    assert_eq!(pass[0]["status"], "online", "{pass}");

    let show = env
        .run(&["--json", "instance", "show", "martin"])
        .ok()
        .json();
    assert_eq!(show["disk_used_bytes"], Value::Null, "{show}");
    assert_eq!(show["instance"]["users_all"], Value::Null, "{show}");
    assert_eq!(show["instance"]["users_active"], Value::Null, "{show}");
    let table = env.run(&["instance", "show", "martin"]).ok().stdout;
    assert!(!table.contains("EiB"), "{table}");
}

#[test]
fn listed_names_that_cannot_be_refs_never_become_dot_refs() {
    let long = format!("{}-shop", "a".repeat(180));
    let list = json!([".", "..", long, "ok"]).to_string();
    let server = Server::manager(None, move |hit| {
        match hit.query.get("action").map(String::as_str) {
            None => Reply::fixture("servermanager-server.json"),
            Some("get-all-instance") => Reply::ok(list.clone()),
            _ => Reply::fixture("servermanager-instance-garage-lefebvre.json"),
        }
    });
    let env = Env::new();
    env.add_host("srv", "server-manager-v1", &["--url", &server.url("/")]);
    env.run(&["update-hosts"]).ok();

    let list = env.run(&["--json", "instance", "list"]).ok().json();
    let mut refs: Vec<&str> = list
        .as_array()
        .expect("instances")
        .iter()
        .filter_map(|i| i["ref"].as_str())
        .collect();
    refs.sort_unstable();
    assert_eq!(refs.len(), 2, "{refs:?}");
    assert_eq!(refs[0], "ok");
    assert!(
        refs[1].starts_with("srv.aaaa") && refs[1].len() == 128,
        "{refs:?}"
    );
    // The derived ref is a ref like any other, and the name on the server is kept whole.
    let show = env
        .run(&["--json", "instance", "show", refs[1]])
        .ok()
        .json();
    assert_eq!(show["instance"]["remote_name"], long.as_str());
    // Nor may a person type such a ref.
    env.run(&[
        "host",
        "add",
        "..",
        "--api",
        "server-manager-v1",
        "--url",
        &server.url("/"),
    ])
    .fails(2, "not only dots");
}

/// The hashes a server was sent.
fn hashes_sent(server: &Server) -> Vec<String> {
    server
        .hits()
        .iter()
        .filter_map(|hit| hit.query.get("hash").cloned())
        .collect()
}

/// The database's bytes, its write-ahead log included.
fn stored_bytes(env: &Env) -> Vec<u8> {
    let mut bytes = env.db_bytes().expect("a database");
    if let Ok(wal) = std::fs::read(env.db.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    bytes
}

#[track_caller]
fn assert_never_printed(run: &Run, secrets: &[String]) {
    for secret in secrets {
        for text in [&run.stdout, &run.stderr] {
            assert!(!text.contains(secret.as_str()), "{secret} printed:\n{text}");
            assert!(!text.contains(&secret.to_ascii_uppercase()), "{text}");
        }
    }
}

#[test]
fn a_signature_quoted_back_in_any_form_is_neither_stored_nor_printed() {
    let server = Server::start(Some(CANARY), |hit| {
        let hash = hit.query.get("hash").cloned().unwrap_or_default();
        let upper = hash.to_ascii_uppercase();
        Reply::ok(webobserver_with(|doc| {
            doc["dolibarr"]["version"] = json!(format!("18.0.4 (signed {hash})"));
            doc["module"][format!("modEcho{hash}")] = json!({
                "version": upper,
                "source": "external",
                "editor_name": format!("Echo for {hash}"),
                "active": "1"
            });
        }))
    });
    let env = Env::new();
    env.run_with_stdin(
        &[
            "instance",
            "add",
            "martin",
            "--api",
            "server-observer-v1",
            "--url",
            &server.url("/get-data.php"),
            "--token-stdin",
        ],
        CANARY,
    )
    .ok();
    let pass = env.run(&["update-instances"]).ok();
    let hashes = hashes_sent(&server);
    assert_eq!(hashes.len(), 1);
    assert_never_printed(&pass, &hashes);
    for args in [
        &["instance", "show", "martin"][..],
        &["--json", "instance", "show", "martin"],
        &["modules", "--flat"],
        &["--json", "modules"],
        &["versions"],
        &["changes"],
    ] {
        assert_never_printed(&env.run(args).ok(), &hashes);
    }
    let show = env
        .run(&["--json", "instance", "show", "martin"])
        .ok()
        .json();
    assert_eq!(show["instance"]["dolibarr_version"], "18.0.4 (signed ***)");

    let stored = String::from_utf8_lossy(&stored_bytes(&env)).into_owned();
    for hash in &hashes {
        assert!(!stored.contains(hash.as_str()), "the hash was stored");
        assert!(!stored.contains(&hash.to_ascii_uppercase()), "stored");
    }
    assert!(stored.contains("modEcho***"), "the module is kept, masked");
}
