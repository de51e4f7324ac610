//! Benchmark (not a test): server-manager hosts at scale. `hosts` mock server-manager scripts
//! (`benches/common/managers.rs`) each list `instances` instances, answering every request
//! after `latency`; webhost runs one cron cycle after another against them:
//!
//! 1. `update-hosts`, first: lists every host and reads every (new) instance, creating them;
//! 2. `update-instances`: reads every instance through its host;
//! 3. `update-hosts`, steady: lists every host, reads nothing (update-instances does);
//! 4. `update-instances` again: the steady cycle's reads.
//!
//! ```sh
//! cargo bench --bench hosts                       # 20 hosts × 250 instances, 100 ms, 64 jobs, 4 per host
//! cargo bench --bench hosts -- --hosts 4 --instances 50 --no-baseline
//! ```
//!
//! Options: `--hosts H` (20), `--instances N` (250), `--latency-ms L` (100), `--jobs J` (64),
//! `--per-host P` (4), `--no-baseline`.
//!
//! The ideal of a pass that reads `N` instances per host: no host gets more than `P` requests at
//! once and the pool holds `J`, so the reads take `max(ceil(N / P), ceil(H × N / min(J, H × P)))`
//! rounds of `latency`; `update-hosts` adds its own two requests per host (the server document,
//! then the list) before its reads. Wall time is from spawn to exit of the release binary; CPU
//! (user + system) and peak RSS come from `wait4(2)` on it alone. Before each pass, the
//! write-ahead log the previous one left is checkpointed, untimed.
//!
//! The peer is curl reading the same instance URLs (signed) with the same per-host limit: one
//! `curl --parallel --parallel-max P` per host, all hosts at once (so up to H × P requests,
//! without webhost's pool limit J), CPU and RSS of all of them. It only fetches: no parsing, no
//! database. The server counts, per host, the most requests it answered at once, and the reads
//! of each instance in the steady cycle (each must be read exactly once).

#[path = "common/managers.rs"]
mod managers;
#[path = "common/process.rs"]
mod process;

use process::{Usage, now_unix, webhost_binary};

fn measured(command: &mut Command) -> Result<Usage, String> {
    process::measured(command, None)
}

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use rusqlite::{Connection, params};
use webhost::store::Store;

const TOKEN: &str = "bench-manager-t0ken";
/// What the wall time should stay under, as a multiple of the ideal.
const TARGET_RATIO: f64 = 1.15;

const USAGE: &str = "usage: cargo bench --bench hosts -- [--hosts H] [--instances N] \
[--latency-ms L] [--jobs J] [--per-host P] [--no-baseline]";

#[derive(Debug)]
struct Options {
    hosts: u64,
    instances: u64,
    latency: Duration,
    jobs: u64,
    per_host: u64,
    baseline: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        hosts: 20,
        instances: 250,
        latency: Duration::from_millis(100),
        jobs: 64,
        per_host: 4,
        baseline: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            // `cargo bench` passes --bench to harness = false targets.
            "--bench" => {}
            "--hosts" => o.hosts = number(&value()?)?.max(1),
            "--instances" => o.instances = number(&value()?)?.max(1),
            "--latency-ms" => o.latency = Duration::from_millis(number(&value()?)?),
            "--jobs" => o.jobs = number(&value()?)?.max(1),
            "--per-host" => o.per_host = number(&value()?)?.max(1),
            "--no-baseline" => o.baseline = false,
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
                eprintln!("hosts bench: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&o) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("hosts bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A fresh database with the hosts, and no instance yet.
fn make_db(dir: &Path, fleet: &managers::Managers, hosts: u64) -> Result<PathBuf, String> {
    let path = dir.join("webhost.db");
    Store::open(&path, webhost::store::Access::Create { mode: 0o600 })
        .map_err(|e| format!("{e:#}"))?;
    let mut conn = Connection::open(&path).map_err(|e| e.to_string())?;
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO hosts (ref, api_kind, url, token, created_at)
                 VALUES (?1, 'server-manager-v1', ?2, ?3, ?4)",
            )
            .map_err(|e| e.to_string())?;
        let now = now_unix() as i64;
        for k in 1..=hosts {
            insert
                .execute(params![format!("srv{k:02}"), fleet.url(k), TOKEN, now])
                .map_err(|e| e.to_string())?;
        }
    }
    tx.commit().map_err(|e| e.to_string())?;
    // The tokens go to their own file now, before any pass is timed.
    Store::open(&path, webhost::store::Access::Write).map_err(|e| format!("{e:#}"))?;
    Ok(path)
}

fn count(db: &Path, sql: &str) -> Result<u64, String> {
    let conn = Connection::open(db).map_err(|e| e.to_string())?;
    conn.query_row(sql, [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .map_err(|e| e.to_string())
}

fn run_pass(o: &Options, db: &Path, pass: &str, log: &Path) -> Result<Usage, String> {
    let stderr = File::create(log).map_err(|e| e.to_string())?;
    let mut command = Command::new(webhost_binary());
    command
        .arg("--db")
        .arg(db)
        .arg("-q")
        .args([pass, "--jobs", &o.jobs.to_string()])
        .args(["--per-host-jobs", &o.per_host.to_string()])
        .args(["--timeout", "10s"])
        .env_remove("WEBHOST_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    let usage = measured(&mut command)?;
    if usage.exit != 0 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        return Err(format!(
            "webhost {pass} exited with {}: {}",
            usage.exit,
            text.trim()
        ));
    }
    Ok(usage)
}

/// Checkpoints the write-ahead log the previous pass left (its last connection's close does
/// it, in whichever process comes next), untimed, so each row times its own pass alone.
fn settle(db: &Path) -> Result<(), String> {
    let conn = Connection::open(db).map_err(|e| e.to_string())?;
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .map_err(|e| e.to_string())
}

/// One `curl --parallel --parallel-max P` per host over its instances' signed URLs, all at once.
fn run_peer(o: &Options, dir: &Path, fleet: &managers::Managers) -> Result<Usage, String> {
    let now = now_unix();
    let mut script = String::from("set -e\n");
    for k in 1..=o.hosts {
        let config = dir.join(format!("curl-{k}.txt"));
        let mut file = std::io::BufWriter::new(File::create(&config).map_err(|e| e.to_string())?);
        for n in 1..=o.instances {
            let url = webhost::probe::sign::with_query(
                &fleet.url(k),
                &[
                    ("action", "get-info-instance"),
                    ("instance_name", &managers::name(k, n)),
                ],
            );
            let url = webhost::probe::sign::signed_url(&url, Some(TOKEN), now);
            writeln!(file, "url = \"{url}\"\noutput = \"/dev/null\"").map_err(|e| e.to_string())?;
        }
        file.flush().map_err(|e| e.to_string())?;
        script.push_str(&format!(
            "curl -s --parallel --parallel-max {} --max-time 10 -K '{}' &\n",
            o.per_host,
            config.display()
        ));
    }
    script.push_str("wait\n");
    let mut command = Command::new("sh");
    command
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    measured(&mut command)
}

fn curl_available() -> bool {
    Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Rounds of latency for reading `n` instances on each of `o.hosts` hosts.
fn read_rounds(o: &Options, n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let at_once = o.jobs.min(o.hosts * o.per_host);
    n.div_ceil(o.per_host).max((o.hosts * n).div_ceil(at_once))
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
    format!("{cpu}, {cores} cores")
}

fn print_row(label: &str, wall: Duration, ideal: Duration, u: &Usage, note: &str) {
    let wall_s = wall.as_secs_f64();
    println!(
        "{:<26} {:>8.2} {:>8.2} {:>6.3} {:>7.2} {:>8.1}  {}",
        label,
        wall_s,
        ideal.as_secs_f64(),
        wall_s / ideal.as_secs_f64().max(1e-9),
        u.cpu.as_secs_f64(),
        u.max_rss_kib as f64 / 1024.0,
        note
    );
}

fn run(o: &Options) -> Result<(), String> {
    let binary = webhost_binary();
    if !binary.exists() {
        return Err(format!(
            "{} not found: run `cargo build --release` (cargo bench builds it)",
            binary.display()
        ));
    }
    let fleet = managers::start(managers::Config {
        hosts: o.hosts,
        per_host: o.instances,
        latency: o.latency,
        token: TOKEN.into(),
    })
    .map_err(|e| format!("mock servers: {e}"))?;
    let dir = tempfile::Builder::new()
        .prefix("webhost-hosts-bench-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let db = make_db(dir.path(), &fleet, o.hosts)?;
    let l = o.latency;
    println!("machine: {}", machine());
    println!(
        "{} hosts × {} instances, latency {} ms, --jobs {}, --per-host-jobs {}; ideal = rounds × \
         latency, a round being at most {} requests per host and {} in all",
        o.hosts,
        o.instances,
        l.as_millis(),
        o.jobs,
        o.per_host,
        o.per_host,
        o.jobs.min(o.hosts * o.per_host)
    );
    println!(
        "{:<26} {:>8} {:>8} {:>6} {:>7} {:>8}  server side",
        "pass", "wall s", "ideal s", "ratio", "CPU s", "RSS MiB"
    );
    let total = o.hosts * o.instances;
    let rounds =
        |extra: u64, n: u64| l * u32::try_from(extra + read_rounds(o, n)).unwrap_or(u32::MAX);
    let steps: [(&str, &str, Duration); 4] = [
        (
            "update-hosts (discovery)",
            "update-hosts",
            rounds(2, o.instances),
        ),
        (
            "update-instances",
            "update-instances",
            rounds(0, o.instances),
        ),
        ("update-hosts (steady)", "update-hosts", rounds(2, 0)),
        (
            "update-instances (steady)",
            "update-instances",
            rounds(0, o.instances),
        ),
    ];
    let mut worst: f64 = 0.0;
    let mut steady_reads = (0, 0, 0);
    for (i, (label, pass, ideal)) in steps.iter().enumerate() {
        // The steady cycle's two passes (2 and 3) are counted together.
        if i != 3 {
            fleet.reset();
        }
        settle(&db)?;
        let log = dir.path().join(format!("pass-{i}.log"));
        let usage = run_pass(o, &db, pass, &log)?;
        let (min, max, read) = fleet.reads();
        let note = format!(
            "at most {} at once per host, {read} instances read ({min}..{max} times)",
            fleet.most_at_once()
        );
        print_row(label, usage.wall, *ideal, &usage, &note);
        worst = worst.max(usage.wall.as_secs_f64() / ideal.as_secs_f64().max(1e-9));
        if i == 3 {
            steady_reads = (min, max, read);
        }
    }
    let created = count(&db, "SELECT count(*) FROM instances")?;
    let online = count(
        &db,
        "SELECT count(*) FROM instances WHERE status = 'online'",
    )?;
    if created != total || online != total {
        eprintln!("hosts bench: expected {total} instances online, got {online} of {created}");
    }
    if o.baseline && curl_available() {
        fleet.reset();
        let usage = run_peer(o, dir.path(), &fleet)?;
        let peer_rounds = o.instances.div_ceil(o.per_host);
        let (_, _, read) = fleet.reads();
        let note = format!(
            "at most {} at once per host, {read} instances read; ideal without a pool limit",
            fleet.most_at_once()
        );
        print_row(
            "curl --parallel per host",
            usage.wall,
            l * u32::try_from(peer_rounds).unwrap_or(u32::MAX),
            &usage,
            &note,
        );
    } else if o.baseline {
        eprintln!("hosts bench: curl missing: no peer run (apt-get install -y curl)");
    }
    let (min, max, read) = steady_reads;
    println!(
        "steady cycle (update-hosts + update-instances): {read} of {total} instances read, each \
         {min}..{max} times (target: exactly once)"
    );
    println!(
        "worst wall / ideal: {worst:.3} (target ≤ {TARGET_RATIO}){}",
        if worst <= TARGET_RATIO {
            ""
        } else {
            "  OVER TARGET"
        }
    );
    Ok(())
}
