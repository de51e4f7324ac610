//! `check` as Nagios and Icinga run it (usage errors on stdout, no `;` in the text), on
//! databases filled by real passes.

use crate::support::{Env, Run, now};
use crate::tls_server::https_server;

/// The plugin line, checked to be the one line a plugin prints, with the exit code.
#[track_caller]
fn plugin(run: &Run, code: i32) -> &str {
    assert_eq!(
        run.code, code,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(
        run.stdout.lines().count(),
        1,
        "not one line:\n{}",
        run.stdout
    );
    run.stdout.trim_end()
}

/// A custom probe that always says `output` (a JSON object).
fn says(env: &Env, reference: &str, output: &str, url: Option<&str>) {
    let mut args = Vec::new();
    if let Some(url) = url {
        args.extend(["--url", url]);
    }
    args.extend(["--probe", "/bin/echo", output]);
    env.add_instance(reference, "custom", &args);
}

#[test]
fn a_usage_error_is_unknown_on_stdout() {
    let env = Env::new();
    // Nagios shows stdout only: an empty one reads "(No output on stdout)".
    let none = env.run(&["check"]);
    assert_eq!(
        plugin(&none, 3),
        "WEBHOST UNKNOWN - the following required arguments were not provided: <REF>"
    );
    assert!(
        none.stderr.contains("Usage:"),
        "clap's message stays on stderr"
    );
    let bogus = env.run(&["--json", "check", "shop", "--bogus"]);
    assert_eq!(
        plugin(&bogus, 3),
        "WEBHOST UNKNOWN - unexpected argument '--bogus' found"
    );
    // What was typed is quoted back on one line, with no `;` or `|` to cut it short, and
    // nothing a terminal would obey.
    let hostile = env.run(&["check", "shop", "--max-age", "1;2|3\nrm\u{1b}]52;c;x\u{7}"]);
    let line = plugin(&hostile, 3);
    assert!(
        line.starts_with("WEBHOST UNKNOWN - invalid value '1,2/3 rm"),
        "{line}"
    );
    assert!(!line.chars().any(char::is_control), "{line:?}");
    // Asking for help is no error.
    let help = env.run(&["check", "--help"]).ok();
    assert!(!help.stdout.contains("WEBHOST UNKNOWN"), "{}", help.stdout);
    assert!(help.stdout.contains("--live"), "{}", help.stdout);
    // Other commands keep their usage errors to stderr.
    let status = env.run(&["status", "--bogus"]);
    assert_eq!((status.code, status.stdout.as_str()), (2, ""));
}

#[test]
fn no_semicolon_in_the_summary() {
    let env = Env::new();
    // Two health reasons (disk at 85 %, a certificate with 10 days left) and a `;` of the
    // probe's own.
    let url = https_server(now() + 10 * 86_400 + 3600, b"hello");
    says(
        &env,
        "cloud",
        r#"{"status":"online","message":"nextcloud 29; maintenance off",
            "disk":{"used_bytes":85000000000,"total_bytes":100000000000}}"#,
        Some(&url),
    );
    env.run(&["update-instances"]).ok();
    let run = env.run(&["check", "cloud"]);
    let line = plugin(&run, 1);
    let (summary, _) = line.split_once(" | ").expect("perfdata");
    assert_eq!(
        summary,
        "WEBHOST WARNING - cloud online, nextcloud 29, maintenance off, \
         disk 85% used (threshold 80%), TLS certificate expires in 10 days"
    );
    // JSON keeps the server's text as it was; only the separator changed.
    let j = env.run(&["--json", "check", "cloud"]).json();
    assert_eq!(
        j["summary"],
        "cloud online, nextcloud 29; maintenance off, disk 85% used (threshold 80%), \
         TLS certificate expires in 10 days"
    );
}
