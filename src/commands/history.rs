//! `webhost history REF`: a record's checks and status changes.

use std::time::Duration;

use anyhow::Result;

use super::{Context, Outcome, Which};
use crate::domain::history;
use crate::output::history::History;

pub fn run(ctx: &Context, which: &Which, since: Duration, limit: usize) -> Result<Outcome> {
    let store = ctx.read_store()?;
    let rec = which.find(&store)?;
    let now = ctx.now();
    let since = now - since.as_secs() as i64;
    let rt = rec.record_type;
    let checks = store.checks(rt, rec.id, since, limit)?;
    let changes = store.state_changes(rt, rec.id, since)?;
    // How long each previous state lasted: from the change before it (maybe before the window).
    let began = match changes.first() {
        Some(c) => store.status_began(rt, rec.id, c.at)?,
        None => None,
    };
    let uptime = store.uptime(rt, rec.id, since, now)?.percent();
    ctx.out.history(
        &History {
            record: &rec,
            since,
            uptime_percent: uptime,
            checks,
            changes: history::durations(changes, began),
        },
        now,
    )?;
    Ok(Outcome::Done)
}
