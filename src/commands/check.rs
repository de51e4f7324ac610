//! `webhost check REF`: a Nagios/Icinga plugin. It exits with the plugin's codes (0 OK,
//! 1 WARNING, 2 CRITICAL, 3 UNKNOWN), so every failure, even an unreadable database, is
//! reported as UNKNOWN on the plugin line rather than as one of webhost's own errors.

use anyhow::Result;

use super::Context;
use crate::cli::CheckArgs;
use crate::exit_code::Exit;
use crate::health::{self, Assessment, Facts};
use crate::output::check::{self, CheckReport, Measures, PluginState, Subject};
use crate::poll::probe_now;
use crate::probe::Settings as ProbeSettings;
use crate::store::Record;
use crate::time;

/// Answers of `--live` larger than this are an error, as in a pass.
const MAX_BODY: u64 = 8 * 1024 * 1024;

pub fn run(ctx: &Context, args: &CheckArgs) -> Result<Exit> {
    let report = assess(ctx, args).unwrap_or_else(|e| {
        let why = e
            .chain()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        CheckReport::unknown(why, None)
    });
    ctx.out.check(&report)?;
    Ok(Exit::Plugin(report.state.code()))
}

fn assess(ctx: &Context, args: &CheckArgs) -> Result<CheckReport> {
    let store = ctx.open_store()?;
    let rec = super::record::resolve(&store, &args.reference, args.host, args.instance)?;
    let now = time::now();
    let st = &rec.state;
    let stored = Seen {
        facts: Facts {
            status: st.status(),
            disk_used: st.disk_used,
            disk_total: st.disk_total,
            cert_expires_at: st.cert_expires_at,
        },
        message: st.message.clone(),
        response_ms: st.response_ms,
        checked_at: st.last_check_at,
        live: false,
    };
    let cron = crate::poll::pass_name(rec.record_type);
    if !rec.settings.enabled {
        let why = format!("{}: monitoring is off", rec.reference());
        return Ok(unknown(&rec, why, &stored, now));
    }
    if args.live {
        let settings = ProbeSettings {
            timeout: args.timeout,
            max_body: MAX_BODY,
        };
        let reading = probe_now(&store, rec.record_type, rec.reference(), settings)?;
        let to_i64 = |v: Option<u64>| v.and_then(|v| i64::try_from(v).ok());
        let live = Seen {
            facts: Facts {
                status: reading.status,
                disk_used: to_i64(reading.disk_used),
                disk_total: to_i64(reading.disk_total),
                // Not fetched again: the stored expiry is accurate to the day, which is all
                // the thresholds look at.
                cert_expires_at: st.cert_expires_at,
            },
            message: Some(reading.message),
            response_ms: to_i64(reading.response_ms),
            checked_at: Some(now),
            live: true,
        };
        return Ok(verdict(&rec, &live, now));
    }
    let Some(checked) = st.last_check_at else {
        let why = format!(
            "{} never checked (is `webhost {cron}` in cron?)",
            rec.reference()
        );
        return Ok(unknown(&rec, why, &stored, now));
    };
    let max_age = i64::try_from(args.max_age.as_secs()).unwrap_or(i64::MAX);
    if now.saturating_sub(checked) > max_age {
        let why = format!(
            "{} last checked {}, longer ago than --max-age {} (is `webhost {cron}` in cron?)",
            rec.reference(),
            time::age(checked, now),
            age_text(args.max_age.as_secs()),
        );
        return Ok(unknown(&rec, why, &stored, now));
    }
    Ok(verdict(&rec, &stored, now))
}

/// What a check looks at: the stored state, or a live reading.
struct Seen {
    facts: Facts,
    message: Option<String>,
    response_ms: Option<i64>,
    checked_at: Option<i64>,
    live: bool,
}

impl Seen {
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

/// Health decides the state; the values go to perfdata.
fn verdict(rec: &Record, seen: &Seen, now: i64) -> CheckReport {
    let thresholds = rec.settings.thresholds();
    let assessment = health::assess(&seen.facts, &thresholds, now);
    let state = PluginState::from_health(assessment.health);
    let summary = check::summary(
        rec.reference(),
        seen.facts.status,
        seen.message.as_deref(),
        &assessment.reasons,
    );
    // An unknown state has no current values; old ones would mislead the graphs.
    let perf = if state == PluginState::Unknown {
        Vec::new()
    } else {
        let measures = Measures {
            response_ms: seen.response_ms,
            disk_used: seen.facts.disk_used,
            disk_total: seen.facts.disk_total,
            cert_expires_at: seen.facts.cert_expires_at,
        };
        check::perfdata(&measures, &thresholds, now)
    };
    CheckReport::new(state, summary, perf, Some(seen.subject(rec, assessment)))
}

/// UNKNOWN for a record that cannot be judged (disabled, never or too long ago checked).
fn unknown(rec: &Record, why: String, seen: &Seen, now: i64) -> CheckReport {
    let assessment = health::assess(&seen.facts, &rec.settings.thresholds(), now);
    CheckReport::unknown(why, Some(seen.subject(rec, assessment)))
}

/// `15m`, `2h`: a duration the way `--max-age` takes it.
fn age_text(secs: u64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_the_option() {
        assert_eq!(age_text(900), "15m");
        assert_eq!(age_text(7200), "2h");
        assert_eq!(age_text(86_400), "1d");
        assert_eq!(age_text(90), "90s");
    }
}
