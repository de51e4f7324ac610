//! `webhost prune --older-than 90d`.

use std::time::Duration;

use anyhow::Result;

use super::{Context, Outcome};

pub fn run(ctx: &Context, older_than: Duration) -> Result<Outcome> {
    let mut store = ctx.write_store()?;
    let cutoff = ctx.now() - older_than.as_secs() as i64;
    let pruned = store.prune(cutoff)?;
    ctx.out.pruned(&pruned)?;
    Ok(Outcome::Done)
}
