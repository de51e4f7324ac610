//! Pushes from WebObserver (`callWebHost`): what a request must carry, the time rules that
//! stop a replay, what a refusal answers, and when a pushed record has gone quiet.
//!
//! `POST URL?action=set-info-instance-dolibarr&hash=md5(token . time)&time=T
//! &api_observer_type=webobserver_v1[&id=N][&ref=R]`, body the instance document encoded with
//! PHP's `JSON_FORCE_OBJECT` (every array an object keyed "0", "1", …).

use serde_json::Value;

use super::units::{human_duration, span};

/// The action WebObserver's push names.
pub const ACTION: &str = "set-info-instance-dolibarr";
/// How far the sender's `time` may be from the receiver's clock, as WebObserver's pull API.
pub const WINDOW_S: i64 = 180;
/// A push record with no push for longer than this is offline (`--push-grace`).
pub const DEFAULT_GRACE_S: i64 = 300;

/// What a push request says about itself, from its query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushQuery {
    pub hash: String,
    pub time: i64,
    pub id: Option<i64>,
    pub reference: Option<String>,
}

/// Why a push is refused. The client gets `answer()`; the log gets `log()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a push at all, or one missing what it needs.
    BadRequest(String),
    /// Not a POST.
    Method(String),
    TooLarge {
        limit: u64,
    },
    /// `time` outside the window.
    Clock {
        skew_s: i64,
    },
    /// No instance by that ref or id, or not one that takes pushes.
    Unknown(String),
    BadSignature(String),
    /// `time` not after the last accepted push's.
    Replay {
        time: i64,
        last: i64,
    },
    /// The body is not an instance document.
    Body(String),
    /// webhost could not store it (the database): the sender should try again later.
    Unavailable(String),
}

impl Refusal {
    /// The HTTP status for the client.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::BadRequest(_) | Refusal::Body(_) => 400,
            Refusal::Method(_) => 405,
            Refusal::TooLarge { .. } => 413,
            // An unknown ref answers as a bad signature does: a client learns nothing of
            // which refs exist.
            Refusal::Clock { .. }
            | Refusal::Unknown(_)
            | Refusal::BadSignature(_)
            | Refusal::Replay { .. } => 403,
            Refusal::Unavailable(_) => 503,
        }
    }

    /// The one line the client gets (the sender keeps it as its cron output).
    pub fn answer(&self) -> String {
        match self {
            Refusal::BadRequest(why) | Refusal::Body(why) => format!("bad request: {why}"),
            Refusal::Method(_) => "method not allowed: POST a push".into(),
            Refusal::TooLarge { limit } => {
                format!("too large: at most {} bytes", limit)
            }
            Refusal::Clock { skew_s } => format!(
                "refused: time is {} {} this receiver's clock (at most {WINDOW_S} s): check the clocks",
                human_duration(std::time::Duration::from_secs(skew_s.unsigned_abs())),
                if *skew_s > 0 { "ahead of" } else { "behind" }
            ),
            Refusal::Unknown(_) | Refusal::BadSignature(_) => {
                "refused: unknown instance or bad signature (check WEBOBSERVER_TOKEN and the instance ref or id)".into()
            }
            Refusal::Replay { .. } => {
                "refused: replay (time not after the last accepted push)".into()
            }
            Refusal::Unavailable(_) => "unavailable: try again later".into(),
        }
    }

    /// The line for the receiver's log: the real reason, never a token or hash.
    pub fn log(&self) -> String {
        match self {
            Refusal::Unknown(who) => format!("refused: no push instance {who}"),
            Refusal::BadSignature(who) => format!("refused: bad signature for {who}"),
            Refusal::Replay { time, last } => {
                format!("refused: replay, time {time} not after the last accepted {last}")
            }
            Refusal::Unavailable(why) => format!("unavailable: {why}"),
            Refusal::Method(method) => format!("refused: method {}", method.escape_debug()),
            other => other.answer(),
        }
    }
}

/// Reads a push's query string (already split from the URL).
pub fn parse_query(query: &str) -> Result<PushQuery, Refusal> {
    let mut action = None;
    let (mut hash, mut time, mut id, mut reference) = (None, None, None, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value)
            .ok_or_else(|| Refusal::BadRequest(format!("'{key}' is not valid URL encoding")))?;
        match key {
            "action" => action = Some(value),
            "hash" => hash = Some(value),
            "time" => time = Some(value),
            "id" => id = Some(value),
            "ref" => reference = Some(value),
            _ => {}
        }
    }
    match action.as_deref() {
        Some(ACTION) => {}
        Some(_) | None => {
            return Err(Refusal::BadRequest(format!("action must be {ACTION}")));
        }
    }
    let hash = hash
        .filter(|h| !h.is_empty())
        .ok_or_else(|| Refusal::BadRequest("no hash".into()))?;
    let time = time
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or_else(|| Refusal::BadRequest("no time, or not a number".into()))?;
    let id = match id.filter(|i| !i.is_empty()) {
        Some(i) => Some(
            i.parse::<i64>()
                .map_err(|_| Refusal::BadRequest("id is not a number".into()))?,
        ),
        None => None,
    };
    let reference = reference.filter(|r| !r.is_empty());
    if id.is_none() && reference.is_none() {
        return Err(Refusal::BadRequest(
            "no ref and no id: set WEBOBSERVER_INSTANCE_REF or WEBOBSERVER_INSTANCE_ID".into(),
        ));
    }
    Ok(PushQuery {
        hash,
        time,
        id,
        reference,
    })
}

/// The sender's `time` against the receiver's clock.
pub fn check_time(time: i64, now: i64) -> Result<(), Refusal> {
    let skew_s = time.saturating_sub(now);
    match skew_s.abs() <= WINDOW_S {
        true => Ok(()),
        false => Err(Refusal::Clock { skew_s }),
    }
}

/// A push must be newer than the last one accepted for its record: the same signed URL sent
/// again (or an older one) is a replay.
pub fn check_replay(time: i64, last_accepted: Option<i64>) -> Result<(), Refusal> {
    match last_accepted {
        Some(last) if time <= last => Err(Refusal::Replay { time, last }),
        _ => Ok(()),
    }
}

/// Undoes PHP's `JSON_FORCE_OBJECT`: an object whose keys are exactly "0", "1", … "n-1" was
/// an array. `{}` stays an object (it was `[]` or `{}`: the parsers take either as empty).
pub fn undo_force_object(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(undo_force_object),
        Value::Object(map) => {
            map.values_mut().for_each(undo_force_object);
            // The keys may come in any order ("10" sorts before "2").
            let mut indexed: Vec<(usize, Value)> = Vec::with_capacity(map.len());
            for (key, item) in map.iter() {
                match key.parse::<usize>() {
                    Ok(i) if key == &i.to_string() => indexed.push((i, item.clone())),
                    _ => return,
                }
            }
            indexed.sort_by_key(|(i, _)| *i);
            let dense = indexed.iter().enumerate().all(|(at, (i, _))| at == *i);
            if dense && !indexed.is_empty() {
                *value = Value::Array(indexed.into_iter().map(|(_, v)| v).collect());
            }
        }
        _ => {}
    }
}

/// What PHP's `json_encode($doc, JSON_FORCE_OBJECT)` makes of a document, every array an
/// object keyed "0", "1", …: how WebObserver sends it (for tests and benchmarks of the
/// receiver; `undo_force_object` is its inverse for every non-empty array).
pub fn force_object(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Object(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), force_object(v)))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), force_object(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// When a push record has gone quiet: its message, or None while it is within its grace.
/// `since` is its last accepted push, else when it was added (a record that never pushed is
/// given its grace from then).
pub fn overdue(last_push_at: Option<i64>, added_at: i64, grace_s: i64, now: i64) -> Option<String> {
    let since = last_push_at.unwrap_or(added_at);
    let quiet = now.saturating_sub(since);
    if quiet <= grace_s {
        return None;
    }
    let quiet = span(quiet);
    Some(match last_push_at {
        Some(_) => format!("no push for {quiet}"),
        None => format!("no push yet, {quiet} after it was added"),
    })
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
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
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const QUERY: &str = "action=set-info-instance-dolibarr&hash=a45c23550ec050e1a7bd5b16a0909ee7\
        &time=1796186789&api_observer_type=webobserver_v1&id=42&ref=boulangerie-martin";

    #[test]
    fn the_real_push_query_is_read() {
        let q = parse_query(QUERY).expect("valid");
        assert_eq!(q.time, 1_796_186_789);
        assert_eq!(q.id, Some(42));
        assert_eq!(q.reference.as_deref(), Some("boulangerie-martin"));
        assert_eq!(q.hash, "a45c23550ec050e1a7bd5b16a0909ee7");
        let q = parse_query("action=set-info-instance-dolibarr&hash=h&time=1&ref=caf%C3%A9+bar")
            .expect("valid");
        assert_eq!(q.reference.as_deref(), Some("café bar"));
    }

    #[test]
    fn a_query_missing_a_part_is_a_bad_request() {
        for (query, why) in [
            ("", "action must be"),
            ("action=get&hash=h&time=1&id=1", "action must be"),
            ("action=set-info-instance-dolibarr&time=1&id=1", "no hash"),
            (
                "action=set-info-instance-dolibarr&hash=h&time=soon&id=1",
                "no time",
            ),
            (
                "action=set-info-instance-dolibarr&hash=h&time=1",
                "no ref and no id",
            ),
            (
                "action=set-info-instance-dolibarr&hash=h&time=1&id=x",
                "id is not",
            ),
            (
                "action=set-info-instance-dolibarr&hash=h&time=1&ref=%zz",
                "URL encoding",
            ),
        ] {
            let refusal = parse_query(query).expect_err(query);
            assert_eq!(refusal.status(), 400, "{query}");
            assert!(
                refusal.answer().contains(why),
                "{query}: {}",
                refusal.answer()
            );
        }
    }

    #[test]
    fn time_window_and_replay() {
        assert_eq!(check_time(1000, 1180), Ok(()));
        assert_eq!(check_time(1000, 820), Ok(()));
        let late = check_time(1000, 1181).expect_err("outside");
        assert_eq!(late.status(), 403);
        assert!(late.answer().contains("behind"), "{}", late.answer());
        assert!(
            check_time(2000, 1000)
                .expect_err("ahead")
                .answer()
                .contains("ahead")
        );
        assert_eq!(check_replay(5, None), Ok(()));
        assert_eq!(check_replay(6, Some(5)), Ok(()));
        assert_eq!(
            check_replay(5, Some(5)),
            Err(Refusal::Replay { time: 5, last: 5 })
        );
        assert!(check_replay(4, Some(5)).is_err());
    }

    #[test]
    fn an_unknown_ref_answers_as_a_bad_signature_but_logs_apart() {
        let unknown = Refusal::Unknown("ref 'x'".into());
        let forged = Refusal::BadSignature("ref 'shop'".into());
        assert_eq!(unknown.answer(), forged.answer());
        assert_eq!(unknown.status(), forged.status());
        assert_ne!(unknown.log(), forged.log());
    }

    #[test]
    fn force_object_is_undone_but_objects_stay() {
        let mut doc = json!({
            "module": {"modA": {"active": "1"}},
            "server_info": {"0": {"mount": "/"}, "1": {"mount": "/home"}},
            "nested": {"0": {"0": "a", "1": "b"}},
            "gap": {"0": "x", "2": "y"},
            "empty": {},
            "eleven": (0..11).map(|i| (i.to_string(), json!(i))).collect::<serde_json::Map<_, _>>(),
        });
        undo_force_object(&mut doc);
        assert_eq!(
            doc,
            json!({
                "module": {"modA": {"active": "1"}},
                "server_info": [{"mount": "/"}, {"mount": "/home"}],
                "nested": [["a", "b"]],
                "gap": {"0": "x", "2": "y"},
                "empty": {},
                "eleven": (0..11).collect::<Vec<_>>(),
            })
        );
    }

    #[test]
    fn a_record_is_overdue_after_its_grace() {
        assert_eq!(overdue(Some(1000), 0, 300, 1300), None);
        assert_eq!(
            overdue(Some(1000), 0, 300, 1000 + 17 * 60).as_deref(),
            Some("no push for 17m")
        );
        assert_eq!(overdue(None, 1000, 300, 1200), None);
        assert!(
            overdue(None, 1000, 300, 2000)
                .expect("overdue")
                .starts_with("no push yet")
        );
    }
}
