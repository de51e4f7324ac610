//! `webhost host remove` and `webhost instance remove`.

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::error::invalid;
use crate::domain::model::RecordType;
use crate::domain::units::plural;

/// Deletes a record and its history; a host with instances only with `cascade`, which
/// deletes them too.
pub fn run(ctx: &Context, rt: RecordType, reference: &str, cascade: bool) -> Result<Outcome> {
    let mut store = ctx.write_store()?;
    let rec = store.get(rt, reference)?;
    let mut also = Vec::new();
    if rt == RecordType::Host {
        also = store.instances_of_host(rec.id)?;
        if !also.is_empty() && !cascade {
            return Err(invalid(format!(
                "host '{reference}' still has {}: {}; remove or move them first, or pass --cascade to delete them too",
                plural(also.len() as u64, "instance"),
                also.join(", ")
            )));
        }
    }
    store.remove(rt, rec.id, cascade)?;
    ctx.out
        .note(format!("removed {rt} '{reference}' and its history"));
    if !also.is_empty() {
        ctx.out
            .note(format!("removed its instances too: {}", also.join(", ")));
    }
    Ok(Outcome::Done)
}
