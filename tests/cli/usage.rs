//! Help and validation: examples in `--help`, options only where they apply, durations with
//! units, settings that contradict themselves refused, and removed instances staying removed.

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use crate::server::{Reply, Server};
use crate::support::{CANARY, Env, Run};

/// A usage error from the command-line parser: exit 2, its message on the first line.
#[track_caller]
fn refused_by_parser(run: &Run, needle: &str) {
    assert_eq!(
        run.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.contains(needle),
        "first line lacks {needle:?}:\n{}",
        run.stderr
    );
}

fn show(env: &Env, kind: &str, r: &str) -> Value {
    env.run(&["--json", kind, "show", r]).ok().json()
}

fn help(env: &Env, args: &[&str]) -> String {
    env.run(&[args, &["--help"]].concat()).ok().stdout
}

/// The long options a command's `--help` lists.
fn options(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("--")))
        .map(|w| w.trim_end_matches(',').to_string())
        .collect()
}

#[test]
fn the_main_commands_end_their_help_with_real_examples() {
    let env = Env::new();
    for (args, example) in [
        (
            &["host", "add"][..],
            "webhost host add srv1 --api server-manager-v1",
        ),
        (
            &["instance", "add"],
            "webhost instance add shop --api ping --url",
        ),
        (
            &["instance", "remove"],
            "webhost instance remove garage-lefebvre --forget",
        ),
        (&["update-hosts"], "webhost -q update-hosts"),
        (
            &["update-instances"],
            "webhost -q update-instances --keep-days 90",
        ),
        (&["status"], "webhost status --stale 2h"),
        (&["check"], "webhost check shop --max-age 15m"),
        (
            &["report"],
            "webhost report --html /var/www/status/index.html",
        ),
        (&["import"], "webhost import --dry-run fleet.csv"),
        (
            &["config", "set"],
            "webhost config set on-change /usr/local/bin/notify-mail.sh",
        ),
    ] {
        for flag in ["--help", "-h"] {
            let text = env.run(&[args, &[flag]].concat()).ok().stdout;
            let examples = text
                .split("\nExamples:\n")
                .nth(1)
                .unwrap_or_else(|| panic!("{args:?} {flag}: no examples:\n{text}"));
            assert!(examples.contains(example), "{args:?} {flag}:\n{examples}");
        }
    }
}

#[test]
fn options_are_offered_only_where_they_apply() {
    let env = Env::sqlite();
    let instance_remove = options(&help(&env, &["instance", "remove"]));
    assert!(
        !instance_remove.contains(&"--cascade".to_string()),
        "{instance_remove:?}"
    );
    assert!(
        instance_remove.contains(&"--forget".to_string()),
        "{instance_remove:?}"
    );
    let host_remove = options(&help(&env, &["host", "remove"]));
    assert!(
        host_remove.contains(&"--cascade".to_string()),
        "{host_remove:?}"
    );
    assert!(
        !host_remove.contains(&"--forget".to_string()),
        "{host_remove:?}"
    );

    assert!(!options(&help(&env, &["host", "list"])).contains(&"--host".to_string()));
    assert!(options(&help(&env, &["instance", "list"])).contains(&"--host".to_string()));
    refused_by_parser(
        &env.run(&["host", "list", "--host", "srv1"]),
        "unexpected argument '--host'",
    );

    // Hosts are offered, and take, every kind but ping.
    for args in [&["host", "add"][..], &["host", "edit"]] {
        let text = help(&env, args);
        assert!(text.contains("- server-manager-v1:"), "{args:?}:\n{text}");
        assert!(!text.contains("- ping:"), "{args:?} offers ping:\n{text}");
    }
    assert!(help(&env, &["instance", "add"]).contains("- ping:"));
    let run = env.run(&[
        "host",
        "add",
        "p",
        "--api",
        "ping",
        "--url",
        "https://p.example/",
    ]);
    refused_by_parser(&run, "invalid value 'ping' for '--api <API>'");
    assert!(
        run.stderr
            .contains("[possible values: server-observer-v1, server-manager-v1, custom]"),
        "{}",
        run.stderr
    );
    assert!(!env.db.exists(), "a refused command created the database");

    // The same TLS and threshold options on add and edit.
    for rt in ["host", "instance"] {
        let add = options(&help(&env, &[rt, "add"]));
        let edit = options(&help(&env, &[rt, "edit"]));
        for option in [
            "--insecure-tls",
            "--no-insecure-tls",
            "--disk-warn",
            "--disk-crit",
            "--cert-warn-days",
            "--cert-crit-days",
        ] {
            assert!(add.contains(&option.to_string()), "{rt} add lacks {option}");
            assert!(
                edit.contains(&option.to_string()),
                "{rt} edit lacks {option}"
            );
        }
    }

    // Every host subcommand says what it does, and what its REF is.
    let host = help(&env, &["host"]);
    let show_line = host
        .lines()
        .find(|l| l.trim_start().starts_with("show "))
        .unwrap_or_else(|| panic!("no show in:\n{host}"));
    assert!(
        show_line.contains("Show every field of one host"),
        "{show_line}"
    );
    for sub in ["show", "edit", "remove", "enable", "disable"] {
        let text = env.run(&["host", sub, "-h"]).ok().stdout;
        let arg = text
            .lines()
            .skip_while(|l| !l.starts_with("Arguments:"))
            .nth(1)
            .unwrap_or_else(|| panic!("host {sub}: no arguments:\n{text}"));
        assert!(
            arg.trim() != "<REF>",
            "host {sub}: REF undescribed:\n{text}"
        );
    }
}

#[test]
fn insecure_tls_is_one_option_on_add_and_edit_and_old_lines_still_work() {
    let env = Env::new();
    let tls = |r: &str| show(&env, "instance", r)["insecure_tls"].clone();
    env.add_instance(
        "a",
        "ping",
        &["--url", "https://a.example/", "--insecure-tls"],
    );
    assert_eq!(tls("a"), true);
    env.add_instance(
        "b",
        "ping",
        &["--url", "https://b.example/", "--insecure-tls", "false"],
    );
    assert_eq!(tls("b"), false);
    env.add_instance(
        "c",
        "ping",
        &["--url", "https://c.example/", "--no-insecure-tls"],
    );
    assert_eq!(tls("c"), false);
    for (args, want) in [
        (&["--no-insecure-tls"][..], false),
        (&["--insecure-tls"], true),
        // The form edit always took.
        (&["--insecure-tls", "false"], false),
        (&["--insecure-tls", "true"], true),
        // The last one wins, as with git's and cargo's --no- options.
        (&["--insecure-tls", "--no-insecure-tls"], false),
        (
            &["--no-insecure-tls", "--insecure-tls", "--label", "x"],
            true,
        ),
    ] {
        env.run(&[&["instance", "edit", "a"], args].concat()).ok();
        assert_eq!(tls("a"), want, "{args:?}");
    }
    let run = env.run(&["instance", "edit", "a", "--insecure-tls", "maybe"]);
    refused_by_parser(&run, "invalid value 'maybe'");
}

#[test]
fn thresholds_are_set_on_add_as_on_edit() {
    let env = Env::new();
    env.add_host(
        "srv",
        "server-observer-v1",
        &[
            "--url",
            "https://srv.example/",
            "--disk-warn",
            "85%",
            "--disk-crit",
            "95%",
        ],
    );
    let t = &show(&env, "host", "srv")["thresholds"];
    assert_eq!(
        (t["disk_warn"].clone(), t["disk_crit"].clone()),
        ("85%".into(), "95%".into())
    );
    assert_eq!(t["custom"], true);
    env.add_instance(
        "shop",
        "ping",
        &[
            "--url",
            "https://shop.example/",
            "--disk-warn",
            "20G",
            "--cert-warn-days",
            "30",
            "--cert-crit-days",
            "default",
        ],
    );
    let t = &show(&env, "instance", "shop")["thresholds"];
    assert_eq!(t["disk_warn"], (20_u64 << 30).to_string());
    assert_eq!(t["cert_warn_days"], 30);
    assert_eq!(t["cert_crit_days"], 7);
}

#[test]
fn durations_need_a_unit_and_a_sane_size() {
    let env = Env::new();
    env.create_empty_db();
    for args in [
        &["changes", "--since", "7"][..],
        &["update-instances", "--timeout", "7"],
        &["status", "--stale", "7"],
        &["prune", "--older-than", "7"],
    ] {
        refused_by_parser(&env.run(args), "'7' needs a unit: 7s, 7m, 7h, 7d");
    }
    refused_by_parser(
        &env.run(&["changes", "--since", "3y"]),
        "unknown unit 'y' in '3y' (use ms, s, m, h, d or w)",
    );
    for huge in ["999999999999999d", "36501d", "99999999999999999999s"] {
        refused_by_parser(
            &env.run(&["changes", "--since", huge]),
            "too long a duration",
        );
    }
    env.run(&["changes", "--since", "2w"]).ok();
    env.run(&["--json", "changes", "--since", "36500d"])
        .ok()
        .json();
    // A stored setting is a duration too: one line, and nothing stored.
    env.run(&["config", "set", "remind-every", "6"])
        .fails(2, "'6' needs a unit: 6s, 6m, 6h, 6d");
    env.run(&["config", "get", "remind-every"])
        .fails(2, "not set");
}

#[test]
fn a_ping_record_takes_no_token() {
    let env = Env::sqlite();
    let url = "https://shop.example/";
    env.run(&[
        "instance", "add", "shop", "--api", "ping", "--url", url, "--token", CANARY,
    ])
    .fails(2, "--api ping sends no token");
    assert!(!env.db.exists(), "a refused add created the database");
    env.run_with_stdin(
        &[
            "instance",
            "add",
            "shop",
            "--api",
            "ping",
            "--url",
            url,
            "--token-stdin",
        ],
        CANARY,
    )
    .fails(2, "--api ping sends no token");
    assert!(!env.db.exists(), "a refused add created the database");

    env.add_instance("shop", "ping", &["--url", url]);
    env.run(&["instance", "edit", "shop", "--token", CANARY])
        .fails(2, "--api ping sends no token");
    assert_eq!(show(&env, "instance", "shop")["token_set"], false);

    // Turning a record with a token into a ping asks for the token to go.
    env.add_instance(
        "erp",
        "server-observer-v1",
        &[
            "--url",
            "https://erp.example/get-data.php",
            "--token",
            CANARY,
        ],
    );
    env.run(&["instance", "edit", "erp", "--api", "ping"])
        .fails(2, "`edit --clear-token` removes a stored one");
    assert_eq!(show(&env, "instance", "erp")["api"], "server-observer-v1");
    env.run(&["instance", "edit", "erp", "--api", "ping", "--clear-token"])
        .ok();
    let erp = show(&env, "instance", "erp");
    assert_eq!(
        (erp["api"].clone(), erp["token_set"].clone()),
        ("ping".into(), false.into())
    );
}

#[test]
fn a_warning_above_its_critical_threshold_is_refused() {
    let env = Env::sqlite();
    let add = |extra: &[&str]| {
        let base = [
            "instance",
            "add",
            "shop",
            "--api",
            "ping",
            "--url",
            "https://s.example/",
        ];
        env.run(&[&base[..], extra].concat())
    };
    add(&["--disk-warn", "95%", "--disk-crit", "90%"]).fails(
        2,
        "--disk-warn 95% is above --disk-crit 90%: the warning would never show",
    );
    add(&["--cert-warn-days", "5", "--cert-crit-days", "10"]).fails(
        2,
        "--cert-warn-days 5 is fewer days than --cert-crit-days 10",
    );
    add(&["--disk-warn", "95%"]).fails(2, "above the default --disk-crit 90%");
    assert!(!env.db.exists(), "a refused add created the database");
    // A share and an amount cannot be compared: both are taken.
    add(&["--disk-warn", "50G", "--disk-crit", "10%"]).ok();

    env.run(&["instance", "edit", "shop", "--cert-crit-days", "30"])
        .fails(2, "the default --cert-warn-days 21");
    env.run(&[
        "instance",
        "edit",
        "shop",
        "--disk-warn",
        "20G",
        "--disk-crit",
        "10G",
    ])
    .fails(2, "--disk-warn 20G is above --disk-crit 10G");
    let t = &show(&env, "instance", "shop")["thresholds"];
    assert_eq!(t["cert_crit_days"], 7, "a refused edit changed it");
    env.run(&[
        "instance",
        "edit",
        "shop",
        "--cert-warn-days",
        "60",
        "--cert-crit-days",
        "30",
    ])
    .ok();

    // An import is held to the same rule, with the line of the row.
    let file = env.path().join("fleet.json");
    let text = "[\n  {\"type\": \"instance\", \"ref\": \"blog\", \"api\": \"ping\", \
                \"url\": \"https://blog.example/\"},\n  {\"type\": \"instance\", \"ref\": \
                \"wiki\", \"api\": \"ping\", \"url\": \"https://wiki.example/\", \
                \"disk_warn\": \"95%\", \"disk_crit\": \"90%\"}\n]\n";
    std::fs::write(&file, text).expect("write file");
    let run = env.run(&["import", file.to_str().expect("UTF-8")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "fleet.json:3: record 2, instance 'wiki': --disk-warn 95% is above --disk-crit 90%"
        ),
        "{}",
        run.stderr
    );
    env.run(&["instance", "show", "blog"])
        .fails(2, "no instance named 'blog'");
}

#[test]
fn the_change_hook_must_be_a_command_that_can_run() {
    let env = Env::sqlite();
    let script = env.path().join("notify.sh");
    std::fs::write(&script, "#!/bin/sh\nexit 0\n").expect("write script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let path = script.to_str().expect("UTF-8");
    let missing = env.path().join("nope.sh");

    let set = |program: &str| env.run(&["config", "set", "on-change", program, "--flag"]);
    set(missing.to_str().expect("UTF-8")).fails(2, "nope.sh does not exist");
    set(path).fails(2, "notify.sh is not executable (chmod +x it)");
    set(env.path().to_str().expect("UTF-8")).fails(2, "is not a file");
    set("webhost-no-such-hook").fails(2, "no command 'webhost-no-such-hook' in any folder of PATH");
    assert!(!env.db.exists(), "a refused setting created the database");

    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    set(path).ok();
    // A bare name is looked for on PATH, as the hook will be run.
    set("sh").ok();
    let got = env
        .run(&["--json", "config", "get", "on-change"])
        .ok()
        .stdout;
    assert!(got.contains("[\\\"sh\\\",\\\"--flag\\\"]"), "{got}");
}

/// A server-manager host whose listing names garage-lefebvre while `lists` is set.
fn manager(lists: Arc<AtomicBool>) -> Server {
    Server::manager(Some(CANARY), move |hit| {
        match hit.query.get("action").map(String::as_str) {
            None => Reply::fixture("servermanager-server.json"),
            Some("get-all-instance") => {
                let mut names = vec!["boulangerie-martin", "cabinet-durand"];
                if lists.load(Ordering::SeqCst) {
                    names.push("garage-lefebvre");
                }
                Reply::ok(serde_json::to_vec(&names).expect("JSON"))
            }
            Some(_) => Reply::fixture("servermanager-instance-garage-lefebvre.json"),
        }
    })
}

fn created(env: &Env) -> Vec<String> {
    let res = env.run(&["--json", "update-hosts"]).ok().json();
    let srv = res
        .as_array()
        .and_then(|a| a.iter().find(|r| r["ref"] == "srv1"))
        .unwrap_or_else(|| panic!("no srv1 in {res}"));
    assert_eq!(srv["status"], "online", "{res}");
    // Left out when none were.
    srv["created"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn tombstones(env: &Env) -> i64 {
    env.scalar("SELECT count(*) FROM tombstones", &[])
        .expect("count tombstones")
}

#[test]
fn a_removed_instance_its_server_lists_is_not_created_again() {
    let lists = Arc::new(AtomicBool::new(true));
    let server = manager(lists.clone());
    let env = Env::new();
    env.run_with_stdin(
        &[
            "host",
            "add",
            "srv1",
            "--api",
            "server-manager-v1",
            "--url",
            &server.url("/index.php"),
            "--token-stdin",
        ],
        CANARY,
    )
    .ok();
    assert_eq!(
        created(&env),
        ["boulangerie-martin", "cabinet-durand", "garage-lefebvre"]
    );

    let run = env.run(&["instance", "remove", "garage-lefebvre"]).ok();
    assert!(
        run.stderr.contains(
            "removed instance 'garage-lefebvre' and its history; its server still lists it: \
             update-hosts will not add it again while host 'srv1' lists 'garage-lefebvre' \
             (`webhost instance remove garage-lefebvre --forget` lets it"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(created(&env).is_empty());
    env.run(&["instance", "show", "garage-lefebvre"])
        .fails(2, "no instance named 'garage-lefebvre'");

    // --forget: the next pass adds it again.
    let run = env
        .run(&["instance", "remove", "garage-lefebvre", "--forget"])
        .ok();
    assert!(
        run.stderr
            .contains("forgot that instance 'garage-lefebvre' was removed"),
        "{}",
        run.stderr
    );
    env.run(&["instance", "remove", "garage-lefebvre", "--forget"])
        .fails(2, "no instance named 'garage-lefebvre'");
    assert_eq!(created(&env), ["garage-lefebvre"]);

    // The tombstone goes once its server stops listing the name: a later install is new.
    env.run(&["instance", "remove", "garage-lefebvre"]).ok();
    assert_eq!(tombstones(&env), 1);
    lists.store(false, Ordering::SeqCst);
    assert!(created(&env).is_empty());
    assert_eq!(
        tombstones(&env),
        0,
        "not lifted when the list left the name out"
    );
    lists.store(true, Ordering::SeqCst);
    assert_eq!(created(&env), ["garage-lefebvre"]);

    // A discovered instance its server no longer lists leaves nothing.
    lists.store(false, Ordering::SeqCst);
    created(&env);
    assert_eq!(
        show(&env, "instance", "garage-lefebvre")["status"],
        "missing"
    );
    let run = env.run(&["instance", "remove", "garage-lefebvre"]).ok();
    assert!(!run.stderr.contains("lists"), "{}", run.stderr);
    assert_eq!(tombstones(&env), 0);

    // Tombstones go with their host.
    lists.store(true, Ordering::SeqCst);
    assert_eq!(created(&env), ["garage-lefebvre"]);
    env.run(&["instance", "remove", "garage-lefebvre"]).ok();
    assert_eq!(tombstones(&env), 1);
    env.run(&["host", "remove", "srv1", "--cascade"]).ok();
    assert_eq!(tombstones(&env), 0);
}

#[test]
fn an_instance_added_by_hand_on_a_server_manager_host_stays_removed_too() {
    let server = manager(Arc::new(AtomicBool::new(true)));
    let env = Env::new();
    env.add_host(
        "srv1",
        "server-manager-v1",
        &["--url", &server.url("/index.php"), "--token", CANARY],
    );
    env.add_instance("garage-lefebvre", "server-manager-v1", &["--host", "srv1"]);
    let run = env.run(&["instance", "remove", "garage-lefebvre"]).ok();
    assert!(
        run.stderr.contains(
            "and its history; update-hosts will not add it again while host 'srv1' lists \
             'garage-lefebvre'"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(created(&env), ["boulangerie-martin", "cabinet-durand"]);
}
