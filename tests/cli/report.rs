//! `report --html`: the status page, from a database filled by real passes against the local
//! fixture server, parsed as HTML and checked value by value.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::server::{Reply, Server, fixture};
use crate::support::{CANARY, Env, now};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"))
}

fn text_of(e: ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

/// The text of every element `css` selects.
fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&sel(css)).map(text_of).collect()
}

#[track_caller]
fn text(doc: &Html, css: &str) -> String {
    let all = texts(doc, css);
    assert!(!all.is_empty(), "nothing matches {css}");
    all[0].clone()
}

/// Runs `report --html` into the env's folder and returns the file's text and its parse.
fn report(env: &Env, extra: &[&str]) -> (String, Html) {
    let path = report_path(env);
    let path_text = path.to_string_lossy().into_owned();
    let mut args = vec!["report", "--html", &path_text];
    args.extend_from_slice(extra);
    env.run(&args).ok();
    let html = std::fs::read_to_string(&path).expect("report written");
    let doc = Html::parse_document(&html);
    (html, doc)
}

fn report_path(env: &Env) -> PathBuf {
    env.path().join("status.html")
}

fn add(env: &Env, args: &[&str]) {
    let mut all = vec!["instance", "add"];
    all.extend_from_slice(args);
    env.run(&all).ok();
}

fn id_of(env: &Env, reference: &str) -> i64 {
    env.sql()
        .query_row(
            "SELECT id FROM instances WHERE ref = ?1",
            [reference],
            |r| r.get(0),
        )
        .expect("instance id")
}

/// Nothing on the page is loaded from elsewhere, and it runs no script.
#[track_caller]
fn self_contained(html: &str, doc: &Html) {
    for needle in [
        "src=\"http",
        "href=\"http",
        "href=\"//",
        "<link",
        "@import",
        "url(http",
        "url(//",
    ] {
        assert!(!html.contains(needle), "the page references {needle}");
    }
    assert_eq!(doc.select(&sel("script")).count(), 0, "a script element");
    assert_eq!(
        doc.select(&sel("[src]")).count(),
        0,
        "an element loads something"
    );
}

#[test]
fn report_shows_uptime_badges_changes_and_modules() {
    let site = Arc::new(Mutex::new(Reply::ok("ok")));
    let garage_doc = fixture("servermanager-instance-garage-lefebvre.json");
    let garage = Arc::new(Mutex::new(Reply::ok(garage_doc.clone())));
    let server = {
        let (site, garage) = (site.clone(), garage.clone());
        Server::start(None, move |hit| match hit.path.as_str() {
            "/site" => site.lock().expect("site").clone(),
            "/garage" => garage.lock().expect("garage").clone(),
            _ => Reply::Body(503, b"maintenance".to_vec()),
        })
    };
    let env = Env::new();
    add(
        &env,
        &["site", "--api", "ping", "--url", &server.url("/site")],
    );
    add(
        &env,
        &["dead", "--api", "ping", "--url", &server.url("/dead")],
    );
    add(
        &env,
        &[
            "garage",
            "--api",
            "server-observer-v1",
            "--url",
            &server.url("/garage"),
        ],
    );
    env.run(&["update-instances"]).ok();

    // Second pass: the site is down, the garage upgraded Dolibarr and two modules.
    *site.lock().expect("site") = Reply::Body(500, b"boom".to_vec());
    let mut doc: Value = serde_json::from_slice(&garage_doc).expect("fixture json");
    doc["dolibarr"]["version"] = "19.0.4".into();
    doc["module"]["modSubtotal"]["version"] = "3.24.1".into();
    doc["module"]
        .as_object_mut()
        .expect("modules")
        .remove("modFicheinter");
    *garage.lock().expect("garage") = Reply::ok(serde_json::to_vec(&doc).expect("json"));
    env.run(&["update-instances"]).ok();
    *site.lock().expect("site") = Reply::ok("ok");
    env.run(&["update-instances"]).ok();

    // The site's three checks at known times: up 30 min, down 50 min, up again; the last one
    // speaks for MAX_GAP (2 h) only, as the window's end is far after it. 9000 s up of 12000.
    let t0 = now() - 30_000;
    let site_id = id_of(&env, "site");
    let conn = env.sql();
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM checks WHERE instance_id = ?1 ORDER BY id")
        .and_then(|mut s| s.query_map([site_id], |r| r.get(0))?.collect())
        .expect("check ids");
    assert_eq!(ids.len(), 3);
    for (id, at) in ids.iter().zip([t0, t0 + 1800, t0 + 4800]) {
        conn.execute("UPDATE checks SET at = ?2 WHERE id = ?1", [*id, at])
            .expect("move check");
    }
    for (from, at) in [
        ("unknown", t0),
        ("online", t0 + 1800),
        ("offline", t0 + 4800),
    ] {
        conn.execute(
            "UPDATE state_changes SET at = ?3 WHERE instance_id = ?1 AND from_status = ?2",
            rusqlite::params![site_id, from, at],
        )
        .expect("move change");
    }
    // The other records' checks a minute back, so they speak for a minute of the window.
    for table in ["checks", "state_changes"] {
        conn.execute(
            &format!("UPDATE {table} SET at = at - 60 WHERE instance_id <> ?1"),
            [site_id],
        )
        .expect("age checks");
    }
    drop(conn);

    std::fs::write(report_path(&env), "an older page").expect("old page");
    let (html, doc) = report(&env, &[]);
    self_contained(&html, &doc);

    // Uptime, time-weighted, the same figure `instance show` gives for the week.
    assert_eq!(text(&doc, "tr#i-site td.up"), "75.00 %");
    let show = env.run(&["--json", "instance", "show", "site"]).ok().json();
    assert_eq!(show["uptime"]["week"], 75.0);
    assert_eq!(text(&doc, "tr#i-garage td.up"), "100 %");
    assert_eq!(text(&doc, "tr#i-dead td.up"), "0.00 %");

    // Badges: a text label beside the colour.
    assert_eq!(text(&doc, "tr#i-dead .badge.s-offline"), "offline");
    assert_eq!(text(&doc, "tr#i-dead .badge.h-critical"), "critical");
    assert_eq!(text(&doc, "tr#i-site .badge"), "online");
    assert!(text(&doc, "tr#i-dead .msg").contains("503"));

    // The strip: the one slot with the offline check, told in words too.
    let note = text(&doc, "tr#i-site td.hist .sub");
    assert!(note.starts_with("1 down, "), "{note}");
    assert!(note.ends_with(" no data"), "{note}");
    let titles = texts(&doc, "tr#i-site svg.strip title");
    assert_eq!(
        titles
            .iter()
            .filter(|t| t.contains(": down, 1 of "))
            .count(),
        1,
        "{titles:?}"
    );
    assert_eq!(
        text(&doc, "tr#i-dead td.hist .sub"),
        "1 down, 89 no data",
        "three failed checks, all in the last slot"
    );

    // The fleet summary, as `status` counts it.
    let counts = texts(&doc, "#summary .card");
    assert!(
        counts
            .iter()
            .any(|c| c.starts_with("Instances3") && c.contains("1 offline")),
        "{counts:?}"
    );
    assert_eq!(doc.select(&sel(".alert")).count(), 0, "passes are fresh");
    let attention = texts(&doc, ".attention li");
    assert_eq!(attention.len(), 1, "{attention:?}");
    assert!(attention[0].contains("dead"), "{attention:?}");

    // What changed: one row per change, newest first.
    let mut rows: Vec<String> = doc
        .select(&sel("#changes tbody tr"))
        .map(|tr| {
            tr.select(&sel("td"))
                .skip(1)
                .map(text_of)
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            "garage|dolibarr|upgraded|19.0.3|19.0.4",
            "garage|modFicheinter|removed|dolibarr|",
            "garage|modSubtotal|upgraded|3.21.0|3.24.1",
        ]
    );

    // The inventory: module, then version, then instances.
    let modules = texts(&doc, "#modules .mod");
    let subtotal = modules
        .iter()
        .find(|m| m.starts_with("modSubtotal"))
        .expect("modSubtotal");
    assert!(
        subtotal.contains("3.24.1: 1 (0 active) garage"),
        "{subtotal}"
    );
    assert_eq!(text(&doc, "tr#i-garage td.dol"), "19.0.4");

    // Written atomically: the old page replaced, no temp file left beside it.
    let mut names: Vec<String> = std::fs::read_dir(env.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["data", "status.html"]);

    // Cron stopped an hour ago: the page says so at the top.
    env.sql()
        .execute("UPDATE passes SET started_at = started_at - 3600", [])
        .expect("age passes");
    let (_, doc) = report(&env, &["--since", "30d"]);
    let alert = text(&doc, ".alert");
    assert!(
        alert.contains("update-instances last ran 1h ago") && alert.contains("cron"),
        "{alert}"
    );
    assert!(text(&doc, "header .meta").contains("last 30 days"));
}

const PHP_WARNING: &str = "Warning: require(/home/client/loose/conf/conf.php): Failed to open \
    stream: No such file or directory in /home/client/loose/htdocs/main.inc.php on line 12";

#[test]
fn public_report_leaves_out_urls_paths_and_messages() {
    // A server-manager host with four instances, and a broken Dolibarr whose PHP warning
    // (quoted in its message) names its folder.
    let server = Server::manager(Some(CANARY), |hit| {
        if hit.path == "/broken.php" {
            return Reply::ok(PHP_WARNING);
        }
        match (
            hit.query.get("action").map(String::as_str),
            hit.query.get("instance_name").map(String::as_str),
        ) {
            (None, _) => Reply::fixture("servermanager-server.json"),
            (Some("get-all-instance"), _) => Reply::fixture("servermanager-instances.json"),
            (Some("get-info-instance"), Some("old-demo")) => {
                Reply::fixture("error-wrong-instance-path.txt")
            }
            _ => Reply::fixture("servermanager-instance-garage-lefebvre.json"),
        }
    });
    let env = Env::new();
    env.run_with_stdin(
        &[
            "host",
            "add",
            "srv1",
            "--api",
            "server-manager-v1",
            "--url",
            &server.url("/index.php"),
            "--token-stdin",
            "--label",
            "Main server",
        ],
        CANARY,
    )
    .ok();
    // old-demo was known before; its install is gone now.
    add(
        &env,
        &["old-demo", "--api", "server-manager-v1", "--host", "srv1"],
    );
    add(
        &env,
        &[
            "loose",
            "--api",
            "server-observer-v1",
            "--url",
            &server.url("/broken.php"),
        ],
    );
    env.run(&["update-hosts"]).ok();
    env.run(&["update-instances"]).ok();

    let (html, doc) = report(&env, &[]);
    self_contained(&html, &doc);
    assert!(!html.contains(CANARY), "a token in the report");
    // The internal page has them, so their absence below means something.
    assert!(html.contains("http://127.0.0.1"));
    assert!(
        html.contains("/home/client"),
        "loose's message quotes the warning"
    );
    // Instances sit under their host; the one without a host in a group of its own.
    let groups = texts(&doc, "section.group h3 > span:first-child");
    assert_eq!(groups, ["srv1", "Instances without a host"]);
    let under_srv1: Vec<String> = doc
        .select(&sel("section#g-srv1 tbody tr"))
        .filter_map(|tr| tr.value().id().map(str::to_string))
        .collect();
    assert_eq!(
        under_srv1,
        [
            "h-srv1",
            "i-boulangerie-martin",
            "i-cabinet-durand",
            "i-garage-lefebvre",
            "i-old-demo"
        ]
    );
    assert_eq!(
        texts(&doc, "section#g-no-host tbody tr b"),
        ["loose"],
        "instances without a host"
    );

    let (html, doc) = report(&env, &["--public"]);
    self_contained(&html, &doc);
    assert!(!html.contains(CANARY));
    assert!(
        !html.contains("http://127.0.0.1"),
        "a URL in the public page"
    );
    assert!(!html.contains("127.0.0.1"));
    assert!(!html.contains("/home/client"), "a path in the public page");
    assert!(!html.contains("index.php"));
    assert_eq!(doc.select(&sel(".msg")).count(), 0, "a server message");
    assert!(text(&doc, "h1").contains("public view"));
    // What a customer may see is still there.
    let old = text(&doc, "tr#i-old-demo td.st");
    assert!(old.starts_with("missing"), "{old}");
    assert_eq!(text(&doc, "tr#i-garage-lefebvre td.dol"), "19.0.3");
    assert!(text(&doc, "tr#h-srv1 td.dsk").contains("(78 %)"));
}

#[test]
fn server_strings_are_escaped() {
    let evil = "<script>alert(1)</script>";
    let mut doc: Value =
        serde_json::from_slice(&fixture("servermanager-instance-garage-lefebvre.json"))
            .expect("fixture json");
    doc["dolibarr"]["version"] = evil.into();
    doc["module"][format!("mod{evil}")] =
        serde_json::json!({"version": evil, "active": true, "source": "external"});
    let body = serde_json::to_vec(&doc).expect("json");
    let server = Server::start(None, move |_| Reply::ok(body.clone()));
    let env = Env::new();
    add(
        &env,
        &[
            "evil",
            "--api",
            "server-observer-v1",
            "--url",
            &server.url("/"),
        ],
    );
    env.run(&["update-instances"]).ok();

    for public in [false, true] {
        let (html, doc) = report(&env, if public { &["--public"] } else { &[] });
        self_contained(&html, &doc);
        assert!(
            !html.contains("<script"),
            "unescaped markup (public: {public})"
        );
        assert!(html.contains("script&#62;alert(1)&#60;/script"), "escaped");
        // The text is all there, shown as text.
        assert_eq!(text(&doc, "tr#i-evil td.dol"), evil);
        let modules = texts(&doc, "#modules .mod h4");
        assert!(
            modules.iter().any(|m| m.starts_with(&format!("mod{evil}"))),
            "{modules:?}"
        );
    }
}

#[test]
fn report_of_an_empty_database_and_a_bad_path() {
    let env = Env::new();
    let (html, doc) = report(&env, &[]);
    self_contained(&html, &doc);
    assert!(text(&doc, "#records").contains("No records yet"));
    assert!(text(&doc, "#changes").contains("No Dolibarr or module change"));

    let json = env
        .run(&[
            "--json",
            "report",
            "--html",
            &report_path(&env).to_string_lossy(),
            "--public",
        ])
        .ok()
        .json();
    assert_eq!(json["public"], true);
    assert_eq!(json["instances"], 0);
    assert!(json["bytes"].as_u64().is_some_and(|b| b > 1000));

    let missing = env.path().join("no-such-folder").join("status.html");
    env.run(&["report", "--html", &missing.to_string_lossy()])
        .fails(1, "cannot write");
    assert!(!missing.exists());
    let usage = env.run(&["report"]);
    assert_eq!(usage.code, 2);
    assert!(usage.stderr.contains("--html"), "{}", usage.stderr);
}
