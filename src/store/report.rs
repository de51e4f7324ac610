//! What the HTML report reads of the past: per record, its uptime over a window, the worst
//! status in each of a fixed number of slots, and sampled response times.
//!
//! A big fleet holds millions of checks in a month (1,000 records every 5 minutes: 8.6 M), and
//! reading them whole takes seconds. Two facts keep the report fast and its figures exact:
//! - every change of status is in `state_changes`, at the time of the check that made it, so a
//!   check's status is known from its time alone, and the times are in the `(record, at)` index:
//!   a record whose status changed in the window has its check times read from the index (never
//!   the table) and gets the same time-weighted uptime as `Store::uptime`;
//! - a record whose status did not change (most of them, most months) is up all the time it was
//!   watched, or down all of it: its uptime is 100 % or 0 %, whatever the gaps. One seek per slot
//!   into the index tells which slots hold a check.
//!
//! Response times need the table rows, so they are sampled: the checks in a short stretch in the
//! middle of each slot, for all records at once.

use std::collections::HashMap;

use anyhow::{Context as _, Result};
use rusqlite::params;

use super::Store;
use crate::model::{RecordType, Status};
use crate::uptime::{self, Tally};

/// The longest stretch of each slot whose checks are read for response times.
const RESPONSE_SAMPLE: i64 = 15 * 60;

/// A window `[from, to)` cut into `slots` equal slots (the last second rounding into the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: i64,
    pub to: i64,
    pub slots: usize,
}

impl Window {
    fn span(&self) -> i64 {
        (self.to - self.from).max(1)
    }

    /// When slot `i` starts; `slot_start(slots)` is the window's end.
    pub fn slot_start(&self, i: usize) -> i64 {
        self.from + self.span() * i as i64 / self.slots.max(1) as i64
    }

    /// The slot holding `at`, if it is inside the window.
    pub fn slot_of(&self, at: i64) -> Option<usize> {
        if at < self.from || at >= self.to || self.slots == 0 {
            return None;
        }
        // The rounded-down share starts at or before `at`; the next slot may too, as slot
        // starts are rounded down themselves.
        let mut i = ((at - self.from) as i128 * self.slots as i128 / self.span() as i128) as usize;
        while i + 1 < self.slots && self.slot_start(i + 1) <= at {
            i += 1;
        }
        Some(i.min(self.slots - 1))
    }
}

/// What the checks in one slot found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Slot {
    /// How many checks, and how many of them were offline, error or missing; None when not
    /// counted (a record whose status never changed in the window: all were `worst`).
    pub counts: Option<(u32, u32)>,
    /// The worst status seen (offline > missing > error > unknown > online); None: no check.
    pub worst: Option<Status>,
    /// The slot's day was pruned: the counts come from the daily roll-up.
    pub rolled_up: bool,
}

/// One record's past over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordHistory {
    /// Percent up over the window, time-weighted as `Store::uptime` counts it; None when the
    /// record was not watched at all.
    pub uptime: Option<f64>,
    pub slots: Vec<Slot>,
    /// Mean response time of the online checks sampled in each slot.
    pub response_ms: Vec<Option<f64>>,
}

/// A record as the history query needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordKey {
    pub record_type: RecordType,
    pub id: i64,
}

/// How bad a status is, for "the worst in a slot".
fn severity(s: Status) -> u8 {
    match s {
        Status::Online => 0,
        Status::Unknown => 1,
        Status::Error => 2,
        Status::Missing => 3,
        Status::Offline => 4,
    }
}

fn worse(a: Option<Status>, b: Status) -> Option<Status> {
    match a {
        Some(a) if severity(a) >= severity(b) => Some(a),
        _ => Some(b),
    }
}

fn owner(rt: RecordType) -> &'static str {
    match rt {
        RecordType::Host => "host_id",
        RecordType::Instance => "instance_id",
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

impl Timeline {
    /// The status a check at `at` found: the target of the last change at or before it; before
    /// the first change, what that change started from; with no change in the window, `now`.
    fn status_at(&self, at: i64, now: Status) -> Status {
        let i = self.changes.partition_point(|c| c.0 <= at);
        if i > 0 {
            self.changes[i - 1].2
        } else {
            self.changes.first().map_or(now, |c| c.1)
        }
    }
}

impl Store {
    /// The history of each record over `w`, keyed by record. `records` carries each record's
    /// current status, which holds for checks after its last change.
    ///
    /// Queries: one for every record's state changes, one for the daily roll-ups, one for the
    /// sampled response times, and one per record on the `(record, at)` index alone: its check
    /// times when its status changed in the window, else a seek per slot.
    pub fn report_history(
        &self,
        records: &[(RecordKey, Status)],
        w: &Window,
    ) -> Result<HashMap<RecordKey, RecordHistory>> {
        let timelines = self.timelines(w).context("cannot read state changes")?;
        let daily = self.daily_rows(w).context("cannot read daily roll-ups")?;
        let responses = self
            .sampled_responses(w)
            .context("cannot read response times")?;
        let mut times: Vec<i64> = Vec::new();
        let mut out = HashMap::with_capacity(records.len());
        for &(key, now) in records {
            let days = daily.get(&key).map_or(&[][..], Vec::as_slice);
            let (uptime, slots) = match timelines.get(&key) {
                // The roll-ups of pruned days weigh against the raw checks' time: count it.
                None if days.is_empty() => self.steady(key, now, w)?,
                timeline => {
                    self.check_times(key, w, &mut times)
                        .context("cannot read checks")?;
                    walk(&times, timeline, now, days, w)
                }
            };
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

    /// Uptime and slots of a record whose status was `status` all through the window: which
    /// slots hold a check (one index seek each), and whether the check in force at the start
    /// still spoke for it.
    fn steady(
        &self,
        key: RecordKey,
        status: Status,
        w: &Window,
    ) -> Result<(Option<f64>, Vec<Slot>)> {
        let col = owner(key.record_type);
        let sql = format!(
            "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ?4)
             SELECT s.i, (SELECT min(at) FROM checks WHERE {col} = ?1 AND at >= ?2 + s.i * ?3 / ?4)
             FROM s
             UNION ALL SELECT -1, (SELECT max(at) FROM checks WHERE {col} = ?1 AND at < ?2)"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![key.id, w.from, w.span(), w.slots as i64])?;
        let mut slots = vec![Slot::default(); w.slots];
        let mut watched = false;
        while let Some(row) = rows.next()? {
            let i: i64 = row.get(0)?;
            let Some(at) = row.get::<_, Option<i64>>(1)? else {
                continue;
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
        }
        let uptime = watched.then_some(if status == Status::Online { 100.0 } else { 0.0 });
        Ok((uptime, slots))
    }

    /// The times of one record's checks in the window, oldest first, led by the check in force
    /// at its start (the last one before it). Reads the `(record, at)` index only.
    fn check_times(&self, key: RecordKey, w: &Window, into: &mut Vec<i64>) -> Result<()> {
        let col = owner(key.record_type);
        let sql = format!(
            "SELECT at FROM checks WHERE {col} = ?1 AND at >= coalesce(
                (SELECT max(at) FROM checks WHERE {col} = ?1 AND at < ?2), ?2) AND at < ?3
             ORDER BY at"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![key.id, w.from, w.to])?;
        into.clear();
        while let Some(row) = rows.next()? {
            into.push(row.get(0)?);
        }
        Ok(())
    }

    /// Every record's status changes in the window, oldest first.
    fn timelines(&self, w: &Window) -> Result<HashMap<RecordKey, Timeline>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT host_id, instance_id, at, from_status, to_status FROM state_changes
             WHERE at >= ?1 AND at < ?2 ORDER BY at, id",
        )?;
        let mut rows = stmt.query(params![w.from, w.to])?;
        let mut out: HashMap<RecordKey, Timeline> = HashMap::new();
        while let Some(row) = rows.next()? {
            let Some(key) = key_of(row.get(0)?, row.get(1)?) else {
                continue;
            };
            let from: String = row.get(3)?;
            let to: String = row.get(4)?;
            out.entry(key).or_default().changes.push((
                row.get(2)?,
                status_of(&from),
                status_of(&to),
            ));
        }
        Ok(out)
    }

    /// Daily roll-ups of pruned days inside the window (whole days, as `Store::uptime` counts).
    fn daily_rows(&self, w: &Window) -> Result<HashMap<RecordKey, Vec<DailyRow>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT host_id, instance_id, day, checks, failures, up_seconds, observed_seconds
             FROM daily WHERE day >= ?1 AND day < ?2 ORDER BY day",
        )?;
        let mut rows = stmt.query(params![w.from, w.to])?;
        let mut out: HashMap<RecordKey, Vec<DailyRow>> = HashMap::new();
        while let Some(row) = rows.next()? {
            let Some(key) = key_of(row.get(0)?, row.get(1)?) else {
                continue;
            };
            let count = |i: usize| -> rusqlite::Result<u32> {
                Ok(u32::try_from(row.get::<_, i64>(i)?).unwrap_or(0))
            };
            out.entry(key).or_default().push(DailyRow {
                day: row.get(2)?,
                checks: count(3)?,
                failures: count(4)?,
                up: row.get(5)?,
                observed: row.get(6)?,
            });
        }
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
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ?3)
             SELECT s.i, c.host_id, c.instance_id, c.response_ms
             FROM s CROSS JOIN checks c
             ON c.at >= ?1 + s.i * ?2 / ?3 + ?4 AND c.at < ?1 + s.i * ?2 / ?3 + ?4 + ?5
             WHERE +c.status = 'online' AND c.response_ms IS NOT NULL",
        )?;
        let mut rows = stmt.query(params![w.from, w.span(), w.slots as i64, offset, sample])?;
        let mut out: HashMap<RecordKey, Vec<(i64, i64)>> = HashMap::new();
        while let Some(row) = rows.next()? {
            let Some(key) = key_of(row.get(1)?, row.get(2)?) else {
                continue;
            };
            let Ok(i) = usize::try_from(row.get::<_, i64>(0)?) else {
                continue;
            };
            let ms: i64 = row.get(3)?;
            let sums = out.entry(key).or_insert_with(|| vec![(0, 0); w.slots]);
            if let Some(s) = sums.get_mut(i) {
                s.0 += ms;
                s.1 += 1;
            }
        }
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

/// Uptime and slots from a record's check times, each given its status by the timeline, plus
/// the roll-ups of its pruned days.
fn walk(
    times: &[i64],
    timeline: Option<&Timeline>,
    now: Status,
    days: &[DailyRow],
    w: &Window,
) -> (Option<f64>, Vec<Slot>) {
    let empty = Timeline::default();
    let timeline = timeline.unwrap_or(&empty);
    let series: Vec<(i64, Status)> = times
        .iter()
        .map(|&t| (t, timeline.status_at(t, now)))
        .collect();
    let mut tally = uptime::tally(&series, w.from, w.to);
    let mut slots = vec![Slot::default(); w.slots];
    for &(at, status) in &series {
        if let Some(i) = w.slot_of(at) {
            let s = &mut slots[i];
            let (n, down) = s.counts.unwrap_or_default();
            s.counts = Some((n + 1, down + u32::from(status.is_down())));
            s.worst = worse(s.worst, status);
        }
    }
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

    #[test]
    fn slots_cover_the_window_exactly() {
        let w = Window {
            from: 1000,
            to: 1100,
            slots: 3,
        };
        assert_eq!(
            (0..=3).map(|i| w.slot_start(i)).collect::<Vec<_>>(),
            [1000, 1033, 1066, 1100]
        );
        assert_eq!(w.slot_of(999), None);
        assert_eq!(w.slot_of(1000), Some(0));
        assert_eq!(w.slot_of(1032), Some(0));
        assert_eq!(w.slot_of(1033), Some(1));
        assert_eq!(w.slot_of(1066), Some(2));
        assert_eq!(w.slot_of(1099), Some(2));
        assert_eq!(w.slot_of(1100), None);
        // Every second lands in the slot whose bounds hold it.
        let w = Window {
            from: 7,
            to: 7 + 7 * 86_400 + 13,
            slots: 90,
        };
        for at in (w.from..w.to).step_by(997) {
            let i = w.slot_of(at).expect("inside");
            assert!(w.slot_start(i) <= at && at < w.slot_start(i + 1), "{at}");
        }
    }

    #[test]
    fn the_timeline_gives_each_check_its_status() {
        let t = Timeline {
            changes: vec![
                (100, Status::Online, Status::Offline),
                (200, Status::Offline, Status::Online),
            ],
        };
        assert_eq!(t.status_at(50, Status::Error), Status::Online);
        assert_eq!(t.status_at(100, Status::Error), Status::Offline);
        assert_eq!(t.status_at(199, Status::Error), Status::Offline);
        assert_eq!(t.status_at(300, Status::Error), Status::Online);
        assert_eq!(
            Timeline::default().status_at(5, Status::Missing),
            Status::Missing
        );
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
