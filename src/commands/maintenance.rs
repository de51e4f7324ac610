//! `webhost maintenance add|list|remove`: planned windows during which records raise no alert.

use anyhow::Result;
use jiff::tz::TimeZone;

use super::{Context, Outcome, Which};
use crate::domain::error::{invalid, not_found};
use crate::domain::maintenance::{self, Every, Timing};
use crate::domain::model::{RecordKey, RecordType};
use crate::store::NewWindow;

/// What `maintenance add` was asked for, as typed.
#[derive(Debug, Clone)]
pub struct Add<'a> {
    pub refs: &'a [String],
    pub host: Option<&'a str>,
    pub all: bool,
    pub from: Option<&'a str>,
    pub until: Option<&'a str>,
    pub duration: Option<std::time::Duration>,
    pub every: Option<&'a str>,
    pub reason: Option<&'a str>,
}

pub fn add(ctx: &Context, a: &Add) -> Result<Outcome> {
    let now = ctx.now();
    // TZ, or the system's zone: what the user's times mean.
    let tz = TimeZone::system();
    let seconds = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    let timing = match a.every {
        Some(every) => {
            let every = Every::parse(every).map_err(invalid)?;
            let duration = a.duration.map(seconds).unwrap_or(0);
            if duration <= 0 || duration > every.period() {
                return Err(invalid(format!(
                    "--for must be more than 0 and at most {} for --every '{every}'",
                    if every.day.is_some() { "7d" } else { "1d" }
                )));
            }
            Timing::Every {
                every,
                duration,
                tz,
            }
        }
        None => {
            let from = match a.from {
                Some(t) => maintenance::parse_time(t, &tz, now).map_err(invalid)?,
                None => now,
            };
            let until = match (a.until, a.duration) {
                (Some(t), _) => maintenance::parse_time(t, &tz, now).map_err(invalid)?,
                (None, Some(d)) => from.saturating_add(seconds(d)),
                (None, None) => {
                    return Err(invalid(
                        "a one-off window needs its end: --until TIME or --for DURATION",
                    ));
                }
            };
            if until <= from {
                return Err(invalid("the window ends before it starts"));
            }
            Timing::Once { from, until }
        }
    };
    let mut store = ctx.write_store()?;
    let records: Option<Vec<RecordKey>> = if a.all {
        None
    } else if let Some(host) = a.host {
        Some(vec![store.get(RecordType::Host, host)?.key()])
    } else {
        let mut keys = Vec::new();
        for r in a.refs {
            // `Which` would suggest --host/--instance, which mean otherwise here.
            if store.find(RecordType::Host, r)?.is_some()
                && store.find(RecordType::Instance, r)?.is_some()
            {
                return Err(invalid(format!(
                    "both a host and an instance are named '{r}': --host {r} covers the host \
                     and its instances"
                )));
            }
            let which = Which {
                reference: r.clone(),
                record_type: None,
            };
            let key = which.find(&store)?.key();
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        Some(keys)
    };
    let reason = a.reason.map(str::trim).filter(|r| !r.is_empty());
    let id = store.add_maintenance(
        &NewWindow {
            records: records.as_deref(),
            timing: &timing,
            reason,
        },
        now,
    )?;
    let window = store
        .maintenance_windows()?
        .into_iter()
        .find(|w| w.id == id)
        .ok_or_else(|| anyhow::anyhow!("maintenance window #{id} vanished"))?;
    ctx.out.maintenance_done("added", &window, now)?;
    Ok(Outcome::Done)
}

pub fn list(ctx: &Context) -> Result<Outcome> {
    let store = ctx.read_store()?;
    ctx.out
        .maintenance_list(&store.maintenance_windows()?, ctx.now())?;
    Ok(Outcome::Done)
}

pub fn remove(ctx: &Context, id: i64) -> Result<Outcome> {
    let mut store = ctx.write_store()?;
    let window = store
        .maintenance_windows()?
        .into_iter()
        .find(|w| w.id == id)
        .ok_or_else(|| {
            not_found(format!(
                "no maintenance window #{id} (see `webhost maintenance list`)"
            ))
        })?;
    store.remove_maintenance(id)?;
    ctx.out.maintenance_done("removed", &window, ctx.now())?;
    Ok(Outcome::Done)
}
