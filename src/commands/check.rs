//! `webhost check REF`: a Nagios/Icinga plugin. It exits with the plugin's codes (0 OK,
//! 1 WARNING, 2 CRITICAL, 3 UNKNOWN), so every failure, even an unreadable database, is
//! reported as UNKNOWN on the plugin line rather than as one of webhost's own errors.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;

use super::{Context, Outcome, Which};
use crate::domain::check::{self, AdvisoryHit, ResponseLimits, Verdict};
use crate::domain::model::RecordType;
use crate::domain::{config, forecast};
use crate::output::Asked;
use crate::output::time::local;
use crate::poll::{ProbeSettings, probe_now};
use crate::store::Store;

/// Judges the record `which` names from its stored state, fresher than `max_age`, or with
/// `live` probe settings from a check made now (and not stored); its response time is held to
/// `limits`.
#[allow(clippy::too_many_arguments)] // one per option of the command
pub fn run(
    ctx: &Context,
    which: &Which,
    max_age: Duration,
    limits: &ResponseLimits,
    live: Option<ProbeSettings>,
    forecast: Option<Duration>,
    audit: bool,
    maintenance: InMaintenance,
) -> Result<Outcome> {
    let verdict = judge(
        ctx,
        which,
        max_age,
        limits,
        live,
        forecast,
        audit,
        maintenance,
    )
    .unwrap_or_else(|e| {
        let why = e
            .chain()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        Verdict::unknown(why, None)
    });
    let asked = Asked {
        reference: &which.reference,
        record_type: which.record_type,
    };
    ctx.out.check(&verdict, asked)?;
    Ok(Outcome::Plugin(verdict.state))
}

/// `check --fleet`: the fleet as `status` sees it (passes older than `stale` are stale), and
/// the pollers, as one plugin line.
pub fn fleet(ctx: &Context, stale: Duration) -> Result<Outcome> {
    let judged = || -> Result<Verdict> {
        let store = ctx.read_store()?;
        let now = ctx.now();
        let mut hosts = store.list(RecordType::Host, &Default::default())?;
        let mut instances = store.list(RecordType::Instance, &Default::default())?;
        store.mark_maintenance(&mut hosts, now)?;
        store.mark_maintenance(&mut instances, now)?;
        let summary = crate::domain::fleet::summarize(
            [&hosts[..], &instances[..]],
            &store.last_passes()?,
            now,
            stale,
            0,
            Vec::new(),
        );
        Ok(check::fleet_verdict(&summary, &store.pollers(now)?, now))
    };
    let verdict = judged().unwrap_or_else(|e| {
        let why = e
            .chain()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        Verdict::unknown(why, None)
    });
    let asked = Asked {
        reference: "fleet",
        record_type: None,
    };
    ctx.out.check(&verdict, asked)?;
    Ok(Outcome::Plugin(verdict.state))
}

/// What `check` says of a record in a maintenance window (`--maintenance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InMaintenance {
    Ok,
    Warn,
    Ignore,
}

#[allow(clippy::too_many_arguments)] // one per option of the command
fn judge(
    ctx: &Context,
    which: &Which,
    max_age: Duration,
    limits: &ResponseLimits,
    live: Option<ProbeSettings>,
    forecast: Option<Duration>,
    audit: bool,
    maintenance: InMaintenance,
) -> Result<Verdict> {
    // A live check signs its request: it needs the tokens, which only their owner may read.
    let store = match live {
        Some(_) => ctx.read_store_with_tokens()?,
        None => ctx.read_store()?,
    };
    let rec = which.find(&store)?;
    let reading = match live {
        // A record with monitoring off is not probed: its verdict is UNKNOWN anyway.
        Some(mut probe) if rec.settings.enabled => {
            probe.ca_file = config::ca_file(&store.config_list()?).map(PathBuf::from);
            Some(probe_now(&store, &rec, probe)?)
        }
        _ => None,
    };
    let now = ctx.now();
    let mut verdict = check::judge(&rec, reading.as_ref(), max_age, limits, now);
    if let Some(horizon) = forecast {
        let fc = store
            .disk_trend(rec.key())?
            .and_then(|t| forecast::project(&t, rec.state.disk_total, &rec.settings.thresholds()));
        let horizon = i64::try_from(horizon.as_secs()).unwrap_or(i64::MAX);
        verdict = check::with_forecast(verdict, fc.as_ref(), horizon, now);
    }
    if audit && rec.record_type == RecordType::Instance {
        verdict = check::with_advisories(verdict, &advisory_hits(&store, rec.reference())?);
    }
    if maintenance != InMaintenance::Ignore
        && let Some(window) = store.maintenance_at(rec.key(), now)?
    {
        verdict = check::with_maintenance(
            verdict,
            window.until,
            &local(window.until),
            window.reason.as_deref(),
            maintenance == InMaintenance::Warn,
        );
    }
    Ok(verdict)
}

/// The advisories that affect the instance named `reference` (none when it is not audited:
/// not Dolibarr, or disabled).
fn advisory_hits(store: &Store, reference: &str) -> Result<Vec<AdvisoryHit>> {
    let done = super::audit::audited(store, &[], None)?;
    Ok(done
        .audit
        .findings
        .iter()
        .filter(|f| done.subjects[f.subject].reference == reference)
        .map(|f| AdvisoryHit {
            id: done.advisories[f.advisory].id.clone(),
            severity: done.advisories[f.advisory].severity,
            fixed_in: f.fixed_in.as_deref().map(str::to_string),
        })
        .collect())
}
