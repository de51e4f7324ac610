//! `webhost host enable|disable` and `webhost instance enable|disable`.

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::model::RecordType;
use crate::output::Done;

pub fn run(ctx: &Context, rt: RecordType, reference: &str, enabled: bool) -> Result<Outcome> {
    let mut store = ctx.write_store()?;
    if !store.set_enabled(rt, reference, enabled)? {
        store.get(rt, reference)?; // gives the clear "not found" error
    }
    let (word, action) = if enabled {
        ("on", "enabled")
    } else {
        ("off", "disabled")
    };
    ctx.out.done(
        &Done::record(action, rt, reference),
        format!("monitoring {word} for {rt} '{reference}'"),
    )?;
    Ok(Outcome::Done)
}
