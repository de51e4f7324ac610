//! Benchmark (not a test): `webhost audit` over 10,000 instances × 2,000 advisories, against
//! a target of 100 ms.
//!
//! ```sh
//! cargo bench --bench audit
//! cargo bench --bench audit -- --instances 1000 --advisories 500 --runs 3
//! ```
//!
//! Three figures: the pure audit (`domain::advisory::audit`, best of `--runs`), the whole
//! command through the release binary on a real database (reading the advisories and the
//! instances, the audit, the JSON), and a peer: judging every (instance, advisory) pair one by
//! one with `domain::advisory::judge`, as a naive audit would, timed on 100 instances and
//! scaled to the fleet. The fleet has ~150 distinct Dolibarr versions (10.0.0 to 22.0.11) and
//! 6 modules per instance; one advisory in ten is about a module, each has two ranges.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use webhost::domain::advisory::{
    self, Advisory, Affected, Event, Range, Severity, Subject, Target,
};
use webhost::store::{Access, Store};

const TARGET: Duration = Duration::from_millis(100);
const USAGE: &str =
    "usage: cargo bench --bench audit -- [--instances N] [--advisories N] [--runs R]";
const MODULES: [&str; 6] = [
    "modSubtotal",
    "modFoo",
    "modBar",
    "modBaz",
    "modQux",
    "modWebObserver",
];

struct Options {
    instances: usize,
    advisories: usize,
    runs: usize,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        instances: 10_000,
        advisories: 2_000,
        runs: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{name} needs a number\n{USAGE}"))
        };
        match a.as_str() {
            "--instances" => o.instances = number("--instances")?,
            "--advisories" => o.advisories = number("--advisories")?,
            "--runs" => o.runs = number("--runs")?.max(1),
            // cargo bench passes --bench.
            "--bench" => {}
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    Ok(o)
}

fn subjects(n: usize) -> Vec<Subject> {
    (0..n)
        .map(|i| Subject {
            reference: format!("client-{i:05}"),
            host: Some(format!("srv{}", i % 20)),
            // One in a hundred is unknown or experimental.
            version: match i % 100 {
                0 => None,
                1 => Some("experimental".into()),
                _ => Some(format!("{}.0.{}", 10 + i % 13, (i / 13) % 12)),
            },
            modules: MODULES
                .iter()
                .enumerate()
                .map(|(k, m)| (m.to_string(), Some(format!("{}.{}.0", 1 + k, i % 7))))
                .collect(),
        })
        .collect()
}

fn advisories(n: usize) -> Vec<Advisory> {
    (0..n)
        .map(|i| {
            let major = 10 + i % 13;
            let range = |from: String, to: String| Range {
                events: vec![Event::Introduced(from), Event::Fixed(to)],
            };
            let target = match i % 10 {
                0 => Target::Module(MODULES[i % MODULES.len()].to_string()),
                _ => Target::Dolibarr,
            };
            Advisory {
                id: format!("GHSA-bench-{i:05}"),
                aliases: vec![format!("CVE-2099-{i:05}")],
                summary: format!("advisory {i}"),
                severity: Some(Severity::ALL[i % 4]),
                score: None,
                affected: vec![Affected {
                    target,
                    ranges: vec![
                        range(format!("{major}.0.0"), format!("{major}.0.{}", i % 12)),
                        range(
                            format!("{}.0.0", major + 1),
                            format!("{}.0.{}", major + 1, i % 5),
                        ),
                    ],
                    versions: Vec::new(),
                }],
            }
        })
        .collect()
}

fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn webhost_binary() -> PathBuf {
    match option_env!("CARGO_BIN_EXE_webhost") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/webhost"),
    }
}

/// A database with the fleet's instances (at their versions, with their modules) and the
/// advisories, made by the real store.
fn database(dir: &Path, subjects: &[Subject], advisories: &[Advisory]) -> Result<PathBuf, String> {
    let db = dir.join("webhost.db");
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let mut store = Store::open(&db, Access::Create { mode: 0o600 }).map_err(|e| err(&e))?;
    store
        .replace_advisories("/bench/feed.zip", advisories, 0)
        .map_err(|e| err(&e))?;
    drop(store);
    let mut conn = rusqlite::Connection::open(&db).map_err(|e| err(&e))?;
    let tx = conn.transaction().map_err(|e| err(&e))?;
    for (i, s) in subjects.iter().enumerate() {
        tx.execute(
            "INSERT INTO instances (id, ref, api_kind, created_at, dolibarr_version)
             VALUES (?1, ?2, 'server-observer-v1', 0, ?3)",
            rusqlite::params![i as i64 + 1, s.reference, s.version],
        )
        .map_err(|e| err(&e))?;
        for (name, version) in &s.modules {
            tx.execute(
                "INSERT INTO modules (instance_id, name, version, active) VALUES (?1, ?2, ?3, 1)",
                rusqlite::params![i as i64 + 1, name, version],
            )
            .map_err(|e| err(&e))?;
        }
    }
    tx.commit().map_err(|e| err(&e))?;
    Ok(db)
}

fn run(o: &Options) -> Result<(), String> {
    let subjects = subjects(o.instances);
    let advisories = advisories(o.advisories);
    println!(
        "audit: {} instances × {} advisories, best of {} runs",
        o.instances, o.advisories, o.runs
    );
    let mut found = 0;
    let pure = best(o.runs, || {
        found = std::hint::black_box(advisory::audit(&subjects, &advisories, &[]))
            .findings
            .len();
    });
    // The peer: every pair judged on its own, on 100 instances, scaled to the fleet.
    let sample = o.instances.min(100);
    let naive = best(1, || {
        for s in &subjects[..sample] {
            for a in &advisories {
                std::hint::black_box(advisory::judge(a, s.version.as_deref()));
            }
        }
    });
    let naive = naive.mul_f64(o.instances as f64 / sample.max(1) as f64);

    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let db = database(dir.path(), &subjects, &advisories)?;
    let binary = webhost_binary();
    let whole = best(o.runs, || {
        let status = Command::new(&binary)
            .arg("--db")
            .arg(&db)
            .args(["--json", "audit"])
            .stdout(Stdio::null())
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("audit bench: webhost audit failed");
        }
    });

    println!("{found} findings");
    println!();
    println!("{:<58} {:>10} {:>10}", "what", "ms", "target");
    let line = |what: &str, took: Duration, target: Option<Duration>| {
        println!(
            "{what:<58} {:>10.1} {:>10}",
            took.as_secs_f64() * 1000.0,
            target.map_or("-".into(), |t| format!("{:.0}", t.as_secs_f64() * 1000.0))
        );
    };
    line(
        "domain::advisory::audit (the audit itself)",
        pure,
        Some(TARGET),
    );
    line(
        "webhost --json audit (binary, database, JSON out)",
        whole,
        None,
    );
    line(
        "peer: every pair judged alone (scaled from 100)",
        naive,
        None,
    );
    println!(
        "\naudit {} the {} ms target",
        if pure <= TARGET { "meets" } else { "misses" },
        TARGET.as_millis()
    );
    Ok(())
}

fn main() -> ExitCode {
    match options().and_then(|o| run(&o)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("audit bench: {message}");
            ExitCode::FAILURE
        }
    }
}
