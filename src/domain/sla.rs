//! SLA figures of one record over one month: availability outside excluded time, downtime,
//! incidents. Time is weighed as `uptime` weighs it: each check's status holds until the next
//! check, for at most `uptime::MAX_GAP` (beyond that nobody was looking: not counted).
//!
//! Excluded time (maintenance windows, passes where the poller itself was offline) counts
//! neither as up nor as down. Days whose raw checks were pruned count from their daily
//! roll-up: their time is exact, but a roll-up keeps no order of checks, so each such day with
//! downtime counts as one incident, flagged approximate; maintenance cannot be taken out of
//! such a day either.
//!
//! Months are UTC: from 00:00 UTC on the 1st to 00:00 UTC on the 1st of the next month, so a
//! month is made of whole roll-up days (which are UTC days) and reads the same on every
//! machine.

use serde::Serialize;

use super::model::Status;
use super::uptime::MAX_GAP;

/// Why a record was down during an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    /// The record itself did not answer (or answered badly).
    Record,
    /// The record's host was down, so it could not be reached.
    Host,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Record => "record",
            Cause::Host => "host",
        }
    }
}

/// What a check's status means for the SLA: None when up, else why down. Every status but
/// online is down (as `uptime` counts it); `unreachable` (the instance failed while its host
/// was down) is down too, the customer's site was, but its cause is the host.
pub fn down_cause(status: Status) -> Option<Cause> {
    match status {
        Status::Online => None,
        Status::Unreachable => Some(Cause::Host),
        Status::Offline | Status::Error | Status::Missing | Status::Unknown => Some(Cause::Record),
    }
}

/// One day's roll-up, as the store keeps it after pruning (`day` is 00:00 UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolledDay {
    pub day: i64,
    pub checks: i64,
    pub failures: i64,
    pub up_seconds: i64,
    pub observed_seconds: i64,
}

/// A stretch of consecutive down checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// When it began (the first down check, or the month's start).
    pub start: i64,
    /// When it ended: the next good check, or the end of the time it was seen down.
    pub end: i64,
    /// Down time counted in it (excluded time and unwatched gaps left out).
    pub down_seconds: i64,
    pub cause: Cause,
    /// From a daily roll-up: the whole day's downtime as one incident.
    pub approximate: bool,
}

/// The figures of one record over one month.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub from: i64,
    pub to: i64,
    /// Seconds watched (outside excluded time), and up among them.
    pub observed_seconds: i64,
    pub up_seconds: i64,
    /// Seconds of the month inside a maintenance window, and inside a poller-offline pass
    /// (outside maintenance): both left out.
    pub maintenance_seconds: i64,
    pub poller_offline_seconds: i64,
    pub incidents: Vec<Incident>,
    /// Days counted from their roll-up (00:00 UTC of each).
    pub rolled_up_days: Vec<i64>,
}

impl Figures {
    /// Percent up of the time watched; None when nothing was.
    pub fn availability(&self) -> Option<f64> {
        (self.observed_seconds > 0)
            .then(|| self.up_seconds as f64 * 100.0 / self.observed_seconds as f64)
    }

    pub fn downtime_seconds(&self) -> i64 {
        self.observed_seconds - self.up_seconds
    }

    pub fn longest_incident_seconds(&self) -> i64 {
        self.incidents
            .iter()
            .map(|i| i.down_seconds)
            .max()
            .unwrap_or(0)
    }

    /// Incident counts are approximate: some days came from roll-ups.
    pub fn approximate(&self) -> bool {
        self.incidents.iter().any(|i| i.approximate)
    }

    /// Whether the availability reached `target` percent, compared as it is shown (two
    /// decimals, rounded down); None when nothing was watched.
    pub fn met(&self, target: f64) -> Option<bool> {
        self.availability()
            .map(|a| super::uptime::shown_percent(a) >= target - 1e-9)
    }
}

/// Sorted, merged intervals, clipped to [from, to).
fn merged(intervals: &[(i64, i64)], from: i64, to: i64) -> Vec<(i64, i64)> {
    super::maintenance::merge(
        intervals
            .iter()
            .map(|&(a, b)| (a.max(from), b.min(to)))
            .collect(),
    )
}

/// Seconds of [a, b) outside the merged `excluded` intervals.
fn outside(a: i64, b: i64, excluded: &[(i64, i64)]) -> i64 {
    let covered: i64 = excluded
        .iter()
        .map(|&(x, y)| (b.min(y) - a.max(x)).max(0))
        .sum();
    (b - a - covered).max(0)
}

fn total(intervals: &[(i64, i64)]) -> i64 {
    intervals.iter().map(|(a, b)| b - a).sum()
}

/// The month's figures for one record.
///
/// `checks` are its raw checks sorted by time, starting with the one in force at `from` (which
/// may be before it); `maintenance` and `poller_offline` are intervals [from, to) to leave out;
/// `rolled` are the roll-ups of pruned days in the month.
pub fn compute(
    checks: &[(i64, Status)],
    (from, to): (i64, i64),
    maintenance: &[(i64, i64)],
    poller_offline: &[(i64, i64)],
    rolled: &[RolledDay],
) -> Figures {
    let maint = merged(maintenance, from, to);
    let all_excluded = merged(&[&maint[..], poller_offline].concat(), from, to);
    let mut f = Figures {
        from,
        to,
        observed_seconds: 0,
        up_seconds: 0,
        maintenance_seconds: total(&maint),
        poller_offline_seconds: total(&all_excluded) - total(&maint),
        incidents: Vec::new(),
        rolled_up_days: Vec::new(),
    };
    let mut open: Option<(Incident, bool)> = None; // (incident, every down check was Host)
    for (i, &(at, status)) in checks.iter().enumerate() {
        let next = checks.get(i + 1).map_or(to, |c| c.0);
        let start = at.max(from);
        let end = next.min(at + MAX_GAP).min(to);
        let counted = if end > start {
            outside(start, end, &all_excluded)
        } else {
            0
        };
        f.observed_seconds += counted;
        match down_cause(status) {
            None => {
                f.up_seconds += counted;
                if let Some((mut inc, _)) = open.take() {
                    inc.end = start.min(to);
                    push(&mut f.incidents, inc);
                }
            }
            Some(cause) => {
                let (inc, all_host) = open.get_or_insert_with(|| {
                    (
                        Incident {
                            start: start.min(to),
                            end: start.min(to),
                            down_seconds: 0,
                            cause,
                            approximate: false,
                        },
                        true,
                    )
                });
                *all_host &= cause == Cause::Host;
                inc.cause = if *all_host {
                    Cause::Host
                } else {
                    Cause::Record
                };
                inc.down_seconds += counted;
                inc.end = inc.end.max(end.max(start)).min(to);
            }
        }
    }
    if let Some((inc, _)) = open.take() {
        push(&mut f.incidents, inc);
    }
    for d in rolled.iter().filter(|d| d.day >= from && d.day < to) {
        f.observed_seconds += d.observed_seconds;
        f.up_seconds += d.up_seconds;
        f.rolled_up_days.push(d.day);
        let down = d.observed_seconds - d.up_seconds;
        if down > 0 {
            f.incidents.push(Incident {
                start: d.day,
                end: (d.day + 86_400).min(to),
                down_seconds: down,
                cause: Cause::Record,
                approximate: true,
            });
        }
    }
    f.rolled_up_days.sort_unstable();
    f.incidents.sort_by_key(|i| i.start);
    f
}

/// An incident all inside excluded time is no incident.
fn push(incidents: &mut Vec<Incident>, inc: Incident) {
    if inc.down_seconds > 0 {
        incidents.push(inc);
    }
}

/// [from, to) of a month written `2026-11`, in UTC.
pub fn month_bounds(text: &str) -> Result<(i64, i64), String> {
    let bad = || format!("invalid month '{text}': expected YYYY-MM, such as 2026-11");
    let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let year: i16 = y.parse().map_err(|_| bad())?;
    let month: i8 = m.parse().map_err(|_| bad())?;
    let first = jiff::civil::Date::new(year, month, 1).map_err(|_| bad())?;
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map_err(|_| bad())?;
    let secs = |d: jiff::civil::Date| -> Result<i64, String> {
        d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .map_err(|_| bad())
    };
    Ok((secs(first)?, secs(next)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::{Error, Offline, Online, Unreachable};

    const H: i64 = 3600;

    /// A check every 5 minutes over [0, span), status by time.
    fn every_5_min(span: i64, status: impl Fn(i64) -> Status) -> Vec<(i64, Status)> {
        (0..span / 300)
            .map(|i| (i * 300, status(i * 300)))
            .collect()
    }

    #[test]
    fn downtime_incidents_and_the_longest() {
        // Ten hours; down 1:00–1:30 and 5:00–6:00 (error counts as down too).
        let checks = every_5_min(10 * H, |t| match t {
            t if (H..H + 1800).contains(&t) => Offline,
            t if (5 * H..6 * H).contains(&t) => Error,
            _ => Online,
        });
        let f = compute(&checks, (0, 10 * H), &[], &[], &[]);
        assert_eq!(f.observed_seconds, 10 * H);
        assert_eq!(f.downtime_seconds(), 5400);
        assert_eq!(f.incidents.len(), 2);
        assert_eq!((f.incidents[0].start, f.incidents[0].end), (H, H + 1800));
        assert_eq!(f.incidents[1].down_seconds, H);
        assert_eq!(f.longest_incident_seconds(), H);
        assert_eq!(f.incidents[0].cause, Cause::Record);
        assert_eq!(f.availability(), Some(85.0));
        assert_eq!(f.met(85.0), Some(true));
        assert_eq!(f.met(85.01), Some(false));
        assert!(!f.approximate());
    }

    #[test]
    fn down_with_its_host_counts_as_down_and_names_the_host() {
        // Unreachable 1:00–2:00 (its host was down), then offline on its own 3:00–3:30.
        let checks = every_5_min(4 * H, |t| match t {
            t if (H..2 * H).contains(&t) => Unreachable,
            t if (3 * H..3 * H + 1800).contains(&t) => Offline,
            _ => Online,
        });
        let f = compute(&checks, (0, 4 * H), &[], &[], &[]);
        assert_eq!(f.downtime_seconds(), H + 1800);
        let causes: Vec<Cause> = f.incidents.iter().map(|i| i.cause).collect();
        assert_eq!(causes, [Cause::Host, Cause::Record]);
    }

    #[test]
    fn maintenance_and_poller_offline_count_neither_way() {
        let checks = every_5_min(10 * H, |t| match t {
            t if (2 * H..4 * H).contains(&t) => Offline,
            _ => Online,
        });
        // Maintenance 2:00–3:00 takes half the outage out; the poller was offline 8:00–9:00.
        let f = compute(
            &checks,
            (0, 10 * H),
            &[(2 * H, 3 * H)],
            &[(8 * H, 9 * H), (2 * H + 1800, 2 * H + 2400)],
            &[],
        );
        assert_eq!(f.maintenance_seconds, H);
        assert_eq!(
            f.poller_offline_seconds, H,
            "its overlap with maintenance counts once"
        );
        assert_eq!(f.observed_seconds, 8 * H);
        assert_eq!(f.downtime_seconds(), H);
        assert_eq!(f.incidents.len(), 1);
        assert_eq!(f.incidents[0].down_seconds, H);
        // An outage all inside maintenance is no incident.
        let f = compute(&checks, (0, 10 * H), &[(H, 5 * H)], &[], &[]);
        assert_eq!(f.downtime_seconds(), 0);
        assert!(f.incidents.is_empty());
        assert_eq!(f.availability(), Some(100.0));
    }

    #[test]
    fn the_check_before_the_month_and_gaps() {
        // Down since before the month; recovered at 0:30; then silence for a day.
        let checks = [(-600, Offline), (1800, Online)];
        let f = compute(&checks, (0, 86_400), &[], &[], &[]);
        assert_eq!(f.incidents[0].start, 0);
        assert_eq!(f.incidents[0].end, 1800);
        assert_eq!(f.observed_seconds, 1800 + MAX_GAP);
        assert_eq!(f.downtime_seconds(), 1800);
        assert_eq!(
            compute(&[], (0, 86_400), &[], &[], &[]).availability(),
            None
        );
    }

    #[test]
    fn rolled_up_days_count_and_are_approximate() {
        let day = 86_400;
        let rolled = [
            RolledDay {
                day: 0,
                checks: 288,
                failures: 12,
                up_seconds: day - H,
                observed_seconds: day,
            },
            RolledDay {
                day,
                checks: 288,
                failures: 0,
                up_seconds: day,
                observed_seconds: day,
            },
            // Outside the month.
            RolledDay {
                day: 5 * day,
                checks: 288,
                failures: 288,
                up_seconds: 0,
                observed_seconds: day,
            },
        ];
        let checks = every_5_min(day, |_| Online)
            .into_iter()
            .map(|(t, s)| (t + 2 * day, s))
            .collect::<Vec<_>>();
        let f = compute(&checks, (0, 3 * day), &[], &[], &rolled);
        assert_eq!(f.observed_seconds, 3 * day);
        assert_eq!(f.downtime_seconds(), H);
        assert_eq!(f.rolled_up_days, [0, day]);
        assert_eq!(f.incidents.len(), 1);
        assert!(f.approximate());
    }

    #[test]
    fn months_are_utc() {
        assert_eq!(month_bounds("2026-11"), Ok((1_793_491_200, 1_796_083_200)));
        // December into January of the next year.
        let (from, to) = month_bounds("2026-12").expect("month");
        assert_eq!(to - from, 31 * 86_400);
        assert_eq!(month_bounds("2028-02").map(|(a, b)| b - a), Ok(29 * 86_400));
        for bad in ["2026", "2026-13", "26-11", "2026-1", "2026-11-01", "x-y"] {
            assert!(month_bounds(bad).is_err(), "{bad}");
        }
    }
}
