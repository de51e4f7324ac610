//! `webhost modules`: the module inventory across instances, from the store only.

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::model::RecordType;
use crate::domain::query::ModuleFilter;
use crate::domain::version::{self, Version};

/// The modules `filter` selects, those older than `version_below` only when given; one row per
/// instance and module with `flat`, else grouped by module and version.
pub fn run(
    ctx: &Context,
    filter: &ModuleFilter,
    version_below: Option<&Version>,
    flat: bool,
) -> Result<Outcome> {
    let store = ctx.read_store()?;
    for r in &filter.instances {
        store.get(RecordType::Instance, r)?; // a typo is an error, not an empty list
    }
    let mut modules = store.installed_modules(filter)?;
    if let Some(limit) = version_below {
        modules.retain(|m| version::is_below(m.effective_version(), limit));
    }
    if flat {
        ctx.out.modules_flat(&modules)
    } else {
        ctx.out.modules_grouped(&modules)
    }?;
    Ok(Outcome::Done)
}
