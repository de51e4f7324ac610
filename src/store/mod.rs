//! The SQLite store: the only module with SQL in it. Its calls take and give domain values,
//! and it carries out what the domain decided; it decides nothing itself.

mod alerts;
mod config;
mod history;
mod inventory;
mod metrics;
mod migrations;
mod records;
mod report;
mod sql;
mod transfer;
mod writes;

use std::fs::{self, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, TransactionBehavior};

pub use migrations::MIGRATIONS;
pub use writes::{Batch, Before, CheckWrite};

/// How long a statement waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        create_private_file(path)?;
        let why = |e| open_error(e, path);
        let mut conn = Connection::open(path).map_err(why)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(why)?;
        // WAL lets readers (and other writers' BEGIN IMMEDIATE) proceed while a pass runs.
        let _mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(why)?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
            .map_err(why)?;
        migrate(&mut conn).with_context(|| format!("database {}", path.display()))?;
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Says in one line why a database could not be opened, in the user's terms.
fn open_error(e: rusqlite::Error, path: &Path) -> anyhow::Error {
    use rusqlite::ErrorCode as C;
    let p = path.display();
    let msg = match e.sqlite_error_code() {
        Some(C::NotADatabase | C::DatabaseCorrupt) => {
            format!("{p} is not a webhost database (not SQLite, or damaged)")
        }
        Some(C::ReadOnly | C::CannotOpen | C::PermissionDenied) => format!(
            "cannot open {p} for writing: the file or its folder is read-only \
             (SQLite also writes its -wal and -shm files beside it)"
        ),
        Some(C::DiskFull) => format!("cannot use {p}: the disk is full"),
        Some(C::SystemIoFailure) => {
            format!("cannot use {p}: disk I/O error (is the disk full or failing?)")
        }
        Some(C::DatabaseBusy | C::DatabaseLocked) => {
            format!("{p} is locked by another process; try again")
        }
        _ => format!("cannot open database {p}: {e}"),
    };
    anyhow::anyhow!(msg)
}

/// Creates the folder and an empty database file readable by its owner only, before SQLite
/// touches it (SQLite gives the -wal and -shm files the database file's mode).
fn create_private_file(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    if path.exists() {
        return Ok(());
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .or_else(|e| {
            // Another process created it between our check and our open: fine.
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Ok(())
            } else {
                Err(e)
            }
        })
        .with_context(|| format!("cannot create database {}", path.display()))
}

/// Applies the migrations this database lacks, all in one IMMEDIATE transaction.
fn migrate(conn: &mut Connection) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current == known {
        return Ok(());
    }
    if current > known {
        bail!(
            "schema version {current} is newer than this webhost knows ({known}): upgrade webhost"
        );
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Re-read under the lock: another process may have migrated meanwhile.
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        tx.execute_batch(sql)
            .with_context(|| format!("migration {} failed", i + 1))?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}
