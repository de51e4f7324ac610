//! Several pollers of one database (`--poller`): the quorum on "down" in `all` mode, alerts
//! fired once, `share` mode splitting the fleet and taking over from a poller that stopped,
//! and the pollers in `status`. On SQLite and on PostgreSQL alike (WEBHOST_TEST_PG).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::server::{Reply, Server};
use crate::support::{Env, now};

/// A server whose one site answers 200, or 503 (offline: maintenance) while `down` is set.
fn switchable() -> (Server, Arc<AtomicBool>) {
    let down = Arc::new(AtomicBool::new(false));
    let d = down.clone();
    let server = Server::start(None, move |_| {
        if d.load(Ordering::SeqCst) {
            Reply::Body(503, b"maintenance".to_vec())
        } else {
            Reply::ok("ok")
        }
    });
    (server, down)
}

/// A hook that appends `REF TO` to a file, one line per alert.
fn recorder(env: &Env) -> (Vec<String>, std::path::PathBuf) {
    let log = env.path().join("alerts.log");
    let script = format!(
        "printf '%s %s\\n' \"$WEBHOST_REF\" \"$WEBHOST_TO\" >> '{}'",
        log.display()
    );
    (vec!["/bin/sh".into(), "-c".into(), script], log)
}

fn alerts(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn pass(env: &Env, poller: &str, at: i64, hook: &[String]) -> crate::support::Run {
    let mut args = vec![
        "--poller",
        poller,
        "update-instances",
        "--failure-threshold",
        "1",
    ];
    args.push("--on-change");
    args.extend(hook.iter().map(String::as_str));
    env.run_at(at, &args).ok()
}

fn shop(env: &Env, at: i64) -> (String, String) {
    let v = env
        .run_at(at, &["--json", "instance", "show", "shop"])
        .ok()
        .json();
    (
        v["status"].as_str().unwrap_or_default().to_owned(),
        v["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn one_poller_of_three_seeing_a_site_down_is_a_note_and_two_are_an_outage_alerted_once() {
    let (server, down) = switchable();
    let env = Env::new();
    env.add_instance("shop", "ping", &["--url", &server.url("/")]);
    let (hook, log) = recorder(&env);
    let t = now() - 600;
    // Every poller sees it up: it is online, and three pollers count.
    for (i, p) in ["a", "b", "c"].iter().enumerate() {
        pass(&env, p, t + i as i64, &hook);
    }
    assert_eq!(shop(&env, t + 3).0, "online");

    // Only b sees it down: online still, with a note; no alert.
    down.store(true, Ordering::SeqCst);
    pass(&env, "b", t + 60, &hook);
    down.store(false, Ordering::SeqCst);
    assert_eq!(
        shop(&env, t + 61),
        ("online".to_owned(), "down from b only".to_owned())
    );
    // Prometheus: the record's series follows the quorum, each poller's view has its own.
    let m = env.run_at(t + 61, &["metrics"]).ok().stdout;
    assert!(
        m.contains("webhost_up{type=\"instance\",ref=\"shop\""),
        "{m}"
    );
    assert!(
        m.lines()
            .any(|l| l.starts_with("webhost_up{") && l.ends_with(" 1")),
        "{m}"
    );
    for (p, up) in [("a", 1), ("b", 0), ("c", 1)] {
        let line =
            format!("webhost_poller_up{{type=\"instance\",ref=\"shop\",poller=\"{p}\"}} {up}");
        assert!(m.contains(&line), "{line} missing:\n{m}");
    }
    pass(&env, "a", t + 62, &hook);
    assert_eq!(shop(&env, t + 63).0, "online");
    assert!(
        shop(&env, t + 63).1.contains("down from b only"),
        "{:?}",
        shop(&env, t + 63)
    );
    assert_eq!(
        alerts(&log),
        Vec::<String>::new(),
        "no alert for one point of view"
    );

    // b and then c see it down: the second makes the quorum (2 of 3). One alert, not one per
    // poller; a, which still sees it up, does not bring it back on its own.
    down.store(true, Ordering::SeqCst);
    pass(&env, "b", t + 120, &hook);
    assert_eq!(shop(&env, t + 121).0, "online");
    pass(&env, "c", t + 122, &hook);
    assert_eq!(shop(&env, t + 123).0, "offline");
    down.store(false, Ordering::SeqCst);
    pass(&env, "a", t + 124, &hook);
    let (status, message) = shop(&env, t + 125);
    assert_eq!(status, "offline", "{message}");
    assert!(message.starts_with("offline from b, c"), "{message}");
    assert_eq!(alerts(&log), ["shop offline"]);

    // Back up from b and c: online, alerted once more.
    pass(&env, "b", t + 180, &hook);
    pass(&env, "c", t + 181, &hook);
    assert_eq!(shop(&env, t + 182).0, "online");
    assert_eq!(alerts(&log), ["shop offline", "shop online"]);

    // `config set quorum 1`: one poller is enough.
    env.run(&["config", "set", "quorum", "1"]).ok();
    down.store(true, Ordering::SeqCst);
    pass(&env, "b", t + 240, &hook);
    assert_eq!(shop(&env, t + 241).0, "offline");
}

#[test]
fn a_poller_not_seen_for_an_hour_no_longer_counts_and_status_calls_it_stale() {
    let (server, down) = switchable();
    let env = Env::new();
    env.add_instance("shop", "ping", &["--url", &server.url("/")]);
    let t = now() - 7200;
    env.run_at(t, &["--poller", "old", "update-instances"]).ok();
    env.run_at(t + 10, &["--poller", "a", "update-instances"])
        .ok();
    // An hour and more later, only a runs: down from a alone is down (old does not count).
    down.store(true, Ordering::SeqCst);
    env.run_at(t + 4000, &["--poller", "a", "update-instances"])
        .ok();
    assert_eq!(shop(&env, t + 4001).0, "offline");

    let v = env.run_at(t + 4001, &["--json", "status"]).ok().json();
    let pollers: HashMap<&str, &Value> = v["pollers"]
        .as_array()
        .expect("pollers")
        .iter()
        .map(|p| (p["name"].as_str().unwrap_or_default(), p))
        .collect();
    assert_eq!(pollers.len(), 2, "{v}");
    assert_eq!(pollers["a"]["stale"], false);
    assert_eq!(pollers["old"]["stale"], true);
    let text = env.run_at(t + 4001, &["status"]).ok().stdout;
    assert!(text.contains("old (last update-instances 1h"), "{text}");
    assert!(text.contains("STALE"), "{text}");

    // Nagios: a record down is CRITICAL; once it is back, the stopped poller is a WARNING.
    let c = env.run_at(t + 4001, &["check", "--fleet"]);
    assert_eq!(c.code, 2, "{}", c.stdout);
    assert!(
        c.stdout
            .starts_with("WEBHOST CRITICAL - fleet: 1 records, 1 down (shop)"),
        "{}",
        c.stdout
    );
    down.store(false, Ordering::SeqCst);
    env.run_at(t + 4010, &["--poller", "a", "update-instances"])
        .ok();
    let c = env.run_at(t + 4011, &["check", "--fleet"]);
    assert_eq!(c.code, 1, "{}", c.stdout);
    assert!(
        c.stdout
            .contains("poller old stopped (last pass 66 min ago)"),
        "{}",
        c.stdout
    );
    assert!(c.stdout.contains("'pollers_stopped'=1;;;0"), "{}", c.stdout);
    // The status page says so at the top.
    let page = env.path().join("status.html");
    env.run_at(t + 4011, &["report", "--html", &page.to_string_lossy()])
        .ok();
    let html = std::fs::read_to_string(&page).expect("page");
    assert!(
        html.contains("poller old has not run for over an hour"),
        "no poller warning"
    );
}

/// The instances each poller's pass checked, by the `poller` of the stored checks.
fn checked_by(env: &Env, at: i64) -> HashMap<String, String> {
    let v = env.run_at(at, &["--json", "instance", "list"]).ok().json();
    let mut out = HashMap::new();
    for r in v.as_array().expect("list") {
        let reference = r["ref"].as_str().unwrap_or_default().to_owned();
        let h = env
            .run_at(at, &["--json", "history", &reference, "--limit", "1"])
            .ok()
            .json();
        let poller = h["checks"][0]["poller"].as_str().unwrap_or("-").to_owned();
        out.insert(reference, poller);
    }
    out
}

/// How many records a pass's `--json` results name.
fn polled(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

#[test]
fn share_mode_checks_each_record_once_a_pass_and_takes_over_from_a_stopped_poller() {
    let (server, _) = switchable();
    let env = Env::new();
    for i in 0..5 {
        env.add_instance(
            &format!("site{i}"),
            "ping",
            &["--url", &server.url(&format!("/{i}"))],
        );
    }
    env.run(&["config", "set", "poller-mode", "share"]).ok();
    let t = now() - 3600;
    let a = env
        .run_at(t, &["--json", "--poller", "a", "update-instances"])
        .ok()
        .json();
    assert_eq!(polled(&a), 5, "{a}");
    // b a minute later: a's leases hold, so b checks nothing this round.
    let b = env
        .run_at(t + 60, &["--json", "--poller", "b", "update-instances"])
        .ok()
        .json();
    assert_eq!(polled(&b), 0, "{b}");
    assert!(checked_by(&env, t + 61).values().all(|p| p == "a"));
    // a stops; at the next round its leases are over and b takes every record.
    let b = env
        .run_at(t + 300, &["--json", "--poller", "b", "update-instances"])
        .ok()
        .json();
    assert_eq!(polled(&b), 5, "{b}");
    assert!(checked_by(&env, t + 301).values().all(|p| p == "b"));
}

#[test]
fn two_pollers_at_once_in_share_mode_split_the_fleet_without_overlap() {
    let env = Env::new();
    // A SQLite file is one machine's: its pass lock lets one pass of a kind run at a time,
    // whatever the poller. Pollers running at once share a PostgreSQL server.
    if env.pg().is_none() {
        return;
    }
    // Slow answers, so that both passes are running while records are claimed.
    let hits: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let h = hits.clone();
    let server = Server::start(None, move |hit| {
        h.lock().expect("hits").push(hit.path.clone());
        std::thread::sleep(std::time::Duration::from_millis(5));
        Reply::ok("ok")
    });
    let n = 600;
    let rows: Vec<String> = (0..n)
        .map(|i| format!("instance,site{i},ping,{}", server.url(&format!("/{i}"))))
        .collect();
    let csv = env.path().join("fleet.csv");
    std::fs::write(&csv, format!("type,ref,api,url\n{}\n", rows.join("\n"))).expect("csv");
    env.run(&["import", &csv.to_string_lossy()]).ok();
    env.run(&["config", "set", "poller-mode", "share"]).ok();
    let spawn = |p: &str| {
        env.command(&["--json", "--poller", p, "update-instances", "--jobs", "8"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (a, b) = (spawn("a"), spawn("b"));
    let polled = |c: std::process::Child| -> u64 {
        let out = c.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        v.as_array().map_or(0, |a| a.len() as u64)
    };
    let (pa, pb) = (polled(a), polled(b));
    eprintln!("split: a {pa}, b {pb}");
    assert_eq!(
        pa + pb,
        n,
        "every record checked once in all: a {pa}, b {pb}"
    );
    let mut seen = hits.lock().expect("hits").clone();
    seen.sort();
    let before = seen.len();
    seen.dedup();
    assert_eq!(before, seen.len(), "no site asked twice");
    assert_eq!(seen.len() as u64, n);
}
