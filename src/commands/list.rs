//! `webhost host list` and `webhost instance list`.

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::health::Health;
use crate::domain::model::RecordType;
use crate::domain::query::Filter;

pub fn run(
    ctx: &Context,
    rt: RecordType,
    filter: &Filter,
    health: Option<Health>,
    with_uptime: bool,
) -> Result<Outcome> {
    let store = ctx.read_store()?;
    let now = ctx.now();
    let mut records = store.list(rt, filter)?;
    store.mark_maintenance(&mut records, now)?;
    if let Some(h) = health {
        records.retain(|r| r.health(now).health == h);
    }
    let uptimes = if with_uptime {
        let u = records
            .iter()
            .map(|r| store.uptime_windows(rt, r.id, now))
            .collect::<Result<Vec<_>>>()?;
        Some(u)
    } else {
        None
    };
    ctx.out.records(rt, &records, uptimes.as_deref(), now)?;
    if records.is_empty() {
        // Nothing matched, or there is nothing to match: the hints differ.
        let stored = store.count(rt, &Filter::default())?;
        ctx.out.nothing_listed(rt, stored, &ctx.db);
    }
    Ok(Outcome::Done)
}
