//! The verdict of `webhost check`, the Nagios/Icinga plugin: a record's health as OK, WARNING,
//! CRITICAL or UNKNOWN, the summary line and the performance values behind it.

use std::time::Duration;

use serde::Serialize;

use super::health::{self, Assessment, Facts, Health};
use super::model::{ApiKind, Reading, Record, RecordType, Status};
use super::model::{Threshold, Thresholds};
use super::units::{age, duration_arg, serialize_opt_rfc3339};

/// A plugin's four states, in the order of their exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PluginState {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl PluginState {
    pub fn as_str(self) -> &'static str {
        match self {
            PluginState::Ok => "OK",
            PluginState::Warning => "WARNING",
            PluginState::Critical => "CRITICAL",
            PluginState::Unknown => "UNKNOWN",
        }
    }

    /// The plugin exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_health(h: Health) -> PluginState {
        match h {
            Health::Ok => PluginState::Ok,
            Health::Warning => PluginState::Warning,
            Health::Critical => PluginState::Critical,
            Health::Unknown => PluginState::Unknown,
        }
    }
}

/// One performance value: `'label'=value[unit];warn;crit;min;max`. Warn and crit are Nagios
/// ranges (`21:` alerts below 21), hence text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerfValue {
    pub label: &'static str,
    /// None is `U`: there was nothing to measure (no answer came).
    pub value: Option<i64>,
    pub unit: &'static str,
    pub warn: Option<String>,
    pub crit: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// What a check learned of the response time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Response {
    /// An answer came after this many milliseconds.
    Answered(u64),
    /// No HTTP answer came (refused, timed out, a TLS failure): the time it took to fail is no
    /// response time, and drawn as one an outage would look like the fastest answer.
    NoAnswer,
    /// An answer came, but nobody timed it: a custom probe that reports no `response_ms`.
    #[default]
    Unmeasured,
}

impl Response {
    /// From what a check stored or read. The store keeps the time even of a failed check (how
    /// long it took to fail); an HTTP status, or being online, is what proves an answer came.
    /// A custom probe has no HTTP status to show: its own `response_ms` is the word.
    pub fn of(
        kind: ApiKind,
        status: Status,
        http_status: Option<u16>,
        response_ms: Option<u64>,
    ) -> Response {
        let online = status == Status::Online;
        let answered = match kind {
            ApiKind::Custom => online || response_ms.is_some(),
            _ => online || http_status.is_some(),
        };
        match (answered, response_ms) {
            (false, _) => Response::NoAnswer,
            (true, Some(ms)) => Response::Answered(ms),
            (true, None) => Response::Unmeasured,
        }
    }

    /// The time of an answer; None when none came or it was not timed.
    pub fn answered_ms(self) -> Option<u64> {
        match self {
            Response::Answered(ms) => Some(ms),
            Response::NoAnswer | Response::Unmeasured => None,
        }
    }
}

/// What is known of the record for perfdata. `None` gives no value.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measures {
    pub response: Response,
    pub disk_used: Option<u64>,
    pub disk_total: Option<u64>,
    pub cert_expires_at: Option<i64>,
}

/// Response time, disk used (warn and crit in bytes: a percentage needs a known total), and
/// days left on the TLS certificate.
pub fn perfdata(m: &Measures, t: &Thresholds, now: i64) -> Vec<PerfValue> {
    let mut out = Vec::new();
    let response = match m.response {
        Response::Answered(ms) => Some(Some(i64::try_from(ms).unwrap_or(i64::MAX))),
        // `U`, as the guidelines say for a value that could not be measured: a refusal is not
        // a 0 ms answer, and leaving the label out would hide the gap in the graph.
        Response::NoAnswer => Some(None),
        Response::Unmeasured => None,
    };
    if let Some(value) = response {
        out.push(PerfValue {
            label: "response",
            value,
            unit: "ms",
            warn: None,
            crit: None,
            min: Some(0),
            max: None,
        });
    }
    if let Some(used) = m.disk_used.and_then(|v| i64::try_from(v).ok()) {
        let total = m
            .disk_total
            .and_then(|v| i64::try_from(v).ok())
            .filter(|t| *t > 0);
        let bytes = |th: Threshold| match (th, total) {
            (Threshold::Bytes(b), _) => Some(b.to_string()),
            (Threshold::Percent(p), Some(total)) => {
                Some(format!("{}", (total as f64 * p / 100.0).round() as i64))
            }
            (Threshold::Percent(_), None) => None,
        };
        out.push(PerfValue {
            label: "disk_used",
            value: Some(used),
            unit: "B",
            warn: bytes(t.disk_warn),
            crit: bytes(t.disk_crit),
            min: Some(0),
            max: total,
        });
    }
    if let Some(expires) = m.cert_expires_at {
        // Fewer days is worse, so the ranges are "at least N": `21:`.
        out.push(PerfValue {
            label: "cert_days",
            value: Some((expires - now).div_euclid(86_400)),
            unit: "",
            warn: Some(format!("{}:", t.cert_warn_days)),
            crit: Some(format!("{}:", t.cert_crit_days)),
            min: None,
            max: None,
        });
    }
    out
}

/// The record a verdict is about.
#[derive(Debug, Clone, Serialize)]
pub struct Subject {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: String,
    pub status: Status,
    pub health: Health,
    pub reasons: Vec<String>,
    #[serde(serialize_with = "serialize_opt_rfc3339")]
    pub checked_at: Option<i64>,
    /// Checked now (`--live`) rather than read from the store.
    pub live: bool,
}

/// What `check` found.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub state: PluginState,
    pub summary: String,
    pub metrics: Vec<PerfValue>,
    pub subject: Option<Subject>,
}

impl Verdict {
    /// UNKNOWN with a reason and nothing measured: a bad ref, a stale or disabled record, an
    /// unreadable database.
    pub fn unknown(summary: String, subject: Option<Subject>) -> Verdict {
        Verdict {
            state: PluginState::Unknown,
            summary,
            metrics: Vec::new(),
            subject,
        }
    }
}

/// What a check looks at: the stored state, or a live reading.
struct Seen {
    facts: Facts,
    message: Option<String>,
    response: Response,
    checked_at: Option<i64>,
    live: bool,
}

impl Seen {
    fn stored(rec: &Record) -> Seen {
        let st = &rec.state;
        Seen {
            facts: st.facts(),
            message: st.message.clone(),
            response: Response::of(
                rec.settings.kind,
                st.status(),
                st.http_status,
                st.response_ms,
            ),
            checked_at: st.last_check_at,
            live: false,
        }
    }

    fn subject(&self, rec: &Record, assessment: Assessment) -> Subject {
        Subject {
            record_type: rec.record_type,
            reference: rec.reference().to_string(),
            status: self.facts.status,
            health: assessment.health,
            reasons: assessment.reasons,
            checked_at: self.checked_at,
            live: self.live,
        }
    }
}

/// The verdict on `rec`: from `live`, a reading taken now, or else from its stored state, which
/// must be fresher than `max_age`. A record with monitoring off, or never checked, is UNKNOWN.
pub fn judge(rec: &Record, live: Option<&Reading>, max_age: Duration, now: i64) -> Verdict {
    let stored = Seen::stored(rec);
    let cron = rec.record_type.pass_name();
    if !rec.settings.enabled {
        let why = format!("{}: monitoring is off", rec.reference());
        return unknown(rec, why, &stored, now);
    }
    if let Some(reading) = live {
        let seen = Seen {
            facts: Facts {
                status: reading.status,
                disk_used: reading.disk_used,
                disk_total: reading.disk_total,
                // Not fetched again: the stored expiry is accurate to the day, which is all
                // the thresholds look at.
                cert_expires_at: rec.state.cert_expires_at,
            },
            message: Some(reading.message.clone()),
            response: Response::of(
                rec.settings.kind,
                reading.status,
                reading.http_status,
                reading.response_ms,
            ),
            checked_at: Some(now),
            live: true,
        };
        return verdict(rec, &seen, now);
    }
    let Some(checked) = stored.checked_at else {
        let why = format!(
            "{} never checked (is `webhost {cron}` in cron?)",
            rec.reference()
        );
        return unknown(rec, why, &stored, now);
    };
    let max_age_secs = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
    if now.saturating_sub(checked) > max_age_secs {
        let why = format!(
            "{} last checked {}, longer ago than --max-age {} (is `webhost {cron}` in cron?)",
            rec.reference(),
            age(checked, now),
            duration_arg(max_age.as_secs()),
        );
        return unknown(rec, why, &stored, now);
    }
    verdict(rec, &stored, now)
}

/// Health decides the state; the values go to perfdata.
fn verdict(rec: &Record, seen: &Seen, now: i64) -> Verdict {
    let thresholds = rec.settings.thresholds();
    let assessment = health::assess(&seen.facts, &thresholds, now);
    let state = PluginState::from_health(assessment.health);
    let summary = summary(
        rec.reference(),
        seen.facts.status,
        seen.message.as_deref(),
        &assessment.reasons,
    );
    // An unknown state has no current values; old ones would mislead the graphs.
    let metrics = if state == PluginState::Unknown {
        Vec::new()
    } else {
        let measures = Measures {
            response: seen.response,
            disk_used: seen.facts.disk_used,
            disk_total: seen.facts.disk_total,
            cert_expires_at: seen.facts.cert_expires_at,
        };
        perfdata(&measures, &thresholds, now)
    };
    Verdict {
        state,
        summary,
        metrics,
        subject: Some(seen.subject(rec, assessment)),
    }
}

/// UNKNOWN for a record that cannot be judged (disabled, never or too long ago checked).
fn unknown(rec: &Record, why: String, seen: &Seen, now: i64) -> Verdict {
    let assessment = health::assess(&seen.facts, &rec.settings.thresholds(), now);
    Verdict::unknown(why, Some(seen.subject(rec, assessment)))
}

/// `shop online, HTTP 200 in 84 ms`, then the health reasons the status does not already say,
/// all joined with `, `: Nagios shows a `;` in plugin output as `:`.
pub fn summary(
    reference: &str,
    status: Status,
    message: Option<&str>,
    reasons: &[String],
) -> String {
    let mut s = format!("{reference} {status}");
    if let Some(m) = message.map(str::trim).filter(|m| !m.is_empty()) {
        s.push_str(", ");
        s.push_str(m);
    }
    for r in reasons.iter().filter(|r| !r.starts_with("status ")) {
        s.push_str(", ");
        s.push_str(r);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::model::{ApiKind, Settings, State};
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn record(state: State) -> Record {
        Record {
            id: 1,
            record_type: RecordType::Instance,
            settings: Settings::new("shop", ApiKind::Ping),
            created_at: 0,
            host_ref: None,
            discovered: false,
            missing: false,
            has_token: false,
            state,
        }
    }

    #[test]
    fn stored_state_is_judged_when_fresh_enough() {
        let fifteen = Duration::from_secs(900);
        let never = judge(&record(State::default()), None, fifteen, NOW);
        assert_eq!(never.state, PluginState::Unknown);
        assert!(never.summary.contains("never checked"), "{}", never.summary);
        let online = State {
            status: Some(Status::Online),
            message: Some("HTTP 200 OK in 84 ms".into()),
            last_check_at: Some(NOW - 60),
            response_ms: Some(84),
            ..State::default()
        };
        let ok = judge(&record(online.clone()), None, fifteen, NOW);
        assert_eq!(ok.state, PluginState::Ok);
        assert_eq!(ok.summary, "shop online, HTTP 200 OK in 84 ms");
        assert_eq!(ok.metrics.len(), 1);
        let old = State {
            last_check_at: Some(NOW - 3600),
            ..online
        };
        let stale = judge(&record(old), None, fifteen, NOW);
        assert_eq!(stale.state, PluginState::Unknown);
        assert!(stale.summary.contains("--max-age 15m"), "{}", stale.summary);
        assert!(stale.metrics.is_empty(), "no values when unknown");
    }

    #[test]
    fn a_live_reading_wins_and_monitoring_off_is_unknown() {
        let mut rec = record(State::default());
        let down = Reading::new(Status::Offline, "connection refused");
        let v = judge(&rec, Some(&down), Duration::from_secs(1), NOW);
        assert_eq!(v.state, PluginState::Critical);
        assert!(v.subject.as_ref().is_some_and(|s| s.live));
        rec.settings.enabled = false;
        let off = judge(&rec, Some(&down), Duration::from_secs(1), NOW);
        assert_eq!(off.state, PluginState::Unknown);
        assert_eq!(off.summary, "shop: monitoring is off");
    }

    #[test]
    fn only_an_answer_has_a_response_time() {
        use ApiKind::{Custom, Ping, ServerManagerV1};
        use Status::{Error, Offline, Online};
        // Refused in 3 ms, timed out after 10 s: the time it took to fail.
        assert_eq!(
            Response::of(Ping, Offline, None, Some(3)),
            Response::NoAnswer
        );
        assert_eq!(
            Response::of(ServerManagerV1, Error, None, Some(10_000)),
            Response::NoAnswer
        );
        // An HTTP 500 or a refused token is an answer, however unusable.
        assert_eq!(
            Response::of(Ping, Offline, Some(500), Some(12)),
            Response::Answered(12)
        );
        assert_eq!(
            Response::of(Ping, Online, Some(200), Some(84)),
            Response::Answered(84)
        );
        // A custom probe has no HTTP status: its own response_ms says whether it timed one.
        assert_eq!(
            Response::of(Custom, Offline, None, None),
            Response::NoAnswer
        );
        assert_eq!(
            Response::of(Custom, Offline, None, Some(50)),
            Response::Answered(50)
        );
        assert_eq!(
            Response::of(Custom, Online, None, None),
            Response::Unmeasured
        );

        let refused = State {
            status: Some(Offline),
            message: Some("connection refused".into()),
            last_check_at: Some(NOW - 60),
            response_ms: Some(3),
            ..State::default()
        };
        let v = judge(&record(refused), None, Duration::from_secs(900), NOW);
        assert_eq!(v.state, PluginState::Critical);
        assert_eq!(v.metrics[0].label, "response");
        assert_eq!(v.metrics[0].value, None, "U, not 3 ms");
    }

    #[test]
    fn perfdata_thresholds_in_bytes_need_a_total() {
        let m = Measures {
            disk_used: Some(1_189_085_184),
            ..Measures::default()
        };
        let values = perfdata(&m, &Thresholds::default(), NOW);
        assert_eq!((values[0].warn.as_deref(), values[0].max), (None, None));
        let known = Measures {
            disk_total: Some(527_371_075_584),
            ..m
        };
        let values = perfdata(&known, &Thresholds::default(), NOW);
        assert_eq!(values[0].warn.as_deref(), Some("421896860467"));
        let cert = Measures {
            cert_expires_at: Some(NOW + 30 * 86_400 + 5),
            ..Measures::default()
        };
        let values = perfdata(&cert, &Thresholds::default(), NOW);
        assert_eq!(
            (values[0].value, values[0].warn.as_deref()),
            (Some(30), Some("21:"))
        );
    }

    #[test]
    fn summaries_add_the_reasons_the_status_does_not_say() {
        let w = summary(
            "srv",
            Status::Online,
            None,
            &["disk 78% used (threshold 75%)".to_string()],
        );
        assert_eq!(w, "srv online, disk 78% used (threshold 75%)");
        let c = summary(
            "shop",
            Status::Offline,
            Some(" refused "),
            &["status offline".to_string()],
        );
        assert_eq!(c, "shop offline, refused");
    }
}
