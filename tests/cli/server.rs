//! A real HTTP server on 127.0.0.1, inside the test, serving the fixtures and checking
//! `hash`/`time` the way the monitoring scripts do; and bare TCP servers for the faults no
//! HTTP library sends. Each fails the test when dropped if its handler panicked or nobody
//! came, as xh's test server does: a test must not pass on a panic read as "offline".

use std::any::Any;
use std::collections::HashMap;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;

use md5::{Digest, Md5};

use crate::support::now;

/// What the server answers to one request.
#[derive(Clone)]
pub enum Reply {
    /// Status and body.
    Body(u16, Vec<u8>),
    /// A redirect to this location.
    Redirect(u16, String),
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Body(200, body.into())
    }

    pub fn fixture(name: &str) -> Reply {
        Reply::ok(fixture(name))
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub query: HashMap<String, String>,
    pub user_agent: Option<String>,
}

type Handler = dyn Fn(&Hit) -> Reply + Send + Sync;

/// A server on 127.0.0.1. Dropped, it fails the test if a handler panicked, or if it saw no
/// request at all (or not the number `expect_hits` set): a test must not pass because the
/// server it meant to talk to was never asked, or answered with a panic.
pub struct Server {
    pub base: String,
    server: Arc<tiny_http::Server>,
    hits: Arc<Mutex<Vec<Hit>>>,
    checks: Checks,
}

/// What a fixture server checks when it is dropped.
struct Checks {
    base: String,
    /// What each panicking handler said.
    panics: Arc<Mutex<Vec<String>>>,
    /// How many requests (or connections) it must see; None is "at least one".
    expected: Option<usize>,
}

impl Checks {
    fn new(base: &str) -> Checks {
        Checks {
            base: base.to_string(),
            panics: Arc::new(Mutex::new(Vec::new())),
            expected: None,
        }
    }

    /// Fails the test, unless it is failing already (then only says what the handlers said).
    fn verify(&self, seen: usize, what: &str) {
        let panics = self.panics.lock().unwrap_or_else(PoisonError::into_inner);
        if thread::panicking() {
            for p in panics.iter() {
                eprintln!("the server at {} also panicked: {p}", self.base);
            }
            return;
        }
        assert!(
            panics.is_empty(),
            "the server at {} panicked answering: {}",
            self.base,
            panics.join("; ")
        );
        match self.expected {
            None => assert!(
                seen > 0,
                "the server at {} never got a {what}: was it the one the test meant?",
                self.base
            ),
            Some(n) => assert_eq!(seen, n, "{what}s to the server at {}", self.base),
        }
    }
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// The MD5 the scripts expect: md5(token + time), lowercase hex.
pub fn hash(token: &str, time: &str) -> String {
    let digest = Md5::digest(format!("{token}{time}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Server {
    /// Starts a server whose `handler` answers every request. With a `token`, every request
    /// must carry a valid hash within 180 s.
    pub fn start(
        token: Option<&str>,
        handler: impl Fn(&Hit) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Server::start_with(token, |_| true, handler)
    }

    /// Like the server-manager script: only requests with an `action` need the hash.
    pub fn manager(
        token: Option<&str>,
        handler: impl Fn(&Hit) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Server::start_with(token, |hit| hit.query.contains_key("action"), handler)
    }

    fn start_with(
        token: Option<&str>,
        needs_auth: fn(&Hit) -> bool,
        handler: impl Fn(&Hit) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
        let port = server.server_addr().to_ip().expect("ip address").port();
        let base = format!("http://127.0.0.1:{port}");
        let hits = Arc::new(Mutex::new(Vec::new()));
        let checks = Checks::new(&base);
        let handler: Arc<Handler> = Arc::new(handler);
        let token = token.map(str::to_owned);
        {
            let (server, hits, panics) = (server.clone(), hits.clone(), checks.panics.clone());
            thread::spawn(move || {
                for mut req in server.incoming_requests() {
                    let (handler, hits, token) = (handler.clone(), hits.clone(), token.clone());
                    let panics = panics.clone();
                    // One thread per request, so a slow answer never holds up the others.
                    thread::spawn(move || {
                        let mut sink = Vec::new();
                        let _ = std::io::Read::read_to_end(req.as_reader(), &mut sink);
                        let hit = parse_hit(&req);
                        hits.lock().expect("hits").push(hit.clone());
                        let token = token.as_deref().filter(|_| needs_auth(&hit));
                        let reply = match auth_failure(token, &hit) {
                            Some(text) => Reply::ok(text),
                            // Noted before the answer goes out, so the test cannot end first.
                            None => catch_unwind(AssertUnwindSafe(|| handler(&hit)))
                                .unwrap_or_else(|payload| {
                                    let text = panic_text(payload.as_ref());
                                    let mut panics = panics.lock().expect("panics");
                                    panics.push(format!("{}: {text}", hit.path));
                                    Reply::Body(500, b"the test's handler panicked".to_vec())
                                }),
                        };
                        let _ = match reply {
                            Reply::Body(code, body) => req.respond(
                                tiny_http::Response::from_data(body).with_status_code(code),
                            ),
                            Reply::Redirect(code, to) => req.respond(
                                tiny_http::Response::empty(code).with_header(
                                    tiny_http::Header::from_bytes("Location", to.as_bytes())
                                        .expect("header"),
                                ),
                            ),
                        };
                    });
                }
            });
        }
        Server {
            base,
            server,
            hits,
            checks,
        }
    }

    /// The server must see exactly `n` requests by the time it is dropped.
    pub fn expect_hits(mut self, n: usize) -> Server {
        self.checks.expected = Some(n);
        self
    }

    /// The server must never be asked: what the test proves is that nothing reached it.
    pub fn expect_no_hits(self) -> Server {
        self.expect_hits(0)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().expect("hits").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        let seen = self
            .hits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        self.checks.verify(seen, "request");
    }
}

/// Checks `hash`/`time` like the scripts: absent → `Missing parameter`, wrong or more than
/// 180 s off → `Invalid hash`. Requests without auth need none when no token is configured.
fn auth_failure(token: Option<&str>, hit: &Hit) -> Option<&'static str> {
    let token = token?;
    let (Some(h), Some(t)) = (hit.query.get("hash"), hit.query.get("time")) else {
        return Some("Missing parameter");
    };
    let fresh = t.parse::<i64>().is_ok_and(|t| (now() - t).abs() <= 180);
    (!fresh || *h != hash(token, t)).then_some("Invalid hash")
}

fn parse_hit(req: &tiny_http::Request) -> Hit {
    let (path, query) = req.url().split_once('?').unwrap_or((req.url(), ""));
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), percent_decode(v))
        })
        .collect();
    let user_agent = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("User-Agent"))
        .map(|h| h.value.to_string());
    Hit {
        path: path.to_string(),
        query,
        user_agent,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A server that accepts connections and never answers; they stay open until it is dropped.
/// Dropped, it fails the test if nothing ever connected.
pub struct Silent {
    pub base: String,
    held: Arc<(Mutex<Vec<TcpStream>>, Condvar)>,
    checks: Checks,
}

impl Silent {
    pub fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let held = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let keep = held.clone();
        thread::spawn(move || {
            for s in listener.incoming().flatten() {
                keep.0.lock().expect("held").push(s);
                keep.1.notify_all();
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        let checks = Checks::new(&base);
        Silent { base, held, checks }
    }

    /// How many connections it accepted.
    pub fn connections(&self) -> usize {
        self.held.0.lock().expect("held").len()
    }

    /// Waits (at most `limit`) until `n` connections are open; false if they never came.
    pub fn wait_for_connections(&self, n: usize, limit: std::time::Duration) -> bool {
        let (lock, cvar) = &*self.held;
        let guard = lock.lock().expect("held");
        let (guard, _) = cvar
            .wait_timeout_while(guard, limit, |held| held.len() < n)
            .expect("held");
        guard.len() >= n
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        let mut held = self.held.0.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = held.len();
        held.clear(); // closes them
        drop(held);
        self.checks.verify(seen, "connection");
    }
}

/// A port nothing listens on (bound, then released).
pub fn refused_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}/")
}

/// A bare TCP server for answers no HTTP library would send: each accepted connection is handed
/// to `serve`, on a thread of its own, which writes whatever bytes it likes. Dropped, it fails
/// the test if `serve` panicked or nothing ever connected.
pub struct Raw {
    pub base: String,
    connections: Arc<AtomicUsize>,
    checks: Checks,
}

impl Raw {
    pub fn start(serve: impl Fn(TcpStream) + Send + Sync + 'static) -> Raw {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let base = format!("http://127.0.0.1:{port}");
        let checks = Checks::new(&base);
        let connections = Arc::new(AtomicUsize::new(0));
        let serve = Arc::new(serve);
        let (count, panics) = (connections.clone(), checks.panics.clone());
        thread::spawn(move || {
            for socket in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                let (serve, panics) = (serve.clone(), panics.clone());
                thread::spawn(move || {
                    // A second handle keeps the connection open until a panic is noted, so the
                    // client cannot see the end of it, and the test end, before that.
                    let open = socket.try_clone();
                    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| serve(socket))) {
                        let text = panic_text(payload.as_ref());
                        panics.lock().expect("panics").push(text);
                    }
                    drop(open);
                });
            }
        });
        Raw {
            base,
            connections,
            checks,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many connections it accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.checks.verify(self.connections(), "connection");
    }
}

/// Reads a request up to its blank line (a GET has no body). False when the client went away
/// first.
pub fn read_head(socket: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    true
}
