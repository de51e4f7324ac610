//! `webhost history REF`: a record's checks and status changes.

use anyhow::Result;

use super::Context;
use crate::cli::HistoryArgs;
use crate::exit_code::Exit;
use crate::output::history::{ChangeLine, History};
use crate::time;

pub fn run(ctx: &Context, args: &HistoryArgs) -> Result<Exit> {
    let store = ctx.open_store()?;
    let rec = super::record::resolve(&store, &args.reference, args.host, args.instance)?;
    let now = time::now();
    let since = now - args.since.as_secs() as i64;
    let rt = rec.record_type;
    let checks = store.checks(rt, rec.id, since, args.limit)?;
    let changes = store.state_changes(rt, rec.id, since)?;
    // How long each previous state lasted: from the change before it (maybe before the window).
    let mut began = match changes.first() {
        Some(c) => store.status_began(rt, rec.id, c.at)?,
        None => None,
    };
    let mut lines = Vec::with_capacity(changes.len());
    for c in changes {
        lines.push(ChangeLine {
            lasted_seconds: began.map(|b| c.at - b),
            change: c,
        });
        began = lines.last().map(|l| l.change.at);
    }
    let uptime = store.uptime(rt, rec.id, since, now)?.percent();
    ctx.out.history(
        &History {
            record: &rec,
            since,
            uptime_percent: uptime,
            checks,
            changes: lines,
        },
        now,
    )?;
    Ok(Exit::Success)
}
