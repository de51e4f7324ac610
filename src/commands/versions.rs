//! `webhost versions`: instances per Dolibarr version, from the store only.

use anyhow::Result;

use super::{Context, Outcome};

pub fn run(ctx: &Context) -> Result<Outcome> {
    let store = ctx.read_store()?;
    let instances = store.instance_versions()?;
    ctx.out.dolibarr_versions(&instances, &ctx.db)?;
    Ok(Outcome::Done)
}
