//! The push receiver: one push in, one short answer out. `webhost receive` runs it as a CGI
//! program, `webhost serve` in a small HTTP server (`http`); both call `handle`.
//!
//! A push is checked (query, clock window, the record, its signature, replay) before its body
//! is read as a document, and stored through the pass's writer, so a pushed reading makes the
//! same history row, inventory changes and alerts a polled one does.

pub mod http;

use std::time::Duration;

use anyhow::Result;

use crate::domain::config::{self, AlertOptions, Hooks};
use crate::domain::model::{ApiKind, RecordKey, RecordType};
use crate::domain::pass::CheckResult;
use crate::domain::push::{self, Refusal};
use crate::poll::hooks::{self, Delivering};
use crate::poll::writer;
use crate::probe;
use crate::probe::sign;
use crate::store::Store;

/// One push as the web server handed it over.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    pub query: &'a str,
    pub body: &'a [u8],
}

/// What the sender gets (`status`, one line of `text`) and what the log gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub log: String,
    /// The push raised alerts: the hooks should run once the sender has its answer.
    pub alerts: bool,
}

impl Reply {
    fn refused(refusal: &Refusal) -> Reply {
        Reply {
            status: refusal.status(),
            text: refusal.answer(),
            log: refusal.log(),
            alerts: false,
        }
    }
}

/// The change hook and policy in force for pushes: the stored settings (`config set`).
pub fn stored_hooks(store: &Store) -> Result<Option<Hooks>> {
    config::hooks(&AlertOptions::default(), &store.config_list()?)
}

/// Checks and stores one push at `now`.
pub fn handle(store: &mut Store, request: &Request, now: i64, hooks: Option<&Hooks>) -> Reply {
    match accept(store, request, now, hooks) {
        Ok(reply) => reply,
        Err(refusal) => Reply::refused(&refusal),
    }
}

fn accept(
    store: &mut Store,
    request: &Request,
    now: i64,
    hooks: Option<&Hooks>,
) -> Result<Reply, Refusal> {
    if request.method != "POST" {
        return Err(Refusal::Method(request.method.chars().take(16).collect()));
    }
    let query = push::parse_query(request.query)?;
    // Before the record is looked up: a wrong clock answers the same for any ref.
    push::check_time(query.time, now)?;
    let who = match (&query.reference, query.id) {
        // The sender's text: bounded and escaped before it reaches a log line.
        (Some(r), _) => format!(
            "ref '{}'",
            r.chars().take(100).collect::<String>().escape_debug()
        ),
        (None, Some(id)) => format!("id {id}"),
        (None, None) => "no ref".into(),
    };
    let unavailable = |e: anyhow::Error| Refusal::Unavailable(format!("{e:#}"));
    let (record, last_time) = store
        .push_target(query.id, query.reference.as_deref())
        .map_err(unavailable)?
        .ok_or_else(|| Refusal::Unknown(who.clone()))?;
    let s = &record.settings;
    if s.kind != ApiKind::ServerObserverV1 || !s.enabled {
        let why = match s.enabled {
            false => "monitoring is off",
            true => "not a server-observer-v1 instance",
        };
        return Err(Refusal::Unknown(format!("{who} ({why})")));
    }
    let Some(token) = s.token.as_deref() else {
        return Err(Refusal::BadSignature(format!("{who} (it has no token)")));
    };
    let time = u64::try_from(query.time).unwrap_or(0);
    if !sign::signature(token, time).eq_ignore_ascii_case(&query.hash) {
        return Err(Refusal::BadSignature(who));
    }
    push::check_replay(query.time, last_time)?;
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return Err(Refusal::Body(
            "empty body: POST the instance document".into(),
        ));
    }
    let reading = probe::read_push(request.body, &[token, &query.hash])
        .map_err(|why| Refusal::Body(why.lines().next().unwrap_or("").to_string()))?;
    let key = RecordKey {
        record_type: RecordType::Instance,
        id: record.id,
    };
    let result = CheckResult::new(key, now, reading, None);
    let stored = writer::write_push(store, &result, query.time, hooks).map_err(unavailable)?;
    let Some(stored) = stored else {
        // Another copy of this push was stored first.
        return Err(Refusal::Replay {
            time: query.time,
            last: query.time,
        });
    };
    Ok(Reply {
        status: 200,
        text: "OK".into(),
        log: format!(
            "accepted a push for instance '{}': {}",
            s.reference, stored.status
        ),
        alerts: !stored.events.is_empty(),
    })
}

/// Runs the hooks of alerts waiting in the store (this push's, or older ones that failed).
pub fn deliver_alerts(store: &mut Store, now: i64, timeout: Duration) -> Result<()> {
    let stored = store.config_list()?;
    hooks::deliver(
        store,
        &Delivering {
            timeout,
            batch: config::hook_batch(&stored),
            owner: format!("receive {}", std::process::id()),
            now,
        },
    )?;
    Ok(())
}

/// For `update-instances`: every enabled push record silent for longer than its grace is
/// stored offline ("no push for 17m"), with alerts as for any change. Returns how many.
pub fn check_freshness(store: &mut Store, now: i64, hooks: Option<&Hooks>) -> Result<usize> {
    let filter = crate::domain::query::Filter {
        enabled: Some(true),
        push: Some(true),
        ..Default::default()
    };
    let overdue: Vec<CheckResult> = store
        .list(RecordType::Instance, &filter)?
        .into_iter()
        .filter_map(|r| {
            let grace = r.settings.push_grace.unwrap_or(push::DEFAULT_GRACE_S);
            let message = push::overdue(r.state.last_push_at, r.created_at, grace, now)?;
            let key = RecordKey {
                record_type: RecordType::Instance,
                id: r.id,
            };
            let reading =
                crate::domain::model::Reading::new(crate::domain::model::Status::Offline, message);
            Some(CheckResult::new(key, now, reading, None))
        })
        .collect();
    for chunk in overdue.chunks(128) {
        writer::write(store, chunk, hooks, None)?;
    }
    Ok(overdue.len())
}
