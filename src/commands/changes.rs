//! `webhost changes`: inventory changes across the fleet.

use std::time::Duration;

use anyhow::Result;

use super::Context;
use crate::exit::Exit;

pub fn run(ctx: &Context, since: Duration) -> Result<Exit> {
    let store = ctx.open_store()?;
    let since = ctx.now() - since.as_secs() as i64;
    let changes = store.inventory_changes(since)?;
    ctx.out.inventory_changes(&changes)?;
    Ok(Exit::Success)
}
