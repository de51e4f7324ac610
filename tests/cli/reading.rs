//! status, history, uptime, health thresholds, changes and prune, on a database filled by real
//! passes against the local fixture server.

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::server::{Reply, Server, fixture};
use crate::support::{Env, now};

/// A server whose answer the test switches between passes.
fn switchable(initial: Reply) -> (Server, Arc<Mutex<Reply>>) {
    let reply = Arc::new(Mutex::new(initial));
    let r = reply.clone();
    let server = Server::start(None, move |_| r.lock().expect("reply").clone());
    (server, reply)
}

#[test]
fn history_records_changes_and_uptime_is_time_weighted() {
    let (server, reply) = switchable(Reply::ok("ok"));
    let env = Env::new();
    env.add_instance("site", "ping", &["--url", &server.url("/")]);
    // Three passes at known times: up 30 min, down 15, up 15.
    let t = now();
    env.run_at(t - 3600, &["update-instances"]).ok();
    *reply.lock().expect("reply") = Reply::Body(500, b"boom".to_vec());
    env.run_at(t - 1800, &["update-instances"]).ok();
    *reply.lock().expect("reply") = Reply::ok("ok");
    env.run_at(t - 900, &["update-instances"]).ok();

    let h = env
        .run_at(t, &["--json", "history", "site", "--since", "24h"])
        .ok()
        .json();
    assert_eq!(h["type"], "instance");
    let statuses: Vec<&str> = h["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["status"].as_str())
        .collect();
    assert_eq!(statuses, ["online", "offline", "online"], "newest first");
    let changes = h["changes"].as_array().expect("changes");
    let pairs: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| {
            (
                c["from"].as_str().unwrap_or(""),
                c["to"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("unknown", "online"),
            ("online", "offline"),
            ("offline", "online")
        ]
    );
    assert_eq!(
        changes[1]["lasted_seconds"], 1800,
        "online for 30 min before going down"
    );
    assert_eq!(changes[2]["lasted_seconds"], 900);
    // 3600 s observed, 900 s down: 75 %, whatever the number of rows.
    assert_eq!(h["uptime_percent"], 75.0);
    let show = env
        .run_at(t, &["--json", "instance", "show", "site"])
        .ok()
        .json();
    assert_eq!(show["uptime"]["day"], 75.0);
    let limited = env
        .run_at(t, &["--json", "history", "site", "--limit", "1"])
        .ok()
        .json();
    assert_eq!(limited["checks"].as_array().map(Vec::len), Some(1));
    let list = env
        .run_at(t, &["--json", "instance", "list", "--uptime"])
        .ok()
        .json();
    assert_eq!(list[0]["uptime"]["week"], 75.0);
}

#[test]
fn disk_thresholds_drive_health_and_status() {
    let server = Server::start(None, |hit| {
        match hit.query.get("action").map(String::as_str) {
            None => Reply::fixture("servermanager-server.json"),
            Some("get-all-instance") => Reply::ok("[\"garage-lefebvre\"]"),
            _ => Reply::fixture("servermanager-instance-garage-lefebvre.json"),
        }
    });
    let env = Env::new();
    env.add_host("srv", "server-manager-v1", &["--url", &server.url("/")]);
    env.run(&["update-hosts"]).ok();
    // 78 % used: under the default 80/90.
    let srv = env.run(&["--json", "host", "show", "srv"]).ok().json();
    assert_eq!(srv["health"], "ok");
    assert_eq!(srv["thresholds"]["disk_warn"], "80%");

    env.run(&["host", "edit", "srv", "--disk-warn", "75%"]).ok();
    let srv = env.run(&["--json", "host", "show", "srv"]).ok().json();
    assert_eq!(srv["health"], "warning");
    assert_eq!(srv["health_reasons"][0], "disk 78% used (threshold 75%)");
    env.run(&["host", "edit", "srv", "--disk-crit", "77%"]).ok();
    let crit = env
        .run(&["--json", "host", "list", "--health", "critical"])
        .ok()
        .json();
    assert_eq!(crit[0]["ref"], "srv");
    let ok = env
        .run(&["--json", "host", "list", "--health", "ok"])
        .ok()
        .json();
    assert_eq!(ok, serde_json::json!([]));

    // Instances know only their usage: a byte threshold.
    env.run(&["instance", "edit", "garage-lefebvre", "--disk-warn", "5G"])
        .ok();
    let g = env
        .run(&["--json", "instance", "show", "garage-lefebvre"])
        .ok()
        .json();
    assert_eq!(g["health"], "warning");

    let status = env.run(&["--json", "status"]).ok().json();
    let disks: Vec<&str> = status["disks"]
        .as_array()
        .expect("disks")
        .iter()
        .filter_map(|d| d["ref"].as_str())
        .collect();
    assert_eq!(disks, ["srv", "garage-lefebvre"]);
    assert_eq!(status["counts"][0]["by_health"]["critical"], 1);

    env.run(&[
        "host",
        "edit",
        "srv",
        "--disk-warn",
        "default",
        "--disk-crit",
        "default",
    ])
    .ok();
    let srv = env.run(&["--json", "host", "show", "srv"]).ok().json();
    assert_eq!(srv["health"], "ok");
    assert_eq!(srv["thresholds"]["custom"], false);
    let bad = env.run(&["host", "edit", "srv", "--disk-warn", "lots"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("is not a threshold"), "{}", bad.stderr);
}

#[test]
fn status_lists_problems_and_stale_passes() {
    let (server, reply) = switchable(Reply::ok("ok"));
    let env = Env::new();
    env.add_instance("a", "ping", &["--url", &server.url("/a")]);
    env.add_instance("b", "ping", &["--url", &server.url("/b")]);
    let t = now();
    env.run_at(t, &["update-instances", "--ref", "a"]).ok();
    *reply.lock().expect("reply") = Reply::Body(503, b"maintenance".to_vec());
    env.run_at(t, &["update-instances", "--ref", "b"]).ok();

    let s = env.run_at(t, &["--json", "status"]).ok().json();
    let instances = &s["counts"][1];
    assert_eq!(instances["type"], "instance");
    assert_eq!(instances["by_status"]["online"], 1);
    assert_eq!(instances["by_status"]["offline"], 1);
    let down = s["not_online"].as_array().expect("not_online");
    assert_eq!(down.len(), 1);
    assert_eq!(down[0]["ref"], "b");
    assert!(down[0]["message"].as_str().unwrap_or("").contains("503"));
    let pass = |s: &Value, kind: &str| {
        s["passes"]
            .as_array()
            .and_then(|p| p.iter().find(|x| x["pass"] == kind).cloned())
            .expect("pass")
    };
    assert_eq!(pass(&s, "update-instances")["stale"], false);
    // No hosts: a pass that never ran is not stale.
    assert_eq!(pass(&s, "update-hosts")["stale"], false);

    // An hour later, with no pass since.
    let later = t + 3600;
    let s = env.run_at(later, &["--json", "status"]).ok().json();
    assert_eq!(pass(&s, "update-instances")["stale"], true);
    let s = env
        .run_at(later, &["--json", "status", "--stale", "2h"])
        .ok()
        .json();
    assert_eq!(pass(&s, "update-instances")["stale"], false);
    let text = env.run_at(later, &["status"]).ok().stdout;
    assert!(text.contains("STALE"), "{text}");
}

#[test]
fn changes_list_version_and_module_changes() {
    let before = fixture("servermanager-instance-garage-lefebvre.json");
    let (server, reply) = switchable(Reply::ok(before.clone()));
    let env = Env::new();
    env.add_instance("garage", "server-observer-v1", &["--url", &server.url("/")]);
    env.run(&["update-instances"]).ok();
    let first = env.run(&["--json", "changes"]).ok().json();
    assert_eq!(
        first,
        serde_json::json!([]),
        "the first inventory is a baseline"
    );

    let mut doc: Value = serde_json::from_slice(&before).expect("fixture json");
    doc["dolibarr"]["version"] = "19.0.4".into();
    doc["module"]["modSubtotal"]["version"] = "3.24.1".into();
    doc["module"]["modSubtotal"]["active"] = true.into();
    doc["module"]
        .as_object_mut()
        .expect("modules")
        .remove("modFicheinter");
    *reply.lock().expect("reply") = Reply::ok(serde_json::to_vec(&doc).expect("json"));
    env.run(&["update-instances"]).ok();

    let changes = env.run(&["--json", "changes", "--since", "1h"]).ok().json();
    let mut got: Vec<String> = changes
        .as_array()
        .expect("array")
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}",
                c["subject"].as_str().unwrap_or(""),
                c["change"].as_str().unwrap_or(""),
                c["old"],
                c["new"]
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "dolibarr upgraded \"19.0.3\" \"19.0.4\"",
            "modFicheinter removed \"dolibarr\" null",
            "modSubtotal activated null null",
            "modSubtotal upgraded \"3.21.0\" \"3.24.1\"",
        ]
    );
    assert!(
        changes
            .as_array()
            .expect("array")
            .iter()
            .all(|c| c["instance"] == "garage")
    );
}

#[test]
fn prune_deletes_old_checks_and_keeps_uptime() {
    let (server, reply) = switchable(Reply::ok("ok"));
    let env = Env::sqlite();
    env.add_instance("site", "ping", &["--url", &server.url("/")]);
    // Three passes 100 days ago, 10 minutes apart (up, down, up); the last one is today.
    let day = 86_400;
    let t = now();
    let old = (t - 100 * day).div_euclid(day) * day + 3600;
    for (ok, at) in [
        (true, old),
        (false, old + 600),
        (true, old + 1200),
        (true, t),
    ] {
        *reply.lock().expect("reply") = if ok {
            Reply::ok("ok")
        } else {
            Reply::Body(500, b"x".to_vec())
        };
        env.run_at(at, &["update-instances"]).ok();
    }
    let p = env
        .run_at(t, &["--json", "prune", "--older-than", "90d"])
        .ok()
        .json();
    assert_eq!(p["checks_deleted"], 3);
    assert_eq!(p["days_rolled_up"], 1);
    let (checks, up, observed): (i64, i64, i64) = env
        .sql()
        .query_row(
            "SELECT checks, up_seconds, observed_seconds FROM daily",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("daily row");
    assert_eq!(checks, 3);
    // up 600 s, down 600 s, then the last old check holds for MAX_GAP (2 h).
    assert_eq!((up, observed), (600 + 7200, 600 + 600 + 7200));
    let h = env
        .run_at(t, &["--json", "history", "site", "--since", "30d"])
        .ok()
        .json();
    assert_eq!(h["checks"].as_array().map(Vec::len), Some(1));
    // State changes survive pruning.
    let all = env
        .run_at(t, &["--json", "history", "site", "--since", "365d"])
        .ok()
        .json();
    assert_eq!(all["changes"].as_array().map(Vec::len), Some(3));
    let again = env
        .run_at(t, &["--json", "prune", "--older-than", "90d"])
        .ok()
        .json();
    assert_eq!(again["checks_deleted"], 0);
}
