//! The mock fleet: `instances` WebObserver scripts behind one listener on 127.0.0.1, each at
//! `/i/<n>/get-data.php` (n from 1), answering the document of `doc::document(n)`.
//!
//! Minimal HTTP/1.1 by hand: a request line and headers (a body is read and dropped), answers
//! with `Content-Length`, connections kept alive until the client closes them (or says
//! `Connection: close`, or stays idle for a minute). One thread per connection, so a request
//! sleeping its latency never delays another.
//!
//! Like the real script, every answer is `text/html`, and a request must carry
//! `hash=md5(token + time)&time=T` with T within 180 s of this clock: otherwise the answer is
//! HTTP 200 with the text `Missing parameter` or `Invalid hash`.
//!
//! A share of the instances (`fail_share`, the same ones for the same share) are broken, a
//! third each way: they hang (accept the request, never answer, until the client gives up),
//! answer HTTP 500 with a PHP fatal error, or answer 200 with a maintenance page (no JSON).
//!
//! Shared by `examples/mock_fleet.rs` and `benches/pass.rs` through `#[path]`; it needs
//! `doc.rs` included beside it as `crate::doc`.

#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::doc::{Rng, document};

/// WebObserver refuses a `time` further than this from its clock.
pub const CLOCK_WINDOW_S: u64 = 180;
/// An idle kept-alive connection is closed after this long.
const IDLE: Duration = Duration::from_secs(60);
/// Longest request line or header line accepted.
const MAX_LINE: u64 = 8 * 1024;
const MAX_HEADERS: usize = 100;

#[derive(Debug, Clone)]
pub struct Config {
    pub instances: u64,
    /// Wait before each answer.
    pub latency: Duration,
    /// Share (0..=1) of the instances that are broken.
    pub fail_share: f64,
    pub token: String,
    /// A hanging instance holds the connection this long at most (the client closes first).
    pub hang: Duration,
}

/// How a broken instance fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Reads the request, never answers.
    Hang,
    /// HTTP 500 with a PHP fatal error.
    ServerError,
    /// HTTP 200 with an HTML page that holds no JSON.
    Garbage,
}

/// Whether instance `n` is broken for this share, and how. Deterministic.
pub fn fault(n: u64, share: f64) -> Option<Fault> {
    let draw = Rng::new(n ^ 0x0fa1_17ed_5eed).next_u64();
    let threshold = (share.clamp(0.0, 1.0) * 1_000_000.0) as u64;
    if draw % 1_000_000 >= threshold {
        return None;
    }
    Some(match (draw / 1_000_000) % 3 {
        0 => Fault::Hang,
        1 => Fault::ServerError,
        _ => Fault::Garbage,
    })
}

/// What the fleet has seen so far.
#[derive(Debug, Default)]
pub struct Stats {
    pub connections: AtomicU64,
    pub requests: AtomicU64,
    /// Answered with the instance's document.
    pub documents: AtomicU64,
    /// Refused: missing or invalid hash/time.
    pub rejected: AtomicU64,
    pub faults: AtomicU64,
    pub not_found: AtomicU64,
}

impl Stats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

pub struct Fleet {
    pub port: u16,
    pub stats: Arc<Stats>,
}

/// Binds 127.0.0.1:`port` (0: any free port) and serves on background threads.
pub fn start(port: u16, config: Config) -> io::Result<Fleet> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let port = listener.local_addr()?.port();
    let stats = Arc::new(Stats::default());
    let config = Arc::new(config);
    let shared = Arc::clone(&stats);
    thread::Builder::new()
        .name("fleet-accept".into())
        .spawn(move || accept(listener, config, shared))?;
    Ok(Fleet { port, stats })
}

fn accept(listener: TcpListener, config: Arc<Config>, stats: Arc<Stats>) {
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(error) => {
                // Out of file descriptors, most likely: let some connections close.
                eprintln!("mock fleet: accept failed: {error}");
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        stats.connections.fetch_add(1, Ordering::Relaxed);
        let (config, stats) = (Arc::clone(&config), Arc::clone(&stats));
        let spawned = thread::Builder::new()
            .name("fleet-conn".into())
            .stack_size(128 * 1024)
            .spawn(move || {
                let _ = serve(stream, &config, &stats);
            });
        if let Err(error) = spawned {
            eprintln!("mock fleet: cannot start a connection thread: {error}");
        }
    }
}

struct Request {
    target: String,
    close: bool,
}

enum Reply {
    Answer { status: u16, body: Vec<u8> },
    Hang,
}

fn serve(stream: TcpStream, config: &Config, stats: &Stats) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(IDLE))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(8 * 1024, stream);
    let mut line = String::new();
    let mut out = Vec::with_capacity(32 * 1024);
    loop {
        let Some(request) = read_request(&mut reader, &mut line)? else {
            return Ok(());
        };
        stats.requests.fetch_add(1, Ordering::Relaxed);
        match respond(&request.target, config, stats) {
            Reply::Hang => {
                // Hold the connection, unanswered, until the client gives up and closes it.
                reader.get_ref().set_read_timeout(Some(config.hang))?;
                let mut sink = [0u8; 1024];
                while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
                return Ok(());
            }
            Reply::Answer { status, body } => {
                out.clear();
                let reason = match status {
                    200 => "OK",
                    400 => "Bad Request",
                    404 => "Not Found",
                    _ => "Internal Server Error",
                };
                let _ = write!(
                    out,
                    "HTTP/1.1 {status} {reason}\r\nServer: mock-fleet\r\n\
                     Content-Type: text/html; charset=UTF-8\r\nContent-Length: {}\r\n{}\r\n",
                    body.len(),
                    if request.close {
                        "Connection: close\r\n"
                    } else {
                        ""
                    }
                );
                out.extend_from_slice(&body);
                writer.write_all(&out)?;
                if request.close {
                    return Ok(());
                }
            }
        }
    }
}

/// Reads one request's head (and drops its body); None when the client closed the connection.
fn read_request(
    reader: &mut BufReader<TcpStream>,
    line: &mut String,
) -> io::Result<Option<Request>> {
    let mut read_line = |line: &mut String| -> io::Result<usize> {
        line.clear();
        let n = reader.by_ref().take(MAX_LINE).read_line(line)?;
        if n > 0 && !line.ends_with('\n') {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
        }
        Ok(n)
    };
    if read_line(line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_ascii_whitespace();
    let (Some(_method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad request line",
        ));
    };
    let target = target.to_string();
    let mut close = version.eq_ignore_ascii_case("HTTP/1.0");
    let mut length = 0u64;
    for _ in 0..MAX_HEADERS {
        if read_line(line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end();
        if header.is_empty() {
            if length > 0 {
                io::copy(&mut reader.by_ref().take(length), &mut io::sink())?;
            }
            return Ok(Some(Request { target, close }));
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close")
                || (close && !value.eq_ignore_ascii_case("keep-alive"));
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().unwrap_or(0);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "too many headers",
    ))
}

fn text(status: u16, body: &str) -> Reply {
    Reply::Answer {
        status,
        body: body.as_bytes().to_vec(),
    }
}

fn respond(target: &str, config: &Config, stats: &Stats) -> Reply {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let n = path
        .strip_prefix("/i/")
        .and_then(|rest| rest.strip_suffix("/get-data.php"))
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|n| (1..=config.instances).contains(n));
    let Some(n) = n else {
        stats.not_found.fetch_add(1, Ordering::Relaxed);
        thread::sleep(config.latency);
        return text(404, "Not Found");
    };
    let fault = fault(n, config.fail_share);
    if fault == Some(Fault::Hang) {
        stats.faults.fetch_add(1, Ordering::Relaxed);
        return Reply::Hang;
    }
    thread::sleep(config.latency);
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    };
    let (Some(hash), Some(time)) = (param("hash"), param("time")) else {
        stats.rejected.fetch_add(1, Ordering::Relaxed);
        return text(200, "Missing parameter");
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let valid = time.parse::<u64>().is_ok_and(|t| {
        t.abs_diff(now) <= CLOCK_WINDOW_S
            && webhost::probe::sign::signature(&config.token, t) == hash
    });
    if !valid {
        stats.rejected.fetch_add(1, Ordering::Relaxed);
        return text(200, "Invalid hash");
    }
    match fault {
        Some(Fault::ServerError) => {
            stats.faults.fetch_add(1, Ordering::Relaxed);
            text(
                500,
                &format!(
                    "<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function \
                     dol_now() in /home/client/i{n:05}/dolibarr/htdocs/custom/webobserver/public/\
                     get-data.php:58\nStack trace:\n#0 {{main}}\n  thrown in <b>get-data.php</b> \
                     on line <b>58</b><br />\n"
                ),
            )
        }
        Some(Fault::Garbage) => {
            stats.faults.fetch_add(1, Ordering::Relaxed);
            text(
                200,
                "<!DOCTYPE html>\n<html><head><title>Maintenance</title></head>\n\
                 <body><h1>Site en maintenance</h1><p>Revenez dans quelques minutes.</p></body></html>\n",
            )
        }
        _ => {
            stats.documents.fetch_add(1, Ordering::Relaxed);
            Reply::Answer {
                status: 200,
                body: document(n).into_bytes(),
            }
        }
    }
}
