//! `webhost migrate`: a SQLite fleet with real history (passes against a server on 127.0.0.1 at
//! chosen times, a status change, an upgrade, settings, a maintenance window, advisories, a
//! token) copied into a fresh PostgreSQL database, then every reading command run on both with
//! the same clock: their outputs must be the same. Needs a server (`WEBHOST_TEST_PG`); without
//! one there is nothing to copy into, and the test passes without running.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use crate::json_schema::errors;
use crate::server::{Reply, Server, fixture};
use crate::support::{CANARY, Env, PgDatabase, Run, now, pg_server};

/// A server-manager host (`/manager`), a Dolibarr (`/martin`, upgraded once `upgraded` is set)
/// and a website (`/shop`, answering 500 while `down` is set).
fn fleet_server(upgraded: Arc<AtomicBool>, down: Arc<AtomicBool>) -> Server {
    Server::manager(Some(CANARY), move |hit| {
        let action = hit.query.get("action").map(String::as_str);
        match (hit.path.as_str(), action) {
            ("/martin", _) => {
                let mut doc: Value =
                    serde_json::from_slice(&fixture("webobserver-instance.json")).expect("JSON");
                if upgraded.load(Ordering::SeqCst) {
                    doc["dolibarr"]["version"] = "19.0.4".into();
                    doc["module"]["modSubtotal"]["version"] = "3.25.0".into();
                }
                Reply::ok(doc.to_string())
            }
            ("/shop", _) if down.load(Ordering::SeqCst) => Reply::Body(500, b"boom".to_vec()),
            ("/shop", _) => Reply::ok("<html>shop</html>"),
            ("/manager", None) => Reply::fixture("servermanager-server.json"),
            ("/manager", Some("get-all-instance")) => {
                Reply::fixture("servermanager-instances.json")
            }
            ("/manager", Some("get-info-instance")) => {
                Reply::fixture("servermanager-instance-garage-lefebvre.json")
            }
            _ => Reply::Body(404, b"not found".to_vec()),
        }
    })
}

/// A database on the test server, as an `Env` the binary runs against.
fn pg_env(server: &str) -> Env {
    let pg = PgDatabase::create(server);
    Env {
        dir: tempfile::tempdir().expect("temp dir"),
        db: PathBuf::from(pg.url()),
        pg: Some(pg),
    }
}

/// A SQLite fleet with two days of history (the first pruned into a roll-up), the last pass a
/// minute before `t`.
fn fleet(server: &Server, upgraded: &AtomicBool, down: &AtomicBool, t: i64) -> Env {
    let env = Env::sqlite();
    env.run_with_stdin(
        &[
            "host",
            "add",
            "srv1",
            "--api",
            "server-manager-v1",
            "--url",
            &server.url("/manager"),
            "--token-stdin",
            "--label",
            "Main server",
        ],
        CANARY,
    )
    .ok();
    env.add_instance(
        "martin",
        "server-observer-v1",
        &["--url", &server.url("/martin"), "--disk-warn", "50%"],
    );
    env.add_instance("shop", "ping", &["--url", &server.url("/shop")]);
    env.run(&["config", "set", "failure-threshold", "1"]).ok();
    env.run(&["config", "set", "remind-every", "6h"]).ok();
    for (i, at) in [t - 2 * 86_400, t - 3 * 3600, t - 2 * 3600, t - 3600, t - 60]
        .into_iter()
        .enumerate()
    {
        // The shop is down for one pass; martin is upgraded half way.
        down.store(i == 2, Ordering::SeqCst);
        upgraded.store(i >= 3, Ordering::SeqCst);
        env.run_at(at, &["update-hosts"]).ok();
        env.run_at(at, &["update-instances"]).ok();
    }
    env.run_at(
        t - 1800,
        &[
            "maintenance",
            "add",
            "--ref",
            "martin",
            "--for",
            "2h",
            "--reason",
            "upgrade",
        ],
    )
    .ok();
    env.run(&[
        "maintenance",
        "add",
        "--all",
        "--every",
        "sun 02:00",
        "--for",
        "2h",
    ])
    .ok();
    // The first day's checks become a daily roll-up.
    env.run_at(t, &["prune", "--older-than", "1d"]).ok();
    let osv = env.path().join("osv.json");
    std::fs::write(
        &osv,
        r#"{"id":"GHSA-test","aliases":["CVE-2099-1"],"summary":"test",
        "affected":[{"package":{"ecosystem":"Packagist","name":"dolibarr/dolibarr"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"19.0.0"},{"fixed":"19.0.5"}]}]}],
        "database_specific":{"severity":"HIGH"}}"#,
    )
    .expect("write the advisory");
    let overrides = env.path().join("overrides.toml");
    std::fs::write(
        &overrides,
        "[[advisory]]\nid = \"LOCAL-1\"\nversions = [\"19.0.4\"]\n",
    )
    .expect("write the overrides");
    env.run(&[
        "advisories",
        "import",
        osv.to_str().expect("UTF-8"),
        "--overrides",
        overrides.to_str().expect("UTF-8"),
    ])
    .ok();
    // An instance its server still lists, removed: a tombstone.
    let removed = env
        .run(&["--json", "instance", "remove", "cabinet-durand"])
        .ok();
    assert_eq!(removed.json()["tombstone"], true);
    // A hook that fails keeps its alert for the next pass.
    env.run(&["config", "set", "on-change", "/bin/false"]).ok();
    down.store(true, Ordering::SeqCst);
    env.run_at(t - 30, &["update-instances", "--ref", "shop"])
        .ok();
    down.store(false, Ordering::SeqCst);
    env
}

/// Each table's rows in the SQLite file and its tokens' file.
fn sqlite_rows(env: &Env, table: &str) -> u64 {
    let conn = env.sql();
    let secrets = env.db.with_file_name("webhost.secrets.db");
    conn.execute(
        "ATTACH DATABASE ?1 AS secrets",
        [secrets.to_str().expect("UTF-8")],
    )
    .expect("attach the tokens");
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n as u64)
    .expect("count")
}

/// Every reading command, as run on each store.
fn reading_commands(month: &str) -> Vec<Vec<String>> {
    let commands: &[&[&str]] = &[
        &["--json", "status"],
        &[
            "--json",
            "status",
            "--forecasts",
            "10",
            "--certs",
            "10",
            "--stale",
            "2h",
        ],
        &["--json", "host", "list"],
        &["--json", "instance", "list"],
        &["--json", "instance", "list", "--uptime"],
        &["--json", "host", "show", "srv1"],
        &["--json", "instance", "show", "martin"],
        &["--json", "instance", "show", "shop"],
        &["--json", "instance", "show", "garage-lefebvre"],
        &["--json", "host", "show", "srv1", "--show-token"],
        &["--json", "history", "--host", "srv1", "--since", "24h"],
        &["--json", "history", "martin", "--since", "24h"],
        &["--json", "history", "shop", "--since", "24h"],
        &["--json", "modules"],
        &["--json", "modules", "--flat"],
        &["--json", "versions"],
        &["--json", "changes", "--since", "24h"],
        &["--json", "disks"],
        &["--json", "audit"],
        &["--json", "audit", "--by", "instance"],
        &["--json", "advisories", "list"],
        &["--json", "sla", "--month", month],
        &["--json", "maintenance", "list"],
        &["--json", "config", "list"],
        &["--json", "config", "get", "failure-threshold"],
        &["--json", "export", "--format", "json"],
        &["export", "--format", "json", "--with-tokens"],
        &["export", "--format", "csv"],
        &["metrics"],
        &["--json", "check", "martin"],
        &["--json", "check", "shop"],
        &["--json", "check", "--host", "srv1"],
        &["status"],
        &["instance", "list"],
    ];
    commands
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// Each command's exit code and output on `env` at `t`, then the status page it writes.
fn outputs(env: &Env, t: i64, month: &str) -> Vec<(String, i32, String)> {
    let mut all: Vec<(String, i32, String)> = reading_commands(month)
        .iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let Run {
                code,
                stdout,
                stderr,
            } = env.run_at(t, &args);
            assert!(
                !stdout.trim().is_empty(),
                "`{args:?}` printed nothing: {stderr}"
            );
            (args.join(" "), code, stdout)
        })
        .collect();
    for (name, args) in [
        ("report", &["report", "--since", "7d"][..]),
        ("sla", &["sla", "--month", month, "--lang", "en"][..]),
    ] {
        let page = env.path().join(format!("{name}.html"));
        let page_arg = page.to_str().expect("UTF-8 path");
        env.run_at(t, &[args, &["--html", page_arg]].concat()).ok();
        let html = std::fs::read_to_string(&page).expect("the page");
        all.push((format!("{name} --html"), 0, html));
    }
    all
}

fn migrate(source: &Env, dest: &Env) -> Run {
    source.run(&[
        "--json",
        "migrate",
        "--from",
        &format!("sqlite:{}", source.db.display()),
        "--to",
        dest.db.to_str().expect("UTF-8 URL"),
    ])
}

#[test]
fn a_sqlite_fleet_reads_the_same_after_its_migration_to_postgresql() {
    let Some(server_url) = pg_server() else {
        return;
    };
    let (upgraded, down) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let server = fleet_server(upgraded.clone(), down.clone());
    let t = now();
    let source = fleet(&server, &upgraded, &down, t);
    let month = jiff::Timestamp::from_second(t)
        .expect("now")
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m")
        .to_string();
    let before = outputs(&source, t, &month);

    let dest = pg_env(&server_url);
    let run = migrate(&source, &dest).ok();
    let copied = run.json();
    let broken = errors("migrate.schema.json", &copied);
    assert!(broken.is_empty(), "{broken:?}\n{copied:#}");
    let rows = |table: &str| {
        copied["tables"]
            .as_array()
            .and_then(|ts| ts.iter().find(|x| x["table"] == table))
            .and_then(|x| x["rows"].as_u64())
            .unwrap_or_else(|| panic!("no table {table} in {copied:#}"))
    };
    // Every table has all its rows, on the server too.
    let tables = copied["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), 19, "{copied:#}");
    for x in tables {
        let table = x["table"].as_str().expect("a name");
        let in_sqlite = Some(sqlite_rows(&source, table));
        let in_pg = dest
            .scalar(&format!("SELECT count(*) FROM {table}"), &[])
            .map(|n| n as u64);
        assert_eq!(
            (x["rows"].as_u64(), in_pg),
            (in_sqlite, in_sqlite),
            "{table}"
        );
    }
    // What the fleet holds is all there: the history, the inventory, the settings, the token.
    for table in [
        "hosts",
        "instances",
        "checks",
        "modules",
        "passes",
        "state_changes",
        "inventory_changes",
        "daily",
        "config",
        "advisories",
        "advisory_overrides",
        "alerts",
        "tombstones",
        "disk_levels",
        "disk_trends",
        "poller_views",
        "maintenance",
        "maintenance_records",
        "secrets.tokens",
    ] {
        assert!(rows(table) > 0, "{table} copied nothing: {copied:#}");
    }

    // Every reading command says the same on both, at the same time.
    let after = outputs(&dest, t, &month);
    for ((args, code, out), (_, pg_code, pg_out)) in before.iter().zip(&after) {
        assert_eq!(
            (code, out),
            (pg_code, pg_out),
            "`{args}` differs after the migration"
        );
    }
    // The token came along (the tokens' file is not the database).
    let shown = dest.run(&["host", "show", "srv1", "--show-token"]).ok();
    assert!(shown.stdout.contains(CANARY), "{}", shown.stdout);

    // A second copy into it is refused, and changes nothing.
    migrate(&source, &dest).fails(2, "already holds data");
    assert_eq!(outputs(&dest, t, &month), after);

    // The copied ids go on: a pass on the server stores its checks after them, and a new
    // record gets a new id.
    let checks = |env: &Env| {
        env.run_at(t + 60, &["--json", "history", "shop", "--since", "24h"])
            .ok()
            .json()["checks"]
            .as_array()
            .map_or(0, Vec::len)
    };
    let stored = checks(&dest);
    dest.run_at(t + 60, &["update-instances"]).ok();
    dest.run_at(t + 60, &["update-hosts"]).ok();
    dest.add_instance("shop2", "ping", &["--url", &server.url("/shop")]);
    dest.run(&["config", "set", "remind-every", "12h"]).ok();
    assert_eq!(checks(&dest), stored + 1);
}

#[test]
fn migrate_refuses_what_it_cannot_copy() {
    let source = Env::sqlite();
    source.add_instance("shop", "ping", &["--url", "http://127.0.0.1:9/"]);
    let from = format!("sqlite:{}", source.db.display());
    // Said before any server is asked.
    source
        .run(&["migrate", "--from", &from, "--to", "mysql://u@h/db"])
        .fails(2, "not a PostgreSQL URL");
    let refused = source.run(&[
        "migrate",
        "--from",
        &from,
        "--to",
        "postgres://u:hunter2@h/db",
    ]);
    assert!(!refused.stderr.contains("hunter2"), "{}", refused.stderr);
    refused.fails(2, "PGPASSFILE");
    source
        .run(&[
            "migrate",
            "--from",
            "postgres://u@h/db",
            "--to",
            "postgres://u@h/db",
        ])
        .fails(2, "must be a SQLite database");
    source
        .run(&[
            "migrate",
            "--from",
            "/nonexistent/webhost.db",
            "--to",
            "postgres://u@h/db",
        ])
        .fails(1, "no webhost database at /nonexistent/webhost.db");
    assert_eq!(
        source.run(&["migrate", "--from", &from]).code,
        2,
        "--to is required"
    );
}
