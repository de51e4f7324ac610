//! What the HTML report reads of the past: per record, its uptime over a window, the worst
//! status in each of a fixed number of slots, and sampled response times.
//!
//! A big fleet holds millions of checks in a month (1,000 records every 5 minutes: 8.6 M), and
//! reading them whole takes seconds. Two facts keep the report fast and its figures exact:
//! - every change of status is in `state_changes`, at the time of the check that made it, so a
//!   check's status is known from its time alone, and the times are in the `(record, at)` index:
//!   a record whose status changed in the window has its check times walked on the index (never
//!   the table) by the `report_walk` aggregate, which gives each its status from the timeline and
//!   weighs it as `Store::uptime` does, inside SQLite: the checks never come out as rows;
//! - a record whose status did not change (most of them, most months) is up all the time it was
//!   watched, or down all of it: its uptime is 100 % or 0 %, whatever the gaps. One seek per slot
//!   into the index tells which slots hold a check.
//!
//! Response times need the table rows, so they are sampled: the checks in a short stretch in the
//! middle of each slot, for all records at once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;

use anyhow::{Context as _, Result};
use rusqlite::config::DbConfig;
use rusqlite::functions::{Aggregate, Context as FnContext, FunctionFlags};
use rusqlite::{Connection, OpenFlags};

use super::db::{self, Conn, params};

use super::sql::owner_column;
use super::{BUSY_TIMEOUT, Store};
use crate::domain::model::{RecordKey, RecordType, Status};
use crate::domain::uptime::{self, RecordHistory, Slot, Tally, Window};

/// The longest stretch of each slot whose checks are read for response times.
const RESPONSE_SAMPLE: i64 = 15 * 60;

/// The SQL aggregate that feeds a record's check times to a `Walker`.
const WALK_FN: &str = "report_walk";

fn worse(a: Option<Status>, b: Status) -> Option<Status> {
    match a {
        Some(a) if a.severity() >= b.severity() => Some(a),
        _ => Some(b),
    }
}

fn status_of(text: &str) -> Status {
    text.parse().unwrap_or(Status::Unknown)
}

/// A record's status changes in the window, oldest first.
#[derive(Debug, Default)]
struct Timeline {
    /// (at, from, to)
    changes: Vec<(i64, Status, Status)>,
}

/// One record's check times, fed oldest first, walked into its uptime and slots. Each check
/// found the target of the last change at or before it (before the first change, what that
/// change started from; with no change in the window, the record's current status), counts in
/// its slot, and holds until the next check as `uptime::tally` weighs it.
#[derive(Debug)]
struct Walker {
    w: Window,
    changes: Vec<(i64, Status, Status)>,
    /// How many of `changes` are at or before the last check fed.
    applied: usize,
    /// The status of the last check fed.
    status: Status,
    /// The slot of the last check fed inside the window, and where it ends.
    slot: usize,
    slot_end: i64,
    slots: Vec<Slot>,
    tally: Tally,
    /// The last check fed and its status: it is weighed once the next one (or the end) is known.
    last: Option<(i64, Status)>,
    /// False once a check came before the one fed ahead of it: the walk is void.
    ordered: bool,
}

impl Walker {
    fn new(timeline: Option<&Timeline>, now: Status, w: &Window) -> Walker {
        let changes = timeline.map_or_else(Vec::new, |t| t.changes.clone());
        Walker {
            w: *w,
            status: changes.first().map_or(now, |c| c.1),
            changes,
            applied: 0,
            slot: 0,
            slot_end: w.slot_start(1),
            slots: vec![Slot::default(); w.slots],
            tally: Tally::default(),
            last: None,
            ordered: true,
        }
    }

    fn push(&mut self, at: i64) {
        if let Some((prev, status)) = self.last {
            self.ordered &= prev <= at;
            self.tally.weigh(prev, status, at, self.w.from, self.w.to);
        }
        while let Some(&(t, _, to)) = self.changes.get(self.applied)
            && t <= at
        {
            self.status = to;
            self.applied += 1;
        }
        if at >= self.w.from && at < self.w.to && !self.slots.is_empty() {
            // Slot starts only grow, and so do the times fed: this is `Window::slot_of`.
            while self.slot + 1 < self.slots.len() && self.slot_end <= at {
                self.slot += 1;
                self.slot_end = self.w.slot_start(self.slot + 1);
            }
            let s = &mut self.slots[self.slot];
            let (n, down) = s.counts.unwrap_or_default();
            s.counts = Some((n + 1, down + u32::from(self.status.is_down())));
            s.worst = worse(s.worst, self.status);
        }
        self.last = Some((at, self.status));
    }

    /// The tally and slots, or None if the checks did not come oldest first.
    fn finish(mut self) -> Option<(Tally, Vec<Slot>)> {
        if let Some((prev, status)) = self.last.take() {
            self.tally
                .weigh(prev, status, self.w.to, self.w.from, self.w.to);
        }
        self.ordered.then_some((self.tally, self.slots))
    }
}

/// Lends a `Walker` to the `report_walk` aggregate for one query and gets it back fed: the
/// aggregate's state lives inside SQLite, the walker's setup (timeline, window) outside.
#[derive(Debug, Clone, Default)]
struct WalkCell(Arc<Mutex<Option<Walker>>>);

impl WalkCell {
    fn lock(&self) -> MutexGuard<'_, Option<Walker>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Aggregate<Walker, i64> for WalkCell {
    fn init(&self, _: &mut FnContext<'_>) -> rusqlite::Result<Walker> {
        self.lock().take().ok_or_else(|| {
            rusqlite::Error::UserFunctionError(format!("{WALK_FN}: no walk was set up").into())
        })
    }

    fn step(&self, ctx: &mut FnContext<'_>, walker: &mut Walker) -> rusqlite::Result<()> {
        walker.push(ctx.get(0)?);
        Ok(())
    }

    /// Hands the walker back (with no check, `init` never took it); the value is unused.
    fn finalize(&self, _: &mut FnContext<'_>, walker: Option<Walker>) -> rusqlite::Result<i64> {
        if let Some(walker) = walker {
            *self.lock() = Some(walker);
        }
        Ok(0)
    }
}

/// From how much walking (records walked × the window's length) the per-record queries are
/// shared with a second connection: 10,000 record-days, a third of the worst case (1,000
/// records over 30 days, 0.35 s of walks on one connection with a check every 5 minutes).
/// Side by side on this project's 2-core machine, the same queries take 10 to 25 % more CPU
/// time in all, so a normal report (a tenth of its records walked) stays on one connection.
const SHARED_WALK: i64 = 10_000 * 86_400;

/// Uptime and slots of one record.
type Walked = (Option<f64>, Vec<Slot>);

/// The per-record queries of a report, handed out one record at a time to whichever
/// connection asks next.
struct Work<'a> {
    records: &'a [(RecordKey, Status)],
    timelines: &'a HashMap<RecordKey, Timeline>,
    daily: &'a HashMap<RecordKey, Vec<DailyRow>>,
    w: &'a Window,
    next: AtomicUsize,
}

impl Work<'_> {
    /// Takes records until none is left, on `conn`.
    fn run(&self, conn: &Conn) -> Result<Vec<(RecordKey, Walked)>> {
        let reader = Reader::new(conn)?;
        let mut out = Vec::new();
        while let Some(&(key, now)) = self.records.get(self.next.fetch_add(1, Ordering::Relaxed)) {
            let days = self.daily.get(&key).map_or(&[][..], Vec::as_slice);
            let walked = match self.timelines.get(&key) {
                // The roll-ups of pruned days weigh against the raw checks' time: count it.
                None if days.is_empty() => reader.steady(key, now, self.w)?,
                timeline => {
                    let (tally, slots) = reader
                        .walk(key, timeline, now, self.w)
                        .context("cannot read checks")?;
                    with_days(tally, slots, days, self.w)
                }
            };
            out.push((key, walked));
        }
        Ok(out)
    }

    /// `run` on a read-only connection of its own to `db`. If it cannot be opened, the other
    /// connection takes every record: this one only saves time.
    fn run_on(&self, db: PathBuf) -> Result<Vec<(RecordKey, Walked)>> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let Ok(conn) = Connection::open_with_flags(db, flags) else {
            return Ok(Vec::new());
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        self.run(&Conn::Sqlite(conn))
    }

    /// Leaves no record to take: after an error, the other connection stops too.
    fn stop(&self) {
        self.next.store(self.records.len(), Ordering::Relaxed);
    }
}

/// A record's checks in the window `[?2, ?3)` of record `?1`, led by the check in force at its
/// start (the last one before it): a range of the `(record, at, status)` index, read alone.
fn walk_range(rt: RecordType) -> String {
    let col = owner_column(rt);
    format!(
        "FROM checks WHERE {col} = ?1 AND at >= coalesce(
            (SELECT max(at) FROM checks WHERE {col} = ?1 AND at < ?2), ?2) AND at < ?3"
    )
}

/// One connection set up for the per-record queries. On SQLite: the `report_walk` aggregate,
/// and plans fixed whatever the bound values (else SQLite re-prepares each cached statement
/// every time its record id is bound: 5 % of a report); both are undone when it is dropped.
/// PostgreSQL reads the check times out as rows.
struct Reader<'c> {
    conn: &'c Conn,
    cell: WalkCell,
    qpsg: bool,
}

impl<'c> Reader<'c> {
    fn new(conn: &'c Conn) -> Result<Reader<'c>> {
        let cell = WalkCell::default();
        let Some(sqlite) = conn.sqlite() else {
            return Ok(Reader {
                conn,
                cell,
                qpsg: true,
            });
        };
        let conn_ = conn;
        let conn = sqlite;
        // Not deterministic (its result depends on the walker lent to it), and for this
        // connection's own queries only.
        conn.create_aggregate_function(
            WALK_FN,
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY,
            cell.clone(),
        )
        .context("cannot set up the report's queries")?;
        // Failing only costs speed.
        let qpsg = conn
            .db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG)
            .unwrap_or(true);
        if !qpsg {
            let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true);
        }
        Ok(Reader {
            conn: conn_,
            cell,
            qpsg,
        })
    }

    /// A record's check times in the window, led by the check in force at its start (the last
    /// one before it), walked inside SQLite by `report_walk` as the index range yields them.
    /// Should they ever come out of order (another plan), they are read oldest first instead.
    fn walk(
        &self,
        key: RecordKey,
        timeline: Option<&Timeline>,
        now: Status,
        w: &Window,
    ) -> Result<(Tally, Vec<Slot>)> {
        if self.conn.is_postgres() {
            return self.walk_rows(key, timeline, now, w);
        }
        let sql = format!("SELECT {WALK_FN}(at) {}", walk_range(key.record_type));
        *self.cell.lock() = Some(Walker::new(timeline, now, w));
        self.conn
            .prepare_cached(&sql)?
            .query_row(params![key.id, w.from, w.to], |_| Ok(()))?;
        let walker = self
            .cell
            .lock()
            .take()
            .with_context(|| format!("{WALK_FN} kept its walker"))?;
        match walker.finish() {
            Some(walked) => Ok(walked),
            None => self.walk_rows(key, timeline, now, w),
        }
    }

    /// `walk` with the check times read out as rows, oldest first.
    fn walk_rows(
        &self,
        key: RecordKey,
        timeline: Option<&Timeline>,
        now: Status,
        w: &Window,
    ) -> Result<(Tally, Vec<Slot>)> {
        let sql = format!("SELECT at {} ORDER BY at", walk_range(key.record_type));
        let mut walker = Walker::new(timeline, now, w);
        self.conn
            .prepare_cached(&sql)?
            .for_each(params![key.id, w.from, w.to], |row| {
                walker.push(row.get(0)?);
                Ok(())
            })?;
        walker
            .finish()
            .context("the checks came out of order despite ORDER BY")
    }

    /// Uptime and slots of a record whose status was `status` all through the window: which
    /// slots hold a check (one index seek each), and whether the check in force at the start
    /// still spoke for it.
    fn steady(&self, key: RecordKey, status: Status, w: &Window) -> Result<Walked> {
        let col = owner_column(key.record_type);
        let sql = format!(
            "WITH RECURSIVE s(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM s
                WHERE i + 1 < ?4)
             SELECT s.i, (SELECT min(at) FROM checks WHERE {col} = ?1 AND at >= ?2 + s.i * ?3 / ?4)
             FROM s
             UNION ALL SELECT -1, (SELECT max(at) FROM checks WHERE {col} = ?1 AND at < ?2)"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut slots = vec![Slot::default(); w.slots];
        let mut watched = false;
        stmt.for_each(params![key.id, w.from, w.span(), w.slots as i64], |row| {
            let i: i64 = row.get(0)?;
            let Some(at) = row.get::<_, Option<i64>>(1)? else {
                return Ok(());
            };
            match usize::try_from(i) {
                // The first check at or after the slot's start: is it inside the slot?
                Ok(i) if i < w.slots && at < w.slot_start(i + 1) => {
                    slots[i].worst = Some(status);
                    watched = true;
                }
                Ok(_) => {}
                // The check before the window counts for it up to MAX_GAP.
                Err(_) => watched |= at + uptime::MAX_GAP > w.from,
            }
            Ok(())
        })?;
        let uptime = watched.then_some(if status == Status::Online { 100.0 } else { 0.0 });
        Ok((uptime, slots))
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.sqlite() else {
            return;
        };
        // The function holds on to `cell`; statements cached with it re-prepare next time.
        let _ = conn.remove_function(WALK_FN, 1);
        if !self.qpsg {
            let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, false);
        }
    }
}

impl Store {
    /// The history of each record over `w`, keyed by record. `records` carries each record's
    /// current status, which holds for checks after its last change.
    ///
    /// Queries: one for every record's state changes, one for the daily roll-ups, one for the
    /// sampled response times, and one per record on the `(record, at)` index alone: a walk of
    /// its check times when its status changed in the window, else a seek per slot. When
    /// there is much walking to do, the per-record queries are shared with a second, read-only
    /// connection on another thread, while this one also reads the response times.
    pub fn report_history(
        &self,
        records: &[(RecordKey, Status)],
        w: &Window,
    ) -> Result<HashMap<RecordKey, RecordHistory>> {
        self.history(records, w, |walks| {
            (walks as i64).saturating_mul(w.span()) >= SHARED_WALK
        })
    }

    /// `report_history`, sharing the work when `share` says so of the number of walks.
    fn history(
        &self,
        records: &[(RecordKey, Status)],
        w: &Window,
        share: impl FnOnce(usize) -> bool,
    ) -> Result<HashMap<RecordKey, RecordHistory>> {
        let timelines = self.timelines(w).context("cannot read state changes")?;
        let daily = self.daily_rows(w).context("cannot read daily roll-ups")?;
        let walks = records
            .iter()
            .filter(|(key, _)| timelines.contains_key(key) || daily.contains_key(key))
            .count();
        let work = Work {
            records,
            timelines: &timelines,
            daily: &daily,
            w,
            next: AtomicUsize::new(0),
        };
        let helper_db = self
            .conn
            .sqlite()
            .and_then(Connection::path)
            .filter(|p| !p.is_empty())
            .filter(|_| thread::available_parallelism().is_ok_and(|n| n.get() > 1))
            .filter(|_| share(walks))
            .map(PathBuf::from);
        let (responses, found) = thread::scope(|s| -> Result<_> {
            let helper = helper_db.map(|db| s.spawn(|| work.run_on(db)));
            let mine = self
                .sampled_responses(w)
                .context("cannot read response times")
                .and_then(|responses| Ok((responses, work.run(&self.conn)?)));
            if mine.is_err() {
                work.stop();
            }
            let (responses, mut found) = mine?;
            if let Some(helper) = helper {
                match helper.join() {
                    Ok(theirs) => found.extend(theirs?),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Ok((responses, found))
        })?;
        let mut out = HashMap::with_capacity(found.len());
        for (key, (uptime, slots)) in found {
            let response_ms = match responses.get(&key) {
                Some(sums) => sums
                    .iter()
                    .map(|&(sum, n)| (n > 0).then(|| sum as f64 / n as f64))
                    .collect(),
                None => vec![None; w.slots],
            };
            out.insert(
                key,
                RecordHistory {
                    uptime,
                    slots,
                    response_ms,
                },
            );
        }
        Ok(out)
    }

    /// Every record's status changes in the window, oldest first.
    fn timelines(&self, w: &Window) -> Result<HashMap<RecordKey, Timeline>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT host_id, instance_id, at, from_status, to_status FROM state_changes
             WHERE at >= ?1 AND at < ?2 ORDER BY at, id",
        )?;
        let mut out: HashMap<RecordKey, Timeline> = HashMap::new();
        stmt.for_each(params![w.from, w.to], |row| {
            let Some(key) = key_of(row.get(0)?, row.get(1)?) else {
                return Ok(());
            };
            let from: String = row.get(3)?;
            let to: String = row.get(4)?;
            out.entry(key).or_default().changes.push((
                row.get(2)?,
                status_of(&from),
                status_of(&to),
            ));
            Ok(())
        })?;
        Ok(out)
    }

    /// Daily roll-ups of pruned days inside the window (whole days, as `Store::uptime` counts).
    fn daily_rows(&self, w: &Window) -> Result<HashMap<RecordKey, Vec<DailyRow>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT host_id, instance_id, day, checks, failures, up_seconds, observed_seconds
             FROM daily WHERE day >= ?1 AND day < ?2 ORDER BY day",
        )?;
        let mut out: HashMap<RecordKey, Vec<DailyRow>> = HashMap::new();
        stmt.for_each(params![w.from, w.to], |row| {
            let Some(key) = key_of(row.get(0)?, row.get(1)?) else {
                return Ok(());
            };
            let count = |i: usize| -> db::Result<u32> {
                Ok(u32::try_from(row.get::<_, i64>(i)?).unwrap_or(0))
            };
            out.entry(key).or_default().push(DailyRow {
                day: row.get(2)?,
                checks: count(3)?,
                failures: count(4)?,
                up: row.get(5)?,
                observed: row.get(6)?,
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// Per record and slot, the sum and count of the response times of online checks in a
    /// stretch of at most `RESPONSE_SAMPLE` in the middle of the slot, in one query.
    fn sampled_responses(&self, w: &Window) -> Result<HashMap<RecordKey, Vec<(i64, i64)>>> {
        if w.slots == 0 {
            return Ok(HashMap::new());
        }
        let slot = w.span() / w.slots as i64;
        let sample = slot.clamp(1, RESPONSE_SAMPLE);
        let offset = (slot - sample) / 2;
        // CROSS JOIN keeps the slots outside, so each slot is one range of the `at` index;
        // `+status` stops SQLite from building a temporary index on status instead.
        // (PostgreSQL has no unary + on text, and needs no such hint.)
        let (unindexed, cross) = (self.conn.sqlite_hint("+"), self.conn.sqlite_hint("CROSS "));
        let mut stmt = self.conn.prepare_cached(&format!(
            "WITH RECURSIVE s(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM s
                WHERE i + 1 < ?3)
             SELECT s.i, c.host_id, c.instance_id, c.response_ms
             FROM s {cross}JOIN checks c
             ON c.at >= ?1 + s.i * ?2 / ?3 + ?4 AND c.at < ?1 + s.i * ?2 / ?3 + ?4 + ?5
             WHERE {unindexed}c.status = 'online' AND c.response_ms IS NOT NULL"
        ))?;
        let mut out: HashMap<RecordKey, Vec<(i64, i64)>> = HashMap::new();
        stmt.for_each(
            params![w.from, w.span(), w.slots as i64, offset, sample],
            |row| {
                let Some(key) = key_of(row.get(1)?, row.get(2)?) else {
                    return Ok(());
                };
                let Ok(i) = usize::try_from(row.get::<_, i64>(0)?) else {
                    return Ok(());
                };
                let ms: i64 = row.get(3)?;
                let sums = out.entry(key).or_insert_with(|| vec![(0, 0); w.slots]);
                if let Some(s) = sums.get_mut(i) {
                    s.0 += ms;
                    s.1 += 1;
                }
                Ok(())
            },
        )?;
        Ok(out)
    }
}

struct DailyRow {
    day: i64,
    checks: u32,
    failures: u32,
    up: i64,
    observed: i64,
}

fn key_of(host: Option<i64>, instance: Option<i64>) -> Option<RecordKey> {
    match (host, instance) {
        (Some(id), None) => Some(RecordKey {
            record_type: RecordType::Host,
            id,
        }),
        (None, Some(id)) => Some(RecordKey {
            record_type: RecordType::Instance,
            id,
        }),
        _ => None,
    }
}

/// A record's walked uptime and slots, plus the roll-ups of its pruned days: their time in the
/// tally, their counts in the slots that hold no raw check.
fn with_days(
    mut tally: Tally,
    mut slots: Vec<Slot>,
    days: &[DailyRow],
    w: &Window,
) -> (Option<f64>, Vec<Slot>) {
    for d in days {
        tally.add(Tally {
            up: d.up,
            observed: d.observed,
        });
        // A pruned day has no raw checks left: its slots show the roll-up.
        for (i, s) in slots.iter_mut().enumerate() {
            let (a, b) = (w.slot_start(i), w.slot_start(i + 1));
            if s.worst.is_none() && a < d.day + 86_400 && b > d.day {
                s.counts = Some((d.checks, d.failures));
                s.worst = Some(if d.failures > 0 {
                    Status::Offline
                } else {
                    Status::Online
                });
                s.rolled_up = true;
            }
        }
    }
    (tally.percent(), slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::Reading;

    #[test]
    fn the_walker_gives_each_check_its_status_and_slot() {
        let t = Timeline {
            changes: vec![
                (100, Status::Online, Status::Offline),
                (200, Status::Offline, Status::Online),
            ],
        };
        let w = Window {
            from: 0,
            to: 400,
            slots: 4,
        };
        let mut walker = Walker::new(Some(&t), Status::Error, &w);
        for at in [-50, 50, 100, 199, 300] {
            walker.push(at);
        }
        let (tally, slots) = walker.finish().expect("in order");
        // Up until the check at 100, and from the one at 300 to the end: the check at 199
        // found it offline and holds until then.
        assert_eq!(
            tally,
            Tally {
                up: 100 + 100,
                observed: 400
            }
        );
        let seen: Vec<_> = slots.iter().map(|s| (s.counts, s.worst)).collect();
        assert_eq!(
            seen,
            [
                (Some((1, 0)), Some(Status::Online)),
                (Some((2, 2)), Some(Status::Offline)),
                (None, None),
                (Some((1, 0)), Some(Status::Online)),
            ]
        );
        // No change in the window: every check found the current status.
        let mut walker = Walker::new(None, Status::Missing, &w);
        walker.push(5);
        let (tally, slots) = walker.finish().expect("in order");
        assert_eq!(tally.up, 0);
        assert_eq!(slots[0].worst, Some(Status::Missing));
        // Out of order, the walk is void.
        let mut walker = Walker::new(None, Status::Online, &w);
        walker.push(50);
        walker.push(49);
        assert!(walker.finish().is_none());
    }

    /// A store with one record per entry of `schedules`, each checked at the times and with
    /// the statuses given, through the writer as passes store them.
    fn store_with(
        schedules: &[(RecordType, &[(i64, Status)])],
    ) -> (tempfile::TempDir, Store, Vec<(RecordKey, Status)>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(
            &dir.path().join("w.db"),
            crate::store::Access::Create { mode: 0o600 },
        )
        .expect("open");
        let mut records = Vec::new();
        for (n, &(record_type, checks)) in schedules.iter().enumerate() {
            let table = match record_type {
                RecordType::Host => "hosts",
                RecordType::Instance => "instances",
            };
            let id = store
                .conn
                .query_row(
                    &format!(
                        "INSERT INTO {table} (ref, api_kind, url, created_at)
                         VALUES ('r{n}', 'ping', 'http://x/', 0) RETURNING id"
                    ),
                    params![],
                    |r| r.get(0),
                )
                .expect("insert");
            for &(at, status) in checks {
                let reading = Reading::new(status, "");
                store
                    .store_reading(RecordKey { record_type, id }, at, &reading)
                    .expect("write");
            }
            let now = checks.last().map_or(Status::Unknown, |c| c.1);
            records.push((RecordKey { record_type, id }, now));
        }
        (dir, store, records)
    }

    /// Per slot, the checks, how many were down and the worst status, straight from the
    /// stored checks.
    fn naive_slots(store: &Store, key: RecordKey, w: &Window) -> Vec<(u32, u32, Option<Status>)> {
        let sql = format!(
            "SELECT at, status FROM checks WHERE {} = ?1",
            owner_column(key.record_type)
        );
        let mut stmt = store.conn.prepare(&sql).expect("prepare");
        let mut slots = vec![(0, 0, None); w.slots];
        let rows = stmt
            .query_map([key.id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .expect("query");
        for row in rows {
            let (at, status) = row.expect("row");
            let status = status_of(&status);
            if let Some(i) = w.slot_of(at) {
                let s = &mut slots[i];
                s.0 += 1;
                s.1 += u32::from(status.is_down());
                s.2 = worse(s.2, status);
            }
        }
        slots
    }

    #[test]
    fn the_walk_matches_store_uptime_and_a_naive_count() {
        use Status::{Error, Missing, Offline, Online, Unknown};
        let from = 1_000_000;
        let w = Window {
            from,
            to: from + 3 * 86_400 + 17,
            slots: 12,
        };
        let every = |start: i64, end: i64, step: i64, status: Status| {
            (start..end)
                .step_by(step as usize)
                .map(move |at| (at, status))
        };
        // Irregular: a check long before the window, one just before it (offline: it weighs
        // for the window's first 10 minutes), 5-minute checks, gaps over 2 hours in several
        // statuses, a check on a slot boundary, every status, and a last check in the window 3
        // hours before its end (it holds for 2).
        let mut changed: Vec<(i64, Status)> = vec![(from - 9_000, Online), (from - 600, Offline)];
        changed.extend(every(from, from + 5 * 3600, 300, Online));
        changed.extend(every(from + 5 * 3600, from + 6 * 3600, 420, Offline));
        changed.extend(every(from + 9 * 3600, from + 10 * 3600, 600, Offline));
        changed.push((w.slot_start(2), Error));
        changed.extend(every(
            w.slot_start(2) + 60,
            w.slot_start(2) + 7200,
            900,
            Error,
        ));
        changed.extend(every(from + 20 * 3600, from + 21 * 3600, 300, Unknown));
        changed.extend(every(from + 21 * 3600, from + 22 * 3600, 1200, Missing));
        changed.extend(every(from + 22 * 3600, from + 40 * 3600, 300, Online));
        changed.extend(every(from + 44 * 3600, from + 50 * 3600, 3600, Online));
        changed.extend(every(from + 50 * 3600, from + 51 * 3600, 300, Offline));
        changed.push((w.to - 3 * 3600, Online));
        // Checks from after the window's end do not count in it.
        changed.extend([(w.to, Offline), (w.to + 60, Offline)]);
        // Back online just before the window, then a change inside it.
        let host: Vec<(i64, Status)> = vec![
            (from - 7200, Offline),
            (from - 100, Online),
            (from + 4000, Online),
            (from + 4300, Error),
            (from + 20_000, Error),
            (from + 30_000, Online),
        ];
        // No change in the window: 100 % whatever the gaps, counts not kept.
        let steady: Vec<(i64, Status)> = every(from - 3600, w.to, 4000, Online).collect();
        let (_dir, store, records) = store_with(&[
            (RecordType::Instance, &changed),
            (RecordType::Host, &host),
            (RecordType::Instance, &steady),
        ]);
        let history = store.report_history(&records, &w).expect("history");
        for (i, &(key, now)) in records.iter().enumerate() {
            let h = &history[&key];
            let expected = store
                .uptime(key.record_type, key.id, w.from, w.to)
                .expect("uptime");
            assert_eq!(h.uptime, expected.percent(), "record {i}");
            for (j, (s, naive)) in h.slots.iter().zip(naive_slots(&store, key, &w)).enumerate() {
                assert_eq!(s.worst, naive.2, "record {i} slot {j}");
                if i < 2 {
                    assert_eq!(s.counts.unwrap_or_default(), (naive.0, naive.1), "{i} {j}");
                } else {
                    assert_eq!(s.counts, None);
                }
            }
            // The rows read out give the same walk as the aggregate.
            if i < 2 {
                let timelines = store.timelines(&w).expect("timelines");
                let reader = Reader::new(&store.conn).expect("reader");
                let walked = reader
                    .walk(key, timelines.get(&key), now, &w)
                    .expect("walk");
                let rows = reader
                    .walk_rows(key, timelines.get(&key), now, &w)
                    .expect("rows");
                assert_eq!(walked, rows);
                assert_eq!(walked.0, expected);
            }
        }
        // The figures are worth checking: downtime, gaps and several statuses are in them.
        let changed_uptime = history[&records[0].0].uptime.expect("watched");
        assert!(
            changed_uptime > 50.0 && changed_uptime < 95.0,
            "{changed_uptime}"
        );
        let tally = store
            .uptime(RecordType::Instance, records[0].0.id, w.from, w.to)
            .expect("uptime");
        assert!(
            tally.observed < w.to - w.from - 4 * 3600,
            "gaps count: {tally:?}"
        );
    }

    #[test]
    fn pruned_days_show_their_roll_ups() {
        use Status::{Offline, Online};
        let from = 10 * 86_400;
        let w = Window {
            from,
            to: from + 3 * 86_400,
            slots: 6,
        };
        // Every 10 minutes, with an hour offline on the first day and on the last.
        let checks: Vec<(i64, Status)> = (from - 600..w.to)
            .step_by(600)
            .map(|at| {
                let hour = (at - from).rem_euclid(86_400) / 3600;
                let day = (at - from).div_euclid(86_400);
                (
                    at,
                    if hour == 5 && day != 1 {
                        Offline
                    } else {
                        Online
                    },
                )
            })
            .collect();
        let (_dir, mut store, records) = store_with(&[(RecordType::Instance, &checks)]);
        store.prune(from + 86_400).expect("prune");
        let (key, _) = records[0];
        let history = store.report_history(&records, &w).expect("history");
        let h = &history[&key];
        let expected = store.uptime(key.record_type, key.id, w.from, w.to);
        assert_eq!(h.uptime, expected.expect("uptime").percent());
        // The first day's two slots show its roll-up: 144 checks, 6 of them down.
        for s in &h.slots[..2] {
            assert!(s.rolled_up);
            assert_eq!((s.counts, s.worst), (Some((144, 6)), Some(Offline)));
        }
        assert!(h.slots[2..].iter().all(|s| !s.rolled_up));
        assert_eq!(h.slots[2].counts, Some((72, 0)));
        assert_eq!(h.slots[4].counts, Some((72, 6)));
    }

    #[test]
    fn a_second_connection_walks_the_same() {
        use Status::{Offline, Online};
        let from = 1_000_000;
        let w = Window {
            from,
            to: from + 86_400,
            slots: 24,
        };
        // Every third record changes status.
        let schedules: Vec<Vec<(i64, Status)>> = (0..40)
            .map(|n| {
                (from - 300..w.to)
                    .step_by(1800 + 60 * n as usize)
                    .enumerate()
                    .map(|(k, at)| {
                        (
                            at,
                            if n % 3 == 0 && k % 7 == 3 {
                                Offline
                            } else {
                                Online
                            },
                        )
                    })
                    .collect()
            })
            .collect();
        let list: Vec<_> = schedules
            .iter()
            .map(|c| (RecordType::Instance, c.as_slice()))
            .collect();
        let (_dir, store, records) = store_with(&list);
        let history = store.report_history(&records, &w).expect("history");
        // Shared between two connections: the same.
        let shared = store.history(&records, &w, |_| true).expect("shared");
        assert_eq!(shared, history);
        let timelines = store.timelines(&w).expect("timelines");
        let daily = HashMap::new();
        let work = |next| Work {
            records: &records,
            timelines: &timelines,
            daily: &daily,
            w: &w,
            next: AtomicUsize::new(next),
        };
        // Alone, on this connection and on a read-only one of its own.
        let path = PathBuf::from(
            store
                .conn
                .sqlite()
                .and_then(Connection::path)
                .expect("a file"),
        );
        for walked in [
            work(0).run(&store.conn).expect("run"),
            work(0).run_on(path).expect("run on"),
        ] {
            assert_eq!(walked.len(), records.len());
            for (key, (uptime, slots)) in walked {
                let h = &history[&key];
                assert_eq!((&h.uptime, &h.slots), (&uptime, &slots), "{key:?}");
                let expected = store.uptime(key.record_type, key.id, w.from, w.to);
                assert_eq!(uptime, expected.expect("uptime").percent());
            }
        }
        // Nothing left to take.
        let done = work(0);
        done.stop();
        assert!(done.run(&store.conn).expect("run").is_empty());
    }

    #[test]
    fn the_walks_read_the_index_alone() {
        let (_dir, store, _) = store_with(&[]);
        let reader = Reader::new(&store.conn).expect("reader");
        for (rt, index) in [
            (RecordType::Host, "checks_host"),
            (RecordType::Instance, "checks_instance"),
        ] {
            let range = walk_range(rt);
            for sql in [
                format!("SELECT {WALK_FN}(at) {range}"),
                format!("SELECT at {range} ORDER BY at"),
            ] {
                let mut stmt = reader
                    .conn
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .expect("explain");
                let plan: Vec<String> = stmt
                    .query_map(params![1, 0, 100], |r| r.get(3))
                    .expect("plan")
                    .collect::<db::Result<_>>()
                    .expect("rows");
                assert!(
                    plan.iter().all(|step| !step.contains("checks")
                        || step.contains(&format!("USING COVERING INDEX {index} "))),
                    "{sql}: {plan:?}"
                );
                assert!(
                    !plan.iter().any(|step| step.contains("TEMP B-TREE")),
                    "{plan:?}"
                );
            }
        }
    }

    #[test]
    fn worst_status_wins() {
        assert_eq!(worse(None, Status::Online), Some(Status::Online));
        assert_eq!(
            worse(Some(Status::Online), Status::Error),
            Some(Status::Error)
        );
        assert_eq!(
            worse(Some(Status::Offline), Status::Error),
            Some(Status::Offline)
        );
    }
}
