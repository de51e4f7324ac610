//! update-hosts / update-instances end to end, every kind, against a local fixture server.

use std::fs::File;

use serde_json::Value;

use crate::server::{Reply, Server, Silent, fixture, refused_url};
use crate::support::{CANARY, Env, gone};

fn show(env: &Env, kind: &str, r: &str) -> Value {
    env.run(&["--json", kind, "show", r]).ok().json()
}

fn result<'a>(results: &'a Value, r: &str) -> &'a Value {
    results
        .as_array()
        .and_then(|a| a.iter().find(|x| x["ref"] == r))
        .unwrap_or_else(|| panic!("no result for {r} in {results}"))
}

#[test]
fn ping_instances() {
    let server = Server::start(None, |hit| match hit.path.as_str() {
        "/up" => Reply::ok("hello"),
        "/moved" => Reply::Redirect(302, "/up".into()),
        _ => Reply::Body(503, b"down for maintenance".to_vec()),
    });
    let env = Env::new();
    env.add_instance("up", "ping", &["--url", &server.url("/up")]);
    env.add_instance("moved", "ping", &["--url", &server.url("/moved")]);
    env.add_instance("broken", "ping", &["--url", &server.url("/broken")]);
    env.add_instance("nobody", "ping", &["--url", &refused_url()]);
    let res = env.run(&["--json", "update-instances"]).ok().json();
    assert_eq!(result(&res, "up")["status"], "online");
    assert_eq!(result(&res, "moved")["status"], "online");
    assert_eq!(result(&res, "broken")["status"], "offline");
    assert!(
        result(&res, "broken")["message"]
            .as_str()
            .unwrap_or("")
            .contains("503"),
        "{res}"
    );
    assert_eq!(result(&res, "nobody")["status"], "offline");
    assert!(
        result(&res, "nobody")["message"]
            .as_str()
            .unwrap_or("")
            .contains("refused"),
        "{res}"
    );
    assert_eq!(result(&res, "up")["changed"], true);

    let up = show(&env, "instance", "up");
    assert_eq!(up["status"], "online");
    assert_eq!(up["http_status"], 200);
    assert!(up["response_ms"].is_u64());
    assert!(up["last_success_at"].is_string());
    let broken = show(&env, "instance", "broken");
    assert_eq!(broken["http_status"], 503);
    assert_eq!(broken["consecutive_failures"], 1);
    assert!(broken["last_success_at"].is_null());

    let ua = server
        .hits()
        .iter()
        .find_map(|h| h.user_agent.clone())
        .unwrap_or_default();
    assert!(ua.starts_with("webhost/"), "user agent {ua:?}");

    // The table and the totals line.
    let text = env.run(&["update-instances"]).ok().stdout;
    assert!(
        text.contains("4 instances polled: 2 online, 2 offline in"),
        "{text}"
    );
}

#[test]
fn server_observer_instances_read_every_variant() {
    let server = Server::start(Some(CANARY), |hit| match hit.path.as_str() {
        "/web" => Reply::fixture("webobserver-instance.json"),
        "/legacy" => Reply::fixture("serverobserver-legacy-check.txt"),
        "/legacy2018" => Reply::fixture("serverobserver-legacy-2018-check.json"),
        "/fresh" => Reply::fixture("instance-empty-modules.json"),
        "/easya" => Reply::fixture("easya-instance-no-sizes.json"),
        _ => Reply::Body(404, b"not found".to_vec()),
    });
    let env = Env::new();
    for (r, path) in [
        ("web", "/web"),
        ("legacy", "/legacy"),
        ("legacy2018", "/legacy2018"),
        ("fresh", "/fresh"),
        ("easya", "/easya"),
    ] {
        env.add_instance(
            r,
            "server-observer-v1",
            &["--url", &server.url(path), "--token", CANARY],
        );
    }
    let res = env.run(&["--json", "update-instances"]).ok().json();
    for r in ["web", "legacy", "legacy2018", "fresh", "easya"] {
        assert_eq!(result(&res, r)["status"], "online", "{r}: {res}");
    }

    let web = show(&env, "instance", "web");
    assert_eq!(web["instance"]["dolibarr_version"], "18.0.4");
    assert_eq!(web["disk_used_bytes"], 1_189_085_184_i64);
    assert_eq!(web["instance"]["users_all"], 14);
    assert_eq!(web["instance"]["users_active"], 9);
    assert_eq!(web["instance"]["last_login_local"], "2026-11-23 17:42:08");
    let modules = web["modules"].as_array().expect("modules");
    assert_eq!(modules.len(), 10);
    assert_eq!(modules.iter().filter(|m| m["active"] == true).count(), 6);
    let subtotal = modules
        .iter()
        .find(|m| m["module"] == "modSubtotal")
        .expect("modSubtotal");
    assert_eq!(subtotal["version"], "3.24.1");

    let legacy = show(&env, "instance", "legacy");
    assert_eq!(legacy["instance"]["dolibarr_version"], "12.0.5");
    assert_eq!(legacy["disk_used_bytes"], 2_898_264_064_i64);
    assert_eq!(legacy["modules"].as_array().map(Vec::len), Some(4));

    let old = show(&env, "instance", "legacy2018");
    assert_eq!(old["instance"]["dolibarr_version"], "7.0.3");
    assert_eq!(old["disk_used_bytes"], 1_112_539_136_i64);
    assert_eq!(old["modules"].as_array().map(Vec::len), Some(7));

    let fresh = show(&env, "instance", "fresh");
    assert_eq!(fresh["disk_used_bytes"], 402_653_184_i64);
    assert_eq!(fresh["disk_partial"], true);
    assert_eq!(fresh["modules"], serde_json::json!([]));

    let easya = show(&env, "instance", "easya");
    assert_eq!(easya["instance"]["dolibarr_version"], "2022.5.3");
    assert!(
        easya["disk_used_bytes"].is_null(),
        "unknown disk must not be 0"
    );
    let names: Vec<&str> = easya["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .filter_map(|m| m["module"].as_str())
        .collect();
    assert_eq!(names, ["modFacture", "modProjet", "modSociete"]);

    // Every request carried a valid hash (the server would have answered "Invalid hash").
    assert!(server.hits().iter().all(|h| h.query.contains_key("hash")));
}

#[test]
fn server_observer_host_reads_its_partition() {
    let server = Server::start(None, |hit| match hit.path.as_str() {
        "/legacy" => Reply::fixture("serverobserver-legacy-check.txt"),
        _ => Reply::fixture("webobserver-instance.json"),
    });
    let env = Env::new();
    env.add_host(
        "old",
        "server-observer-v1",
        &["--url", &server.url("/legacy")],
    );
    env.add_host("new", "server-observer-v1", &["--url", &server.url("/web")]);
    env.run(&["update-hosts"]).ok();
    let old = show(&env, "host", "old");
    assert_eq!(old["status"], "online");
    // 49.09 GB total, 36.79 GB used, in powers of 1024.
    assert_eq!(
        old["disk_total_bytes"],
        (49.09_f64 * 1024.0 * 1024.0 * 1024.0).round() as i64
    );
    assert_eq!(
        old["disk_used_bytes"],
        (36.79_f64 * 1024.0 * 1024.0 * 1024.0).round() as i64
    );
    let new = show(&env, "host", "new");
    assert_eq!(new["status"], "online");
    assert!(
        new["disk_total_bytes"].is_null(),
        "WebObserver carries no partition"
    );
}

/// A server-manager host whose listing can change between passes.
fn manager(old_demo_alive: bool) -> impl Fn(&crate::server::Hit) -> Reply + Send + Sync + 'static {
    move |hit| match (
        hit.query.get("action").map(String::as_str),
        hit.query.get("instance_name").map(String::as_str),
    ) {
        (None, _) => Reply::fixture("servermanager-server.json"),
        (Some("get-all-instance"), _) => Reply::fixture("servermanager-instances.json"),
        (Some("get-info-instance"), Some("old-demo")) if !old_demo_alive => {
            Reply::fixture("error-wrong-instance-path.txt")
        }
        (Some("get-info-instance"), Some(_)) => {
            Reply::fixture("servermanager-instance-garage-lefebvre.json")
        }
        _ => Reply::ok("Missing instance name"),
    }
}

#[test]
fn server_manager_discovery_creates_updates_and_flags() {
    let server = Server::manager(Some(CANARY), manager(false));
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
        ],
        CANARY,
    )
    .ok();
    // old-demo was known before; its install is gone now.
    env.add_instance("old-demo", "server-manager-v1", &["--host", "srv1"]);

    let res = env.run(&["--json", "update-hosts"]).ok().json();
    let srv = result(&res, "srv1");
    assert_eq!(srv["status"], "online", "{res}");
    let created: Vec<&str> = srv["created"]
        .as_array()
        .expect("created")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        created,
        ["boulangerie-martin", "cabinet-durand", "garage-lefebvre"]
    );
    // old-demo is known: update-hosts leaves it to update-instances, which reads every
    // instance once per cycle.
    assert_eq!(srv.get("flagged_missing"), None, "{res}");

    let host = show(&env, "host", "srv1");
    assert_eq!(host["disk_total_bytes"], 527_371_075_584_i64);
    assert_eq!(host["disk_used_bytes"], 408_728_190_976_i64);

    let garage = show(&env, "instance", "garage-lefebvre");
    assert_eq!(garage["instance"]["host"], "srv1");
    assert_eq!(garage["instance"]["discovered"], true);
    assert_eq!(garage["api"], "server-manager-v1");
    assert_eq!(garage["instance"]["dolibarr_version"], "19.0.3");
    assert_eq!(garage["disk_used_bytes"], 5_905_580_032_i64);
    assert_eq!(garage["modules"].as_array().map(Vec::len), Some(4));

    // The instance pass asks each one through its host's URL and token.
    let res = env
        .run(&[
            "--json",
            "update-instances",
            "--ref",
            "garage-lefebvre",
            "--ref",
            "old-demo",
        ])
        .ok()
        .json();
    assert_eq!(result(&res, "garage-lefebvre")["status"], "online", "{res}");
    assert_eq!(result(&res, "old-demo")["status"], "missing", "{res}");
    let asked = server.hits().iter().any(|h| {
        h.query.get("action").map(String::as_str) == Some("get-info-instance")
            && h.query.get("instance_name").map(String::as_str) == Some("garage-lefebvre")
    });
    assert!(asked);
    let old = show(&env, "instance", "old-demo");
    assert_eq!(old["status"], "missing");
    assert_eq!(old["instance"]["missing"], true);

    // old-demo comes back: the flag is cleared, nothing was deleted or duplicated.
    drop(server);
    let server = Server::manager(Some(CANARY), manager(true));
    env.run(&["host", "edit", "srv1", "--url", &server.url("/index.php")])
        .ok();
    let res = env.run(&["--json", "update-hosts"]).ok().json();
    assert_eq!(
        result(&res, "srv1")["returned"],
        serde_json::json!(["old-demo"]),
        "{res}"
    );
    let old = show(&env, "instance", "old-demo");
    assert_eq!(old["status"], "online");
    assert_eq!(old["instance"]["missing"], false);
    let all = env.run(&["--json", "instance", "list"]).ok().json();
    assert_eq!(all.as_array().map(Vec::len), Some(4));
}

#[test]
fn server_manager_empty_list_flags_nothing() {
    let server = Server::start(None, |hit| {
        match hit.query.get("action").map(String::as_str) {
            None => Reply::fixture("servermanager-server.json"),
            _ => Reply::ok("[]"),
        }
    });
    let env = Env::new();
    env.add_host("srv", "server-manager-v1", &["--url", &server.url("/")]);
    env.add_instance("kept", "server-manager-v1", &["--host", "srv"]);
    let res = env.run(&["--json", "update-hosts"]).ok().json();
    assert_eq!(result(&res, "srv")["status"], "error");
    assert!(
        result(&res, "srv")["message"]
            .as_str()
            .unwrap_or("")
            .contains("no instances"),
        "{res}"
    );
    assert_eq!(show(&env, "instance", "kept")["status"], "unknown");
}

#[test]
fn faults_give_the_right_status_and_the_pass_completes() {
    let big = vec![b'x'; 4096];
    let server = Server::start(Some(CANARY), move |hit| match hit.path.as_str() {
        "/empty" => Reply::fixture("error-empty-body.txt"),
        "/html" => Reply::ok("<html><body><h1>Welcome to nginx!</h1></body></html>"),
        "/500" => Reply::Body(500, b"<b>Fatal error</b>: Uncaught Error".to_vec()),
        "/big" => Reply::ok(big.clone()),
        "/noise" => Reply::fixture("serverobserver-legacy-check.txt"),
        "/fresh" => Reply::fixture("instance-empty-modules.json"),
        _ => Reply::Body(404, b"nope".to_vec()),
    });
    let silent = Silent::start();
    let env = Env::new();
    let so = |r: &str, url: String, token: &str| {
        env.add_instance(r, "server-observer-v1", &["--url", &url, "--token", token]);
    };
    so("wrong-token", server.url("/noise"), "not-the-token");
    so("empty", server.url("/empty"), CANARY);
    so("html", server.url("/html"), CANARY);
    so("fivehundred", server.url("/500"), CANARY);
    // Unsigned, on a server without a token: the redirect's target carries no hash.
    let open = Server::start(None, |_| Reply::Redirect(302, "/loop".into()));
    env.add_instance("loop", "server-observer-v1", &["--url", &open.url("/loop")]);
    so("big", server.url("/big"), CANARY);
    so("noise", server.url("/noise"), CANARY);
    so("fresh", server.url("/fresh"), CANARY);
    so("hang", format!("{}/", silent.base), CANARY);
    so("refused", refused_url(), CANARY);
    let run = env.run(&[
        "--json",
        "update-instances",
        "--timeout",
        "700ms",
        "--max-answer-size",
        "1K",
        "--jobs",
        "4",
    ]);
    let res = run.ok().json();
    let expect = [
        ("wrong-token", "error", "token"),
        ("empty", "error", "empty"),
        ("html", "error", "Welcome to nginx"),
        ("fivehundred", "offline", "500"),
        ("loop", "error", "redirect"),
        ("big", "error", "larger than"),
        ("hang", "offline", "timed out"),
        ("refused", "offline", "refused"),
    ];
    for (r, status, needle) in expect {
        let got = result(&res, r);
        assert_eq!(got["status"], status, "{r}: {got}");
        let msg = got["message"].as_str().unwrap_or("");
        assert!(
            msg.to_lowercase().contains(&needle.to_lowercase()),
            "{r}: message {msg:?} lacks {needle:?}"
        );
    }
    // "noise" holds over 1 KiB, so it is cut by the cap here; check it (and `[]` modules) without.
    let res = env
        .run(&[
            "--json",
            "update-instances",
            "--ref",
            "noise",
            "--ref",
            "fresh",
        ])
        .ok()
        .json();
    assert_eq!(result(&res, "noise")["status"], "online", "{res}");
    assert_eq!(result(&res, "fresh")["status"], "online", "{res}");
}

#[test]
fn custom_probes_succeed_fail_and_hang() {
    let env = Env::new();
    let out = env.path().join("out.json");
    std::fs::write(&out, fixture("custom-probe-output.json")).expect("write");
    let stdin_copy = env.path().join("stdin.json");
    let ok_script = format!("cat > '{}'; cat '{}'", stdin_copy.display(), out.display());
    env.run_with_stdin(
        &[
            "instance",
            "add",
            "cloud",
            "--api",
            "custom",
            "--token-stdin",
            "--probe",
            "/bin/sh",
            "-c",
            &ok_script,
        ],
        CANARY,
    )
    .ok();
    env.add_instance(
        "fails",
        "custom",
        &[
            "--probe",
            "/bin/sh",
            "-c",
            "echo 'database unreachable' >&2; exit 3",
        ],
    );
    env.add_instance("hangs", "custom", &["--probe", "/bin/sleep", "30"]);
    env.add_instance("garbage", "custom", &["--probe", "/bin/echo", "not json"]);
    let res = env
        .run(&["--json", "update-instances", "--timeout", "1s"])
        .ok()
        .json();
    assert_eq!(result(&res, "cloud")["status"], "online", "{res}");
    assert_eq!(result(&res, "fails")["status"], "error");
    assert!(
        result(&res, "fails")["message"]
            .as_str()
            .unwrap_or("")
            .contains("database unreachable"),
        "{res}"
    );
    assert_eq!(result(&res, "hangs")["status"], "error");
    assert_eq!(result(&res, "garbage")["status"], "error");

    let cloud = show(&env, "instance", "cloud");
    assert_eq!(cloud["instance"]["dolibarr_version"], "29.0.4");
    assert_eq!(cloud["disk_used_bytes"], 96_636_764_160_i64);
    assert_eq!(cloud["disk_total_bytes"], 214_748_364_800_i64);
    assert_eq!(cloud["modules"].as_array().map(Vec::len), Some(2));
    // The probe got its token on stdin, and only there.
    let sent: Value =
        serde_json::from_slice(&std::fs::read(&stdin_copy).expect("stdin copy")).expect("json");
    assert_eq!(sent["ref"], "cloud");
    assert_eq!(sent["kind"], "instance");
    assert_eq!(sent["token"], CANARY);
}

#[test]
fn a_timed_out_probe_takes_what_it_started_with_it() {
    let env = Env::new();
    let pid_file = env.path().join("child.pid");
    let script = format!("sleep 60 & echo $! > '{}'; wait", pid_file.display());
    env.add_instance("spawns", "custom", &["--probe", "/bin/sh", "-c", &script]);
    let res = env
        .run(&["--json", "update-instances", "--timeout", "1s"])
        .ok()
        .json();
    assert_eq!(result(&res, "spawns")["status"], "error", "{res}");
    let pid = std::fs::read_to_string(&pid_file).expect("the probe wrote its child's pid");
    let pid = pid.trim();
    assert!(!pid.is_empty());
    assert!(gone(pid), "the probe's child {pid} outlived the pass");
}

#[test]
fn a_second_pass_exits_75_and_touches_nothing() {
    let env = Env::sqlite();
    env.add_instance("a", "ping", &["--url", &refused_url()]);
    let before = env.db_bytes();
    let lock_path = format!("{}.update-instances.lock", env.db.display());
    let lock = File::create(&lock_path).expect("lock file");
    lock.try_lock()
        .expect("take the lock as a running pass would");
    let run = env.run(&["update-instances"]).fails(75, "still running");
    assert!(run.stdout.is_empty());
    assert_eq!(env.db_bytes(), before);
    drop(lock);
    env.run(&["update-instances"]).ok();
}

#[test]
fn disabled_records_are_never_polled() {
    // Each record has a server of its own: the enabled one is asked once, by the first pass;
    // the disabled one never, not even when named by --ref. Both checked when dropped.
    let on = Server::start(None, |_| Reply::ok("ok")).expect_hits(1);
    let off = Server::start(None, |_| Reply::ok("ok")).expect_no_hits();
    let env = Env::new();
    env.add_instance("on", "ping", &["--url", &on.url("/on")]);
    env.add_instance("off", "ping", &["--url", &off.url("/off"), "--disabled"]);
    env.run(&["update-instances"]).ok();
    env.run(&["update-instances", "--ref", "off"]).ok();
    assert_eq!(show(&env, "instance", "off")["status"], "unknown");
    assert_eq!(show(&env, "instance", "on")["status"], "online");

    let dry = env
        .run(&["--json", "update-instances", "--dry-run"])
        .ok()
        .json();
    let refs: Vec<&Value> = dry
        .as_array()
        .expect("array")
        .iter()
        .map(|r| &r["ref"])
        .collect();
    assert_eq!(refs, [&Value::from("on")], "{dry}");
}

#[test]
fn fail_on_down_exits_3_and_no_secret_is_printed() {
    let server = Server::start(Some(CANARY), |_| {
        Reply::fixture("webobserver-instance.json")
    });
    let env = Env::new();
    env.add_instance(
        "good",
        "server-observer-v1",
        &["--url", &server.url("/x"), "--token", CANARY],
    );
    env.add_instance(
        "bad",
        "server-observer-v1",
        &[
            "--url",
            &format!("{}?a=1", refused_url()),
            "--token",
            CANARY,
        ],
    );
    let run = env.run(&["-v", "update-instances", "--fail-on-down"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let json = env.run(&["--json", "update-instances"]).ok();
    for hit in server.hits() {
        let h = hit.query.get("hash").expect("hash sent");
        for text in [&run.stdout, &run.stderr, &json.stdout, &json.stderr] {
            assert!(!text.contains(h.as_str()), "a hash was printed");
        }
    }
    env.run(&["update-instances", "--fail-on-down", "--ref", "good"])
        .ok();
    // As cron runs it: quiet, yet the records that are down are named, one line each, so
    // that the mail cron sends says what.
    let quiet = env.run(&["-q", "update-instances", "--fail-on-down"]);
    assert_eq!(quiet.code, 3);
    let lines: Vec<&str> = quiet.stdout.lines().collect();
    assert_eq!(
        lines,
        ["instance bad offline: connection refused"],
        "{}",
        quiet.stdout
    );
}
