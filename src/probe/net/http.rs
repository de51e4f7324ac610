//! The only HTTP code of webhost: GET with a whole-call timeout, a body cap, manual redirects,
//! and transport failures turned into short human messages.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::Agent;
use ureq::http::{StatusCode, Uri, header};
use ureq::unversioned::transport::{ConnectProxyConnector, Connector};

use crate::domain::model::{NoAnswer, Status};
use crate::domain::secret::{redact, scrub};
use crate::domain::units::{human_bytes, human_duration};
use crate::domain::url::{host_to_unicode, to_ascii};
use crate::probe::Settings;
use crate::probe::net::resolve::Lookups;
use crate::probe::net::tls::ExpiryCache;
use crate::probe::net::transport::{Tcp, Tls};
use crate::probe::net::trust;

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 5;

/// Shared HTTP clients, one per way of verifying TLS (verified against the machine's roots,
/// verified against those plus a CA file, not verified), so that a connection opened under a
/// looser trust can never be reused, through the pool, for a record that trusts less.
pub struct Http {
    agents: Mutex<HashMap<TrustKey, Result<Agent, String>>>,
    settings: Settings,
    lookups: Lookups,
    /// Every handshake's certificate expiry, by host and port, for the pass to read.
    expiries: Arc<ExpiryCache>,
}

/// Insecure or not, and the CA file trusted besides the machine's roots.
type TrustKey = (bool, Option<PathBuf>);

/// How a request's TLS is verified: the record's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verify<'a> {
    /// Skip certificate verification (the record's `insecure_tls`).
    pub insecure: bool,
    /// Trust this PEM file's certificates too (the record's `ca_file`).
    pub ca_file: Option<&'a Path>,
}

/// How to make one GET.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    pub verify: Verify<'a>,
    /// The URL carries a signature: never follow a redirect to another scheme, host or port.
    pub signed: bool,
    /// Read the body only to time it, and keep none of it (ping).
    pub discard_body: bool,
    /// The end of a larger check this request is part of (a host asking about its
    /// instances): the request stops there, if that comes before its own timeout.
    pub deadline: Option<Instant>,
    /// The method (ping's `--method`); None: GET.
    pub method: Option<&'a str>,
    /// Extra request headers (ping's `--header`).
    pub headers: &'a [(String, String)],
}

/// A final answer (after redirects), whatever its HTTP status.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// From the first byte sent to the last body byte read, redirects included.
    pub elapsed_ms: u64,
    /// The URL that gave this answer, already redacted for printing.
    pub final_url: String,
}

/// No final answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Offline (unreachable) or error (answered, but not usably).
    pub status: Status,
    pub message: String,
    /// The last HTTP status seen, if any (a redirect that was not followed).
    pub http_status: Option<u16>,
    pub elapsed_ms: u64,
    /// Set when nothing answered at all, and how.
    pub no_answer: Option<NoAnswer>,
}

impl Http {
    /// The limit of one call.
    pub fn timeout(&self) -> Duration {
        self.settings.timeout
    }

    pub fn new(settings: &Settings) -> Http {
        Http {
            agents: Mutex::new(HashMap::new()),
            settings: settings.clone(),
            lookups: Lookups::new(settings.lookups),
            expiries: Arc::new(ExpiryCache::new()),
        }
    }

    /// The certificate expiry of `url`'s https server (None: not https): the one the check's
    /// own connection saw, else read by a handshake of its own, once per host and port.
    pub fn certificate_expiry(&self, url: &str, timeout: Duration) -> Option<Result<i64, String>> {
        self.expiries.get(url, &self.lookups, timeout)
    }

    /// The client for `verify`, made on first use; an unusable CA file is the error.
    fn agent(&self, verify: Verify<'_>) -> Result<Agent, String> {
        // A record without a CA file of its own uses the stored setting's, if any.
        let ca_file = verify.ca_file.or(self.settings.ca_file.as_deref());
        let key = (verify.insecure, ca_file.map(Path::to_path_buf));
        let mut agents = self
            .agents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        agents
            .entry(key)
            .or_insert_with(|| {
                // A CA file changes nothing for a client that verifies nothing.
                let ca_file = ca_file.filter(|_| !verify.insecure);
                trust::client_config(verify.insecure, ca_file).map(|tls| self.make_agent(tls))
            })
            .clone()
    }

    fn make_agent(&self, tls: Arc<rustls::ClientConfig>) -> Agent {
        let config = Agent::config_builder()
            .input_buffer_size(INPUT_BUFFER)
            .max_response_header_size(MAX_HEADER)
            .output_buffer_size(OUTPUT_BUFFER)
            .timeout_global(Some(self.settings.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(concat!("webhost/", env!("CARGO_PKG_VERSION")))
            .build();
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(Tcp)
                .chain(Tls::new(tls, Arc::clone(&self.expiries)));
        Agent::with_parts(config, connector, self.lookups.clone())
    }

    /// GET `url`, following at most `MAX_REDIRECTS` redirects, all within the timeout.
    pub fn get(&self, url: &str, options: Options<'_>) -> Result<Answer, Failure> {
        let start = Instant::now();
        let timeout = self.settings.timeout;
        let deadline = options
            .deadline
            .map_or(start + timeout, |d| d.min(start + timeout));
        let elapsed_ms = || u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let fail = |status: Status, message: String, http_status: Option<u16>| Failure {
            status,
            message: scrub(&message, &[]),
            http_status,
            elapsed_ms: elapsed_ms(),
            no_answer: None,
        };
        let agent = match self.agent(options.verify) {
            Ok(agent) => agent,
            Err(message) => return Err(fail(Status::Error, message, None)),
        };

        // On the wire, an internationalised name in its ASCII form (DNS, SNI, Host).
        let mut current = match to_ascii(url) {
            Ok(ascii) => ascii.into_owned(),
            Err(why) => return Err(fail(Status::Error, format!("invalid URL: {why}"), None)),
        };
        let mut redirects = 0;
        // The redirect that led here, once one was followed: a failure after it is not
        // "nothing answered", the first server did.
        let mut redirected: Option<u16> = None;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                let message = format!("timed out after {}", human_duration(timeout));
                return Err(Failure {
                    no_answer: Some(NoAnswer::Silent).filter(|_| redirected.is_none()),
                    ..fail(Status::Offline, message, redirected)
                });
            }
            let builder = match options.method {
                Some("HEAD") => agent.head(current.as_str()),
                Some("OPTIONS") => agent.options(current.as_str()),
                Some("DELETE") => agent.delete(current.as_str()),
                _ => agent.get(current.as_str()),
            };
            let builder = options.headers.iter().fold(builder, |b, (name, value)| {
                b.header(name.as_str(), value.as_str())
            });
            let request = builder.config().timeout_global(Some(remaining)).build();
            let mut response = match request.call() {
                Ok(response) => response,
                Err(error) => {
                    let (status, message, no_answer) = self.describe(&error, &current);
                    return Err(match redirected {
                        None => Failure {
                            no_answer,
                            ..fail(status, message, None)
                        },
                        Some(code) => fail(
                            status,
                            format!("redirected to {}: {message}", site(&current)),
                            Some(code),
                        ),
                    });
                }
            };
            let code = response.status();

            if code.is_redirection() && code != StatusCode::NOT_MODIFIED {
                let next = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|location| resolve(&current, location))
                    .and_then(|next| to_ascii(&next).ok().map(Cow::into_owned));
                if let Some(next) = next {
                    if redirects == MAX_REDIRECTS {
                        let message = format!(
                            "too many redirects (more than {MAX_REDIRECTS}), last to {}",
                            redact(&next)
                        );
                        return Err(fail(Status::Error, message, Some(code.as_u16())));
                    }
                    if options.signed && origin(&next) != origin(&current) {
                        // The signature must not travel to another site, even a redirect target.
                        let message = format!(
                            "redirected to {}, not followed because the request is signed: \
                             set the record's URL to the new address",
                            site(&next)
                        );
                        return Err(fail(Status::Error, message, Some(code.as_u16())));
                    }
                    redirects += 1;
                    redirected = Some(code.as_u16());
                    current = next;
                    continue;
                }
                // A redirect without a usable Location is the final answer.
            }

            // Sized from Content-Length instead of grown by doubling from nothing: one
            // allocation per answer rather than a dozen reallocations and copies.
            let expected = response
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
                .map_or(INITIAL_BODY, |length| {
                    usize::try_from(length.min(self.settings.max_body).min(MAX_INITIAL_BODY))
                        .unwrap_or(INITIAL_BODY)
                });
            // ureq's limit counts bytes after gzip decoding, which is what the cap is about.
            let config = response
                .body_mut()
                .with_config()
                .limit(self.settings.max_body);
            let body = if options.discard_body {
                let mut reader = config.reader();
                match io::copy(&mut reader, &mut io::sink()) {
                    Ok(_) => Vec::new(),
                    // A ping only times the answer; a huge page is still an answer.
                    Err(error) => match ureq::Error::from(error) {
                        ureq::Error::BodyExceedsLimit(_) => Vec::new(),
                        error => {
                            let (status, message, _) = self.describe(&error, &current);
                            return Err(fail(status, message, Some(code.as_u16())));
                        }
                    },
                }
            } else {
                let mut body = Vec::with_capacity(expected);
                match config.reader().read_to_end(&mut body) {
                    Ok(_) => body,
                    Err(error) => {
                        let (status, message, _) =
                            self.describe(&ureq::Error::from(error), &current);
                        return Err(fail(status, message, Some(code.as_u16())));
                    }
                }
            };
            return Ok(Answer {
                status: code.as_u16(),
                body,
                elapsed_ms: elapsed_ms(),
                final_url: redact(&current),
            });
        }
    }

    /// Offline or error, a short message, and whether anything answered, for a failed call
    /// to `url`.
    fn describe(&self, error: &ureq::Error, url: &str) -> (Status, String, Option<NoAnswer>) {
        use NoAnswer::{Rejected, Silent};
        use ureq::Error as E;
        let timed_out = || format!("timed out after {}", human_duration(self.settings.timeout));
        let dns = || format!("DNS lookup failed for {}", host(url));
        let offline = |message: String, how: NoAnswer| (Status::Offline, message, Some(how));
        match error {
            E::Timeout(_) => offline(timed_out(), Silent),
            E::HostNotFound => offline(dns(), Silent),
            E::Io(io_error) => {
                let https = url
                    .get(..8)
                    .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
                let (message, how) = describe_io(io_error, https, timed_out, dns);
                offline(message, how)
            }
            E::Rustls(tls) => offline(format!("TLS error: {tls}"), Rejected),
            E::Tls(reason) => offline(format!("TLS error: {reason}"), Rejected),
            E::Protocol(protocol) => offline(format!("bad HTTP answer: {protocol}"), Rejected),
            E::ConnectionFailed => offline("connection failed".into(), Silent),
            E::BodyExceedsLimit(_) => (
                Status::Error,
                format!("answer larger than {}", human_bytes(self.settings.max_body)),
                None,
            ),
            E::Decompress(_, _) => (
                Status::Error,
                "answer could not be decompressed (broken gzip)".into(),
                None,
            ),
            E::LargeResponseHeader(_, _) => {
                (Status::Error, "response headers too large".into(), None)
            }
            E::BadUri(_) | E::Http(_) | E::RequireHttpsOnly(_) => {
                (Status::Error, format!("invalid URL: {}", redact(url)), None)
            }
            other => offline(format!("network error: {other}"), Silent),
        }
    }
}

/// The message for an I/O failure, and whether something answered: a refusal, a reset or a
/// TLS alert is an answer; a timeout, no route or no name is none.
fn describe_io(
    error: &io::Error,
    https: bool,
    timed_out: impl Fn() -> String,
    dns: impl Fn() -> String,
) -> (String, NoAnswer) {
    use NoAnswer::{Rejected, Silent};
    use io::ErrorKind as K;
    match error.kind() {
        K::ConnectionRefused => ("connection refused".into(), Rejected),
        K::ConnectionReset => ("connection reset by the server".into(), Rejected),
        K::ConnectionAborted => ("connection aborted".into(), Rejected),
        K::TimedOut | K::WouldBlock => (timed_out(), Silent),
        K::UnexpectedEof => (
            "connection closed before the answer was complete".into(),
            Rejected,
        ),
        K::HostUnreachable => ("host unreachable".into(), Silent),
        K::NetworkUnreachable => ("network unreachable".into(), Silent),
        K::AddrNotAvailable => ("address not available".into(), Silent),
        // rustls reports handshake and certificate failures through the stream as InvalidData.
        K::InvalidData if https => (format!("TLS error: {error}"), Rejected),
        _ => {
            // The resolver's errors have no kind of their own; std words them like this.
            let text = error.to_string();
            if text.contains("lookup") || text.contains("Name or service not known") {
                (dns(), Silent)
            } else {
                (format!("network error: {text}"), Silent)
            }
        }
    }
}

/// Per connection buffers. ureq's defaults (128 KiB each way, zero-filled on every new
/// connection) cost 256 KiB of memory per concurrent check and most of the CPU of opening a
/// connection; a request is one GET line and a few headers, and the input buffer still holds
/// the largest response header accepted (`MAX_HEADER`) in full.
const INPUT_BUFFER: usize = 64 * 1024;
/// The largest response header accepted: below the input buffer, so that a header that fills
/// the buffer is called too large rather than a connection that stopped (ureq tells the two
/// apart only while the buffer has room left).
const MAX_HEADER: usize = 48 * 1024;
const OUTPUT_BUFFER: usize = 16 * 1024;
/// First allocation for a body of unknown length, and the most a Content-Length reserves.
const INITIAL_BODY: usize = 16 * 1024;
const MAX_INITIAL_BODY: u64 = 1024 * 1024;

/// The standard text of an HTTP status: `HTTP 503 Service Unavailable`.
pub fn status_text(code: u16) -> String {
    match StatusCode::from_u16(code)
        .ok()
        .and_then(|status| status.canonical_reason())
    {
        Some(reason) => format!("HTTP {code} {reason}"),
        None => format!("HTTP {code}"),
    }
}

/// `location` made absolute against `base`; None when it is not an HTTP URL we can follow.
fn resolve(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.is_empty() {
        return None;
    }
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(location.to_string());
    }
    if lower.contains("://") {
        return None;
    }
    let base: Uri = base.parse().ok()?;
    let scheme = base.scheme_str()?;
    let authority = base.authority()?.as_str();
    if let Some(rest) = location.strip_prefix("//") {
        return Some(format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Some(format!("{scheme}://{authority}{location}"));
    }
    let path = base.path();
    if location.starts_with('?') {
        return Some(format!("{scheme}://{authority}{path}{location}"));
    }
    let directory = &path[..path.rfind('/').map_or(0, |at| at + 1)];
    let directory = if directory.is_empty() { "/" } else { directory };
    Some(format!("{scheme}://{authority}{directory}{location}"))
}

/// Scheme, host and port (explicit or default): what a signed request may not leave.
fn origin(url: &str) -> Option<(String, String, u16)> {
    let uri: Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let port = uri.port_u16().or(match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    })?;
    Some((scheme, host, port))
}

/// `scheme://host[:port]` of a URL, for messages: no path, no query, no credentials.
fn site(url: &str) -> String {
    match url.parse::<Uri>() {
        Ok(uri) => {
            let scheme = uri.scheme_str().unwrap_or("http");
            let port = uri.port_u16().map(|p| format!(":{p}")).unwrap_or_default();
            let host = host_to_unicode(uri.host().unwrap_or("?"));
            format!("{scheme}://{host}{port}")
        }
        Err(_) => "an unreadable address".into(),
    }
}

/// The host name of a URL, for messages.
fn host(url: &str) -> String {
    url.parse::<Uri>()
        .ok()
        .and_then(|uri| uri.host().map(|h| host_to_unicode(h).into_owned()))
        .unwrap_or_else(|| "the URL's host".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::thread;
    use tiny_http::{Header, Response, Server};

    fn settings(timeout_ms: u64, max_body: u64) -> Settings {
        Settings {
            timeout: Duration::from_millis(timeout_ms),
            max_body,
            ..Settings::default()
        }
    }

    /// A server answering `count` requests with `respond`, and the URLs it was asked for.
    fn serve<F>(count: usize, respond: F) -> (String, thread::JoinHandle<Vec<String>>)
    where
        F: Fn(&str) -> Response<io::Cursor<Vec<u8>>> + Send + 'static,
    {
        let server = Server::http("127.0.0.1:0").expect("bind test server");
        let port = server
            .server_addr()
            .to_ip()
            .expect("test server has an IP address")
            .port();
        let handle = thread::spawn(move || {
            let mut seen = Vec::new();
            for request in server.incoming_requests().take(count) {
                let url = request.url().to_string();
                let response = respond(&url);
                seen.push(url);
                let _ = request.respond(response);
            }
            seen
        });
        (format!("http://127.0.0.1:{port}"), handle)
    }

    fn header(name: &str, value: &str) -> Header {
        Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid test header")
    }

    #[test]
    fn answers_with_status_and_body() {
        let (base, server) = serve(1, |_| Response::from_string("hello"));
        let http = Http::new(&Settings::default());
        let answer = http
            .get(&format!("{base}/x?hash=abc123&time=1"), Options::default())
            .expect("answer");
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, b"hello");
        assert_eq!(answer.final_url, format!("{base}/x?hash=***&time=1"));
        assert_eq!(
            server.join().expect("server thread"),
            ["/x?hash=abc123&time=1"]
        );
    }

    #[test]
    fn sends_its_user_agent() {
        let server = Server::http("127.0.0.1:0").expect("bind");
        let port = server.server_addr().to_ip().expect("ip").port();
        let handle = thread::spawn(move || {
            let request = server.recv().expect("request");
            let agent = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("User-Agent"))
                .map(|h| h.value.to_string());
            let _ = request.respond(Response::from_string(""));
            agent
        });
        let http = Http::new(&Settings::default());
        http.get(&format!("http://127.0.0.1:{port}/"), Options::default())
            .expect("answer");
        let agent = handle.join().expect("server thread");
        assert_eq!(
            agent.as_deref(),
            Some(concat!("webhost/", env!("CARGO_PKG_VERSION")))
        );
    }

    #[test]
    fn server_error_is_an_answer() {
        let (base, server) = serve(1, |_| Response::from_string("oops").with_status_code(500));
        let http = Http::new(&Settings::default());
        let answer = http.get(&base, Options::default()).expect("answer");
        assert_eq!(answer.status, 500);
        assert_eq!(status_text(answer.status), "HTTP 500 Internal Server Error");
        server.join().expect("server thread");
    }

    #[test]
    fn body_over_cap_is_an_error() {
        let (base, server) = serve(1, |_| Response::from_string("x".repeat(2048)));
        let http = Http::new(&settings(10_000, 1024));
        let failure = http.get(&base, Options::default()).expect_err("too large");
        assert_eq!(failure.status, Status::Error);
        assert_eq!(failure.message, "answer larger than 1 KiB");
        assert_eq!(failure.http_status, Some(200));
        server.join().expect("server thread");
    }

    // `head -c 4096 /dev/zero | gzip -9 -n`: 38 bytes on the wire, 4 KiB once decompressed.
    const GZIPPED_4K_ZEROS: [u8; 38] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xed, 0xc1, 0x01, 0x0d, 0x00,
        0x00, 0x00, 0xc2, 0xa0, 0xf7, 0x4f, 0x6d, 0x0f, 0x07, 0x14, 0x00, 0x00, 0x00, 0xf0, 0x6e,
        0x11, 0x00, 0x1c, 0xc7, 0x00, 0x10, 0x00, 0x00,
    ];

    #[test]
    fn cap_counts_decompressed_bytes() {
        let gzipped = || {
            Response::from_data(GZIPPED_4K_ZEROS.to_vec())
                .with_header(header("Content-Encoding", "gzip"))
        };
        let (base, server) = serve(2, move |_| gzipped());
        let small = Http::new(&settings(10_000, 1024));
        let failure = small.get(&base, Options::default()).expect_err("too large");
        assert_eq!(failure.message, "answer larger than 1 KiB");
        let roomy = Http::new(&settings(10_000, 8192));
        let answer = roomy.get(&base, Options::default()).expect("answer");
        assert_eq!(answer.body, vec![0u8; 4096]);
        server.join().expect("server thread");
    }

    #[test]
    fn ping_discards_a_large_body() {
        let (base, server) = serve(1, |_| Response::from_string("x".repeat(4096)));
        let http = Http::new(&settings(10_000, 1024));
        let options = Options {
            discard_body: true,
            ..Options::default()
        };
        let answer = http.get(&base, options).expect("answer");
        assert_eq!((answer.status, answer.body.len()), (200, 0));
        server.join().expect("server thread");
    }

    #[test]
    fn follows_same_site_redirects() {
        let (base, server) = serve(2, |url| {
            if url == "/old?hash=h&time=1" {
                Response::from_string("")
                    .with_status_code(301)
                    .with_header(header("Location", "/new?hash=h&time=1"))
            } else {
                Response::from_string("here")
            }
        });
        let http = Http::new(&Settings::default());
        let options = Options {
            signed: true,
            ..Options::default()
        };
        let answer = http
            .get(&format!("{base}/old?hash=h&time=1"), options)
            .expect("answer");
        assert_eq!(answer.body, b"here");
        assert_eq!(answer.final_url, format!("{base}/new?hash=***&time=1"));
        assert_eq!(
            server.join().expect("server thread"),
            ["/old?hash=h&time=1", "/new?hash=h&time=1"]
        );
    }

    #[test]
    fn signed_request_never_follows_a_redirect_to_another_site() {
        // The other site: a listener that must never see a connection.
        let other = TcpListener::bind("127.0.0.1:0").expect("bind");
        let other_port = other.local_addr().expect("addr").port();
        let target = format!("http://127.0.0.1:{other_port}/steal?hash=0123abcd&time=1");
        let (base, server) = serve(1, move |_| {
            Response::from_string("")
                .with_status_code(302)
                .with_header(header("Location", &target))
        });
        let http = Http::new(&Settings::default());
        let options = Options {
            signed: true,
            ..Options::default()
        };
        let failure = http
            .get(
                &format!("{base}/get-data.php?hash=0123abcd&time=1"),
                options,
            )
            .expect_err("not followed");
        assert_eq!(failure.status, Status::Error);
        assert_eq!(failure.http_status, Some(302));
        assert!(
            failure
                .message
                .starts_with(&format!("redirected to http://127.0.0.1:{other_port},")),
            "{}",
            failure.message
        );
        assert!(!failure.message.contains("0123abcd"));
        server.join().expect("server thread");
        // The call is over, so a connection it made would already wait in the backlog.
        other.set_nonblocking(true).expect("nonblocking");
        let accepted = other.accept();
        assert!(
            matches!(&accepted, Err(e) if e.kind() == io::ErrorKind::WouldBlock),
            "the other site was contacted: {accepted:?}"
        );
    }

    #[test]
    fn redirect_loop_gives_up() {
        let (base, server) = serve(MAX_REDIRECTS + 1, |url| {
            let n: usize = url.trim_start_matches("/r").parse().unwrap_or(0);
            Response::from_string("")
                .with_status_code(302)
                .with_header(header("Location", &format!("/r{}", n + 1)))
        });
        let http = Http::new(&Settings::default());
        let failure = http
            .get(&format!("{base}/r0"), Options::default())
            .expect_err("loop");
        assert_eq!(failure.status, Status::Error);
        assert_eq!(
            failure.message,
            format!("too many redirects (more than 5), last to {base}/r6")
        );
        assert_eq!(
            server.join().expect("server thread").len(),
            MAX_REDIRECTS + 1
        );
    }

    #[test]
    fn silent_server_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        // Accept, read the request, never answer; the socket is held until the client gives up.
        let holder = thread::spawn(move || {
            let (mut socket, _) = listener.accept().expect("accept");
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf);
            let _ = socket.read(&mut buf);
            let _ = socket.flush();
        });
        let http = Http::new(&settings(300, 1024));
        let started = Instant::now();
        let failure = http
            .get(&format!("http://127.0.0.1:{port}/"), Options::default())
            .expect_err("timeout");
        assert_eq!(failure.status, Status::Offline);
        assert_eq!(failure.message, "timed out after 300 ms");
        assert!(started.elapsed() < Duration::from_secs(5));
        holder.join().expect("holder thread");
    }

    #[test]
    fn tls_failure_is_offline() {
        // A plain-HTTP listener that answers the TLS handshake with HTTP text, then closes.
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = thread::spawn(move || {
            let (mut socket, _) = listener.accept().expect("accept");
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf);
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
        let http = Http::new(&Settings::default());
        let failure = http
            .get(&format!("https://127.0.0.1:{port}/"), Options::default())
            .expect_err("not TLS");
        assert_eq!(failure.status, Status::Offline);
        assert!(
            failure.message.starts_with("TLS error: "),
            "{}",
            failure.message
        );
        server.join().expect("server thread");
    }

    #[test]
    fn refused_connection_is_offline() {
        // Bind then drop: nothing listens on that port any more.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("bind")
            .port();
        let http = Http::new(&Settings::default());
        let failure = http
            .get(&format!("http://127.0.0.1:{port}/"), Options::default())
            .expect_err("refused");
        assert_eq!(
            (failure.status, failure.message.as_str()),
            (Status::Offline, "connection refused")
        );
    }

    #[test]
    fn invalid_url_is_an_error_without_secrets() {
        let http = Http::new(&Settings::default());
        let failure = http
            .get("not a url?hash=deadbeef", Options::default())
            .expect_err("invalid");
        assert_eq!(failure.status, Status::Error);
        assert!(
            failure.message.starts_with("invalid URL"),
            "{}",
            failure.message
        );
        assert!(!failure.message.contains("deadbeef"));
    }

    #[test]
    fn resolves_locations() {
        let base = "https://h.example:8443/a/b.php?x=1";
        assert_eq!(
            resolve(base, "/c"),
            Some("https://h.example:8443/c".to_string())
        );
        assert_eq!(
            resolve(base, "c.php"),
            Some("https://h.example:8443/a/c.php".to_string())
        );
        assert_eq!(
            resolve(base, "?y=2"),
            Some("https://h.example:8443/a/b.php?y=2".to_string())
        );
        assert_eq!(
            resolve(base, "//other.example/z"),
            Some("https://other.example/z".to_string())
        );
        assert_eq!(resolve(base, "HTTP://X/y"), Some("HTTP://X/y".to_string()));
        assert_eq!(resolve(base, "ftp://x/y"), None);
        assert_eq!(resolve(base, "  "), None);
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(
            origin("https://H.example/x"),
            origin("https://h.example:443/y")
        );
        assert_ne!(origin("http://h.example/x"), origin("https://h.example/x"));
        assert_ne!(
            origin("http://h.example/x"),
            origin("http://h.example:8080/x")
        );
        assert_eq!(
            site("https://u:p@h.example:8443/x?hash=1"),
            "https://h.example:8443"
        );
    }
}
