//! Maintenance windows: a window holds an outage's alerts back (and the "recovered" one after
//! it), `check` says OK "in maintenance until ...", and a recurring window keeps to the wall
//! clock of its time zone across daylight saving time and a month's end.

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::server::{Reply, Server};
use crate::support::Env;

/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000;

/// A server answering WebObserver's document (which a ping and a server-observer-v1 host both
/// take) but 503 on the paths in its list, switchable between passes.
pub fn server() -> (Server, Arc<Mutex<Vec<String>>>) {
    let down: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let d = down.clone();
    let server = Server::start(None, move |hit| {
        if d.lock().expect("down").contains(&hit.path) {
            Reply::Body(503, b"down for maintenance".to_vec())
        } else {
            Reply::fixture("webobserver-instance.json")
        }
    });
    (server, down)
}

/// A hook that writes each alert's JSON into a file of its own in `dir`.
pub fn recorder(env: &Env) -> (Vec<String>, std::path::PathBuf) {
    let dir = env.path().join("events");
    std::fs::create_dir_all(&dir).expect("events dir");
    let script = format!(
        "f=$(mktemp '{0}/event.XXXXXX'); cat > \"$f\"; printf ' %s' \"$WEBHOST_INSTANCES_DOWN\" >> \"$f\"",
        dir.display()
    );
    (vec!["/bin/sh".into(), "-c".into(), script], dir)
}

/// The alerts the hook received, as `ref from>to`, sorted; and their JSON.
pub fn events(dir: &std::path::Path) -> (Vec<String>, Vec<Value>) {
    let mut json = Vec::new();
    for entry in std::fs::read_dir(dir).expect("events dir").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let end = text.rfind('}').map_or(0, |i| i + 1);
        json.push(serde_json::from_str::<Value>(&text[..end]).expect("event JSON"));
    }
    let mut lines: Vec<String> = json
        .iter()
        .map(|e| {
            format!(
                "{} {}>{}",
                e["ref"].as_str().unwrap_or(""),
                e["from"].as_str().unwrap_or(""),
                e["to"].as_str().unwrap_or("")
            )
        })
        .collect();
    lines.sort();
    (lines, json)
}

pub fn set_hook(env: &Env, hook: &[String]) {
    let mut set = vec!["config", "set", "on-change"];
    set.extend(hook.iter().map(String::as_str));
    env.run(&set).ok();
}

fn rfc3339(t: i64) -> String {
    jiff::Timestamp::from_second(t).expect("time").to_string()
}

#[test]
fn a_window_holds_back_the_outage_and_the_recovery() {
    let (server, down) = server();
    let env = Env::new();
    env.add_instance("shop", "ping", &["--url", &server.url("/shop")]);
    env.add_instance("blog", "ping", &["--url", &server.url("/blog")]);
    let (hook, log) = recorder(&env);
    set_hook(&env, &hook);
    env.run_at(T0, &["update-instances"]).ok();

    let from = rfc3339(T0 + 100);
    let added = env
        .run_at(
            T0,
            &[
                "--json",
                "maintenance",
                "add",
                "--ref",
                "shop",
                "--from",
                &from,
                "--for",
                "1h",
                "--reason",
                "upgrade",
            ],
        )
        .ok()
        .json();
    assert_eq!(added["action"], "added");
    assert_eq!(added["window"]["records"][0]["ref"], "shop");
    assert_eq!(added["window"]["until"], rfc3339(T0 + 3700));
    assert_eq!(added["window"]["active"], false);

    // Both go down; only the one outside the window alerts.
    *down.lock().expect("down") = vec!["/shop".into(), "/blog".into()];
    env.run_at(T0 + 600, &["update-instances"]).ok();
    assert_eq!(events(&log).0, ["blog online>offline"]);
    // Still checked and stored as it is, shown with the window beside it.
    let shown = env
        .run_at(T0 + 700, &["--json", "instance", "show", "shop"])
        .ok()
        .json();
    assert_eq!(shown["status"], "offline");
    assert_eq!(shown["maintenance"]["until"], rfc3339(T0 + 3700));
    assert_eq!(shown["maintenance"]["reason"], "upgrade");
    let list = env.run_at(T0 + 700, &["instance", "list"]).ok().stdout;
    let row = |r: &str| {
        list.lines()
            .find(|l| l.starts_with(r))
            .unwrap_or("")
            .to_string()
    };
    assert!(row("shop").contains("offline (maintenance)"), "{list}");
    assert!(!row("blog").contains("maintenance"), "{list}");
    let status = env.run_at(T0 + 700, &["--json", "status"]).ok().json();
    let not_online = status["not_online"].as_array().cloned().unwrap_or_default();
    let until = |r: &str| {
        not_online
            .iter()
            .find(|p| p["ref"] == r)
            .map(|p| p["maintenance_until"].clone())
    };
    assert_eq!(until("shop"), Some(rfc3339(T0 + 3700).into()));
    assert_eq!(until("blog"), Some(Value::Null));

    let metrics = env.run_at(T0 + 700, &["metrics"]).ok().stdout;
    assert!(
        metrics.contains(r#"webhost_maintenance{type="instance",ref="shop",api="ping",host=""} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"webhost_maintenance{type="instance",ref="blog",api="ping",host=""} 0"#),
        "{metrics}"
    );

    // The status page marks the window on shop's uptime strip, and shop in maintenance.
    let page = env.path().join("page.html");
    env.run_at(
        T0 + 700,
        &["report", "--html", page.to_str().expect("path")],
    )
    .ok();
    let html = std::fs::read_to_string(&page).expect("page");
    let row_of = |r: &str| {
        let at = html.find(&format!("<b>{r}</b>")).expect("row");
        let start = html[..at].rfind("<tr").expect("row start");
        let end = at + html[at..].find("</tr>").expect("row end");
        html[start..end].to_string()
    };
    assert!(
        row_of("shop").contains(r#"class="m"><title>"#),
        "{}",
        row_of("shop")
    );
    assert!(
        row_of("shop").contains(">maintenance</span>"),
        "{}",
        row_of("shop")
    );
    assert!(
        row_of("shop").contains(" in maintenance</div>"),
        "in words too: {}",
        row_of("shop")
    );
    assert!(
        !row_of("blog").contains(r#"class="m""#),
        "{}",
        row_of("blog")
    );

    // `check`: OK, saying until when; WARNING when asked; as if no window with ignore.
    let check = env.run_at(T0 + 700, &["check", "shop"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(
        check
            .stdout
            .starts_with("WEBHOST OK - shop in maintenance until "),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("(upgrade)"), "{}", check.stdout);
    assert!(
        check.stdout.contains("CRITICAL"),
        "what was seen: {}",
        check.stdout
    );
    let json = env.run_at(T0 + 700, &["--json", "check", "shop"]).json();
    assert_eq!(json["maintenance_until"], rfc3339(T0 + 3700));
    assert_eq!(
        env.run_at(T0 + 700, &["check", "shop", "--maintenance", "warn"])
            .code,
        1
    );
    assert_eq!(
        env.run_at(T0 + 700, &["check", "shop", "--maintenance", "ignore"])
            .code,
        2
    );
    assert_eq!(env.run_at(T0 + 700, &["check", "blog"]).code, 2);

    // Back up inside the window, then a pass after it: no "recovered" for shop, since it
    // was online before the window; blog's recovery is news.
    down.lock().expect("down").clear();
    env.run_at(T0 + 1200, &["update-instances"]).ok();
    env.run_at(T0 + 4000, &["update-instances"]).ok();
    assert_eq!(
        events(&log).0,
        ["blog offline>online", "blog online>offline"]
    );
    assert_eq!(env.run_at(T0 + 4000, &["check", "shop"]).code, 0);
    assert!(
        !env.run_at(T0 + 4000, &["check", "shop"])
            .stdout
            .contains("maintenance"),
        "the window is over"
    );

    // After the window, shop alerts as before.
    *down.lock().expect("down") = vec!["/shop".into()];
    env.run_at(T0 + 5000, &["update-instances"]).ok();
    assert_eq!(
        events(&log).0,
        [
            "blog offline>online",
            "blog online>offline",
            "shop online>offline"
        ]
    );
}

#[test]
fn an_outage_that_outlasts_its_window_alerts_when_the_window_ends() {
    let (server, down) = server();
    let env = Env::new();
    env.add_host(
        "srv1",
        "server-observer-v1",
        &["--url", &server.url("/srv1")],
    );
    env.add_instance(
        "app",
        "ping",
        &["--url", &server.url("/app"), "--host", "srv1"],
    );
    let (hook, log) = recorder(&env);
    set_hook(&env, &hook);
    env.run_at(T0, &["update-instances"]).ok();
    // The host's window covers its instance.
    env.run_at(
        T0,
        &["maintenance", "add", "--host", "srv1", "--for", "30m"],
    )
    .ok();
    *down.lock().expect("down") = vec!["/app".into()];
    env.run_at(T0 + 60, &["update-instances"]).ok();
    assert!(events(&log).0.is_empty());
    let list = env
        .run_at(T0 + 60, &["--json", "maintenance", "list"])
        .ok()
        .json();
    assert_eq!(list[0]["active"], true);
    assert_eq!(list[0]["records"][0]["type"], "host");
    // Still down once the window is over: that is news, against the status before it.
    env.run_at(T0 + 1900, &["update-instances"]).ok();
    assert_eq!(events(&log).0, ["app online>offline"]);

    // Removed, it is gone.
    let id = list[0]["id"].to_string();
    env.run(&["maintenance", "remove", &id]).ok();
    env.run(&["maintenance", "remove", &id])
        .fails(2, "no maintenance window");
    assert_eq!(
        env.run(&["--json", "maintenance", "list"]).ok().json(),
        serde_json::json!([])
    );
}

#[test]
fn a_weekly_window_keeps_to_the_paris_wall_clock_across_dst_and_a_month_end() {
    let env = Env::new();
    env.add_instance("shop", "ping", &["--url", "http://127.0.0.1:9/"]);
    let paris = [("TZ", "Europe/Paris")];
    let at = |t: &str| t.parse::<jiff::Timestamp>().expect("time").as_second();
    env.run_at_env(
        at("2027-03-20T12:00:00Z"),
        &[
            "maintenance",
            "add",
            "--all",
            "--every",
            "sun 02:00",
            "--for",
            "2h",
        ],
        &paris,
    )
    .ok();
    let list = env
        .run_at_env(
            at("2027-03-20T12:00:00Z"),
            &["--json", "maintenance", "list"],
            &paris,
        )
        .ok()
        .json();
    assert_eq!(list[0]["every"], "sun 02:00");
    assert_eq!(list[0]["time_zone"], "Europe/Paris");
    assert_eq!(list[0]["next_from"], "2027-03-21T01:00:00Z", "02:00 CET");
    let in_window = |t: &str| {
        let run = env.run_at_env(at(t), &["check", "shop"], &paris);
        run.stdout.contains("in maintenance until")
    };
    // 21 March, winter time: 01:00-03:00 UTC.
    assert!(in_window("2027-03-21T01:30:00Z"));
    assert!(!in_window("2027-03-21T00:30:00Z"));
    // 28 March, the night the clocks go forward: 02:00 does not exist, the window starts at
    // the end of the gap, 03:00 CEST (01:00 UTC), for two hours.
    assert!(in_window("2027-03-28T02:30:00Z"));
    assert!(!in_window("2027-03-28T00:30:00Z"));
    assert!(!in_window("2027-03-28T03:00:00Z"));
    // 4 April, summer time: 02:00 CEST is 00:00 UTC.
    assert!(in_window("2027-04-04T00:30:00Z"));
    assert!(!in_window("2027-04-04T02:30:00Z"));
    // The until it names is local time.
    let run = env.run_at_env(at("2027-04-04T00:30:00Z"), &["check", "shop"], &paris);
    assert!(
        run.stdout.contains("until 2027-04-04 04:00:00 CEST"),
        "{}",
        run.stdout
    );
}

#[test]
fn bad_windows_are_refused_with_a_clear_line() {
    let env = Env::new();
    env.add_instance("shop", "ping", &["--url", "http://127.0.0.1:9/"]);
    env.run(&[
        "maintenance",
        "add",
        "--ref",
        "shop",
        "--every",
        "someday 02:00",
        "--for",
        "1h",
    ])
    .fails(2, "not a recurrence");
    env.run(&[
        "maintenance",
        "add",
        "--ref",
        "shop",
        "--every",
        "daily 02:00",
        "--for",
        "2d",
    ])
    .fails(2, "at most 1d");
    env.run(&[
        "maintenance",
        "add",
        "--ref",
        "shop",
        "--from",
        "2027-01-02 10:00",
        "--until",
        "2027-01-02 09:00",
    ])
    .fails(2, "ends before it starts");
    env.run(&[
        "maintenance",
        "add",
        "--ref",
        "shop",
        "--from",
        "tomorrow",
        "--for",
        "1h",
    ])
    .fails(2, "is not a time");
    env.run(&["maintenance", "add", "--ref", "nope", "--for", "1h"])
        .fails(2, "no host or instance named 'nope'");
    env.add_host(
        "shop",
        "server-observer-v1",
        &["--url", "http://127.0.0.1:9/"],
    );
    env.run(&["maintenance", "add", "--ref", "shop", "--for", "1h"])
        .fails(2, "--host shop covers the host");
    let run = env.run(&["maintenance", "add", "--for", "1h"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--ref <REF>...|--host <REF>|--all"),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.run(&["--json", "maintenance", "list"]).ok().json(),
        serde_json::json!([])
    );
}
