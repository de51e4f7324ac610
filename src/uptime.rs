//! Time-weighted uptime from a record's checks: each check's status holds until the next
//! check, for at most `MAX_GAP` (beyond that nobody was looking, and the time is not counted).

use serde::Serialize;

use crate::model::Status;

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
}
