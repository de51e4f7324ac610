//! Benchmark (not a test): how close one `webhost update-instances` pass over a fleet of
//! WebObserver instances comes to the ideal `ceil(N / jobs) × latency`, what it costs in CPU,
//! memory and database writing, and how it compares with `xargs -P jobs curl` fetching the same
//! URLs.
//!
//! ```sh
//! cargo bench --bench pass                               # N = 1,000 / 5,000 / 10,000, then faults
//! cargo bench --bench pass -- --sizes 1000 --no-baseline # one quick row
//! ```
//!
//! Options: `--sizes N,N,..` (1000,5000,10000), `--jobs J` (64), `--latency-ms L` (100),
//! `--fault-size N` (10000; 0 skips the fault row), `--fail-share F` (0.05), `--fault-timeout D`
//! (1s), `--no-baseline`, `--quiet` (run the passes with `-q` instead of `-v --json`: then the
//! database writing time is not known), `--keep` (keep the databases and print where).
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

#[path = "common/doc.rs"]
mod doc;
#[path = "common/fleet.rs"]
mod fleet;

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};
use webhost::store::Store;

const TOKEN: &str = "bench-fleet-t0ken";

/// What the figures should stay under (10,000 instances, steady pass).
const TARGET_RATIO: f64 = 1.10;
const TARGET_RSS_MIB: f64 = 64.0;
const TARGET_WRITE_S: f64 = 0.5;

const USAGE: &str = "usage: cargo bench --bench pass -- [--sizes N,N,..] [--jobs J] \
[--latency-ms L] [--fault-size N] [--fail-share F] [--fault-timeout D] [--no-baseline] \
[--quiet] [--keep]";

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
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            // `cargo bench` passes --bench to harness = false targets.
            "--bench" => {}
            "--sizes" => {
                o.sizes = value()?.split(',').map(number).collect::<Result<_, _>>()?;
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
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
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
        Err(message) => {
            eprintln!("pass bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Where the release binary is: cargo builds it for benches and says where.
fn webhost_binary() -> PathBuf {
    match option_env!("CARGO_BIN_EXE_webhost") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/webhost"),
    }
}

/// One process's run: wall time from spawn to exit, and what `wait4` says it used.
#[derive(Debug, Clone, Copy)]
struct Usage {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: u64,
    exit: i32,
}

/// Runs `command` to its end, measuring it (and the children it waited for) alone.
fn measured(command: &mut Command) -> Result<Usage, String> {
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| e.to_string())?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data, for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child; both pointers are to live, writable locals.
    // The Child handle is never waited on afterwards (dropping it does not wait).
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if reaped != pid {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    let seconds = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    let exit = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok(Usage {
        wall,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        // Linux reports kibibytes.
        max_rss_kib: usage.ru_maxrss as u64,
        exit,
    })
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn instance_url(port: u16, n: u64) -> String {
    format!("http://127.0.0.1:{port}/i/{n}/get-data.php")
}

/// A fresh database with instances 1..=n of the fleet on `port`.
fn make_db(dir: &Path, port: u16, n: u64) -> Result<PathBuf, String> {
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
                .execute(params![
                    format!("i{i:05}"),
                    instance_url(port, i),
                    TOKEN,
                    now
                ])
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
    let stderr = File::create(log).map_err(|e| e.to_string())?;
    let mut command = Command::new(webhost_binary());
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
    let mut passes = Vec::new();
    for which in ["first", "steady"] {
        let log = dir.path().join(format!("{which}.log"));
        let pass = run_pass(o, &db, timeout, &log)?;
        let counts = status_counts(&db)?;
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
    if o.keep {
        let kept = dir.keep();
        eprintln!("pass bench: kept {}", kept.display());
    }
    Ok(())
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
        ..*o
    };
    let l = o.latency;
    println!("machine: {}", machine());
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
}
