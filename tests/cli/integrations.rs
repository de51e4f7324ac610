//! `check` (a Nagios/Icinga plugin) and `metrics` (Prometheus), on databases filled by real
//! passes against the local fixture server.

use std::collections::{BTreeMap, HashSet};
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};

use crate::server::{Reply, Server, refused_url};
use crate::support::{Env, Run, now};

/// A server-manager script: `srv` at 78 % of 527371075584 bytes, listing `garage-lefebvre`.
fn manager() -> Server {
    Server::manager(None, |hit| {
        match hit.query.get("action").map(String::as_str) {
            None => Reply::fixture("servermanager-server.json"),
            Some("get-all-instance") => Reply::ok("[\"garage-lefebvre\"]"),
            _ => Reply::fixture("servermanager-instance-garage-lefebvre.json"),
        }
    })
}

/// A site whose answer the test switches.
fn site() -> (Server, Arc<Mutex<Reply>>) {
    let reply = Arc::new(Mutex::new(Reply::ok("ok")));
    let r = reply.clone();
    let server = Server::start(None, move |_| r.lock().expect("reply").clone());
    (server, reply)
}

/// Host `srv` with its discovered instance `garage-lefebvre`, `shop` online, `down` refused,
/// all polled once; `new` added afterwards, never checked.
fn fleet(env: &Env, srv: &Server, shop: &Server) {
    let srv_url = srv.url("/manager/index.php");
    env.add_host("srv", "server-manager-v1", &["--url", &srv_url]);
    let shop_url = shop.url("/");
    env.add_instance("shop", "ping", &["--url", &shop_url]);
    let down_url = refused_url();
    env.add_instance("down", "ping", &["--url", &down_url]);
    env.run(&["update-hosts"]).ok();
    env.run(&["update-instances"]).ok();
    env.add_instance("new", "ping", &["--url", &shop_url]);
}

/// The plugin line, checked to be the one line a plugin prints.
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

fn last_check_at(env: &Env, reference: &str) -> Option<i64> {
    env.scalar(
        "SELECT last_check_at FROM instances WHERE ref = ?1",
        &[reference],
    )
}

fn count_checks(env: &Env) -> i64 {
    env.scalar("SELECT count(*) FROM checks", &[])
        .expect("count checks")
}

#[test]
fn check_exits_with_the_plugin_state() {
    let (srv, (shop, _)) = (manager(), site());
    let env = Env::new();
    fleet(&env, &srv, &shop);

    let ok = env.run(&["check", "shop"]);
    let line = plugin(&ok, 0);
    assert!(
        line.starts_with("WEBHOST OK - shop online, HTTP 200 OK in "),
        "{line}"
    );
    let (_, perf) = line.split_once(" | ").expect("perfdata");
    assert!(
        perf.starts_with("'response'=") && perf.ends_with("ms;;;0"),
        "{perf}"
    );

    // 78 % used: under the default 80 %, over a 75 % warning.
    let line = plugin(&env.run(&["check", "srv"]), 0).to_string();
    assert!(line.starts_with("WEBHOST OK - srv online"), "{line}");
    assert!(
        line.ends_with("'disk_used'=408728190976B;421896860467;474633968026;0;527371075584"),
        "{line}"
    );
    env.run(&["host", "edit", "srv", "--disk-warn", "75%"]).ok();
    let warn = env.run(&["check", "srv"]);
    let line = plugin(&warn, 1);
    assert!(
        line.starts_with("WEBHOST WARNING - srv online, ")
            && line.contains(", disk 78% used (threshold 75%) | "),
        "{line}"
    );
    assert!(
        line.ends_with("'disk_used'=408728190976B;395528306688;474633968026;0;527371075584"),
        "warn is 75 % of the total: {line}"
    );

    let crit = env.run(&["check", "down"]);
    let line = plugin(&crit, 2);
    assert!(
        line.starts_with("WEBHOST CRITICAL - down offline"),
        "{line}"
    );
    assert!(!line.contains("'disk_used'"), "{line}");

    let never = env.run(&["check", "new"]);
    assert_eq!(
        plugin(&never, 3),
        "WEBHOST UNKNOWN - new never checked (is `webhost update-instances` in cron?)"
    );
    let missing = env.run(&["check", "nosuch"]);
    assert_eq!(
        plugin(&missing, 3),
        "WEBHOST UNKNOWN - no host or instance named 'nosuch'"
    );
    assert_eq!(env.run(&["check", "nosuch", "--host"]).code, 3);
    // Its own usage errors are UNKNOWN too, not CRITICAL; other commands' stay 2.
    assert_eq!(env.run(&["check"]).code, 3);
    assert_eq!(env.run(&["check", "shop", "--max-age", "soon"]).code, 3);
    assert_eq!(env.run(&["--json", "check", "shop", "--bogus"]).code, 3);
    assert_eq!(env.run(&["status", "--bogus"]).code, 2);
    assert_eq!(env.run(&["check", "--help"]).code, 0);

    // An hour on: too old for the default 15 minutes, fine for 2 hours.
    let later = last_check_at(&env, "shop").expect("shop checked") + 3600;
    let stale = env.run_at(later, &["check", "shop"]);
    assert!(
        plugin(&stale, 3).starts_with(
            "WEBHOST UNKNOWN - shop last checked 1h ago, longer ago than --max-age 15m"
        ),
        "{}",
        stale.stdout
    );
    assert_eq!(
        env.run_at(later, &["check", "shop", "--max-age", "30m"])
            .code,
        3
    );
    plugin(&env.run_at(later, &["check", "shop", "--max-age", "2h"]), 0);

    env.run(&["instance", "disable", "shop"]).ok();
    assert_eq!(
        plugin(&env.run_at(later, &["check", "shop", "--max-age", "2h"]), 3),
        "WEBHOST UNKNOWN - shop: monitoring is off"
    );

    // A host and an instance of the same name: the plugin must be told which.
    let shop_url = shop.url("/");
    env.add_instance("srv", "ping", &["--url", &shop_url]);
    let both = env.run(&["check", "srv"]);
    assert!(
        plugin(&both, 3).contains("add --host or --instance"),
        "{}",
        both.stdout
    );
    plugin(&env.run(&["check", "srv", "--host"]), 1);
    plugin(&env.run(&["check", "srv", "--instance"]), 3);

    let j = env.run(&["--json", "check", "srv", "--host"]);
    assert_eq!(j.code, 1);
    let j = j.json();
    assert_eq!(j["state"], "WARNING");
    assert_eq!(j["exit_code"], 1);
    assert_eq!(j["type"], "host");
    assert_eq!(j["ref"], "srv");
    assert_eq!(j["status"], "online");
    assert_eq!(j["health"], "warning");
    assert_eq!(j["live"], false);
    assert_eq!(j["reasons"][0], "disk 78% used (threshold 75%)");
    assert!(
        j["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("srv online")),
        "{j}"
    );
    assert!(
        j["perfdata"]
            .as_str()
            .is_some_and(|p| p.ends_with("B;395528306688;474633968026;0;527371075584")),
        "{j}"
    );
    let disk = j["metrics"]
        .as_array()
        .and_then(|m| m.iter().find(|v| v["label"] == "disk_used"))
        .expect("disk_used metric");
    assert_eq!(disk["value"], 408_728_190_976_i64);
    assert_eq!(disk["max"], 527_371_075_584_i64);
    let unknown = env.run(&["--json", "check", "nosuch"]);
    assert_eq!(unknown.code, 3);
    assert_eq!(unknown.json()["state"], "UNKNOWN");
}

#[test]
fn an_unreadable_database_is_unknown() {
    let env = Env::sqlite();
    std::fs::create_dir_all(&env.db).expect("a folder where the database should be");
    let run = env.run(&["check", "shop"]);
    assert!(
        plugin(&run, 3).starts_with("WEBHOST UNKNOWN - "),
        "{}",
        run.stdout
    );
}

#[test]
fn check_live_probes_now_and_stores_nothing() {
    let (server, reply) = site();
    let env = Env::new();
    let url = server.url("/");
    env.add_instance("site", "ping", &["--url", &url]);
    env.run(&["update-instances"]).ok();
    let checked = last_check_at(&env, "site");
    assert!(checked.is_some());
    let checks = count_checks(&env);
    let hits = server.hits().len();

    *reply.lock().expect("reply") = Reply::Body(500, b"boom".to_vec());
    let live = env.run(&["check", "site", "--live"]);
    let line = plugin(&live, 2);
    assert!(
        line.starts_with("WEBHOST CRITICAL - site offline") && line.contains("500"),
        "{line}"
    );
    assert_eq!(server.hits().len(), hits + 1, "one request, now");
    // The stored state still says online.
    plugin(&env.run(&["check", "site"]), 0);
    assert_eq!(last_check_at(&env, "site"), checked, "nothing stored");
    assert_eq!(count_checks(&env), checks);

    // Live needs no stored check at all.
    env.add_instance("fresh", "ping", &["--url", &url]);
    *reply.lock().expect("reply") = Reply::ok("ok");
    assert_eq!(env.run(&["check", "fresh"]).code, 3);
    let fresh = env.run(&["--json", "check", "fresh", "--live", "--timeout", "5s"]);
    assert_eq!(fresh.code, 0, "{}", fresh.stdout);
    let j = fresh.json();
    assert_eq!(j["state"], "OK");
    assert_eq!(j["live"], true);
    assert_eq!(j["metrics"][0]["label"], "response");
    assert_eq!(last_check_at(&env, "fresh"), None, "nothing stored");
    assert_eq!(count_checks(&env), checks);
}

/// One sample of the text exposition format.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `{a="x",b="y\"z"}` → the labels and what follows the closing brace.
fn parse_labels(text: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    let mut rest = text.strip_prefix('{').ok_or("no {")?;
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let (name, after) = rest.split_once("=\"").ok_or("label without =\"")?;
        if !is_label_name(name) {
            return Err(format!("bad label name {name:?}"));
        }
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().ok_or("unterminated label value")? {
                (i, '"') => break i,
                (_, '\\') => match chars.next().ok_or("dangling backslash")?.1 {
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    'n' => value.push('\n'),
                    c => return Err(format!("bad escape \\{c}")),
                },
                (_, '\n') => return Err("raw newline in a label value".into()),
                (_, c) => value.push(c),
            }
        };
        if labels.insert(name.to_string(), value).is_some() {
            return Err(format!("label {name} twice"));
        }
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

fn parse_value(text: &str) -> Result<f64, String> {
    match text {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        t => t.parse().map_err(|e| format!("bad value {t:?}: {e}")),
    }
}

/// Checks every line against the text format (comments, HELP, TYPE, samples; families
/// contiguous and announced before their samples; no series twice) and returns the samples.
fn parse_exposition(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut typed: HashSet<String> = HashSet::new();
    let mut helped: HashSet<String> = HashSet::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut series: HashSet<String> = HashSet::new();
    let mut current: Option<String> = None;
    assert!(text.ends_with('\n'), "the last line ends with a newline");
    for (n, line) in text.lines().enumerate() {
        let fail = |why: &str| -> ! { panic!("line {}: {why}: {line:?}", n + 1) };
        if let Some(comment) = line.strip_prefix('#') {
            let words: Vec<&str> = comment.trim_start().splitn(3, ' ').collect();
            match words.as_slice() {
                ["HELP", name, _help]
                    if !is_metric_name(name) || !helped.insert(name.to_string()) =>
                {
                    fail("bad or repeated HELP")
                }
                ["TYPE", name, kind] => {
                    if !is_metric_name(name) || !typed.insert(name.to_string()) {
                        fail("bad or repeated TYPE");
                    }
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(kind) {
                        fail("unknown type");
                    }
                    if let Some(prev) = current.replace(name.to_string()) {
                        finished.insert(prev);
                    }
                }
                _ => {} // a plain comment
            }
            continue;
        }
        if line.trim().is_empty() {
            fail("blank line");
        }
        let name_end = line.find(['{', ' ']).unwrap_or_else(|| fail("no value"));
        let (name, rest) = line.split_at(name_end);
        if !is_metric_name(name) {
            fail("bad metric name");
        }
        if current.as_deref() != Some(name) || finished.contains(name) {
            fail("sample outside its family, or before its TYPE");
        }
        let (labels, rest) = if rest.starts_with('{') {
            parse_labels(rest).unwrap_or_else(|e| fail(&e))
        } else {
            (BTreeMap::new(), rest)
        };
        let fields: Vec<&str> = rest
            .strip_prefix(' ')
            .unwrap_or_else(|| fail("no space before the value"))
            .split(' ')
            .collect();
        let value = match fields.as_slice() {
            [v] => parse_value(v),
            [v, ts] if ts.parse::<i64>().is_ok() => parse_value(v),
            _ => Err("bad value field".to_string()),
        }
        .unwrap_or_else(|e| fail(&e));
        if !series.insert(format!("{name}{labels:?}")) {
            fail("series twice");
        }
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    samples
}

#[test]
fn the_exposition_parser_catches_bad_lines() {
    let good = "# HELP m a help\n# TYPE m gauge\nm{a=\"x\\\"y\\\\z\\n\"} 1.5\nm 2\n";
    let s = parse_exposition(good);
    assert_eq!(s[0].labels["a"], "x\"y\\z\n");
    assert_eq!(s[1].value, 2.0);
    for bad in [
        "m 1\n",                                      // no TYPE
        "# TYPE m gauge\nm{a=\"x\\q\"} 1\n",          // bad escape
        "# TYPE m gauge\nm{1a=\"x\"} 1\n",            // bad label name
        "# TYPE m gauge\nm one\n",                    // not a float
        "# TYPE m gauge\nm 1\nm 2\n",                 // the same series twice
        "# TYPE m gauge\n# TYPE n gauge\nn 1\nm 1\n", // families interleaved
    ] {
        assert!(
            std::panic::catch_unwind(|| parse_exposition(bad)).is_err(),
            "accepted {bad:?}"
        );
    }
}

/// The value of the one sample of `name` whose labels include all of `want`.
#[track_caller]
fn value(samples: &[Sample], name: &str, want: &[(&str, &str)]) -> Option<f64> {
    let found: Vec<f64> = samples
        .iter()
        .filter(|s| {
            s.name == name
                && want
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .collect();
    assert!(found.len() <= 1, "{name} {want:?} matches {found:?}");
    found.first().copied()
}

#[test]
fn metrics_expose_the_fleet() {
    let (srv, (shop, _)) = (manager(), site());
    let env = Env::new();
    let before = now() as f64;
    fleet(&env, &srv, &shop);
    let shop_url = shop.url("/");
    env.add_instance("off", "ping", &["--url", &shop_url, "--disabled"]);

    let run = env.run(&["metrics"]).ok();
    let samples = parse_exposition(&run.stdout);
    let host = [("type", "host"), ("ref", "srv")];
    assert_eq!(
        value(&samples, "webhost_disk_total_bytes", &host),
        Some(527_371_075_584.0)
    );
    assert_eq!(
        value(&samples, "webhost_disk_used_bytes", &host),
        Some(408_728_190_976.0)
    );
    let srv_labels = samples
        .iter()
        .find(|s| s.name == "webhost_up" && s.labels["ref"] == "srv")
        .map(|s| s.labels.clone())
        .expect("srv is up");
    assert_eq!(srv_labels["api"], "server-manager-v1");
    assert_eq!(srv_labels["host"], "srv");
    let garage = [("type", "instance"), ("ref", "garage-lefebvre")];
    assert_eq!(value(&samples, "webhost_modules", &garage), Some(4.0));
    assert_eq!(
        value(&samples, "webhost_modules_active", &garage),
        Some(3.0)
    );
    assert_eq!(
        value(&samples, "webhost_disk_used_bytes", &garage),
        Some(5_905_580_032.0)
    );
    assert_eq!(
        samples
            .iter()
            .find(|s| s.name == "webhost_up" && s.labels["ref"] == "garage-lefebvre")
            .map(|s| s.labels["host"].as_str()),
        Some("srv")
    );

    let inst = |r| [("type", "instance"), ("ref", r)];
    assert_eq!(value(&samples, "webhost_up", &inst("shop")), Some(1.0));
    assert_eq!(value(&samples, "webhost_up", &inst("down")), Some(0.0));
    assert_eq!(
        value(&samples, "webhost_up", &inst("new")),
        None,
        "never checked"
    );
    assert_eq!(value(&samples, "webhost_health", &inst("shop")), Some(0.0));
    assert_eq!(value(&samples, "webhost_health", &inst("down")), Some(2.0));
    assert_eq!(value(&samples, "webhost_health", &inst("new")), Some(3.0));
    let status = |r, s| {
        value(
            &samples,
            "webhost_status",
            &[("type", "instance"), ("ref", r), ("status", s)],
        )
    };
    assert_eq!(status("down", "offline"), Some(1.0));
    assert_eq!(status("down", "online"), Some(0.0));
    assert_eq!(status("new", "unknown"), Some(1.0));
    // A ping site has no disk and no modules: no sample rather than a 0.
    assert_eq!(
        value(&samples, "webhost_disk_used_bytes", &inst("shop")),
        None
    );
    assert_eq!(value(&samples, "webhost_modules", &inst("shop")), None);
    let response = value(&samples, "webhost_response_seconds", &inst("shop"));
    assert!(
        response.is_some_and(|r| (0.0..10.0).contains(&r)),
        "{response:?}"
    );
    assert!(
        samples
            .iter()
            .all(|s| s.labels.get("ref").map(String::as_str) != Some("off")),
        "disabled records are left out"
    );
    let checked = value(
        &samples,
        "webhost_last_check_timestamp_seconds",
        &inst("shop"),
    );
    assert!(checked.is_some_and(|t| t >= before), "{checked:?}");
    assert_eq!(
        value(
            &samples,
            "webhost_last_check_timestamp_seconds",
            &inst("new")
        ),
        None
    );
    for pass in ["update-hosts", "update-instances"] {
        let started = value(
            &samples,
            "webhost_last_pass_timestamp_seconds",
            &[("pass", pass)],
        );
        assert!(started.is_some_and(|t| t >= before), "{pass}: {started:?}");
        let took = value(&samples, "webhost_pass_duration_seconds", &[("pass", pass)]);
        assert!(
            took.is_some_and(|d| (0.0..60.0).contains(&d)),
            "{pass}: {took:?}"
        );
    }

    // --output: the same text, whole, mode 0644, no temp file beside it.
    let dir = env.path().join("textfile");
    std::fs::create_dir_all(&dir).expect("textfile folder");
    let file = dir.join("webhost.prom");
    let file_arg = file.to_str().expect("utf-8 path");
    std::fs::write(&file, "old contents\n").expect("an older file");
    let quiet = env.run(&["metrics", "--output", file_arg]).ok();
    assert_eq!(quiet.stdout, "", "nothing on stdout");
    let written = std::fs::read_to_string(&file).expect("metrics file");
    assert_eq!(written, run.stdout);
    let mode = std::fs::metadata(&file)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("list folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["webhost.prom"]);

    let nowhere = env.path().join("no-such-folder").join("webhost.prom");
    let nowhere_arg = nowhere.to_str().expect("utf-8 path");
    env.run(&["metrics", "--output", nowhere_arg])
        .fails(1, "cannot write");
}

#[test]
fn metrics_of_an_empty_database() {
    let env = Env::new();
    env.create_empty_db();
    let run = env.run(&["metrics"]).ok();
    assert!(parse_exposition(&run.stdout).is_empty());
    assert!(run.stdout.contains("# TYPE webhost_up gauge\n"));
}
