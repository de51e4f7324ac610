//! Benchmark (not a test): one year of 5-minute checks for 1,000 instances, then how long
//! `webhost status`, `webhost history REF` and the uptime of one record take, against a
//! target of 50 ms each.
//!
//! ```sh
//! cargo bench --bench history                                   # 1,000 instances × 365 days
//! cargo bench --bench history -- --instances 100 --days 30      # smaller and quicker
//! ```
//!
//! Options: `--instances N` (1000), `--days D` (365), `--interval DURATION` (5m), `--runs R`
//! (5 timed runs after one warm-up), `--ref REF` (the instance to query; default the middle
//! one), `--order time|instance` (how the rows are laid out: `time`, the default, is what cron
//! passes write), `--keep` (keep the database and print its path), `--db PATH` (measure a
//! database a `--keep` run left, without filling again; a `postgres://` URL measures a
//! PostgreSQL database, e.g. one `webhost migrate` filled from a kept SQLite database).
//!
//! The database is made by the real store (`Store::open` runs the migrations) and the
//! instances are added through `Store::insert`; the checks, state changes and passes are then
//! written with one prepared INSERT each in one transaction, with the `checks` indexes dropped
//! and rebuilt from their own `CREATE INDEX` text afterwards, and the schema is compared with a
//! fresh database's. The commands are timed through the release binary cargo builds for
//! benches (`CARGO_BIN_EXE_webhost`, `target/release/webhost`), and the same reads again
//! in-process through the library, to tell process start from query time.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use webhost::clock::system_now;
use webhost::domain::model::{ApiKind, RecordType, Settings};
use webhost::domain::query::Filter;
use webhost::store::Store;

/// What each figure should stay under.
const TARGET_MS: f64 = 50.0;

/// A first run slower than this is not repeated.
const SLOW_MS: f64 = 5000.0;

const USAGE: &str = "usage: cargo bench --bench history -- [--instances N] [--days D] \
[--interval 5m] [--runs R] [--ref REF] [--order time|instance] [--keep] [--db PATH]";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Order {
    /// Pass after pass, every instance in each: how cron fills the table.
    Time,
    /// Instance after instance: each record's checks contiguous on disk (best case).
    Instance,
}

#[derive(Debug)]
struct Options {
    instances: u32,
    days: u32,
    interval: i64,
    runs: usize,
    reference: Option<String>,
    order: Order,
    keep: bool,
    db: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        instances: 1000,
        days: 365,
        interval: 300,
        runs: 5,
        reference: None,
        order: Order::Time,
        keep: false,
        db: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            // `cargo bench` passes --bench to harness = false targets.
            "--bench" => {}
            "--instances" => o.instances = number(&value("--instances")?)?,
            "--days" => o.days = number(&value("--days")?)?,
            "--runs" => o.runs = number(&value("--runs")?)?,
            "--interval" => {
                let d = webhost::domain::units::parse_duration(&value("--interval")?)?;
                o.interval = d.as_secs() as i64;
            }
            "--ref" => o.reference = Some(value("--ref")?),
            "--order" => {
                o.order = match value("--order")?.as_str() {
                    "time" => Order::Time,
                    "instance" => Order::Instance,
                    other => return Err(format!("--order is time or instance, not '{other}'")),
                }
            }
            "--keep" => o.keep = true,
            "--db" => o.db = Some(PathBuf::from(value("--db")?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if o.instances == 0 || o.days == 0 || o.runs == 0 || o.interval < 60 {
        return Err("--instances, --days and --runs must be at least 1, --interval 1m".into());
    }
    Ok(o)
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("'{text}' is not a whole number"))
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("history bench: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let bin = webhost_binary();
    println!("binary: {}", bin.display());
    let dir = tempfile::Builder::new()
        .prefix("webhost-bench-")
        .tempdir()
        .expect("cannot create a temporary directory");
    let path = match &opts.db {
        Some(p) => {
            println!("database: {} (reused, not filled)", p.display());
            p.clone()
        }
        None => {
            let path = dir.path().join("webhost.db");
            println!(
                "filling {} ({} instances × {} days, every {} s, {} order)",
                path.display(),
                opts.instances,
                opts.days,
                opts.interval,
                match opts.order {
                    Order::Time => "time",
                    Order::Instance => "instance",
                }
            );
            let fill = fill(&path, &opts);
            fill.print();
            check_schema(&path, dir.path());
            path
        }
    };
    // A database from an older webhost is migrated here, not in the first timed run.
    let t = Instant::now();
    drop(
        Store::open(&path, webhost::store::Access::Create { mode: 0o600 })
            .expect("cannot open the database"),
    );
    println!(
        "opened (migrating if needed) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // A PostgreSQL database (`--db postgres://…`, one `webhost migrate` filled from a kept
    // SQLite one) is measured the same, without SQLite's sizes and plans.
    let server = webhost::store::is_server(&path);
    if !server {
        println!("database size: {}", gb(db_size(&path)));
        print_sizes(&path);
    }

    let reference = opts.reference.clone().unwrap_or_else(|| middle_ref(&path));
    let instances = if server {
        Store::open(&path, webhost::store::Access::Read)
            .and_then(|s| s.count(RecordType::Instance, &Filter::default()))
            .expect("count") as i64
    } else {
        count(&path, "instances")
    };
    // Other work on the machine shows in the figures: say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average before measuring: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (mut rows, mut notes) = (Vec::new(), Vec::new());
    measure_processes(&bin, &path, &reference, opts.runs, &mut rows, &mut notes);
    measure_in_process(&path, &reference, opts.runs, &mut rows);
    println!();
    println!(
        "{} instances × {} days every {} s; REF = {reference}; {} runs after 1 warm-up; \
         times in ms",
        instances, opts.days, opts.interval, opts.runs
    );
    print_table(&rows);
    println!();
    for n in &notes {
        println!("{n}");
    }
    if !server {
        println!();
        print_plans(&path);
    }

    if opts.keep && opts.db.is_none() {
        let _kept = dir.keep();
        println!("\nkept: {} (pass --db to reuse it)", path.display());
    }
    let missed = rows
        .iter()
        .filter(|r| r.target && r.median() > TARGET_MS)
        .count();
    if missed > 0 {
        println!("\n{missed} figure(s) over the {TARGET_MS} ms target");
    }
    ExitCode::SUCCESS
}

/// The release binary next to this bench's executable (`target/release/deps/history-*`).
fn webhost_binary() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_webhost"));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --release` first",
        bin.display()
    );
    bin
}

// ---------------------------------------------------------------------------------------------
// Filling

/// splitmix64: small, fast, and the same numbers on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

const REASONS: [(&str, Option<i64>); 3] = [
    ("connection refused", None),
    ("timed out after 10s", None),
    ("HTTP 503 Service Unavailable", Some(503)),
];

/// One instance's simulated life: mostly online, with outages of 5 minutes to a day.
struct Sim {
    id: i64,
    rng: Rng,
    base_ms: i64,
    /// An outage starts on one check in this many.
    outage_one_in: u64,
    /// Down for the last few hours of the data, so `status` has something to list.
    down_at_end: bool,
    down_left: u32,
    reason: usize,
    status: &'static str,
    status_since: i64,
    last_at: i64,
    last_success_at: Option<i64>,
    failures: i64,
    successes: i64,
    response_ms: Option<i64>,
    http_status: Option<i64>,
    message: Option<&'static str>,
}

struct Check {
    status: &'static str,
    response_ms: Option<i64>,
    http_status: Option<i64>,
    message: Option<&'static str>,
    /// The status before, when this check changed it.
    changed_from: Option<&'static str>,
}

impl Sim {
    fn new(index: u32, id: i64) -> Sim {
        let mut rng = Rng(u64::from(index).wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5EED);
        let base_ms = 60 + rng.below(500) as i64;
        // One instance in twenty is flaky.
        let outage_one_in = if rng.one_in(20) { 400 } else { 5000 };
        Sim {
            id,
            rng,
            base_ms,
            outage_one_in,
            down_at_end: index % 200 == 7,
            down_left: 0,
            reason: 0,
            status: "unknown",
            status_since: 0,
            last_at: 0,
            last_success_at: None,
            failures: 0,
            successes: 0,
            response_ms: None,
            http_status: None,
            message: None,
        }
    }

    fn check(&mut self, at: i64, end: i64) -> Check {
        if self.down_left == 0 && self.rng.one_in(self.outage_one_in) {
            self.down_left = if self.rng.one_in(20) {
                12 + self.rng.below(277) as u32
            } else {
                1 + self.rng.below(12) as u32
            };
            self.reason = self.rng.below(REASONS.len() as u64) as usize;
        }
        let forced = self.down_at_end && at >= end - 3 * 3600;
        if forced {
            self.reason = 0;
        }
        let down = forced || self.down_left > 0;
        self.down_left = self.down_left.saturating_sub(1);
        let c = if down {
            let (message, http) = REASONS[self.reason];
            Check {
                status: "offline",
                response_ms: None,
                http_status: http,
                message: Some(message),
                changed_from: None,
            }
        } else {
            let mut ms = self.base_ms + self.rng.below(self.base_ms as u64 / 2 + 1) as i64;
            if self.rng.one_in(200) {
                ms += self.rng.below(3000) as i64;
            }
            Check {
                status: "online",
                response_ms: Some(ms),
                http_status: Some(200),
                message: None,
                changed_from: None,
            }
        };
        let changed_from = (c.status != self.status).then_some(self.status);
        if changed_from.is_some() {
            self.status = c.status;
            self.status_since = at;
        }
        self.last_at = at;
        if down {
            self.failures += 1;
            self.successes = 0;
        } else {
            self.failures = 0;
            self.successes += 1;
            self.last_success_at = Some(at);
        }
        self.response_ms = c.response_ms;
        self.http_status = c.http_status;
        self.message = c.message;
        Check { changed_from, ..c }
    }
}

/// A check row: instance, at, status, response_ms, http_status, message.
type CheckRow = (
    i64,
    i64,
    &'static str,
    Option<i64>,
    Option<i64>,
    Option<&'static str>,
);

/// Rows per INSERT: one statement per hundred rows costs less than a hundred statements.
const BATCH: usize = 100;

/// Writes checks a hundred at a time through one prepared multi-row INSERT.
struct CheckWriter<'c> {
    many: rusqlite::Statement<'c>,
    one: rusqlite::Statement<'c>,
    rows: Vec<CheckRow>,
}

impl<'c> CheckWriter<'c> {
    fn new(conn: &'c Connection) -> CheckWriter<'c> {
        let head = "INSERT INTO checks (instance_id, at, status, response_ms, http_status, message)
                    VALUES ";
        let values = vec!["(?, ?, ?, ?, ?, ?)"; BATCH].join(", ");
        CheckWriter {
            many: conn
                .prepare(&format!("{head}{values}"))
                .expect("cannot prepare the check insert"),
            one: conn
                .prepare(&format!("{head}(?, ?, ?, ?, ?, ?)"))
                .expect("cannot prepare the check insert"),
            rows: Vec::with_capacity(BATCH),
        }
    }

    fn push(&mut self, row: CheckRow) {
        self.rows.push(row);
        if self.rows.len() == BATCH {
            for (i, r) in self.rows.iter().enumerate() {
                bind(&mut self.many, i * 6, r);
            }
            self.many.raw_execute().expect("cannot insert checks");
            self.rows.clear();
        }
    }

    /// Writes what is left, one row at a time.
    fn finish(mut self) {
        for r in &self.rows {
            bind(&mut self.one, 0, r);
            self.one.raw_execute().expect("cannot insert a check");
        }
    }
}

fn bind(stmt: &mut rusqlite::Statement, base: usize, r: &CheckRow) {
    let fail = "cannot bind a check";
    stmt.raw_bind_parameter(base + 1, r.0).expect(fail);
    stmt.raw_bind_parameter(base + 2, r.1).expect(fail);
    stmt.raw_bind_parameter(base + 3, r.2).expect(fail);
    stmt.raw_bind_parameter(base + 4, r.3).expect(fail);
    stmt.raw_bind_parameter(base + 5, r.4).expect(fail);
    stmt.raw_bind_parameter(base + 6, r.5).expect(fail);
}

struct Fill {
    checks: u64,
    state_changes: u64,
    passes: u64,
    records: Duration,
    rows: Duration,
    indexes: Duration,
}

impl Fill {
    fn print(&self) {
        let secs = self.rows.as_secs_f64();
        println!(
            "fill: {} checks, {} state changes, {} passes written in {:.1} s ({:.2} M rows/s); \
             instances added in {:.1} s; checks indexes rebuilt in {:.1} s; total {:.1} s",
            thousands(self.checks),
            thousands(self.state_changes),
            thousands(self.passes),
            secs,
            (self.checks + self.state_changes + self.passes) as f64 / secs.max(1e-9) / 1e6,
            self.records.as_secs_f64(),
            self.indexes.as_secs_f64(),
            (self.records + self.rows + self.indexes).as_secs_f64(),
        );
    }
}

fn fill(path: &Path, opts: &Options) -> Fill {
    let end = system_now();
    let start = end - i64::from(opts.days) * 86_400;
    let t0 = Instant::now();
    let ids = add_instances(path, opts.instances, start);
    let records = t0.elapsed();
    println!(
        "  {} instances added in {:.1} s",
        ids.len(),
        records.as_secs_f64()
    );

    let mut conn = Connection::open(path).expect("cannot open the database");
    // A bench may lose its database on a crash: no journal, no fsync, big cache.
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
         PRAGMA cache_size = -1048576; PRAGMA threads = 2; PRAGMA foreign_keys = OFF;",
    )
    .expect("cannot set the fill pragmas");
    // The product's own index definitions, to put back exactly as they were.
    let indexes: Vec<(String, String)> = {
        let mut stmt = conn
            .prepare(
                "SELECT name, sql FROM sqlite_master
                 WHERE type = 'index' AND tbl_name = 'checks' AND sql IS NOT NULL ORDER BY name",
            )
            .expect("cannot list the checks indexes");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("cannot list the checks indexes")
            .collect::<rusqlite::Result<_>>()
            .expect("cannot read the checks indexes")
    };
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX {name}"))
            .expect("cannot drop an index");
    }

    let t1 = Instant::now();
    let tx = conn.transaction().expect("cannot begin the fill");
    let passes_n = ((end - start) / opts.interval) as usize;
    let mut sims: Vec<Sim> = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| Sim::new(i as u32, id))
        .collect();
    let mut offline_per_pass = vec![0u32; passes_n];
    let (mut checks, mut changes) = (0u64, 0u64);
    {
        let mut writer = CheckWriter::new(&tx);
        let mut change = tx
            .prepare(
                "INSERT INTO state_changes (instance_id, at, from_status, to_status, message)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .expect("cannot prepare the state change insert");
        let n = sims.len() as i64;
        let mut one = |sim: &mut Sim, p: usize| {
            // A pass of 1,000 records takes a dozen seconds: spread the checks over it.
            let index = sim.id % n;
            let at = start + p as i64 * opts.interval + index * 12 / n;
            let c = sim.check(at, end);
            writer.push((
                sim.id,
                at,
                c.status,
                c.response_ms,
                c.http_status,
                c.message,
            ));
            if let Some(from) = c.changed_from {
                change
                    .execute(params![sim.id, at, from, c.status, c.message])
                    .expect("cannot insert a state change");
                changes += 1;
            }
            if c.status != "online" {
                offline_per_pass[p] += 1;
            }
            checks += 1;
        };
        let mut progress = Progress::new(passes_n as u64 * sims.len() as u64);
        match opts.order {
            Order::Time => {
                for p in 0..passes_n {
                    for sim in sims.iter_mut() {
                        one(sim, p);
                    }
                    progress.tick((p as u64 + 1) * n as u64);
                }
            }
            Order::Instance => {
                for (i, sim) in sims.iter_mut().enumerate() {
                    for p in 0..passes_n {
                        one(sim, p);
                    }
                    progress.tick((i as u64 + 1) * passes_n as u64);
                }
            }
        }
        writer.finish();
    }
    // Both cron lines run every interval: update-hosts polls nothing here, yet records a pass.
    {
        let mut pass = tx
            .prepare(
                "INSERT INTO passes (kind, started_at, duration_ms, polled, online, offline)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .expect("cannot prepare the pass insert");
        let n = sims.len() as i64;
        for (p, &off) in offline_per_pass.iter().enumerate() {
            let at = start + p as i64 * opts.interval;
            let off = i64::from(off);
            pass.execute(params!["update-hosts", at, 3, 0, 0, 0])
                .expect("cannot insert a pass");
            pass.execute(params![
                "update-instances",
                at,
                11_000 + (p as i64 * 7919) % 3000,
                n,
                n - off,
                off
            ])
            .expect("cannot insert a pass");
        }
    }
    // Each record's state as the last check left it, and a certificate.
    {
        let mut state = tx
            .prepare(
                "UPDATE instances SET status = ?2, status_since = ?3, message = ?4,
                    last_check_at = ?5, last_success_at = ?6, consecutive_failures = ?7,
                    consecutive_successes = ?8, response_ms = ?9, http_status = ?10,
                    cert_expires_at = ?11
                 WHERE id = ?1",
            )
            .expect("cannot prepare the state update");
        for (i, s) in sims.iter().enumerate() {
            let cert_days = 3 + (i as i64 * 37) % 88;
            state
                .execute(params![
                    s.id,
                    s.status,
                    s.status_since,
                    s.message,
                    s.last_at,
                    s.last_success_at,
                    s.failures,
                    s.successes,
                    s.response_ms,
                    s.http_status,
                    end + cert_days * 86_400
                ])
                .expect("cannot update an instance");
        }
    }
    tx.commit().expect("cannot commit the fill");
    let rows = t1.elapsed();
    println!("  rows written in {:.1} s", rows.as_secs_f64());

    let t2 = Instant::now();
    for (name, sql) in &indexes {
        let t = Instant::now();
        conn.execute_batch(sql).expect("cannot recreate an index");
        println!("  index {name} built in {:.1} s", t.elapsed().as_secs_f64());
    }
    let indexes = t2.elapsed();
    conn.execute_batch("PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL;")
        .expect("cannot put the database back in WAL mode");
    drop(conn);
    Fill {
        checks,
        state_changes: changes,
        passes: passes_n as u64 * 2,
        records,
        rows,
        indexes,
    }
}

/// Adds the instances through the store, as `webhost instance add --api ping` would.
fn add_instances(path: &Path, n: u32, created_at: i64) -> Vec<i64> {
    let mut store = Store::open(path, webhost::store::Access::Create { mode: 0o600 })
        .expect("cannot create the database");
    let width = n.to_string().len().max(4);
    (1..=n)
        .map(|i| {
            let reference = format!("inst-{i:0width$}");
            let rec = Settings {
                url: Some(format!("https://{reference}.example.test/")),
                label: Some(format!("Instance {i}")),
                ..Settings::new(reference, ApiKind::Ping)
            };
            store
                .insert(RecordType::Instance, &rec, created_at)
                .expect("cannot add an instance")
        })
        .collect()
}

/// A line on stderr every ten seconds: done, rate, time left.
struct Progress {
    total: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new(total: u64) -> Progress {
        Progress {
            total,
            started: Instant::now(),
            last: Instant::now(),
        }
    }

    fn tick(&mut self, done: u64) {
        if self.last.elapsed() < Duration::from_secs(10) {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64();
        let rate = done as f64 / secs;
        eprintln!(
            "  {:5.1} % of {} checks, {:.2} M/s, {:.0} s left",
            done as f64 * 100.0 / self.total as f64,
            thousands(self.total),
            rate / 1e6,
            (self.total - done) as f64 / rate
        );
    }
}

/// Fails the bench unless the filled database has exactly the schema a fresh one gets.
fn check_schema(path: &Path, dir: &Path) {
    let fresh = dir.join("fresh.db");
    drop(
        Store::open(&fresh, webhost::store::Access::Create { mode: 0o600 })
            .expect("cannot create a fresh database"),
    );
    let schema = |p: &Path| -> Vec<(String, String, Option<String>)> {
        let conn = Connection::open(p).expect("cannot open a database");
        let mut stmt = conn
            .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            .expect("cannot read the schema");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("cannot read the schema")
            .collect::<rusqlite::Result<_>>()
            .expect("cannot read the schema")
    };
    let (filled, fresh_schema) = (schema(path), schema(&fresh));
    assert_eq!(
        filled, fresh_schema,
        "the filled database's schema differs from the migrations'"
    );
    let indexes = filled.iter().filter(|s| s.0 == "index").count();
    println!(
        "schema: identical to a fresh database's ({} tables, {indexes} indexes)",
        filled.iter().filter(|s| s.0 == "table").count()
    );
    for f in ["fresh.db", "fresh.db-wal", "fresh.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring

struct Row {
    what: String,
    first: f64,
    times: Vec<f64>,
    /// Whether the 50 ms target applies.
    target: bool,
}

impl Row {
    fn median(&self) -> f64 {
        let mut t = self.times.clone();
        t.sort_by(f64::total_cmp);
        let m = t.len() / 2;
        if t.len().is_multiple_of(2) {
            (t[m - 1] + t[m]) / 2.0
        } else {
            t[m]
        }
    }

    fn min(&self) -> f64 {
        self.times.iter().copied().fold(f64::INFINITY, f64::min)
    }

    fn max(&self) -> f64 {
        self.times.iter().copied().fold(0.0, f64::max)
    }
}

/// Runs `f` once to warm up, then `runs` times; milliseconds.
fn time<T>(what: &str, runs: usize, target: bool, mut f: impl FnMut() -> T) -> (Row, T) {
    let t = Instant::now();
    let mut out = f();
    let first = t.elapsed().as_secs_f64() * 1000.0;
    let mut times = Vec::with_capacity(runs);
    if first > SLOW_MS {
        // Far over the target: one run tells enough.
        eprintln!("  {what}: {first:.0} ms once; not repeated");
        times.push(first);
    }
    for _ in 0..runs {
        if first > SLOW_MS {
            break;
        }
        let t = Instant::now();
        out = f();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let row = Row {
        what: what.to_string(),
        first,
        times,
        target,
    };
    eprintln!("  {what}: median {:.1} ms", row.median());
    (row, out)
}

fn measure_processes(
    bin: &Path,
    db: &Path,
    reference: &str,
    runs: usize,
    rows: &mut Vec<Row>,
    notes: &mut Vec<String>,
) {
    let commands: [(&str, Vec<&str>, bool); 6] = [
        ("process start: webhost --version", vec!["--version"], false),
        (
            "process + open db: webhost config list --json",
            vec!["config", "list"],
            false,
        ),
        ("webhost status --json", vec!["status"], true),
        (
            "webhost history REF --json (7d, limit 50)",
            vec!["history", reference],
            true,
        ),
        (
            "webhost history REF --since 30d --json",
            vec!["history", reference, "--since", "30d"],
            true,
        ),
        (
            "webhost instance show REF --json (24h/7d/30d)",
            vec!["instance", "show", reference],
            true,
        ),
    ];
    for (what, args, target) in commands {
        let (row, out) = time(what, runs, target, || {
            let mut cmd = Command::new(bin);
            if args[0] != "--version" {
                cmd.arg("--db").arg(db).arg("--json");
            }
            let out = cmd.args(&args).output().expect("cannot run webhost");
            assert!(
                out.status.success(),
                "webhost {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        });
        // What the command answered, to show the figures come from real data.
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap_or_default();
        let items = |key: &str| v[key].as_array().map_or(0, Vec::len);
        match args[0] {
            "history" => notes.push(format!(
                "{what}: {} checks, {} status changes, uptime {:.3} %",
                items("checks"),
                items("changes"),
                v["uptime_percent"].as_f64().unwrap_or(f64::NAN)
            )),
            "instance" => notes.push(format!(
                "{what}: uptime 24h {:.3} %, 7d {:.3} %, 30d {:.3} %",
                v["uptime"]["day"].as_f64().unwrap_or(f64::NAN),
                v["uptime"]["week"].as_f64().unwrap_or(f64::NAN),
                v["uptime"]["month"].as_f64().unwrap_or(f64::NAN)
            )),
            "status" => notes.push(format!(
                "{what}: {} records not online, {} certificates listed, {} bytes of JSON",
                items("not_online"),
                items("certificates"),
                out.len()
            )),
            _ => {}
        }
        rows.push(row);
    }
}

fn measure_in_process(db: &Path, reference: &str, runs: usize, rows: &mut Vec<Row>) {
    let (row, store) = time("in-process: Store::open", runs, false, || {
        Store::open(db, webhost::store::Access::Create { mode: 0o600 })
            .expect("cannot open the database")
    });
    rows.push(row);
    let rec = store
        .get(RecordType::Instance, reference)
        .expect("no such instance");
    let now = system_now();
    let (id, rt) = (rec.id, RecordType::Instance);
    let (row, _) = time(
        "in-process status: last_passes + list ×2",
        runs,
        true,
        || {
            let passes = store.last_passes().expect("last_passes");
            let hosts = store
                .list(RecordType::Host, &Filter::default())
                .expect("list");
            let instances = store.list(rt, &Filter::default()).expect("list");
            (passes.len(), hosts.len(), instances.len())
        },
    );
    rows.push(row);
    let (row, _) = time("  of which last_passes", runs, true, || {
        store.last_passes().expect("last_passes")
    });
    rows.push(row);
    let (row, _) = time("  of which list(instances)", runs, true, || {
        store.list(rt, &Filter::default()).expect("list")
    });
    rows.push(row);
    for (label, days) in [("history 7d", 7), ("history 30d", 30)] {
        let since = now - days * 86_400;
        let (row, _) = time(
            &format!("in-process {label}: find + checks + changes + uptime"),
            runs,
            true,
            || {
                let rec = store.find(rt, reference).expect("find");
                let _ = store.find(RecordType::Host, reference).expect("find");
                let id = rec.map_or(id, |r| r.id);
                let checks = store.checks(rt, id, since, 50).expect("checks");
                let changes = store.state_changes(rt, id, since).expect("changes");
                if let Some(c) = changes.first() {
                    store.status_began(rt, id, c.at).expect("status_began");
                }
                let up = store.uptime(rt, id, since, now).expect("uptime");
                (checks.len(), up)
            },
        );
        rows.push(row);
        let (row, _) = time(&format!("  of which checks ({label})"), runs, true, || {
            store.checks(rt, id, since, 50).expect("checks")
        });
        rows.push(row);
        let (row, _) = time(&format!("  of which uptime ({label})"), runs, true, || {
            store.uptime(rt, id, since, now).expect("uptime")
        });
        rows.push(row);
    }
    let (row, _) = time(
        "in-process show: get + modules + uptime_windows",
        runs,
        true,
        || {
            let rec = store.get(rt, reference).expect("get");
            store.modules(rec.id).expect("modules");
            store.uptime_windows(rt, rec.id, now).expect("uptime")
        },
    );
    rows.push(row);
}

fn print_table(rows: &[Row]) {
    let width = rows.iter().map(|r| r.what.len()).max().unwrap_or(0);
    println!(
        "{:width$}  {:>8}  {:>8}  {:>8}  {:>8}  {:>7}  verdict",
        "what", "first", "min", "median", "max", "target"
    );
    for r in rows {
        let (target, verdict) = if r.target {
            let ok = r.median() <= TARGET_MS;
            (format!("{TARGET_MS:.0}"), if ok { "ok" } else { "OVER" })
        } else {
            ("-".to_string(), "")
        };
        println!(
            "{:width$}  {:>8.1}  {:>8.1}  {:>8.1}  {:>8.1}  {:>7}  {verdict}",
            r.what,
            r.first,
            r.min(),
            r.median(),
            r.max(),
            target
        );
    }
}

/// The plans SQLite picks for the product's reads (the SQL of src/store/history.rs).
fn print_plans(db: &Path) {
    let conn = Connection::open(db).expect("cannot open the database");
    let queries = [
        (
            "last_passes",
            "WITH RECURSIVE kinds(kind) AS (
                 SELECT min(kind) FROM passes
                 UNION ALL
                 SELECT (SELECT min(kind) FROM passes WHERE kind > k.kind) FROM kinds k
                 WHERE k.kind IS NOT NULL
             )
             SELECT p.kind, p.started_at, p.duration_ms, p.polled FROM kinds k
             JOIN passes p ON p.id = (SELECT id FROM passes q WHERE q.kind = k.kind
                                      ORDER BY started_at DESC, id DESC LIMIT 1)
             ORDER BY p.kind",
        ),
        (
            "checks",
            "SELECT at, status, response_ms, http_status, disk_used, message FROM checks
             WHERE instance_id = ?1 AND at >= ?2 ORDER BY at DESC, id DESC LIMIT ?3",
        ),
        (
            "uptime",
            "SELECT at, status FROM checks WHERE instance_id = ?1 AND at >= coalesce(
                (SELECT max(at) FROM checks WHERE instance_id = ?1 AND at < ?2), ?2) AND at < ?3
             ORDER BY at",
        ),
        (
            "uptime (host)",
            "SELECT at, status FROM checks WHERE host_id = ?1 AND at >= coalesce(
                (SELECT max(at) FROM checks WHERE host_id = ?1 AND at < ?2), ?2) AND at < ?3
             ORDER BY at",
        ),
        (
            "state_changes",
            "SELECT at, from_status, to_status, message FROM state_changes
             WHERE instance_id = ?1 AND at >= ?2 ORDER BY at, id",
        ),
        (
            "prune: owners",
            "SELECT DISTINCT instance_id FROM checks WHERE instance_id IS NOT NULL AND at < ?1",
        ),
    ];
    println!("query plans:");
    for (name, sql) in queries {
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("cannot explain");
        let blanks = vec![0; stmt.parameter_count()];
        let lines: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(blanks), |r| r.get(3))
            .expect("cannot explain")
            .collect::<rusqlite::Result<_>>()
            .expect("cannot explain");
        println!("  {name}: {}", lines.join(" / "));
    }
}

/// The bytes of each table and index, from SQLite's dbstat.
fn print_sizes(db: &Path) {
    let conn = Connection::open(db).expect("cannot open the database");
    let mut stmt = conn
        .prepare(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name
             HAVING sum(pgsize) > 1048576 ORDER BY 2 DESC",
        )
        .expect("cannot read dbstat");
    let sizes: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("cannot read dbstat")
        .collect::<rusqlite::Result<_>>()
        .expect("cannot read dbstat");
    let parts: Vec<String> = sizes
        .iter()
        .map(|(name, bytes)| format!("{name} {}", gb(*bytes as u64)))
        .collect();
    println!("  of which: {}", parts.join(", "));
}

fn middle_ref(db: &Path) -> String {
    if webhost::store::is_server(db) {
        let store = Store::open(db, webhost::store::Access::Read).expect("open");
        let all = store
            .page(RecordType::Instance, &Filter::default(), 0, usize::MAX >> 1)
            .expect("instances");
        return all[all.len() / 2].reference().to_owned();
    }
    let conn = Connection::open(db).expect("cannot open the database");
    conn.query_row(
        "SELECT ref FROM instances ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM instances)",
        [],
        |r| r.get(0),
    )
    .expect("the database has no instances")
}

fn count(db: &Path, table: &str) -> i64 {
    let conn = Connection::open(db).expect("cannot open the database");
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("cannot count")
}

fn db_size(path: &Path) -> u64 {
    let name = path.as_os_str().to_string_lossy();
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{name}{s}")).ok())
        .map(|m| m.len())
        .sum()
}

fn gb(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
