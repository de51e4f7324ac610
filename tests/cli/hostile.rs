//! Alerts that are never lost, passes that stop cleanly on a signal, and messages that tell the
//! truth about servers that misbehave on purpose.

use std::io::{Read, Write};
use std::process::Stdio;

use serde_json::Value;

use crate::server::{Raw, Reply, Server, read_head, refused_url};
use crate::support::{Env, gone, now};

/// A hook that appends its stdin, then a newline, to `file`, and exits with what `status`
/// holds (0 when it does not exist).
fn hook(file: &std::path::Path, status: &std::path::Path) -> Vec<String> {
    vec![
        "/bin/sh".into(),
        "-c".into(),
        format!(
            "cat >> '{0}'; echo >> '{0}'; exit $(cat '{1}' 2>/dev/null || echo 0)",
            file.display(),
            status.display()
        ),
    ]
}

fn lines(file: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn pass_with(env: &Env, hook: &[String], extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["update-instances"];
    args.extend_from_slice(extra);
    args.push("--on-change");
    args.extend(hook.iter().map(String::as_str));
    env.run(&args)
}

#[test]
fn a_failed_hook_is_tried_again_by_the_next_pass() {
    let server = Server::start(None, |_| Reply::Body(503, b"down".to_vec()));
    let env = Env::new();
    env.add_instance("a", "ping", &["--url", &server.url("/a")]);
    let (log, status) = (env.path().join("log"), env.path().join("status"));
    let hook = hook(&log, &status);
    std::fs::write(&status, "3").expect("status");
    let first = pass_with(&env, &hook, &[]).ok();
    assert!(
        first
            .stderr
            .contains("change hook failed for a: exit status: 3 (attempt 1 of 5"),
        "{}",
        first.stderr
    );
    assert_eq!(lines(&log).len(), 1, "tried once");
    // Nothing changed since, and the hook works again: the alert it missed is delivered.
    std::fs::write(&status, "0").expect("status");
    let second = pass_with(&env, &hook, &[]).ok();
    assert!(
        second.stdout.contains("1 alert sent (1 of them retried)"),
        "{}",
        second.stdout
    );
    let got = lines(&log);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], got[1], "the same event, twice");
    let event: Value = serde_json::from_str(&got[1]).expect("event JSON");
    assert_eq!(
        (event["ref"].as_str(), event["to"].as_str()),
        (Some("a"), Some("offline"))
    );
    // Delivered: no third time.
    pass_with(&env, &hook, &[]).ok();
    assert_eq!(lines(&log).len(), 2);
}

#[test]
fn a_hook_that_never_works_is_given_up_after_five_tries() {
    let server = Server::start(None, |_| Reply::Body(503, b"down".to_vec()));
    let env = Env::new();
    env.add_instance("a", "ping", &["--url", &server.url("/a")]);
    let (log, status) = (env.path().join("log"), env.path().join("status"));
    std::fs::write(&status, "1").expect("status");
    let hook = hook(&log, &status);
    let mut last = String::new();
    for _ in 0..6 {
        last = pass_with(&env, &hook, &[]).ok().stderr;
    }
    assert_eq!(lines(&log).len(), 5, "five tries, then no more");
    assert_eq!(last, "", "the sixth pass has nothing left to deliver");
}

#[test]
fn a_message_with_a_nul_byte_still_reaches_the_hook() {
    let env = Env::new();
    // A custom probe whose message holds a NUL (as JSON allows): no environment can hold it.
    let probe = env.path().join("probe.sh");
    std::fs::write(
        &probe,
        "#!/bin/sh\nprintf '{\"status\":\"offline\",\"message\":\"bad\\\\u0000byte\"}'\n",
    )
    .expect("probe");
    std::fs::set_permissions(&probe, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    env.add_instance("c", "custom", &["--probe", &probe.display().to_string()]);
    let seen = env.path().join("seen");
    let hook = vec![
        "/bin/sh".to_string(),
        "-c".to_string(),
        format!("printf '%s' \"$WEBHOST_MESSAGE\" > '{}'", seen.display()),
    ];
    let run = pass_with(&env, &hook, &[]).ok();
    assert!(run.stdout.contains("1 alert sent"), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(&seen).expect("the hook started"),
        "bad\u{2400}byte"
    );
}

#[test]
fn an_alert_storm_is_one_hook_run_with_every_event() {
    let server = Server::start(None, |_| Reply::Body(503, b"down".to_vec()));
    let env = Env::new();
    for r in ["a", "b", "c"] {
        env.add_instance(r, "ping", &["--url", &server.url(&format!("/{r}"))]);
    }
    env.run(&["config", "set", "hook-batch", "2"]).ok();
    let runs = env.path().join("runs");
    std::fs::create_dir(&runs).expect("dir");
    let hook = vec![
        "/bin/sh".to_string(),
        "-c".to_string(),
        format!(
            "cat > \"$(mktemp '{}/run.XXXXXX')\"; [ \"$WEBHOST_BATCH\" = 3 ]",
            runs.display()
        ),
    ];
    let run = pass_with(&env, &hook, &[]).ok();
    assert!(run.stdout.contains("3 alerts sent"), "{}", run.stdout);
    let files: Vec<_> = std::fs::read_dir(&runs)
        .expect("runs")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "one run for three changes");
    let batch: Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).expect("read")).expect("JSON");
    let mut refs: Vec<&str> = batch
        .as_array()
        .expect("an array of events")
        .iter()
        .filter_map(|e| e["ref"].as_str())
        .collect();
    refs.sort_unstable();
    assert_eq!(refs, ["a", "b", "c"]);
}

#[test]
fn hooks_run_after_the_pass_lets_go_of_its_lock() {
    let server = Server::start(None, |_| Reply::Body(503, b"down".to_vec()));
    let env = Env::sqlite();
    env.add_instance("a", "ping", &["--url", &server.url("/a")]);
    // The hook starts another pass of the same kind and notes how it ended: 75 would mean the
    // first pass still held its lock while its hooks ran.
    let code = env.path().join("code");
    let hook = vec![
        "/bin/sh".to_string(),
        "-c".to_string(),
        format!(
            "'{}' --db '{}' -q update-instances; echo $? > '{}'",
            env!("CARGO_BIN_EXE_webhost"),
            env.db.display(),
            code.display()
        ),
    ];
    pass_with(&env, &hook, &[]).ok();
    assert_eq!(
        std::fs::read_to_string(&code).expect("the hook ran").trim(),
        "0"
    );
}

#[test]
fn a_signal_stops_the_pass_kills_its_probes_and_keeps_what_finished() {
    let server = Server::start(None, |_| Reply::ok("ok"));
    let env = Env::new();
    env.add_instance("done", "ping", &["--url", &server.url("/")]);
    // A probe that starts a child, says both pids, and hangs.
    let pids = env.path().join("pids");
    let probe = env.path().join("hang.sh");
    std::fs::write(
        &probe,
        format!(
            "#!/bin/sh\nsleep 300 &\necho $$ $! > '{}.tmp'\nmv '{0}.tmp' '{0}'\nwait\n",
            pids.display()
        ),
    )
    .expect("probe");
    std::fs::set_permissions(&probe, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    env.add_instance("hang", "custom", &["--probe", &probe.display().to_string()]);
    for i in 0..20 {
        env.add_instance(&format!("later{i}"), "ping", &["--url", &server.url("/")]);
    }
    // One check at a time: `hang` holds the only worker, so the later ones have not started.
    let mut child = env
        .command(&[
            "--json",
            "update-instances",
            "--jobs",
            "1",
            "--timeout",
            "5m",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !pids.exists() && std::time::Instant::now() < deadline {
        std::thread::yield_now();
    }
    let pids = std::fs::read_to_string(&pids).expect("the probe started");
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .expect("read");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("interrupted by signal 15"), "{stderr}");
    for pid in pids.split_whitespace() {
        assert!(gone(pid), "{pid}, of the probe, outlived the pass");
    }
    // What finished is stored, what had not started is not.
    let results: Value = serde_json::from_str(&stdout).expect("JSON");
    let refs: Vec<&str> = results
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["ref"].as_str())
        .collect();
    assert!(refs.contains(&"done"), "{refs:?}");
    let hang = env.run(&["--json", "instance", "show", "hang"]).ok().json();
    assert_eq!(hang["message"], "probe stopped: webhost was interrupted");
    let later = env
        .run(&["--json", "instance", "show", "later19"])
        .ok()
        .json();
    assert_eq!(
        later["status"], "unknown",
        "a check started after the signal"
    );
    let passes = env.run(&["--json", "status"]).ok().json();
    let pass = passes["passes"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["pass"] == "update-instances").cloned())
        .expect("the pass");
    assert_eq!(pass["interrupted"], true);
    let text = env.run(&["status"]).ok().stdout;
    assert!(text.contains("interrupted"), "{text}");
}

#[test]
fn a_probe_that_leaves_a_child_on_its_output_is_read_when_it_exits() {
    let env = Env::new();
    let pid = env.path().join("child");
    let probe = env.path().join("probe.sh");
    // The background sleep keeps stdout open after the probe exits.
    std::fs::write(
        &probe,
        format!(
            "#!/bin/sh\nprintf '{{\"status\":\"online\",\"message\":\"fine\"}}'\nsleep 300 &\necho $! > '{}'\n",
            pid.display()
        ),
    )
    .expect("probe");
    std::fs::set_permissions(&probe, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    env.add_instance("c", "custom", &["--probe", &probe.display().to_string()]);
    let run = env
        .run(&["--json", "update-instances", "--timeout", "1m"])
        .ok()
        .json();
    assert_eq!(run[0]["status"], "online", "{run}");
    assert_eq!(run[0]["message"], "fine");
    let pid = std::fs::read_to_string(&pid).expect("pid");
    assert!(gone(pid.trim()), "the probe's child outlived it");
}

#[test]
fn a_redirect_to_a_dead_port_is_not_a_dead_network() {
    let env = Env::new();
    let dead = refused_url();
    let servers: Vec<Server> = (0..3)
        .map(|_| {
            let to = format!("{dead}x");
            Server::start(None, move |_| Reply::Redirect(302, to.clone()))
        })
        .collect();
    for (i, s) in servers.iter().enumerate() {
        env.add_instance(&format!("r{i}"), "ping", &["--url", &s.url("/")]);
    }
    let run = env.run(&["--json", "update-instances"]).ok().json();
    let port = dead.trim_end_matches('/').rsplit(':').next().unwrap_or("");
    for r in run.as_array().expect("results") {
        assert_eq!(r["status"], "offline");
        assert_eq!(
            r["message"],
            format!("redirected to http://127.0.0.1:{port}: connection refused")
        );
    }
}

#[test]
fn a_huge_response_header_is_called_so() {
    let raw = Raw::start(|mut socket| {
        if read_head(&mut socket) {
            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nX-Junk: ");
            let junk = vec![b'a'; 1 << 20];
            let _ = socket.write_all(&junk);
            let _ = socket.write_all(b"\r\nContent-Length: 2\r\n\r\nok");
        }
    });
    let env = Env::new();
    env.add_instance("h", "ping", &["--url", &raw.url("/")]);
    let run = env.run(&["--json", "update-instances"]).ok().json();
    assert_eq!(run[0]["message"], "response headers too large", "{run}");
}

#[test]
fn the_last_pass_is_the_last_one_run_whatever_the_clock_said() {
    let server = Server::start(None, |_| Reply::ok("ok"));
    let env = Env::new();
    env.add_instance("a", "ping", &["--url", &server.url("/")]);
    let t = now();
    // A clock a day ahead, then put right; cron stops an hour later.
    env.run_at(t + 86_400, &["update-instances"]).ok();
    env.run_at(t, &["update-instances"]).ok();
    let status = env.run_at(t + 3 * 3600, &["--json", "status"]).ok().json();
    let pass = status["passes"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["pass"] == "update-instances").cloned())
        .expect("the pass");
    assert_eq!(pass["age_seconds"], 3 * 3600);
    assert_eq!(pass["stale"], true);
    // Uptime over the step stays a share of the time watched.
    let show = env
        .run_at(t + 3 * 3600, &["--json", "instance", "show", "a"])
        .ok()
        .json();
    let day = show["uptime"]["day"].as_f64().expect("uptime");
    assert!((0.0..=100.0).contains(&day), "{day}");
}

#[test]
fn the_example_hook_posts_valid_json_whatever_the_server_said() {
    // A server whose error page tries to close the JSON string and add keys of its own.
    let server = Server::start(None, |_| {
        Reply::Body(503, br#"oops", "injected": "yes", "x": "\"#.to_vec())
    });
    let env = Env::new();
    // An observer record: its message quotes the error page.
    env.add_instance("shop", "server-observer-v1", &["--url", &server.url("/")]);
    // A curl that keeps what it was asked to post.
    let bin = env.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let posted = env.path().join("posted.json");
    let curl = bin.join("curl");
    std::fs::write(&curl, format!("#!/bin/sh\ncat > '{}'\n", posted.display())).expect("curl");
    std::fs::set_permissions(&curl, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/notify-mail.sh");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = env
        .command(&["update-instances", "--on-change", example])
        .env("PATH", path)
        .env("WEBHOOK_URL", "http://127.0.0.1:9/hook")
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 alert sent"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body: Value =
        serde_json::from_str(&std::fs::read_to_string(&posted).expect("posted")).expect("JSON");
    let object = body.as_object().expect("an object");
    assert_eq!(object.keys().collect::<Vec<_>>(), ["text"], "{body}");
    let text = body["text"].as_str().expect("text");
    assert!(
        text.starts_with("instance shop: unknown -> offline: HTTP 503"),
        "{text}"
    );
    assert!(
        text.contains(r#""injected": "yes""#),
        "the server's text is kept, as text"
    );
}

#[test]
fn a_stalled_https_site_gets_no_second_timeout_for_its_certificate() {
    // Accepts connections and never says a word: the check waits its whole timeout. The
    // certificate's handshake would have opened a second connection and waited again.
    let silent = crate::server::Silent::start();
    let env = Env::new();
    let url = silent.base.replacen("http://", "https://", 1) + "/";
    env.add_instance("stalled", "ping", &["--url", &url]);
    let run = env
        .run(&["--json", "update-instances", "--timeout", "1s"])
        .ok()
        .json();
    assert_eq!(run[0]["message"], "timed out after 1 s");
    assert_eq!(silent.connections(), 1, "one connection: the check's own");
}

#[test]
fn a_megabyte_version_is_kept_short_in_the_record_and_every_check() {
    let doc = String::from_utf8(crate::server::fixture("webobserver-instance.json"))
        .expect("UTF-8")
        .replacen("\"18.0.4\"", &format!("\"{}\"", "9".repeat(1 << 20)), 1);
    let server = Server::start(None, move |_| Reply::ok(doc.clone()));
    let env = Env::sqlite();
    env.add_instance("big", "server-observer-v1", &["--url", &server.url("/")]);
    env.run(&["update-instances"]).ok();
    let show = env.run(&["--json", "instance", "show", "big"]).ok().json();
    let version = show["instance"]["dolibarr_version"]
        .as_str()
        .expect("version");
    assert_eq!(version.chars().count(), 256, "cut");
    assert!(version.ends_with('…'), "and says so");
    let longest: i64 = env
        .sql()
        .query_row("SELECT max(length(message)) FROM checks", [], |r| r.get(0))
        .expect("checks");
    assert!(
        longest <= 1024,
        "a check's message holds {longest} characters"
    );
}

#[test]
fn a_host_check_is_bounded_as_a_whole() {
    // A server listing 10 instances and taking 0.4 s over each. The host's check may take a
    // timeout for its list, then one per round of --per-host-jobs reads: 0.5 s × (1 + 3) = 2 s.
    // With one job, the reads go one after another (4 s): those the budget leaves out are
    // not asked.
    let server = Server::manager(None, |hit| {
        match hit.query.get("action").map(String::as_str) {
            Some("get-all-instance") => {
                let names: Vec<String> = (0..10).map(|i| format!("\"i{i:02}\"")).collect();
                Reply::ok(format!("[{}]", names.join(",")))
            }
            Some("get-info-instance") => {
                // The fault itself (a slow server), not synchronisation.
                std::thread::sleep(std::time::Duration::from_millis(400));
                Reply::fixture("servermanager-instance-garage-lefebvre.json")
            }
            _ => Reply::fixture("servermanager-server.json"),
        }
    });
    let env = Env::new();
    env.add_host(
        "srv",
        "server-manager-v1",
        &["--url", &server.url("/manager.php")],
    );
    let run = env
        .run(&[
            "--json",
            "update-hosts",
            "--timeout",
            "500ms",
            "--jobs",
            "1",
        ])
        .ok()
        .json();
    let asked = server
        .hits()
        .iter()
        .filter(|h| h.query.get("action").map(String::as_str) == Some("get-info-instance"))
        .count();
    assert!(asked <= 6, "{asked} instances asked within a 2 s check");
    let message = run[0]["message"].as_str().expect("message");
    assert!(
        message.contains("not asked (the check used its whole 2 s)"),
        "{message}"
    );
    assert!(
        run[0]["response_ms"].as_u64().is_some_and(|ms| ms >= 2000),
        "{run}"
    );
    // The instances it did not ask about exist, and were not checked.
    let later = env.run(&["--json", "instance", "show", "i09"]).ok().json();
    assert_eq!(later["status"], "unknown");
}
