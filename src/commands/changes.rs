//! `webhost changes`: inventory changes across the fleet.

use anyhow::Result;

use super::Context;
use crate::cli::SinceArgs;
use crate::exit_code::Exit;
use crate::time;

pub fn run(ctx: &Context, args: &SinceArgs) -> Result<Exit> {
    let store = ctx.open_store()?;
    let since = time::now() - args.since.as_secs() as i64;
    let changes = store.inventory_changes(since)?;
    ctx.out.inventory_changes(&changes)?;
    Ok(Exit::Success)
}
