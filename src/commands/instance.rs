//! `webhost instance ...`.

use anyhow::Result;

use super::{Context, record};
use crate::cli::{InstanceAdd, InstanceCommand, InstanceEdit};
use crate::error::invalid;
use crate::exit_code::Exit;
use crate::model::{ApiKind, RecordType::Host, RecordType::Instance};
use crate::store::{Settings, Store};
use crate::{time, validate};

pub fn run(ctx: &Context, cmd: InstanceCommand) -> Result<Exit> {
    match cmd {
        InstanceCommand::Add(a) => add(ctx, a),
        InstanceCommand::List(a) => record::list(ctx, Instance, &a),
        InstanceCommand::Show(a) => record::show(ctx, Instance, &a),
        InstanceCommand::Edit(a) => edit(ctx, a),
        InstanceCommand::Remove(a) => record::remove(ctx, Instance, &a),
        InstanceCommand::Enable(a) => record::set_enabled(ctx, Instance, &a.reference, true),
        InstanceCommand::Disable(a) => record::set_enabled(ctx, Instance, &a.reference, false),
    }
}

/// Looks up the host an instance names: its id and kind.
fn resolve_host(store: &Store, host: Option<&str>) -> Result<(Option<i64>, Option<ApiKind>)> {
    match host {
        None => Ok((None, None)),
        Some(h) => {
            let rec = store.get(Host, h)?;
            Ok((Some(rec.id), Some(rec.settings.kind)))
        }
    }
}

fn add(ctx: &Context, a: InstanceAdd) -> Result<Exit> {
    let mut settings = Settings {
        remote_name: a
            .remote_name
            .or_else(|| (a.api == ApiKind::ServerManagerV1).then(|| a.reference.clone())),
        reference: a.reference,
        label: a.label.filter(|l| !l.is_empty()),
        kind: a.api,
        url: a.url,
        token: record::read_token(&a.token)?,
        probe: a.probe.unwrap_or_default(),
        enabled: !a.disabled,
        insecure_tls: a.insecure_tls,
        host_id: None,
        disk_warn: None,
        disk_crit: None,
        cert_warn_days: None,
        cert_crit_days: None,
    };
    // What can be checked without the database is checked first (nothing gets created).
    let pre_host_kind = a.host.as_ref().map(|_| ApiKind::ServerManagerV1);
    validate::settings(Instance, &settings, pre_host_kind)?;
    let mut store = ctx.open_store()?;
    let (host_id, host_kind) = resolve_host(&store, a.host.as_deref())?;
    settings.host_id = host_id;
    validate::settings(Instance, &settings, host_kind)?;
    store.insert(Instance, &settings, time::now())?;
    ctx.out
        .note(format!("added instance '{}'", settings.reference));
    Ok(Exit::Success)
}

fn edit(ctx: &Context, a: InstanceEdit) -> Result<Exit> {
    if record::common_edit_is_empty(&a.common)
        && a.host.is_none()
        && !a.no_host
        && a.remote_name.is_none()
    {
        return Err(invalid(
            "nothing to change: give at least one option (see `webhost instance edit --help`)",
        ));
    }
    let mut store = ctx.open_store()?;
    let rec = store.get(Instance, &a.reference)?;
    let mut s = rec.settings.clone();
    record::apply_common_edit(&mut s, &a.common)?;
    if let Some(n) = &a.remote_name {
        s.remote_name = Some(n.clone());
    }
    let host_kind = if a.no_host {
        s.host_id = None;
        None
    } else if a.host.is_some() {
        let (id, kind) = resolve_host(&store, a.host.as_deref())?;
        s.host_id = id;
        kind
    } else {
        match &rec.host_ref {
            Some(h) => resolve_host(&store, Some(h))?.1,
            None => None,
        }
    };
    if s.kind == ApiKind::ServerManagerV1 && s.remote_name.is_none() {
        s.remote_name = Some(s.reference.clone());
    }
    validate::settings(Instance, &s, host_kind)?;
    store.update_settings(Instance, rec.id, &s)?;
    ctx.out.note(format!("updated instance '{}'", s.reference));
    Ok(Exit::Success)
}
