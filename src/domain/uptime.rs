//! Time-weighted uptime from a record's checks: each check's status holds until the next
//! check, for at most `MAX_GAP` (beyond that nobody was looking, and the time is not counted).

use serde::Serialize;

use super::model::Status;

/// Longest stretch one check speaks for; a gap longer than this means cron stopped.
pub const MAX_GAP: i64 = 2 * 3600;

/// Seconds up and seconds observed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub up: i64,
    pub observed: i64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.up += other.up;
        self.observed += other.observed;
    }

    /// Adds what one check at `at` found, holding until the next check at `next` (or `to`
    /// for the last) but never more than `MAX_GAP`, within [from, to). `tally` is this over
    /// a list; the report calls it one check at a time.
    pub fn weigh(&mut self, at: i64, status: Status, next: i64, from: i64, to: i64) {
        let end = next.min(at + MAX_GAP).min(to);
        let start = at.max(from);
        if end <= start {
            return;
        }
        let secs = end - start;
        self.observed += secs;
        if status == Status::Online {
            self.up += secs;
        }
    }

    /// Percent up, None when nothing was observed.
    pub fn percent(self) -> Option<f64> {
        (self.observed > 0).then(|| self.up as f64 * 100.0 / self.observed as f64)
    }
}

/// Uptime over [from, to) from checks sorted by time. The list may start before `from` (the
/// check in force at `from`); each check counts until the next one, or `to` for the last.
pub fn tally(checks: &[(i64, Status)], from: i64, to: i64) -> Tally {
    let mut t = Tally::default();
    for (i, &(at, status)) in checks.iter().enumerate() {
        let next = checks.get(i + 1).map_or(to, |c| c.0);
        t.weigh(at, status, next, from, to);
    }
    t
}

/// Uptime over the usual windows, for `show` and `list --json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Uptime {
    pub day: Option<f64>,
    pub week: Option<f64>,
    pub month: Option<f64>,
}

/// A window `[from, to)` cut into `slots` equal slots (the last second rounding into the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: i64,
    pub to: i64,
    pub slots: usize,
}

impl Window {
    /// How many seconds the window covers (at least 1).
    pub fn span(&self) -> i64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use Status::{Offline, Online};

    #[test]
    fn weighted_by_time_not_rows() {
        // Every 5 minutes for 9 hours online, then one hour offline; then a single
        // offline row weighs as much as the hour it covers, not as one row among 120.
        let mut checks: Vec<(i64, Status)> = (0..108).map(|i| (i * 300, Online)).collect();
        checks.push((9 * 3600, Offline));
        let t = tally(&checks, 0, 10 * 3600);
        assert_eq!(t.observed, 10 * 3600);
        assert_eq!(t.up, 9 * 3600);
        assert_eq!(t.percent(), Some(90.0));
    }

    #[test]
    fn window_clips_and_gaps_are_not_counted() {
        let checks = [(-600, Offline), (600, Online)];
        // The check before the window speaks for its first 600 s.
        let t = tally(&checks, 0, 1200);
        assert_eq!(
            t,
            Tally {
                up: 600,
                observed: 1200
            }
        );
        // A check followed by a day of silence counts for MAX_GAP only.
        let t = tally(&[(0, Online)], 0, 86_400);
        assert_eq!(
            t,
            Tally {
                up: MAX_GAP,
                observed: MAX_GAP
            }
        );
        assert_eq!(tally(&[], 0, 100).percent(), None);
    }

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
}
