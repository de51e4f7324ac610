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
    if let Some(pg) = env.pg() {
        // Everything the server holds for this database, as pg_dump writes it.
        let dump = std::process::Command::new("pg_dump")
            .args(["--data-only", &pg.url()])
            .output()
            .expect("run pg_dump");
        assert!(
            dump.status.success(),
            "{}",
            String::from_utf8_lossy(&dump.stderr)
        );
        return dump.stdout;
    }
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

#[test]
fn a_password_or_key_in_a_url_is_stored_whole_and_printed_masked() {
    let server = Server::start(None, |_| Reply::ok("ok"));
    let env = Env::sqlite();
    let password = server
        .url("/")
        .replacen("http://", &format!("http://monitor:{CANARY}@"), 1);
    let key = format!("{}?lang=fr&API-Key={CANARY}", server.url("/status"));
    // Refused, so its first check is news for the hook.
    let down = format!(
        "{}?access_token={CANARY}",
        crate::server::refused_url().replacen("http://", &format!("http://{CANARY}@"), 1)
    );
    env.add_instance("shop", "ping", &["--url", &password]);
    env.add_instance("api", "ping", &["--url", &key]);
    env.add_instance("gone", "ping", &["--url", &down]);
    let target = format!("--target=https://monitor:{CANARY}@h.example/");
    env.add_instance("own", "custom", &["--probe", "/bin/true", &target]);
    let stored: String = env
        .sql()
        .query_row("SELECT url FROM instances WHERE ref = 'api'", [], |r| {
            r.get(0)
        })
        .expect("stored URL");
    assert_eq!(stored, key, "stored as given");

    // Every run below checks that the canary reaches neither stdout nor stderr.
    let hook_log = env.path().join("event");
    // Appended: each alert runs the hook once, in no set order.
    let hook = format!("cat >> '{0}'; env >> '{0}'", hook_log.display());
    env.run(&[
        "-v",
        "update-instances",
        "--on-change",
        "/bin/sh",
        "-c",
        &hook,
    ])
    .ok();
    let event = std::fs::read_to_string(&hook_log).expect("the hook ran");
    assert!(!event.contains(CANARY), "{event}");
    assert!(event.contains("access_token=***"), "{event}");
    for args in [
        &["update-instances", "--dry-run"][..],
        &["--json", "update-instances"],
        &["instance", "list"],
        &["--json", "instance", "list"],
        &["status"],
        &["history", "gone"],
        &["check", "gone"],
    ] {
        env.run(args);
    }
    let shown = env.run(&["instance", "show", "shop"]).ok().stdout;
    assert!(shown.contains("http://monitor:***@127.0.0.1"), "{shown}");
    let shown = env.run(&["--json", "instance", "show", "api"]).ok().json();
    let url = shown["url"].as_str().expect("url");
    assert!(url.ends_with("/status?lang=fr&API-Key=***"), "{url}");
    let shown = env.run(&["instance", "show", "own"]).ok().stdout;
    assert!(
        shown.contains("/bin/true --target=https://monitor:***@h.example/"),
        "{shown}"
    );
    let shown = env.run(&["instance", "show", "gone", "--show-token"]).ok();
    assert!(
        shown.stdout.contains(CANARY),
        "--show-token shows every secret"
    );

    for format in ["csv", "json"] {
        let masked = env.run(&["export", "--format", format]).ok().stdout;
        assert!(masked.contains("monitor:***@"), "{masked}");
        let whole = env
            .run(&["export", "--format", format, "--with-tokens"])
            .ok()
            .stdout;
        assert!(whole.contains(&password) && whole.contains(&key), "{whole}");
    }
    // A masked export imports back onto the same database without losing the password.
    let file = env.path().join("fleet.json");
    std::fs::write(&file, env.run(&["export"]).ok().stdout).expect("write export");
    let import = env.run(&["import", &file.to_string_lossy()]).ok();
    assert!(
        import.stdout.contains("0 updated, 4 unchanged"),
        "{}",
        import.stdout
    );

    let page = env.path().join("status.html");
    env.run(&["report", "--html", &page.to_string_lossy()]).ok();
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(!html.contains(CANARY));

    // Refusals quote the URL masked, even where a ref was expected.
    let typed = format!("http://u:{CANARY}@h/");
    env.run(&["instance", "show", &typed])
        .fails(2, "http://u:***@h/");
    let check = env.run(&["check", &typed]);
    assert!(check.stdout.contains("http://u:***@h/"), "{}", check.stdout);
    let typo = format!("http://monitor:{CANARY}@shop example/");
    env.run(&["instance", "add", "typo", "--api", "ping", "--url", &typo])
        .fails(2, "invalid URL 'http://monitor:***@shop example/'");
    let bad = env.path().join("bad.csv");
    let rows = format!(
        "type,ref,api,url,cert_warn_days\ninstance,x,ping,ftp://u:{CANARY}@h/,\n\
         instance,y,ping,http://y/,http://u:{CANARY}@y/\n"
    );
    std::fs::write(&bad, rows).expect("write");
    let refused = env.run(&["import", &bad.to_string_lossy()]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("ftp://u:***@h/"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("not 'http://u:***@y/'"),
        "{}",
        refused.stderr
    );
}

/// OSC 52 (write the clipboard), a C1 CSI and a bidi override: what a hostile server puts in
/// a text to act on the terminal of whoever reads it.
const OSC52: &str = "\u{1b}]52;c;cm0gLXJmIH4=\u{7}";
const CSI: &str = "\u{9b}2J";
const RLO: &str = "\u{202e}";

/// No character in `text` that a terminal would act on (newlines end lines; nothing else).
#[track_caller]
fn assert_terminal_safe(what: &str, text: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|c| *c != '\n' && (c.is_control() || ('\u{202a}'..='\u{2069}').contains(c)))
        .collect();
    assert!(raw.is_empty(), "{what} printed {raw:?}:\n{text}");
}

#[test]
fn control_characters_from_servers_never_reach_the_terminal_raw() {
    // Texts are read to their first line; a module's name is a key, read whole.
    let module = format!("modEvil{OSC52}\nLine");
    let version = format!("1.0{CSI}");
    let editor = format!("Evil{RLO}Corp\tTab");
    let dolibarr = format!("18.0.4{OSC52}");
    let body = {
        let (module, version, editor, dolibarr) = (
            module.clone(),
            version.clone(),
            editor.clone(),
            dolibarr.clone(),
        );
        webobserver_with(move |doc| {
            doc["dolibarr"]["version"] = json!(dolibarr);
            doc["module"][module] = json!({
                "version": version,
                "source": format!("external{CSI}"),
                "editor_name": editor,
                "active": "1"
            });
        })
    };
    let server = Server::manager(None, move |hit| {
        match (hit.path.as_str(), hit.query.get("action")) {
            ("/down.php", _) => {
                Reply::Body(500, format!("<b>Fatal</b> {OSC52} {CSI}").into_bytes())
            }
            ("/manager.php", None) => Reply::fixture("servermanager-server.json"),
            ("/manager.php", Some(a)) if a == "get-all-instance" => {
                Reply::ok(json!([format!("shop{OSC52}{RLO}")]).to_string())
            }
            _ => Reply::ok(body.clone()),
        }
    });
    let env = Env::new();
    env.add_instance(
        "martin",
        "server-observer-v1",
        &["--url", &server.url("/get-data.php")],
    );
    env.add_instance(
        "down",
        "server-observer-v1",
        &["--url", &server.url("/down.php")],
    );
    env.add_host(
        "srv",
        "server-manager-v1",
        &["--url", &server.url("/manager.php")],
    );

    let hosts = env.run(&["update-hosts"]).ok();
    // The pass names the ref it created, which holds none of the name's control characters.
    assert!(
        hosts.stderr.contains("new instances: srv.shop__52_"),
        "{}",
        hosts.stderr
    );
    assert!(!hosts.stderr.contains('\u{1b}'), "{}", hosts.stderr);
    let pass = env.run(&["update-instances"]).ok();
    for (what, run) in [("update-hosts", &hosts), ("update-instances", &pass)] {
        assert_terminal_safe(what, &run.stdout);
        assert_terminal_safe(what, &run.stderr);
    }
    assert!(
        pass.stdout.contains("\\u{1b}]52;c;"),
        "made visible:\n{}",
        pass.stdout
    );

    for args in [
        &["instance", "show", "martin"][..],
        &["instance", "list"],
        &["instance", "show", "down"],
        &["modules"],
        &["modules", "--flat"],
        &["versions"],
        &["history", "martin"],
        &["history", "down"],
        &["status"],
        &["changes"],
        &["--json", "modules"],
        &["--json", "instance", "show", "martin"],
    ] {
        let run = env.run(args).ok();
        assert_terminal_safe(&args.join(" "), &run.stdout);
        assert_terminal_safe(&args.join(" "), &run.stderr);
    }
    let show = env.run(&["instance", "show", "martin"]).ok().stdout;
    assert!(
        show.contains("modEvil\\u{1b}]52;c;cm0gLXJmIH4=\\u{7}\\u{a}Line"),
        "{show}"
    );
    assert!(show.contains("Evil\\u{202e}Corp\\u{9}Tab"), "{show}");
    for r in ["martin", "down"] {
        let check = env.run(&["check", r]);
        assert_terminal_safe("check", &check.stdout);
        assert_eq!(check.stdout.lines().count(), 1, "{}", check.stdout);
    }

    // JSON carries the exact text.
    let json = env
        .run(&["--json", "instance", "show", "martin"])
        .ok()
        .json();
    assert_eq!(json["instance"]["dolibarr_version"], dolibarr.as_str());
    let evil = json["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .find(|m| m["module"] == module.as_str())
        .expect("the module, named exactly");
    assert_eq!(evil["version"], version.as_str());
    assert_eq!(evil["editor"], editor.as_str());
}

#[test]
fn a_csv_export_runs_no_formula_and_imports_back_exactly() {
    let server = Server::start(None, |_| Reply::ok("ok")).expect_no_hits();
    let env = Env::new();
    let labels = [
        "=HYPERLINK(\"http://evil.example/\",\"Click\")",
        "+1",
        "-x",
        "@SUM(A1:A2)",
        "'quoted",
    ];
    for (i, label) in labels.iter().enumerate() {
        env.add_instance(
            &format!("site{i}"),
            "ping",
            &["--url", &server.url("/"), &format!("--label={label}")],
        );
    }
    env.add_instance(
        "own",
        "custom",
        &["--label", "=1+1", "--probe", "/bin/true", "-v"],
    );

    let csv = env.run(&["export", "--format", "csv"]).ok().stdout;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for record in reader.records() {
        for cell in record.expect("a CSV record").iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} would run as a formula:\n{csv}"
            );
        }
    }
    let file = env.path().join("fleet.csv");
    std::fs::write(&file, &csv).expect("write export");
    let same = env.run(&["import", &file.to_string_lossy()]).ok();
    assert!(
        same.stdout.contains("0 created, 0 updated, 6 unchanged"),
        "{}",
        same.stdout
    );

    let copy = Env::new();
    copy.run(&["import", &file.to_string_lossy()]).ok();
    assert_eq!(copy.run(&["export", "--format", "csv"]).ok().stdout, csv);
    let own = copy.run(&["--json", "instance", "show", "own"]).ok().json();
    assert_eq!(own["label"], "=1+1");
    assert_eq!(own["probe"], json!(["/bin/true", "-v"]));
    let quoted = copy
        .run(&["--json", "instance", "show", "site4"])
        .ok()
        .json();
    assert_eq!(quoted["label"], "'quoted");
}
