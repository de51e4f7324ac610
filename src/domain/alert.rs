//! When a status change deserves an alert: thresholds against flapping, and reminders.
//! Pure decisions; the store keeps the counters and the last status alerted between passes.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::model::{Reading, RecordType, State, Status};
use super::secret::redact;
use super::units::{deserialize_rfc3339, serialize_rfc3339};

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
        // Its host's alert speaks for it (see `held_back`).
        Status::Unknown | Status::Unreachable => Decision::Nothing,
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

/// Whether a check's alerting is left alone: in a maintenance window, or unreachable (its host's
/// alert speaks for it). Nothing is sent and the status last alerted stays what it was before,
/// so that the first check after decides against that: back online as before is no news; still
/// down, or come back from a down alerted before, is.
pub fn held_back(status: Status, in_maintenance: bool) -> bool {
    in_maintenance || status == Status::Unreachable
}

/// An instance's host as its last check left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSeen {
    pub reference: String,
    pub status: Status,
    pub checked_at: Option<i64>,
}

/// A host's status older than this is no longer taken for what it is now: a host pass that
/// stopped must not silence its instances for good.
pub const HOST_FRESH_S: i64 = 3600;

/// An instance's failed reading at `at` while its host is down: unreachable, with its own
/// reason and the host's. An instance that answers stays online, and one the server no longer
/// lists stays missing: only an instance that itself failed (offline or error) is put down to
/// its host, and only when the host's last check (in the same pass, or the last host pass, no
/// older than `HOST_FRESH_S`) found it offline or in error.
pub fn through_host(reading: &Reading, host: &HostSeen, at: i64) -> Option<Reading> {
    let failed = matches!(reading.status, Status::Offline | Status::Error);
    let fresh = host.checked_at.is_some_and(|t| at - t <= HOST_FRESH_S);
    let host_down = fresh && matches!(host.status, Status::Offline | Status::Error);
    let host_status = host.status;
    let host = &host.reference;
    let state = match host_status {
        Status::Error => "in error",
        _ => "offline",
    };
    (failed && host_down).then(|| Reading {
        status: Status::Unreachable,
        message: format!("{} (host {host} is {state})", reading.message),
        ..reading.clone()
    })
}

/// A host's alert that it went down names the instances it takes down with it.
pub fn with_instances_down(mut event: Event, instances: u64) -> Event {
    let host_down = event.kind == RecordType::Host
        && matches!(event.to, Status::Offline | Status::Error)
        && !event.from.is_down();
    if host_down && instances > 0 {
        let word = if instances == 1 {
            "instance"
        } else {
            "instances"
        };
        event.message = format!("{} (takes down {instances} {word})", event.message);
        event.instances_down = Some(instances);
    }
    event
}

/// One alert to hand to the `--on-change` command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "ref")]
    pub reference: String,
    pub kind: RecordType,
    pub from: Status,
    pub to: Status,
    pub message: String,
    /// When the check was made (RFC 3339 UTC in JSON).
    #[serde(
        serialize_with = "serialize_rfc3339",
        deserialize_with = "deserialize_rfc3339"
    )]
    pub at: i64,
    /// The record's URL, without any secret.
    pub url: Option<String>,
    /// True when this repeats an earlier alert (`--remind-every`).
    pub reminder: bool,
    /// A host gone down: how many instances on it go down with it (their own alerts are held
    /// back while it is down: they are unreachable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances_down: Option<u64>,
}

/// How many times a hook is tried for one alert before it is given up.
pub const MAX_ATTEMPTS: u32 = 5;

/// An alert waiting for its hook: raised by a pass, not delivered yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: i64,
    pub event: Event,
    /// The hook to run: program then arguments.
    pub command: Vec<String>,
    /// Runs of its hook that failed so far.
    pub attempts: u32,
}

/// One run of a hook: one alert, or (`batched`) many at once as a JSON array.
#[derive(Debug, Clone, PartialEq)]
pub struct HookRun<'a> {
    pub command: &'a [String],
    pub alerts: Vec<&'a Pending>,
    pub batched: bool,
}

/// The runs that deliver `pending`: one per alert, except that the alerts of one hook beyond
/// `batch` at once go in one run, so that an outage of fifty records is one mail, not fifty.
pub fn hook_runs(pending: &[Pending], batch: usize) -> Vec<HookRun<'_>> {
    let mut by_command: Vec<(&[String], Vec<&Pending>)> = Vec::new();
    for p in pending {
        match by_command
            .iter_mut()
            .find(|(c, _)| *c == p.command.as_slice())
        {
            Some((_, list)) => list.push(p),
            None => by_command.push((&p.command, vec![p])),
        }
    }
    let mut runs = Vec::new();
    for (command, alerts) in by_command {
        if alerts.len() > batch {
            runs.push(HookRun {
                command,
                alerts,
                batched: true,
            });
        } else {
            runs.extend(alerts.into_iter().map(|a| HookRun {
                command,
                alerts: vec![a],
                batched: false,
            }));
        }
    }
    runs
}

/// The record an alert is about.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub kind: RecordType,
    pub reference: &'a str,
    /// As stored: redacted here before it goes into an event.
    pub url: Option<&'a str>,
}

/// What a check changed in a record's alerting.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Remember this status as the one last alerted, at the check's time.
    pub remember: Option<Status>,
    /// The alert to send.
    pub event: Option<Event>,
}

/// Decides, for a check at `at` that left the record in `state`, whether to alert and what to
/// remember. `alerted` and `alerted_at` are what was remembered before.
pub fn on_check(
    subject: Subject,
    state: &State,
    alerted: Option<Status>,
    alerted_at: Option<i64>,
    p: &Policy,
    at: i64,
) -> Outcome {
    let status = state.status();
    let facts = Facts {
        status,
        alerted,
        alerted_at,
        failures: state.consecutive_failures,
        successes: state.consecutive_successes,
    };
    let (from, reminder) = match decide(&facts, p, at) {
        Decision::Nothing => {
            return Outcome {
                remember: None,
                event: None,
            };
        }
        Decision::Baseline => (None, false),
        Decision::Change { from } => (Some(from), false),
        Decision::Reminder => (Some(status), true),
    };
    Outcome {
        remember: Some(status),
        event: from.map(|from| Event {
            reference: subject.reference.to_string(),
            kind: subject.kind,
            from,
            to: status,
            message: state.message.clone().unwrap_or_default(),
            at,
            url: subject.url.map(redact),
            reminder,
            instances_down: None,
        }),
    }
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

    #[test]
    fn a_check_remembers_what_it_alerted_and_hides_the_url_password() {
        let subject = Subject {
            kind: RecordType::Instance,
            reference: "shop",
            url: Some("https://u:pw@shop.example/get-data.php"),
        };
        let down = State {
            status: Some(Offline),
            message: Some("connection refused".into()),
            consecutive_failures: 1,
            ..State::default()
        };
        let p = Policy::default();
        let out = on_check(subject, &down, Some(Online), Some(0), &p, 50);
        assert_eq!(out.remember, Some(Offline));
        let event = out.event.expect("an alert");
        assert_eq!((event.from, event.to, event.at), (Online, Offline, 50));
        assert_eq!(event.message, "connection refused");
        assert_eq!(
            event.url.as_deref(),
            Some("https://u:***@shop.example/get-data.php")
        );
        // The same status again: nothing to send, nothing new to remember.
        let again = on_check(subject, &down, Some(Offline), Some(50), &p, 60);
        assert_eq!(
            again,
            Outcome {
                remember: None,
                event: None
            }
        );
        // First seen online: remembered as the baseline, not sent.
        let up = State {
            status: Some(Online),
            consecutive_successes: 1,
            ..State::default()
        };
        let first = on_check(subject, &up, None, None, &p, 70);
        assert_eq!((first.remember, first.event), (Some(Online), None));
    }

    fn pending(id: i64, command: &str) -> Pending {
        Pending {
            id,
            event: Event {
                reference: format!("r{id}"),
                kind: RecordType::Instance,
                from: Online,
                to: Offline,
                message: "down".into(),
                at: 1_800_000_000,
                url: None,
                reminder: false,
                instances_down: None,
            },
            command: vec![command.to_string()],
            attempts: 0,
        }
    }

    #[test]
    fn only_an_instance_that_failed_under_a_down_host_is_unreachable() {
        let host = |status| HostSeen {
            reference: "web1".into(),
            status,
            checked_at: Some(1000),
        };
        let failed = Reading::new(Offline, "connection refused");
        let r = through_host(&failed, &host(Offline), 1010).expect("unreachable");
        assert_eq!(r.status, Status::Unreachable);
        assert_eq!(r.message, "connection refused (host web1 is offline)");
        assert!(through_host(&failed, &host(Online), 1010).is_none());
        assert!(through_host(&Reading::new(Online, "ok"), &host(Offline), 1010).is_none());
        let gone = Reading::new(Status::Missing, "gone");
        assert!(through_host(&gone, &host(Offline), 1010).is_none());
        // A host not checked for over an hour: its status is not news any more.
        assert!(through_host(&failed, &host(Offline), 1000 + HOST_FRESH_S).is_some());
        assert!(through_host(&failed, &host(Offline), 1001 + HOST_FRESH_S).is_none());
        let bad = through_host(
            &Reading::new(Status::Error, "bad"),
            &host(Status::Error),
            1010,
        );
        assert_eq!(
            bad.map(|r| r.message),
            Some("bad (host web1 is in error)".into())
        );
        assert!(held_back(Status::Unreachable, false));
        assert!(held_back(Online, true));
        assert!(!held_back(Offline, false));
    }

    #[test]
    fn a_host_down_names_its_instances() {
        let mut e = pending(1, "x").event;
        e.kind = RecordType::Host;
        let e = with_instances_down(e, 3);
        assert_eq!(e.instances_down, Some(3));
        assert_eq!(e.message, "down (takes down 3 instances)");
        let mut up = e.clone();
        (up.from, up.to, up.instances_down) = (Offline, Online, None);
        assert_eq!(with_instances_down(up, 3).instances_down, None);
    }

    #[test]
    fn a_storm_is_one_run_per_hook() {
        let few: Vec<Pending> = (0..3).map(|i| pending(i, "/bin/mail")).collect();
        let runs = hook_runs(&few, 3);
        assert_eq!(runs.len(), 3);
        assert!(runs.iter().all(|r| !r.batched && r.alerts.len() == 1));
        let mut many: Vec<Pending> = (0..4).map(|i| pending(i, "/bin/mail")).collect();
        many.push(pending(9, "/bin/other"));
        let runs = hook_runs(&many, 3);
        assert_eq!(runs.len(), 2);
        assert!(runs[0].batched);
        assert_eq!(runs[0].alerts.len(), 4);
        assert_eq!((runs[1].batched, runs[1].alerts[0].id), (false, 9));
    }

    #[test]
    fn events_read_back_as_they_were_written() {
        let e = pending(1, "x").event;
        let json = serde_json::to_string(&e).expect("serialises");
        assert!(json.contains("\"at\":\"2027-01-15T08:00:00Z\""), "{json}");
        let back: Event = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, e);
    }
}
