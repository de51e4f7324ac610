//! The store: the only module with SQL in it, on SQLite (a file, the default) or PostgreSQL
//! (a server several pollers share). Its calls take and give domain values, and it carries out
//! what the domain decided; it decides nothing itself.

mod advisories;
mod alerts;
mod config;
mod copy;
pub mod db;
mod disks;
mod history;
mod inventory;
mod maintenance;
mod metrics;
mod migrations;
mod pg_batch;
mod pg_migrations;
mod pollers;
mod postgres;
mod push;
mod records;
mod report;
mod secrets;
mod sla;
mod sql;
mod tombstones;
mod transfer;
mod writes;

use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags};

use db::Conn;

pub use advisories::{Replaced, Stored as StoredAdvisory};
pub use copy::Copied;
pub use maintenance::NewWindow;
pub use migrations::MIGRATIONS;
pub use records::Claim;
pub use writes::{Batch, Before, CheckWrite};

/// How long a statement waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Store {
    conn: Conn,
    /// The SQLite file, or the PostgreSQL URL as given (it never holds a password).
    path: PathBuf,
    /// The tokens' database is attached (as `secrets`): tokens are read and written.
    secrets: bool,
    /// The poller this run is: its checks and passes say so.
    poller: Option<String>,
}

/// How a command uses the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads the fleet only: opened read-only, never created nor migrated, without the
    /// tokens. What a user who may read the database, but not write it or its folder, can do.
    Read,
    /// Reads, with the tokens (`show --show-token`, `export --with-tokens`, `check --live`).
    ReadTokens,
    /// Changes records or state: the database must exist.
    Write,
    /// Adds records: creates the database and its folder when missing, the database with
    /// `mode` (the tokens' file is always 0600).
    Create { mode: u32 },
}

/// True when `db` names a database server (PostgreSQL), not a SQLite file.
pub fn is_server(db: &Path) -> bool {
    postgres::url_of(db).is_some()
}

/// Checks that `url` is a PostgreSQL URL webhost can use (no password in it, a known
/// sslmode), without connecting.
pub fn check_server_url(url: &str) -> Result<()> {
    match postgres::url_of(Path::new(url)) {
        Some(url) => postgres::check_url(url),
        None => bail!("not a PostgreSQL URL: postgres://USER@HOST/DB"),
    }
}

impl Store {
    /// Opens the database at `path` for `access`. Writers bring its schema up to date (and
    /// move tokens out of an older database into the tokens' file); readers refuse a schema
    /// other than this webhost's, since they may not change it.
    pub fn open(path: &Path, access: Access) -> Result<Store> {
        if let Some(url) = postgres::url_of(path) {
            return postgres::open(url, access);
        }
        let read_only = matches!(access, Access::Read | Access::ReadTokens);
        match access {
            Access::Create { mode } => create_private_file(path, mode)?,
            _ => check_existing(path)?,
        }
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI
        } else {
            // Without CREATE, SQLite cannot make the file should it vanish meanwhile.
            (OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE) | OpenFlags::SQLITE_OPEN_URI
        };
        let why = |e| open_error(e, path, read_only);
        let mut conn = Connection::open_with_flags(path, flags).map_err(why)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(why)?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(why)?;
        if read_only {
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(why)?;
            check_schema(version).with_context(|| format!("database {}", path.display()))?;
        } else {
            // WAL lets readers (and other writers' BEGIN IMMEDIATE) proceed while a pass
            // runs; its files are kept when the last writer closes, so that a reader who may
            // not create files in the folder can still open the database.
            let _mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(why)?;
            keep_wal_files(&conn);
            conn.execute_batch("PRAGMA synchronous = NORMAL;")
                .map_err(why)?;
            migrate(&mut conn).with_context(|| format!("database {}", path.display()))?;
        }
        let mut store = Store {
            conn: Conn::Sqlite(conn),
            path: path.to_owned(),
            secrets: false,
            poller: None,
        };
        if access != Access::Read {
            store.attach_secrets(read_only)?;
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Names the poller this run is, for what it writes.
    pub fn set_poller(&mut self, name: &str) {
        self.poller = Some(name.to_owned());
    }

    pub fn poller(&self) -> Option<&str> {
        self.poller.as_deref()
    }

    /// True on PostgreSQL, where several pollers may share the database.
    pub fn is_shared(&self) -> bool {
        self.conn.is_postgres()
    }
}

/// Asks SQLite to keep the -wal and -shm files when the last connection closes: without them, a
/// reader that may not write the folder cannot open a WAL database.
fn keep_wal_files(conn: &Connection) {
    let mut keep: std::ffi::c_int = 1;
    // SAFETY: the handle is the live connection's; SQLITE_FCNTL_PERSIST_WAL reads and writes
    // the one int it is given, which outlives the call. Failing only loses the files' keeping.
    unsafe {
        rusqlite::ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
            (&raw mut keep).cast(),
        );
    }
}

/// A reader may not migrate: a schema other than this webhost's is an error that says what
/// to do.
fn check_schema(current: i64) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    if current > known {
        bail!(
            "schema version {current} is newer than this webhost knows ({known}): upgrade webhost"
        );
    }
    if current < known {
        bail!(
            "it was written by an older webhost (schema {current}, this one knows {known}), and \
             only its owner may bring it up to date: its next pass will (or run `webhost \
             update-instances` as that user)"
        );
    }
    Ok(())
}

/// Says in one line why a database could not be opened, in the user's terms.
fn open_error(e: rusqlite::Error, path: &Path, read_only: bool) -> anyhow::Error {
    use rusqlite::ErrorCode as C;
    let p = path.display();
    let msg = match e.sqlite_error_code() {
        Some(C::NotADatabase | C::DatabaseCorrupt) => {
            format!("{p} is not a webhost database (not SQLite, or damaged)")
        }
        Some(C::ReadOnly | C::CannotOpen | C::PermissionDenied) if read_only => format!(
            "cannot read {p}: reading needs read permission on it and on its -wal and -shm \
             files beside it (webhost keeps them once it has written the database)"
        ),
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

/// Creates the folder and an empty database file with `mode` (0600: its owner only), before
/// SQLite touches it (SQLite gives the -wal and -shm files the database file's mode).
fn create_private_file(path: &Path, mode: u32) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    // O_EXCL: the file is created here or not at all, never through a symlink.
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path);
    match created {
        // A umask can only take bits away; one as odd as 0277 would leave us unable to write.
        Ok(file) => file
            .set_permissions(fs::Permissions::from_mode(mode))
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
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
