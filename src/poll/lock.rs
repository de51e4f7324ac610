//! One pass of a kind at a time per database (per poller, on a shared server): a lock file
//! beside a SQLite database; on PostgreSQL, an advisory lock held by a connection of its own.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::store::{Access, Store};

/// Another pass of the same kind holds the lock: this run did nothing.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Busy(pub String);

/// Held for the whole pass; released when the process ends, even on SIGKILL (the OS closes
/// the file, or the server sees its connection go).
pub enum PassLock {
    File(File),
    Server(Store),
}

/// `webhost.db` + `update-hosts` → `webhost.db.update-hosts.lock`.
pub fn lock_path(db: &Path, pass: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(format!(".{pass}.lock"));
    PathBuf::from(name)
}

/// Takes the lock, or fails at once with `Busy` when another pass holds it.
pub fn acquire(db: &Path, pass: &str, poller: &str) -> Result<PassLock> {
    if crate::store::is_server(db) {
        let store = Store::open(db, Access::Read)?;
        return if store.try_pass_lock(&format!("webhost {pass} {poller}"))? {
            Ok(PassLock::Server(store))
        } else {
            Err(Busy(format!(
                "another `webhost {pass}` of poller {poller} is still running on {}; this run \
                 did nothing",
                db.display()
            ))
            .into())
        };
    }
    let path = lock_path(db, pass);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot open lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(PassLock::File(file)),
        Err(TryLockError::WouldBlock) => Err(Busy(format!(
            "another `webhost {pass}` is still running on {} (lock {}); this run did nothing",
            db.display(),
            path.display()
        ))
        .into()),
        Err(TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}
