//! `check` as Nagios and Icinga run it (usage errors on stdout, `-w`/`-c`, `U` for no answer,
//! no `;` in the text) and `metrics` as Prometheus reads them (label names as in `--json`), on
//! databases filled by real passes.

use crate::server::{Reply, Server, refused_url};
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

/// The perfdata of a plugin line.
#[track_caller]
fn perfdata(line: &str) -> &str {
    line.split_once(" | ").map_or("", |(_, perf)| perf)
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
    let range = env.run(&["check", "shop", "-w", "20:10"]);
    let line = plugin(&range, 3);
    assert!(
        line.starts_with("WEBHOST UNKNOWN - invalid value '20:10' for '--warning <RANGE>': "),
        "{line}"
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
    assert!(help.stdout.contains("--warning <RANGE>"), "{}", help.stdout);
    // Other commands keep their usage errors to stderr.
    let status = env.run(&["status", "--bogus"]);
    assert_eq!((status.code, status.stdout.as_str()), (2, ""));
}

#[test]
fn response_limits_warn_and_go_to_perfdata() {
    let env = Env::new();
    says(
        &env,
        "slow",
        r#"{"status":"online","message":"fine","response_ms":1840}"#,
        None,
    );
    env.run(&["update-instances"]).ok();

    let plain = env.run(&["check", "slow"]);
    assert_eq!(
        plugin(&plain, 0),
        "WEBHOST OK - slow online, fine | 'response'=1840ms;;;0"
    );
    let warn = env.run(&["check", "slow", "-w", "1000", "-c", "5s"]);
    assert_eq!(
        plugin(&warn, 1),
        "WEBHOST WARNING - slow online, fine, response 1840 ms (warning over 1000 ms) \
         | 'response'=1840ms;1000;5000;0"
    );
    let crit = env.run(&["check", "slow", "--warning", "1000", "--critical", "1.5s"]);
    assert_eq!(
        plugin(&crit, 2),
        "WEBHOST CRITICAL - slow online, fine, response 1840 ms (critical over 1500 ms) \
         | 'response'=1840ms;1000;1500;0"
    );
    let fine = env.run(&["check", "slow", "-w", "2s", "-c", "~:3000"]);
    assert_eq!(
        plugin(&fine, 0),
        "WEBHOST OK - slow online, fine | 'response'=1840ms;2000;~:3000;0"
    );
    let under = env.run(&["check", "slow", "-w", "2000:"]);
    assert_eq!(
        plugin(&under, 1),
        "WEBHOST WARNING - slow online, fine, response 1840 ms (warning under 2000 ms) \
         | 'response'=1840ms;2000:;;0"
    );
    let inside = env.run(&["check", "slow", "-c", "@1800:1900"]);
    assert!(
        plugin(&inside, 2).contains("(critical between 1800 and 1900 ms) | "),
        "{}",
        inside.stdout
    );

    let j = env.run(&["--json", "check", "slow", "-w", "1000"]);
    assert_eq!(j.code, 1);
    let j = j.json();
    assert_eq!(j["state"], "WARNING");
    assert_eq!(j["health"], "ok", "the record's own health is not -w's");
    assert_eq!(j["reasons"][0], "response 1840 ms (warning over 1000 ms)");
    assert_eq!(j["metrics"][0]["value"], 1840);
    assert_eq!(j["metrics"][0]["warn"], "1000");
    assert_eq!(j["perfdata"], "'response'=1840ms;1000;;0");

    // A real answer from a real server is a number of milliseconds, and a limit no local
    // answer can miss keeps it OK.
    let site = Server::start(None, |_| Reply::ok("ok"));
    env.add_instance("site", "ping", &["--url", &site.url("/")]);
    env.run(&["update-instances"]).ok();
    let run = env.run(&["check", "site", "-w", "60s", "-c", "120s"]);
    let perf = perfdata(plugin(&run, 0)).to_string();
    let ms = perf
        .strip_prefix("'response'=")
        .and_then(|p| p.strip_suffix("ms;60000;120000;0"));
    assert!(ms.is_some_and(|ms| ms.parse::<u64>().is_ok()), "{perf}");
}

#[test]
fn no_answer_is_u_in_perfdata() {
    let env = Env::sqlite();
    env.add_instance("down", "ping", &["--url", &refused_url()]);
    let failing = Server::start(None, |_| Reply::Body(500, b"boom".to_vec()));
    env.add_instance("boom", "ping", &["--url", &failing.url("/")]);
    says(
        &env,
        "gone",
        r#"{"status":"offline","message":"no pid"}"#,
        None,
    );
    env.run(&["update-instances"]).ok();
    // The store keeps how long the refusal took; that is no response time.
    let stored: Option<i64> = env
        .sql()
        .query_row(
            "SELECT response_ms FROM instances WHERE ref = 'down'",
            [],
            |r| r.get(0),
        )
        .expect("response_ms");
    assert!(stored.is_some(), "the store keeps the time it took to fail");

    let down = env.run(&["check", "down", "-w", "1000", "-c", "2000"]);
    let line = plugin(&down, 2);
    assert!(
        line.starts_with("WEBHOST CRITICAL - down offline, connection refused | "),
        "{line}"
    );
    assert_eq!(perfdata(line), "'response'=U;1000;2000;0");
    let live = env.run(&["check", "down", "--live"]);
    assert_eq!(perfdata(plugin(&live, 2)), "'response'=U;;;0");
    let j = env.run(&["--json", "check", "down"]).json();
    assert_eq!(j["metrics"][0]["label"], "response");
    assert!(j["metrics"][0]["value"].is_null(), "{j}");
    assert_eq!(j["perfdata"], "'response'=U;;;0");
    // A custom probe that says offline and times nothing got no answer either.
    let gone = env.run(&["check", "gone"]);
    assert_eq!(
        plugin(&gone, 2),
        "WEBHOST CRITICAL - gone offline, no pid | 'response'=U;;;0"
    );

    // An HTTP 500 is an answer, however bad: its time is a response time.
    let boom = env.run(&["check", "boom"]);
    let perf = perfdata(plugin(&boom, 2)).to_string();
    let ms = perf
        .strip_prefix("'response'=")
        .and_then(|p| p.strip_suffix("ms;;;0"));
    assert!(ms.is_some_and(|ms| ms.parse::<u64>().is_ok()), "{perf}");

    // Prometheus: no response sample rather than a 0 s one.
    let text = env.run(&["metrics"]).ok().stdout;
    let response_of = |r: &str| {
        text.lines()
            .filter(|l| l.starts_with("webhost_response_seconds{"))
            .filter(|l| l.contains(&format!("ref=\"{r}\"")))
            .count()
    };
    assert_eq!(
        (
            response_of("down"),
            response_of("gone"),
            response_of("boom")
        ),
        (0, 0, 1),
        "{text}"
    );
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

/// The sample lines of family `name` (labels and value, name left out).
fn samples<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.lines()
        .filter_map(|l| l.strip_prefix(name))
        .filter(|l| l.starts_with('{'))
        .collect()
}

#[test]
fn metrics_label_names_are_the_json_ones() {
    let env = Env::new();
    let site = Server::start(None, |_| Reply::ok("ok"));
    env.add_instance("shop", "ping", &["--url", &site.url("/")]);
    env.add_instance("down", "ping", &["--url", &refused_url()]);
    env.run(&["update-instances"]).ok();
    let text = env.run(&["metrics"]).ok().stdout;

    // `api`, as `instance list --json` names the field.
    let response = samples(&text, "webhost_response_seconds");
    assert!(
        response[0].starts_with(r#"{type="instance",ref="shop",api="ping",host=""} "#),
        "{response:?}"
    );
    assert_eq!(
        samples(&text, "webhost_up"),
        [
            r#"{type="instance",ref="down",api="ping",host=""} 0"#,
            r#"{type="instance",ref="shop",api="ping",host=""} 1"#,
        ]
    );
    assert!(!text.contains("kind="), "{text}");

    // The pass label says what `status --json` says.
    let status = env.run(&["--json", "status"]).ok().json();
    let kinds: Vec<&str> = status["passes"]
        .as_array()
        .expect("passes")
        .iter()
        .filter_map(|p| p["pass"].as_str())
        .collect();
    assert!(kinds.contains(&"update-instances"), "{status}");
    let took = samples(&text, "webhost_pass_duration_seconds");
    assert_eq!(took.len(), 1, "{took:?}");
    assert!(
        took[0].starts_with(r#"{pass="update-instances"} "#),
        "{took:?}"
    );
    assert!(
        samples(&text, "webhost_last_pass_timestamp_seconds")[0]
            .starts_with(r#"{pass="update-instances"} "#),
        "{text}"
    );
}
