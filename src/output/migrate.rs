//! `webhost migrate`: each table copied and its rows (docs/schema/migrate.schema.json).

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::{Col, Output, cell, terminal_safe};
use crate::store::Copied;

#[derive(Debug, Serialize)]
struct MigratedView<'a> {
    action: &'static str,
    from: String,
    /// The server's URL as given, which never holds a password (it is refused).
    to: String,
    tables: Vec<TableView<'a>>,
    rows: u64,
}

#[derive(Debug, Serialize)]
struct TableView<'a> {
    table: &'a str,
    rows: u64,
}

impl Output {
    /// What a migration copied: a row per table, then the total.
    pub fn migrated(&self, from: &Path, to: &Path, copied: &Copied) -> Result<()> {
        if self.json {
            return self.json(&MigratedView {
                action: "migrated",
                from: from.display().to_string(),
                to: to.display().to_string(),
                tables: copied
                    .tables
                    .iter()
                    .map(|(table, rows)| TableView { table, rows: *rows })
                    .collect(),
                rows: copied.rows(),
            });
        }
        if !self.quiet {
            let mut t = self.table(&[Col::whole("TABLE"), Col::whole("ROWS")]);
            for (table, rows) in &copied.tables {
                t.add_row(vec![cell(table), cell(rows)]);
            }
            self.print_table(&t)?;
        }
        let line = format!(
            "copied {} rows from {} into {}",
            copied.rows(),
            from.display(),
            to.display()
        );
        self.raw(format!("{}\n", terminal_safe(&line)).as_bytes())
    }
}
