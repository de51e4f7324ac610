//! Benchmark (not a test): how close one `webhost update-instances` pass over a fleet of
//! WebObserver instances comes to the ideal `ceil(N / jobs) × latency`, what it costs in CPU,
//! memory and database writing, and how it compares with `xargs -P jobs curl` fetching the same
//! URLs.
//!
//! ```sh
//! cargo bench --bench pass                               # N = 1,000 / 5,000 / 10,000, then faults
//! cargo bench --bench pass -- --sizes 1000 --no-baseline # one quick row
//! sudo -E cargo bench --bench pass -- --https            # HTTPS, 10,000 names (root: DNS server)
//! sudo -E cargo bench --bench pass -- --https --names hosts  # the names in /etc/hosts instead
//! cargo bench --bench pass -- --https --by-address       # HTTPS, 10,000 loopback addresses
//! ```
//!
//! Options: `--sizes N,N,..` (1000,5000,10000), `--jobs J` (64), `--latency-ms L` (100),
//! `--fault-size N` (10000; 0 skips the fault row), `--fail-share F` (0.05), `--fault-timeout D`
//! (1s), `--no-baseline`, `--quiet` (run the passes with `-q` instead of `-v --json`: then the
//! database writing time is not known), `--keep` (keep the databases and print where),
//! `--postgres URL` (each case again into a database made on that PostgreSQL server, e.g.
//! `postgres://root@/postgres?host=/var/run/postgresql&sslmode=disable`, dropped after),
//! `--https` (below), `--names dns|hosts` (with `--https`: how the names resolve, below),
//! `--by-address` (with `--https`: one loopback address per instance instead of one name,
//! below), `--perf PATH` (with `--https`: the steady pass runs under
//! `perf record --call-graph dwarf`, its profile in PATH.<N>.data; its figures then include
//! perf).
//!
//! For each size the mock fleet (`benches/common/fleet.rs`, the same server as
//! `examples/mock_fleet.rs`) runs on threads of this process, on 127.0.0.1, with `latency`
//! before each answer. The database is created by the real store (`Store::open`), and the
//! instances (kind `server-observer-v1`, a token, URL `/i/<n>/get-data.php`) are inserted with
//! one prepared INSERT in one transaction. Then the release binary cargo builds for benches
//! (`CARGO_BIN_EXE_webhost`) runs `update-instances --jobs J` twice: the first pass stores
//! every instance's module list for the first time (about 80 rows each), the second is the
//! steady state of a cron pass (nothing changed). Each is timed from spawn to exit; CPU
//! (user + system) and peak RSS come from `wait4(2)` on that child alone (the fleet's threads
//! are not counted). The database writing time is the pass's own `-v` line.
//!
//! The baseline is `xargs -P J -n 1 curl -s -o /dev/null --max-time T` over the same signed
//! URLs (one curl per URL, as a shell script would do it); its CPU and RSS are those of xargs
//! and every curl it ran. It only fetches: no parsing, no database.
//!
//! The fault row uses a second fleet where a `--fail-share` of the instances are broken (a
//! third each hang, answer HTTP 500, or answer a page with no JSON) and a short `--timeout`;
//! its ideal counts the hanging instances as taking the whole timeout.
//!
//! `--https` measures HTTPS instead (and only that; `--sizes` defaults to 10,000 then):
//! the fleet speaks TLS with a CA and a certificate per instance name that it makes at start,
//! picked by SNI, and counts completed handshakes per name. Each instance has a name of its own,
//! `i<n>.bench.webhost.test`, and every lookup goes through the system resolver (glibc's
//! `getaddrinfo`, as for a real fleet). With `--names dns` (the default) the names are a DNS
//! server's: the bench starts `dnsmasq` (Debian's `dnsmasq-base`) on 127.53.0.1:53, answering
//! 127.0.0.1 for every name under the domain, and puts `nameserver 127.53.0.1` first in
//! `/etc/resolv.conf` for the run. With `--names hosts` they are written to `/etc/hosts` instead
//! (all on 127.0.0.1), which glibc reads whole for each lookup: with 10,000 lines that costs
//! about 1.5 ms of CPU per lookup, 15 s per pass, in webhost and curl alike. Either file is
//! restored when the bench ends, also on an error, a panic or Ctrl-C (a run killed outright
//! leaves a marked block that the next run removes; a copy of the file is kept beside it
//! meanwhile), and dnsmasq is stopped. Writing either file needs root: without it the bench
//! refuses to run `--https`. The passes trust the bench CA through the
//! stored `ca-file` setting (`webhost config set ca-file`), with no `--insecure-tls`. The peer is
//! one `curl --parallel --parallel-max J --cacert CA` over the same signed URLs; its handshakes
//! are counted the same way.
//!
//! `--https --by-address` is the same without `/etc/hosts` (and without root): instance n is
//! `https://127.a.b.c:PORT/i/<n>/get-data.php` at an address of its own, 127.1.0.1 for 1 onwards
//! (`fleet::instance_addr`; all of 127/8 is loopback on Linux), whose certificate carries that
//! IP address as its SAN. There is no lookup (the URL is an address) and no SNI: the fleet
//! listens on 0.0.0.0 (serving only what comes in on loopback), picks the certificate by the
//! local address of each accepted connection, and counts handshakes per address. This measures
//! the TLS pass without the cost of glibc scanning a 10,000-line `/etc/hosts` for each lookup.

#[path = "common/doc.rs"]
mod doc;
#[path = "common/fleet.rs"]
mod fleet;
#[path = "common/process.rs"]
mod process;

use process::{Usage, now_unix, webhost_binary};

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use webhost::store::Store;

const TOKEN: &str = "bench-fleet-t0ken";

/// What the figures should stay under (10,000 instances, steady pass).
const TARGET_RATIO: f64 = 1.10;
const TARGET_RSS_MIB: f64 = 64.0;
const TARGET_WRITE_S: f64 = 0.5;
/// PostgreSQL (`--postgres`), 10,000 instances, steady pass: against the SQLite pass of the
/// same run, and the writer's time.
const TARGET_PG_VS_SQLITE: f64 = 1.05;
const TARGET_PG_WRITE_S: f64 = 1.0;
/// HTTPS, 10,000 names: wall against the ideal.
const TARGET_HTTPS_RATIO: f64 = 1.05;

const USAGE: &str = "usage: cargo bench --bench pass -- [--sizes N,N,..] [--jobs J] \
[--latency-ms L] [--fault-size N] [--fail-share F] [--fault-timeout D] [--no-baseline] \
[--quiet] [--keep] [--postgres URL] [--https [--names dns|hosts] [--by-address] [--perf PATH]]";

#[derive(Debug)]
struct Options {
    sizes: Vec<u64>,
    jobs: u64,
    latency: Duration,
    fault_size: u64,
    fail_share: f64,
    fault_timeout: Duration,
    baseline: bool,
    quiet: bool,
    keep: bool,
    https: bool,
    /// `--by-address`: with `--https`, one loopback address per instance, not one name.
    by_address: bool,
    /// `--names dns|hosts`: how the names resolve (dns: a local DNS server).
    names: Names,
    sizes_given: bool,
    /// `--perf PATH`: profile each https steady pass into PATH.<N>.data.
    perf: Option<PathBuf>,
    /// `--postgres URL`: each case again into a PostgreSQL database made on this server.
    postgres: Option<String>,
}

/// How the instances' names resolve under `--https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    /// A local DNS server (dnsmasq) as the resolver: what a real fleet's names go through.
    Dns,
    /// Every name in /etc/hosts: glibc reads the whole file for each lookup.
    Hosts,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        sizes: vec![1000, 5000, 10_000],
        jobs: 64,
        latency: Duration::from_millis(100),
        fault_size: 10_000,
        fail_share: 0.05,
        fault_timeout: Duration::from_secs(1),
        baseline: true,
        quiet: false,
        keep: false,
        https: false,
        by_address: false,
        names: Names::Dns,
        sizes_given: false,
        perf: None,
        postgres: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            // `cargo bench` passes --bench to harness = false targets.
            "--bench" => {}
            "--sizes" => {
                o.sizes = value()?.split(',').map(number).collect::<Result<_, _>>()?;
                o.sizes_given = true;
            }
            "--jobs" => o.jobs = number(&value()?)?.max(1),
            "--latency-ms" => o.latency = Duration::from_millis(number(&value()?)?),
            "--fault-size" => o.fault_size = number(&value()?)?,
            "--fail-share" => {
                o.fail_share = value()?
                    .parse()
                    .map_err(|_| "--fail-share is a number between 0 and 1")?;
            }
            "--fault-timeout" => {
                o.fault_timeout = webhost::domain::units::parse_duration(&value()?)?
            }
            "--no-baseline" => o.baseline = false,
            "--quiet" => o.quiet = true,
            "--keep" => o.keep = true,
            "--https" => o.https = true,
            "--by-address" => o.by_address = true,
            "--names" => {
                o.names = match value()?.as_str() {
                    "dns" => Names::Dns,
                    "hosts" => Names::Hosts,
                    other => return Err(format!("--names is dns or hosts, not {other}")),
                }
            }
            "--perf" => o.perf = Some(PathBuf::from(value()?)),
            "--postgres" => o.postgres = Some(value()?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.by_address && !o.https {
        return Err("--by-address goes with --https".into());
    }
    if o.https && !o.sizes_given {
        o.sizes = vec![10_000];
    }
    Ok(o)
}

fn number(text: &str) -> Result<u64, String> {
    text.trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("not a number: {text}"))
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("pass bench: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&o) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) if INTERRUPTED.load(Ordering::Relaxed) => ExitCode::from(130),
        Err(message) => {
            eprintln!("pass bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The child `measured` waits for (0: none), for an interrupted bench to stop it.
static RUNNING: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);
/// Set on SIGINT/SIGTERM/SIGHUP once `/etc/hosts` is changed: the run stops after the child.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Runs `command` to its end, measuring it alone; an interrupted bench stops after it.
fn measured(command: &mut Command) -> Result<Usage, String> {
    let usage = process::measured(command, Some(&RUNNING))?;
    if INTERRUPTED.load(Ordering::Relaxed) {
        return Err("interrupted".into());
    }
    Ok(usage)
}

fn instance_url(port: u16, n: u64) -> String {
    format!("http://127.0.0.1:{port}/i/{n}/get-data.php")
}

/// A fresh database with instances 1..=n of the fleet on `port`.
fn make_db(dir: &Path, port: u16, n: u64) -> Result<PathBuf, String> {
    make_db_with(dir, n, |i| instance_url(port, i))
}

/// A fresh database with instances 1..=n at `url(i)`.
fn make_db_with(dir: &Path, n: u64, url: impl Fn(u64) -> String) -> Result<PathBuf, String> {
    let path = dir.join("webhost.db");
    Store::open(&path, webhost::store::Access::Create { mode: 0o600 })
        .map_err(|e| format!("{e:#}"))?;
    let mut conn = Connection::open(&path).map_err(|e| e.to_string())?;
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO instances (ref, api_kind, url, token, created_at)
                 VALUES (?1, 'server-observer-v1', ?2, ?3, ?4)",
            )
            .map_err(|e| e.to_string())?;
        let now = now_unix() as i64;
        for i in 1..=n {
            insert
                .execute(params![format!("i{i:05}"), url(i), TOKEN, now])
                .map_err(|e| e.to_string())?;
        }
    }
    tx.commit().map_err(|e| e.to_string())?;
    // The tokens go to their own file now, before any pass is timed.
    Store::open(&path, webhost::store::Access::Write).map_err(|e| format!("{e:#}"))?;
    Ok(path)
}

/// How many instances have each status, as the database says.
fn status_counts(db: &Path) -> Result<Vec<(String, u64)>, String> {
    let conn = Connection::open(db).map_err(|e| e.to_string())?;
    let mut stmt = conn
        .prepare("SELECT status, count(*) FROM instances GROUP BY status ORDER BY status")
        .map_err(|e| e.to_string())?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
        .and_then(|rows| rows.collect())
        .map_err(|e| e.to_string())
}

struct Pass {
    usage: Usage,
    /// Seconds of database writing, from the pass's `-v` line.
    write_s: Option<f64>,
}

fn run_pass(o: &Options, db: &Path, timeout: Duration, log: &Path) -> Result<Pass, String> {
    run_pass_as(o, db, timeout, log, None)
}

/// `run_pass`, under `perf record --call-graph dwarf -o PERF` when `perf` is given (for a
/// profile: the figures are then perf's and webhost's together).
fn run_pass_as(
    o: &Options,
    db: &Path,
    timeout: Duration,
    log: &Path,
    perf: Option<&Path>,
) -> Result<Pass, String> {
    let stderr = File::create(log).map_err(|e| e.to_string())?;
    let mut command = match perf {
        None => Command::new(webhost_binary()),
        Some(output) => {
            let mut perf = Command::new("perf");
            perf.args([
                "record",
                "-q",
                "-F",
                "499",
                "--call-graph",
                "dwarf,16384",
                "-o",
            ])
            .arg(output)
            .arg("--")
            .arg(webhost_binary());
            perf
        }
    };
    command
        .arg("--db")
        .arg(db)
        .args(if o.quiet {
            &["-q"][..]
        } else {
            &["-v", "--json"][..]
        })
        .args(["update-instances", "--jobs", &o.jobs.to_string()])
        .arg("--timeout")
        .arg(format!("{}ms", timeout.as_millis()))
        .env_remove("WEBHOST_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    let usage = measured(&mut command)?;
    let text = std::fs::read_to_string(log).unwrap_or_default();
    if usage.exit != 0 {
        return Err(format!(
            "webhost exited with {}: {}",
            usage.exit,
            text.trim()
        ));
    }
    // "webhost: update-instances: 10000 results stored in 0.123 s of database writing"
    let write_s = text
        .lines()
        .find_map(|line| line.split(" results stored in ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|s| s.parse().ok());
    Ok(Pass { usage, write_s })
}

fn curl_available() -> bool {
    ["curl", "xargs"].iter().all(|program| {
        Command::new(program)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// `xargs -P jobs -n 1 curl` over the same signed URLs.
fn run_baseline(
    o: &Options,
    dir: &Path,
    port: u16,
    n: u64,
    timeout: Duration,
) -> Result<Usage, String> {
    let list = dir.join("urls.txt");
    let mut file = std::io::BufWriter::new(File::create(&list).map_err(|e| e.to_string())?);
    let now = now_unix();
    for i in 1..=n {
        let url = webhost::probe::sign::signed_url(&instance_url(port, i), Some(TOKEN), now);
        writeln!(file, "{url}").map_err(|e| e.to_string())?;
    }
    file.flush().map_err(|e| e.to_string())?;
    drop(file);
    let mut command = Command::new("xargs");
    command
        .arg("-a")
        .arg(&list)
        .args(["-P", &o.jobs.to_string(), "-n", "1"])
        .args(["curl", "-s", "-o", "/dev/null", "--max-time"])
        .arg(format!("{:.3}", timeout.as_secs_f64()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // xargs exits 123 when some curl failed (a hanging instance): still a finished run.
    measured(&mut command)
}

struct Row {
    label: String,
    n: u64,
    ideal: Duration,
    pass: Pass,
    baseline: Option<Usage>,
}

fn print_header() {
    println!(
        "{:<22} {:>6} {:>8} {:>8} {:>6} {:>8} {:>8} {:>8} {:>9} {:>9} {:>8}",
        "pass",
        "N",
        "wall s",
        "ideal s",
        "ratio",
        "CPU s",
        "RSS MiB",
        "write s",
        "curl s",
        "curl CPU",
        "wh/curl"
    );
}

fn print_row(row: &Row) {
    let u = &row.pass.usage;
    let wall = u.wall.as_secs_f64();
    let (curl, curl_cpu, versus) = match &row.baseline {
        Some(b) => (
            format!("{:.2}", b.wall.as_secs_f64()),
            format!("{:.1}", b.cpu.as_secs_f64()),
            format!("{:.2}", wall / b.wall.as_secs_f64()),
        ),
        None => ("-".into(), "-".into(), "-".into()),
    };
    println!(
        "{:<22} {:>6} {:>8.2} {:>8.2} {:>6.3} {:>8.2} {:>8.1} {:>8} {:>9} {:>9} {:>8}",
        row.label,
        row.n,
        wall,
        row.ideal.as_secs_f64(),
        wall / row.ideal.as_secs_f64(),
        u.cpu.as_secs_f64(),
        u.max_rss_kib as f64 / 1024.0,
        row.pass
            .write_s
            .map_or("-".to_string(), |s| format!("{s:.3}")),
        curl,
        curl_cpu,
        versus,
    );
}

/// Two passes (first inventory, then steady) and the baseline over one fleet.
#[allow(clippy::too_many_arguments)]
fn case(
    o: &Options,
    fleet: &fleet::Fleet,
    n: u64,
    timeout: Duration,
    ideal: Duration,
    expected_online: u64,
    name: &str,
    rows: &mut Vec<Row>,
) -> Result<(), String> {
    let dir = tempfile::Builder::new()
        .prefix("webhost-pass-bench-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let db = make_db(dir.path(), fleet.port, n)?;
    let passes = two_passes(o, dir.path(), &db, timeout, expected_online, name, None)?;
    let baseline = if o.baseline {
        Some(run_baseline(o, dir.path(), fleet.port, n, timeout)?)
    } else {
        None
    };
    for (which, pass) in ["first", "steady"].into_iter().zip(passes) {
        let row = Row {
            label: format!("{name} {which}"),
            n,
            ideal,
            pass,
            baseline,
        };
        print_row(&row);
        rows.push(row);
    }
    if let Some(server) = &o.postgres {
        let pg = PgBench::create(server, fleet.port, n)?;
        let db = PathBuf::from(pg.url());
        let passes = two_passes(
            o,
            dir.path(),
            &db,
            timeout,
            expected_online,
            name,
            Some(&pg),
        )?;
        for (which, pass) in ["first", "steady"].into_iter().zip(passes) {
            let row = Row {
                label: format!("{name} {which} (pg)"),
                n,
                ideal,
                pass,
                baseline,
            };
            print_row(&row);
            rows.push(row);
        }
    }
    if o.keep {
        let kept = dir.keep();
        eprintln!("pass bench: kept {}", kept.display());
    }
    Ok(())
}

/// A database on the `--postgres` server with instances 1..=n of the fleet on `port`, the
/// tokens in `secrets.tokens` as the store keeps them there; dropped afterwards.
struct PgBench {
    server: String,
    name: String,
}

impl PgBench {
    fn create(server: &str, port: u16, n: u64) -> Result<PgBench, String> {
        let name = format!("webhost_bench_{}_{n}", std::process::id());
        let mut admin =
            postgres::Client::connect(server, postgres::NoTls).map_err(|e| e.to_string())?;
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .map_err(|e| e.to_string())?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| e.to_string())?;
        let pg = PgBench {
            server: server.to_owned(),
            name,
        };
        Store::open(
            Path::new(&pg.url()),
            webhost::store::Access::Create { mode: 0o600 },
        )
        .map_err(|e| format!("{e:#}"))?;
        let mut client = pg.client()?;
        let mut tx = client.transaction().map_err(|e| e.to_string())?;
        let now = now_unix() as i64;
        let insert = tx
            .prepare(
                "INSERT INTO instances (ref, api_kind, url, has_token, created_at)
                 VALUES ($1, 'server-observer-v1', $2, 1, $3) RETURNING id",
            )
            .map_err(|e| e.to_string())?;
        let token = tx
            .prepare(
                "INSERT INTO secrets.tokens (record_type, record_id, token)
                 VALUES ('instance', $1, $2)",
            )
            .map_err(|e| e.to_string())?;
        for i in 1..=n {
            let id: i64 = tx
                .query_one(
                    &insert,
                    &[&format!("i{i:05}"), &instance_url(port, i), &now],
                )
                .map_err(|e| e.to_string())?
                .get(0);
            tx.execute(&token, &[&id, &TOKEN])
                .map_err(|e| e.to_string())?;
        }
        tx.commit().map_err(|e| e.to_string())?;
        Ok(pg)
    }

    fn url(&self) -> String {
        let (base, query) = self.server.split_once('?').unwrap_or((&self.server, ""));
        let authority = base.rsplit_once('/').map_or(base, |(a, _)| a);
        format!("{authority}/{}?{query}", self.name)
    }

    fn client(&self) -> Result<postgres::Client, String> {
        postgres::Client::connect(&self.url(), postgres::NoTls).map_err(|e| e.to_string())
    }

    fn status_counts(&self) -> Result<Vec<(String, u64)>, String> {
        let rows = self
            .client()?
            .query(
                "SELECT status, count(*) FROM instances GROUP BY status ORDER BY status",
                &[],
            )
            .map_err(|e| e.to_string())?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }
}

impl Drop for PgBench {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The first and the steady pass over `db` (SQLite, or `pg`'s database).
fn two_passes(
    o: &Options,
    dir: &Path,
    db: &Path,
    timeout: Duration,
    expected_online: u64,
    name: &str,
    pg: Option<&PgBench>,
) -> Result<Vec<Pass>, String> {
    let mut passes = Vec::new();
    for which in ["first", "steady"] {
        let log = dir.join(format!("{which}.log"));
        let pass = run_pass(o, db, timeout, &log)?;
        let counts = match pg {
            Some(pg) => pg.status_counts()?,
            None => status_counts(db)?,
        };
        let online = counts
            .iter()
            .find(|(s, _)| s == "online")
            .map_or(0, |(_, c)| *c);
        if online != expected_online {
            eprintln!(
                "pass bench: {name} {which} pass: expected {expected_online} online, got {counts:?}"
            );
        }
        passes.push(pass);
    }
    Ok(passes)
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
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, Linux {kernel}")
}

fn run(o: &Options) -> Result<(), String> {
    let binary = webhost_binary();
    if !binary.exists() {
        return Err(format!(
            "{} not found: run `cargo build --release` (cargo bench builds it)",
            binary.display()
        ));
    }
    let mut o_baseline = o.baseline;
    if o.baseline && !curl_available() {
        eprintln!("pass bench: curl or xargs missing: no baseline (apt-get install -y curl)");
        o_baseline = false;
    }
    let o = &Options {
        baseline: o_baseline,
        sizes: o.sizes.clone(),
        perf: o.perf.clone(),
        postgres: o.postgres.clone(),
        ..*o
    };
    let l = o.latency;
    println!("machine: {}", machine());
    if o.https {
        return run_https(o);
    }
    println!(
        "webhost {} --jobs {}, latency {} ms; ideal = ceil(N / {}) × {} ms; CPU and RSS of the \
         webhost process (wait4); write = time inside the pass's database writer",
        binary.display(),
        o.jobs,
        l.as_millis(),
        o.jobs,
        l.as_millis()
    );
    let largest = o.sizes.iter().copied().max().unwrap_or(0);
    let healthy = fleet::start(
        0,
        fleet::Config {
            instances: largest,
            latency: l,
            fail_share: 0.0,
            token: TOKEN.into(),
            hang: Duration::from_secs(300),
        },
    )
    .map_err(|e| format!("mock fleet: {e}"))?;
    let mut rows = Vec::new();
    print_header();
    for &n in &o.sizes {
        let ideal = l * n.div_ceil(o.jobs) as u32;
        case(
            o,
            &healthy,
            n,
            Duration::from_secs(10),
            ideal,
            n,
            "healthy",
            &mut rows,
        )?;
    }
    if o.fault_size > 0 {
        let n = o.fault_size;
        let broken = fleet::start(
            0,
            fleet::Config {
                instances: n,
                latency: l,
                fail_share: o.fail_share,
                token: TOKEN.into(),
                hang: Duration::from_secs(300),
            },
        )
        .map_err(|e| format!("mock fleet: {e}"))?;
        let faults: Vec<fleet::Fault> = (1..=n)
            .filter_map(|i| fleet::fault(i, o.fail_share))
            .collect();
        let hangs = faults.iter().filter(|f| **f == fleet::Fault::Hang).count() as u64;
        // Every slot busy for the whole pass: the latency of each answer, the timeout of each hang.
        let work = l * (n - hangs) as u32 + o.fault_timeout * hangs as u32;
        let ideal = (l * n.div_ceil(o.jobs) as u32).max(work / o.jobs as u32);
        let name = format!("faults {:.0}%", o.fail_share * 100.0);
        case(
            o,
            &broken,
            n,
            o.fault_timeout,
            ideal,
            n - faults.len() as u64,
            &name,
            &mut rows,
        )?;
        println!(
            "({name}: {} broken instances, {hangs} of them hanging; --timeout {} ms; its ideal \
             counts a hang as the whole timeout)",
            faults.len(),
            o.fault_timeout.as_millis()
        );
        let requests = fleet::Stats::get(&broken.stats.requests);
        let rejected = fleet::Stats::get(&broken.stats.rejected);
        if rejected > 0 {
            eprintln!("pass bench: {rejected} of {requests} requests were refused (hash/time)");
        }
    }
    let s = &healthy.stats;
    println!(
        "(healthy fleet: {} requests over {} connections; {} refused by hash/time)",
        fleet::Stats::get(&s.requests),
        fleet::Stats::get(&s.connections),
        fleet::Stats::get(&s.rejected)
    );
    verdict(o, &rows);
    Ok(())
}

/// The targets, measured rather than asserted.
fn verdict(o: &Options, rows: &[Row]) {
    let steady: Vec<&Row> = rows
        .iter()
        .filter(|r| r.label == "healthy steady")
        .collect();
    let Some(largest) = steady.iter().max_by_key(|r| r.n) else {
        return;
    };
    let mark = |ok: bool| if ok { "met" } else { "MISSED" };
    let u = &largest.pass.usage;
    let ratio = u.wall.as_secs_f64() / largest.ideal.as_secs_f64();
    println!("targets, N = {}, steady pass:", largest.n);
    println!(
        "  wall <= {TARGET_RATIO:.2} x ideal: {ratio:.3} ({})",
        mark(ratio <= TARGET_RATIO)
    );
    if let Some(b) = &largest.baseline {
        println!(
            "  faster than xargs + curl: {:.2} s vs {:.2} s ({})",
            u.wall.as_secs_f64(),
            b.wall.as_secs_f64(),
            mark(u.wall < b.wall)
        );
    }
    let rss: Vec<f64> = rows
        .iter()
        .filter(|r| r.label.starts_with("healthy"))
        .map(|r| r.pass.usage.max_rss_kib as f64 / 1024.0)
        .collect();
    let (low, high) = rss
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    println!(
        "  peak RSS <= {TARGET_RSS_MIB} MiB, flat over N = {:?}: {low:.1} .. {high:.1} MiB ({})",
        o.sizes,
        mark(high <= TARGET_RSS_MIB)
    );
    if let Some(write) = largest.pass.write_s {
        println!(
            "  database writing <= {TARGET_WRITE_S} s: {write:.3} s ({})",
            mark(write <= TARGET_WRITE_S)
        );
    }
    let pg = rows
        .iter()
        .find(|r| r.label == "healthy steady (pg)" && r.n == largest.n);
    if let Some(pg) = pg {
        let vs = pg.pass.usage.wall.as_secs_f64() / u.wall.as_secs_f64();
        println!("  PostgreSQL, same N, steady pass:");
        println!(
            "    wall <= {TARGET_PG_VS_SQLITE:.2} x the SQLite pass: {:.2} s vs {:.2} s = {vs:.3} ({})",
            pg.pass.usage.wall.as_secs_f64(),
            u.wall.as_secs_f64(),
            mark(vs <= TARGET_PG_VS_SQLITE)
        );
        if let Some(write) = pg.pass.write_s {
            println!(
                "    database writing <= {TARGET_PG_WRITE_S} s: {write:.3} s ({})",
                mark(write <= TARGET_PG_WRITE_S)
            );
        }
    }
}

// ---- HTTPS: names in /etc/hosts or a local DNS server, a TLS fleet, handshakes counted ----

const HOSTS: &str = "/etc/hosts";
const RESOLV_CONF: &str = "/etc/resolv.conf";
const BLOCK_BEGIN: &str =
    "# webhost pass bench: begin (the bench removes these lines when it ends)";
const BLOCK_END: &str = "# webhost pass bench: end";
/// Where the bench's DNS server answers (port 53: resolv.conf names no port). Not 127.0.0.53,
/// where a machine's systemd-resolved may be listening.
const DNS_ADDRESS: &str = "127.53.0.1";

/// System files with the bench's lines added (a marked block), restored when this is dropped
/// (an error or a panic unwinding through `run_https`) or on SIGINT/SIGTERM/SIGHUP (a
/// watching thread), with the bench's DNS server stopped.
struct SystemFiles {
    /// Each file as it was; taken by whoever restores it first.
    originals: Arc<Mutex<Originals>>,
    backups: Vec<PathBuf>,
}

/// Each changed file's path and bytes as they were.
type Originals = Vec<(&'static str, Vec<u8>)>;

/// One change: `lines` added to the file at `path`, first in it or last.
struct Addition {
    path: &'static str,
    lines: Vec<String>,
    first: bool,
}

/// The pid of the bench's DNS server (0: none), for an interrupted bench to stop it.
static DNS_SERVER: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// `text` without a block a previous run left (it was killed before it could restore).
fn without_bench_block(text: &str) -> (String, bool) {
    let mut kept = String::with_capacity(text.len());
    let mut inside = false;
    let mut found = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == BLOCK_BEGIN {
            inside = true;
            found = true;
        } else if inside && bare == BLOCK_END {
            inside = false;
        } else if !inside {
            kept.push_str(line);
        }
    }
    (kept, found)
}

/// Writes `bytes` over the file in place: /etc/hosts may be a bind mount (containers), which a
/// rename cannot replace.
fn overwrite(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn restore_files(originals: &Mutex<Originals>) {
    let taken = std::mem::take(
        &mut *originals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    );
    for (path, bytes) in taken {
        match overwrite(Path::new(path), &bytes) {
            Ok(()) => eprintln!("pass bench: {path} restored"),
            Err(e) => eprintln!("pass bench: cannot restore {path}: {e} (see the backup)"),
        }
    }
    stop_dns_server();
}

fn stop_dns_server() {
    let pid = DNS_SERVER.swap(0, Ordering::Relaxed);
    if pid > 0 {
        // SAFETY: kill(2) with a pid and a signal number; no memory is involved.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
}

impl SystemFiles {
    /// Refuses unless `path` can be written (checked before anything else is done).
    fn check_writable(path: &str, why: &str) -> Result<(), String> {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map(drop)
            .map_err(|e| {
                format!(
                    "--https needs to write {path} ({why}, restored after): {e}; run it as \
                     root, e.g. `sudo -E cargo bench --bench pass -- --https`"
                )
            })
    }

    fn install(additions: Vec<Addition>) -> Result<SystemFiles, String> {
        let mut originals = Vec::new();
        let mut changed = Vec::new();
        let mut backups = Vec::new();
        for a in &additions {
            let text = std::fs::read_to_string(a.path).map_err(|e| format!("{}: {e}", a.path))?;
            let (mut original, leftover) = without_bench_block(&text);
            if leftover {
                eprintln!(
                    "pass bench: removed the lines an interrupted run left in {}",
                    a.path
                );
            }
            if !original.is_empty() && !original.ends_with('\n') {
                original.push('\n');
            }
            // A copy, in case this process is killed outright (the marked block is the other
            // way).
            let name = Path::new(a.path)
                .file_name()
                .map_or("file".into(), |n| n.to_string_lossy().into_owned());
            let backup = [
                PathBuf::from(format!("{}.webhost-pass-bench", a.path)),
                std::env::temp_dir().join(format!("{name}.webhost-pass-bench")),
            ]
            .into_iter()
            .find(|p| std::fs::write(p, &original).is_ok());
            backups.extend(backup);
            let mut block = format!("{BLOCK_BEGIN}\n");
            for line in &a.lines {
                block.push_str(line);
                block.push('\n');
            }
            block.push_str(BLOCK_END);
            block.push('\n');
            let added = if a.first {
                format!("{block}{original}")
            } else {
                format!("{original}{block}")
            };
            originals.push((a.path, original.into_bytes()));
            changed.push((a.path, added));
        }
        let originals = Arc::new(Mutex::new(originals));
        // Before the files change, so that no signal can come in between.
        let signalled = Arc::new(AtomicBool::new(false));
        for signal in [
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
        ] {
            signal_hook::flag::register(signal, Arc::clone(&signalled))
                .map_err(|e| format!("cannot catch signal {signal}: {e}"))?;
        }
        let (watched, backup_copies) = (Arc::clone(&originals), backups.clone());
        std::thread::Builder::new()
            .name("files-restore".into())
            .spawn(move || {
                while !signalled.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(50));
                }
                INTERRUPTED.store(true, Ordering::Relaxed);
                eprintln!("pass bench: interrupted");
                let child = RUNNING.load(Ordering::Relaxed);
                if child > 0 {
                    // SAFETY: kill(2) with a pid and a signal number; no memory is involved.
                    unsafe { libc::kill(child, libc::SIGTERM) };
                }
                // At once, not after the child: the files are the machine's.
                restore_files(&watched);
                for backup in backup_copies {
                    let _ = std::fs::remove_file(backup);
                }
                // The main thread stops once the child has (and removes its temporary
                // files); a child that takes too long is left to finish alone.
                std::thread::sleep(Duration::from_secs(30));
                std::process::exit(130);
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        let files = SystemFiles { originals, backups };
        for (path, added) in changed {
            overwrite(Path::new(path), added.as_bytes())
                .map_err(|e| format!("cannot write {path}: {e}"))?;
        }
        Ok(files)
    }
}

impl Drop for SystemFiles {
    fn drop(&mut self) {
        restore_files(&self.originals);
        for backup in &self.backups {
            let _ = std::fs::remove_file(backup);
        }
    }
}

/// Starts dnsmasq on [`DNS_ADDRESS`]:53, answering 127.0.0.1 for every name under the fleet's
/// domain (and no data for AAAA), nothing else; it runs until [`stop_dns_server`].
fn start_dns_server() -> Result<(), String> {
    let child = Command::new("dnsmasq")
        .args([
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--conf-file=/dev/null",
            "--bind-interfaces",
            "--port=53",
            "--user=root",
            "--pid-file=",
            "--cache-size=0",
            // The fleet's 10,000 names arrive 64 at a time; dnsmasq's default is 150.
            "--dns-forward-max=1000",
        ])
        .arg(format!("--listen-address={DNS_ADDRESS}"))
        .arg(format!("--address=/{}/127.0.0.1", fleet::DOMAIN))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "--names dns needs dnsmasq (Debian: apt-get install dnsmasq-base), or use \
                 --names hosts: {e}"
            )
        })?;
    DNS_SERVER.store(child.id() as i32, Ordering::Relaxed);
    // Ready once it answers a lookup of one of the names, straight to it (not through
    // resolv.conf, which is not changed yet).
    let probe = format!("i1.{}", fleet::DOMAIN);
    for _ in 0..100 {
        if dns_answers(&probe) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    stop_dns_server();
    Err(format!("dnsmasq did not answer on {DNS_ADDRESS}:53"))
}

/// Whether the bench's DNS server answers an A query for `name` (a minimal query by hand).
fn dns_answers(name: &str) -> bool {
    let Ok(socket) = std::net::UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    let _ = socket.set_read_timeout(Some(Duration::from_millis(100)));
    // Header: id 0x5742, recursion desired, one question; then the name, type A, class IN.
    let mut query = vec![0x57, 0x42, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        query.push(label.len() as u8);
        query.extend_from_slice(label.as_bytes());
    }
    query.extend_from_slice(&[0, 0, 1, 0, 1]);
    let mut answer = [0u8; 512];
    socket.send_to(&query, (DNS_ADDRESS, 53)).is_ok()
        && matches!(socket.recv(&mut answer), Ok(n) if n > 12 && answer[..2] == [0x57, 0x42]
            && answer[3] & 0x0f == 0 && answer[7] > 0)
}

/// Instance n's URL: its name, or its own loopback address with `--by-address`.
fn https_url(o: &Options, port: u16, n: u64) -> String {
    let host = if o.by_address {
        fleet::instance_addr(n).to_string()
    } else {
        fleet::instance_host(n)
    };
    format!("https://{host}:{port}/i/{n}/get-data.php")
}

/// What tells the instances apart in this run, for the output.
fn identities(o: &Options) -> &'static str {
    if o.by_address { "addresses" } else { "names" }
}

/// What the fleet did between two moments: handshakes completed, per instance, and CPU spent.
struct Handshakes {
    /// CPU of this process meanwhile: the fleet's threads (the main thread only waits).
    fleet_cpu: Duration,
    total: u64,
    resumed: u64,
    failed: u64,
    /// Instances 1..=n with exactly one, with more than one, with none.
    once: u64,
    more: u64,
    none: u64,
}

struct Counter<'a> {
    stats: &'a fleet::Stats,
    cpu: Duration,
    total: u64,
    resumed: u64,
    failed: u64,
    by_instance: Vec<u32>,
}

impl<'a> Counter<'a> {
    fn start(stats: &'a fleet::Stats) -> Counter<'a> {
        Counter {
            stats,
            cpu: own_cpu(),
            total: fleet::Stats::get(&stats.handshakes),
            resumed: fleet::Stats::get(&stats.resumed),
            failed: fleet::Stats::get(&stats.handshake_failures),
            by_instance: stats.by_instance_snapshot(),
        }
    }

    fn since(&self, n: u64) -> Handshakes {
        let now = self.stats.by_instance_snapshot();
        let (mut once, mut more, mut none) = (0, 0, 0);
        // Index 0 counts names that are no instance's: not one of the n.
        let instances = now.iter().zip(&self.by_instance).skip(1).take(n as usize);
        for (after, before) in instances {
            match after - before {
                0 => none += 1,
                1 => once += 1,
                _ => more += 1,
            }
        }
        Handshakes {
            fleet_cpu: own_cpu().saturating_sub(self.cpu),
            total: fleet::Stats::get(&self.stats.handshakes) - self.total,
            resumed: fleet::Stats::get(&self.stats.resumed) - self.resumed,
            failed: fleet::Stats::get(&self.stats.handshake_failures) - self.failed,
            once,
            more,
            none,
        }
    }
}

/// User + system CPU of this process (all its threads) so far.
fn own_cpu() -> Duration {
    // SAFETY: rusage is plain old data, for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid `who` and a pointer to a live, writable local.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let seconds = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

struct HttpsRow {
    label: String,
    n: u64,
    ideal: Duration,
    usage: Usage,
    handshakes: Handshakes,
    /// Instances answered: online in the database, or HTTP 200 for curl.
    answered: u64,
    /// webhost only: instances with a certificate expiry stored.
    certs: Option<u64>,
    /// Mean time of one request, lookup, connection and handshake included.
    response_ms: Option<f64>,
}

fn print_https_header(o: &Options) {
    println!(
        "{:<16} {:>6} {:>8} {:>8} {:>6} {:>7} {:>8} {:>7} {:>10} {:>23} {:>8} {:>6} {:>9}",
        "pass",
        "N",
        "wall s",
        "ideal s",
        "ratio",
        "CPU s",
        "RSS MiB",
        "req ms",
        "handshakes",
        format!("{} 1x / 2x+ / 0x", identities(o)),
        "answered",
        "expiry",
        "fleet CPU"
    );
}

fn print_https_row(row: &HttpsRow) {
    let u = &row.usage;
    let h = &row.handshakes;
    let mut handshakes = h.total.to_string();
    if h.resumed > 0 {
        handshakes.push_str(&format!(" ({} resumed)", h.resumed));
    }
    println!(
        "{:<16} {:>6} {:>8.2} {:>8.2} {:>6.3} {:>7.2} {:>8.1} {:>7} {:>10} {:>23} {:>8} {:>6} {:>9.2}",
        row.label,
        row.n,
        u.wall.as_secs_f64(),
        row.ideal.as_secs_f64(),
        u.wall.as_secs_f64() / row.ideal.as_secs_f64(),
        u.cpu.as_secs_f64(),
        u.max_rss_kib as f64 / 1024.0,
        row.response_ms.map_or("-".into(), |ms| format!("{ms:.1}")),
        handshakes,
        format!("{} / {} / {}", h.once, h.more, h.none),
        row.answered,
        row.certs.map_or("-".into(), |c| c.to_string()),
        h.fleet_cpu.as_secs_f64(),
    );
    if h.failed > 0 {
        println!("  ({} handshakes failed)", h.failed);
    }
}

/// The mean of the last check's response time (webhost times a request from its start:
/// lookup, connection and handshake included).
fn mean_response_ms(db: &Path) -> Result<Option<f64>, String> {
    let conn = Connection::open(db).map_err(|e| e.to_string())?;
    conn.query_row("SELECT avg(response_ms) FROM instances", [], |r| {
        r.get::<_, Option<f64>>(0)
    })
    .map_err(|e| e.to_string())
}

fn count_where(db: &Path, condition: &str) -> Result<u64, String> {
    let conn = Connection::open(db).map_err(|e| e.to_string())?;
    conn.query_row(
        &format!("SELECT count(*) FROM instances WHERE {condition}"),
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|c| c as u64)
    .map_err(|e| e.to_string())
}

/// What curl says of its transfers: how many were answered HTTP 200, and the mean of its
/// timings (seconds from the transfer's start: name looked up, TCP connected, TLS done, end).
struct CurlTimes {
    ok: u64,
    lookup: f64,
    connect: f64,
    tls: f64,
    total: f64,
}

/// One `curl --parallel` over the same signed URLs, trusting the bench CA.
fn run_curl_parallel(
    o: &Options,
    dir: &Path,
    port: u16,
    n: u64,
    ca: &Path,
    timeout: Duration,
) -> Result<(Usage, CurlTimes), String> {
    let list = dir.join("curl.conf");
    let mut file = std::io::BufWriter::new(File::create(&list).map_err(|e| e.to_string())?);
    let now = now_unix();
    for i in 1..=n {
        let url = webhost::probe::sign::signed_url(&https_url(o, port, i), Some(TOKEN), now);
        writeln!(file, "url = \"{url}\"\noutput = \"/dev/null\"").map_err(|e| e.to_string())?;
    }
    file.flush().map_err(|e| e.to_string())?;
    drop(file);
    let codes = dir.join("curl.codes");
    let mut command = Command::new("curl");
    command
        .args(["--parallel", "--parallel-max", &o.jobs.to_string()])
        .arg("--cacert")
        .arg(ca)
        .args(["-s", "--max-time"])
        .arg(format!("{:.3}", timeout.as_secs_f64()))
        .args([
            "--write-out",
            "%{http_code} %{time_namelookup} %{time_connect} %{time_appconnect} %{time_total}\\n",
            "--config",
        ])
        .arg(&list)
        .stdin(Stdio::null())
        .stdout(File::create(&codes).map_err(|e| e.to_string())?)
        .stderr(Stdio::null());
    let usage = measured(&mut command)?;
    let mut times = CurlTimes {
        ok: 0,
        lookup: 0.0,
        connect: 0.0,
        tls: 0.0,
        total: 0.0,
    };
    for line in std::fs::read_to_string(&codes).unwrap_or_default().lines() {
        let mut fields = line.split(' ');
        if fields.next() != Some("200") {
            continue;
        }
        let mut next = || {
            fields
                .next()
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        times.ok += 1;
        times.lookup += next();
        times.connect += next();
        times.tls += next();
        times.total += next();
    }
    let answered = times.ok.max(1) as f64;
    for sum in [
        &mut times.lookup,
        &mut times.connect,
        &mut times.tls,
        &mut times.total,
    ] {
        *sum /= answered;
    }
    Ok((usage, times))
}

/// Two passes and the curl peer over the first `n` instances of the TLS fleet.
fn https_case(
    o: &Options,
    fleet: &fleet::Fleet,
    ca: &Path,
    n: u64,
    rows: &mut Vec<HttpsRow>,
) -> Result<(), String> {
    let timeout = Duration::from_secs(10);
    let ideal = o.latency * n.div_ceil(o.jobs) as u32;
    let dir = tempfile::Builder::new()
        .prefix("webhost-pass-bench-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let db = make_db_with(dir.path(), n, |i| https_url(o, fleet.port, i))?;
    let set = Command::new(webhost_binary())
        .arg("--db")
        .arg(&db)
        .args(["config", "set", "ca-file"])
        .arg(ca)
        .env_remove("WEBHOST_DB")
        .output()
        .map_err(|e| e.to_string())?;
    if !set.status.success() {
        return Err(format!(
            "webhost config set ca-file: {}",
            String::from_utf8_lossy(&set.stderr).trim()
        ));
    }
    for which in ["first", "steady"] {
        let log = dir.path().join(format!("https-{which}.log"));
        let counter = Counter::start(&fleet.stats);
        let perf = o
            .perf
            .as_ref()
            .filter(|_| which == "steady")
            .map(|path| path.with_extension(format!("{n}.data")));
        let pass = run_pass_as(o, &db, timeout, &log, perf.as_deref())?;
        if let Some(path) = &perf {
            eprintln!(
                "pass bench: profile of the https steady pass in {}",
                path.display()
            );
        }
        let handshakes = counter.since(n);
        let row = HttpsRow {
            label: format!("https {which}"),
            n,
            ideal,
            usage: pass.usage,
            handshakes,
            answered: count_where(&db, "status = 'online'")?,
            certs: Some(count_where(&db, "cert_expires_at IS NOT NULL")?),
            response_ms: mean_response_ms(&db)?,
        };
        if row.answered != n {
            let errors = count_where(&db, "cert_error IS NOT NULL")?;
            eprintln!(
                "pass bench: https {which} pass: {} of {n} online ({errors} certificate errors); \
                 statuses {:?}",
                row.answered,
                status_counts(&db)?
            );
        }
        print_https_row(&row);
        rows.push(row);
    }
    if o.baseline {
        let counter = Counter::start(&fleet.stats);
        let (usage, times) = run_curl_parallel(o, dir.path(), fleet.port, n, ca, timeout)?;
        let row = HttpsRow {
            label: "curl --parallel".into(),
            n,
            ideal,
            usage,
            handshakes: counter.since(n),
            answered: times.ok,
            certs: None,
            response_ms: Some(times.total * 1e3),
        };
        print_https_row(&row);
        let ms = |s: f64| s * 1e3;
        println!(
            "  (curl's mean transfer: name looked up at {:.1} ms, TCP connected at {:.1} ms, TLS \
             done at {:.1} ms, answer read at {:.1} ms; the fleet waits {} ms before answering)",
            ms(times.lookup),
            ms(times.connect),
            ms(times.tls),
            ms(times.total),
            o.latency.as_millis()
        );
        rows.push(row);
    }
    if o.keep {
        let kept = dir.keep();
        eprintln!("pass bench: kept {}", kept.display());
    }
    Ok(())
}

fn run_https(o: &Options) -> Result<(), String> {
    let largest = o.sizes.iter().copied().max().unwrap_or(0);
    if !o.by_address {
        // Refuse before spending anything on certificates.
        match o.names {
            Names::Hosts => SystemFiles::check_writable(HOSTS, "one name per instance")?,
            Names::Dns => SystemFiles::check_writable(RESOLV_CONF, "the bench's DNS server")?,
        }
    }
    let making = Instant::now();
    let identity = if o.by_address {
        fleet::Identity::Address
    } else {
        fleet::Identity::Name
    };
    let pki = fleet::Pki::generate_for(largest, identity)?;
    let made = making.elapsed().as_secs_f64();
    if o.by_address {
        println!(
            "HTTPS by address: a CA and {largest} certificates, one per address (ECDSA P-256, own \
             key each, an IP address SAN), made in {made:.2} s; instance n at its own loopback \
             address, {} to {}, no {HOSTS} change, no lookup; the fleet on 0.0.0.0 picks the \
             certificate by the connection's local address",
            fleet::instance_addr(1),
            fleet::instance_addr(largest),
        );
    } else {
        let resolved = match o.names {
            Names::Hosts => format!("names i<n>.{} in {HOSTS} (all 127.0.0.1)", fleet::DOMAIN),
            Names::Dns => format!(
                "names i<n>.{} answered by dnsmasq on {DNS_ADDRESS}, the first nameserver in \
                 {RESOLV_CONF}",
                fleet::DOMAIN
            ),
        };
        println!(
            "HTTPS by name: a CA and {largest} certificates, one per name (ECDSA P-256, own key \
             each), made in {made:.2} s; {resolved}, restored after"
        );
    }
    let dir = tempfile::Builder::new()
        .prefix("webhost-pass-bench-ca-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let ca = dir.path().join("bench-ca.pem");
    std::fs::write(&ca, &pki.ca_pem).map_err(|e| e.to_string())?;
    let fleet = fleet::start_tls(
        0,
        fleet::Config {
            instances: largest,
            latency: o.latency,
            fail_share: 0.0,
            token: TOKEN.into(),
            hang: Duration::from_secs(300),
        },
        &pki,
    )
    .map_err(|e| format!("mock fleet: {e}"))?;
    println!(
        "webhost update-instances --jobs {j} (ca-file = the bench CA), then curl --parallel \
         --parallel-max {j} --cacert CA; latency {} ms; ideal = ceil(N / {j}) × {} ms; CPU and \
         RSS of that process alone (wait4); handshakes completed by the fleet during it; fleet CPU \
         = this process (the fleet's threads, server side of TLS included) meanwhile; req ms = \
         mean time of one request, its lookup, connection and handshake included",
        o.latency.as_millis(),
        o.latency.as_millis(),
        j = o.jobs,
    );
    let hosts = if o.by_address {
        None
    } else {
        let files = match o.names {
            Names::Hosts => SystemFiles::install(vec![Addition {
                path: HOSTS,
                lines: (1..=largest)
                    .map(|n| format!("127.0.0.1 {}", fleet::instance_host(n)))
                    .collect(),
                first: false,
            }])?,
            Names::Dns => {
                start_dns_server()?;
                // First, so that the machine's own servers are not asked (nor waited for).
                let files = SystemFiles::install(vec![Addition {
                    path: RESOLV_CONF,
                    lines: vec![format!("nameserver {DNS_ADDRESS}")],
                    first: true,
                }]);
                if files.is_err() {
                    stop_dns_server();
                }
                files?
            }
        };
        resolver_cost(o.names, largest);
        Some(files)
    };
    let mut rows = Vec::new();
    print_https_header(o);
    let outcome = o
        .sizes
        .iter()
        .try_for_each(|&n| https_case(o, &fleet, &ca, n, &mut rows));
    drop(hosts);
    outcome?;
    https_verdict(o, &rows);
    Ok(())
}

/// What one lookup of these names costs through the system resolver (glibc reads /etc/hosts
/// whole for each; or asks the DNS server), measured on this thread: a cost of the bench's
/// setup that webhost and curl both pay, once per instance.
fn resolver_cost(names: Names, n: u64) {
    use std::net::ToSocketAddrs as _;
    let thread_cpu = || {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a valid clock id and a pointer to a live, writable local.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
        Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
    };
    const SAMPLES: u64 = 200;
    let (started, cpu) = (Instant::now(), thread_cpu());
    let found = (0..SAMPLES)
        .map(|k| fleet::instance_host(1 + k * n / SAMPLES))
        .filter(|name| (name.as_str(), 443).to_socket_addrs().is_ok())
        .count();
    let wall = started.elapsed() / SAMPLES as u32;
    let cpu = thread_cpu().saturating_sub(cpu) / SAMPLES as u32;
    println!(
        "system resolver, {n} names {}: {:.3} ms CPU ({:.3} ms wall) per lookup \
         ({found}/{SAMPLES} found), so about {:.1} s CPU per pass of {n}, in webhost and curl \
         alike",
        match names {
            Names::Hosts => format!("in {HOSTS}"),
            Names::Dns => format!("from the DNS server on {DNS_ADDRESS} (client side only)"),
        },
        cpu.as_secs_f64() * 1e3,
        wall.as_secs_f64() * 1e3,
        cpu.as_secs_f64() * n as f64
    );
}

fn https_verdict(o: &Options, rows: &[HttpsRow]) {
    let Some(n) = rows.iter().map(|r| r.n).max() else {
        return;
    };
    let mark = |ok: bool| if ok { "met" } else { "MISSED" };
    let find = |label: &str| rows.iter().find(|r| r.n == n && r.label == label);
    let Some(steady) = find("https steady") else {
        return;
    };
    let u = &steady.usage;
    let ratio = u.wall.as_secs_f64() / steady.ideal.as_secs_f64();
    let mode = if o.by_address {
        "by address"
    } else {
        "by name"
    };
    println!("targets, HTTPS {mode}, N = {n}, steady pass:");
    println!(
        "  wall <= {TARGET_HTTPS_RATIO:.2} x ideal: {ratio:.3} ({})",
        mark(ratio <= TARGET_HTTPS_RATIO)
    );
    if let Some(curl) = find("curl --parallel") {
        println!(
            "  not slower than curl --parallel: {:.2} s vs {:.2} s ({})",
            u.wall.as_secs_f64(),
            curl.usage.wall.as_secs_f64(),
            mark(u.wall <= curl.usage.wall)
        );
    }
    for row in rows
        .iter()
        .filter(|r| r.n == n && r.label.starts_with("https"))
    {
        let h = &row.handshakes;
        println!(
            "  {}: exactly one handshake per instance: {} handshakes, {} {} once ({})",
            row.label,
            h.total,
            h.once,
            identities(o),
            mark(h.total == n && h.once == n)
        );
    }
    let high = rows
        .iter()
        .filter(|r| r.label.starts_with("https"))
        .map(|r| r.usage.max_rss_kib as f64 / 1024.0)
        .fold(0.0f64, f64::max);
    println!(
        "  peak RSS <= {TARGET_RSS_MIB} MiB: {high:.1} MiB ({})",
        mark(high <= TARGET_RSS_MIB)
    );
}
