//! `--on-change` hooks: one run per change, thresholds against flapping, reminders, stored
//! settings, and a hanging hook that cannot stall the pass. Also: no progress bar in a pipe.

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::server::{Reply, Server};
use crate::support::{Env, gone, now};

/// A server answering per path, switchable between passes.
fn server() -> (Server, Arc<Mutex<Vec<String>>>) {
    let down: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let d = down.clone();
    let server = Server::start(None, move |hit| {
        if d.lock().expect("down").contains(&hit.path) {
            Reply::Body(503, b"maintenance".to_vec())
        } else {
            Reply::ok("ok")
        }
    });
    (server, down)
}

/// A hook that writes its stdin and two of its variables to a file of its own in `dir`
/// (hooks run in parallel: one shared file would interleave).
fn recorder(env: &Env) -> (Vec<String>, std::path::PathBuf) {
    let dir = env.path().join("events");
    std::fs::create_dir_all(&dir).expect("events dir");
    let script = format!(
        "f=$(mktemp '{0}/event.XXXXXX'); cat > \"$f\"; printf ' %s %s' \"$WEBHOST_REF\" \"$WEBHOST_TO\" >> \"$f\"",
        dir.display()
    );
    (vec!["/bin/sh".into(), "-c".into(), script], dir)
}

/// The events the hook received: (JSON on stdin, the WEBHOST_REF/TO it saw), oldest file first.
fn events(dir: &std::path::Path) -> Vec<(Value, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let end = text.rfind('}').map_or(0, |i| i + 1);
            let json = serde_json::from_str(&text[..end]).expect("event JSON");
            (json, text[end..].trim().to_string())
        })
        .collect()
}

fn pass(env: &Env, hook: &[String], extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["update-instances"];
    args.extend_from_slice(extra);
    args.push("--on-change");
    args.extend(hook.iter().map(String::as_str));
    env.run(&args).ok()
}

#[test]
fn the_hook_receives_exactly_the_changes() {
    let (server, down) = server();
    let env = Env::new();
    env.add_instance("a", "ping", &["--url", &server.url("/a")]);
    env.add_instance("b", "ping", &["--url", &server.url("/b")]);
    let (hook, log) = recorder(&env);

    down.lock().expect("down").push("/b".into());
    let run = pass(&env, &hook, &[]);
    assert!(run.stdout.contains("1 alert sent"), "{}", run.stdout);
    // a coming up from "never checked" is the baseline, not news.
    let got = events(&log);
    assert_eq!(got.len(), 1);
    let (e, vars) = &got[0];
    assert_eq!(e["ref"], "b");
    assert_eq!(e["kind"], "instance");
    assert_eq!(e["from"], "unknown");
    assert_eq!(e["to"], "offline");
    assert_eq!(e["url"], server.url("/b"));
    assert_eq!(e["reminder"], false);
    assert!(e["message"].as_str().unwrap_or("").contains("503"));
    assert!(e["at"].as_str().unwrap_or("").ends_with('Z'));
    assert_eq!(vars, "b offline");

    // Nothing changed: nothing sent.
    pass(&env, &hook, &[]);
    assert_eq!(events(&log).len(), 1);

    // Quiet, as from cron: the pass keeps only the results with alerts, and still sends them.
    *down.lock().expect("down") = vec!["/a".into()];
    let run = pass(&env, &hook, &["-q"]);
    assert_eq!(run.stdout, "");
    let got = events(&log);
    let mut changes: Vec<String> = got
        .iter()
        .filter(|(e, _)| e["ref"] != "b" || e["to"] != "offline")
        .map(|(e, _)| {
            format!(
                "{} {}>{}",
                e["ref"].as_str().unwrap_or(""),
                e["from"].as_str().unwrap_or(""),
                e["to"].as_str().unwrap_or("")
            )
        })
        .collect();
    changes.sort();
    assert_eq!(changes, ["a online>offline", "b offline>online"]);
}

#[test]
fn thresholds_and_reminders_survive_between_runs() {
    let (server, down) = server();
    let env = Env::new();
    env.add_instance("a", "ping", &["--url", &server.url("/a")]);
    // Stored once, used by every pass.
    let (hook, log) = recorder(&env);
    let mut set = vec!["config", "set", "on-change"];
    set.extend(hook.iter().map(String::as_str));
    env.run(&set).ok();
    env.run(&["config", "set", "failure-threshold", "2"]).ok();
    env.run(&["config", "set", "failure-threshold", "zero"])
        .fails(2, "whole number");
    let listed = env.run(&["--json", "config", "list"]).ok().json();
    assert_eq!(listed["failure-threshold"], "2");

    let t = now();
    env.run_at(t, &["update-instances"]).ok();
    down.lock().expect("down").push("/a".into());
    env.run_at(t, &["update-instances"]).ok();
    assert!(
        events(&log).is_empty(),
        "one failure is below the threshold of 2"
    );
    env.run_at(t, &["update-instances"]).ok();
    let got = events(&log);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0["from"], "online");
    assert_eq!(got[0].0["to"], "offline");

    // Still down: a reminder once the last alert is older than --remind-every.
    let remind = ["update-instances", "--remind-every", "1h"];
    env.run_at(t, &remind).ok();
    assert_eq!(events(&log).len(), 1);
    env.run_at(t + 7200, &remind).ok();
    let got = events(&log);
    assert_eq!(got.len(), 2);
    let reminders: Vec<&Value> = got
        .iter()
        .map(|g| &g.0)
        .filter(|e| e["reminder"] == true)
        .collect();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0]["to"], "offline");
}

#[test]
fn a_hanging_or_failing_hook_never_fails_the_pass() {
    let (server, down) = server();
    let env = Env::sqlite();
    env.add_instance("a", "ping", &["--url", &server.url("/a")]);
    down.lock().expect("down").push("/a".into());
    // A hook that starts a 30 s sleep and waits for it, after writing down both pids.
    let pids = env.path().join("hook.pids");
    let hang = [
        "/bin/sh".to_string(),
        "-c".to_string(),
        format!("sleep 30 & echo $$ $! > '{}'; wait", pids.display()),
    ];
    let run = pass(&env, &hang, &["--hook-timeout", "1s"]);
    // Killed at its 1 s --hook-timeout, and what it started with it: when the pass is over,
    // neither the hook nor its sleep runs. A pass that waited for the hook would have seen it
    // end with its sleep, not killed.
    assert!(
        run.stderr
            .contains("change hook failed for a: killed after 1 s"),
        "{}",
        run.stderr
    );
    let pids = std::fs::read_to_string(&pids).expect("the hook wrote its pids");
    let pids: Vec<&str> = pids.split_whitespace().collect();
    assert_eq!(pids.len(), 2, "{pids:?}");
    for pid in pids {
        assert!(gone(pid), "{pid}, of the hook, outlived the pass");
    }
    assert!(run.stdout.contains("1 hook run failed"), "{}", run.stdout);
    assert_eq!(
        env.run(&["--json", "instance", "show", "a"]).ok().json()["status"],
        "offline"
    );

    env.sql()
        .execute("UPDATE instances SET alerted_status = NULL", [])
        .expect("reset alert");
    let fail = [
        "/bin/sh".to_string(),
        "-c".to_string(),
        "echo 'smtp refused' >&2; exit 4".to_string(),
    ];
    let run = pass(&env, &fail, &["--json", "--hook-timeout", "1s"]);
    assert!(run.stderr.contains("smtp refused"), "{}", run.stderr);
    // The first alert failed, so it is tried again (with its own hook) beside the new one.
    let errors = run.json()[0]["hook_errors"].clone();
    let errors: Vec<&str> = errors
        .as_array()
        .expect("hook errors")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("killed after 1 s")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("smtp refused")),
        "{errors:?}"
    );
}

#[test]
fn no_progress_output_when_stderr_is_not_a_terminal() {
    let (server, _) = server();
    let env = Env::new();
    env.add_instance("a", "ping", &["--url", &server.url("/a")]);
    let run = env.run(&["update-instances"]).ok();
    assert_eq!(run.stderr, "", "stderr is a pipe here: no progress line");
}
