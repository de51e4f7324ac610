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

/// An uptime as it is shown, to two decimals: rounded down, so a little downtime never shows
/// as 100 %, and the same on the page as in the terminal. The tiny nudge keeps a value such as
/// 0.29 (28.999… hundredths in binary) at 0.29.
pub fn shown_percent(p: f64) -> f64 {
    if !p.is_finite() {
        return p;
    }
    ((p * 100.0 + 1e-6).floor() / 100.0).clamp(0.0, 100.0)
}

/// The usual number of slots between two consecutive checks of a record, from which slots
/// hold a check (`present`) and how many checks each held (`counts`, when known): the median
/// distance between slots with a check, or a share of one slot when they hold several. None
/// with fewer than two slots holding a check.
pub fn usual_step(present: &[bool], counts: &[Option<u32>]) -> Option<f64> {
    let at: Vec<usize> = present
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.then_some(i))
        .collect();
    let mut steps: Vec<usize> = at.windows(2).map(|w| w[1] - w[0]).collect();
    if steps.is_empty() {
        return None;
    }
    steps.sort_unstable();
    let step = steps[steps.len() / 2];
    if step > 1 {
        return Some(step as f64);
    }
    // Slots next to each other: checks are at most one slot apart, maybe many times closer.
    // Counts unknown, assume closer (half a slot), so an empty slot stays a gap.
    let mut per_slot: Vec<u32> = counts
        .iter()
        .flatten()
        .copied()
        .filter(|n| *n > 0)
        .collect();
    per_slot.sort_unstable();
    Some(
        per_slot
            .get(per_slot.len() / 2)
            .map_or(0.5, |n| 1.0 / f64::from(*n)),
    )
}

/// Whether `distance` slots between two slots with checks is a real gap (monitoring stopped)
/// rather than the usual spacing of checks sparser than slots: more than twice the usual step.
pub fn is_gap(distance: usize, usual: Option<f64>) -> bool {
    usual.is_none_or(|u| distance as f64 > 2.0 * u)
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
    /// How many checks, and how many of them were offline, error, missing or unreachable; None when not
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

    #[test]
    fn shown_percent_rounds_down_to_hundredths() {
        assert_eq!(shown_percent(100.0), 100.0);
        assert_eq!(shown_percent(99.999), 99.99);
        assert_eq!(shown_percent(91.666_666), 91.66);
        assert_eq!(shown_percent(0.29), 0.29);
        assert_eq!(shown_percent(0.0), 0.0);
        assert_eq!(format!("{:.2}", shown_percent(200.0 / 3.0)), "66.66");
    }

    #[test]
    fn gaps_are_twice_the_usual_step() {
        // Every other slot, one check each: one or three empty slots are the usual spacing.
        let present: Vec<bool> = (0..20)
            .map(|i| i % 2 == 0 && !(8..14).contains(&i))
            .collect();
        let counts: Vec<Option<u32>> = present.iter().map(|p| p.then_some(1)).collect();
        let usual = usual_step(&present, &counts);
        assert_eq!(usual, Some(2.0));
        assert!(!is_gap(2, usual) && !is_gap(4, usual));
        assert!(is_gap(8, usual), "six slots without a check");
        // Three checks a slot: one empty slot is already a gap.
        let present = [true, true, false, true, true];
        let counts = [Some(3), Some(3), None, Some(3), Some(2)];
        let usual = usual_step(&present, &counts);
        assert_eq!(usual, Some(1.0 / 3.0));
        assert!(is_gap(2, usual));
        // One check a slot: a slot without one is the spacing of a late pass.
        let one = [Some(1), Some(1), None, Some(1), Some(1)];
        assert!(!is_gap(2, usual_step(&present, &one)));
        // Counts unknown: an empty slot stays a gap.
        assert_eq!(usual_step(&present, &[None; 5]), Some(0.5));
        assert!(is_gap(2, usual_step(&present, &[None; 5])));
        assert_eq!(usual_step(&[false, true, false], &[]), None);
        assert!(is_gap(2, None));
    }
}
