//! What an SLA statement reads: a record's checks over a month, its pruned days' roll-ups, and
//! when the poller was offline.

use super::db::params;
use anyhow::Result;

use super::Store;
use super::sql::owner_column;
use crate::domain::model::{RecordType, Status};
use crate::domain::sla::RolledDay;
use crate::domain::uptime::MAX_GAP;

impl Store {
    /// Checks of one record in [from, to), oldest first, after the check in force at `from`.
    pub fn sla_checks(
        &self,
        rt: RecordType,
        id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, Status)>> {
        let col = owner_column(rt);
        // As `uptime`: the check in force at `from` speaks for the start of the month.
        let sql = format!(
            "SELECT at, status FROM checks WHERE {col} = ?1 AND at >= coalesce(
                (SELECT max(at) FROM checks WHERE {col} = ?1 AND at < ?2), ?2) AND at < ?3
             ORDER BY at, id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![id, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// The daily roll-ups of one record's pruned days in [from, to).
    pub fn rolled_days(
        &self,
        rt: RecordType,
        id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<RolledDay>> {
        let col = owner_column(rt);
        let sql = format!(
            "SELECT day, checks, failures, up_seconds, observed_seconds FROM daily
             WHERE {col} = ?1 AND day >= ?2 AND day < ?3 ORDER BY day"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![id, from, to], |r| {
            Ok(RolledDay {
                day: r.get(0)?,
                checks: r.get(1)?,
                failures: r.get(2)?,
                up_seconds: r.get(3)?,
                observed_seconds: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// When passes of one type found the poller itself offline, as intervals [from, to): from
    /// such a pass's start to the next pass's (at most `MAX_GAP`, beyond which a check speaks
    /// for nothing anyway), overlapping [from, to). Kept as long as the passes are (pruning
    /// removes them with the raw checks, whose days the roll-ups then cover).
    pub fn poller_offline(&self, rt: RecordType, from: i64, to: i64) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.started_at, (SELECT min(q.started_at) FROM passes q
                                   WHERE q.kind = p.kind AND q.started_at > p.started_at)
             FROM passes p
             WHERE p.kind = ?1 AND p.poller_offline = 1 AND p.started_at >= ?2 AND p.started_at < ?3
             ORDER BY p.started_at",
        )?;
        let rows = stmt.query_map(params![rt.pass_name(), from - MAX_GAP, to], |r| {
            let start: i64 = r.get(0)?;
            let next: Option<i64> = r.get(1)?;
            Ok((start, next.unwrap_or(i64::MAX).min(start + MAX_GAP)))
        })?;
        let all: Vec<(i64, i64)> = rows.collect::<super::db::Result<_>>()?;
        Ok(all.into_iter().filter(|(_, end)| *end > from).collect())
    }
}
