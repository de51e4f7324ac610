//! When a status change deserves an alert: thresholds against flapping, and reminders.
//! Pure decisions; the store keeps the counters and the last status alerted.

use std::time::Duration;

use serde::Serialize;

use crate::model::{RecordType, Status};

/// How eager alerts are (`--failure-threshold`, `--success-threshold`, `--remind-every`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Consecutive failed checks before a record is reported down.
    pub failure_threshold: u32,
    /// Consecutive good checks before a record is reported back up.
    pub success_threshold: u32,
    /// Re-send while a record stays down.
    pub remind_every: Option<Duration>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            failure_threshold: 1,
            success_threshold: 1,
            remind_every: None,
        }
    }
}

/// What the store knows of one record right after its check was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub status: Status,
    /// The status last alerted (None: never).
    pub alerted: Option<Status>,
    pub alerted_at: Option<i64>,
    pub failures: i64,
    pub successes: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Nothing to send, nothing to remember.
    Nothing,
    /// Remember `status` as alerted without sending (a first check that finds it online).
    Baseline,
    /// Send a change from `from` to the current status.
    Change { from: Status },
    /// Send a reminder: still down.
    Reminder,
}

pub fn decide(f: &Facts, p: &Policy, now: i64) -> Decision {
    let alerted = f.alerted.unwrap_or(Status::Unknown);
    match f.status {
        Status::Unknown => Decision::Nothing,
        Status::Online if alerted == Status::Online => Decision::Nothing,
        // Coming up from "never seen" is where monitoring starts, not news.
        Status::Online if alerted == Status::Unknown => Decision::Baseline,
        Status::Online => {
            if f.successes >= i64::from(p.success_threshold) {
                Decision::Change { from: alerted }
            } else {
                Decision::Nothing
            }
        }
        down if alerted != down => {
            if f.failures >= i64::from(p.failure_threshold) {
                Decision::Change { from: alerted }
            } else {
                Decision::Nothing
            }
        }
        _ => match (p.remind_every, f.alerted_at) {
            (Some(every), Some(at)) if now - at >= every.as_secs() as i64 => Decision::Reminder,
            _ => Decision::Nothing,
        },
    }
}

/// One alert to hand to the `--on-change` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    #[serde(rename = "ref")]
    pub reference: String,
    pub kind: RecordType,
    pub from: Status,
    pub to: Status,
    pub message: String,
    /// RFC 3339 UTC.
    pub at: String,
    /// The record's URL, without any secret.
    pub url: Option<String>,
    /// True when this repeats an earlier alert (`--remind-every`).
    pub reminder: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::{Offline, Online};

    fn facts(status: Status, alerted: Option<Status>, failures: i64, successes: i64) -> Facts {
        Facts {
            status,
            alerted,
            alerted_at: Some(0),
            failures,
            successes,
        }
    }

    #[test]
    fn thresholds_hold_back_flapping() {
        let p = Policy {
            failure_threshold: 3,
            success_threshold: 2,
            remind_every: None,
        };
        assert_eq!(
            decide(&facts(Offline, Some(Online), 2, 0), &p, 10),
            Decision::Nothing
        );
        assert_eq!(
            decide(&facts(Offline, Some(Online), 3, 0), &p, 10),
            Decision::Change { from: Online }
        );
        assert_eq!(
            decide(&facts(Online, Some(Offline), 0, 1), &p, 10),
            Decision::Nothing
        );
        assert_eq!(
            decide(&facts(Online, Some(Offline), 0, 2), &p, 10),
            Decision::Change { from: Offline }
        );
    }

    #[test]
    fn first_sight_and_reminders() {
        let p = Policy {
            remind_every: Some(Duration::from_secs(3600)),
            ..Policy::default()
        };
        assert_eq!(
            decide(&facts(Online, None, 0, 1), &p, 10),
            Decision::Baseline
        );
        assert_eq!(
            decide(&facts(Offline, None, 1, 0), &p, 10),
            Decision::Change {
                from: Status::Unknown
            }
        );
        assert_eq!(
            decide(&facts(Offline, Some(Offline), 5, 0), &p, 3599),
            Decision::Nothing
        );
        assert_eq!(
            decide(&facts(Offline, Some(Offline), 5, 0), &p, 3600),
            Decision::Reminder
        );
        assert_eq!(
            decide(&facts(Online, Some(Online), 0, 9), &p, 99_999),
            Decision::Nothing
        );
    }
}
