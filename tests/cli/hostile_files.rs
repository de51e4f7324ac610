//! Hostile neighbours on the local disk: other users who can write the folder a metrics file or
//! a status page goes to, and database paths that are symlinks, folders, or not there at all.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::support::{Env, Run};

/// webhost started under `sh`, which sets the umask, waits for a line on stdin, then execs
/// webhost under its own pid: so the test knows webhost's pid before webhost has run.
struct Pending {
    child: Child,
}

impl Pending {
    fn start(env: &Env, umask: &str, args: &[&str]) -> Pending {
        let script = format!("umask {umask} && read go && exec \"$0\" \"$@\"");
        let child = Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_webhost"))
            .arg("--db")
            .arg(&env.db)
            .args(args)
            .env_remove("WEBHOST_DB")
            .env_remove("WEBHOST_NOW")
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sh");
        Pending { child }
    }

    /// The pid webhost will run as.
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn finish(mut self) -> Run {
        let mut stdin = self.child.stdin.take().expect("stdin");
        stdin.write_all(b"go\n").expect("let webhost start");
        drop(stdin);
        let out = self.child.wait_with_output().expect("wait webhost");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs webhost under `umask`.
fn run_with_umask(env: &Env, umask: &str, args: &[&str]) -> Run {
    Pending::start(env, umask, args).finish()
}

/// An Env whose database holds one record, so that the reading commands have one to read.
fn env_with_a_record() -> Env {
    let env = Env::sqlite();
    env.add_instance("shop", "ping", &["--url", "http://shop.example/"]);
    env
}

/// The permission bits of `path`, in octal (as `ls` shows them), so a failed comparison reads.
fn mode(path: &Path) -> String {
    format!(
        "{:o}",
        fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    )
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A file someone wants overwritten: private, with known contents.
fn victim(env: &Env) -> std::path::PathBuf {
    let victim = env.path().join("victim");
    fs::write(&victim, "precious\n").expect("write victim");
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o600)).expect("chmod victim");
    victim
}

/// Plants a symlink to the victim at the name the old scheme (`.NAME.PID.tmp`) gave webhost's
/// temp file, runs `command FILE`, and checks the victim is untouched and FILE written.
fn planted_link_cannot_redirect(command: &[&str], file: &str, expect: &str) {
    let env = env_with_a_record();
    let folder = env.path().join("shared");
    fs::create_dir(&folder).expect("mkdir");
    let victim = victim(&env);
    let dest = folder.join(file);
    let args = [command, &[dest.to_str().expect("utf-8 path")]].concat();
    let pending = Pending::start(&env, "022", &args);
    let planted = folder.join(format!(".{file}.{}.tmp", pending.pid()));
    symlink(&victim, &planted).expect("plant the link");
    pending.finish().ok();

    assert_eq!(fs::read_to_string(&victim).expect("read"), "precious\n");
    assert_eq!(mode(&victim), "600", "the victim was chmodded");
    let meta = fs::symlink_metadata(&dest).expect("destination");
    assert!(meta.is_file(), "the destination is not a plain file");
    assert!(
        fs::read_to_string(&dest).expect("read").contains(expect),
        "the destination lacks {expect:?}"
    );
    // The planted link is someone else's: left as it was.
    assert_eq!(fs::read_link(&planted).expect("still a link"), victim);
}

#[test]
fn a_link_planted_at_the_metrics_temp_name_cannot_redirect_the_write() {
    planted_link_cannot_redirect(&["metrics", "--output"], "webhost.prom", "webhost_up");
}

#[test]
fn a_link_planted_at_the_report_temp_name_cannot_redirect_the_write() {
    planted_link_cannot_redirect(&["report", "--html"], "index.html", "<html");
}

#[test]
fn a_failed_write_leaves_no_temp_file() {
    let env = env_with_a_record();
    let folder = env.path().join("shared");
    let dest = folder.join("index.html");
    fs::create_dir_all(dest.join("inside")).expect("a folder where the file should go");
    let dest_arg = dest.to_str().expect("utf-8 path");
    env.run(&["metrics", "--output", dest_arg])
        .fails(1, "cannot write");
    env.run(&["report", "--html", dest_arg])
        .fails(1, "cannot write");
    assert_eq!(names_in(&folder), ["index.html"], "a temp file was left");
    assert_eq!(names_in(&dest), ["inside"]);
}

#[test]
fn written_files_are_0644_under_umask_077() {
    let env = env_with_a_record();
    let prom = env.path().join("webhost.prom");
    let html = env.path().join("index.html");
    run_with_umask(
        &env,
        "077",
        &["metrics", "--output", prom.to_str().expect("utf-8")],
    )
    .ok();
    run_with_umask(
        &env,
        "077",
        &["report", "--html", html.to_str().expect("utf-8")],
    )
    .ok();
    assert_eq!(mode(&prom), "644");
    assert_eq!(mode(&html), "644");
}

/// An Env whose `--db` is `name` in its own temp folder.
fn env_at(name: &str) -> Env {
    let mut env = Env::sqlite();
    env.db = env.path().join(name);
    env
}

#[test]
fn a_dangling_symlink_as_database_is_refused_and_nothing_created() {
    let env = env_at("link.db");
    let target = env.path().join("real").join("webhost.db");
    fs::create_dir(env.path().join("real")).expect("mkdir");
    symlink(&target, &env.db).expect("link");
    env.run(&[
        "instance",
        "add",
        "shop",
        "--api",
        "ping",
        "--url",
        "http://shop.example/",
    ])
    .fails(1, "is a symbolic link to");
    env.run(&["status"]).fails(1, "is a symbolic link to");
    assert!(!target.exists(), "the link's target was created");

    // What the message advises: --db at the target creates it, private.
    let direct = Env {
        dir: tempfile::tempdir().expect("temp dir"),
        db: target.clone(),
        pg: None,
    };
    direct.add_instance("shop", "ping", &["--url", "http://shop.example/"]);
    assert_eq!(mode(&target), "600");
    // From then on the link works.
    let list = env.run(&["--json", "instance", "list"]).ok().json();
    assert_eq!(list[0]["ref"], "shop");
}

#[test]
fn a_new_database_is_0600_through_a_linked_folder_under_umask_000() {
    let env = Env::sqlite();
    let real = env.path().join("real");
    fs::create_dir(&real).expect("mkdir");
    symlink(&real, env.path().join("data")).expect("link the folder");
    run_with_umask(
        &env,
        "000",
        &[
            "instance",
            "add",
            "shop",
            "--api",
            "ping",
            "--url",
            "http://shop.example/",
        ],
    )
    .ok();
    assert_eq!(mode(&real.join("webhost.db")), "600");
}

#[test]
fn a_directory_as_database_is_named_so() {
    let env = env_at("folder.db");
    fs::create_dir(&env.db).expect("mkdir");
    env.run(&["status"]).fails(1, "is a directory");
    env.run(&[
        "instance",
        "add",
        "shop",
        "--api",
        "ping",
        "--url",
        "http://shop.example/",
    ])
    .fails(1, "is a directory");
    let check = env.run(&["check", "shop"]);
    assert_eq!(check.code, 3, "{}", check.stdout);
    assert!(
        check.stdout.starts_with("WEBHOST UNKNOWN - "),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("is a directory"), "{}", check.stdout);
    assert!(names_in(&env.db).is_empty(), "SQLite wrote into the folder");
}

/// Every command that only reads the database.
const READERS: &[&[&str]] = &[
    &["status"],
    &["host", "list"],
    &["instance", "list"],
    &["host", "show", "srv1"],
    &["instance", "show", "shop"],
    &["history", "shop"],
    &["modules"],
    &["versions"],
    &["changes"],
    &["metrics"],
    &["export"],
];

fn readers_refuse_a_missing_database(env: &Env, needle: &str) {
    let page = env.path().join("index.html");
    let page = page.to_str().expect("utf-8");
    let prom = env.path().join("webhost.prom");
    let prom = prom.to_str().expect("utf-8");
    let with_files: [&[&str]; 2] = [&["report", "--html", page], &["metrics", "--output", prom]];
    for args in READERS.iter().copied().chain(with_files) {
        let run = env.run(args);
        assert!(
            run.stderr.contains(needle),
            "{args:?}: stderr lacks {needle:?}: {}",
            run.stderr
        );
        run.fails(1, "no webhost database at");
    }
    let check = env.run(&["check", "shop"]);
    assert_eq!(check.code, 3, "{}", check.stdout);
    assert!(
        check.stdout.starts_with("WEBHOST UNKNOWN - "),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("no webhost database at"),
        "{}",
        check.stdout
    );
    assert!(!env.db.exists(), "a reader created the database");
    assert!(!Path::new(page).exists() && !Path::new(prom).exists());
}

#[test]
fn readers_on_a_missing_database_say_so_and_create_nothing() {
    let env = Env::sqlite();
    let folder = env.db.parent().expect("parent").to_owned();
    fs::create_dir(&folder).expect("mkdir");
    readers_refuse_a_missing_database(&env, "(set --db or WEBHOST_DB)");
    assert!(
        names_in(&folder).is_empty(),
        "a reader wrote into the folder"
    );
}

#[test]
fn readers_on_a_missing_folder_say_so_and_create_nothing() {
    let env = Env::sqlite();
    let folder = env.db.parent().expect("parent").to_owned();
    readers_refuse_a_missing_database(
        &env,
        &format!("its folder {} does not exist", folder.display()),
    );
    assert!(!folder.exists(), "a reader created the folder");
    // Adding a record still creates both.
    env.add_instance("shop", "ping", &["--url", "http://shop.example/"]);
    assert_eq!(mode(&env.db), "600");
}
