//! Tombstones: the names of removed instances that their host's discovery must not create
//! again (`domain::discovery` decides when one is left and when it goes).

use std::collections::HashSet;

use super::db::{Tx, params};
use anyhow::Result;

use super::{Batch, Store};
use crate::domain::discovery::Tombstone;

/// Leaves `stone` in the removal's transaction (a later removal of the same name replaces it).
pub(super) fn leave(tx: &Tx<'_>, stone: &Tombstone, at: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO tombstones (host_id, remote_name, ref, removed_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (host_id, remote_name) DO UPDATE SET ref = excluded.ref,
            removed_at = excluded.removed_at",
        params![stone.host_id, stone.remote_name, stone.reference, at],
    )?;
    Ok(())
}

impl Store {
    /// Deletes the tombstones left by removing instances named `reference`; how many there were.
    pub fn forget_removed(&mut self, reference: &str) -> Result<usize> {
        Ok(self
            .conn
            .execute("DELETE FROM tombstones WHERE ref = ?1", params![reference])?)
    }
}

impl Batch<'_> {
    /// The names of a host's removed instances.
    pub fn tombstones(&self, host_id: i64) -> Result<HashSet<String>> {
        let mut stmt = self
            .tx()?
            .prepare_cached("SELECT remote_name FROM tombstones WHERE host_id = ?1")?;
        let names = stmt.query_map(params![host_id], |r| r.get(0))?;
        Ok(names.collect::<super::db::Result<_>>()?)
    }

    /// Deletes the tombstones of these names of a host (its server no longer lists them).
    pub fn lift_tombstones(&self, host_id: i64, names: &[String]) -> Result<()> {
        let mut stmt = self
            .tx()?
            .prepare_cached("DELETE FROM tombstones WHERE host_id = ?1 AND remote_name = ?2")?;
        for name in names {
            stmt.execute(params![host_id, name])?;
        }
        Ok(())
    }
}
