//! A temp database and a way to run the real binary against it.

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
    pub db: PathBuf,
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
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("data").join("webhost.db");
        Env { dir, db }
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
