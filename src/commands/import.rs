//! `webhost import`.

use std::io::Read;
use std::path::Path;

use anyhow::{Context as _, Result};

use super::{Context, Outcome};
use crate::domain::error::invalid;
use crate::domain::model::{RecordType, Upsert};
use crate::domain::query::Filter;
use crate::domain::units::plural;
use crate::transfer::{self, Action, Row};

/// Creates or updates the records `file` holds (`-`: standard input), all or nothing.
pub fn run(ctx: &Context, file: &Path, dry_run: bool) -> Result<Outcome> {
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
    let parsed = transfer::parse(&text, format).map_err(|p| {
        ctx.out.import_problems(&name, std::slice::from_ref(&p));
        invalid(format!(
            "{name} is not a webhost export; nothing was written"
        ))
    })?;

    // A database that does not exist yet has no records; bad input must not create it.
    let mut existing = Vec::new();
    if ctx.db.exists() {
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

    if !dry_run {
        let items: Vec<Upsert> = planned
            .iter()
            .filter(|p| p.action != Action::Unchanged)
            .map(|p| Upsert {
                record_type: p.row.record_type,
                settings: p.row.settings(),
                host: p.row.host.clone(),
                discovered: p.row.discovered,
            })
            .collect();
        if !items.is_empty() {
            ctx.create_store()?.import(&items, ctx.now())?;
        }
    }
    ctx.out.import(&planned, dry_run)?;
    Ok(Outcome::Done)
}
