//! `webhost host remove` and `webhost instance remove`.

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::discovery;
use crate::domain::error::{Error, invalid};
use crate::domain::model::RecordType;
use crate::domain::units::plural;
use crate::output::Done;

/// What to remove, and how.
#[derive(Debug, Clone, Copy, Default)]
pub struct Removal {
    /// A host: delete its instances too.
    pub cascade: bool,
    /// An instance: leave no tombstone, so that its host's discovery may add it again (and
    /// clear the tombstones earlier removals of this ref left).
    pub forget: bool,
}

/// Deletes a record and its history; a host with instances only with `cascade`, which
/// deletes them too. An instance its host's discovery would create again leaves a tombstone
/// that keeps it out, unless `forget`.
pub fn run(ctx: &Context, rt: RecordType, reference: &str, how: Removal) -> Result<Outcome> {
    let mut store = ctx.write_store()?;
    let rec = match store.get(rt, reference) {
        Ok(rec) => rec,
        Err(e) if how.forget && matches!(e.downcast_ref(), Some(Error::NotFound(_))) => {
            // Removed before: forgetting it is all there is left to do.
            if store.forget_removed(reference)? == 0 {
                return Err(e);
            }
            ctx.out.done(
                &Done::record("forgotten", RecordType::Instance, reference),
                format!(
                    "forgot that instance '{reference}' was removed: its host's next pass adds \
                     it again if its server lists it"
                ),
            )?;
            return Ok(Outcome::Done);
        }
        Err(e) => return Err(e),
    };
    let mut also = Vec::new();
    let mut stone = None;
    match rt {
        RecordType::Host => {
            also = store.instances_of_host(rec.id)?;
            if !also.is_empty() && !how.cascade {
                return Err(invalid(format!(
                    "host '{reference}' still has {}: {}; remove or move them first, or pass --cascade to delete them too",
                    plural(also.len() as u64, "instance"),
                    also.join(", ")
                )));
            }
        }
        RecordType::Instance => {
            if how.forget {
                store.forget_removed(reference)?;
            } else if let Some(host) = rec.host_ref.as_deref() {
                let host = store.get(RecordType::Host, host)?;
                stone = discovery::tombstone(&rec, host.settings.kind)
                    .map(|s| (s, host.settings.reference));
            }
        }
    }
    let now = ctx.now();
    store.remove(
        rt,
        rec.id,
        how.cascade,
        stone.as_ref().map(|(s, _)| (s, now)),
    )?;
    let removed = format!("removed {rt} '{reference}' and its history");
    let note = match &stone {
        None => removed,
        Some((stone, host)) => {
            let listed = match stone.listed {
                true => "its server still lists it: ",
                false => "",
            };
            format!(
                "{removed}; {listed}update-hosts will not add it again while host '{host}' \
                 lists '{}' (`webhost instance remove {reference} --forget` lets it; `webhost \
                 instance disable` keeps a record without checking it)",
                stone.remote_name
            )
        }
    };
    let done = Done {
        removed_instances: (rt == RecordType::Host).then_some(also.as_slice()),
        tombstone: (rt == RecordType::Instance).then_some(stone.is_some()),
        ..Done::record("removed", rt, reference)
    };
    ctx.out.done(&done, note)?;
    if !also.is_empty() {
        ctx.out
            .note(format!("removed its instances too: {}", also.join(", ")));
    }
    Ok(Outcome::Done)
}
