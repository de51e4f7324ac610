//! Disks that will fill: a record's growth per day from its disk readings, and the dates it
//! crosses its warning and critical thresholds and fills its partition.
//!
//! The fit is robust on purpose. Readings are first reduced to at most [`MAX_BUCKETS`] medians
//! over equal stretches of time (a month of five-minute checks is 8,640 points; the medians
//! also flatten what happens within a few hours, such as a nightly dump that is written then
//! moved away). A change between two consecutive medians is a one-off jump (a backup written or
//! deleted, a folder moved) when it is both more than [`JUMP_SHARE`] of the usage and more than
//! [`JUMP_RATE`] times the typical rate of change; jumps are taken out of the series (each later
//! value shifted back by the jump) rather than left to bend the fit. The growth is then the
//! Theil–Sen slope of what is left: the median of the slopes between every pair of points,
//! which a few odd readings do not move. The forecast starts from the last reading, after any
//! jump: a deleted backup frees space now and leaves the trend as it was.
//!
//! Passes do not keep a month of readings at hand: the store keeps, per record, the lowest
//! reading of each [`BUCKET_S`] stretch (a dump written then moved away within it does not
//! raise it) and refits when a stretch closes, once per record every eight hours, with
//! [`fit_levels`]. Stretches start at an offset per record ([`bucket_start`]) so that a
//! fleet's refits spread over the passes instead of all falling in one.

use std::cmp::Ordering;

use serde::Serialize;

use super::model::{Threshold, Thresholds};

/// How far back the fit looks.
pub const WINDOW_S: i64 = 30 * 86_400;
/// Fewer readings than this give no forecast.
pub const MIN_POINTS: usize = 3;
/// Readings spanning less time than this give no forecast: a few hours say little of a month.
pub const MIN_SPAN_S: i64 = 86_400;
/// The series is reduced to at most this many medians (8 h each over 30 days).
pub const MAX_BUCKETS: usize = 90;
/// A jump changes the usage by more than this share of it...
pub const JUMP_SHARE: f64 = 0.05;
/// ...at more than this many times the median rate of change (in absolute value).
pub const JUMP_RATE: f64 = 10.0;

/// The stretch of time one stored level stands for (three a day: the fit's medians' width).
pub const BUCKET_S: i64 = WINDOW_S / MAX_BUCKETS as i64;

const DAY: f64 = 86_400.0;

/// The start of the stretch `at` falls in, for the record numbered `id`: stretches are
/// [`BUCKET_S`] long and offset per record, so records do not all close one at once.
pub fn bucket_start(id: i64, at: i64) -> i64 {
    // Consecutive ids land far apart; SPREAD is prime to BUCKET_S, so every offset is used.
    // Migration 16 computes the same in SQL.
    const SPREAD: i64 = 26_161;
    let offset = id.rem_euclid(BUCKET_S) * SPREAD % BUCKET_S;
    at - (at + offset).rem_euclid(BUCKET_S)
}

/// What the store keeps of a record's disk between passes: the readings the last fit used,
/// since when, the latest reading, and the growth (None: too few readings yet).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    pub readings: usize,
    pub since: i64,
    pub last: Point,
    pub fit: Option<Fit>,
}

/// One disk reading: when, and bytes used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub at: i64,
    pub used: u64,
}

/// The growth the readings show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Bytes per day (negative: shrinking).
    pub per_day: f64,
    /// One-off jumps left out of the fit.
    pub jumps: usize,
}

/// A record's disk forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// How many readings the fit used, and the first one's time.
    pub points: usize,
    pub since: i64,
    /// The last reading: where the forecast starts.
    pub last_at: i64,
    pub last_used: u64,
    pub fit: Fit,
    /// When usage reaches each level: the last reading's time when it is already there; None
    /// when the level is not known (a percentage without a partition size) or the disk is not
    /// growing.
    pub warning_at: Option<i64>,
    pub critical_at: Option<i64>,
    pub full_at: Option<i64>,
}

/// A level a disk can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Critical,
    Full,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Warning => "warning",
            Level::Critical => "critical",
            Level::Full => "full",
        }
    }
}

impl Forecast {
    /// The soonest date any level is reached.
    pub fn first_crossing(&self) -> Option<i64> {
        [self.warning_at, self.critical_at, self.full_at]
            .into_iter()
            .flatten()
            .min()
    }

    /// The first level not yet reached, and when it will be.
    pub fn next_crossing(&self) -> Option<(Level, i64)> {
        [
            (Level::Warning, self.warning_at),
            (Level::Critical, self.critical_at),
            (Level::Full, self.full_at),
        ]
        .into_iter()
        .filter_map(|(level, at)| Some((level, at?)))
        .filter(|&(_, at)| at > self.last_at)
        .min_by_key(|&(_, at)| at)
    }

    /// The worst level not yet reached that will be within `horizon_s` of `now`, and when.
    pub fn crossing_within(&self, now: i64, horizon_s: i64) -> Option<(Level, i64)> {
        [
            (Level::Full, self.full_at),
            (Level::Critical, self.critical_at),
            (Level::Warning, self.warning_at),
        ]
        .into_iter()
        .find_map(|(level, at)| {
            let at = at?;
            // A level already reached is dated at the last reading: the health says so, and
            // the forecast is about what comes.
            (at > self.last_at && at <= now.saturating_add(horizon_s)).then_some((level, at))
        })
    }
}

/// Soonest first; records with no date last.
pub fn soonest_first(a: Option<i64>, b: Option<i64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The bytes a threshold stands for; None for a percentage without a known total.
pub fn threshold_bytes(t: Threshold, total: Option<u64>) -> Option<u64> {
    match t {
        Threshold::Bytes(b) => Some(b),
        Threshold::Percent(p) => total
            .filter(|t| *t > 0)
            .map(|t| (t as f64 * p / 100.0).ceil() as u64),
    }
}

/// The forecast from `points` (in time order, any window: only the last [`WINDOW_S`] before
/// the last reading count), with the partition's `total` when known; None with too few
/// readings.
pub fn forecast(points: &[Point], total: Option<u64>, t: &Thresholds) -> Option<Forecast> {
    let last = *points.last()?;
    let start = points.partition_point(|p| p.at < last.at - WINDOW_S);
    let points = &points[start..];
    let trend = Trend {
        readings: points.len(),
        since: points[0].at,
        last,
        fit: fit(points),
    };
    project(&trend, total, t)
}

/// The dates a stored trend reaches each level, from its latest reading on; None without a
/// fit.
pub fn project(trend: &Trend, total: Option<u64>, t: &Thresholds) -> Option<Forecast> {
    let fit = trend.fit?;
    let last = trend.last;
    let when = |target: Option<u64>| -> Option<i64> {
        let target = target?;
        if last.used >= target {
            return Some(last.at);
        }
        if fit.per_day <= 0.0 {
            return None;
        }
        let days = (target - last.used) as f64 / fit.per_day;
        // Centuries away is "not in any time that matters", and must not overflow.
        (days < 36_500.0).then(|| last.at + (days * DAY).ceil() as i64)
    };
    Some(Forecast {
        points: trend.readings,
        since: trend.since,
        last_at: last.at,
        last_used: last.used,
        fit,
        warning_at: when(threshold_bytes(t.disk_warn, total)),
        critical_at: when(threshold_bytes(t.disk_crit, total)),
        full_at: when(total.filter(|t| *t > 0)),
    })
}

/// The growth per day of `points` (in time order); None with fewer than [`MIN_POINTS`]
/// readings or less than [`MIN_SPAN_S`] between the first and the last.
pub fn fit(points: &[Point]) -> Option<Fit> {
    enough(points)?;
    fit_series(&buckets(points))
}

/// [`fit`] of levels already reduced (the store's lowest reading per stretch): taken as
/// they are, with the same minimums.
pub fn fit_levels(levels: &[Point]) -> Option<Fit> {
    enough(levels)?;
    let series: Vec<(f64, f64)> = levels
        .iter()
        .map(|p| (p.at as f64, p.used as f64))
        .collect();
    fit_series(&series)
}

fn enough(points: &[Point]) -> Option<()> {
    let (first, last) = (points.first()?, points.last()?);
    (points.len() >= MIN_POINTS && last.at - first.at >= MIN_SPAN_S).then_some(())
}

/// The Theil–Sen slope of a series, its one-off jumps left out.
fn fit_series(series: &[(f64, f64)]) -> Option<Fit> {
    if series.len() < 2 {
        return None;
    }
    let (series, jumps) = without_jumps(series);
    let mut slopes = Vec::with_capacity(series.len() * (series.len() - 1) / 2);
    for (i, a) in series.iter().enumerate() {
        for b in &series[i + 1..] {
            if b.0 > a.0 {
                slopes.push((b.1 - a.1) / (b.0 - a.0));
            }
        }
    }
    let per_second = median(&mut slopes)?;
    Some(Fit {
        per_day: per_second * DAY,
        jumps,
    })
}

/// At most [`MAX_BUCKETS`] points: the medians (of time and of usage) of the readings in
/// equal stretches of time; each reading as it is when there are few.
fn buckets(points: &[Point]) -> Vec<(f64, f64)> {
    if points.len() <= MAX_BUCKETS {
        return points
            .iter()
            .map(|p| (p.at as f64, p.used as f64))
            .collect();
    }
    let (first, last) = (points[0].at, points[points.len() - 1].at);
    let width = ((last - first) / MAX_BUCKETS as i64).max(1) + 1;
    let mut out = Vec::with_capacity(MAX_BUCKETS);
    let mut rest = points;
    while let Some(p) = rest.first() {
        let end = first + ((p.at - first) / width + 1) * width;
        let n = rest.partition_point(|q| q.at < end);
        let (group, tail) = rest.split_at(n);
        let mut at: Vec<f64> = group.iter().map(|q| q.at as f64).collect();
        let mut used: Vec<f64> = group.iter().map(|q| q.used as f64).collect();
        if let (Some(at), Some(used)) = (median(&mut at), median(&mut used)) {
            out.push((at, used));
        }
        rest = tail;
    }
    out
}

/// The series with its one-off jumps taken out (each later value shifted back by what the
/// jump added beyond the usual growth over its step), and how many there were.
fn without_jumps(series: &[(f64, f64)]) -> (Vec<(f64, f64)>, usize) {
    let steps: Vec<(f64, f64)> = series
        .windows(2)
        .map(|w| (w[1].1 - w[0].1, w[1].0 - w[0].0))
        .collect();
    let mut rates: Vec<f64> = steps
        .iter()
        .filter(|(_, dt)| *dt > 0.0)
        .map(|(d, dt)| d / dt)
        .collect();
    // The usual growth, kept in a jump's step (it grew meanwhile too), and the usual size of a
    // change, which a jump is far beyond.
    let usual = median(&mut rates).unwrap_or(0.0);
    let mut sizes: Vec<f64> = rates.iter().map(|r| r.abs()).collect();
    let typical = median(&mut sizes).unwrap_or(0.0);
    let mut shift = 0.0;
    let mut jumps = 0;
    let mut out = Vec::with_capacity(series.len());
    out.push(series[0]);
    for (w, (d, dt)) in series.windows(2).zip(steps) {
        let level = w[0].1.abs().max(w[1].1.abs());
        let rate = if dt > 0.0 {
            (d / dt).abs()
        } else {
            f64::INFINITY
        };
        if d.abs() > JUMP_SHARE * level && rate > JUMP_RATE * typical {
            shift += d - usual * dt;
            jumps += 1;
        }
        out.push((w[1].0, w[1].1 - shift));
    }
    (out, jumps)
}

/// The median (the mean of the middle two for an even count); None when empty.
fn median(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (_, mid, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let mid = *mid;
    if n % 2 == 1 {
        return Some(mid);
    }
    let below = values[..n / 2]
        .iter()
        .copied()
        .max_by(f64::total_cmp)
        .unwrap_or(mid);
    Some((below + mid) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;
    const T0: i64 = 1_800_000_000;
    const HOUR: i64 = 3600;

    /// `n` readings every `step` seconds starting at `start` bytes, growing `per_day`.
    fn line(n: usize, step: i64, start: u64, per_day: f64) -> Vec<Point> {
        (0..n)
            .map(|i| {
                let at = T0 + i as i64 * step;
                Point {
                    at,
                    used: start + ((at - T0) as f64 / DAY * per_day) as u64,
                }
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= b.abs() * 0.01 + 1.0
    }

    #[test]
    fn a_known_slope() {
        let points = line(20, 86_400, 10 * GIB, GIB as f64);
        let f = fit(&points).expect("enough points");
        assert!(close(f.per_day, GIB as f64), "{f:?}");
        assert_eq!(f.jumps, 0);
        // 10 GiB + 19 days = 29 GiB now, of 100 GiB: 80% (80 GiB) in 51 days, 90% in 61,
        // full in 71.
        let t = Thresholds::default();
        let fc = forecast(&points, Some(100 * GIB), &t).expect("a forecast");
        let day_of = |at: Option<i64>| at.map(|at| (at - fc.last_at + 86_399) / 86_400);
        assert_eq!(day_of(fc.warning_at), Some(51));
        assert_eq!(day_of(fc.critical_at), Some(61));
        assert_eq!(day_of(fc.full_at), Some(71));
        assert_eq!(fc.first_crossing(), fc.warning_at);
        assert_eq!(fc.points, 20);
    }

    #[test]
    fn many_readings_are_reduced_and_keep_the_slope() {
        // A month of five-minute checks with a ±50 MiB wobble.
        let mut points = line(8640, 300, 40 * GIB, 2.0 * GIB as f64);
        for (i, p) in points.iter_mut().enumerate() {
            if i % 2 == 0 {
                p.used += 50 << 20;
            }
        }
        let f = fit(&points).expect("enough points");
        assert!(close(f.per_day, 2.0 * GIB as f64), "{f:?}");
    }

    #[test]
    fn a_one_off_drop_is_left_out() {
        // Growing 1 GiB a day; on day 12 a 25 GiB backup is deleted.
        let mut points = line(24, 86_400, 50 * GIB, GIB as f64);
        for p in &mut points[12..] {
            p.used -= 25 * GIB;
        }
        let f = fit(&points).expect("enough points");
        assert_eq!(f.jumps, 1);
        assert!(close(f.per_day, GIB as f64), "{f:?}");
        // The forecast starts after the drop: 73 - 25 = 48 GiB.
        let fc = forecast(&points, Some(100 * GIB), &Thresholds::default()).expect("forecast");
        assert_eq!(fc.last_used, points[23].used);
        let days = (fc.warning_at.expect("growing") - fc.last_at) as f64 / DAY;
        assert!((days - 32.0).abs() < 1.0, "{days}");
    }

    #[test]
    fn a_backup_written_then_deleted_is_left_out() {
        let mut points = line(30, 86_400, 20 * GIB, 0.5 * GIB as f64);
        for p in &mut points[10..15] {
            p.used += 10 * GIB;
        }
        let f = fit(&points).expect("enough points");
        assert_eq!(f.jumps, 2);
        assert!(close(f.per_day, 0.5 * GIB as f64), "{f:?}");
    }

    #[test]
    fn too_few_points_give_no_forecast() {
        let t = Thresholds::default();
        assert_eq!(forecast(&[], Some(100), &t), None);
        assert_eq!(fit(&line(2, 86_400, GIB, GIB as f64)), None);
        // Many readings, but within an hour.
        assert_eq!(fit(&line(60, 60, GIB, GIB as f64)), None);
        assert!(fit(&line(3, 12 * HOUR, GIB, GIB as f64)).is_some());
    }

    #[test]
    fn only_the_last_month_counts() {
        // Shrinking long ago, growing for the last 30 days.
        let mut points = line(30, 86_400, 80 * GIB, -(GIB as f64));
        let tail = line(31, 86_400, 0, GIB as f64).into_iter().map(|p| Point {
            at: p.at + 30 * 86_400,
            used: 50 * GIB + p.used,
        });
        points.extend(tail);
        let fc = forecast(&points, None, &Thresholds::default()).expect("forecast");
        assert!(close(fc.fit.per_day, GIB as f64), "{:?}", fc.fit);
        assert_eq!(fc.points, 31);
    }

    #[test]
    fn usage_only_reaches_a_byte_threshold() {
        let points = line(10, 86_400, 5 * GIB, GIB as f64);
        let t = Thresholds {
            disk_warn: Threshold::Bytes(20 * GIB),
            ..Thresholds::default()
        };
        let fc = forecast(&points, None, &t).expect("forecast");
        // 14 GiB now: 20 GiB in 6 days; the 90% and full levels need a total.
        assert_eq!(fc.warning_at, Some(fc.last_at + 6 * 86_400));
        assert_eq!((fc.critical_at, fc.full_at), (None, None));
        assert_eq!(
            fc.crossing_within(fc.last_at, 7 * 86_400),
            Some((Level::Warning, fc.last_at + 6 * 86_400))
        );
        assert_eq!(fc.crossing_within(fc.last_at, 5 * 86_400), None);
    }

    #[test]
    fn a_level_already_reached_is_dated_now_and_not_forecast() {
        let points = line(10, 86_400, 85 * GIB, 0.1 * GIB as f64);
        let fc = forecast(&points, Some(100 * GIB), &Thresholds::default()).expect("forecast");
        assert_eq!(fc.warning_at, Some(fc.last_at));
        // 85.9 GiB: 90 GiB in 41 days, so not within 14; and warning is already there.
        assert_eq!(fc.crossing_within(fc.last_at, 14 * 86_400), None);
        assert!(fc.crossing_within(fc.last_at, 50 * 86_400).is_some());
        // What comes next is critical, not the warning already reached.
        assert_eq!(
            fc.next_crossing().map(|(level, _)| level),
            Some(Level::Critical)
        );
        assert_eq!(fc.next_crossing().map(|(_, at)| at), fc.critical_at);
        // Shrinking: nothing ahead.
        let shrinking = line(10, 86_400, 50 * GIB, -(GIB as f64));
        let fc = forecast(&shrinking, Some(100 * GIB), &Thresholds::default()).expect("fc");
        assert_eq!(fc.first_crossing(), None);
    }

    #[test]
    fn stretches_are_offset_per_record_and_cover_time() {
        let t = 1_800_000_123;
        let starts: Vec<i64> = (1..=1000).map(|id| bucket_start(id, t)).collect();
        for (id, &b) in (1..).zip(&starts) {
            assert!(b <= t && t - b < BUCKET_S, "id {id}: {b}");
            // Every instant of a stretch maps to its start; the next stretch begins after.
            assert_eq!(bucket_start(id, b), b);
            assert_eq!(bucket_start(id, b + BUCKET_S - 1), b);
            assert_eq!(bucket_start(id, b + BUCKET_S), b + BUCKET_S);
        }
        // Spread: a thousand records do not close in a handful of instants.
        let mut distinct = starts.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 1000);
    }

    #[test]
    fn levels_are_fitted_as_they_are() {
        // Three levels a day apart: too few for `fit`'s medians to change anything, and the
        // same minimums.
        let levels = line(3, 43_200, 10 * GIB, GIB as f64);
        assert_eq!(fit_levels(&levels[..2]), None);
        let f = fit_levels(&levels).expect("enough levels");
        assert!(close(f.per_day, GIB as f64), "{f:?}");
        assert_eq!(fit(&levels), Some(f));
    }
}
