//! `webhost host show` and `webhost instance show`.

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::model::RecordType;

pub fn run(ctx: &Context, rt: RecordType, reference: &str, show_token: bool) -> Result<Outcome> {
    let store = if show_token {
        ctx.read_store_with_tokens()?
    } else {
        ctx.read_store()?
    };
    let mut rec = store.get(rt, reference)?;
    store.mark_maintenance(std::slice::from_mut(&mut rec), ctx.now())?;
    let modules = match rt {
        RecordType::Instance => Some(store.modules(rec.id)?),
        RecordType::Host => None,
    };
    let now = ctx.now();
    let uptime = store.uptime_windows(rt, rec.id, now)?;
    ctx.out
        .record_detail(&rec, modules.as_deref(), uptime, show_token, now)?;
    Ok(Outcome::Done)
}
