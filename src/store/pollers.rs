//! Several pollers: each one's latest view of each record (what the quorum reads), which
//! pollers count, and their health for `status`.

use anyhow::Result;

use super::db::{Conn, params};
use super::sql::owner_column;
use super::{Batch, Store};
use crate::domain::model::{RecordKey, RecordType, Status};
use crate::domain::poller::{self, PollerInfo, View};

/// The pollers with a pass of `kind` started since `since` whose latest such pass did not find
/// their own network down, by name.
fn counted(conn: &Conn, kind: &str, since: i64) -> Result<Vec<String>> {
    // One pass over the window's passes (GROUP BY), not one lookup per pass.
    let mut stmt = conn.prepare_cached(
        "SELECT p.poller FROM passes p
         JOIN (SELECT poller, max(id) AS id FROM passes
               WHERE kind = ?1 AND started_at >= ?2 AND poller IS NOT NULL
               GROUP BY poller) latest ON latest.id = p.id
         WHERE coalesce(p.poller_offline, 0) = 0
         ORDER BY p.poller",
    )?;
    let names = stmt.query_map(params![kind, since], |r| r.get(0))?;
    Ok(names.collect::<super::db::Result<_>>()?)
}

impl Batch<'_> {
    /// The pollers that count for the quorum of a pass of `kind` at `now`.
    pub fn pollers_counted(&self, kind: &str, now: i64) -> Result<Vec<String>> {
        counted(self.tx()?, kind, now - poller::SEEN_WITHIN)
    }

    /// This poller's view of `key` after a check: what the other pollers' quorum reads.
    pub fn store_view(&self, key: RecordKey, at: i64, status: Status, message: &str) -> Result<()> {
        let Some(poller) = self.poller else {
            return Ok(());
        };
        if self.tx.is_postgres() {
            return self.hold(
                |p| &mut p.views,
                key,
                params![key.id, poller, at, status, message],
            );
        }
        let col = owner_column(key.record_type);
        self.tx
            .prepare_cached(&format!(
                "INSERT INTO poller_views ({col}, poller, at, status, message)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT ({col}, poller) WHERE {col} IS NOT NULL
                 DO UPDATE SET at = excluded.at, status = excluded.status,
                    message = excluded.message"
            ))?
            .execute(params![key.id, poller, at, status, message])?;
        Ok(())
    }

    /// The latest views of `key` by the pollers named.
    pub fn views(&self, key: RecordKey, pollers: &[String]) -> Result<Vec<View>> {
        let col = owner_column(key.record_type);
        let mut stmt = self.tx()?.prepare_cached(&format!(
            "SELECT poller, at, status, message FROM poller_views WHERE {col} = ?1"
        ))?;
        let rows = stmt.query_map(params![key.id], |r| {
            Ok(View {
                poller: r.get(0)?,
                at: r.get(1)?,
                status: r.get(2)?,
                message: r.get(3)?,
            })
        })?;
        let mut views = rows.collect::<super::db::Result<Vec<View>>>()?;
        views.retain(|v| pollers.contains(&v.poller));
        Ok(views)
    }
}

impl Store {
    /// Takes the server's advisory lock named `name` for as long as this connection lives;
    /// false when another connection holds it. (SQLite's passes lock a file instead.)
    pub fn try_pass_lock(&self, name: &str) -> Result<bool> {
        if !self.conn.is_postgres() {
            return Ok(true);
        }
        Ok(self.conn.query_row(
            "SELECT pg_try_advisory_lock(hashtext(?1))",
            params![name],
            |r| r.get(0),
        )?)
    }

    /// Every poller that ever ran a pass here, with its last pass, newest first.
    pub fn pollers(&self, now: i64) -> Result<Vec<PollerInfo>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.poller, p.started_at, p.kind, coalesce(p.poller_offline, 0) FROM passes p
             JOIN (SELECT poller, max(id) AS id FROM passes WHERE poller IS NOT NULL
                   GROUP BY poller) latest ON latest.id = p.id
             ORDER BY p.started_at DESC, p.poller",
        )?;
        let rows = stmt.query_map(params![], |r| {
            let at: i64 = r.get(1)?;
            Ok(PollerInfo {
                name: r.get(0)?,
                last_pass_at: at,
                last_pass_kind: r.get(2)?,
                offline: r.get(3)?,
                stale: poller::is_stale(at, now),
            })
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// The latest views of every poller of `rt`'s records, by record.
    pub fn all_views(&self, rt: RecordType) -> Result<Vec<(i64, View)>> {
        let col = owner_column(rt);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {col}, poller, at, status, message FROM poller_views
             WHERE {col} IS NOT NULL ORDER BY {col}, poller"
        ))?;
        let rows = stmt.query_map(params![], |r| {
            Ok((
                r.get(0)?,
                View {
                    poller: r.get(1)?,
                    at: r.get(2)?,
                    status: r.get(3)?,
                    message: r.get(4)?,
                },
            ))
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }
}
