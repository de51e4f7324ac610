//! Copying a SQLite store into an empty PostgreSQL one (`webhost migrate`): every table, the
//! tokens too, ids kept, in one destination transaction. Rows are streamed in batches, so a
//! year of checks is never held in memory; each table's columns are those both schemas have.

use anyhow::{Context as _, Result, bail};

use super::db::{self, Owned, Param, params};
use super::pg_migrations::PG_MIGRATIONS;
use super::{MIGRATIONS, Store};
use crate::domain::error::invalid;

/// Every table, in an order where what a row references is copied before it: records first,
/// then what names them. A table missing here makes the copy refuse to start (see `check`),
/// so a migration that adds one cannot be forgotten silently.
const TABLES: &[Table] = &[
    Table::main("hosts"),
    Table::main("instances"),
    Table::main("checks"),
    Table::main("modules"),
    Table::main("passes"),
    Table::main("state_changes"),
    Table::main("inventory_changes"),
    Table::main("daily"),
    Table::main("config"),
    Table::main("alerts"),
    Table::main("tombstones"),
    Table::main("advisories"),
    Table::main("advisory_overrides"),
    Table::main("disk_levels"),
    Table::main("disk_trends"),
    Table::main("maintenance"),
    Table::main("maintenance_records"),
    Table::main("poller_views"),
    Table {
        sqlite_schema: "secrets",
        pg_schema: "secrets",
        name: "tokens",
    },
];

/// Rows per INSERT: a few thousand, fewer for wide tables (PostgreSQL takes 65,535 parameters
/// at most in one statement).
const BATCH_ROWS: usize = 2000;
const MAX_PARAMS: usize = 60_000;

/// A table, by the schema each engine keeps it in (SQLite's attached tokens' file is
/// PostgreSQL's `secrets` schema).
#[derive(Debug, Clone, Copy)]
struct Table {
    sqlite_schema: &'static str,
    pg_schema: &'static str,
    name: &'static str,
}

impl Table {
    const fn main(name: &'static str) -> Table {
        Table {
            sqlite_schema: "main",
            pg_schema: "public",
            name,
        }
    }

    /// As the user reads it: `hosts`, `secrets.tokens`.
    fn shown(&self) -> String {
        match self.pg_schema {
            "public" => self.name.to_owned(),
            schema => format!("{schema}.{}", self.name),
        }
    }

    fn sqlite(&self) -> String {
        format!("{}.{}", quoted(self.sqlite_schema), quoted(self.name))
    }

    fn pg(&self) -> String {
        format!("{}.{}", quoted(self.pg_schema), quoted(self.name))
    }
}

/// An identifier in double quotes (both engines read them so): `ref`, `change` and `every`
/// are column names.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// What a copy wrote: each table and its rows, in the order copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub tables: Vec<(String, u64)>,
}

impl Copied {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

impl Store {
    /// Copies this SQLite store, tokens included, into `dest`, an empty PostgreSQL store, all
    /// or nothing. The source must be at this webhost's schema (a writer's open brings it
    /// there) and read with its tokens; a destination that holds anything is refused.
    pub fn copy_to(&self, dest: &mut Store) -> Result<Copied> {
        let Some(source) = self.conn.sqlite() else {
            bail!("the source of a copy must be a SQLite database");
        };
        if !dest.conn.is_postgres() {
            bail!("the destination of a copy must be a PostgreSQL database");
        }
        if !self.secrets {
            bail!("the source's tokens are not open: it must be opened with them");
        }
        let version: i64 = source.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
        if version != MIGRATIONS.len() as i64 {
            bail!(
                "{} is at schema {version}, this webhost's is {}: open it with this webhost \
                 first (any writing command brings it up to date)",
                self.path.display(),
                MIGRATIONS.len()
            );
        }
        let dest_version: Option<i64> = dest
            .conn
            .query_row("SELECT max(version) FROM webhost_schema", params![], |r| {
                r.get(0)
            })
            .context("the destination holds no webhost schema")?;
        if dest_version != Some(PG_MIGRATIONS.len() as i64) {
            bail!("the destination is not at this webhost's PostgreSQL schema");
        }

        // One snapshot of the source: a pass writing meanwhile is either all in or all out.
        let read = self.conn.transaction(false)?;
        self.check_tables()?;
        let tx = dest.conn.transaction(true)?;
        // Nothing else writes these tables until the copy commits (readers still may).
        let all: Vec<String> = TABLES.iter().map(Table::pg).collect();
        tx.execute_batch(&format!("LOCK TABLE {} IN EXCLUSIVE MODE", all.join(", ")))?;
        let held: Vec<String> = TABLES
            .iter()
            .filter_map(|t| {
                let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", t.pg());
                match tx.query_row(&sql, params![], |r| r.get::<_, bool>(0)) {
                    Ok(true) => Some(Ok(t.shown())),
                    Ok(false) => None,
                    Err(e) => Some(Err(e)),
                }
            })
            .collect::<db::Result<_>>()?;
        if !held.is_empty() {
            return Err(invalid(format!(
                "{} already holds data (in {}): webhost migrate copies only into an empty \
                 database; nothing was written",
                dest.path.display(),
                held.join(", ")
            )));
        }

        let mut copied = Vec::new();
        for table in TABLES {
            let columns = self.common_columns(&tx, table)?;
            let rows = copy_table(&self.conn, &tx, table, &columns)
                .with_context(|| format!("copying {}", table.shown()))?;
            copied.push((table.shown(), rows));
        }
        // Identity columns go on from the largest id copied, else the next insert collides.
        let identities: Vec<(String, String, String)> = tx
            .prepare(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns
                 WHERE is_identity = 'YES' AND table_schema IN ('public', 'secrets')",
            )?
            .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<db::Result<_>>()?;
        for (schema, table, column) in identities {
            let name = format!("{}.{}", quoted(&schema), quoted(&table));
            tx.query_row(
                &format!(
                    "SELECT setval(pg_get_serial_sequence(?1, ?2), max({})) FROM {name}",
                    quoted(&column)
                ),
                params![name, column],
                |_| Ok(()),
            )?;
        }
        tx.commit()?;
        drop(read);
        Ok(Copied { tables: copied })
    }

    /// Every table of the source is one the copy knows: a table it would leave behind is a
    /// webhost bug, said before anything is written.
    fn check_tables(&self) -> Result<()> {
        for schema in ["main", "secrets"] {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT name FROM {schema}.sqlite_master
                 WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            ))?;
            let names: Vec<String> = stmt
                .query_map(params![], |r| r.get(0))?
                .collect::<db::Result<_>>()?;
            for name in names {
                if !TABLES
                    .iter()
                    .any(|t| t.sqlite_schema == schema && t.name == name)
                {
                    bail!("the copy does not know the source's table {schema}.{name}");
                }
            }
        }
        Ok(())
    }

    /// The columns of `table` both stores have, in the source's order. A table the
    /// destination lacks is refused: its rows would be lost.
    fn common_columns(&self, dest: &db::Conn, table: &Table) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(&format!(
            "PRAGMA {}.table_info({})",
            quoted(table.sqlite_schema),
            quoted(table.name)
        ))?;
        let source: Vec<String> = stmt
            .query_map(params![], |r| r.get(1))?
            .collect::<db::Result<_>>()?;
        let mut stmt = dest.prepare(
            "SELECT column_name FROM information_schema.columns
             WHERE table_schema = ?1 AND table_name = ?2",
        )?;
        let theirs: Vec<String> = stmt
            .query_map(params![table.pg_schema, table.name], |r| r.get(0))?
            .collect::<db::Result<_>>()?;
        if theirs.is_empty() {
            bail!("the destination has no table {}", table.shown());
        }
        Ok(source.into_iter().filter(|c| theirs.contains(c)).collect())
    }
}

/// Streams `table`'s rows from `source` into `dest`, a batch of rows per INSERT; returns how
/// many.
fn copy_table(
    source: &db::Conn,
    dest: &db::Conn,
    table: &Table,
    columns: &[String],
) -> Result<u64> {
    if columns.is_empty() {
        return Ok(0);
    }
    let names: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
    let names = names.join(", ");
    let per_batch = BATCH_ROWS.min(MAX_PARAMS / columns.len()).max(1);
    let mut select = source.prepare(&format!("SELECT {names} FROM {}", table.sqlite()))?;
    let mut batch: Vec<Owned> = Vec::with_capacity(per_batch * columns.len());
    let mut rows = 0u64;
    let insert = |values: &[Owned]| -> db::Result<()> {
        let n = values.len() / columns.len();
        let sql = insert_sql(&table.pg(), &names, columns.len(), n);
        let params: Vec<&dyn Param> = values.iter().map(|v| v as &dyn Param).collect();
        dest.execute(&sql, &params)?;
        Ok(())
    };
    select.for_each(params![], |row| {
        for i in 0..columns.len() {
            batch.push(row.get(i)?);
        }
        rows += 1;
        if batch.len() >= per_batch * columns.len() {
            insert(&batch)?;
            batch.clear();
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        insert(&batch)?;
    }
    Ok(rows)
}

/// `INSERT INTO t (a, b) VALUES (?1, ?2), (?3, ?4)` for `rows` rows of `width` values.
fn insert_sql(table: &str, names: &str, width: usize, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({names}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("?{}", r * width + c + 1));
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_one_insert_of_numbered_rows() {
        assert_eq!(
            insert_sql("\"public\".\"t\"", "\"a\", \"b\"", 2, 2),
            "INSERT INTO \"public\".\"t\" (\"a\", \"b\") VALUES (?1, ?2), (?3, ?4)"
        );
    }

    #[test]
    fn every_table_of_both_schemas_is_copied() {
        // The tables SQLite's migrations and PostgreSQL's create, by name.
        let created = |sql: &str| -> Vec<String> {
            sql.split("CREATE TABLE ")
                .skip(1)
                .filter_map(|rest| rest.split_whitespace().next())
                .map(|name| name.trim_end_matches('(').to_owned())
                .collect()
        };
        let sqlite: Vec<String> = MIGRATIONS.iter().flat_map(|m| created(m)).collect();
        let pg: Vec<String> = PG_MIGRATIONS.iter().flat_map(|m| created(m)).collect();
        let ours: Vec<String> = TABLES.iter().map(Table::shown).collect();
        for name in sqlite.iter().chain(&pg) {
            assert!(ours.contains(name), "{name} is not copied");
        }
        assert!(ours.contains(&"secrets.tokens".to_owned()));
    }
}
