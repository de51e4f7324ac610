//! `webhost host add` and `webhost instance add`.

use std::path::Path;

use anyhow::Result;

use super::{Context, Outcome, TokenSource};
use crate::domain::error::invalid;
use crate::domain::model::{ApiKind, RecordType, Settings};
use crate::domain::validate;
use crate::output::Done;
use crate::poll;

/// Adds a record of type `rt` with `settings`; an instance may name its `host`.
pub fn run(
    ctx: &Context,
    rt: RecordType,
    mut settings: Settings,
    token: Option<&TokenSource>,
    host: Option<&str>,
) -> Result<Outcome> {
    if let Some(source) = token {
        settings.token = Some(source.read()?);
    }
    settings.label = settings.label.filter(|l| !l.is_empty());
    if rt == RecordType::Instance && settings.kind == ApiKind::ServerManagerV1 {
        // Asked for by its folder name, which is usually its ref.
        settings
            .remote_name
            .get_or_insert_with(|| settings.reference.clone());
    }
    // What can be checked without the database is checked first (nothing gets created).
    let assumed_host_kind = host.map(|_| ApiKind::ServerManagerV1);
    validate::settings(rt, &settings, assumed_host_kind)?;
    if let Some(path) = &settings.ca_file {
        poll::check_ca_file(Path::new(path)).map_err(invalid)?;
    }
    let mut store = ctx.create_store()?;
    let host_kind = match host {
        None => None,
        Some(h) => {
            let rec = store.get(RecordType::Host, h)?;
            settings.host_id = Some(rec.id);
            Some(rec.settings.kind)
        }
    };
    validate::settings(rt, &settings, host_kind)?;
    store.insert(rt, &settings, ctx.now())?;
    ctx.out.done(
        &Done::record("added", rt, &settings.reference),
        format!("added {rt} '{}'", settings.reference),
    )?;
    Ok(Outcome::Done)
}
