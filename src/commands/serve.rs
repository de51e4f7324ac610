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

pub fn run(ctx: &Context, req: &Request) -> Result<Outcome> {
    // The database must exist (records to push to): opened once here to say so early.
    drop(ctx.write_store()?);
    let listener = TcpListener::bind(&req.listen)
        .with_context(|| format!("cannot listen on {}", req.listen))?;
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
