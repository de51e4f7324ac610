//! The demo's fleet on the wire: one HTTP server on 127.0.0.1 (a free port) answering, by the
//! first folder of the path, as each script of the story (`super::Story`) does in the current
//! round. `tiny_http` does the HTTP; this file only decides the answers.
//!
//! As the real scripts (shared/protocols.md): every answer is `text/html`; WebObserver needs
//! `hash=md5(token + time)&time=T` with T within 180 s of this machine's clock, else it answers
//! `Missing parameter` or `Invalid hash` (HTTP 200, plain text); the server-manager script
//! answers its server document to anyone, and signs only its actions, checking the hash but
//! not the clock, after the instance name.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

use anyhow::{Context as _, Result, anyhow};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::{Answer, Story, documents};
use crate::probe::sign;

/// WebObserver refuses a `time` further than this from its clock.
pub const CLOCK_WINDOW: u64 = 180;

/// An answer on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    fn ok(body: impl Into<String>) -> Reply {
        Reply {
            status: 200,
            body: body.into(),
        }
    }

    fn not_found() -> Reply {
        Reply {
            status: 404,
            body: "<h1>Not Found</h1>\n".into(),
        }
    }
}

/// Which round the fleet is in, and the time the demo's clock says it is.
#[derive(Debug, Clone, Copy)]
struct Moment {
    round: usize,
    at: i64,
}

/// The running fleet. Dropped, it stops serving.
pub struct Fleet {
    base: String,
    server: Arc<tiny_http::Server>,
    moment: Arc<Mutex<Moment>>,
    thread: Option<JoinHandle<()>>,
}

impl Fleet {
    /// Serves `story` on 127.0.0.1, from its first round, on a background thread.
    pub fn start(story: Arc<Story>) -> Result<Fleet> {
        let listener =
            TcpListener::bind("127.0.0.1:0").context("cannot start the demo fleet on 127.0.0.1")?;
        // tiny_http writes an answer in pieces, and Nagle's algorithm holds each piece after
        // the first until the client's delayed ACK (40 ms on Linux): a round took a quarter of
        // a second. Accepted sockets inherit TCP_NODELAY from the listener (Linux, the BSDs).
        rustix::net::sockopt::set_tcp_nodelay(&listener, true)
            .context("cannot set TCP_NODELAY on the demo fleet's socket")?;
        let port = listener.local_addr()?.port();
        let server = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| anyhow!("cannot start the demo fleet on 127.0.0.1: {e}"))?;
        let server = Arc::new(server);
        let moment = Arc::new(Mutex::new(Moment { round: 0, at: 0 }));
        let thread = {
            let (server, moment) = (Arc::clone(&server), Arc::clone(&moment));
            thread::Builder::new()
                .name("demo-fleet".into())
                .spawn(move || serve(&server, &story, &moment))
                .context("cannot start the demo fleet's thread")?
        };
        Ok(Fleet {
            base: format!("http://127.0.0.1:{port}"),
            server,
            moment,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// From now on, answer as in round `round`, at `at` (Unix seconds) by the demo's clock.
    pub fn set_round(&self, round: usize, at: i64) {
        *self.moment.lock().unwrap_or_else(PoisonError::into_inner) = Moment { round, at };
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers every request, one after the other: each takes microseconds.
fn serve(server: &tiny_http::Server, story: &Story, moment: &Mutex<Moment>) {
    // PHP says text/html whatever it prints.
    let html = tiny_http::Header::from_bytes("Content-Type", "text/html; charset=UTF-8").ok();
    for request in server.incoming_requests() {
        let now = *moment.lock().unwrap_or_else(PoisonError::into_inner);
        let reply = answer(story, request.url(), now.round, now.at, sign::now_unix());
        let mut response =
            tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
        if let Some(header) = &html {
            response.add_header(header.clone());
        }
        // A client that went away is its own problem.
        let _ = request.respond(response);
    }
}

/// What the fleet answers to `target` (path and query) in round `round`, at `at` by the demo's
/// clock, when this machine's clock says `now` (signatures are checked against it).
fn answer(story: &Story, target: &str, round: usize, at: i64, now: u64) -> Reply {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query = parse_query(query);
    if path == super::manager_path(story.manager.name) {
        return manager(story, &query, round, at);
    }
    let Some(site) = story.sites.iter().find(|s| {
        let own = match s.script_token {
            Some(_) => super::observer_path(s.name),
            None => super::site_path(s.name),
        };
        own == path
    }) else {
        return Reply::not_found();
    };
    if let Some(token) = &site.script_token
        && let Some(refused) = webobserver_refusal(token, &query, now)
    {
        return Reply::ok(refused);
    }
    reply(site.answers.at(round), at)
}

/// Why WebObserver refuses the request, if it does.
fn webobserver_refusal(
    token: &str,
    query: &HashMap<String, String>,
    now: u64,
) -> Option<&'static str> {
    let (Some(hash), Some(time)) = (query.get("hash"), query.get("time")) else {
        return Some(documents::MISSING_PARAMETER);
    };
    let valid = time
        .parse::<u64>()
        .is_ok_and(|t| t.abs_diff(now) <= CLOCK_WINDOW && sign::signature(token, t) == *hash);
    (!valid).then_some(documents::INVALID_HASH)
}

/// The server-manager script: its document, or one of its two actions.
fn manager(story: &Story, query: &HashMap<String, String>, round: usize, at: i64) -> Reply {
    let m = &story.manager;
    let signed = || match (query.get("hash"), query.get("time")) {
        (Some(hash), Some(time)) => match time.parse::<u64>() {
            Ok(t) if sign::signature(&m.token, t) == *hash => None,
            _ => Some(Reply::ok(documents::INVALID_HASH)),
        },
        _ => Some(Reply::ok(documents::MISSING_PARAMETER)),
    };
    match query.get("action").map(String::as_str) {
        Some("get-all-instance") => {
            if let Some(refused) = signed() {
                return refused;
            }
            let names: Vec<&str> = m.folders.iter().map(|(name, _)| *name).collect();
            Reply::ok(Value::from(names).to_string())
        }
        Some("get-info-instance") => {
            let Some(name) = query.get("instance_name").filter(|n| !n.is_empty()) else {
                return Reply::ok("Missing instance name");
            };
            if let Some(refused) = signed() {
                return refused;
            }
            match m.folders.iter().find(|(folder, _)| folder == name) {
                Some((_, answers)) => reply(answers.at(round), at),
                None => Reply::ok(documents::wrong_instance_path(name)),
            }
        }
        // Without an action (or with one it does not know), the script describes its server.
        _ => {
            let mut doc = m.server.clone();
            let (used, total) = story.disk(round);
            let percent = (used as f64 * 100.0 / total.max(1) as f64).round() as u64;
            for (key, value) in [
                ("bytes_used", used),
                ("bytes_left", total - used),
                ("percent_used", percent),
                ("percent_left", 100 - percent.min(100)),
            ] {
                if let Some(slot) = doc.pointer_mut(&format!("/space/{key}")) {
                    *slot = value.into();
                }
            }
            Reply::ok(doc.to_string())
        }
    }
}

/// `answer` as sent at `at`.
fn reply(answer: &Answer, at: i64) -> Reply {
    match answer {
        Answer::Dolibarr { doc, login_lag } => {
            let mut doc = doc.clone();
            if let Some(slot) = doc.pointer_mut("/user/date_last_login") {
                *slot = last_login(at - login_lag);
            }
            Reply::ok(doc.to_string())
        }
        Answer::Plain(status, body) => Reply {
            status: *status,
            body: body.clone(),
        },
    }
}

/// `2026-11-23 17:42:08`, as Dolibarr writes a date (UTC here).
fn last_login(at: i64) -> Value {
    match jiff::Timestamp::from_second(at) {
        Ok(t) => Value::from(t.strftime("%Y-%m-%d %H:%M:%S").to_string()),
        Err(_) => Value::Null,
    }
}

/// The query's parameters, decoded as PHP's `$_GET` does (`+` is a space).
fn parse_query(query: &str) -> HashMap<String, String> {
    let decode = |text: &str| {
        percent_decode_str(&text.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_764_000_000;

    fn signed(path: &str, token: &str, time: u64) -> String {
        sign::with_query(
            path,
            &[
                ("hash", &sign::signature(token, time)),
                ("time", &time.to_string()),
            ],
        )
    }

    fn martin(story: &Story) -> (String, String) {
        let site = &story.sites[0];
        assert_eq!(site.name, "boulangerie-martin");
        (
            super::super::observer_path(site.name),
            site.script_token.clone().expect("a token"),
        )
    }

    #[test]
    fn webobserver_checks_the_hash_and_the_clock() {
        let story = Story::new().expect("story");
        let (path, token) = martin(&story);
        let ok = answer(&story, &signed(&path, &token, NOW - 180), 0, 0, NOW);
        let doc: Value = serde_json::from_str(&ok.body).expect("a document");
        assert_eq!(doc["dolibarr"]["version"], "18.0.4");

        let refused = |target: &str| answer(&story, target, 0, 0, NOW).body;
        assert_eq!(refused(&path), "Missing parameter");
        assert_eq!(refused(&signed(&path, &token, NOW - 181)), "Invalid hash");
        assert_eq!(refused(&signed(&path, &token, NOW + 181)), "Invalid hash");
        assert_eq!(refused(&signed(&path, "another", NOW)), "Invalid hash");
        assert_eq!(refused("/nowhere/"), "<h1>Not Found</h1>\n");
    }

    #[test]
    fn the_manager_lists_its_folders_and_answers_each() {
        let story = Story::new().expect("story");
        let path = super::super::manager_path("srv1");
        let token = story.manager.token.clone();
        let get = |pairs: &[(&str, &str)], round: usize| {
            let target = sign::with_query(&path, pairs);
            answer(&story, &signed(&target, &token, NOW), round, 0, NOW).body
        };
        let server: Value =
            serde_json::from_str(&answer(&story, &path, 0, 0, NOW).body).expect("server doc");
        assert_eq!(server["space"]["percent_used"], 78);
        assert_eq!(
            get(&[("action", "get-all-instance")], 0),
            r#"["cabinet-durand","garage-lefebvre","old-demo"]"#
        );
        let durand = |round| -> Value {
            let pairs = [
                ("action", "get-info-instance"),
                ("instance_name", "cabinet-durand"),
            ];
            serde_json::from_str(&get(&pairs, round)).expect("a document")
        };
        assert!(durand(0)["module"].get("modTicket").is_none());
        assert_eq!(
            durand(super::super::NEW_MODULE)["module"]["modTicket"]["active"],
            true
        );
        assert!(
            get(
                &[
                    ("action", "get-info-instance"),
                    ("instance_name", "old-demo")
                ],
                0
            )
            .starts_with("Wrong instance path : ")
        );
        // The name is checked before the signature, as the real script does.
        let unsigned = sign::with_query(&path, &[("action", "get-info-instance")]);
        assert_eq!(
            answer(&story, &unsigned, 0, 0, NOW).body,
            "Missing instance name"
        );
        let wrong = sign::with_query(&path, &[("action", "get-all-instance")]);
        assert_eq!(
            answer(&story, &signed(&wrong, "another", NOW), 0, 0, NOW).body,
            "Invalid hash"
        );
    }

    #[test]
    fn queries_are_decoded_as_php_does() {
        let q = parse_query("instance_name=a%20b%26c+d&time=1");
        assert_eq!(q["instance_name"], "a b&c d");
        assert_eq!(q["time"], "1");
    }
}
