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
    let path = report_path(env).to_string_lossy().into_owned();
    env.run(&[&["report", "--html", &path], extra].concat())
        .ok();
    written(env)
}

/// The same, with webhost's clock at `at`.
fn report_at(env: &Env, at: i64, extra: &[&str]) -> (String, Html) {
    let path = report_path(env).to_string_lossy().into_owned();
    env.run_at(at, &[&["report", "--html", &path], extra].concat())
        .ok();
    written(env)
}

/// The report's text and its parse.
fn written(env: &Env) -> (String, Html) {
    let html = std::fs::read_to_string(report_path(env)).expect("report written");
    let doc = Html::parse_document(&html);
    (html, doc)
}

fn report_path(env: &Env) -> PathBuf {
    env.path().join("status.html")
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
    env.add_instance("site", "ping", &["--url", &server.url("/site")]);
    env.add_instance("dead", "ping", &["--url", &server.url("/dead")]);
    env.add_instance(
        "garage",
        "server-observer-v1",
        &["--url", &server.url("/garage")],
    );
    // The site's three checks at known times: up 30 min, down 50 min, up again; the last one
    // speaks for MAX_GAP (2 h) only, as the window's end is far after it. 9000 s up of 12000.
    let t = now();
    let t0 = t - 30_000;
    let site_only = ["update-instances", "--ref", "site"];
    env.run_at(t0, &site_only).ok();
    *site.lock().expect("site") = Reply::Body(500, b"boom".to_vec());
    env.run_at(t0 + 1800, &site_only).ok();
    *site.lock().expect("site") = Reply::ok("ok");
    env.run_at(t0 + 4800, &site_only).ok();

    // The others' three passes a minute back, so they speak for a minute of the window. In
    // the second, the garage upgraded Dolibarr and two modules.
    let others = ["update-instances", "--ref", "dead", "--ref", "garage"];
    env.run_at(t - 60, &others).ok();
    let mut doc: Value = serde_json::from_slice(&garage_doc).expect("fixture json");
    doc["dolibarr"]["version"] = "19.0.4".into();
    doc["module"]["modSubtotal"]["version"] = "3.24.1".into();
    doc["module"]
        .as_object_mut()
        .expect("modules")
        .remove("modFicheinter");
    *garage.lock().expect("garage") = Reply::ok(serde_json::to_vec(&doc).expect("json"));
    env.run_at(t - 60, &others).ok();
    env.run_at(t - 60, &others).ok();

    std::fs::write(report_path(&env), "an older page").expect("old page");
    let (html, doc) = report_at(&env, t, &[]);
    self_contained(&html, &doc);

    // Uptime, time-weighted, the same figure `instance show` gives for the week.
    assert_eq!(text(&doc, "tr#i-site td.up"), "75.00 %");
    let show = env
        .run_at(t, &["--json", "instance", "show", "site"])
        .ok()
        .json();
    assert_eq!(show["uptime"]["week"], 75.0);
    assert_eq!(text(&doc, "tr#i-garage td.up"), "100.00 %");
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
    // (`data` is the SQLite database's folder.)
    names.retain(|n| n != "data");
    assert_eq!(names, ["status.html"]);

    // An hour later, cron has stopped: the page says so at the top.
    let (_, doc) = report_at(&env, t + 3600, &["--since", "30d"]);
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
    env.add_instance("old-demo", "server-manager-v1", &["--host", "srv1"]);
    env.add_instance(
        "loose",
        "server-observer-v1",
        &["--url", &server.url("/broken.php")],
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
    // Versions and disks only when asked for.
    assert_eq!(doc.select(&sel("td.dol, td.dsk, #modules")).count(), 0);
    let (_, doc) = report(&env, &["--public", "--with-versions", "--with-disks"]);
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
    env.add_instance("evil", "server-observer-v1", &["--url", &server.url("/")]);
    env.run(&["update-instances"]).ok();

    for public in [false, true] {
        let public_args = ["--public", "--with-versions", "--with-modules"];
        let (html, doc) = report(&env, if public { &public_args } else { &[] });
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
    env.create_empty_db();
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
