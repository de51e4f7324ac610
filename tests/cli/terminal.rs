//! What a person sees in a terminal: tables fitted to its width (from the terminal, else
//! `COLUMNS`, else none), refs and headers whole, long text cut or wrapped.

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};

use crate::server::{Reply, Server, refused_url};
use crate::support::Env;

const REFS: [&str; 3] = [
    "boulangerie-martin",
    "garage-lefebvre",
    "pharmacie-du-centre",
];

/// What a broken Dolibarr says: about as long as a stored message gets (200 characters).
const LONG: &str = "HTTP 500: PHP Fatal error: Allowed memory size of 134217728 bytes exhausted \
                    (tried to allocate 20480 bytes) in \
                    /var/www/html/custom/webobserver/public/get-data.php on line 42";

/// Every header `instance list` may show.
const LIST_HEADERS: [&str; 11] = [
    "REF", "LABEL", "API", "MONITOR", "STATUS", "HEALTH", "CHECKED", "RESPONSE", "DISK", "HOST",
    "VERSION",
];

/// Three instances with long refs and a long label: one online, one refused, one whose probe
/// reports `LONG`. The server must outlive the passes that ask it.
fn fleet(env: &Env) -> Server {
    let server = Server::start(None, |_| Reply::ok("bonjour"));
    env.add_instance(
        REFS[0],
        "ping",
        &[
            "--url",
            &format!("{}/martin", server.base),
            "--label",
            "Boulangerie Martin, 12 rue de la République, Lyon",
        ],
    );
    env.add_instance(REFS[1], "ping", &["--url", &refused_url()]);
    let answer = format!(r#"{{"status":"error","message":"{LONG}"}}"#);
    env.add_instance(REFS[2], "custom", &["--probe", "/bin/echo", &answer]);
    server
}

/// Runs webhost with `COLUMNS` set (or removed, for None), stdout a pipe: (stdout, stderr).
fn run_with_columns(env: &Env, columns: Option<&str>, args: &[&str]) -> (String, String) {
    let mut command = env.command(args);
    match columns {
        Some(c) => command.env("COLUMNS", c),
        None => command.env_remove("COLUMNS"),
    };
    let out = command.output().expect("run webhost");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{args:?} failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

#[track_caller]
fn assert_fits(text: &str, width: usize) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= width,
            "a line wider than {width}: {line:?}\nin:\n{text}"
        );
    }
}

/// Each ref starts a line, whole (a wrapped or cut ref would not).
#[track_caller]
fn assert_refs_whole(text: &str) {
    for r in REFS {
        assert!(
            text.lines()
                .any(|l| l.strip_prefix(r).is_some_and(|rest| rest.starts_with("  "))),
            "{r} is not whole at the start of a line:\n{text}"
        );
    }
}

/// The table's header line holds only whole headers, and each one is either there or named
/// on stderr as left out.
#[track_caller]
fn assert_headers_whole(text: &str, stderr: &str, headers: &[&str]) {
    let line = text.lines().next().unwrap_or("");
    let shown: Vec<&str> = line.split_whitespace().collect();
    for word in &shown {
        assert!(headers.contains(word), "{word:?} is not a header:\n{text}");
    }
    for h in headers {
        assert!(
            shown.contains(h) || stderr.contains(&format!(" {h}")),
            "{h} neither shown nor said to be left out:\n{text}\n{stderr}"
        );
    }
}

#[test]
fn instance_list_fits_60_and_100_columns_with_refs_and_headers_whole() {
    let env = Env::new();
    let _server = fleet(&env);
    env.run(&["update-instances"]).ok();
    for width in [60, 100] {
        let (out, err) = run_with_columns(&env, Some(&width.to_string()), &["instance", "list"]);
        assert_fits(&out, width);
        assert_refs_whole(&out);
        assert_headers_whole(&out, &err, &LIST_HEADERS);
        assert!(out.contains("REF") && out.contains("STATUS") && out.contains("HEALTH"));
        assert!(
            err.contains(&format!("left out to fit in {width} columns:")),
            "{err}"
        );
    }
    // 60 columns have room for less than 100.
    let narrow = run_with_columns(&env, Some("60"), &["instance", "list"]).0;
    let wide = run_with_columns(&env, Some("100"), &["instance", "list"]).0;
    let headers = |t: &str| t.lines().next().unwrap_or("").split_whitespace().count();
    assert!(headers(&narrow) < headers(&wide), "{narrow}\n{wide}");
}

#[test]
fn a_pass_wraps_a_long_message_to_the_width() {
    let env = Env::new();
    let _server = fleet(&env);
    for width in [60, 100] {
        let (out, _) = run_with_columns(&env, Some(&width.to_string()), &["update-instances"]);
        assert_fits(&out, width);
        assert_refs_whole(&out);
        assert!(!out.contains(LONG), "not cut nor wrapped:\n{out}");
        // Wrapped onto the next lines, and cut when it would take more than a few.
        assert!(out.contains("HTTP 500: PHP"), "{out}");
        assert!(out.contains('…') || out.contains("on line 42"), "{out}");
        let row = out
            .lines()
            .position(|l| l.starts_with(REFS[2]))
            .expect("its row");
        let next = out.lines().nth(row + 1).unwrap_or("");
        assert!(
            next.starts_with(' ') && LONG.contains(next.trim()),
            "the message goes on under itself:\n{out}"
        );
    }
}

#[test]
fn show_wraps_a_long_value_whole() {
    let env = Env::new();
    let _server = fleet(&env);
    env.run(&["update-instances"]).ok();
    let (out, _) = run_with_columns(&env, Some("60"), &["instance", "show", REFS[2]]);
    assert_fits(&out, 60);
    // All of the message is there, on as many lines as it takes.
    let start = out.find("message:").expect("a message field") + "message:".len();
    let shown: String = out[start..]
        .lines()
        .enumerate()
        .take_while(|(i, l)| *i == 0 || l.starts_with("  "))
        .flat_map(|(_, l)| l.split_whitespace())
        .collect();
    assert!(
        out.lines().filter(|l| l.starts_with("  ")).count() > 3,
        "{out}"
    );
    assert_eq!(shown, LONG.replace(' ', ""), "{out}");
}

#[test]
fn a_dry_run_cuts_a_long_url_with_an_ellipsis() {
    let env = Env::new();
    let long_url = format!(
        "https://erp.{}.example/custom/webobserver/public/get-data.php",
        REFS[0]
    );
    env.add_instance(REFS[0], "ping", &["--url", &long_url]);
    let (out, _) = run_with_columns(&env, Some("60"), &["update-instances", "--dry-run"]);
    assert_fits(&out, 60);
    assert!(
        !out.contains(&long_url) && out.contains("https://erp.boulangerie"),
        "{out}"
    );
    let row = out
        .lines()
        .find(|l| l.starts_with(REFS[0]))
        .expect("its row");
    assert!(row.ends_with('…'), "{out}");
}

#[test]
fn with_no_width_or_a_zero_one_nothing_is_cut_or_wrapped() {
    let env = Env::new();
    let _server = fleet(&env);
    env.run(&["update-instances"]).ok();
    // A width there is cuts it...
    let (narrow, _) = run_with_columns(&env, Some("60"), &["update-instances"]);
    assert!(!narrow.contains(LONG), "{narrow}");
    // ...none, or one that is no width, does not.
    for columns in [None, Some("0"), Some("wide")] {
        let (out, err) = run_with_columns(&env, columns, &["update-instances"]);
        assert!(
            out.lines()
                .any(|l| l.starts_with(REFS[2]) && l.ends_with(LONG)),
            "COLUMNS={columns:?}: the message whole on its row:\n{out}"
        );
        assert!(!out.contains('…'), "{out}");
        let (list, err_list) = run_with_columns(&env, columns, &["instance", "list"]);
        let header: Vec<&str> = list
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        assert_eq!(header, LIST_HEADERS, "every column:\n{list}");
        assert!(list.contains("Boulangerie Martin, 12 rue de la République, Lyon"));
        assert!(!err.contains("left out") && !err_list.contains("left out"));
    }
}

/// Which of webhost's outputs goes to the terminal (the other is a pipe).
#[derive(Clone, Copy, PartialEq)]
enum On {
    Stdout,
    Stderr,
}

/// Runs webhost with stdout on a new terminal of `cols` × `rows` (stderr a pipe), COLUMNS as
/// given: what the terminal showed, without the carriage returns it adds.
fn on_terminal(env: &Env, cols: u16, rows: u16, columns: Option<&str>, args: &[&str]) -> String {
    on_terminal_as(On::Stdout, env, cols, rows, columns, args)
}

fn on_terminal_as(
    on: On,
    env: &Env,
    cols: u16,
    rows: u16,
    columns: Option<&str>,
    args: &[&str],
) -> String {
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let (mut master, mut slave) = (-1, -1);
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: openpty just opened both, and nothing else owns them.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut command: Command = env.command(args);
    match on {
        On::Stdout => command.stdout(Stdio::from(slave)).stderr(Stdio::piped()),
        On::Stderr => command.stderr(Stdio::from(slave)).stdout(Stdio::piped()),
    };
    match columns {
        Some(c) => command.env("COLUMNS", c),
        None => command.env_remove("COLUMNS"),
    };
    let child = command.spawn().expect("spawn webhost");
    // Our end of the terminal's other side closes with `command`: reading stops at its end.
    drop(command);
    let reader = std::thread::spawn(move || {
        let mut shown = Vec::new();
        // A terminal whose last writer has gone reads as an error (EIO), not as an end.
        let _ = std::fs::File::from(master).read_to_end(&mut shown);
        shown
    });
    let out = child.wait_with_output().expect("wait webhost");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = reader.join().expect("reader");
    String::from_utf8_lossy(&shown).replace('\r', "")
}

#[test]
fn a_terminal_width_wins_over_columns_and_a_terminal_of_size_zero_has_none() {
    let env = Env::new();
    let _server = fleet(&env);
    env.run(&["update-instances"]).ok();
    let list = ["instance", "list"];
    // The terminal says 60: COLUMNS (stale, from before a resize) does not matter.
    let shown = on_terminal(&env, 60, 40, Some("200"), &list);
    assert_fits(&shown, 60);
    assert_refs_whole(&shown);
    assert!(!shown.contains("LABEL"), "{shown}");
    // 0 × 0, as `script` and some `docker exec` report: COLUMNS, else no limit.
    let shown = on_terminal(&env, 0, 0, Some("60"), &list);
    assert_fits(&shown, 60);
    assert_refs_whole(&shown);
    let shown = on_terminal(&env, 0, 0, None, &list);
    let header: Vec<&str> = shown
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(
        header, LIST_HEADERS,
        "one letter per column no more:\n{shown}"
    );
    assert_refs_whole(&shown);
}

#[test]
fn one_of_a_thing_is_said_in_the_singular_with_its_article() {
    let env = Env::new();
    let server = Server::start(None, |_| Reply::ok("bonjour"));
    env.add_instance("shop", "ping", &["--url", &server.base]);
    let pass = env.run(&["update-instances"]).ok();
    assert!(
        pass.stdout.contains("1 instance polled: 1 online in"),
        "{}",
        pass.stdout
    );
    let dry = env.run(&["update-instances", "--dry-run"]).ok();
    assert!(
        dry.stderr.contains("would poll 1 instance\n"),
        "{}",
        dry.stderr
    );
    env.run(&[
        "instance",
        "add",
        "shop",
        "--api",
        "ping",
        "--url",
        &server.base,
    ])
    .fails(2, "an instance named 'shop' already exists");
    env.add_host(
        "srv1",
        "server-manager-v1",
        &["--url", &server.base, "--token", "t"],
    );
    env.run(&[
        "host",
        "add",
        "srv1",
        "--api",
        "server-manager-v1",
        "--url",
        &server.base,
    ])
    .fails(2, "a host named 'srv1' already exists");
    env.run(&["instance", "edit", "shop", "--host", "srv1"])
        .ok();
    env.run(&["host", "remove", "srv1"])
        .fails(2, "host 'srv1' still has 1 instance: shop;");
    env.run(&["instance", "disable", "shop"]).ok();
    let off = env.run(&["update-instances", "--ref", "shop"]).ok();
    assert!(
        off.stderr
            .contains("monitoring is off for this instance): shop"),
        "{}",
        off.stderr
    );
}

#[test]
fn an_empty_listing_says_whether_nothing_matched_or_nothing_is_there() {
    let env = Env::sqlite();
    env.create_empty_db();
    let db = env.db.display().to_string();
    let add_hint = format!(
        "no instances in {db}: add one with `webhost instance add REF --api ping --url URL`"
    );
    for args in [
        &["instance", "list"][..],
        &["update-instances"],
        &["update-instances", "--dry-run"],
        &["versions"],
    ] {
        let run = env.run(args).ok();
        assert!(run.stderr.contains(&add_hint), "{args:?}: {}", run.stderr);
    }
    let hosts = env.run(&["host", "list"]).ok();
    assert!(
        hosts.stderr.contains(&format!(
            "no hosts in {db}: add one with `webhost host add REF"
        )),
        "{}",
        hosts.stderr
    );
    // With records there, a filter that matches none is not told to add one.
    let _server = fleet(&env);
    env.run(&["update-instances"]).ok();
    let run = env.run(&["instance", "list", "--status", "missing"]).ok();
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "no instances match (3 in all)\n");
    assert_eq!(
        env.run(&["--json", "instance", "list", "--status", "missing"])
            .ok()
            .stderr,
        ""
    );
    for r in REFS {
        env.run(&["instance", "disable", r]).ok();
    }
    let run = env.run(&["update-instances"]).ok();
    assert!(
        run.stderr
            .contains("monitoring is off for all 3 instances: `webhost instance enable REF`"),
        "{}",
        run.stderr
    );
}

#[test]
fn verbose_names_the_database() {
    let env = Env::sqlite();
    env.create_empty_db();
    let run = env.run(&["-v", "instance", "list"]).ok();
    assert!(
        run.stderr
            .contains(&format!("webhost: database {}\n", env.db.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn the_progress_line_waits_on_a_slow_check_without_guessing() {
    let env = Env::new();
    // Hangs until the pass's 2 s time limit: the line must go on while nothing comes.
    env.add_instance("slow", "custom", &["--probe", "/bin/sleep", "30"]);
    let shown = on_terminal_as(
        On::Stderr,
        &env,
        100,
        40,
        None,
        &["update-instances", "--timeout", "2s"],
    );
    let draws: Vec<&str> = shown.split("\x1b[2K").filter(|d| !d.is_empty()).collect();
    assert!(
        draws.iter().any(|d| d.starts_with("0/1 checked")),
        "redrawn while waiting: {shown:?}"
    );
    assert!(
        draws.iter().all(|d| !d.contains(" left")),
        "no time left before anything is done: {shown:?}"
    );
}
