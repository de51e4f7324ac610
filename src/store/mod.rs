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
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use migrations::MIGRATIONS;
pub use writes::{Batch, Before, CheckWrite};

/// How long a statement waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating it and its folder if needed) the database at `path` and brings its
    /// schema up to date: for the commands that add or change records.
    pub fn open(path: &Path) -> Result<Store> {
        create_private_file(path)?;
        Store::connect(path, OpenFlags::default())
    }

    /// Opens the database at `path`, which must exist: for the commands that only read, so
    /// that a mistyped `--db` is an error rather than a new empty database. Older schemas are
    /// still brought up to date.
    pub fn open_existing(path: &Path) -> Result<Store> {
        check_existing(path)?;
        // Without CREATE, SQLite cannot make the file either should it vanish meanwhile.
        Store::connect(path, OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE)
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<Store> {
        let why = |e| open_error(e, path);
        let mut conn = Connection::open_with_flags(path, flags).map_err(why)?;
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
    // O_EXCL: the file is created here or not at all, never through a symlink.
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        // A umask can only take bits away; one as odd as 0277 would leave us unable to write.
        Ok(file) => file
            .set_permissions(fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot create database {}", path.display())),
        // Something is there already (maybe created by another process meanwhile): a file is
        // opened as it is, anything else refused.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => check_existing(path),
        Err(e) => Err(e).with_context(|| format!("cannot create database {}", path.display())),
    }
}

/// Checks that `path` names an existing file, saying in one line what it is otherwise.
///
/// A dangling symlink is refused rather than its target created: webhost would otherwise
/// create a file wherever a link planted in the database's folder points (as root, say
/// `/etc/nologin`), and could not make sure of that file's mode. Pointing `--db` at the target
/// creates it, 0600.
fn check_existing(path: &Path) -> Result<()> {
    let p = path.display();
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => bail!("{p} is a directory, not a webhost database"),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Ok(target) = fs::read_link(path) {
                bail!(
                    "{p} is a symbolic link to {}, which does not exist: webhost does not \
                     create a database through a link (set --db to the target to create it)",
                    target.display()
                );
            }
            match path.parent().filter(|d| !d.as_os_str().is_empty()) {
                Some(dir) if !dir.is_dir() => bail!(
                    "no webhost database at {p} (set --db or WEBHOST_DB): its folder {} does \
                     not exist",
                    dir.display()
                ),
                _ => bail!("no webhost database at {p} (set --db or WEBHOST_DB)"),
            }
        }
        Err(e) => Err(e).with_context(|| format!("cannot open database {p}")),
    }
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
