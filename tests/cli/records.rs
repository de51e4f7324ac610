//! Adding, listing, showing, editing, enabling and removing hosts and instances.

use crate::support::{CANARY, Env};

fn add_fleet(env: &Env) {
    env.run_with_stdin(
        &[
            "host",
            "add",
            "srv1",
            "--api",
            "server-manager-v1",
            "--url",
            "https://srv1.example.com/manager.php",
            "--token-stdin",
            "--label",
            "Main server",
        ],
        &format!("{CANARY}\n"),
    )
    .ok();
    env.add_instance("shop", "ping", &["--url", "https://shop.example.com/"]);
    env.add_instance("garage", "server-manager-v1", &["--host", "srv1"]);
}

#[test]
fn add_list_show_hosts_and_instances() {
    let env = Env::new();
    add_fleet(&env);

    let hosts = env.run(&["--json", "host", "list"]).ok().json();
    let hosts = hosts.as_array().expect("array");
    assert_eq!(hosts.len(), 1);
    let h = &hosts[0];
    assert_eq!(h["ref"], "srv1");
    assert_eq!(h["type"], "host");
    assert_eq!(h["label"], "Main server");
    assert_eq!(h["api"], "server-manager-v1");
    assert_eq!(h["url"], "https://srv1.example.com/manager.php");
    assert_eq!(h["token_set"], true);
    assert!(h.get("token").is_none(), "token in list --json");
    assert_eq!(h["enabled"], true);
    assert_eq!(h["status"], "unknown");
    assert_eq!(h["last_check_at"], serde_json::Value::Null);

    let inst = env.run(&["--json", "instance", "list"]).ok().json();
    let refs: Vec<&str> = inst
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["ref"].as_str().unwrap_or(""))
        .collect();
    // Instances on a host first (by host), then the others.
    assert_eq!(refs, ["garage", "shop"]);
    let garage = &inst[0];
    assert_eq!(garage["instance"]["host"], "srv1");
    assert_eq!(
        garage["instance"]["remote_name"], "garage",
        "remote name defaults to the ref"
    );
    assert_eq!(garage["url"], serde_json::Value::Null);
    assert_eq!(inst[1]["api"], "ping");
    assert_eq!(inst[1]["token_set"], false);

    let table = env.run(&["host", "list"]).ok().stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("REF") && lines[0].contains("STATUS"),
        "{table}"
    );
    assert!(
        lines[1].starts_with("srv1")
            && lines[1].contains("Main server")
            && lines[1].contains("never"),
        "{table}"
    );

    let filtered = env
        .run(&["--json", "instance", "list", "--host", "srv1"])
        .ok()
        .json();
    assert_eq!(filtered.as_array().map(Vec::len), Some(1));

    let show = env.run(&["instance", "show", "garage"]).ok().stdout;
    assert!(show.contains("host:") && show.contains("srv1"), "{show}");
    assert!(show.contains("modules (0)"), "{show}");
}

#[test]
fn tokens_are_hidden_unless_asked_for() {
    let env = Env::new();
    add_fleet(&env);
    let shown = env.run(&["host", "show", "srv1"]).ok().stdout;
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("token:") && l.trim_end().ends_with("set")),
        "{shown}"
    );
    let json = env.run(&["--json", "host", "show", "srv1"]).ok().json();
    assert_eq!(json["token_set"], true);
    assert!(json.get("token").is_none());

    let with = env
        .run(&["--json", "host", "show", "srv1", "--show-token"])
        .ok()
        .json();
    assert_eq!(with["token"], CANARY);
    let with = env
        .run(&["host", "show", "srv1", "--show-token"])
        .ok()
        .stdout;
    assert!(with.contains(CANARY));
}

#[test]
fn token_sources() {
    let env = Env::new();
    let file = env.path().join("token.txt");
    std::fs::write(&file, "from-file-token\nignored\n").expect("write token");
    assert_eq!(
        env.run(&[
            "host",
            "add",
            "a",
            "--api",
            "server-observer-v1",
            "--url",
            "http://a.example/",
            "--token-file"
        ])
        .code,
        2
    );
    env.run(&[
        "host",
        "add",
        "a",
        "--api",
        "server-observer-v1",
        "--url",
        "http://a.example/",
        "--token-file",
        file.to_str().expect("utf-8 path"),
    ])
    .ok();
    let a = env
        .run(&["--json", "host", "show", "a", "--show-token"])
        .ok()
        .json();
    assert_eq!(a["token"], "from-file-token");
    let both = env.run(&[
        "host",
        "add",
        "b",
        "--api",
        "server-observer-v1",
        "--url",
        "http://b.example/",
        "--token",
        "t1",
        "--token-stdin",
    ]);
    assert_eq!(both.code, 2);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
}

#[test]
fn edit_enable_disable() {
    let env = Env::new();
    add_fleet(&env);
    env.run(&[
        "instance",
        "edit",
        "shop",
        "--label",
        "Web shop",
        "--url",
        "http://shop.example.com/health",
    ])
    .ok();
    env.run(&["instance", "disable", "shop"]).ok();
    let shop = env.run(&["--json", "instance", "show", "shop"]).ok().json();
    assert_eq!(shop["label"], "Web shop");
    assert_eq!(shop["url"], "http://shop.example.com/health");
    assert_eq!(shop["enabled"], false);

    let disabled = env
        .run(&["--json", "instance", "list", "--disabled"])
        .ok()
        .json();
    assert_eq!(disabled.as_array().map(Vec::len), Some(1));
    let enabled = env
        .run(&["--json", "instance", "list", "--enabled"])
        .ok()
        .json();
    assert_eq!(enabled[0]["ref"], "garage");

    env.run(&["instance", "enable", "shop"]).ok();
    let shop = env.run(&["--json", "instance", "show", "shop"]).ok().json();
    assert_eq!(shop["enabled"], true);

    env.run(&[
        "host",
        "edit",
        "srv1",
        "--rename",
        "srv-main",
        "--clear-token",
    ])
    .ok();
    let h = env.run(&["--json", "host", "show", "srv-main"]).ok().json();
    assert_eq!(h["token_set"], false);
    // The instance follows its host's new name.
    let g = env
        .run(&["--json", "instance", "show", "garage"])
        .ok()
        .json();
    assert_eq!(g["instance"]["host"], "srv-main");

    env.run(&["instance", "edit", "shop", "--rename", "garage"])
        .fails(2, "already exists");
    env.run(&["instance", "disable", "nope"])
        .fails(2, "no instance named 'nope'");
}

#[test]
fn remove_refuses_a_host_with_instances_unless_cascade() {
    let env = Env::new();
    add_fleet(&env);
    env.run(&["host", "remove", "srv1"]).fails(2, "garage");
    env.run(&["instance", "remove", "shop"]).ok();
    env.run(&["--json", "instance", "show", "shop"])
        .fails(2, "no instance named 'shop'");
    env.run(&["host", "remove", "srv1", "--cascade"]).ok();
    let inst = env.run(&["--json", "instance", "list"]).ok().json();
    assert_eq!(inst, serde_json::json!([]));
    let hosts = env.run(&["--json", "host", "list"]).ok().json();
    assert_eq!(hosts, serde_json::json!([]));
}

/// Each invalid input: exit 2, one line naming the problem, and the database untouched.
#[test]
fn validation_errors_write_nothing() {
    let env = Env::sqlite();
    // Bad input before any database exists does not create one.
    env.run(&[
        "host",
        "add",
        "bad ref",
        "--api",
        "server-observer-v1",
        "--url",
        "https://a.example/",
    ])
    .fails(2, "invalid host ref 'bad ref'");
    assert!(!env.db.exists(), "a rejected command created the database");

    add_fleet(&env);
    let before = env.db_bytes();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "host",
                "add",
                "srv1",
                "--api",
                "server-observer-v1",
                "--url",
                "https://x.example/",
            ],
            "already exists",
        ),
        (
            &[
                "host",
                "add",
                "p",
                "--api",
                "ping",
                "--url",
                "https://x.example/",
            ],
            // Not even offered: its possible values leave ping out.
            "invalid value 'ping' for '--api <API>'",
        ),
        (
            &[
                "host",
                "add",
                "u",
                "--api",
                "server-observer-v1",
                "--url",
                "ftp://x.example/",
            ],
            "not http or https",
        ),
        (
            &[
                "host",
                "add",
                "u",
                "--api",
                "server-observer-v1",
                "--url",
                "x.example",
            ],
            "invalid URL",
        ),
        (
            &[
                "host",
                "add",
                "c",
                "--api",
                "custom",
                "--url",
                "https://x.example/",
            ],
            "needs --probe",
        ),
        (
            &[
                "host",
                "add",
                "k",
                "--api",
                "nosuchkind",
                "--url",
                "https://x.example/",
            ],
            "invalid value 'nosuchkind'",
        ),
        (
            &[
                "instance",
                "add",
                "shop",
                "--api",
                "ping",
                "--url",
                "https://x.example/",
            ],
            "already exists",
        ),
        (
            &["instance", "add", "m", "--api", "server-manager-v1"],
            "needs --host",
        ),
        (
            &[
                "instance",
                "add",
                "m",
                "--api",
                "server-manager-v1",
                "--host",
                "nohost",
            ],
            "no host named 'nohost'",
        ),
        (&["instance", "add", "n", "--api", "ping"], "needs --url"),
        (
            &[
                "instance",
                "add",
                "x/y",
                "--api",
                "ping",
                "--url",
                "https://x.example/",
            ],
            "invalid instance ref",
        ),
        (
            &["instance", "edit", "shop", "--url", "notaurl"],
            "invalid URL",
        ),
        (&["instance", "edit", "shop"], "nothing to change"),
    ];
    for (args, needle) in cases {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(needle),
            "{args:?}: stderr lacks {needle:?}: {}",
            run.stderr
        );
        assert_eq!(env.db_bytes(), before, "{args:?} changed the database");
    }

    // A server-manager instance on a host of another kind.
    env.add_host(
        "obs",
        "server-observer-v1",
        &["--url", "https://o.example/"],
    );
    env.run(&[
        "instance",
        "add",
        "m",
        "--api",
        "server-manager-v1",
        "--host",
        "obs",
    ])
    .fails(2, "needs a server-manager-v1 host");
}
