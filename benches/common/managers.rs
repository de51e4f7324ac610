//! Mock server-manager scripts: `hosts` servers behind one listener on 127.0.0.1, host k (from
//! 1) at `/h/<k>/index.php`, each listing `per_host` instances named `c<k>-<n>`.
//!
//! Like the real script: no action answers the server document, `action=get-all-instance` the
//! list, `action=get-info-instance&instance_name=..` an instance's document (every answer is
//! `text/html`, after `latency`). The two actions must carry `hash=md5(token + time)` (the
//! script has no time window), else the answer is `Invalid hash`.
//!
//! Minimal HTTP/1.1 by hand, one thread per connection, connections kept alive. It counts, per
//! host, the requests being answered at once (and the most seen), and the instance reads per
//! name, so a bench can say the per-host limit held and that each instance was read once.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use md5::{Digest, Md5};

const SERVER_DOC: &str = include_str!("../../tests/fixtures/servermanager-server.json");
const INSTANCE_DOC: &str =
    include_str!("../../tests/fixtures/servermanager-instance-garage-lefebvre.json");
/// Longest request line or header line accepted.
const MAX_LINE: u64 = 8 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub hosts: u64,
    pub per_host: u64,
    pub latency: Duration,
    pub token: String,
}

/// What the servers saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// Per host: requests being answered now, and the most at once.
    pub at_once: HashMap<u64, (u64, u64)>,
    /// Reads (`get-info-instance`) per instance name.
    pub reads: HashMap<String, u64>,
    pub requests: u64,
    pub rejected: u64,
}

pub struct Managers {
    pub port: u16,
    pub seen: Arc<Mutex<Seen>>,
}

impl Managers {
    pub fn url(&self, host: u64) -> String {
        format!("http://127.0.0.1:{}/h/{host}/index.php", self.port)
    }

    /// The most requests one host had at once.
    pub fn most_at_once(&self) -> u64 {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.at_once
            .values()
            .map(|(_, most)| *most)
            .max()
            .unwrap_or(0)
    }

    /// Forgets the counts (not the requests running).
    pub fn reset(&self) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.reads.clear();
        seen.requests = 0;
        seen.rejected = 0;
        for (_, most) in seen.at_once.values_mut() {
            *most = 0;
        }
    }

    /// (fewest, most) reads of any instance, and how many instances were read.
    pub fn reads(&self) -> (u64, u64, usize) {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let min = seen.reads.values().copied().min().unwrap_or(0);
        let max = seen.reads.values().copied().max().unwrap_or(0);
        (min, max, seen.reads.len())
    }
}

pub fn name(host: u64, n: u64) -> String {
    format!("c{host}-{n}")
}

pub fn start(config: Config) -> io::Result<Managers> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let config = Arc::new(config);
    {
        let seen = seen.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (config, seen) = (config.clone(), seen.clone());
                thread::spawn(move || {
                    let _ = serve(stream, &config, &seen);
                });
            }
        });
    }
    Ok(Managers { port, seen })
}

fn serve(stream: TcpStream, config: &Config, seen: &Mutex<Seen>) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if (&mut reader).take(MAX_LINE).read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut close = false;
        loop {
            let mut header = String::new();
            if (&mut reader).take(MAX_LINE).read_line(&mut header)? == 0 {
                return Ok(());
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if header.eq_ignore_ascii_case("connection: close") {
                close = true;
            }
        }
        let body = answer(&target, config, seen);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        writer.write_all(head.as_bytes())?;
        writer.write_all(body.as_bytes())?;
        if close {
            return Ok(());
        }
    }
}

fn query(target: &str) -> (&str, HashMap<&str, &str>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let pairs = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    (path, pairs)
}

fn signed(token: &str, q: &HashMap<&str, &str>) -> bool {
    match (q.get("hash"), q.get("time")) {
        (Some(hash), Some(time)) => {
            let digest = Md5::digest(format!("{token}{time}").as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            hex == *hash
        }
        _ => false,
    }
}

fn answer(target: &str, config: &Config, seen: &Mutex<Seen>) -> String {
    let (path, q) = query(target);
    let host: u64 = path
        .strip_prefix("/h/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|k| k.parse().ok())
        .unwrap_or(0);
    let lock = || seen.lock().unwrap_or_else(|e| e.into_inner());
    {
        let mut s = lock();
        s.requests += 1;
        let slot = s.at_once.entry(host).or_default();
        slot.0 += 1;
        slot.1 = slot.1.max(slot.0);
    }
    // The server's own time to answer.
    thread::sleep(config.latency);
    let action = q.get("action").copied();
    let body = if host == 0 || host > config.hosts {
        "Missing config file".to_string()
    } else if action.is_some() && !signed(&config.token, &q) {
        lock().rejected += 1;
        "Invalid hash".to_string()
    } else {
        match action {
            None => SERVER_DOC.to_string(),
            Some("get-all-instance") => {
                let names: Vec<String> = (1..=config.per_host)
                    .map(|n| format!("\"{}\"", name(host, n)))
                    .collect();
                format!("[{}]", names.join(","))
            }
            Some("get-info-instance") => {
                let instance = q.get("instance_name").copied().unwrap_or("");
                *lock().reads.entry(instance.to_string()).or_default() += 1;
                INSTANCE_DOC.to_string()
            }
            Some(_) => "Missing instance name".to_string(),
        }
    };
    if let Some(slot) = lock().at_once.get_mut(&host) {
        slot.0 = slot.0.saturating_sub(1);
    }
    body
}
