//! Reading the past: checks, state changes, inventory changes, uptime, passes; and pruning.

use super::db::{Tx, params};
use anyhow::Result;

use super::Store;
use super::sql::{from_int, owner_column};
use crate::domain::history::{Check, PassInfo, Pruned, StateChange};
use crate::domain::inventory::{ChangeKind, InventoryChange};
use crate::domain::model::{RecordType, Source, Status};
use crate::domain::uptime::{self, Tally, Uptime};

impl Store {
    /// Checks of one record at or after `since`, newest first, at most `limit`.
    pub fn checks(&self, rt: RecordType, id: i64, since: i64, limit: usize) -> Result<Vec<Check>> {
        let sql = format!(
            "SELECT at, status, response_ms, http_status, disk_used, message, source, poller
             FROM checks
             WHERE {} = ?1 AND at >= ?2 ORDER BY at DESC, id DESC LIMIT ?3",
            owner_column(rt)
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![id, since, limit as i64], |r| {
            Ok(Check {
                at: r.get(0)?,
                status: r.get(1)?,
                response_ms: from_int(r.get(2)?),
                http_status: from_int(r.get(3)?),
                disk_used: from_int(r.get(4)?),
                message: r.get(5)?,
                source: match r.get::<_, Option<String>>(6)?.as_deref() {
                    Some("push") => Source::Push,
                    _ => Source::Poll,
                },
                poller: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// State changes of one record at or after `since`, oldest first.
    pub fn state_changes(&self, rt: RecordType, id: i64, since: i64) -> Result<Vec<StateChange>> {
        let sql = format!(
            "SELECT at, from_status, to_status, message FROM state_changes
             WHERE {} = ?1 AND at >= ?2 ORDER BY at, id",
            owner_column(rt)
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![id, since], |r| {
            Ok(StateChange {
                at: r.get(0)?,
                from: r.get(1)?,
                to: r.get(2)?,
                message: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// When the status before `before` began: the time of the last change into it.
    pub fn status_began(&self, rt: RecordType, id: i64, before: i64) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT max(at) FROM state_changes WHERE {} = ?1 AND at < ?2",
            owner_column(rt)
        );
        Ok(self
            .conn
            .query_row(&sql, params![id, before], |r| r.get(0))?)
    }

    /// Inventory changes across the fleet at or after `since`, newest first.
    pub fn inventory_changes(&self, since: i64) -> Result<Vec<InventoryChange>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.ref, c.at, c.subject, c.change, c.old_value, c.new_value
             FROM inventory_changes c JOIN instances i ON i.id = c.instance_id
             WHERE c.at >= ?1 ORDER BY c.at DESC, c.id DESC",
        )?;
        let rows = stmt.query_map(params![since], |r| {
            Ok(InventoryChange {
                instance: r.get(0)?,
                at: r.get(1)?,
                subject: r.get(2)?,
                change: r.get(3)?,
                old: r.get(4)?,
                new: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// Time-weighted uptime of one record over [from, to): raw checks, plus the daily
    /// roll-ups of days whose checks were pruned.
    pub fn uptime(&self, rt: RecordType, id: i64, from: i64, to: i64) -> Result<Tally> {
        let col = owner_column(rt);
        // The check in force at `from` speaks for the start of the window.
        let sql = format!(
            "SELECT at, status FROM checks WHERE {col} = ?1 AND at >= coalesce(
                (SELECT max(at) FROM checks WHERE {col} = ?1 AND at < ?2), ?2) AND at < ?3
             ORDER BY at"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let checks = stmt
            .query_map(params![id, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<super::db::Result<Vec<(i64, Status)>>>()?;
        let mut tally = uptime::tally(&checks, from, to);
        let sql = format!(
            "SELECT coalesce(sum(up_seconds), 0), coalesce(sum(observed_seconds), 0) FROM daily
             WHERE {col} = ?1 AND day >= ?2 AND day < ?3"
        );
        let rolled: (i64, i64) = self
            .conn
            .query_row(&sql, params![id, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        tally.add(Tally {
            up: rolled.0,
            observed: rolled.1,
        });
        Ok(tally)
    }

    /// Uptime over the last 24 hours, 7 days and 30 days.
    pub fn uptime_windows(&self, rt: RecordType, id: i64, now: i64) -> Result<Uptime> {
        let pct = |days: i64| -> Result<Option<f64>> {
            Ok(self.uptime(rt, id, now - days * 86_400, now)?.percent())
        };
        Ok(Uptime {
            day: pct(1)?,
            week: pct(7)?,
            month: pct(30)?,
        })
    }

    /// The most recent pass of each kind: the one started last, by the order passes were
    /// recorded in (a clock stepped back must not hide that cron stopped).
    pub fn last_passes(&self) -> Result<Vec<PassInfo>> {
        // Seeks on passes_kind only: the kinds one after the other, then each one's latest
        // pass, so a year of passes costs what a day does (a correlated max(id) per row was
        // quadratic: 11 s for a month).
        let hint = self.conn.sqlite_hint("INDEXED BY passes_kind_order");
        let mut stmt = self.conn.prepare_cached(&format!(
            "WITH RECURSIVE kinds(kind) AS (
                 SELECT min(kind) FROM passes
                 UNION ALL
                 SELECT (SELECT min(kind) FROM passes WHERE kind > k.kind) FROM kinds k
                 WHERE k.kind IS NOT NULL
             )
             SELECT p.kind, p.started_at, p.duration_ms, p.polled, p.interrupted FROM kinds k
             JOIN passes p ON p.id = (SELECT id FROM passes q {hint}
                                      WHERE q.kind = k.kind ORDER BY id DESC LIMIT 1)
             ORDER BY p.kind"
        ))?;
        let rows = stmt.query_map(params![], |r| {
            Ok(PassInfo {
                kind: r.get(0)?,
                started_at: r.get(1)?,
                duration_ms: r.get(2)?,
                polled: r.get(3)?,
                interrupted: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// Deletes raw checks before the UTC midnight at or before `cutoff`, after rolling each
    /// pruned day up into `daily` (checks, failures, time up, response times) so long-window
    /// uptime survives, and the summaries of module churn. State and inventory changes are
    /// kept. All or nothing.
    pub fn prune(&mut self, cutoff: i64) -> Result<Pruned> {
        let cutoff = cutoff.div_euclid(86_400) * 86_400;
        let tx = self.conn.transaction(true)?;
        let mut pruned = Pruned::default();
        for rt in [RecordType::Host, RecordType::Instance] {
            pruned.days_rolled_up += roll_up(&tx, rt, cutoff)?;
        }
        pruned.checks_deleted = tx.execute("DELETE FROM checks WHERE at < ?1", params![cutoff])?;
        tx.execute("DELETE FROM passes WHERE started_at < ?1", params![cutoff])?;
        // A churn summary says nothing a later one does not: it goes with the raw checks. Real
        // changes (an upgrade, a module added) are the inventory's history and stay.
        tx.execute(
            "DELETE FROM inventory_changes WHERE at < ?1 AND change = ?2",
            params![cutoff, ChangeKind::Changed.as_str()],
        )?;
        tx.commit()?;
        Ok(pruned)
    }
}

/// Adds the checks before `cutoff` of every record of one type to its daily roll-ups.
fn roll_up(tx: &Tx, rt: RecordType, cutoff: i64) -> Result<usize> {
    let col = owner_column(rt);
    let mut owners = tx.prepare(&format!(
        "SELECT DISTINCT {col} FROM checks WHERE {col} IS NOT NULL AND at < ?1"
    ))?;
    let owners: Vec<i64> = owners
        .query_map(params![cutoff], |r| r.get(0))?
        .collect::<super::db::Result<_>>()?;
    let mut checks = tx.prepare(&format!(
        "SELECT at, status, response_ms FROM checks WHERE {col} = ?1 AND at < ?2 ORDER BY at"
    ))?;
    // The first check kept tells how long the last pruned one held.
    let mut next_kept = tx.prepare(&format!(
        "SELECT min(at) FROM checks WHERE {col} = ?1 AND at >= ?2"
    ))?;
    let mut upsert = tx.prepare(&format!(
        "INSERT INTO daily ({col}, day, checks, failures, up_seconds, observed_seconds,
            response_ms_sum, response_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT ({col}, day) WHERE {col} IS NOT NULL DO UPDATE SET
            checks = daily.checks + excluded.checks, failures = daily.failures + excluded.failures,
            up_seconds = daily.up_seconds + excluded.up_seconds,
            observed_seconds = daily.observed_seconds + excluded.observed_seconds,
            response_ms_sum = daily.response_ms_sum + excluded.response_ms_sum,
            response_count = daily.response_count + excluded.response_count"
    ))?;
    let mut days = 0;
    for owner in owners {
        let rows: Vec<(i64, Status, Option<i64>)> = checks
            .query_map(params![owner, cutoff], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<super::db::Result<_>>()?;
        let after: Option<i64> = next_kept.query_row(params![owner, cutoff], |r| r.get(0))?;
        let series: Vec<(i64, Status)> = rows.iter().map(|r| (r.0, r.1)).collect();
        // The last pruned check holds until the first kept one, never past the cutoff.
        let end = after.unwrap_or(cutoff).min(cutoff);
        let mut day = rows
            .first()
            .map_or(cutoff, |r| r.0.div_euclid(86_400) * 86_400);
        let mut lo = 0;
        while day < cutoff {
            let next_day = day + 86_400;
            let hi = lo + rows[lo..].partition_point(|r| r.0 < next_day);
            let (mut failures, mut ms_sum, mut ms_n) = (0i64, 0i64, 0i64);
            for r in &rows[lo..hi] {
                failures += i64::from(r.1.is_down());
                if let Some(ms) = r.2 {
                    ms_sum += ms;
                    ms_n += 1;
                }
            }
            // The check in force at midnight, the day's checks, and the next one as a bound.
            let window = &series[lo.saturating_sub(1)..(hi + 1).min(series.len())];
            let t = uptime::tally(window, day, next_day.min(end));
            let n = (hi - lo) as i64;
            if n > 0 || t.observed > 0 {
                upsert.execute(params![
                    owner, day, n, failures, t.up, t.observed, ms_sum, ms_n
                ])?;
                days += 1;
            }
            lo = hi;
            day = next_day;
        }
    }
    Ok(days)
}
