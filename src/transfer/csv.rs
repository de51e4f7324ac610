//! The CSV form of an export: a header row, then one row per record; an empty cell is none.
//!
//! Exports are opened in spreadsheets, which run a cell starting with `=`, `+`, `-`, `@`, TAB
//! or CR as a formula (OWASP "CSV injection": `=HYPERLINK(...)` in a label a server or a
//! colleague typed). Such a cell is written with a `'` before it, which spreadsheets show as
//! text; so is a cell that starts with `'` already. Import removes exactly one leading `'`, so
//! every cell reads back as it was, and a `'` typed by hand is read the way a spreadsheet
//! reads it: as the text marker, not as part of the text.

use std::collections::{HashMap, HashSet};

use anyhow::Result;

use super::row::{COLUMNS, Fields, Parsed, Position, Problem, Row, file_problem, row_from};

/// Rows as CSV: a header row, then one row per record.
pub fn write_csv(rows: &[Row]) -> Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for r in rows {
        w.write_record(r.cells().map(neutralised))?;
    }
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write CSV: {}", e.error()))
}

pub(super) fn parse_csv(text: &str) -> Result<Vec<Parsed>, Problem> {
    let mut reader = ::csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| file_problem(1, format!("cannot read the CSV header row: {e}")))?
        .clone();
    let mut seen = HashSet::new();
    for h in &headers {
        if !COLUMNS.contains(&h) {
            return Err(file_problem(
                1,
                format!(
                    "unknown column '{h}' in the header row (known: {})",
                    COLUMNS.join(", ")
                ),
            ));
        }
        if !seen.insert(h) {
            return Err(file_problem(
                1,
                format!("column '{h}' appears twice in the header row"),
            ));
        }
    }
    for required in ["type", "ref", "api"] {
        if !seen.contains(required) {
            return Err(file_problem(
                1,
                format!("the header row lacks the '{required}' column"),
            ));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(rec) => {
                let at = Position {
                    line: rec.position().map_or(0, ::csv::Position::line),
                    record: None,
                };
                let cells: HashMap<&str, &str> = headers.iter().zip(rec.iter()).collect();
                rows.push(row_from(at, &CsvFields(cells)));
            }
            Err(e) => {
                let line = e.position().map_or(0, ::csv::Position::line);
                let message = match e.kind() {
                    ::csv::ErrorKind::UnequalLengths { len, .. } => format!(
                        "{len} cells, but the header row has {} columns",
                        headers.len()
                    ),
                    _ => format!("unreadable CSV row: {e}"),
                };
                rows.push(Parsed {
                    at: Position { line, record: None },
                    ident: None,
                    row: Err(vec![message]),
                });
            }
        }
    }
    Ok(rows)
}

/// What makes a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as written: `'` before one a spreadsheet would run, or one starting with `'`. Every
/// CSV webhost writes goes through it (exports, `sla --csv`).
pub fn neutralised(cell: String) -> String {
    if cell.starts_with(FORMULA_STARTS) || cell.starts_with('\'') {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A cell as read: without the one `'` that `neutralised` may have put before it.
fn restored(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

struct CsvFields<'a>(HashMap<&'a str, &'a str>);

impl CsvFields<'_> {
    fn cell(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .copied()
            .map(restored)
            .filter(|c| !c.is_empty())
    }
}

impl Fields for CsvFields<'_> {
    fn text(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.cell(key).map(str::to_string))
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        match self.cell(key) {
            None => Ok(None),
            Some(c) if c.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(c) if c.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(c) => Err(format!("'{key}' must be true or false, not '{c}'")),
        }
    }

    fn integer(&self, key: &str) -> Result<Option<i64>, String> {
        self.cell(key)
            .map(|c| {
                c.parse()
                    .map_err(|_| format!("'{key}' must be a whole number, not '{c}'"))
            })
            .transpose()
    }

    fn list(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        self.cell(key)
            .map(|c| {
                serde_json::from_str(c).map_err(|_| {
                    format!(
                        "'{key}' must be a JSON array of text such as [\"/usr/local/bin/check\",\"--fast\"], not '{c}'"
                    )
                })
            })
            .transpose()
    }

    fn unknown_keys(&self) -> Vec<String> {
        // Unknown columns are refused with the header row.
        Vec::new()
    }
}
