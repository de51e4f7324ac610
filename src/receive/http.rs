//! `webhost serve`: the receiver in a small HTTP/1.1 server, meant to sit behind a TLS reverse
//! proxy. A fixed number of threads, each with its own database connection, take turns
//! accepting; a request's head and body are bounded, and a client that sends too slowly is
//! dropped after the timeout. Keep-alive is kept, so a proxy may reuse its connections.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::Duration;

use anyhow::Result;
use rustix::event::{PollFd, PollFlags, Timespec, poll};

use super::{Reply, Request, deliver_alerts, handle, stored_hooks};
use crate::clock::Clock;
use crate::output::push::http_response;
use crate::store::Store;

/// A request head larger than this is refused (431).
const MAX_HEAD: usize = 16 * 1024;
/// At most this many headers.
const MAX_HEADERS: usize = 64;
/// Requests on one connection before it is closed (a proxy opens a new one).
const MAX_REQUESTS_PER_CONNECTION: usize = 1000;
/// How often an idle worker looks for a termination signal.
const SIGNAL_CHECK: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub struct Options {
    pub threads: usize,
    pub max_body: u64,
    /// A client silent for this long, in its head or its body, is dropped.
    pub client_timeout: Duration,
    pub hook_timeout: Duration,
}

/// Serves pushes on `listener` until SIGINT or SIGTERM; `open` gives each thread its
/// database connection, `log` takes one line per request.
pub fn serve(
    listener: TcpListener,
    open: &(dyn Fn() -> Result<Store> + Sync),
    options: &Options,
    clock: Clock,
    log: &(dyn Fn(&str) + Sync),
) -> Result<()> {
    listener.set_nonblocking(true)?;
    std::thread::scope(|scope| -> Result<()> {
        let mut workers = Vec::new();
        for _ in 0..options.threads.max(1) {
            let mut store = open()?;
            let listener = &listener;
            workers.push(scope.spawn(move || {
                while crate::signals::received().is_none() {
                    if !readable(listener, SIGNAL_CHECK) {
                        continue;
                    }
                    let stream = match listener.accept() {
                        Ok((stream, _)) => stream,
                        // Another worker took it, or the client gave up already.
                        Err(_) => continue,
                    };
                    if let Err(e) = connection(stream, &mut store, options, clock, log) {
                        log(&format!("connection dropped: {e}"));
                    }
                }
            }));
        }
        for worker in workers {
            let _ = worker.join();
        }
        Ok(())
    })
}

fn readable(listener: &TcpListener, wait: Duration) -> bool {
    let fd = listener.as_fd();
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    let timeout = Timespec::try_from(wait).ok();
    matches!(poll(&mut fds, timeout.as_ref()), Ok(n) if n > 0)
}

/// Serves one connection's requests, one after another.
fn connection(
    mut stream: TcpStream,
    store: &mut Store,
    options: &Options,
    clock: Clock,
    log: &(dyn Fn(&str) + Sync),
) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(options.client_timeout))?;
    stream.set_write_timeout(Some(options.client_timeout))?;
    stream.set_nodelay(true)?;
    let mut pending: Vec<u8> = Vec::new();
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        let Some(head_len) = read_head(&mut stream, &mut pending)? else {
            return Ok(()); // closed between requests
        };
        let Some(head_len) = head_len else {
            return refuse(&mut stream, 431, "request head too large", log);
        };
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut headers);
        let head = match parsed.parse(&pending[..head_len]) {
            Ok(httparse::Status::Complete(_)) => parsed,
            _ => return refuse(&mut stream, 400, "bad request: not HTTP/1.1", log),
        };
        let method = head.method.unwrap_or("").to_string();
        let target = head.path.unwrap_or("").to_string();
        let header = |name: &str| {
            head.headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
        };
        let keep_alive =
            head.version == Some(1) && header("connection").as_deref() != Some("close");
        if header("transfer-encoding").is_some() {
            return refuse(&mut stream, 411, "send the body with a Content-Length", log);
        }
        let length = match header("content-length").map(|l| l.parse::<u64>()) {
            None => 0,
            Some(Ok(n)) => n,
            Some(Err(_)) => return refuse(&mut stream, 400, "bad request: Content-Length", log),
        };
        if length > options.max_body {
            let text = format!("too large: at most {} bytes", options.max_body);
            return refuse(&mut stream, 413, &text, log);
        }
        pending.drain(..head_len);
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        while pending.len() < length {
            let mut buf = [0u8; 16 * 1024];
            let want = (length - pending.len()).min(buf.len());
            match stream.read(&mut buf[..want])? {
                0 => return Ok(()), // the client went away mid-body
                n => pending.extend_from_slice(&buf[..n]),
            }
        }
        let body: Vec<u8> = pending.drain(..length).collect();
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let hooks = stored_hooks(store).ok().flatten();
        let now = clock.now();
        let reply: Reply = handle(
            store,
            &Request {
                method: &method,
                query,
                body: &body,
            },
            now,
            hooks.as_ref(),
        );
        stream.write_all(&http_response(reply.status, &reply.text, keep_alive))?;
        log(&reply.log);
        if reply.alerts
            && let Err(e) = deliver_alerts(store, now, options.hook_timeout)
        {
            log(&format!("alerts wait for the next delivery: {e:#}"));
        }
        if !keep_alive {
            return Ok(());
        }
    }
    Ok(())
}

/// Reads until `pending` holds a whole request head: Some(Some(len)) with its length,
/// Some(None) when it grew past `MAX_HEAD`, None when the client closed before a request.
fn read_head(stream: &mut TcpStream, pending: &mut Vec<u8>) -> io::Result<Option<Option<usize>>> {
    loop {
        if let Some(at) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            return Ok(Some(Some(at + 4)));
        }
        if pending.len() > MAX_HEAD {
            return Ok(Some(None));
        }
        let mut buf = [0u8; 4096];
        match stream.read(&mut buf) {
            Ok(0) => return Ok(None),
            Ok(n) => pending.extend_from_slice(&buf[..n]),
            Err(e) if pending.is_empty() && is_timeout(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn refuse(
    stream: &mut TcpStream,
    status: u16,
    text: &str,
    log: &(dyn Fn(&str) + Sync),
) -> io::Result<()> {
    log(&format!("refused: {text}"));
    stream.write_all(&http_response(status, text, false))
}
