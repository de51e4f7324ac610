//! Benchmark (not a test): how many WebObserver pushes `webhost serve` takes per second, and
//! at what latency, when a fleet's instances all push at once (every Dolibarr cron fires at
//! the top of the minute); and the same pushes through `webhost receive` run as CGI.
//!
//! ```sh
//! cargo bench --bench push                    # 1,000 records, 3 bursts, serve then CGI
//! cargo bench --bench push -- --records 200 --rounds 1
//! ```
//!
//! Options: `--records N` (1000), `--rounds R` (3: each record pushes once per round),
//! `--threads T` (8, serve's), `--cgi-workers W` (8: how many CGI processes a web server runs
//! at once).
//!
//! Each round, N client threads (one per record) wait on one barrier, then each opens a
//! connection and POSTs its record's push (the fixture instance document, encoded as PHP's
//! JSON_FORCE_OBJECT does, signed with its own token); its latency is from connect to the
//! last byte of the answer. Pushes per second are N × R over the wall time of the bursts.
//! The peer is a floor server in this process: it reads the same requests and answers `OK`
//! without looking at them, so the difference is what receiving costs (checks, parsing,
//! storing). Serve's CPU and peak RSS come from `wait4(2)` once it is stopped. The CGI row
//! runs `webhost receive` once per push, W at a time, as a CGI server would.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use md5::{Digest, Md5};
use serde_json::Value;
use webhost::domain::push::force_object;

const TARGET_PUSHES_PER_S: f64 = 500.0;
const TARGET_P99_MS: f64 = 50.0;

struct Options {
    records: usize,
    rounds: usize,
    threads: usize,
    cgi_workers: usize,
    /// Pushes per second offered in the steady rows.
    rate: f64,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        records: 1000,
        rounds: 3,
        threads: 8,
        cgi_workers: 8,
        rate: 500.0,
    };
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(arg) = args.next() {
        let mut value = || -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{arg} needs a number"))
        };
        match arg.as_str() {
            "--records" => o.records = value()?,
            "--rounds" => o.rounds = value()?,
            "--threads" => o.threads = value()?,
            "--cgi-workers" => o.cgi_workers = value()?,
            "--rate" => o.rate = value()? as f64,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    match parse_args().and_then(|o| run(&o)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("push bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn webhost_binary() -> PathBuf {
    match option_env!("CARGO_BIN_EXE_webhost") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/webhost"),
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn token(n: usize) -> String {
    format!("bench-push-token-{n}")
}

fn query(n: usize, time: i64) -> String {
    let digest = Md5::digest(format!("{}{time}", token(n)).as_bytes());
    let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "action=set-info-instance-dolibarr&hash={hash}&time={time}&api_observer_type=webobserver_v1&ref=p{n:05}"
    )
}

fn document() -> Result<Vec<u8>, String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webobserver-instance.json");
    let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: Value = serde_json::from_slice(&text).map_err(|e| e.to_string())?;
    serde_json::to_vec(&force_object(&doc)).map_err(|e| e.to_string())
}

/// A database with push records p00001..=pN, each with its own token.
fn make_db(dir: &Path, n: usize) -> Result<PathBuf, String> {
    let db = dir.join("webhost.db");
    let mut csv = String::from("type,ref,api,token,push\n");
    for i in 1..=n {
        csv.push_str(&format!(
            "instance,p{i:05},server-observer-v1,{},true\n",
            token(i)
        ));
    }
    let file = dir.join("fleet.csv");
    std::fs::write(&file, csv).map_err(|e| e.to_string())?;
    let status = Command::new(webhost_binary())
        .arg("--db")
        .arg(&db)
        .args(["-q", "import"])
        .arg(&file)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("import failed".into());
    }
    Ok(db)
}

/// Latencies (ms, sorted) and the wall time of `rounds` bursts of one push per record.
fn bursts(
    address: &str,
    records: usize,
    rounds: usize,
    body: &Arc<Vec<u8>>,
    first_time: i64,
) -> Result<(Vec<f64>, Duration, usize), String> {
    let mut latencies = Vec::with_capacity(records * rounds);
    let mut wall = Duration::ZERO;
    let mut refused = 0;
    for round in 0..rounds {
        let barrier = Arc::new(Barrier::new(records + 1));
        let time = first_time + round as i64;
        let handles: Vec<_> = (1..=records)
            .map(|n| {
                let (barrier, body, address) = (barrier.clone(), body.clone(), address.to_string());
                thread::Builder::new()
                    .stack_size(64 * 1024)
                    .spawn(move || {
                        barrier.wait();
                        post(&address, &query(n, time), &body)
                    })
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        barrier.wait();
        let started = Instant::now();
        for h in handles {
            match h.join().map_err(|_| "a client panicked".to_string())? {
                Ok((ms, ok)) => {
                    latencies.push(ms);
                    if !ok {
                        refused += 1;
                    }
                }
                Err(e) => return Err(e),
            }
        }
        wall += started.elapsed();
    }
    latencies.sort_by(f64::total_cmp);
    Ok((latencies, wall, refused))
}

/// One push on a new connection: its latency in ms and whether it was accepted (200).
fn post(address: &str, query: &str, body: &[u8]) -> Result<(f64, bool), String> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(address).map_err(|e| format!("connect: {e}"))?;
    let head = format!(
        "POST /webhost/receive?{query} HTTP/1.1\r\nHost: bench\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .map_err(|e| e.to_string())?;
    stream.write_all(body).map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    let ok = answer.starts_with(b"HTTP/1.1 200 ");
    Ok((started.elapsed().as_secs_f64() * 1000.0, ok))
}

/// Pushes offered at `rate` per second (open loop: each is due at its slot, and its latency
/// counts from then, so a slow answer cannot hide the ones queued behind it), `records × rounds`
/// of them, sent by a pool of client threads. Latencies sorted, the wall time, refusals.
fn steady(
    address: &str,
    records: usize,
    rounds: usize,
    rate: f64,
    body: &Arc<Vec<u8>>,
    first_time: i64,
) -> Result<(Vec<f64>, Duration, usize), String> {
    let total = records * rounds;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now() + Duration::from_millis(50);
    let clients: Vec<_> = (0..256)
        .map(|_| {
            let (next, body, address) = (next.clone(), body.clone(), address.to_string());
            thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || -> Result<(Vec<f64>, usize), String> {
                    let (mut lat, mut refused) = (Vec::new(), 0);
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        if i >= total {
                            return Ok((lat, refused));
                        }
                        let due = started + Duration::from_secs_f64(i as f64 / rate);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            thread::sleep(wait);
                        }
                        let (n, round) = (i % records + 1, i / records);
                        let (_, ok) = post(&address, &query(n, first_time + round as i64), &body)?;
                        lat.push(due.elapsed().as_secs_f64() * 1000.0);
                        refused += usize::from(!ok);
                    }
                })
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let mut lat = Vec::with_capacity(total);
    let mut refused = 0;
    for c in clients {
        let (l, r) = c.join().map_err(|_| "a client panicked".to_string())??;
        lat.extend(l);
        refused += r;
    }
    let wall = started.elapsed();
    lat.sort_by(f64::total_cmp);
    Ok((lat, wall, refused))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// A listener whose backlog holds a whole burst, as serve's does (std's holds 128).
fn big_backlog_listener() -> Result<TcpListener, String> {
    use rustix::net::{AddressFamily, SocketFlags, SocketType, bind, listen, socket_with};
    let socket = socket_with(
        AddressFamily::INET,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        None,
    )
    .map_err(|e| e.to_string())?;
    bind(&socket, &std::net::SocketAddr::from(([127, 0, 0, 1], 0))).map_err(|e| e.to_string())?;
    listen(&socket, 4096).map_err(|e| e.to_string())?;
    Ok(TcpListener::from(socket))
}

/// The peer: reads each request whole and answers OK, nothing else.
fn floor_server() -> Result<String, String> {
    let listener = big_backlog_listener()?;
    let address = listener
        .local_addr()
        .map_err(|e| e.to_string())?
        .to_string();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut stream = stream;
                let mut buf = Vec::new();
                let mut chunk = [0u8; 16 * 1024];
                let mut need = None;
                loop {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                    if need.is_none()
                        && let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n")
                    {
                        let head = String::from_utf8_lossy(&buf[..at]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        need = Some(at + 4 + length);
                    }
                    if need.is_some_and(|n| buf.len() >= n) {
                        break;
                    }
                }
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nOK\n",
                );
            });
        }
    });
    Ok(address)
}

fn start_serve(db: &Path, threads: usize) -> Result<(Child, String), String> {
    let mut child = Command::new(webhost_binary())
        .arg("--db")
        .arg(db)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--threads",
            &threads.to_string(),
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stderr.read(&mut byte).map_err(|e| e.to_string())? == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&line).into_owned();
    let address = line
        .strip_prefix("webhost: listening on ")
        .ok_or(format!("serve said: {line}"))?
        .to_string();
    // Its per-push log lines go nowhere, without blocking it.
    thread::spawn(move || {
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
    });
    Ok((child, address))
}

/// Stops `child` with SIGTERM; its CPU seconds and peak RSS (MiB).
fn stop(child: Child) -> Result<(f64, f64), String> {
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| e.to_string())?;
    // SAFETY: our own child, not yet reaped.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let mut status = 0;
    // SAFETY: rusage is plain old data; both pointers are to live locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if reaped != pid {
        return Err("wait4 failed".into());
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok((
        secs(usage.ru_utime) + secs(usage.ru_stime),
        usage.ru_maxrss as f64 / 1024.0,
    ))
}

fn row(name: &str, pushes: usize, wall: Duration, lat: &[f64], extra: &str) {
    println!(
        "{name:<28} {pushes:>6} pushes  {:>8.0} /s  p50 {:>7.1} ms  p99 {:>7.1} ms  {extra}",
        pushes as f64 / wall.as_secs_f64(),
        percentile(lat, 0.50),
        percentile(lat, 0.99),
    );
}

fn run(o: &Options) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let db = make_db(dir.path(), o.records)?;
    let body = Arc::new(document()?);
    println!(
        "{} push records, {} bursts of one push each ({} bytes), serve --threads {}",
        o.records,
        o.rounds,
        body.len(),
        o.threads
    );

    let floor = floor_server()?;
    let (lat, wall, _) = steady(&floor, o.records, o.rounds, o.rate, &body, now_unix())?;
    row(
        &format!("peer: floor, {:.0}/s offered", o.rate),
        lat.len(),
        wall,
        &lat,
        "",
    );
    let (lat, wall, _) = bursts(&floor, o.records, o.rounds, &body, now_unix())?;
    row("peer: floor, all at once", lat.len(), wall, &lat, "");

    let (child, address) = start_serve(&db, o.threads)?;
    let (steady_lat, wall, refused) =
        steady(&address, o.records, o.rounds, o.rate, &body, now_unix())?;
    let steady_rate = steady_lat.len() as f64 / wall.as_secs_f64();
    row(
        &format!("webhost serve, {:.0}/s offered", o.rate),
        steady_lat.len(),
        wall,
        &steady_lat,
        &format!("refused {refused}"),
    );
    // Later times than the steady rows used: each record's pushes must be newer.
    let (lat, wall, refused) = bursts(&address, o.records, o.rounds, &body, now_unix() + 5)?;
    let (cpu, rss) = stop(child)?;
    row(
        "webhost serve, all at once",
        lat.len(),
        wall,
        &lat,
        &format!("refused {refused}  (serve's cpu {cpu:.2} s, peak RSS {rss:.1} MiB over both)"),
    );
    println!(
        "  target: sustains >= {TARGET_PUSHES_PER_S} /s with p99 < {TARGET_P99_MS} ms: {}",
        if o.rate >= TARGET_PUSHES_PER_S
            && steady_rate >= TARGET_PUSHES_PER_S * 0.95
            && percentile(&steady_lat, 0.99) < TARGET_P99_MS
        {
            "met"
        } else {
            "MISSED"
        }
    );

    // CGI: one process per push, W at a time, as a CGI server runs them.
    let time = now_unix() + 20;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(1));
    let started = Instant::now();
    let workers: Vec<_> = (0..o.cgi_workers)
        .map(|_| {
            let (next, body, db) = (next.clone(), body.clone(), db.clone());
            let records = o.records;
            thread::spawn(move || -> Result<(Vec<f64>, usize), String> {
                let mut lat = Vec::new();
                let mut refused = 0;
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if n > records {
                        return Ok((lat, refused));
                    }
                    let began = Instant::now();
                    let mut child = Command::new(webhost_binary())
                        .arg("--db")
                        .arg(&db)
                        .args(["-q", "receive"])
                        .env("REQUEST_METHOD", "POST")
                        .env("QUERY_STRING", query(n, time))
                        .env("CONTENT_LENGTH", body.len().to_string())
                        .stdin(Stdio::piped())
                        .stdout(Stdio::piped())
                        .stderr(Stdio::null())
                        .spawn()
                        .map_err(|e| e.to_string())?;
                    if let Some(mut stdin) = child.stdin.take() {
                        let _ = stdin.write_all(&body);
                    }
                    let out = child.wait_with_output().map_err(|e| e.to_string())?;
                    if !out.stdout.starts_with(b"Status: 200") {
                        refused += 1;
                    }
                    lat.push(began.elapsed().as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    let mut lat = Vec::new();
    let mut refused = 0;
    for w in workers {
        let (l, r) = w.join().map_err(|_| "a CGI worker panicked")??;
        lat.extend(l);
        refused += r;
    }
    let wall = started.elapsed();
    lat.sort_by(f64::total_cmp);
    row(
        &format!("webhost receive (CGI, {} at once)", o.cgi_workers),
        lat.len(),
        wall,
        &lat,
        &format!("refused {refused}"),
    );
    Ok(())
}
