//! `webhost prune --older-than 90d`.

use anyhow::Result;

use super::Context;
use crate::cli::PruneArgs;
use crate::exit_code::Exit;
use crate::time;

pub fn run(ctx: &Context, args: &PruneArgs) -> Result<Exit> {
    let mut store = ctx.open_store()?;
    let cutoff = time::now() - args.older_than.as_secs() as i64;
    let pruned = store.prune(cutoff)?;
    ctx.out.pruned(&pruned)?;
    Ok(Exit::Success)
}
