//! Server-manager hosts at scale, against a real HTTP server in the test: the per-server limit
//! on concurrent requests, one fetch of each instance per cron cycle, and what ATM's real
//! scripts showed (a disk kept when the list fails, one module identity, the messages).

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::server::{Hit, Reply, Server, fixture};
use crate::support::{CANARY, Env};

fn show(env: &Env, kind: &str, r: &str) -> Value {
    env.run(&["--json", kind, "show", r]).ok().json()
}

fn result<'a>(results: &'a Value, r: &str) -> &'a Value {
    results
        .as_array()
        .and_then(|a| a.iter().find(|x| x["ref"] == r))
        .unwrap_or_else(|| panic!("no result for {r} in {results}"))
}

fn action(hit: &Hit) -> Option<&str> {
    hit.query.get("action").map(String::as_str)
}

fn instance_name(hit: &Hit) -> Option<&str> {
    hit.query.get("instance_name").map(String::as_str)
}

/// Requests being answered at once, and the most seen.
#[derive(Default)]
struct Concurrency {
    state: Mutex<(usize, usize)>,
    more: Condvar,
}

impl Concurrency {
    /// Answers a request slowly (the fault: a loaded server), noting the most at once: each is
    /// held 250 ms, or until more than `limit` are being answered (then the limit is broken,
    /// and nothing is gained by holding them).
    fn hold(&self, limit: usize) {
        let mut state = self.state.lock().expect("state");
        state.0 += 1;
        state.1 = state.1.max(state.0);
        self.more.notify_all();
        let (mut state, _) = self
            .more
            .wait_timeout_while(state, Duration::from_millis(250), |s| s.1 <= limit)
            .expect("state");
        state.0 -= 1;
    }

    fn most(&self) -> usize {
        self.state.lock().expect("state").1
    }
}

/// A server-manager script listing `n` instances, each read answered slowly: a pass that
/// respects `limit` has that many at once, never more.
fn crowded_server(n: usize, limit: usize) -> (Server, Arc<Concurrency>) {
    let seen = Arc::new(Concurrency::default());
    let names: Vec<String> = (0..n).map(|i| format!("\"shop{i:02}\"")).collect();
    let list = format!("[{}]", names.join(","));
    let held = seen.clone();
    let server = Server::manager(Some(CANARY), move |hit| match action(hit) {
        None => Reply::fixture("servermanager-server.json"),
        Some("get-all-instance") => Reply::ok(list.clone()),
        Some("get-info-instance") => {
            held.hold(limit);
            Reply::fixture("servermanager-instance-garage-lefebvre.json")
        }
        _ => Reply::ok("Missing instance name"),
    });
    (server, seen)
}

fn add_manager(env: &Env, reference: &str, url: &str) {
    env.run_with_stdin(
        &[
            "host",
            "add",
            reference,
            "--api",
            "server-manager-v1",
            "--url",
            url,
            "--token-stdin",
        ],
        CANARY,
    )
    .ok();
}

#[test]
fn update_hosts_reads_new_instances_per_host_jobs_at_once() {
    // 12 new instances, 3 at once, on a pool of 16.
    let (server, seen) = crowded_server(12, 3);
    let env = Env::new();
    add_manager(&env, "srv", &server.url("/index.php"));
    let res = env
        .run(&[
            "--json",
            "update-hosts",
            "--jobs",
            "16",
            "--per-host-jobs",
            "3",
        ])
        .ok()
        .json();
    let srv = result(&res, "srv");
    assert_eq!(srv["status"], "online", "{res}");
    assert_eq!(srv["created"].as_array().map(Vec::len), Some(12), "{res}");
    assert_eq!(seen.most(), 3, "reads at once by update-hosts");
}

#[test]
fn update_instances_sends_one_server_no_more_than_its_share() {
    // 12 instances of one server on a pool of 16: the default share is 4 at once.
    let (server, seen) = crowded_server(12, 4);
    let env = Env::new();
    add_manager(&env, "srv", &server.url("/index.php"));
    for i in 0..12 {
        env.add_instance(
            &format!("shop{i:02}"),
            "server-manager-v1",
            &["--host", "srv"],
        );
    }
    let res = env
        .run(&["--json", "update-instances", "--jobs", "16"])
        .ok()
        .json();
    assert_eq!(res.as_array().map(Vec::len), Some(12), "{res}");
    assert!(
        res.as_array()
            .into_iter()
            .flatten()
            .all(|r| r["status"] == "online"),
        "{res}"
    );
    assert_eq!(seen.most(), 4, "reads at once by update-instances");
}

/// A server-manager script answering the fixtures; old-demo has no Dolibarr (yet).
fn fixture_server(old_demo_alive: bool) -> Server {
    Server::manager(Some(CANARY), move |hit| {
        match (action(hit), instance_name(hit)) {
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
    })
}

/// How many times each instance was read since `from` requests.
fn reads_per_name(server: &Server, from: usize) -> HashMap<String, usize> {
    let mut reads = HashMap::new();
    for hit in server.hits().iter().skip(from) {
        if action(hit) == Some("get-info-instance")
            && let Some(name) = instance_name(hit)
        {
            *reads.entry(name.to_string()).or_default() += 1;
        }
    }
    reads
}

#[test]
fn each_instance_is_fetched_once_per_cron_cycle() {
    let server = fixture_server(false);
    let env = Env::new();
    add_manager(&env, "srv1", &server.url("/index.php"));
    // The first cycle discovers: update-hosts reads the new instances.
    env.run(&["--json", "update-hosts"]).ok();
    env.run(&["--json", "update-instances"]).ok();
    let created = ["boulangerie-martin", "cabinet-durand", "garage-lefebvre"];
    for r in created {
        assert_eq!(show(&env, "instance", r)["instance"]["host"], "srv1");
    }

    // A steady cycle: update-hosts lists, update-instances reads each once.
    let before = server.hits().len();
    let hosts = env.run(&["--json", "update-hosts"]).ok().json();
    let srv = result(&hosts, "srv1");
    assert_eq!(srv["status"], "online", "{hosts}");
    let message = srv["message"].as_str().unwrap_or("");
    assert!(
        message.contains("4 instances listed, 3 already known"),
        "{message}"
    );
    assert_eq!(
        reads_per_name(&server, before).get("old-demo"),
        Some(&1),
        "not created: read again"
    );
    let instances = env.run(&["--json", "update-instances"]).ok().json();
    assert_eq!(instances.as_array().map(Vec::len), Some(3), "{instances}");
    let reads = reads_per_name(&server, before);
    for r in created {
        assert_eq!(
            reads.get(r),
            Some(&1),
            "{r} read {:?} times in a cycle",
            reads.get(r)
        );
    }
    // The host's own requests: its document and its list, once each.
    let own = server
        .hits()
        .iter()
        .skip(before)
        .filter(|h| action(h) != Some("get-info-instance"))
        .count();
    assert_eq!(own, 2);
}

#[test]
fn a_failing_list_keeps_the_disk_its_server_document_gave() {
    for list_answer in ["Missing config file", "Invalid hash"] {
        let server = Server::manager(None, move |hit| match action(hit) {
            None => Reply::fixture("servermanager-server.json"),
            _ => Reply::ok(list_answer),
        });
        let env = Env::new();
        add_manager(&env, "srv", &server.url("/index.php"));
        let res = env.run(&["--json", "update-hosts"]).ok().json();
        let srv = result(&res, "srv");
        assert_eq!(srv["status"], "error", "{res}");
        let host = show(&env, "host", "srv");
        assert_eq!(
            host["disk_total_bytes"], 527_371_075_584_i64,
            "{list_answer}: {host}"
        );
        assert_eq!(
            host["disk_used_bytes"], 408_728_190_976_i64,
            "{list_answer}: {host}"
        );
    }
}

#[test]
fn a_wrong_token_on_the_server_script_does_not_blame_the_clock() {
    let server = fixture_server(true);
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
        "not-the-token",
    )
    .ok();
    env.add_instance("garage-lefebvre", "server-manager-v1", &["--host", "srv1"]);
    let hosts = env.run(&["--json", "update-hosts"]).ok().json();
    let instances = env.run(&["--json", "update-instances"]).ok().json();
    // The instance, asked through its host in error, is down with it.
    for (res, r, status) in [
        (&hosts, "srv1", "error"),
        (&instances, "garage-lefebvre", "unreachable"),
    ] {
        let got = result(res, r);
        assert_eq!(got["status"], status, "{res}");
        let message = got["message"].as_str().unwrap_or("");
        assert!(message.contains("token is wrong"), "{r}: {message}");
        assert!(!message.contains("clock"), "{r}: {message}");
    }
}

#[test]
fn a_listed_folder_without_dolibarr_is_not_no_longer_listed() {
    let server = fixture_server(false);
    let env = Env::new();
    add_manager(&env, "srv1", &server.url("/index.php"));
    env.add_instance("old-demo", "server-manager-v1", &["--host", "srv1"]);
    // update-instances finds its folder without Dolibarr; update-hosts, reading it as a
    // missing one that may be back, finds the same.
    env.run(&["--json", "update-instances"]).ok();
    assert_eq!(show(&env, "instance", "old-demo")["status"], "missing");
    env.run(&["--json", "update-hosts"]).ok();
    let old = show(&env, "instance", "old-demo");
    assert_eq!(old["status"], "missing", "{old}");
    let message = old["message"].as_str().unwrap_or("");
    assert!(!message.contains("no longer listed"), "{message}");
    assert!(message.contains("no Dolibarr"), "{message}");
}

#[test]
fn a_prefixed_ref_is_named_in_the_pass() {
    let server = fixture_server(false);
    let env = Env::new();
    add_manager(&env, "srv1", &server.url("/index.php"));
    // Another site took the name first.
    env.add_instance("garage-lefebvre", "ping", &["--url", &server.url("/other")]);
    let res = env.run(&["--json", "update-hosts"]).ok().json();
    let created = &result(&res, "srv1")["created"];
    assert!(
        created
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c == "srv1.garage-lefebvre"),
        "{created}"
    );
    assert_eq!(
        show(&env, "instance", "srv1.garage-lefebvre")["instance"]["host"],
        "srv1"
    );
    // And in words, on a later discovery (a new server listing the same name).
    let again = fixture_server(false);
    add_manager(&env, "srv2", &again.url("/index.php"));
    let run = env.run(&["update-hosts", "--ref", "srv2"]).ok();
    assert!(
        run.stderr.contains("srv2.garage-lefebvre") || run.stdout.contains("srv2.garage-lefebvre"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn one_module_whatever_the_script_spells_it() {
    // The 2018 legacy check.php names its active modules; a newer script sends the class.
    let legacy = String::from_utf8(fixture("serverobserver-legacy-2018-check.json"))
        .expect("utf-8")
        .replace("\"User\"]", "\"User\",\"Serverobserver\"]");
    let newer = String::from_utf8(fixture("webobserver-instance.json"))
        .expect("utf-8")
        .replace("\"modWebObserver\"", "\"modserverObserver\"");
    assert!(newer.contains("modserverObserver"), "the fixture changed");
    let server = Server::start(None, move |hit| match hit.path.as_str() {
        "/legacy" => Reply::ok(legacy.clone()),
        _ => Reply::ok(newer.clone()),
    });
    let env = Env::new();
    env.add_instance(
        "old-shop",
        "server-observer-v1",
        &["--url", &server.url("/legacy")],
    );
    env.add_instance(
        "new-shop",
        "server-observer-v1",
        &["--url", &server.url("/newer")],
    );
    let res = env.run(&["--json", "update-instances"]).ok().json();
    assert_eq!(result(&res, "old-shop")["status"], "online", "{res}");
    assert_eq!(result(&res, "new-shop")["status"], "online", "{res}");

    let grouped = env
        .run(&["--json", "modules", "--name", "serverobserver"])
        .ok()
        .json();
    let groups = grouped.as_array().expect("groups");
    assert_eq!(groups.len(), 1, "{grouped}");
    let flat = env
        .run(&["--json", "modules", "--flat", "--name", "serverobserver"])
        .ok()
        .json();
    let names: Vec<&str> = flat
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["module"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{flat}");
    assert!(names.iter().all(|n| *n == names[0]), "{flat}");
}
