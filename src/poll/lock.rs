//! One pass of a kind at a time per database: a lock file beside it.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Another pass of the same kind holds the lock: this run did nothing.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Busy(pub String);

/// Held for the whole pass; the OS releases it when the process ends, even on SIGKILL.
pub struct PassLock {
    _file: File,
}

/// `webhost.db` + `update-hosts` → `webhost.db.update-hosts.lock`.
pub fn lock_path(db: &Path, pass: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(format!(".{pass}.lock"));
    PathBuf::from(name)
}

/// Takes the lock, or fails at once with `Busy` when another pass holds it.
pub fn acquire(db: &Path, pass: &str) -> Result<PassLock> {
    let path = lock_path(db, pass);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot open lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(PassLock { _file: file }),
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
