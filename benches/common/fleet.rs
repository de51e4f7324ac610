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
//! With [`start_tls`] the same fleet speaks HTTPS instead: instance n is the host name
//! `i<n>.bench.webhost.test` ([`instance_host`]), with a certificate of its own (its own key,
//! signed by a CA made at start, see [`Pki`]) that the server picks by SNI; a name it does not
//! know gets no certificate. Completed handshakes are counted, in total and per instance.
//!
//! Or, with [`Pki::generate_for`] and [`Identity::Address`], instance n is a loopback address
//! of its own, [`instance_addr`] (127.1.0.1 for 1: the whole of 127/8 is loopback on Linux),
//! with a certificate for that IP address. A client sends no SNI for an address, so the server
//! picks the certificate by the local address of the accepted connection; it listens on
//! 0.0.0.0 for that (binding 127.0.0.1 does not accept 127.1.0.1) and drops at once any
//! connection that did not come in on a loopback address.
//!
//! Shared by `examples/mock_fleet.rs` and `benches/pass.rs` through `#[path]`; it needs
//! `doc.rs` included beside it as `crate::doc`.

#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::ResolvesServerCertUsingSni;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{HandshakeKind, ServerConfig, ServerConnection, StreamOwned};

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
    /// TLS only: handshakes completed, and of those the resumed ones (a session ticket or id).
    pub handshakes: AtomicU64,
    pub resumed: AtomicU64,
    /// TLS only: connections that never completed their handshake.
    pub handshake_failures: AtomicU64,
    /// TLS only: completed handshakes by instance, from the SNI name or the local address
    /// (index n; 0 for a name that is no instance's).
    pub by_instance: Vec<AtomicU32>,
}

impl Stats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// The per-instance handshake counts now, to compare with a later snapshot.
    pub fn by_instance_snapshot(&self) -> Vec<u32> {
        self.by_instance
            .iter()
            .map(|count| count.load(Ordering::Relaxed))
            .collect()
    }
}

pub struct Fleet {
    pub port: u16,
    pub stats: Arc<Stats>,
}

/// Binds 127.0.0.1:`port` (0: any free port) and serves on background threads.
pub fn start(port: u16, config: Config) -> io::Result<Fleet> {
    start_with(port, config, None)
}

/// Like [`start`], but every connection is TLS with `pki`'s certificates (see the module doc).
pub fn start_tls(port: u16, config: Config, pki: &Pki) -> io::Result<Fleet> {
    start_with(port, config, Some(pki.tls.clone()))
}

fn start_with(port: u16, config: Config, tls: Option<Tls>) -> io::Result<Fleet> {
    // By address, every 127.x.y.z must reach the listener: only the wildcard does that.
    let wide = tls.as_ref().is_some_and(|tls| tls.by_address.is_some());
    let host = if wide { "0.0.0.0" } else { "127.0.0.1" };
    let listener = TcpListener::bind((host, port))?;
    let port = listener.local_addr()?.port();
    let mut stats = Stats::default();
    if tls.is_some() {
        stats.by_instance = (0..=config.instances).map(|_| AtomicU32::new(0)).collect();
    }
    let stats = Arc::new(stats);
    let config = Arc::new(config);
    let shared = Arc::clone(&stats);
    thread::Builder::new()
        .name("fleet-accept".into())
        .spawn(move || accept(listener, wide, config, shared, tls))?;
    Ok(Fleet { port, stats })
}

/// The parent domain of the instances' names (`.test` is reserved for this, RFC 6761).
pub const DOMAIN: &str = "bench.webhost.test";

/// Instance n's host name under TLS.
pub fn instance_host(n: u64) -> String {
    format!("i{n}.{DOMAIN}")
}

/// Which instance a host name is, if any.
fn instance_of(host: &str) -> Option<u64> {
    host.strip_prefix('i')?
        .strip_suffix(DOMAIN)?
        .strip_suffix('.')?
        .parse()
        .ok()
}

/// The first instance address is this plus 1: 127.1.0.1, clear of 127.0.0.0 and 127.0.0.1.
const ADDRESS_BASE: u32 = 0x7f01_0000;
/// The most instances by address: the last is 127.255.255.254 (127.255.255.255 is the
/// loopback network's broadcast address).
pub const MAX_BY_ADDRESS: u64 = (0x7fff_fffe - ADDRESS_BASE) as u64;

/// Instance n's own loopback address under TLS by address: 127.(1 + n / 65536).(n / 256 %
/// 256).(n % 256), for n in 1..=[`MAX_BY_ADDRESS`].
pub fn instance_addr(n: u64) -> Ipv4Addr {
    Ipv4Addr::from(ADDRESS_BASE.wrapping_add(n.min(MAX_BY_ADDRESS) as u32))
}

/// Which instance a local address is, if any.
fn instance_at(ip: IpAddr) -> Option<u64> {
    let IpAddr::V4(ip) = ip else {
        return None;
    };
    Some(u64::from(u32::from(ip).checked_sub(ADDRESS_BASE)?))
        .filter(|n| (1..=MAX_BY_ADDRESS).contains(n))
}

/// How the TLS fleet tells its instances apart, and so what each certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// The name [`instance_host`], sent by the client as SNI.
    Name,
    /// The address [`instance_addr`], the accepted connection's local address.
    Address,
}

/// What a TLS connection is served with.
#[derive(Clone)]
struct Tls {
    /// By name: picks the certificate by SNI. By address: everything but the certificate,
    /// which each connection sets from `by_address`.
    config: Arc<ServerConfig>,
    /// By address: instance n's certificate at index n - 1.
    by_address: Option<Arc<Vec<Arc<CertifiedKey>>>>,
}

/// The fleet's certificates: a CA, and for each instance (its name or its address) a
/// certificate of its own (a key of its own, ECDSA P-256, signed by the CA), all made at start.
pub struct Pki {
    /// The CA certificate, for the clients to trust (`--ca-file`, `curl --cacert`).
    pub ca_pem: String,
    tls: Tls,
}

impl Pki {
    /// Certificates for the names of instances 1..=`instances`, made on every core (0.1 to
    /// 0.3 ms of CPU each).
    pub fn generate(instances: u64) -> Result<Pki, String> {
        Self::generate_for(instances, Identity::Name)
    }

    /// Certificates for instances 1..=`instances`, each for its name or for its address (an IP
    /// address SAN).
    pub fn generate_for(instances: u64, identity: Identity) -> Result<Pki, String> {
        if identity == Identity::Address && instances > MAX_BY_ADDRESS {
            return Err(format!(
                "at most {MAX_BY_ADDRESS} instances by address (127.1.0.1 onwards)"
            ));
        }
        let fail = |e: rcgen::Error| format!("certificate generation failed: {e}");
        let ca_key = rcgen::KeyPair::generate().map_err(fail)?;
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "webhost bench CA");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca_pem = ca.self_signed(&ca_key).map_err(fail)?.pem();
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let provider = rustls::crypto::ring::default_provider();

        let leaf = |n: u64| -> Result<(u64, String, CertifiedKey), String> {
            let name = match identity {
                Identity::Name => instance_host(n),
                Identity::Address => instance_addr(n).to_string(),
            };
            let key = rcgen::KeyPair::generate().map_err(fail)?;
            // rcgen makes a text that parses as an IP address an IP address SAN.
            let mut params = rcgen::CertificateParams::new(vec![name.clone()]).map_err(fail)?;
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, name.as_str());
            params.not_before = rcgen::date_time_ymd(2025, 1, 1);
            params.not_after = rcgen::date_time_ymd(2045, 1, 1);
            let cert = params.signed_by(&key, &issuer).map_err(fail)?;
            let key = PrivateKeyDer::try_from(key.serialize_der())
                .map_err(|e| format!("certificate key: {e}"))?;
            let certified = CertifiedKey::from_der(
                vec![CertificateDer::from(cert.der().to_vec())],
                key,
                &provider,
            )
            .map_err(|e| format!("certificate key: {e}"))?;
            Ok((n, name, certified))
        };
        let workers = thread::available_parallelism().map_or(1, |n| n.get()) as u64;
        type Made = Vec<(u64, String, CertifiedKey)>;
        let made: Vec<Result<Made, String>> = thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    let leaf = &leaf;
                    scope.spawn(move || {
                        (1..=instances)
                            .filter(|n| n % workers == w)
                            .map(leaf)
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("a generating thread panicked".into()))
                })
                .collect()
        });
        // By address this stays empty: each connection gets its own resolver.
        let mut names = ResolvesServerCertUsingSni::new();
        let mut by_address: Vec<Option<Arc<CertifiedKey>>> = Vec::new();
        if identity == Identity::Address {
            by_address.resize(instances as usize, None);
        }
        for batch in made {
            for (n, name, certified) in batch? {
                match identity {
                    Identity::Name => names
                        .add(&name, certified)
                        .map_err(|e| format!("certificate for {name}: {e}"))?,
                    Identity::Address => by_address[n as usize - 1] = Some(Arc::new(certified)),
                }
            }
        }
        let by_address = match identity {
            Identity::Name => None,
            Identity::Address => Some(Arc::new(
                by_address
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .ok_or("an instance got no certificate")?,
            )),
        };
        let config = ServerConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup failed: {e}"))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(names));
        Ok(Pki {
            ca_pem,
            tls: Tls {
                config: Arc::new(config),
                by_address,
            },
        })
    }
}

/// `wide`: the listener is on 0.0.0.0, and only what came in on a loopback address is served.
fn accept(
    listener: TcpListener,
    wide: bool,
    config: Arc<Config>,
    stats: Arc<Stats>,
    tls: Option<Tls>,
) {
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
        if wide
            && !stream
                .local_addr()
                .is_ok_and(|local| local.ip().is_loopback())
        {
            continue;
        }
        stats.connections.fetch_add(1, Ordering::Relaxed);
        let (config, stats, tls) = (Arc::clone(&config), Arc::clone(&stats), tls.clone());
        let spawned = thread::Builder::new()
            .name("fleet-conn".into())
            // The TLS handshake's signing wants more stack than plain HTTP.
            .stack_size(if tls.is_some() { 256 } else { 128 } * 1024)
            .spawn(move || {
                let _ = match tls {
                    None => serve(stream, &config, &stats),
                    Some(tls) => serve_tls(stream, tls, &config, &stats),
                };
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

/// A connection's byte stream (plain or TLS) and the socket under it, for its timeouts.
trait Socket: Read + Write {
    fn tcp(&self) -> &TcpStream;
}

impl Socket for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Socket for StreamOwned<ServerConnection, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }
}

/// The handshake (counted), then the same HTTP as a plain connection.
fn serve_tls(mut stream: TcpStream, tls: Tls, config: &Config, stats: &Stats) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(IDLE))?;
    // By address: the instance the client dialled, and its certificate.
    let mut by_address = None;
    let server = match &tls.by_address {
        None => tls.config,
        Some(keys) => {
            let n = stream
                .local_addr()
                .ok()
                .and_then(|local| instance_at(local.ip()))
                .filter(|n| *n <= config.instances);
            let Some((n, key)) = n.and_then(|n| Some((n, keys.get(n as usize - 1)?))) else {
                // An address that is no instance's: no certificate, as an unknown name.
                stats.handshake_failures.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            };
            by_address = Some(n);
            // A shallow copy (its parts are shared), with this instance's certificate alone.
            let mut server = (*tls.config).clone();
            server.cert_resolver = Arc::new(SingleCertAndKey::from(Arc::clone(key)));
            Arc::new(server)
        }
    };
    let mut connection = ServerConnection::new(server).map_err(io::Error::other)?;
    while connection.is_handshaking() {
        if let Err(error) = connection.complete_io(&mut stream) {
            stats.handshake_failures.fetch_add(1, Ordering::Relaxed);
            return Err(error);
        }
    }
    stats.handshakes.fetch_add(1, Ordering::Relaxed);
    if connection.handshake_kind() == Some(HandshakeKind::Resumed) {
        stats.resumed.fetch_add(1, Ordering::Relaxed);
    }
    let n = by_address
        .or_else(|| connection.server_name().and_then(instance_of))
        .unwrap_or(0);
    if let Some(count) = usize::try_from(n)
        .ok()
        .and_then(|n| stats.by_instance.get(n))
    {
        count.fetch_add(1, Ordering::Relaxed);
    }
    serve_http(StreamOwned::new(connection, stream), config, stats)
}

fn serve(stream: TcpStream, config: &Config, stats: &Stats) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(IDLE))?;
    serve_http(stream, config, stats)
}

/// Requests and answers on one connection, until the client closes it.
fn serve_http<S: Socket>(stream: S, config: &Config, stats: &Stats) -> io::Result<()> {
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
                reader.get_ref().tcp().set_read_timeout(Some(config.hang))?;
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
                let writer = reader.get_mut();
                writer.write_all(&out)?;
                // Sends what TLS still holds; nothing to do for TCP.
                writer.flush()?;
                if request.close {
                    return Ok(());
                }
            }
        }
    }
}

/// Reads one request's head (and drops its body); None when the client closed the connection.
fn read_request<S: Read>(
    reader: &mut BufReader<S>,
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
