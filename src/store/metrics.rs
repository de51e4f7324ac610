//! What `webhost metrics` needs besides the records: module counts and pass timings, each read
//! in one query whatever the size of the fleet.

use std::collections::HashMap;

use anyhow::{Context as _, Result};

use super::Store;
use super::db::params;
use crate::domain::history::PassInfo;
use crate::domain::inventory::ModuleCount;

impl Store {
    /// Module counts by instance id; instances with no module rows are absent.
    pub fn module_counts(&self) -> Result<HashMap<i64, ModuleCount>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT instance_id, count(*), coalesce(sum(CASE WHEN active <> 0 THEN 1 ELSE 0 END), 0)
             FROM modules GROUP BY instance_id",
        )?;
        let rows = stmt.query_map(params![], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                ModuleCount {
                    total: r.get(1)?,
                    active: r.get(2)?,
                },
            ))
        })?;
        rows.collect::<super::db::Result<_>>()
            .context("cannot count modules")
    }

    /// The last finished pass of each kind, by kind. A pass still running (or killed before
    /// it finished) has no duration yet, so the one before it is the last finished.
    pub fn last_finished_passes(&self) -> Result<Vec<PassInfo>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, started_at, duration_ms, polled, interrupted FROM passes p
             WHERE id = (SELECT max(id) FROM passes q
                         WHERE q.kind = p.kind AND q.duration_ms IS NOT NULL)
             ORDER BY kind",
        )?;
        let rows = stmt.query_map(params![], |r| {
            Ok(PassInfo {
                kind: r.get(0)?,
                started_at: r.get(1)?,
                duration_ms: r.get(2)?,
                polled: r.get(3)?,
                interrupted: r.get(4)?,
            })
        })?;
        rows.collect::<super::db::Result<_>>()
            .context("cannot read the passes")
    }
}
