//! Benchmark (not a test): disk forecasts over a fleet with a month of disk readings — what
//! `webhost disks`, `webhost status` (which lists the first few) and `check --forecast` cost,
//! and what keeping the trends costs the passes.
//!
//! ```sh
//! cargo bench --bench disks                                     # 10,000 instances × 30 days, hourly
//! cargo bench --bench disks -- --instances 1000 --interval 5m   # cron's usual step
//! ```
//!
//! Options: `--instances N` (10000), `--days D` (30), `--interval 1h|30m|5m` (1h), `--runs R`
//! (5 timed runs after a warm-up), `--keep` (keep the database and print its path).
//!
//! The database is made by the real store; the month of checks is written with one prepared
//! INSERT in one transaction into a database set back to schema 15 (before disk trends
//! existed), so that reopening it runs migration 16 as an upgrade would (timed). One real
//! `update-instances` pass against the mock fleet (`common/fleet.rs`) then gives every
//! instance its trend (the first pass after the upgrade refits them all), and a second is the
//! steady case; both passes' database writing is their `-v` line. The reads run through the
//! release binary. Each is printed beside its ideal, the same read without forecasts
//! (`instance list --json` for `disks --json`, `status --forecasts 0`, `check REF`); the peer
//! for `disks` is what it did before trends were kept, in this process: each record's month of
//! checks read and fitted (`domain::forecast::forecast`).

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use webhost::domain::forecast;
use webhost::domain::model::Thresholds;
use webhost::store::Store;

#[path = "common/doc.rs"]
mod doc;
#[path = "common/fleet.rs"]
mod fleet;
#[allow(dead_code)] // the wait4 measure is for the passes benches
#[path = "common/process.rs"]
mod process;

const TOKEN: &str = "bench-fleet-t0ken";
const USAGE: &str = "usage: cargo bench --bench disks -- [--instances N] [--days D] \
[--interval 1h] [--runs R] [--keep]";

struct Options {
    instances: u64,
    days: i64,
    interval: i64,
    runs: usize,
    keep: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        instances: 10_000,
        days: 30,
        interval: 3600,
        runs: 5,
        keep: false,
    };
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--instances" => o.instances = number(&value()?)?,
            "--days" => o.days = number(&value()?)?,
            "--interval" => {
                let v = value()?;
                let (n, unit) = v.split_at(v.len().saturating_sub(1));
                let n: i64 = number(n)?;
                o.interval = match unit {
                    "s" => n,
                    "m" => n * 60,
                    "h" => n * 3600,
                    _ => return Err(format!("--interval: 5m, 1h, not '{v}'")),
                };
            }
            "--runs" => o.runs = number(&value()?)?,
            "--keep" => o.keep = true,
            _ => return Err(format!("unknown argument '{arg}'\n{USAGE}")),
        }
    }
    if o.instances == 0 || o.days == 0 || o.interval <= 0 || o.runs == 0 {
        return Err(format!("sizes must be positive\n{USAGE}"));
    }
    Ok(o)
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("not a number: '{text}'"))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("disks bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let o = parse_args()?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let fleet = fleet::start(
        0,
        fleet::Config {
            instances: o.instances,
            // As the pass bench: with no latency the probes' parsing starves the writer, and
            // its time measures the CPU, not the database.
            latency: Duration::from_millis(100),
            fail_share: 0.0,
            token: TOKEN.into(),
            hang: Duration::from_secs(1),
        },
    )
    .map_err(|e| format!("cannot start the mock fleet: {e}"))?;
    let db = dir.path().join("webhost.db");
    let now = process::now_unix() as i64;
    let rows = fill(&db, fleet.port, &o, now)?;
    let started = Instant::now();
    Store::open(&db, webhost::store::Access::Write).map_err(|e| format!("{e:#}"))?;
    let migration = started.elapsed();
    println!(
        "disks bench: {} instances, {} days of readings every {} s ({rows} checks)",
        o.instances, o.days, o.interval
    );
    println!(
        "  migration 16 (stretches from the stored checks): {:.2} s",
        migration.as_secs_f64()
    );
    for which in ["first pass after the upgrade (refits all)", "steady pass"] {
        let (wall, write) = pass(&db)?;
        println!("  {which}: wall {wall:.2} s, database writing {write}");
    }

    let mut table = Vec::new();
    let disks = timed(&o, &db, &["--json", "disks"])?;
    let list = timed(&o, &db, &["--json", "instance", "list"])?;
    let status = timed(&o, &db, &["status"])?;
    let bare = timed(&o, &db, &["status", "--forecasts", "0"])?;
    let middle = format!("i{:05}", o.instances.div_ceil(2));
    let check = timed(&o, &db, &["check", &middle, "--forecast", "14d"])?;
    let plain = timed(&o, &db, &["check", &middle])?;
    let peer = peer_disks(&db, now)?;
    table.push((
        "disks --json",
        disks,
        ("instance list --json", list),
        Some(("before trends, in-process", peer)),
    ));
    table.push(("status", status, ("status --forecasts 0", bare), None));
    table.push((
        "check REF --forecast 14d",
        check,
        ("check REF", plain),
        None,
    ));
    println!(
        "\n  {:<26} {:>9}   {:<36} peer",
        "command", "median ms", "ideal: the same read, no forecasts"
    );
    for (name, ms, (ideal, ideal_ms), peer) in table {
        let ideal = format!("{ideal}: {ideal_ms:.1} ms");
        let peer = peer.map_or(String::new(), |(what, v)| format!("{what}: {v:.1} ms"));
        println!("  {name:<26} {ms:>9.1}   {ideal:<36} {peer}");
    }
    if o.keep {
        println!("  kept: {}", dir.keep().display());
    }
    Ok(())
}

/// Instances 1..=n of the mock fleet, and `o.days` of disk readings for each, written into a
/// database set back to schema 15. Returns how many checks were written.
fn fill(db: &Path, port: u16, o: &Options, now: i64) -> Result<u64, String> {
    Store::open(db, webhost::store::Access::Create { mode: 0o600 })
        .map_err(|e| format!("{e:#}"))?;
    let mut conn = Connection::open(db).map_err(|e| e.to_string())?;
    let e = |e: rusqlite::Error| e.to_string();
    conn.execute_batch(
        "DROP TABLE disk_levels; DROP TABLE disk_trends; DROP TABLE maintenance_records;
         DROP TABLE maintenance; PRAGMA user_version = 15;",
    )
    .map_err(e)?;
    let tx = conn.transaction().map_err(e)?;
    let mut written = 0;
    {
        let mut instance = tx
            .prepare(
                "INSERT INTO instances (ref, api_kind, url, token, created_at)
                 VALUES (?1, 'server-observer-v1', ?2, ?3, ?4)",
            )
            .map_err(e)?;
        for i in 1..=o.instances {
            let url = format!("http://127.0.0.1:{port}/i/{i}/get-data.php");
            instance
                .execute(params![format!("i{i:05}"), url, TOKEN, now])
                .map_err(e)?;
        }
        let mut check = tx
            .prepare(
                "INSERT INTO checks (instance_id, at, status, disk_used, disk_total)
                 VALUES (?1, ?2, 'online', ?3, NULL)",
            )
            .map_err(e)?;
        let start = now - o.days * 86_400;
        let mut at = start;
        let mut rng = doc::Rng::new(7);
        while at < now {
            for i in 1..=o.instances {
                // 1 GiB growing 1–10 MiB a day, with some noise.
                let days = (at - start) as f64 / 86_400.0;
                let used = (1u64 << 30)
                    + (days * (1 + i % 10) as f64 * 1_048_576.0) as u64
                    + rng.below(1 << 20);
                check
                    .execute(params![i as i64, at, used as i64])
                    .map_err(e)?;
                written += 1;
            }
            at += o.interval;
        }
    }
    tx.commit().map_err(e)?;
    Ok(written)
}

/// One `update-instances` pass: wall seconds and its database writing line.
fn pass(db: &Path) -> Result<(f64, String), String> {
    let started = Instant::now();
    let out = Command::new(process::webhost_binary())
        .arg("--db")
        .arg(db)
        .args(["-v", "update-instances", "--jobs", "64"])
        .output()
        .map_err(|e| e.to_string())?;
    let wall = started.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stderr);
    let write = text
        .lines()
        .find_map(|l| {
            l.split(" in ")
                .nth(1)
                .filter(|_| l.contains("database writing"))
        })
        .unwrap_or("(no -v line)")
        .to_string();
    if !out.status.success() && out.status.code() != Some(1) {
        return Err(format!("the pass failed: {text}"));
    }
    Ok((wall, write))
}

/// The median wall time of `o.runs` runs of the binary with `args`, after one warm-up.
fn timed(o: &Options, db: &Path, args: &[&str]) -> Result<f64, String> {
    let run = || -> Result<f64, String> {
        let started = Instant::now();
        let out = Command::new(process::webhost_binary())
            .arg("--db")
            .arg(db)
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match out.status.code() {
            Some(0..=2) => Ok(ms),
            _ => Err(format!(
                "webhost {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    };
    run()?;
    let mut times = (0..o.runs).map(|_| run()).collect::<Result<Vec<_>, _>>()?;
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// What `disks` did before trends were kept: every record's month of checks, read and fitted.
fn peer_disks(db: &Path, now: i64) -> Result<f64, String> {
    let conn = Connection::open(db).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM instances ORDER BY id")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| e.to_string())?;
    let mut stmt = conn
        .prepare(
            "SELECT at, disk_used FROM checks
             WHERE instance_id = ?1 AND at >= ?2 AND disk_used IS NOT NULL ORDER BY at, id",
        )
        .map_err(|e| e.to_string())?;
    let mut fitted = 0;
    for id in ids {
        let points: Vec<forecast::Point> = stmt
            .query_map(params![id, now - forecast::WINDOW_S], |r| {
                Ok(forecast::Point {
                    at: r.get(0)?,
                    used: r.get::<_, i64>(1)?.max(0) as u64,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| e.to_string())?;
        fitted += usize::from(forecast::forecast(&points, None, &Thresholds::default()).is_some());
    }
    std::hint::black_box(fitted);
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}
