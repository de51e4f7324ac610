//! `webhost receive`: one push, as a CGI program (RFC 3875).

use std::io::{Read, Write};

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::config::defaults;
use crate::domain::units::parse_duration;
use crate::output::push::cgi_response;
use crate::receive::{self, Request};

/// Handles the push the web server hands over in the CGI variables and on stdin. Whatever
/// happens, the sender gets a `Status:` answer: a CGI program that fails without one makes a
/// 500 with nothing in it.
pub fn run(ctx: &Context, max_body: u64) -> Result<Outcome> {
    let method = std::env::var("REQUEST_METHOD").unwrap_or_default();
    let query = std::env::var("QUERY_STRING").unwrap_or_default();
    let length = std::env::var("CONTENT_LENGTH").unwrap_or_default();
    let (status, text, log, alerts) = match length.trim().parse::<u64>() {
        _ if method.is_empty() => {
            anyhow::bail!(
                "webhost receive is a CGI program: run it from a web server (REQUEST_METHOD is not set)"
            )
        }
        Ok(n) if n > max_body => {
            let text = format!("too large: at most {max_body} bytes");
            (413, text.clone(), format!("refused: {text}"), false)
        }
        Ok(n) => {
            let mut body = Vec::new();
            std::io::stdin().take(n).read_to_end(&mut body)?;
            match ctx.write_store() {
                Ok(mut store) => {
                    let hooks = receive::stored_hooks(&store)?;
                    let request = Request {
                        method: &method,
                        query: &query,
                        body: &body,
                    };
                    let r = receive::handle(&mut store, &request, ctx.now(), hooks.as_ref());
                    (r.status, r.text, r.log, r.alerts)
                }
                Err(e) => (
                    503,
                    "unavailable: try again later".to_string(),
                    format!("unavailable: {e:#}"),
                    false,
                ),
            }
        }
        // No body: the handler says what is missing (or that it is not a POST).
        Err(_) if length.trim().is_empty() => {
            let mut store = ctx.write_store()?;
            let request = Request {
                method: &method,
                query: &query,
                body: &[],
            };
            let r = receive::handle(&mut store, &request, ctx.now(), None);
            (r.status, r.text, r.log, false)
        }
        Err(_) => (
            400,
            "bad request: CONTENT_LENGTH".to_string(),
            "refused: CONTENT_LENGTH is not a number".to_string(),
            false,
        ),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&cgi_response(status, &text))?;
    stdout.flush()?;
    drop(stdout);
    ctx.out.push_log(&log);
    if alerts {
        let timeout = parse_duration(defaults::HOOK_TIMEOUT).map_err(anyhow::Error::msg)?;
        let mut store = ctx.write_store()?;
        if let Err(e) = receive::deliver_alerts(&mut store, ctx.now(), timeout) {
            ctx.out
                .push_log(&format!("alerts wait for the next delivery: {e:#}"));
        }
    }
    Ok(Outcome::Done)
}
