//! `webhost import`.

use std::io::Read;
use std::path::Path;

use anyhow::{Context as _, Result};

use super::{Context, Outcome};
use crate::domain::error::invalid;
use crate::domain::model::{RecordType, Upsert};
use crate::domain::query::Filter;
use crate::domain::units::plural;
use crate::transfer::{self, Action, Row, TokenFrom};

/// How an import applies its file.
#[derive(Debug, Clone, Copy, Default)]
pub struct How {
    pub dry_run: bool,
    /// The file is the whole fleet: records it does not name are disabled...
    pub sync: bool,
    /// ...or removed.
    pub prune: bool,
}

/// Creates or updates the records `file` holds (`-`: standard input), all or nothing.
pub fn run(ctx: &Context, file: &Path, how: &How) -> Result<Outcome> {
    let dry_run = how.dry_run;
    let stdin = file.as_os_str() == "-";
    let (name, text) = if stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input as UTF-8 text")?;
        ("stdin".to_string(), text)
    } else {
        let text = std::fs::read_to_string(file)
            .map_err(|e| invalid(format!("cannot read {}: {e}", file.display())))?;
        (file.display().to_string(), text)
    };
    let format = transfer::detect((!stdin).then_some(name.as_str()), &text);
    let mut parsed = transfer::parse(&text, format).map_err(|p| {
        ctx.out.import_problems(&name, std::slice::from_ref(&p));
        invalid(format!(
            "{name} is not a webhost export; nothing was written"
        ))
    })?;

    // A fleet file names where each token is: read now, so the plan compares real tokens.
    let base = file.parent().unwrap_or(Path::new("."));
    for p in &mut parsed {
        if let Ok(row) = &mut p.row
            && let Some(from) = row.token_from.take()
        {
            match read_token(&from, base) {
                Ok(token) => row.token = Some(token),
                Err(why) => p.row = Err(vec![why]),
            }
        }
    }
    // A database that does not exist yet has no records; bad input must not create it. (A
    // server's database exists: its schema is made by the first writer.)
    let mut existing = Vec::new();
    if crate::store::is_server(&ctx.db) || ctx.db.exists() {
        let store = ctx.write_store()?;
        for rt in RecordType::ALL {
            for r in store.list(rt, &Filter::default())? {
                existing.push(Row::from_record(&r, true));
            }
        }
    }
    let planned = transfer::plan(parsed, &existing).map_err(|problems| {
        ctx.out.import_problems(&name, &problems);
        let mut lines: Vec<u64> = problems.iter().map(|p| p.at.line).collect();
        lines.dedup();
        invalid(format!(
            "{name}: {} refused (see above); nothing was written",
            plural(lines.len() as u64, "row")
        ))
    })?;

    let mut planned = planned;
    if how.sync {
        let mut left = transfer::sync(&planned, &existing, how.prune).map_err(|problems| {
            ctx.out.import_problems(&name, &problems);
            invalid(format!(
                "{name}: --prune would strand instances (see above); nothing was written"
            ))
        })?;
        planned.append(&mut left);
    }
    if !dry_run {
        let gone: Vec<(RecordType, String)> = planned
            .iter()
            .filter(|p| p.action == Action::Removed)
            .map(|p| (p.row.record_type, p.row.reference.clone()))
            .collect();
        let items: Vec<Upsert> = planned
            .iter()
            .filter(|p| {
                matches!(
                    p.action,
                    Action::Created | Action::Updated | Action::Disabled
                )
            })
            .map(|p| Upsert {
                record_type: p.row.record_type,
                settings: p.row.settings(),
                host: p.row.host.clone(),
                discovered: p.row.discovered,
            })
            .collect();
        if !items.is_empty() || !gone.is_empty() {
            ctx.create_store()?.import(&items, &gone, ctx.now())?;
        }
    }
    ctx.out.import(&planned, dry_run)?;
    Ok(Outcome::Done)
}

/// A token from the file a fleet file names (relative to the fleet file's folder; its first
/// line, so a trailing newline is not part of it) or from the environment.
fn read_token(from: &TokenFrom, base: &Path) -> Result<String, String> {
    let token = match from {
        TokenFrom::File(path) => {
            let path = base.join(path);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("token_file {}: {e}", path.display()))?;
            text.lines().next().unwrap_or("").trim().to_string()
        }
        TokenFrom::Env(name) => std::env::var(name)
            .map_err(|_| format!("token_env {name}: not set in the environment"))?,
    };
    match token.is_empty() {
        true => Err(match from {
            TokenFrom::File(path) => format!("token_file {path}: empty"),
            TokenFrom::Env(name) => format!("token_env {name}: empty"),
        }),
        false => Ok(token),
    }
}
