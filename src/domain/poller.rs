//! Several pollers of one database: their names, which of them count, and the quorum that
//! decides a record's status from their latest views of it.

use crate::domain::model::{Reading, Status};

/// The longest name a poller may have.
const MAX_NAME: usize = 64;

/// How long a poller counts after its last pass: the quorum's "seen in the last hour", and
/// after which `status` calls it stale.
pub const SEEN_WITHIN: i64 = 3600;

/// A poller's name: letters, digits, `.`, `-`, `_` (a host name fits), 1 to 64 of them.
pub fn parse_name(text: &str) -> Result<String, String> {
    if text.is_empty() || text.len() > MAX_NAME {
        return Err(format!("a poller name has 1 to {MAX_NAME} characters"));
    }
    match text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        Some(c) => Err(format!(
            "'{}' is not allowed in a poller name (letters, digits, '.', '-', '_')",
            c.escape_default()
        )),
        None => Ok(text.to_owned()),
    }
}

/// How the pollers of one database share the fleet (`config set poller-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Every poller checks every record: several points of view, and a quorum on "down".
    #[default]
    All,
    /// Each record is checked by one poller a pass, whichever claims it first.
    Share,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::All => "all",
            Mode::Share => "share",
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "all" => Ok(Mode::All),
            "share" => Ok(Mode::Share),
            other => Err(format!("poller mode '{other}' is not 'all' or 'share'")),
        }
    }
}

/// A poller's latest view of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub poller: String,
    pub at: i64,
    pub status: Status,
    pub message: Option<String>,
}

/// How many pollers must see a record down: the setting, else a majority of those counted.
pub fn quorum(setting: Option<u32>, counted: usize) -> usize {
    match setting {
        Some(k) => (k as usize).max(1),
        None => counted / 2 + 1,
    }
}

/// The reading a record's state follows, given this poller's own and the latest views of the
/// other counted pollers: down only when at least `k` of the views (this one included) are
/// down, else online with a note naming who saw it down. None: the own reading stands.
///
/// Only offline and error are voted on (and an unreachable view counts as down): `missing`
/// is what a host's list says, the same from anywhere.
pub fn decide(own: &Reading, poller: &str, others: &[View], k: usize) -> Option<Reading> {
    let voted = |s: Status| matches!(s, Status::Offline | Status::Error | Status::Unreachable);
    if others.is_empty() || own.status == Status::Missing {
        return None;
    }
    let mut down: Vec<(&str, Status, Option<&str>)> = others
        .iter()
        .filter(|v| v.poller != poller && voted(v.status))
        .map(|v| (v.poller.as_str(), v.status, v.message.as_deref()))
        .collect();
    let own_down = voted(own.status);
    if own_down {
        down.push((poller, own.status, Some(own.message.as_str())));
    }
    down.sort_by(|a, b| a.0.cmp(b.0));
    let names = down.iter().map(|d| d.0).collect::<Vec<_>>().join(", ");
    if down.len() >= k {
        if own_down {
            return None;
        }
        // This poller got an answer, but enough others did not: down, as they saw it.
        let (_, status, message) = down[0];
        let mut reading = own.clone();
        reading.status = status;
        reading.message = format!(
            "{} from {names}{}",
            status.as_str(),
            message.map(|m| format!(": {m}")).unwrap_or_default()
        );
        return Some(reading);
    }
    if down.is_empty() {
        return None;
    }
    // Too few saw it down to say so: it is up, with a note.
    let mut reading = own.clone();
    let note = format!("down from {names} only");
    if own_down {
        reading.status = Status::Online;
        reading.message = note;
    } else if own.message.is_empty() {
        reading.message = note;
    } else {
        reading.message = format!("{} ({note})", own.message);
    }
    Some(reading)
}

/// A poller as `status` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PollerInfo {
    pub name: String,
    /// When its last pass started, and of which kind.
    pub last_pass_at: i64,
    pub last_pass_kind: String,
    /// Its last pass found its own network down (every check failed to connect).
    pub offline: bool,
    /// No pass for longer than `SEEN_WITHIN`.
    pub stale: bool,
}

pub fn is_stale(last_pass_at: i64, now: i64) -> bool {
    now - last_pass_at > SEEN_WITHIN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(p: &str, status: Status) -> View {
        View {
            poller: p.into(),
            at: 0,
            status,
            message: Some("connection refused".into()),
        }
    }

    #[test]
    fn names_are_host_names() {
        assert_eq!(
            parse_name("poller-b.example").as_deref(),
            Ok("poller-b.example")
        );
        assert!(parse_name("").is_err());
        assert!(parse_name("a b").is_err());
        assert!(parse_name("a\u{1b}[31m").is_err());
        assert!(parse_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn the_default_quorum_is_a_majority() {
        assert_eq!(quorum(None, 1), 1);
        assert_eq!(quorum(None, 2), 2);
        assert_eq!(quorum(None, 3), 2);
        assert_eq!(quorum(Some(1), 3), 1);
        assert_eq!(quorum(Some(0), 3), 1);
    }

    #[test]
    fn one_poller_down_of_three_is_a_note() {
        let down = Reading::new(Status::Offline, "connection refused");
        let others = [view("a", Status::Online), view("c", Status::Online)];
        let r = decide(&down, "b", &others, 2).expect("overruled");
        assert_eq!(r.status, Status::Online);
        assert_eq!(r.message, "down from b only");
        // Seen from a, which got an answer, with b's view stored.
        let up = Reading::new(Status::Online, "HTTP 200");
        let others = [view("b", Status::Offline), view("c", Status::Online)];
        let r = decide(&up, "a", &others, 2).expect("noted");
        assert_eq!(r.status, Status::Online);
        assert_eq!(r.message, "HTTP 200 (down from b only)");
    }

    #[test]
    fn a_quorum_down_is_down_even_from_a_poller_that_got_an_answer() {
        let up = Reading::new(Status::Online, "HTTP 200");
        let others = [view("b", Status::Offline), view("c", Status::Offline)];
        let r = decide(&up, "a", &others, 2).expect("overruled");
        assert_eq!(r.status, Status::Offline);
        assert_eq!(r.message, "offline from b, c: connection refused");
        let down = Reading::new(Status::Offline, "timeout");
        assert_eq!(
            decide(&down, "a", &others, 2),
            None,
            "its own reading stands"
        );
    }

    #[test]
    fn alone_or_all_up_the_reading_stands() {
        let down = Reading::new(Status::Offline, "timeout");
        assert_eq!(decide(&down, "a", &[], 1), None);
        let up = Reading::new(Status::Online, "HTTP 200");
        assert_eq!(decide(&up, "a", &[view("b", Status::Online)], 2), None);
    }
}
