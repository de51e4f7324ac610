//! `webhost status`: the fleet in one screen, from the store only.

use std::time::Duration;

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::advisory::AuditCounts;
use crate::domain::model::RecordType;
use crate::domain::query::Filter;
use crate::domain::{config, fleet};

/// `stale`: a pass older than this means cron has stopped; `certs`: how many certificates to
/// list, soonest to expire first; `forecasts`: how many disks, soonest to reach a level first.
pub fn run(ctx: &Context, stale: Duration, certs: usize, forecasts: usize) -> Result<Outcome> {
    let store = ctx.read_store()?;
    let now = ctx.now();
    let mut hosts = store.list(RecordType::Host, &Filter::default())?;
    let mut instances = store.list(RecordType::Instance, &Filter::default())?;
    store.mark_maintenance(&mut hosts, now)?;
    store.mark_maintenance(&mut instances, now)?;
    let mut summary = fleet::summarize(
        [&hosts[..], &instances[..]],
        &store.last_passes()?,
        now,
        stale,
        certs,
        config::connectivity_check(&store.config_list()?),
    );
    if forecasts > 0 {
        let trends = store.disk_trends()?;
        summary.filling = fleet::filling(hosts.iter().chain(&instances), &trends, forecasts);
    }
    // Known vulnerabilities, once advisories were imported (else the fleet's modules are not
    // read for nothing).
    if store.has_advisories()? {
        let audited = super::audit::audited(&store, &[], None)?;
        if !audited.advisories.is_empty() {
            summary.advisories = Some(AuditCounts::of(&audited.audit, &audited.advisories));
        }
    }
    summary.pollers = store.pollers(now)?;
    ctx.out.fleet(&summary, now)?;
    Ok(Outcome::Done)
}
