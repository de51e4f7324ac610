//! `webhost host ...`.

use anyhow::Result;

use super::{Context, record};
use crate::cli::{HostAdd, HostCommand, HostEdit};
use crate::error::invalid;
use crate::exit_code::Exit;
use crate::model::RecordType::Host;
use crate::store::Settings;
use crate::{time, validate};

pub fn run(ctx: &Context, cmd: HostCommand) -> Result<Exit> {
    match cmd {
        HostCommand::Add(a) => add(ctx, a),
        HostCommand::List(a) => record::list(ctx, Host, &a),
        HostCommand::Show(a) => record::show(ctx, Host, &a),
        HostCommand::Edit(a) => edit(ctx, a),
        HostCommand::Remove(a) => record::remove(ctx, Host, &a),
        HostCommand::Enable(a) => record::set_enabled(ctx, Host, &a.reference, true),
        HostCommand::Disable(a) => record::set_enabled(ctx, Host, &a.reference, false),
    }
}

fn add(ctx: &Context, a: HostAdd) -> Result<Exit> {
    let settings = Settings {
        reference: a.reference,
        label: a.label.filter(|l| !l.is_empty()),
        kind: a.api,
        url: Some(a.url),
        token: record::read_token(&a.token)?,
        probe: a.probe.unwrap_or_default(),
        enabled: !a.disabled,
        insecure_tls: a.insecure_tls,
        host_id: None,
        remote_name: None,
        disk_warn: None,
        disk_crit: None,
        cert_warn_days: None,
        cert_crit_days: None,
    };
    // Validate before opening the store, so bad input never creates or touches a database.
    validate::settings(Host, &settings, None)?;
    let mut store = ctx.open_store()?;
    store.insert(Host, &settings, time::now())?;
    ctx.out.note(format!("added host '{}'", settings.reference));
    Ok(Exit::Success)
}

fn edit(ctx: &Context, a: HostEdit) -> Result<Exit> {
    if record::common_edit_is_empty(&a.common) {
        return Err(invalid(
            "nothing to change: give at least one option (see `webhost host edit --help`)",
        ));
    }
    let mut store = ctx.open_store()?;
    let rec = store.get(Host, &a.reference)?;
    let mut s = rec.settings.clone();
    record::apply_common_edit(&mut s, &a.common)?;
    validate::settings(Host, &s, None)?;
    store.update_settings(Host, rec.id, &s)?;
    ctx.out.note(format!("updated host '{}'", s.reference));
    Ok(Exit::Success)
}
