//! `webhost host edit` and `webhost instance edit`.

use std::path::Path;

use anyhow::Result;

use super::{Context, Outcome, TokenSource};
use crate::domain::error::invalid;
use crate::domain::model::{ApiKind, Edit, RecordType};
use crate::domain::validate;
use crate::output::Done;
use crate::poll;

/// Changes the settings of the record `reference`. For an instance, `host` moves it
/// (`Some(Some(ref))`) or detaches it (`Some(None)`).
pub fn run(
    ctx: &Context,
    rt: RecordType,
    reference: &str,
    mut edit: Edit,
    token: Option<&TokenSource>,
    host: Option<Option<&str>>,
) -> Result<Outcome> {
    if edit.is_empty() && token.is_none() && host.is_none() {
        return Err(invalid(format!(
            "nothing to change: give at least one option (see `webhost {rt} edit --help`)"
        )));
    }
    if let Some(source) = token {
        edit.token = Some(Some(source.read()?));
    }
    if let Some(Some(path)) = &edit.ca_file {
        poll::check_ca_file(Path::new(path)).map_err(invalid)?;
    }
    let mut store = ctx.write_store()?;
    let rec = store.get(rt, reference)?;
    let mut s = rec.settings.clone();
    edit.apply(&mut s);
    let mut host_kind = None;
    if rt == RecordType::Instance {
        let host_ref = match host {
            Some(given) => given,
            None => rec.host_ref.as_deref(),
        };
        s.host_id = None;
        if let Some(h) = host_ref {
            let host = store.get(RecordType::Host, h)?;
            s.host_id = Some(host.id);
            host_kind = Some(host.settings.kind);
        }
        if s.kind == ApiKind::ServerManagerV1 && s.remote_name.is_none() {
            s.remote_name = Some(s.reference.clone());
        }
    }
    validate::settings(rt, &s, host_kind)?;
    store.update_settings(rt, rec.id, &s)?;
    ctx.out.done(
        &Done::record("edited", rt, &s.reference),
        format!("updated {rt} '{}'", s.reference),
    )?;
    Ok(Outcome::Done)
}
