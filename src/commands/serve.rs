//! `webhost serve`: the push receiver in a small HTTP server.

use std::net::TcpListener;
use std::time::Duration;

use anyhow::{Context as _, Result};

use super::{Context, Outcome};
use crate::output::push::log_line;
use crate::receive::http::{self, Options};
use crate::store::{Access, Store};

pub struct Request {
    pub listen: String,
    pub threads: usize,
    pub max_body: u64,
    pub client_timeout: Duration,
    pub hook_timeout: Duration,
}

/// Every Dolibarr's cron fires at the top of the minute: a burst of pushes arrives at once,
/// more than std's backlog of 128 holds (the rest would wait a SYN retry, a second or more).
const BACKLOG: i32 = 4096;

fn listen(address: &str) -> Result<TcpListener> {
    use rustix::net::{AddressFamily, SocketFlags, SocketType, bind, listen, socket_with, sockopt};
    let address: std::net::SocketAddr = std::net::ToSocketAddrs::to_socket_addrs(address)?
        .next()
        .ok_or_else(|| anyhow::anyhow!("no address"))?;
    let family = match address {
        std::net::SocketAddr::V4(_) => AddressFamily::INET,
        std::net::SocketAddr::V6(_) => AddressFamily::INET6,
    };
    // Not inherited by the change hooks serve runs.
    let socket = socket_with(family, SocketType::STREAM, SocketFlags::CLOEXEC, None)?;
    sockopt::set_socket_reuseaddr(&socket, true)?;
    bind(&socket, &address)?;
    listen(&socket, BACKLOG)?;
    Ok(TcpListener::from(socket))
}

pub fn run(ctx: &Context, req: &Request) -> Result<Outcome> {
    // The database must exist (records to push to): opened once here to say so early.
    drop(ctx.write_store()?);
    let listener =
        listen(&req.listen).with_context(|| format!("cannot listen on {}", req.listen))?;
    crate::signals::catch_termination()?;
    let address = listener.local_addr()?;
    ctx.out.push_log(&format!("listening on {address}"));
    let options = Options {
        threads: req.threads,
        max_body: req.max_body,
        client_timeout: req.client_timeout,
        hook_timeout: req.hook_timeout,
    };
    let quiet = ctx.out.quiet;
    let log = move |line: &str| log_line(quiet, line);
    let db = ctx.db.clone();
    let open = move || Store::open(&db, Access::Write);
    http::serve(listener, &open, &options, ctx.clock, &log)?;
    match crate::signals::received() {
        Some(signal) => Ok(Outcome::Interrupted(signal)),
        None => Ok(Outcome::Done),
    }
}
