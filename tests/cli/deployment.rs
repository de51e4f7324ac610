//! webhost as a server runs it: passes as a service user, readers (Nagios, the web server) as
//! other users in its group, who may read the state but not write it, nor read the tokens.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::server::{Reply, Server, fixture};
use crate::support::{CANARY, Env};
use webhost::store::MIGRATIONS;

/// The unprivileged user the readers run as (CI runs as root).
const NOBODY: u32 = 65534;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

fn secrets_of(env: &Env) -> PathBuf {
    env.db.with_file_name("webhost.secrets.db")
}

/// Dropping to another user needs root; said on stderr when it cannot be tested.
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        eprintln!("not root: the test of another user reading is left out");
    }
    root
}

#[test]
fn the_tokens_live_apart_and_the_state_may_be_shared_with_a_group() {
    let env = Env::sqlite();
    env.run_with_stdin(
        &[
            "--db-mode",
            "0640",
            "host",
            "add",
            "srv",
            "--api",
            "server-observer-v1",
            "--url",
            "http://srv.example/get-data.php",
            "--token-stdin",
        ],
        CANARY,
    )
    .ok();
    assert_eq!(mode(&env.db), 0o640);
    assert_eq!(
        mode(&secrets_of(&env)),
        0o600,
        "the tokens' file is private"
    );
    let main = std::fs::read(&env.db).expect("main database");
    let needle = CANARY.as_bytes();
    assert!(
        !main.windows(needle.len()).any(|w| w == needle),
        "the token is in the shared database"
    );
    let show = env.run(&["--json", "host", "show", "srv"]).ok().json();
    assert_eq!(show["token_set"], true);
    let shown = env
        .run(&["--json", "host", "show", "srv", "--show-token"])
        .ok()
        .json();
    assert_eq!(shown["token"], CANARY);
    assert!(
        env.run(&["--db-mode", "0666", "status"]).code == 2,
        "world-writable refused"
    );
}

#[test]
fn readers_read_what_they_may_and_write_nothing() {
    if !is_root() {
        return;
    }
    let server = Server::start(Some(CANARY), |_| {
        Reply::fixture("webobserver-instance.json")
    });
    let env = Env::sqlite();
    env.run_with_stdin(
        &[
            "--db-mode",
            "0640",
            "instance",
            "add",
            "shop",
            "--api",
            "server-observer-v1",
            "--url",
            &server.url("/get-data.php"),
            "--token-stdin",
        ],
        CANARY,
    )
    .ok();
    env.run(&["update-instances"]).ok();
    // As a package sets it up: the state folder and files are the service user's, their
    // group (here nobody's) may read the state; the tokens stay the owner's alone.
    let data = env.db.parent().expect("folder").to_path_buf();
    for dir in [env.path(), data.as_path()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o750)).expect("chmod");
        std::os::unix::fs::chown(dir, None, Some(NOBODY)).expect("chgrp");
    }
    let wal = PathBuf::from(format!("{}-wal", env.db.display()));
    let shm = PathBuf::from(format!("{}-shm", env.db.display()));
    for file in [&env.db, &wal, &shm] {
        assert!(file.exists(), "{} is kept for readers", file.display());
        std::os::unix::fs::chown(file, None, Some(NOBODY)).expect("chgrp");
        assert_eq!(mode(file), 0o640, "{}", file.display());
    }
    // The reader gets its own copy of the binary: the build folder may not be theirs to read.
    let bin = env.path().join("webhost");
    // Copied by cp, not by this process: a writable descriptor of ours to the new file, which
    // another test's fork would inherit for a moment, makes the exec fail with ETXTBSY.
    let copied = Command::new("cp")
        .arg(env!("CARGO_BIN_EXE_webhost"))
        .arg(&bin)
        .status()
        .expect("cp");
    assert!(copied.success(), "cp the binary");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let pages = tempfile::tempdir().expect("a folder of the reader's");
    std::os::unix::fs::chown(pages.path(), Some(NOBODY), Some(NOBODY)).expect("chown");
    let page = pages.path().join("status.html");
    let before: Vec<Option<Vec<u8>>> = [&env.db, &wal, &shm, &secrets_of(&env)]
        .iter()
        .map(|f| std::fs::read(f).ok())
        .collect();
    let as_reader = |args: &[&str]| {
        let mut command = Command::new(&bin);
        command
            .arg("--db")
            .arg(&env.db)
            .args(args)
            .env_remove("WEBHOST_DB")
            .env("NO_COLOR", "1")
            .env("HOME", pages.path())
            // std drops root's other groups when it sets the user.
            .uid(NOBODY)
            .gid(NOBODY);
        let out = command.output().expect("run as nobody");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let page_arg = page.display().to_string();
    for args in [
        &["status"][..],
        &["instance", "list"],
        &["instance", "show", "shop"],
        &["history", "shop"],
        &["modules"],
        &["versions"],
        &["changes"],
        &["metrics"],
        &["export"],
        &["config", "list"],
        &["report", "--html", &page_arg],
    ] {
        let (code, stdout, stderr) = as_reader(args);
        assert_eq!(code, Some(0), "{args:?} as nobody: {stderr}");
        assert!(
            !stdout.contains(CANARY) && !stderr.contains(CANARY),
            "{args:?}"
        );
    }
    let (code, stdout, _) = as_reader(&["check", "shop"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.starts_with("WEBHOST OK - shop online"), "{stdout}");
    assert!(page.exists(), "the page was written");
    // The tokens are not theirs: asking for them is a clear error, and check --live is
    // UNKNOWN.
    let (code, _, stderr) = as_reader(&["instance", "show", "shop", "--show-token"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot read the tokens"), "{stderr}");
    let (code, stdout, _) = as_reader(&["check", "shop", "--live"]);
    assert_eq!(code, Some(3), "{stdout}");
    // And none of them wrote a byte.
    let after: Vec<Option<Vec<u8>>> = [&env.db, &wal, &shm, &secrets_of(&env)]
        .iter()
        .map(|f| std::fs::read(f).ok())
        .collect();
    assert!(before == after, "a reader changed the database");
    assert_eq!(std::fs::metadata(&env.db).expect("db").uid(), 0);
}

#[test]
fn an_older_database_gives_its_tokens_to_the_tokens_file() {
    let server = Server::start(Some(CANARY), |_| {
        Reply::ok(fixture("webobserver-instance.json"))
    });
    let env = Env::sqlite();
    std::fs::create_dir_all(env.db.parent().expect("folder")).expect("mkdir");
    // A database of the schema before the tokens' file, its token in the record's row.
    {
        let conn = env.sql();
        for sql in &MIGRATIONS[..8] {
            conn.execute_batch(sql).expect("older schema");
        }
        conn.execute(
            "INSERT INTO instances (ref, api_kind, url, token, created_at)
             VALUES ('shop', 'server-observer-v1', ?1, ?2, 1700000000)",
            [server.url("/get-data.php"), CANARY.to_string()],
        )
        .expect("insert");
        conn.pragma_update(None, "user_version", 8)
            .expect("set version");
    }
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    // The next pass moves the token out and signs with it.
    let run = env.run(&["--json", "update-instances"]).ok().json();
    assert_eq!(run[0]["status"], "online", "{run}");
    let (row_token, has_token): (Option<String>, bool) = env
        .sql()
        .query_row(
            "SELECT token, has_token FROM instances WHERE ref = 'shop'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("row");
    assert_eq!((row_token, has_token), (None, true));
    let secrets = secrets_of(&env);
    assert_eq!(mode(&secrets), 0o600);
    let stored: String = rusqlite::Connection::open(&secrets)
        .expect("tokens")
        .query_row("SELECT token FROM tokens", [], |r| r.get(0))
        .expect("token");
    assert_eq!(stored, CANARY);
    // A second writer finds nothing left to move, and the token still works.
    let again = env.run(&["--json", "update-instances"]).ok().json();
    assert_eq!(again[0]["status"], "online");
}

#[test]
fn a_pass_on_a_missing_database_says_so() {
    let env = Env::sqlite();
    env.run(&["update-instances"])
        .fails(1, "no webhost database at");
    assert!(!env.db.exists(), "nothing created");
}
