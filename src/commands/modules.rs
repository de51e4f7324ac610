//! `webhost modules`: the module inventory across instances, from the store only.

use anyhow::Result;

use super::Context;
use crate::cli::ModulesArgs;
use crate::exit_code::Exit;
use crate::model::RecordType;
use crate::store::ModuleFilter;
use crate::version;

pub fn run(ctx: &Context, args: &ModulesArgs) -> Result<Exit> {
    let store = ctx.open_store()?;
    for r in &args.instances {
        store.get(RecordType::Instance, r)?; // a typo is an error, not an empty list
    }
    let filter = ModuleFilter {
        name: args.name.clone(),
        active_only: args.active,
        instances: args.instances.clone(),
    };
    let mut modules = store.installed_modules(&filter)?;
    if let Some(limit) = &args.version_below {
        modules.retain(|m| version::is_below(m.effective_version(), limit));
    }
    if args.flat {
        ctx.out.modules_flat(&modules)
    } else {
        ctx.out.modules_grouped(&modules)
    }?;
    Ok(Exit::Success)
}
