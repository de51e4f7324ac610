//! What `host` and `instance` subcommands share: list, show, remove, enable/disable, tokens, edits.

use std::io::BufRead;

use anyhow::{Context as _, Result};

use super::Context;
use crate::cli::{CommonEdit, ListArgs, RemoveArgs, ShowArgs, TokenArgs};
use crate::error::invalid;
use crate::exit_code::Exit;
use crate::model::RecordType;
use crate::store::{Filter, Record, Settings, Store};
use crate::time;

pub fn list(ctx: &Context, rt: RecordType, args: &ListArgs) -> Result<Exit> {
    let store = ctx.open_store()?;
    let enabled = match (args.enabled, args.disabled) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let filter = Filter {
        host: args.host.clone(),
        status: args.status,
        enabled,
        refs: Vec::new(),
    };
    let now = time::now();
    let mut records = store.list(rt, &filter)?;
    if let Some(h) = args.health {
        records.retain(|r| r.health(now).health == h);
    }
    let uptimes = if args.uptime {
        let u = records
            .iter()
            .map(|r| store.uptime_windows(rt, r.id, now))
            .collect::<Result<Vec<_>>>()?;
        Some(u)
    } else {
        None
    };
    ctx.out.records(rt, &records, uptimes.as_deref(), now)?;
    Ok(Exit::Success)
}

pub fn show(ctx: &Context, rt: RecordType, args: &ShowArgs) -> Result<Exit> {
    let store = ctx.open_store()?;
    let rec = store.get(rt, &args.reference)?;
    let modules = match rt {
        RecordType::Instance => Some(store.modules(rec.id)?),
        RecordType::Host => None,
    };
    let now = time::now();
    let uptime = store.uptime_windows(rt, rec.id, now)?;
    ctx.out
        .record_detail(&rec, modules.as_deref(), uptime, args.show_token, now)?;
    Ok(Exit::Success)
}

pub fn remove(ctx: &Context, rt: RecordType, args: &RemoveArgs) -> Result<Exit> {
    let mut store = ctx.open_store()?;
    let rec = store.get(rt, &args.reference)?;
    let mut also = Vec::new();
    if rt == RecordType::Host {
        also = store.instances_of_host(rec.id)?;
        if !also.is_empty() && !args.cascade {
            return Err(invalid(format!(
                "host '{}' still has {} instance(s): {}; remove or move them first, or pass --cascade to delete them too",
                args.reference,
                also.len(),
                also.join(", ")
            )));
        }
    }
    store.remove(rt, rec.id, args.cascade)?;
    ctx.out
        .note(format!("removed {rt} '{}' and its history", args.reference));
    if !also.is_empty() {
        ctx.out
            .note(format!("removed its instances too: {}", also.join(", ")));
    }
    Ok(Exit::Success)
}

pub fn set_enabled(ctx: &Context, rt: RecordType, reference: &str, enabled: bool) -> Result<Exit> {
    let mut store = ctx.open_store()?;
    if !store.set_enabled(rt, reference, enabled)? {
        store.get(rt, reference)?; // gives the clear "not found" error
    }
    let word = if enabled { "on" } else { "off" };
    ctx.out
        .note(format!("monitoring {word} for {rt} '{reference}'"));
    Ok(Exit::Success)
}

/// The token from whichever source was given; None when none was.
pub fn read_token(args: &TokenArgs) -> Result<Option<String>> {
    let first_line = |text: String| text.lines().next().unwrap_or("").trim().to_string();
    let token = if args.token_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the token from standard input")?;
        Some(first_line(line))
    } else if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| invalid(format!("cannot read token file {}: {e}", path.display())))?;
        Some(first_line(text))
    } else {
        args.token.clone()
    };
    Ok(token)
}

/// Applies the edits both record types share.
pub fn apply_common_edit(s: &mut Settings, edit: &CommonEdit) -> Result<()> {
    if let Some(r) = &edit.rename {
        s.reference = r.clone();
    }
    if let Some(k) = edit.api {
        s.kind = k;
    }
    if let Some(u) = &edit.url {
        s.url = Some(u.clone());
    }
    if let Some(t) = read_token(&edit.token)? {
        s.token = Some(t);
    }
    if edit.clear_token {
        s.token = None;
    }
    if let Some(l) = &edit.label {
        s.label = Some(l.clone()).filter(|l| !l.is_empty());
    }
    if let Some(p) = &edit.probe {
        s.probe = p.clone();
    }
    if let Some(b) = edit.insecure_tls {
        s.insecure_tls = b;
    }
    if let Some(l) = edit.disk_warn {
        s.disk_warn = l.into_option();
    }
    if let Some(l) = edit.disk_crit {
        s.disk_crit = l.into_option();
    }
    if let Some(l) = edit.cert_warn_days {
        s.cert_warn_days = l.into_option();
    }
    if let Some(l) = edit.cert_crit_days {
        s.cert_crit_days = l.into_option();
    }
    Ok(())
}

/// True when the edit changes nothing (so the user learns their command did nothing).
pub fn common_edit_is_empty(edit: &CommonEdit) -> bool {
    edit.rename.is_none()
        && edit.api.is_none()
        && edit.url.is_none()
        && !edit.token.token_stdin
        && edit.token.token_file.is_none()
        && edit.token.token.is_none()
        && !edit.clear_token
        && edit.label.is_none()
        && edit.probe.is_none()
        && edit.insecure_tls.is_none()
        && edit.disk_warn.is_none()
        && edit.disk_crit.is_none()
        && edit.cert_warn_days.is_none()
        && edit.cert_crit_days.is_none()
}

/// The record a ref names, asking for --host/--instance only when both exist.
pub fn resolve(store: &Store, reference: &str, host: bool, instance: bool) -> Result<Record> {
    if host {
        return store.get(RecordType::Host, reference);
    }
    if instance {
        return store.get(RecordType::Instance, reference);
    }
    match (
        store.find(RecordType::Instance, reference)?,
        store.find(RecordType::Host, reference)?,
    ) {
        (Some(_), Some(_)) => Err(invalid(format!(
            "both a host and an instance are named '{reference}': add --host or --instance"
        ))),
        (Some(r), None) | (None, Some(r)) => Ok(r),
        (None, None) => Err(crate::error::Error::NotFound(format!(
            "no host or instance named '{reference}'"
        ))
        .into()),
    }
}
