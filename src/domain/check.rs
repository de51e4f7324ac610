//! The verdict of `webhost check`, the Nagios/Icinga plugin: a record's health as OK, WARNING,
//! CRITICAL or UNKNOWN, the summary line and the performance values behind it.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::advisory::Severity;
use super::forecast::{Forecast, Level};
use super::health::{self, Assessment, Facts, Health};
use super::model::{ApiKind, Reading, Record, RecordType, Status};
use super::model::{Threshold, Thresholds};
use super::units::{age, duration_arg, human_bytes, serialize_opt_rfc3339};

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

    /// Severity for "worst of", as for health: ok < unknown < warning < critical.
    fn rank(self) -> u8 {
        match self {
            PluginState::Ok => 0,
            PluginState::Unknown => 1,
            PluginState::Warning => 2,
            PluginState::Critical => 3,
        }
    }

    fn worst(self, other: PluginState) -> PluginState {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
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

/// A threshold range of the Monitoring Plugins guidelines: `10` (0 to 10), `10:` (10 or
/// more), `~:10` (10 or less), `10:20`; a value outside alerts, or inside (bounds included)
/// after `@`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// None is `~`, minus infinity.
    pub start: Option<f64>,
    /// None is infinity.
    pub end: Option<f64>,
    /// `@`: alert inside rather than outside.
    pub inside: bool,
}

impl Range {
    /// Whether `value` raises the alert.
    pub fn alerts(&self, value: f64) -> bool {
        let within = self.start.is_none_or(|s| value >= s) && self.end.is_none_or(|e| value <= e);
        within == self.inside
    }

    /// Parses `text`, reading each bound with `number` (which gives its unit).
    fn parse(text: &str, number: impl Fn(&str) -> Option<f64>) -> Result<Range, String> {
        let forms = "expected a range such as 1000, 500:, ~:1000, 200:1000 or @200:1000";
        let (inside, rest) = match text.strip_prefix('@') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let bound = |b: &str| number(b).ok_or_else(|| format!("{b:?} is not a number: {forms}"));
        let (start, end) = match rest.split_once(':') {
            // `10`: from 0, as the guidelines say.
            None if rest.is_empty() => return Err(format!("empty range: {forms}")),
            None => (Some(0.0), Some(bound(rest)?)),
            Some((start, end)) => {
                let start = match start {
                    "~" => None,
                    "" => return Err(format!("no start before ':' (0 or ~?): {forms}")),
                    s => Some(bound(s)?),
                };
                let end = match end {
                    "" => None,
                    e => Some(bound(e)?),
                };
                (start, end)
            }
        };
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            return Err(format!("the start {s} is above the end {e}"));
        }
        Ok(Range { start, end, inside })
    }

    /// How it alerts, in words: `over 1000 ms`. Response times are never negative, so a start
    /// at or below 0 bounds nothing.
    fn alerts_when(&self, unit: &str) -> String {
        let low = self.start.filter(|s| *s > 0.0);
        match (self.inside, low, self.end) {
            (false, None, Some(e)) => format!("over {e} {unit}"),
            (false, Some(s), None) => format!("under {s} {unit}"),
            (false, Some(s), Some(e)) => format!("outside {s} to {e} {unit}"),
            (true, None, Some(e)) => format!("at most {e} {unit}"),
            (true, Some(s), None) => format!("at least {s} {unit}"),
            (true, Some(s), Some(e)) => format!("between {s} and {e} {unit}"),
            (true, None, None) => "at any value".to_string(),
            // `~:` never alerts, so this is never said.
            (false, None, None) => "never".to_string(),
        }
    }
}

/// In Nagios syntax again, bounds in the value's unit, as perfdata wants them.
impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inside {
            f.write_str("@")?;
        }
        match (self.start, self.end) {
            (Some(0.0), Some(e)) => write!(f, "{e}"),
            (Some(s), Some(e)) => write!(f, "{s}:{e}"),
            (Some(s), None) => write!(f, "{s}:"),
            (None, Some(e)) => write!(f, "~:{e}"),
            (None, None) => f.write_str("~:"),
        }
    }
}

/// A response-time range for `-w`/`-c`: bounds in milliseconds, or with a unit (`ms`, `s`):
/// `1000`, `1.5s`, `200:2s`, `@~:10`.
pub fn parse_millis_range(text: &str) -> Result<Range, String> {
    Range::parse(text.trim(), |bound| {
        let (digits, scale) = match bound.strip_suffix("ms") {
            Some(d) => (d, 1.0),
            None => match bound.strip_suffix('s') {
                Some(d) => (d, 1000.0),
                None => (bound, 1.0),
            },
        };
        // Only plain decimals: `inf`, `NaN` and `1e3` are numbers to Rust, not to a threshold.
        if digits.is_empty()
            || !digits
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
        {
            return None;
        }
        let n: f64 = digits.parse().ok()?;
        // Rounded to microseconds: 0.3 s is 300 ms, not 300.00000000000006.
        Some((n * scale * 1000.0).round() / 1000.0).filter(|n| n.is_finite())
    })
}

/// `-w` and `-c`: the response times that make a check WARNING or CRITICAL.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ResponseLimits {
    pub warning: Option<Range>,
    pub critical: Option<Range>,
}

impl ResponseLimits {
    /// The state `response` calls for, and why: None when it is fine or there is nothing to
    /// compare (no answer: the status already says that).
    fn judge(&self, response: Response) -> Option<(PluginState, String)> {
        if self.warning.is_none() && self.critical.is_none() {
            return None;
        }
        let ms = match response {
            Response::Answered(ms) => ms,
            Response::NoAnswer => return None,
            // A limit set and not applied would say OK about what nobody looked at.
            Response::Unmeasured => {
                return Some((
                    PluginState::Unknown,
                    "no response time to hold to -w/-c (the probe reports none)".to_string(),
                ));
            }
        };
        let levels = [
            (self.critical, PluginState::Critical, "critical"),
            (self.warning, PluginState::Warning, "warning"),
        ];
        levels.into_iter().find_map(|(range, state, word)| {
            let range = range.filter(|r| r.alerts(ms as f64))?;
            Some((
                state,
                format!("response {ms} ms ({word} {})", range.alerts_when("ms")),
            ))
        })
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

/// Response time (warn and crit from `-w`/`-c`, in ms), disk used (warn and crit in bytes: a
/// percentage needs a known total), and days left on the TLS certificate.
pub fn perfdata(m: &Measures, t: &Thresholds, limits: &ResponseLimits, now: i64) -> Vec<PerfValue> {
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
            warn: limits.warning.map(|r| r.to_string()),
            crit: limits.critical.map(|r| r.to_string()),
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
    /// The record's own health, as `list` and `show` give it: `-w`/`-c` change the plugin
    /// state, not this.
    pub health: Health,
    /// Why: the health's reasons, then the response limit's.
    pub reasons: Vec<String>,
    #[serde(serialize_with = "serialize_opt_rfc3339")]
    pub checked_at: Option<i64>,
    /// Checked now (`--live`) rather than read from the store.
    pub live: bool,
    /// In a maintenance window until then (`with_maintenance`).
    pub maintenance_until: Option<i64>,
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
            maintenance_until: None,
        }
    }
}

/// The verdict on `rec`: from `live`, a reading taken now, or else from its stored state, which
/// must be fresher than `max_age`, its response time held to `limits`. A record with
/// monitoring off, or never checked, is UNKNOWN.
pub fn judge(
    rec: &Record,
    live: Option<&Reading>,
    max_age: Duration,
    limits: &ResponseLimits,
    now: i64,
) -> Verdict {
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
                security: reading.security.or(rec.state.security),
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
        return verdict(rec, &seen, limits, now);
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
    verdict(rec, &stored, limits, now)
}

/// Health, worsened by the response limits, decides the state; the values go to perfdata.
fn verdict(rec: &Record, seen: &Seen, limits: &ResponseLimits, now: i64) -> Verdict {
    let thresholds = rec.settings.thresholds();
    let mut assessment = health::assess(&seen.facts, &thresholds, now);
    let mut state = PluginState::from_health(assessment.health);
    if let Some((level, reason)) = limits.judge(seen.response) {
        state = state.worst(level);
        assessment.reasons.push(reason);
    }
    let summary = summary(
        rec.reference(),
        seen.facts.status,
        seen.message.as_deref(),
        &assessment.reasons,
    );
    // An unknown status has no current values; old ones would mislead the graphs.
    let metrics = if assessment.health == Health::Unknown {
        Vec::new()
    } else {
        let measures = Measures {
            response: seen.response,
            disk_used: seen.facts.disk_used,
            disk_total: seen.facts.disk_total,
            cert_expires_at: seen.facts.cert_expires_at,
        };
        perfdata(&measures, &thresholds, limits, now)
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

/// `--forecast`: at least WARNING when the disk forecast reaches a threshold (or full) within
/// `horizon_s` of `now`. A verdict that is UNKNOWN stays so: its state cannot be judged.
/// A record in a maintenance window until `until` (`until_text` as the user reads it): OK, or
/// WARNING when `warn`, whatever was seen, which the summary still gives.
pub fn with_maintenance(
    mut v: Verdict,
    until: i64,
    until_text: &str,
    reason: Option<&str>,
    warn: bool,
) -> Verdict {
    let Some(subject) = &mut v.subject else {
        return v;
    };
    subject.maintenance_until = Some(until);
    let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
    v.summary = format!(
        "{} in maintenance until {until_text}{why}, {}: {}",
        subject.reference,
        v.state.as_str(),
        v.summary
    );
    v.state = if warn {
        PluginState::Warning
    } else {
        PluginState::Ok
    };
    v
}

pub fn with_forecast(mut v: Verdict, fc: Option<&Forecast>, horizon_s: i64, now: i64) -> Verdict {
    if v.state == PluginState::Unknown {
        return v;
    }
    let Some(fc) = fc else {
        return v;
    };
    let Some((level, at)) = fc.crossing_within(now, horizon_s) else {
        return v;
    };
    let what = match level {
        Level::Warning => "reaches its warning threshold",
        Level::Critical => "reaches its critical threshold",
        Level::Full => "is full",
    };
    let days = (at - now).max(0) / 86_400;
    let when = match days {
        0 => "within a day".to_string(),
        1 => "in 1 day".to_string(),
        n => format!("in {n} days"),
    };
    let reason = format!(
        "disk {what} {when} (growing {}/day)",
        human_bytes(fc.fit.per_day.max(0.0).round() as u64)
    );
    v.state = v.state.worst(PluginState::Warning);
    v.summary.push_str(", ");
    v.summary.push_str(&reason);
    if let Some(subject) = &mut v.subject {
        subject.reasons.push(reason);
    }
    v
}

/// An advisory that affects the record, for `check --audit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryHit {
    pub id: String,
    pub severity: Option<Severity>,
    pub fixed_in: Option<String>,
}

/// `check --audit`: a critical advisory makes the verdict CRITICAL, a high one WARNING; each
/// is named in the summary (worst first) and among the reasons.
pub fn with_advisories(mut v: Verdict, hits: &[AdvisoryHit]) -> Verdict {
    let mut hits: Vec<&AdvisoryHit> = hits.iter().collect();
    hits.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    for h in &hits {
        let level = match h.severity {
            Some(Severity::Critical) => PluginState::Critical,
            Some(Severity::High) => PluginState::Warning,
            _ => PluginState::Ok,
        };
        v.state = v.state.worst(level);
        let severity = h.severity.map_or("unknown severity", Severity::as_str);
        let reason = match &h.fixed_in {
            Some(f) => format!("advisory {} {severity} (fixed in {f})", h.id),
            None => format!("advisory {} {severity}", h.id),
        };
        v.summary.push_str(", ");
        v.summary.push_str(&reason);
        if let Some(s) = v.subject.as_mut() {
            s.reasons.push(reason);
        }
    }
    v
}

/// `check --fleet`: CRITICAL when an enabled record is offline or in error (outside
/// maintenance), WARNING when a poller stopped or a pass is stale, else OK; with counts as
/// perfdata.
pub fn fleet_verdict(
    fleet: &super::fleet::FleetStatus,
    pollers: &[super::poller::PollerInfo],
    now: i64,
) -> Verdict {
    let total: usize = fleet.counts.iter().map(|c| c.total).sum();
    let down: Vec<&str> = fleet
        .not_online
        .iter()
        .filter(|p| matches!(p.status, Status::Offline | Status::Error))
        .filter(|p| p.maintenance_until.is_none())
        .map(|p| p.reference.as_str())
        .collect();
    let stopped: Vec<String> = pollers
        .iter()
        .filter(|p| p.stale)
        .map(|p| {
            format!(
                "poller {} stopped (last pass {} min ago)",
                p.name,
                (now - p.last_pass_at) / 60
            )
        })
        .collect();
    let stale: Vec<&str> = fleet
        .passes
        .iter()
        .filter(|p| p.stale)
        .map(|p| p.kind.as_str())
        .collect();
    let state = if !down.is_empty() {
        PluginState::Critical
    } else if !stopped.is_empty() || !stale.is_empty() {
        PluginState::Warning
    } else {
        PluginState::Ok
    };
    let mut summary = format!("fleet: {total} records, {} down", down.len());
    if !down.is_empty() {
        const SHOWN: usize = 5;
        let more = down.len().saturating_sub(SHOWN);
        summary.push_str(&format!(" ({}", down[..down.len().min(SHOWN)].join(", ")));
        if more > 0 {
            summary.push_str(&format!(" and {more} more"));
        }
        summary.push(')');
    }
    for s in &stopped {
        summary.push_str(", ");
        summary.push_str(s);
    }
    for kind in &stale {
        summary.push_str(&format!(", {kind} stale (is cron running?)"));
    }
    let count = |label: &'static str, n: usize| PerfValue {
        label,
        value: Some(i64::try_from(n).unwrap_or(i64::MAX)),
        unit: "",
        warn: None,
        crit: None,
        min: Some(0),
        max: None,
    };
    Verdict {
        state,
        summary,
        metrics: vec![
            count("records", total),
            count("down", down.len()),
            count("pollers", pollers.len()),
            count("pollers_stopped", stopped.len()),
        ],
        subject: None,
    }
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
    const NONE: ResponseLimits = ResponseLimits {
        warning: None,
        critical: None,
    };

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
            maintenance: None,
            state,
        }
    }

    #[test]
    fn stored_state_is_judged_when_fresh_enough() {
        let fifteen = Duration::from_secs(900);
        let never = judge(&record(State::default()), None, fifteen, &NONE, NOW);
        assert_eq!(never.state, PluginState::Unknown);
        assert!(never.summary.contains("never checked"), "{}", never.summary);
        let online = State {
            status: Some(Status::Online),
            message: Some("HTTP 200 OK in 84 ms".into()),
            last_check_at: Some(NOW - 60),
            response_ms: Some(84),
            ..State::default()
        };
        let ok = judge(&record(online.clone()), None, fifteen, &NONE, NOW);
        assert_eq!(ok.state, PluginState::Ok);
        assert_eq!(ok.summary, "shop online, HTTP 200 OK in 84 ms");
        assert_eq!(ok.metrics.len(), 1);
        let old = State {
            last_check_at: Some(NOW - 3600),
            ..online
        };
        let stale = judge(&record(old), None, fifteen, &NONE, NOW);
        assert_eq!(stale.state, PluginState::Unknown);
        assert!(stale.summary.contains("--max-age 15m"), "{}", stale.summary);
        assert!(stale.metrics.is_empty(), "no values when unknown");
    }

    #[test]
    fn a_live_reading_wins_and_monitoring_off_is_unknown() {
        let mut rec = record(State::default());
        let down = Reading::new(Status::Offline, "connection refused");
        let v = judge(&rec, Some(&down), Duration::from_secs(1), &NONE, NOW);
        assert_eq!(v.state, PluginState::Critical);
        assert!(v.subject.as_ref().is_some_and(|s| s.live));
        rec.settings.enabled = false;
        let off = judge(&rec, Some(&down), Duration::from_secs(1), &NONE, NOW);
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
        let v = judge(&record(refused), None, Duration::from_secs(900), &NONE, NOW);
        assert_eq!(v.state, PluginState::Critical);
        assert_eq!(v.metrics[0].label, "response");
        assert_eq!(v.metrics[0].value, None, "U, not 3 ms");
    }

    fn range(text: &str) -> Range {
        parse_millis_range(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn ranges_of_the_guidelines() {
        // (range, values that alert, values that do not)
        let cases: [(&str, &[f64], &[f64]); 6] = [
            ("10", &[-1.0, 10.5, 11.0], &[0.0, 5.0, 10.0]),
            ("10:", &[-1.0, 9.9], &[10.0, 1e9]),
            ("~:10", &[10.1, 1e9], &[-1e9, 0.0, 10.0]),
            ("10:20", &[9.0, 21.0], &[10.0, 15.0, 20.0]),
            ("@10:20", &[10.0, 15.0, 20.0], &[9.0, 21.0]),
            ("@~:10", &[-5.0, 10.0], &[10.5]),
        ];
        for (text, alert, quiet) in cases {
            let r = range(text);
            for v in alert {
                assert!(r.alerts(*v), "{text} should alert on {v}");
            }
            for v in quiet {
                assert!(!r.alerts(*v), "{text} should not alert on {v}");
            }
            assert_eq!(r.to_string(), text, "written back as given");
        }
        assert_eq!(
            range("10:20"),
            Range {
                start: Some(10.0),
                end: Some(20.0),
                inside: false
            }
        );
        assert_eq!(range("0:10").to_string(), "10", "the same range");
        assert!(!range("~:").alerts(1e12), "never alerts, but is a range");
    }

    #[test]
    fn response_ranges_take_milliseconds_or_a_unit() {
        assert_eq!(range("1.5s"), range("1500"));
        assert_eq!(range("0.3s").to_string(), "300");
        assert_eq!(range("200ms:2s").to_string(), "200:2000");
        assert_eq!(range("@~:1s").to_string(), "@~:1000");
        for bad in [
            "", "@", ":", ":10", "abc", "10:20:30", "20:10", "~", "10m", "inf", "NaN", "1e3",
            "5 s", "--5", "1..2",
        ] {
            assert!(parse_millis_range(bad).is_err(), "{bad:?} accepted");
        }
        let e = parse_millis_range("20:10").expect_err("start above end");
        assert!(e.contains("above"), "{e}");
    }

    #[test]
    fn response_limits_raise_the_state() {
        let slow = State {
            status: Some(Status::Online),
            message: Some("HTTP 200 OK in 1840 ms".into()),
            last_check_at: Some(NOW - 60),
            response_ms: Some(1840),
            http_status: Some(200),
            ..State::default()
        };
        let rec = record(slow);
        let age = Duration::from_secs(900);
        let limits = |w: &str, c: &str| ResponseLimits {
            warning: Some(range(w)),
            critical: Some(range(c)),
        };
        let warn = judge(&rec, None, age, &limits("1000", "5s"), NOW);
        assert_eq!(warn.state, PluginState::Warning);
        assert_eq!(
            warn.summary,
            "shop online, HTTP 200 OK in 1840 ms, response 1840 ms (warning over 1000 ms)"
        );
        assert_eq!(
            (
                warn.metrics[0].warn.as_deref(),
                warn.metrics[0].crit.as_deref()
            ),
            (Some("1000"), Some("5000"))
        );
        let subject = warn.subject.expect("subject");
        assert_eq!(subject.health, Health::Ok, "the record's own health");
        assert_eq!(subject.reasons, ["response 1840 ms (warning over 1000 ms)"]);

        let crit = judge(&rec, None, age, &limits("1000", "1500"), NOW);
        assert_eq!(crit.state, PluginState::Critical);
        assert!(
            crit.summary
                .ends_with("response 1840 ms (critical over 1500 ms)"),
            "{}",
            crit.summary
        );
        let ok = judge(&rec, None, age, &limits("2000", "3000"), NOW);
        assert_eq!(ok.state, PluginState::Ok);
        let under = judge(&rec, None, age, &limits("2000:", "@1800:1900"), NOW);
        assert_eq!(under.state, PluginState::Critical);
        assert!(
            under
                .summary
                .ends_with("(critical between 1800 and 1900 ms)"),
            "{}",
            under.summary
        );

        // Refused: the status says it all, and there is no time to hold to the limits.
        let refused = State {
            status: Some(Status::Offline),
            message: Some("connection refused".into()),
            response_ms: Some(2),
            http_status: None,
            ..rec.state.clone()
        };
        let down = judge(&record(refused), None, age, &limits("1", "2"), NOW);
        assert_eq!(down.state, PluginState::Critical);
        assert_eq!(down.summary, "shop offline, connection refused");
        assert_eq!(down.metrics[0].value, None);
        assert_eq!(down.metrics[0].warn.as_deref(), Some("1"));

        // A custom probe that times nothing: a limit nobody could apply is not OK.
        let mut untimed = record(State {
            response_ms: None,
            http_status: None,
            ..rec.state.clone()
        });
        untimed.settings.kind = ApiKind::Custom;
        let v = judge(&untimed, None, age, &limits("1000", "2000"), NOW);
        assert_eq!(v.state, PluginState::Unknown);
        assert!(v.summary.contains("no response time"), "{}", v.summary);
        assert_eq!(
            judge(&untimed, None, age, &NONE, NOW).state,
            PluginState::Ok
        );
    }

    #[test]
    fn perfdata_thresholds_in_bytes_need_a_total() {
        let m = Measures {
            disk_used: Some(1_189_085_184),
            ..Measures::default()
        };
        let values = perfdata(&m, &Thresholds::default(), &NONE, NOW);
        assert_eq!((values[0].warn.as_deref(), values[0].max), (None, None));
        let known = Measures {
            disk_total: Some(527_371_075_584),
            ..m
        };
        let values = perfdata(&known, &Thresholds::default(), &NONE, NOW);
        assert_eq!(values[0].warn.as_deref(), Some("421896860467"));
        let cert = Measures {
            cert_expires_at: Some(NOW + 30 * 86_400 + 5),
            ..Measures::default()
        };
        let values = perfdata(&cert, &Thresholds::default(), &NONE, NOW);
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
