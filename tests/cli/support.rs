//! A temp database and a way to run the real binary against it: a SQLite file in a temp
//! folder, or, when `WEBHOST_TEST_PG` names a PostgreSQL server the tests may create
//! databases on (`.ci/run` starts one), a database of its own on that server for each test.
//! The same tests run on both; the few that look at the SQLite file itself ask for it with
//! `Env::sqlite()`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use md5::Digest;
use tempfile::TempDir;

/// The real clock, in Unix seconds: the one every test reads.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Whether process `pid` has ended (a zombie waiting for its parent has). SIGKILL is delivered
/// before kill(2) returns, but the kernel may take a moment to finish the process off: this
/// looks for up to 10 s rather than once.
pub fn gone(pid: &str) -> bool {
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                // The state follows the command name, which is in parentheses.
                let after = stat.rsplit_once(')')?.1;
                after
                    .split_whitespace()
                    .next()
                    .map(|s| s != "Z" && s != "X")
            })
            .unwrap_or(false)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while running() && std::time::Instant::now() < deadline {
        std::thread::yield_now();
    }
    !running()
}

/// A token no output may ever contain.
pub const CANARY: &str = "canary-T0KEN-5f3a9c";

pub struct Env {
    pub dir: TempDir,
    /// The SQLite file, or the PostgreSQL database's URL.
    pub db: PathBuf,
    pub pg: Option<PgDatabase>,
}

/// The server `WEBHOST_TEST_PG` names (a URL whose database the tests may create others
/// from), when the suite runs on PostgreSQL.
pub fn pg_server() -> Option<String> {
    std::env::var("WEBHOST_TEST_PG")
        .ok()
        .filter(|v| !v.is_empty())
}

/// A database made for one test, dropped with it.
pub struct PgDatabase {
    server: String,
    pub name: String,
}

impl PgDatabase {
    pub fn create(server: &str) -> PgDatabase {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "webhost_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = postgres::Client::connect(server, postgres::NoTls)
            .unwrap_or_else(|e| panic!("WEBHOST_TEST_PG={server}: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        PgDatabase {
            server: server.to_owned(),
            name,
        }
    }

    /// The URL of this database on the server: the server's URL with its database replaced.
    pub fn url(&self) -> String {
        let (base, query) = self.server.split_once('?').unwrap_or((&self.server, ""));
        let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
        let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        format!("{scheme}://{authority}/{}{query}", self.name)
    }

    /// A client on this database, to look at what the binary wrote.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls)
            .expect("connect to the test database")
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// What one run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success; stderr:\n{}", self.stderr);
        self
    }

    #[track_caller]
    pub fn fails(self, code: i32, needle: &str) -> Run {
        assert_eq!(
            self.code, code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        assert_eq!(
            self.stderr.trim().lines().count(),
            1,
            "error is not one line:\n{}",
            self.stderr
        );
        self
    }
}

impl Env {
    /// A fresh database: on PostgreSQL when the suite runs there, else a SQLite file.
    pub fn new() -> Env {
        match pg_server() {
            Some(server) => {
                let dir = tempfile::tempdir().expect("temp dir");
                let pg = PgDatabase::create(&server);
                Env {
                    dir,
                    db: PathBuf::from(pg.url()),
                    pg: Some(pg),
                }
            }
            None => Env::sqlite(),
        }
    }

    /// A SQLite file, whatever the suite runs on: for a test of the file itself (its mode,
    /// its tokens' file, a damaged or locked file, a full disk).
    pub fn sqlite() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("data").join("webhost.db");
        Env { dir, db, pg: None }
    }

    /// The PostgreSQL database, when this test runs on one.
    pub fn pg(&self) -> Option<&PgDatabase> {
        self.pg.as_ref()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs webhost with `--db` set and no colour, stdin empty.
    pub fn run(&self, args: &[&str]) -> Run {
        self.spawn(args, "", None)
    }

    /// Like `run`, with webhost's clock at `at` (Unix seconds, through `WEBHOST_NOW`): the
    /// checks, changes and passes it records, and the "now" its windows and ages are measured
    /// from. Request signatures keep the real clock.
    pub fn run_at(&self, at: i64, args: &[&str]) -> Run {
        self.spawn(args, "", Some(at))
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        self.spawn(args, stdin, None)
    }

    /// Like `run`, with these environment variables set (proxies, trust files).
    pub fn run_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        self.spawn_with(args, "", None, vars)
    }

    /// Like `run_at`, with these environment variables set too (TZ).
    pub fn run_at_env(&self, at: i64, args: &[&str], vars: &[(&str, &str)]) -> Run {
        self.spawn_with(args, "", Some(at), vars)
    }

    /// The command `run` starts, for a test that must hold the process (signal it, read it
    /// while it runs). Its output is not checked for the canary: the test must.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_webhost"));
        command
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .env_remove("WEBHOST_DB")
            .env_remove("WEBHOST_NOW")
            // Tables fit COLUMNS when it is set: a test's must not depend on the shell's.
            .env_remove("COLUMNS")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        // Nor on the shell's proxies and trust files.
        for var in [
            "HTTPS_PROXY",
            "HTTP_PROXY",
            "ALL_PROXY",
            "NO_PROXY",
            "https_proxy",
            "http_proxy",
            "all_proxy",
            "no_proxy",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
        ] {
            command.env_remove(var);
        }
        command
    }

    fn spawn(&self, args: &[&str], stdin: &str, at: Option<i64>) -> Run {
        self.spawn_with(args, stdin, at, &[])
    }

    fn spawn_with(
        &self,
        args: &[&str],
        stdin: &str,
        at: Option<i64>,
        vars: &[(&str, &str)],
    ) -> Run {
        let started = now();
        let mut command = self.command(args);
        command.envs(vars.iter().copied());
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(at) = at {
            command.env("WEBHOST_NOW", at.to_string());
        }
        let mut child = command.spawn().expect("spawn webhost");
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin.as_bytes()).expect("write stdin");
        drop(input);
        let out: Output = child.wait_with_output().expect("wait webhost");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        // Every run of every test checks the secrets rule.
        assert!(
            !run.stdout.contains(CANARY)
                || args.contains(&"--show-token")
                || args.contains(&"--with-tokens"),
            "token on stdout of {args:?}"
        );
        assert!(!run.stderr.contains(CANARY), "token on stderr of {args:?}");
        // Nor any hash the run could have signed with the canary token.
        for t in started - 2..=now() + 2 {
            let digest = md5::Md5::digest(format!("{CANARY}{t}").as_bytes());
            let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            assert!(
                !run.stdout.contains(&hash) && !run.stderr.contains(&hash),
                "a hash of the token was printed by {args:?}"
            );
        }
        run
    }

    /// `instance add REF --api API ARGS...`, which must succeed.
    #[track_caller]
    pub fn add_instance(&self, r: &str, api: &str, args: &[&str]) -> Run {
        self.run(&[&["instance", "add", r, "--api", api], args].concat())
            .ok()
    }

    /// `host add REF --api API ARGS...`, which must succeed.
    #[track_caller]
    pub fn add_host(&self, r: &str, api: &str, args: &[&str]) -> Run {
        self.run(&[&["host", "add", r, "--api", api], args].concat())
            .ok()
    }

    /// Creates the database with no record in it, through a command that writes (`prune`):
    /// the reading commands refuse a database that does not exist.
    #[track_caller]
    pub fn create_empty_db(&self) {
        // Storing a setting is one of the few commands that create a database.
        self.run(&["config", "set", "hook-batch", "20"]).ok();
        self.run(&["config", "unset", "hook-batch"]).ok();
    }

    /// Opens the database directly, to check what the binary wrote.
    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).expect("open db")
    }

    /// One integer (or NULL) read straight from the database, on either engine: `?1`, `?2`
    /// are text parameters.
    pub fn scalar(&self, sql: &str, args: &[&str]) -> Option<i64> {
        match &self.pg {
            Some(pg) => {
                let sql = sql.replace('?', "$");
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    args.iter().map(|a| a as _).collect();
                pg.client()
                    .query_one(&sql, &params)
                    .expect("query")
                    .get::<_, Option<i64>>(0)
            }
            None => self
                .sql()
                .query_row(sql, rusqlite::params_from_iter(args.iter()), |r| r.get(0))
                .expect("query"),
        }
    }

    pub fn db_bytes(&self) -> Option<Vec<u8>> {
        std::fs::read(&self.db).ok()
    }
}

/// The status and message of `r` in a pass's JSON results.
pub fn result_of(res: &serde_json::Value, r: &str) -> (String, String) {
    let found = res
        .as_array()
        .and_then(|a| a.iter().find(|x| x["ref"] == r))
        .unwrap_or_else(|| panic!("no result for {r}: {res}"));
    (
        found["status"].as_str().unwrap_or("").to_string(),
        found["message"].as_str().unwrap_or("").to_string(),
    )
}
