//! `webhost sla`: a record polled at set times (WEBHOST_NOW) against a fixture server that goes
//! down for a known time; its month's figures, in JSON, CSV and the statement page in French and
//! English; the same after its raw checks were pruned; and the public status page in French.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use scraper::{Html, Selector};
use serde_json::Value;

use crate::server::{Reply, Server, refused_url};
use crate::support::Env;

/// 2026-11-01T00:00:00Z.
const NOV: i64 = 1_793_491_200;

fn text(doc: &Html, css: &str) -> String {
    let sel = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"));
    doc.select(&sel)
        .next()
        .unwrap_or_else(|| panic!("nothing matches {css}"))
        .text()
        .collect::<String>()
        .trim()
        .to_string()
}

/// `shop` checked at 00:00 (up), 00:10 (down) and 00:30 (up) on Nov 1st: 20 minutes down out of
/// 2 h 30 watched (the last check holds 2 hours), 86.66 %. And `blog`, up throughout.
fn outage() -> (Env, Server) {
    let down = Arc::new(AtomicBool::new(false));
    let flag = down.clone();
    let server = Server::start(None, move |hit| match hit.path.as_str() {
        "/shop" if flag.load(Ordering::SeqCst) => Reply::Body(503, b"down".to_vec()),
        _ => Reply::ok("hello"),
    });
    let env = Env::new();
    env.add_instance(
        "shop",
        "ping",
        &["--url", &server.url("/shop"), "--label", "=cmd()<script>"],
    );
    env.add_instance("blog", "ping", &["--url", &server.url("/blog")]);
    for (at, is_down) in [(NOV, false), (NOV + 600, true), (NOV + 1800, false)] {
        down.store(is_down, Ordering::SeqCst);
        env.run_at(at, &["update-instances"]).ok();
    }
    (env, server)
}

fn record<'a>(v: &'a Value, r: &str) -> &'a Value {
    v["records"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["ref"] == r))
        .unwrap_or_else(|| panic!("no {r} in {v}"))
}

#[test]
fn a_known_outage_gives_its_minutes_and_the_target_verdict() {
    let (env, _server) = outage();
    let v = env
        .run_at(NOV + 40 * 86_400, &["--json", "sla", "--month", "2026-11"])
        .ok()
        .json();
    assert_eq!(v["from"], "2026-11-01T00:00:00Z");
    assert_eq!(v["to"], "2026-12-01T00:00:00Z");
    assert_eq!(v["counted_until"], "2026-12-01T00:00:00Z");
    assert_eq!(v["target_percent"], 99.9);
    let shop = record(&v, "shop");
    assert_eq!(shop["observed_seconds"], 9000);
    assert_eq!(shop["downtime_seconds"], 1200);
    assert_eq!(shop["downtime_minutes"], 20);
    assert_eq!(shop["availability_percent"], 86.66);
    assert_eq!(shop["incident_count"], 1);
    assert_eq!(shop["longest_incident_seconds"], 1200);
    assert_eq!(shop["target_met"], false);
    assert_eq!(shop["approximate"], false);
    assert_eq!(shop["incidents"][0]["start"], "2026-11-01T00:10:00Z");
    assert_eq!(shop["incidents"][0]["end"], "2026-11-01T00:30:00Z");
    assert_eq!(shop["incidents"][0]["cause"], "record");
    let blog = record(&v, "blog");
    assert_eq!(blog["availability_percent"], 100.0);
    assert_eq!(blog["target_met"], true);
    assert_eq!(blog["incident_count"], 0);

    // A lower target is met; one record only with --ref.
    let v = env
        .run(&[
            "--json", "sla", "--month", "2026-11", "--ref", "shop", "--target", "86.5",
        ])
        .ok()
        .json();
    assert_eq!(v["records"].as_array().map(Vec::len), Some(1));
    assert_eq!(record(&v, "shop")["target_met"], true);

    // Another month saw nothing.
    let v = env
        .run(&["--json", "sla", "--month", "2026-10"])
        .ok()
        .json();
    assert_eq!(record(&v, "shop")["availability_percent"], Value::Null);
    assert_eq!(record(&v, "shop")["target_met"], Value::Null);

    // The table says it too.
    let table = env.run(&["sla", "--month", "2026-11"]).ok();
    let line = table
        .stdout
        .lines()
        .find(|l| l.contains("shop"))
        .unwrap_or_else(|| panic!("no shop line:\n{}", table.stdout));
    assert!(
        line.contains("86.66 %") && line.contains("20 min") && line.contains("MISSED"),
        "{line}"
    );
}

/// The outage with maintenance windows added before it (the day before, by the test clock).
fn outage_with_windows(windows: &[&[&str]]) -> (Env, Server) {
    let (env, server) = outage();
    // `outage` ran its passes already: windows are added "the day before" by the clock, and
    // the SLA is read after.
    for w in windows {
        let mut args = vec!["maintenance", "add"];
        args.extend_from_slice(w);
        env.command(&args)
            .env("WEBHOST_NOW", (NOV - 86_400).to_string())
            .env("TZ", "UTC")
            .output()
            .map(|o| assert!(o.status.success(), "{o:?}"))
            .expect("maintenance add");
    }
    (env, server)
}

fn shop_figures(env: &Env) -> Value {
    let v = env
        .run_at(NOV + 40 * 86_400, &["--json", "sla", "--month", "2026-11"])
        .ok()
        .json();
    record(&v, "shop").clone()
}

#[test]
fn maintenance_is_left_out_of_the_figures() {
    // 00:05–00:20 in maintenance: of the 20 minutes down (00:10–00:30), 10 count, out of
    // 2 h 30 watched less the 15 minutes of the window: 7500 s up of 8100, 92.59 %.
    let (env, _server) = outage_with_windows(&[&[
        "--ref",
        "shop",
        "--from",
        "2026-11-01 00:05",
        "--until",
        "2026-11-01 00:20",
    ]]);
    let shop = shop_figures(&env);
    assert_eq!(shop["observed_seconds"], 8100, "{shop:#}");
    assert_eq!(shop["downtime_seconds"], 600);
    assert_eq!(shop["availability_percent"], 92.59);
    assert_eq!(shop["incident_count"], 1);

    // A daily window from 23:30 for an hour, added in October: the one that starts on
    // Oct 31 runs over the month's boundary and covers the whole outage.
    let (env, _server) =
        outage_with_windows(&[&["--ref", "shop", "--every", "daily 23:30", "--for", "1h"]]);
    let shop = shop_figures(&env);
    assert_eq!(shop["downtime_seconds"], 0, "{shop:#}");
    assert_eq!(shop["incident_count"], 0);
    assert_eq!(shop["availability_percent"], 100.0);
    // What is left watched: 00:30–02:30, the last check's two hours.
    assert_eq!(shop["observed_seconds"], 7200);
}

#[test]
fn a_window_added_after_the_outage_does_not_erase_it() {
    let (env, _server) = outage();
    env.command(&[
        "maintenance",
        "add",
        "--ref",
        "shop",
        "--from",
        "2026-11-01T00:00:00Z",
        "--until",
        "2026-11-01T01:00:00Z",
    ])
    .env("WEBHOST_NOW", (NOV + 86_400).to_string())
    .output()
    .map(|o| assert!(o.status.success(), "{o:?}"))
    .expect("maintenance add");
    let shop = shop_figures(&env);
    assert_eq!(shop["downtime_seconds"], 1200, "{shop:#}");
    assert_eq!(shop["availability_percent"], 86.66);
}

#[test]
fn pruned_history_still_counts_from_the_roll_ups() {
    let (env, _server) = outage();
    env.run_at(NOV + 3 * 86_400, &["prune", "--older-than", "1d"])
        .ok();
    let left = env
        .scalar("SELECT count(*) FROM checks", &[])
        .expect("count");
    assert_eq!(left, 0, "the checks were pruned");
    let v = env
        .run(&["--json", "sla", "--month", "2026-11", "--ref", "shop"])
        .ok()
        .json();
    let shop = record(&v, "shop");
    assert_eq!(shop["downtime_seconds"], 1200);
    assert_eq!(shop["availability_percent"], 86.66);
    assert_eq!(shop["incident_count"], 1);
    assert_eq!(shop["approximate"], true);
    assert_eq!(shop["rolled_up_days"][0], "2026-11-01");
    let table = env.run(&["sla", "--month", "2026-11"]).ok();
    assert!(table.stdout.contains("~1"), "{}", table.stdout);
    assert!(table.stderr.contains("roll-up"), "{}", table.stderr);
    // The page says which days, and that the count is approximate.
    let page = env.path().join("pruned.html");
    env.run(&[
        "sla",
        "--month",
        "2026-11",
        "--ref",
        "shop",
        "--html",
        page.to_str().expect("UTF-8"),
        "--lang",
        "fr",
    ])
    .ok();
    let doc = Html::parse_document(&std::fs::read_to_string(&page).expect("page"));
    assert_eq!(text(&doc, "td.count"), "≈ 1");
    assert_eq!(text(&doc, "td.avail"), "86,66\u{a0}%");
    assert!(
        text(&doc, ".rolled").ends_with(": 1 nov. 2026."),
        "{}",
        text(&doc, ".rolled")
    );
}

#[test]
fn csv_has_a_row_per_record_and_no_formula() {
    let (env, _server) = outage();
    let out = env.run(&["sla", "--month", "2026-11", "--csv"]).ok().stdout;
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(&headers[0], "type");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 2);
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let shop = rows
        .iter()
        .find(|r| &r[col("ref")] == "shop")
        .expect("shop row");
    assert_eq!(&shop[col("availability_percent")], "86.66");
    assert_eq!(&shop[col("downtime_minutes")], "20");
    assert_eq!(&shop[col("incidents")], "1");
    assert_eq!(&shop[col("target_met")], "false");
    // A label a spreadsheet would run is written as text.
    assert_eq!(&shop[col("label")], "'=cmd()<script>");
}

#[test]
fn the_statement_page_in_french_and_english() {
    let (env, _server) = outage();
    let fr = env.path().join("fr.html");
    env.run(&[
        "sla",
        "--month",
        "2026-11",
        "--ref",
        "shop",
        "--html",
        fr.to_str().expect("UTF-8"),
        "--lang",
        "fr",
    ])
    .ok();
    let doc = Html::parse_document(&std::fs::read_to_string(&fr).expect("page"));
    assert_eq!(text(&doc, "td.avail"), "86,66\u{a0}%");
    assert_eq!(text(&doc, "td.down"), "20 min");
    assert_eq!(text(&doc, ".badge"), "non atteint");
    assert!(
        text(&doc, "h1").contains("novembre 2026"),
        "{}",
        text(&doc, "h1")
    );
    assert!(text(&doc, ".meta").contains("1 nov. 2026 – 30 nov. 2026"));
    assert_eq!(text(&doc, "table.incidents td"), "1 nov. 2026 à 00:10");
    assert!(text(&doc, "footer").contains("Relevé de disponibilité"));
    let html = std::fs::read_to_string(&fr).expect("page");
    assert!(html.contains("<html lang=\"fr\">"));
    // Self-contained: nothing loaded from elsewhere; the label is escaped.
    assert!(
        !html.contains("src=") && !html.contains("href=\"http"),
        "external resource"
    );
    assert!(!html.contains("<script>"), "the label is escaped");
    assert_eq!(text(&doc, "#r-shop .muted"), "=cmd()<script>");

    // English when the locale says nothing of French, French when LANG does.
    let en = env.path().join("en.html");
    env.run_env(
        &[
            "sla",
            "--month",
            "2026-11",
            "--target",
            "80",
            "--html",
            en.to_str().expect("UTF-8"),
        ],
        &[("LANG", "en_GB.UTF-8"), ("LC_ALL", ""), ("LC_MESSAGES", "")],
    )
    .ok();
    let doc = Html::parse_document(&std::fs::read_to_string(&en).expect("page"));
    assert_eq!(text(&doc, "#r-shop td.avail"), "86.66 %");
    assert_eq!(text(&doc, "#r-shop .badge"), "met");
    assert!(text(&doc, ".meta").contains("Nov 1, 2026 – Nov 30, 2026"));
    env.run_env(
        &[
            "sla",
            "--month",
            "2026-11",
            "--html",
            en.to_str().expect("UTF-8"),
        ],
        &[("LANG", "fr_FR.UTF-8"), ("LC_ALL", ""), ("LC_MESSAGES", "")],
    )
    .ok();
    let doc = Html::parse_document(&std::fs::read_to_string(&en).expect("page"));
    assert_eq!(text(&doc, "#r-blog td.avail"), "100,00\u{a0}%");

    // One host's statement names its customer.
    let srv = env.path().join("srv1.html");
    env.add_host(
        "srv1",
        "server-manager-v1",
        &[
            "--url",
            "http://127.0.0.1:9/m.php",
            "--label",
            "Garage <Lefebvre>",
        ],
    );
    env.run(&[
        "sla",
        "--month",
        "2026-11",
        "--host",
        "srv1",
        "--html",
        srv.to_str().expect("UTF-8"),
        "--lang",
        "fr",
    ])
    .ok();
    let doc = Html::parse_document(&std::fs::read_to_string(&srv).expect("page"));
    assert_eq!(text(&doc, ".customer"), "Garage <Lefebvre> (srv1)");
    assert_eq!(text(&doc, "#r-srv1 td.avail"), "–", "never checked");
}

#[test]
fn bad_months_targets_and_refs_are_usage_errors() {
    let (env, _server) = outage();
    env.run(&["sla", "--month", "2026-13"])
        .fails(2, "invalid month '2026-13'");
    env.run(&["sla", "--month", "2026-11", "--target", "101"])
        .fails(2, "invalid target");
    env.run(&["sla", "--month", "2026-11", "--ref", "nope"])
        .fails(2, "no host or instance named 'nope'");
    env.run(&["--json", "sla", "--month", "2026-11", "--csv"])
        .fails(2, "--csv and --json");
    // --lang is for the page (clap's usage error, several lines).
    let run = env.run(&["sla", "--month", "2026-11", "--lang", "fr"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--html"), "{}", run.stderr);
}

#[test]
fn the_public_status_page_in_french() {
    let (env, _server) = outage();
    let page = env.path().join("public.html");
    env.run_at(
        NOV + 3600,
        &[
            "report",
            "--html",
            page.to_str().expect("UTF-8"),
            "--public",
            "--only",
            "blog",
            "--lang",
            "fr",
        ],
    )
    .ok();
    let html = std::fs::read_to_string(&page).expect("page");
    let doc = Html::parse_document(&html);
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(text(&doc, "h1").starts_with("État"), "{}", text(&doc, "h1"));
    assert_eq!(text(&doc, "#i-blog td.up"), "100,00\u{a0}%");
    assert_eq!(text(&doc, "#i-blog .badge"), "en ligne");
    assert!(text(&doc, "#i-blog .sub").contains("vérifié il y a 30 min"));
    assert!(text(&doc, "footer").contains("vue publique"));
    // A record that is down says so in French too, and why.
    env.add_instance("gone", "ping", &["--url", &refused_url()]);
    env.run_at(NOV + 1900, &["update-instances", "--ref", "gone"])
        .ok();
    env.run_at(
        NOV + 3600,
        &[
            "report",
            "--html",
            page.to_str().expect("UTF-8"),
            "--public",
            "--only",
            "gone",
            "--lang",
            "fr",
        ],
    )
    .ok();
    let doc = Html::parse_document(&std::fs::read_to_string(&page).expect("page"));
    assert_eq!(
        text(&doc, ".attention li"),
        "critique gone instance\u{a0}: état hors ligne"
    );
    // The operator's page stays English, whatever the locale.
    env.run_env(
        &["report", "--html", page.to_str().expect("UTF-8")],
        &[("LANG", "fr_FR.UTF-8")],
    )
    .ok();
    let doc = Html::parse_document(&std::fs::read_to_string(&page).expect("page"));
    assert!(text(&doc, "h1").starts_with("Fleet status"));
}

#[test]
fn a_month_not_over_counts_up_to_now() {
    let (env, _server) = outage();
    // An hour after the last check: it speaks for that hour, not for the 2 hours it could.
    let v = env
        .run_at(
            NOV + 1800 + 3600,
            &["--json", "sla", "--month", "2026-11", "--ref", "blog"],
        )
        .ok()
        .json();
    assert_eq!(v["counted_until"], "2026-11-01T01:30:00Z");
    assert_eq!(record(&v, "blog")["observed_seconds"], 5400);
}

#[test]
fn a_pass_that_found_the_poller_offline_is_not_counted() {
    let server = Server::start(None, |_| Reply::ok("hello"));
    let env = Env::new();
    let up = server.url("/");
    for r in ["a", "b", "c"] {
        env.add_instance(r, "ping", &["--url", &up]);
    }
    env.run_at(NOV, &["update-instances"]).ok();
    // The poller's network goes: nothing answers, nor does the connectivity check.
    for r in ["a", "b", "c"] {
        env.run(&["instance", "edit", r, "--url", "http://[2001:db8::1]:9/"])
            .ok();
    }
    env.run(&["config", "set", "connectivity-check", "[2001:db8::2]:9"])
        .ok();
    env.run_at(NOV + 600, &["update-instances", "--timeout", "1s"])
        .fails(1, "network looks down");
    for r in ["a", "b", "c"] {
        env.run(&["instance", "edit", r, "--url", &up]).ok();
    }
    env.run_at(NOV + 1800, &["update-instances"]).ok();
    let v = env
        .run_at(
            NOV + 86_400,
            &["--json", "sla", "--month", "2026-11", "--ref", "a"],
        )
        .ok()
        .json();
    let a = record(&v, "a");
    // 00:10 to the next pass at 00:30 is left out; the rest is up.
    assert_eq!(a["poller_offline_seconds"], 1200);
    assert_eq!(a["observed_seconds"], 600 + 7200);
    assert_eq!(a["availability_percent"], 100.0);
}
