//! `webhost prune --older-than 90d`.

use std::time::Duration;

use anyhow::Result;

use super::Context;
use crate::exit::Exit;

pub fn run(ctx: &Context, older_than: Duration) -> Result<Exit> {
    let mut store = ctx.open_store()?;
    let cutoff = ctx.now() - older_than.as_secs() as i64;
    let pruned = store.prune(cutoff)?;
    ctx.out.pruned(&pruned)?;
    Ok(Exit::Success)
}
