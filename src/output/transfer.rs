//! `export` and `import`: the exported file, what an import changed, and why a file was refused.

use super::{Col, cell};
use anyhow::Result;
use serde::Serialize;

use super::{Output, terminal_safe};
use crate::domain::model::RecordType;
use crate::domain::secret;
use crate::transfer::{self, Action, Format, Planned, Problem, Row};

/// One imported row in `--json`. Field names only: the token's value is never printed.
#[derive(Debug, Serialize)]
struct ImportView<'a> {
    #[serde(rename = "type")]
    record_type: RecordType,
    #[serde(rename = "ref")]
    reference: &'a str,
    action: Action,
    changed: &'a [&'static str],
}

impl Output {
    /// The exported records, in `format`, whatever `--json` says.
    pub fn export(&self, rows: &[Row], format: Format) -> Result<()> {
        match format {
            Format::Json => self.json(rows),
            Format::Csv => self.raw(&transfer::write_csv(rows)?),
            Format::Toml => self.raw(&transfer::write_toml(rows)?),
        }
    }

    /// What an import did (or, with `dry_run`, would do): the records it creates or updates,
    /// with the fields that change, and a totals line.
    pub fn import(&self, planned: &[Planned], dry_run: bool) -> Result<()> {
        if self.json {
            let views: Vec<ImportView> = planned
                .iter()
                .map(|p| ImportView {
                    record_type: p.row.record_type,
                    reference: &p.row.reference,
                    action: p.action,
                    changed: &p.changed,
                })
                .collect();
            return self.json(&views);
        }
        if self.quiet {
            return Ok(());
        }
        let count = |a: Action| planned.iter().filter(|p| p.action == a).count();
        let (created, updated, unchanged) = (
            count(Action::Created),
            count(Action::Updated),
            count(Action::Unchanged),
        );
        let mut t = self.table(&[
            Col::whole("ACTION"),
            Col::whole("TYPE").optional(1),
            Col::whole("REF"),
            Col::words("CHANGES"),
        ]);
        for p in planned.iter().filter(|p| p.action != Action::Unchanged) {
            t.add_row(vec![
                cell(p.action.as_str()),
                cell(p.row.record_type),
                cell(&p.row.reference),
                cell(p.changed.join(", ")),
            ]);
        }
        if created + updated > 0 {
            self.print_table(&t)?;
        }
        let totals = format!("{created} created, {updated} updated, {unchanged} unchanged");
        let line = if dry_run {
            format!("dry run: would be {totals}; nothing was written\n")
        } else {
            format!("{totals}\n")
        };
        self.raw(line.as_bytes())
    }

    /// Every problem of a refused import, one per line on stderr (even with `--quiet`: they
    /// are the error), `file:line: ...` as compilers write, so editors can jump to them. A
    /// problem may quote a cell: any URL in it is redacted, as everywhere else.
    pub fn import_problems(&self, file: &str, problems: &[Problem]) {
        for p in problems {
            let mut line = format!("{file}:{}: ", p.at.line);
            if let Some(n) = p.at.record {
                line.push_str(&format!("record {n}, "));
            }
            if let Some(s) = &p.subject {
                line.push_str(&format!("{s}: "));
            }
            line.push_str(&p.message);
            eprintln!("{}", terminal_safe(&secret::scrub(&line, &[])));
        }
    }
}
