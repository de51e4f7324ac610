//! `webhost changes`: inventory changes across the fleet.

use std::time::Duration;

use anyhow::Result;

use super::{Context, Outcome};

pub fn run(ctx: &Context, since: Duration) -> Result<Outcome> {
    let store = ctx.read_store()?;
    let since = ctx.now() - since.as_secs() as i64;
    let changes = store.inventory_changes(since)?;
    ctx.out.inventory_changes(&changes)?;
    Ok(Outcome::Done)
}
