//! `webhost versions`: instances per Dolibarr version, from the store only.

use anyhow::Result;

use super::Context;
use crate::exit::Exit;

pub fn run(ctx: &Context) -> Result<Exit> {
    let store = ctx.open_store()?;
    let instances = store.instance_versions()?;
    ctx.out.dolibarr_versions(&instances)?;
    Ok(Exit::Success)
}
