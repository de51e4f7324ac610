//! Risky settings and disk forecasts end to end: a real observer server whose instances grow
//! over passes run at known times, then `instance show`, `status`, `disks` and
//! `check --forecast` read what the passes stored.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::{Value, json};

use crate::server::{Reply, Server};
use crate::support::Env;

const GIB: i64 = 1 << 30;
const DAY: i64 = 86_400;
/// Noon UTC, so a forecast a second off is still dated the same day.
const T0: i64 = 1_800_000_000 / DAY * DAY + DAY / 2;

/// A WebObserver document: `used` bytes in the client's folder, this security block.
fn document(used: i64, security: Value) -> Vec<u8> {
    json!({
        "apiname": "serverobserver",
        "apiversion": "1.0",
        "dolibarr": {
            "version": "18.0.4",
            "version1": "16.0.2",
            "repertoire_client": {"path": "/home/c/dolibarr", "size": used},
            "data": {"path": "/home/c/dolibarr/documents", "size": 1024},
        },
        "user": {"all": 3, "active": 2},
        "security": security,
    })
    .to_string()
    .into_bytes()
}

/// Bytes each instance uses on `day`: `a` had a 30 GiB backup it deleted on day 3 and grows
/// 2 GiB a day, `b` grows 0.5 GiB a day, `c` 1 GiB a day.
fn used(path: &str, day: i64) -> i64 {
    match path {
        "/a" if day < 3 => 40 * GIB + 2 * GIB * day,
        "/a" => 10 * GIB + 2 * GIB * day,
        "/b" => 2 * GIB + GIB / 2 * day,
        _ => 5 * GIB + GIB * day,
    }
}

fn date(at: i64) -> String {
    let days = at.div_euclid(DAY);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[test]
fn risky_settings_and_disk_forecasts() {
    let day = Arc::new(AtomicI64::new(0));
    let today = day.clone();
    let server = Server::start(None, move |hit| {
        let security = match hit.path.as_str() {
            "/a" => json!({"install_lock": false, "main_features_level": "1",
                "database_pwd_encrypted": "0"}),
            _ => json!({"install_lock": true, "main_features_level": "0",
                "database_pwd_encrypted": "1"}),
        };
        Reply::ok(document(
            used(&hit.path, today.load(Ordering::SeqCst)),
            security,
        ))
    });
    let env = Env::new();
    let (a, b, c) = (server.url("/a"), server.url("/b"), server.url("/c"));
    env.add_instance(
        "a",
        "server-observer-v1",
        &["--url", &a, "--disk-warn", "30G", "--disk-crit", "40G"],
    );
    env.add_instance(
        "b",
        "server-observer-v1",
        &["--url", &b, "--disk-warn", "10G"],
    );
    // Percent thresholds without a partition size: growth, but no date.
    env.add_instance("c", "server-observer-v1", &["--url", &c]);

    // Two passes only: too few readings for a forecast yet.
    for d in 0..2 {
        day.store(d, Ordering::SeqCst);
        env.run_at(T0 + d * DAY, &["update-instances"]).ok();
    }
    let early = env.run_at(T0 + DAY, &["--json", "disks"]).ok().json();
    assert!(
        early
            .as_array()
            .expect("an array")
            .iter()
            .all(|r| r["growth_bytes_per_day"].is_null() && r["first_crossing_at"].is_null()),
        "{early:#}"
    );
    for d in 2..=5 {
        day.store(d, Ordering::SeqCst);
        env.run_at(T0 + d * DAY, &["update-instances"]).ok();
    }
    let now = T0 + 5 * DAY;

    // The risky settings, stored and judged.
    let shown = env
        .run_at(now, &["--json", "instance", "show", "a"])
        .ok()
        .json();
    assert_eq!(
        shown["instance"]["security"],
        json!({"install_lock": false, "main_features_level": 1, "database_pwd_encrypted": false}),
        "{shown:#}"
    );
    assert_eq!(shown["instance"]["dolibarr_version_first"], "16.0.2");
    assert_eq!(shown["instance"]["dolibarr_version"], "18.0.4");
    assert_eq!(shown["health"], "critical", "{shown:#}");
    assert_eq!(
        shown["health_reasons"],
        json!([
            "install wizard not locked (no install.lock)",
            "experimental features on (main_features_level 1)",
            "database password not encrypted"
        ])
    );
    let fine = env
        .run_at(now, &["--json", "instance", "show", "b"])
        .ok()
        .json();
    assert_eq!(fine["health"], "ok", "{fine:#}");
    let text = env.run_at(now, &["instance", "show", "a"]).ok().stdout;
    assert!(text.contains("18.0.4 (first installed 16.0.2)"), "{text}");
    let status = env.run_at(now, &["--json", "status"]).ok().json();
    assert_eq!(
        status["risky_settings"],
        json!({"instances": 1, "install_unlocked": 1, "unstable_features": 1,
            "plain_database_password": 1})
    );
    let status = env.run_at(now, &["status"]).ok().stdout;
    assert!(
        status.contains("risky settings: 1 instance (1 install wizard not locked"),
        "{status}"
    );

    // Forecasts: soonest first; a's deleted backup does not hide its growth.
    let disks = env.run_at(now, &["--json", "disks"]).ok().json();
    let broken = crate::json_schema::errors("disks.schema.json", &disks);
    assert!(broken.is_empty(), "{broken:?}");
    let rows = disks.as_array().expect("an array");
    let refs: Vec<&str> = rows.iter().filter_map(|r| r["ref"].as_str()).collect();
    assert_eq!(refs, ["a", "b", "c"], "{disks:#}");
    let day_of = |v: &Value| v.as_str().map(|s| s[..10].to_string());
    // a: 20 GiB now, 2 GiB a day: 30 GiB in 5 days, 40 GiB in 10; no size, so never "full".
    assert_eq!(rows[0]["growth_bytes_per_day"], 2 * GIB, "{disks:#}");
    assert_eq!(rows[0]["jumps_ignored"], 1);
    assert_eq!(rows[0]["readings"], 6);
    assert_eq!(day_of(&rows[0]["warning_at"]), Some(date(now + 5 * DAY)));
    assert_eq!(day_of(&rows[0]["critical_at"]), Some(date(now + 10 * DAY)));
    assert_eq!(rows[0]["full_at"], Value::Null);
    assert_eq!(rows[0]["first_crossing_at"], rows[0]["warning_at"]);
    // b: 4.5 GiB now, half a GiB a day: 10 GiB in 11 days.
    assert_eq!(rows[1]["growth_bytes_per_day"], GIB / 2);
    assert_eq!(day_of(&rows[1]["warning_at"]), Some(date(now + 11 * DAY)));
    assert_eq!(rows[1]["critical_at"], Value::Null);
    // c: growing, but its thresholds are percentages of a size it does not know.
    assert_eq!(rows[2]["growth_bytes_per_day"], GIB);
    assert_eq!(rows[2]["first_crossing_at"], Value::Null);
    // Tables show local dates: in UTC they are the JSON's.
    let table = env
        .command(&["disks"])
        .env("WEBHOST_NOW", now.to_string())
        .env("TZ", "UTC")
        .output()
        .expect("run disks");
    assert!(table.status.success(), "{table:?}");
    let table = String::from_utf8_lossy(&table.stdout).into_owned();
    let order: Vec<&str> = table
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(order, ["a", "b", "c"], "{table}");
    assert!(table.contains(&date(now + 5 * DAY)), "{table}");
    // a's 90% and full are not known without a partition size: `-`, not `never`.
    let a_row = table.lines().nth(1).unwrap_or_default();
    assert!(a_row.trim_end().ends_with(" -"), "{table}");
    assert!(!table.contains("never"), "{table}");

    // check --forecast: b reaches its warning in 11 days.
    let plain = env.run_at(now, &["check", "b"]);
    assert_eq!(plain.code, 0, "{}", plain.stdout);
    let ahead = env.run_at(now, &["check", "b", "--forecast", "14d"]);
    assert_eq!(ahead.code, 1, "{}", ahead.stdout);
    assert!(
        ahead
            .stdout
            .contains("disk reaches its warning threshold in 11 days"),
        "{}",
        ahead.stdout
    );
    let json = env
        .run_at(now, &["--json", "check", "b", "--forecast", "14d"])
        .json();
    assert_eq!(json["state"], "WARNING", "{json:#}");
    let short = env.run_at(now, &["check", "b", "--forecast", "7d"]);
    assert_eq!(short.code, 0, "{}", short.stdout);
    let never = env.run_at(now, &["check", "c", "--forecast", "14d"]);
    assert_eq!(never.code, 0, "{}", never.stdout);
    // a is CRITICAL already: no install lock.
    let a_check = env.run_at(now, &["check", "a", "--forecast", "14d"]);
    assert_eq!(a_check.code, 2, "{}", a_check.stdout);

    // The first few in `status` and on the page: by the date of their next level.
    let status = env.run_at(now, &["--json", "status"]).ok().json();
    let broken = crate::json_schema::errors("status.schema.json", &status);
    assert!(broken.is_empty(), "{broken:?}");
    let filling = status["disks_filling"].as_array().expect("an array");
    let seen: Vec<(&str, &str, Option<String>)> = filling
        .iter()
        .map(|f| {
            (
                f["ref"].as_str().unwrap_or_default(),
                f["level"].as_str().unwrap_or_default(),
                day_of(&f["at"]),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("a", "warning", Some(date(now + 5 * DAY))),
            ("b", "warning", Some(date(now + 11 * DAY))),
        ],
        "{status:#}"
    );
    assert_eq!(filling[0]["growth_bytes_per_day"], 2 * GIB);
    let one = env
        .run_at(now, &["--json", "status", "--forecasts", "1"])
        .ok()
        .json();
    assert_eq!(one["disks_filling"].as_array().map(Vec::len), Some(1));
    let text = env
        .command(&["status"])
        .env("WEBHOST_NOW", now.to_string())
        .env("TZ", "UTC")
        .output()
        .expect("run status");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    let listed = text
        .split("disks filling soonest")
        .nth(1)
        .unwrap_or_else(|| panic!("no forecasts in {text}"));
    assert!(
        listed.contains(&date(now + 5 * DAY)) && listed.contains("+2 GiB"),
        "{text}"
    );
    let page = env.path().join("page.html");
    let page_arg = page.to_string_lossy().into_owned();
    env.command(&["report", "--html", &page_arg])
        .env("WEBHOST_NOW", now.to_string())
        .env("TZ", "UTC")
        .output()
        .expect("run report");
    let html = std::fs::read_to_string(&page).expect("the page");
    let doc = scraper::Html::parse_document(&html);
    let rows = scraper::Selector::parse("#filling tbody tr").expect("selector");
    let rows: Vec<String> = doc
        .select(&rows)
        .map(|r| r.text().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    // The page writes dates as its language does: `Jan 25, 2027`.
    let (y, m, d) = {
        let iso = date(now + 5 * DAY);
        let n = |r: std::ops::Range<usize>| iso[r].parse::<usize>().unwrap_or_default();
        (n(0..4), n(5..7), n(8..10))
    };
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let english = format!("{} {d}, {y}", months[m - 1]);
    assert_eq!(
        rows[0],
        format!("a warning {english} +2 GiB/day"),
        "{rows:?}"
    );
    // A public page shows no one's disk unless asked for; then in its language.
    let public = |args: &[&str]| {
        let mut all = vec!["report", "--html", &page_arg, "--public"];
        all.extend_from_slice(args);
        env.command(&all)
            .env("WEBHOST_NOW", now.to_string())
            .env("TZ", "UTC")
            .output()
            .expect("run report");
        std::fs::read_to_string(&page).expect("the page")
    };
    assert!(
        !public(&[]).contains("id=\"filling\""),
        "a public page lists disks"
    );
    let french = public(&["--with-disks", "--lang", "fr"]);
    assert!(
        french.contains("Disques bientôt pleins") && french.contains("+2 GiB/jour"),
        "{french}"
    );
}
