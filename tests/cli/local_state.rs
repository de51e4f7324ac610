//! The poller's own troubles: its network down, another writer on the database, a database
//! that is read-only, full, or created under a careless umask.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::server::{Reply, Server, Silent, refused_url};
use crate::support::Env;

/// A URL nothing answers at all: the documentation prefix has no route anywhere (the
/// connection times out, or fails at once where there is no IPv6 route).
const BLACK_HOLE: &str = "http://[2001:db8::1]:9/";

/// A hook that appends each event it gets to `hook.log` in the test's folder.
fn logging_hook(env: &Env) -> (std::path::PathBuf, String) {
    let hook_log = env.path().join("hook.log");
    let hook = format!("cat >> '{}'", hook_log.display());
    (hook_log, hook)
}

#[test]
fn a_dead_fleet_on_one_server_alerts() {
    // The common case of a small provider: every instance on one server, which died. Its
    // refusals prove this machine's network works: the records are down, and alert.
    let env = Env::sqlite();
    let refused = refused_url();
    for r in ["a", "b", "c"] {
        env.add_instance(r, "ping", &["--url", &refused]);
    }
    let (hook_log, hook) = logging_hook(&env);
    env.run(&["update-instances", "--on-change", "/bin/sh", "-c", &hook])
        .ok();
    let list = env.run(&["--json", "instance", "list"]).ok().json();
    let statuses: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(statuses, ["offline", "offline", "offline"]);
    let log = std::fs::read_to_string(&hook_log).expect("the hook ran");
    assert_eq!(log.matches("\"to\":\"offline\"").count(), 3, "{log}");
}

#[test]
fn a_pass_where_nothing_answers_blames_the_poller_when_the_reference_fails_too() {
    let env = Env::sqlite();
    for r in ["a", "b", "c"] {
        env.add_instance(r, "ping", &["--url", BLACK_HOLE]);
    }
    env.run(&["config", "set", "connectivity-check", "[2001:db8::2]:9"])
        .ok();
    let (hook_log, hook) = logging_hook(&env);
    env.run(&[
        "update-instances",
        "--timeout",
        "1s",
        "--on-change",
        "/bin/sh",
        "-c",
        &hook,
    ])
    .fails(1, "network looks down");
    // Nothing counted against the records, no alert.
    let list = env.run(&["--json", "instance", "list"]).ok().json();
    assert!(
        list.as_array()
            .expect("list")
            .iter()
            .all(|r| r["status"] == "unknown")
    );
    let conn = env.sql();
    let checks: i64 = conn
        .query_row("SELECT count(*) FROM checks", [], |r| r.get(0))
        .expect("count");
    assert_eq!(checks, 0);
    let flagged: i64 = conn
        .query_row(
            "SELECT poller_offline FROM passes ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("pass row");
    assert_eq!(flagged, 1);
    assert!(
        !hook_log.exists(),
        "an alert fired for the poller's own outage"
    );
    // The reference is configured: status does not warn that there is none.
    let status = env.run(&["status"]).ok().stdout;
    assert!(!status.contains("connectivity check: none"), "{status}");

    // A reference that answers proves the network works: the records are really down.
    let reference = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let reachable = reference.local_addr().expect("addr").to_string();
    env.run(&["config", "set", "connectivity-check", &reachable])
        .ok();
    env.run(&["update-instances", "--timeout", "1s"]).ok();
    let a = env.run(&["--json", "instance", "show", "a"]).ok().json();
    assert_eq!(a["status"], "offline");

    // One record that answers proves it too.
    let env = Env::sqlite();
    for r in ["a", "b", "c"] {
        env.add_instance(r, "ping", &["--url", BLACK_HOLE]);
    }
    let server = Server::start(None, |_| Reply::ok("ok"));
    env.add_instance("d", "ping", &["--url", &server.url("/")]);
    env.run(&["update-instances", "--timeout", "1s"]).ok();
    let a = env.run(&["--json", "instance", "show", "a"]).ok().json();
    assert_eq!(a["status"], "offline");
}

#[test]
fn without_a_reference_status_says_so_and_silence_still_blames_the_poller() {
    let env = Env::sqlite();
    for r in ["a", "b", "c"] {
        env.add_instance(r, "ping", &["--url", BLACK_HOLE]);
    }
    env.run(&["update-instances", "--timeout", "1s"])
        .fails(1, "network looks down");
    let status = env.run(&["status"]).ok().stdout;
    assert!(
        status.contains("connectivity check: none configured"),
        "{status}"
    );
    let json = env.run(&["--json", "status"]).ok().json();
    assert_eq!(json["connectivity_check"], serde_json::json!([]));
}

#[test]
fn another_process_can_write_while_a_pass_waits_on_the_network() {
    let silent = Silent::start();
    let server = Server::start(None, |_| Reply::ok("ok"));
    let env = Env::sqlite();
    env.add_instance("slow", "ping", &["--url", &format!("{}/", silent.base)]);
    env.add_instance("fast", "ping", &["--url", &server.url("/")]);
    let mut pass = Command::new(env!("CARGO_BIN_EXE_webhost"))
        .arg("--db")
        .arg(&env.db)
        .args(["update-instances", "--timeout", "5s"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the pass");
    assert!(
        silent.wait_for_connections(1, Duration::from_secs(20)),
        "the pass never connected"
    );
    // The pass now waits on the network. A writer that found a transaction held across that
    // wait would time out here (2 s is far below the 5 s the pass waits).
    let mut conn = env.sql();
    conn.busy_timeout(Duration::from_secs(2))
        .expect("busy timeout");
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .expect("BEGIN IMMEDIATE while the pass polls");
    tx.execute(
        "INSERT INTO config (key, value) VALUES ('contention-test', 'x')",
        [],
    )
    .expect("write");
    tx.commit().expect("commit");
    let status = pass.wait().expect("pass ends");
    assert!(status.success());
    let fast = env.run(&["--json", "instance", "show", "fast"]).ok().json();
    assert_eq!(fast["status"], "online");
}

#[test]
fn database_files_are_private_even_under_umask_000() {
    let env = Env::sqlite();
    env.create_empty_db();
    // Hold a connection so the -wal and -shm files outlive the binary's run.
    let held = env.sql();
    held.query_row("SELECT count(*) FROM hosts", [], |r| r.get::<_, i64>(0))
        .expect("read");
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(
            "umask 000; exec '{}' --db '{}' instance add a --api ping --url http://a.example/",
            env!("CARGO_BIN_EXE_webhost"),
            env.db.display()
        ))
        .stderr(Stdio::null())
        .status()
        .expect("run under umask 000");
    assert!(status.success());
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", env.db.display());
        let mode = std::fs::metadata(&path)
            .expect("file exists")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{path} has mode {mode:o}");
    }
    // A database created from scratch under umask 000.
    let other = Env::sqlite();
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(
            "umask 000; exec '{}' --db '{}' instance add a --api ping --url http://a.example/",
            env!("CARGO_BIN_EXE_webhost"),
            other.db.display()
        ))
        .stderr(Stdio::null())
        .status()
        .expect("run under umask 000");
    assert!(status.success());
    let mode = std::fs::metadata(&other.db)
        .expect("created")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    drop(held);
}

/// A tmpfs mounted for one test (root only); unmounted when dropped.
struct Mount {
    dir: tempfile::TempDir,
}

impl Mount {
    fn tmpfs(size: &str) -> Option<Mount> {
        let dir = tempfile::tempdir().expect("mount point");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: cannot mount a tmpfs here (needs root)");
            return None;
        }
        Some(Mount { dir })
    }

    fn remount(&self, opts: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount {opts}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

fn run_on(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_webhost"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run webhost")
}

#[test]
fn a_read_only_database_is_a_clear_error_and_stays_as_it_was() {
    let Some(mount) = Mount::tmpfs("4m") else {
        return;
    };
    let db = mount.dir.path().join("webhost.db");
    assert!(
        run_on(
            &db,
            &[
                "instance",
                "add",
                "a",
                "--api",
                "ping",
                "--url",
                "http://a.example/"
            ]
        )
        .status
        .success()
    );
    let before = std::fs::read(&db).expect("db");
    mount.remount("ro");
    let out = run_on(
        &db,
        &[
            "instance",
            "add",
            "b",
            "--api",
            "ping",
            "--url",
            "http://b.example/",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("read-only") || stderr.contains("readonly"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db).expect("db"), before);
    mount.remount("rw");
}

#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing() {
    let Some(mount) = Mount::tmpfs("512k") else {
        return;
    };
    let db = mount.dir.path().join("webhost.db");
    assert!(
        run_on(
            &db,
            &[
                "instance",
                "add",
                "a",
                "--api",
                "ping",
                "--url",
                "http://a.example/"
            ]
        )
        .status
        .success()
    );
    // Fill what is left.
    let filler = mount.dir.path().join("filler");
    let _ = std::fs::write(&filler, vec![0u8; 1024 * 1024]);
    let mut failed = None;
    for i in 0..200 {
        let label = "x".repeat(4000);
        let r = format!("r{i}");
        let out = run_on(
            &db,
            &[
                "instance",
                "add",
                &r,
                "--api",
                "ping",
                "--url",
                "http://b.example/",
                "--label",
                &label,
            ],
        );
        if !out.status.success() {
            failed = Some(out);
            break;
        }
    }
    let out = failed.expect("the disk never filled up");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("full"), "{stderr}");
    let _ = std::fs::remove_file(&filler);
    let conn = rusqlite::Connection::open(&db).expect("open");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(ok, "ok");
    let a: i64 = conn
        .query_row("SELECT count(*) FROM instances WHERE ref = 'a'", [], |r| {
            r.get(0)
        })
        .expect("count");
    assert_eq!(a, 1);
}
