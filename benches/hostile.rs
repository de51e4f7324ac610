//! Benchmark (not a test): what a hostile server or file controls in size must cost linear
//! time. Three attacks, each against its target:
//!
//! - **module churn**: one instance answers 80,000 modules, then the same 80,000 each at a new
//!   version. Both checks are written through the library as a pass writes them
//!   (`poll::writer::write`). The figures are the second write's wall time, and the longest
//!   time another connection waited for the write lock meanwhile (a thread doing
//!   `BEGIN IMMEDIATE; COMMIT` on its own connection, polling every millisecond): what any
//!   other writer (`instance add`, the other pass) would have waited. Target: each under 1 s.
//! - **instance list**: a server lists 80,000 names, 10 % of them repeats.
//!   `server_manager::parse_instance_list` (JSON included), median of the runs. Target: under
//!   0.2 s. The peer is the old quadratic de-duplication (a local copy, `quadratic_names`)
//!   on a smaller list, beside the new one on the same list.
//! - **import**: a CSV file of 50,000 `ping` instances (distinct URLs) imported by the release
//!   binary into a fresh database, then the same file again (every row unchanged); then the
//!   same for the JSON `webhost export` writes of them. Target: each under 5 s.
//!
//! ```sh
//! cargo bench --bench hostile
//! cargo bench --bench hostile -- --records 5000   # a quick run
//! ```
//!
//! Options: `--modules N` (80000), `--names N` (80000), `--old-names N` (10000; 0 skips the
//! quadratic peer), `--records N` (50000), `--runs R` (5: runs of the list parse).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use serde_json::Value;
use webhost::domain::model::{ApiKind, Module, Reading, RecordKey, RecordType, Settings, Status};
use webhost::domain::pass::CheckResult;
use webhost::poll::writer;
use webhost::probe::kinds::server_manager::parse_instance_list;
use webhost::store::Store;

const TARGET_CHURN: Duration = Duration::from_secs(1);
const TARGET_LIST: Duration = Duration::from_millis(200);
const TARGET_IMPORT: Duration = Duration::from_secs(5);

const USAGE: &str = "usage: cargo bench --bench hostile -- [--modules N] [--names N] \
[--old-names N] [--records N] [--runs R]";

#[derive(Debug)]
struct Options {
    modules: usize,
    names: usize,
    old_names: usize,
    records: usize,
    runs: usize,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        modules: 80_000,
        names: 80_000,
        old_names: 10_000,
        records: 50_000,
        runs: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            let v = args.next().ok_or(format!("{arg} needs a value"))?;
            v.replace('_', "")
                .parse::<usize>()
                .map_err(|_| format!("{arg}: not a number: {v}"))
        };
        match arg.as_str() {
            // `cargo bench` passes --bench to harness = false targets.
            "--bench" => {}
            "--modules" => o.modules = value()?,
            "--names" => o.names = value()?,
            "--old-names" => o.old_names = value()?,
            "--records" => o.records = value()?,
            "--runs" => o.runs = value()?.max(1),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("hostile bench: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&o) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("hostile bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// One figure and the target it is held to (None: a peer, shown for comparison).
struct Figure {
    what: String,
    took: Duration,
    target: Option<Duration>,
}

fn run(o: &Options) -> Result<(), String> {
    println!("machine: {}", machine());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average before: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut figures = Vec::new();
    churn(o, &mut figures)?;
    instance_list(o, &mut figures)?;
    import(o, &mut figures)?;

    println!();
    println!("{:<64} {:>10} {:>10}", "what", "seconds", "target");
    for f in &figures {
        println!(
            "{:<64} {:>10.3} {:>10}",
            f.what,
            f.took.as_secs_f64(),
            f.target
                .map_or("-".into(), |t| format!("{:.3}", t.as_secs_f64()))
        );
    }
    println!("targets:");
    for f in &figures {
        if let Some(target) = f.target {
            let mark = if f.took <= target { "met" } else { "MISSED" };
            println!(
                "  {} <= {:.3} s: {:.3} s ({mark})",
                f.what,
                target.as_secs_f64(),
                f.took.as_secs_f64()
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Module churn

fn modules(n: usize, version: &str) -> Vec<Module> {
    (0..n)
        .map(|i| Module {
            name: format!("mod{i:06}"),
            version: Some(version.into()),
            active: true,
            source: Some("external".into()),
            editor: None,
        })
        .collect()
}

/// Another writer, on its own connection, taking and releasing the write lock over and over
/// until told to stop: the longest it had to wait is how long the lock was held against it.
struct LockProbe {
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<Result<Duration, String>>,
}

impl LockProbe {
    fn start(db: &Path) -> Result<LockProbe, String> {
        let mut conn = Connection::open(db).map_err(|e| e.to_string())?;
        // Retry every millisecond rather than SQLite's own back-off (up to 100 ms a step),
        // which would measure its sleeps; give up after a minute.
        conn.busy_handler(Some(|count: i32| {
            thread::sleep(Duration::from_millis(1));
            count < 60_000
        }))
        .map_err(|e| e.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let handle = thread::spawn(move || {
            let mut longest = Duration::ZERO;
            while !stopped.load(Ordering::Relaxed) {
                let t = Instant::now();
                conn.execute_batch("BEGIN IMMEDIATE; COMMIT;")
                    .map_err(|e| e.to_string())?;
                longest = longest.max(t.elapsed());
                // Leave the lock free most of the time, so the writer rarely waits on us.
                thread::sleep(Duration::from_millis(1));
            }
            Ok(longest)
        });
        Ok(LockProbe { stop, handle })
    }

    fn finish(self) -> Result<Duration, String> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle
            .join()
            .map_err(|_| "the lock probe panicked".to_string())?
    }
}

fn churn(o: &Options, figures: &mut Vec<Figure>) -> Result<(), String> {
    let n = o.modules;
    let dir = tempdir()?;
    let db = dir.path().join("webhost.db");
    let mut store = Store::open(&db, webhost::store::Access::Create { mode: 0o600 })
        .map_err(|e| format!("{e:#}"))?;
    let mut settings = Settings::new("i", ApiKind::ServerObserverV1);
    settings.url = Some("http://127.0.0.1:9/get-data.php".into());
    let id = store
        .insert(RecordType::Instance, &settings, 0)
        .map_err(|e| format!("{e:#}"))?;
    let key = RecordKey {
        record_type: RecordType::Instance,
        id,
    };
    let check = |at: i64, version: &str, dolibarr: &str| {
        let reading = Reading {
            modules: Some(modules(n, version)),
            dolibarr_version: Some(dolibarr.into()),
            ..Reading::new(Status::Online, "ok")
        };
        // Sorting and digesting happen here, on a worker in a real pass: not in the write.
        CheckResult::new(key, at, reading, None)
    };

    let first = check(1_000, "1.0", "19.0.3");
    let t = Instant::now();
    writer::write(&mut store, &[first], None, None).map_err(|e| format!("{e:#}"))?;
    let first_write = t.elapsed();

    let second = check(2_000, "1.1", "20.0.0");
    let probe = LockProbe::start(&db)?;
    let t = Instant::now();
    writer::write(&mut store, &[second], None, None).map_err(|e| format!("{e:#}"))?;
    let second_write = t.elapsed();
    let waited = probe.finish()?;

    let conn = Connection::open(&db).map_err(|e| e.to_string())?;
    let count = |sql: &str| -> Result<i64, String> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(|e| e.to_string())
    };
    let rows = count("SELECT count(*) FROM inventory_changes")?;
    let stored = count("SELECT count(*) FROM modules")?;
    println!(
        "module churn: {n} modules stored in {:.3} s, then all {n} upgraded in {:.3} s; \
         {stored} module rows, {rows} inventory_changes rows (the Dolibarr upgrade included)",
        first_write.as_secs_f64(),
        second_write.as_secs_f64()
    );
    figures.push(Figure {
        what: format!("churn: first write, {n} modules (baseline inventory)"),
        took: first_write,
        target: None,
    });
    figures.push(Figure {
        what: format!("churn: second write, {n} modules changed"),
        took: second_write,
        target: Some(TARGET_CHURN),
    });
    figures.push(Figure {
        what: "churn: longest wait of another writer during it".into(),
        took: waited,
        target: Some(TARGET_CHURN),
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Instance list

/// A JSON array of `n` names, every tenth a repeat of one from about halfway back (a name
/// that is never a repeat itself, so exactly 10 % are repeats).
fn names_json(n: usize) -> Vec<u8> {
    let names: Vec<String> = (0..n)
        .map(|i| {
            let j = if i % 10 == 9 { i / 20 * 10 } else { i };
            format!("instance-{j:06}")
        })
        .collect();
    serde_json::to_vec(&names).unwrap_or_default()
}

/// The de-duplication as it was: `Vec::contains` for each name, quadratic in the list.
fn quadratic_names(body: &[u8]) -> Result<Vec<String>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let Value::Array(items) = value else {
        return Err("not an array".into());
    };
    let mut names: Vec<String> = Vec::with_capacity(items.len());
    for item in &items {
        let name = match item {
            Value::String(name) => name.trim().to_string(),
            Value::Number(number) => number.to_string(),
            _ => return Err("not a name".into()),
        };
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

/// The median time of `runs` calls (at least one), and the last call's result.
fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut once = || {
        let t = Instant::now();
        let value = std::hint::black_box(f());
        (t.elapsed(), value)
    };
    let (took, mut last) = once();
    let mut times = vec![took];
    for _ in 1..runs {
        let (took, value) = once();
        times.push(took);
        last = value;
    }
    times.sort();
    (times[times.len() / 2], last)
}

fn instance_list(o: &Options, figures: &mut Vec<Figure>) -> Result<(), String> {
    let body = names_json(o.names);
    let (took, names) = timed(o.runs, || parse_instance_list(&body));
    let names = names.map_err(|e| format!("{e:?}"))?;
    println!(
        "instance list: {} names ({} distinct, {} KB), parsed in {:.4} s (median of {})",
        o.names,
        names.len(),
        body.len() / 1000,
        took.as_secs_f64(),
        o.runs
    );
    figures.push(Figure {
        what: format!("list: parse_instance_list, {} names", o.names),
        took,
        target: Some(TARGET_LIST),
    });
    if o.old_names > 0 {
        let small = names_json(o.old_names);
        let (new, names) = timed(o.runs, || parse_instance_list(&small));
        let names = names.map_err(|e| format!("{e:?}"))?;
        // The old way is slow: one run says enough.
        let (old, old_names) = timed(1, || quadratic_names(&small));
        if old_names? != names {
            return Err("the quadratic copy and parse_instance_list disagree".into());
        }
        figures.push(Figure {
            what: format!("list: parse_instance_list, {} names", o.old_names),
            took: new,
            target: None,
        });
        figures.push(Figure {
            what: format!("list: old way (quadratic_names), {} names", o.old_names),
            took: old,
            target: None,
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Import

/// Where the release binary is: cargo builds it for benches and says where.
fn webhost_binary() -> PathBuf {
    match option_env!("CARGO_BIN_EXE_webhost") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/webhost"),
    }
}

/// Runs `webhost --db DB import FILE`; its wall time and the totals line it printed.
fn run_import(db: &Path, file: &Path) -> Result<(Duration, String), String> {
    let t = Instant::now();
    let output = Command::new(webhost_binary())
        .arg("--db")
        .arg(db)
        .arg("import")
        .arg(file)
        .env_remove("WEBHOST_DB")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", webhost_binary().display()))?;
    let took = t.elapsed();
    if !output.status.success() {
        return Err(format!(
            "import failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let totals = stdout.lines().last().unwrap_or_default().to_string();
    Ok((took, totals))
}

fn import(o: &Options, figures: &mut Vec<Figure>) -> Result<(), String> {
    let n = o.records;
    let dir = tempdir()?;
    let csv_file = dir.path().join("fleet.csv");
    let mut csv = String::from("type,ref,api,url\n");
    for i in 0..n {
        csv.push_str(&format!(
            "instance,site-{i:06},ping,https://site-{i:06}.example.com/\n"
        ));
    }
    std::fs::write(&csv_file, csv).map_err(|e| e.to_string())?;
    import_twice(n, &dir.path().join("csv.db"), &csv_file, "CSV", figures)?;

    // The JSON an export writes (one element over 17 lines) is the other format import reads.
    let json_file = dir.path().join("fleet.json");
    let output = Command::new(webhost_binary())
        .arg("--db")
        .arg(dir.path().join("csv.db"))
        .arg("export")
        .env_remove("WEBHOST_DB")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", webhost_binary().display()))?;
    if !output.status.success() {
        return Err(format!("export failed ({})", output.status));
    }
    std::fs::write(&json_file, &output.stdout).map_err(|e| e.to_string())?;
    import_twice(n, &dir.path().join("json.db"), &json_file, "JSON", figures)
}

/// Imports `file` into a fresh database, then again (every record unchanged).
fn import_twice(
    n: usize,
    db: &Path,
    file: &Path,
    format: &str,
    figures: &mut Vec<Figure>,
) -> Result<(), String> {
    let (first, totals) = run_import(db, file)?;
    let expected = format!("{n} created, 0 updated, 0 unchanged");
    if totals != expected {
        return Err(format!(
            "first {format} import: '{totals}', expected '{expected}'"
        ));
    }
    let (again, totals) = run_import(db, file)?;
    let expected = format!("0 created, 0 updated, {n} unchanged");
    if totals != expected {
        return Err(format!(
            "second {format} import: '{totals}', expected '{expected}'"
        ));
    }
    let size = std::fs::metadata(file).map_or(0, |m| m.len());
    println!(
        "import {format} ({:.1} MB): {n} instances created in {:.3} s, the same file again \
         ({n} unchanged) in {:.3} s",
        size as f64 / 1e6,
        first.as_secs_f64(),
        again.as_secs_f64()
    );
    figures.push(Figure {
        what: format!("import: {n} records ({format}) into an empty database"),
        took: first,
        target: Some(TARGET_IMPORT),
    });
    figures.push(Figure {
        what: format!("import: the same {n} records ({format}) again, unchanged"),
        took: again,
        target: Some(TARGET_IMPORT),
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------

fn tempdir() -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix("webhost-hostile-bench-")
        .tempdir()
        .map_err(|e| e.to_string())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, Linux {kernel}")
}
