//! Maintenance windows: planned time when a record's failures are expected. Its checks are
//! stored as usual, but it raises no alert, `check` says so, and SLA figures leave the time out.
//!
//! A window is one-off (`--from`, `--until`) or recurring (`--every "sun 02:00" --for 2h`). A
//! recurring window is kept in the time zone it was written in, so that "sun 02:00" stays 02:00
//! on the wall clock across daylight saving time: a start in the hour skipped in spring is the
//! end of the gap (03:00), one in the hour repeated in autumn is its first 02:00 (jiff's
//! "compatible" rule, as most calendars do).

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;

pub use super::model::MaintenanceNow;
use super::model::{RecordKey, RecordType};

/// When a recurring window starts: a day of the week (None: every day) at a local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Every {
    pub day: Option<Weekday>,
    pub hour: i8,
    pub minute: i8,
}

const DAYS: [(&str, &str, Weekday); 7] = [
    ("mon", "monday", Weekday::Monday),
    ("tue", "tuesday", Weekday::Tuesday),
    ("wed", "wednesday", Weekday::Wednesday),
    ("thu", "thursday", Weekday::Thursday),
    ("fri", "friday", Weekday::Friday),
    ("sat", "saturday", Weekday::Saturday),
    ("sun", "sunday", Weekday::Sunday),
];

impl Every {
    /// `DAY HH:MM`: DAY is mon..sun (or the full name) or `daily`; e.g. `sun 02:00`.
    pub fn parse(text: &str) -> Result<Every, String> {
        let bad = || {
            format!(
                "'{text}' is not a recurrence: use DAY HH:MM, DAY one of mon tue wed thu fri \
                 sat sun or daily (e.g. \"sun 02:00\")"
            )
        };
        let mut words = text.split_whitespace();
        let (Some(day), Some(time), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        let day = day.to_ascii_lowercase();
        let day = match day.as_str() {
            "daily" | "day" => None,
            d => Some(
                DAYS.iter()
                    .find(|(short, long, _)| d == *short || d == *long)
                    .map(|(_, _, w)| *w)
                    .ok_or_else(bad)?,
            ),
        };
        let (h, m) = time.split_once(':').ok_or_else(bad)?;
        let num = |s: &str, max: i8| -> Result<i8, String> {
            match s.parse::<i8>() {
                Ok(v) if (0..=max).contains(&v) && (1..=2).contains(&s.len()) => Ok(v),
                _ => Err(bad()),
            }
        };
        Ok(Every {
            day,
            hour: num(h, 23)?,
            minute: num(m, 59)?,
        })
    }

    /// How often it comes back, in seconds (a window may not be longer).
    pub fn period(&self) -> i64 {
        match self.day {
            Some(_) => 7 * 86_400,
            None => 86_400,
        }
    }
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = match self.day {
            None => "daily",
            Some(w) => DAYS
                .iter()
                .find(|(_, _, d)| *d == w)
                .map_or("daily", |(s, _, _)| *s),
        };
        write!(f, "{day} {:02}:{:02}", self.hour, self.minute)
    }
}

/// When a window is.
#[derive(Debug, Clone, PartialEq)]
pub enum Timing {
    /// From, until (Unix seconds, UTC).
    Once { from: i64, until: i64 },
    /// Every `every` in `tz`, for `duration` seconds.
    Every {
        every: Every,
        duration: i64,
        tz: TimeZone,
    },
}

/// What a window covers. A host's window covers its instances too.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    All,
    Records(Vec<Target>),
}

/// One record a window names.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub key: RecordKey,
    pub reference: String,
}

/// A maintenance window as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub id: i64,
    pub scope: Scope,
    pub timing: Timing,
    pub reason: Option<String>,
    pub created_at: i64,
}

/// The name of a time zone as stored with a recurring window: its IANA name, or UTC for a zone
/// that has none (TZ unset on a system without /etc/localtime).
pub fn tz_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("UTC").to_string()
}

/// The intervals `[start, end)` of `timing` that overlap `[from, to)`, in order, not clipped.
pub fn intervals(timing: &Timing, from: i64, to: i64) -> Vec<(i64, i64)> {
    if to <= from {
        return Vec::new();
    }
    match timing {
        Timing::Once { from: f, until: u } => {
            if *f < to && *u > from {
                vec![(*f, *u)]
            } else {
                Vec::new()
            }
        }
        Timing::Every {
            every,
            duration,
            tz,
        } => recurring(every, *duration, tz, from, to),
    }
}

fn recurring(every: &Every, duration: i64, tz: &TimeZone, from: i64, to: i64) -> Vec<(i64, i64)> {
    let local_date =
        |t: i64| -> Option<Date> { Some(tz.to_datetime(Timestamp::from_second(t).ok()?).date()) };
    // A start up to `duration` before `from` still overlaps it; a day more either side covers
    // any offset change.
    let (Some(mut day), Some(last)) = (
        local_date(from.saturating_sub(duration.max(0)).saturating_sub(86_400)),
        local_date(to.saturating_add(86_400)),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while day <= last {
        if every.day.is_none_or(|w| day.weekday() == w) {
            let local: DateTime = day.at(every.hour, every.minute, 0, 0);
            if let Ok(start) = tz.to_ambiguous_timestamp(local).compatible() {
                let start = start.as_second();
                let end = start.saturating_add(duration);
                if start < to && end > from {
                    out.push((start, end));
                }
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out
}

/// Sorts intervals and joins those that overlap or touch.
pub fn merge(mut list: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    list.retain(|(s, e)| e > s);
    list.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(list.len());
    for (s, e) in list {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The intervals of `windows` inside `[from, to)`: merged, and clipped to the period.
///
/// A window covers time only from when it was added: one added after an outage does not take
/// the outage out of the SLA (nor paint it over on the page).
pub fn covered<'a>(
    windows: impl IntoIterator<Item = &'a Window>,
    from: i64,
    to: i64,
) -> Vec<(i64, i64)> {
    let all = windows
        .into_iter()
        .flat_map(|w| {
            intervals(&w.timing, from, to)
                .into_iter()
                .map(|(s, e)| (s.max(from).max(w.created_at), e.min(to)))
        })
        .filter(|(s, e)| s < e)
        .collect();
    merge(all)
}

/// The time in `[from, to)` the record `key` (on the host `host_id`, if any) spends in the
/// windows among `windows` that cover it: merged, clipped, from when each was added.
pub fn intervals_of(
    windows: &[Window],
    key: RecordKey,
    host_id: Option<i64>,
    from: i64,
    to: i64,
) -> Vec<(i64, i64)> {
    covered(windows.iter().filter(|w| covers(w, key, host_id)), from, to)
}

/// Whether `w` covers the record `key` (an instance on the host `host_id`, if any): a window
/// over every record, one naming it, or one naming its host.
pub fn covers(w: &Window, key: RecordKey, host_id: Option<i64>) -> bool {
    match &w.scope {
        Scope::All => true,
        Scope::Records(targets) => targets.iter().any(|t| {
            t.key == key
                || (key.record_type == RecordType::Instance
                    && t.key.record_type == RecordType::Host
                    && Some(t.key.id) == host_id)
        }),
    }
}

/// The window in force at `t` among `windows`, if any: the one that ends last (with windows
/// that chain, the end of the first is no news to whoever reads "until").
pub fn active_at<'a>(
    windows: impl IntoIterator<Item = &'a Window>,
    t: i64,
) -> Option<MaintenanceNow> {
    windows
        .into_iter()
        .filter_map(|w| {
            intervals(&w.timing, t, t.saturating_add(1))
                .into_iter()
                .find(|(s, e)| *s <= t && t < *e)
                .map(|(_, e)| MaintenanceNow {
                    until: e,
                    reason: w.reason.clone(),
                })
        })
        .max_by_key(|a| a.until)
}

/// A time as typed, in `tz` unless it says its offset: `now`, `2027-03-28 02:00`,
/// `2027-03-28T02:00:00`, `2027-03-28T01:00:00Z`, `2027-03-28T02:00+02:00`.
pub fn parse_time(text: &str, tz: &TimeZone, now: i64) -> Result<i64, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts.as_second());
    }
    let bad = || {
        format!(
            "'{text}' is not a time: use YYYY-MM-DD HH:MM (local time), an RFC 3339 time, or now"
        )
    };
    let civil: DateTime = t.replacen(' ', "T", 1).parse().map_err(|_| bad())?;
    tz.to_ambiguous_timestamp(civil)
        .compatible()
        .map(Timestamp::as_second)
        .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> i64 {
        text.parse::<Timestamp>().expect("timestamp").as_second()
    }

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").expect("tz database")
    }

    #[test]
    fn recurrences_parse_and_print() {
        let e = Every::parse("sun 02:00").expect("parses");
        assert_eq!(
            e,
            Every {
                day: Some(Weekday::Sunday),
                hour: 2,
                minute: 0
            }
        );
        assert_eq!(e.to_string(), "sun 02:00");
        assert_eq!(
            Every::parse("Saturday 23:30").map(|e| e.to_string()),
            Ok("sat 23:30".into())
        );
        assert_eq!(
            Every::parse("daily 4:05").map(|e| e.to_string()),
            Ok("daily 04:05".into())
        );
        for bad in [
            "sun",
            "sun 24:00",
            "sun 02:60",
            "sun 2",
            "someday 02:00",
            "sun 02:00 x",
        ] {
            assert!(Every::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sunday_two_oclock_stays_on_the_wall_clock_across_dst_and_a_month_end() {
        let timing = Timing::Every {
            every: Every::parse("sun 02:00").expect("parses"),
            duration: 2 * 3600,
            tz: paris(),
        };
        // 2027-03-28 is the last Sunday of March: 02:00 does not exist in Paris that night.
        let got = intervals(
            &timing,
            ts("2027-03-20T00:00:00Z"),
            ts("2027-04-06T00:00:00Z"),
        );
        assert_eq!(
            got,
            vec![
                // 02:00 CET
                (ts("2027-03-21T01:00:00Z"), ts("2027-03-21T03:00:00Z")),
                // in the gap: 03:00 CEST, the end of it
                (ts("2027-03-28T01:00:00Z"), ts("2027-03-28T03:00:00Z")),
                // 02:00 CEST, in April
                (ts("2027-04-04T00:00:00Z"), ts("2027-04-04T02:00:00Z")),
            ]
        );
        // Autumn: 2027-10-31 02:00 happens twice; the first (CEST) is the start.
        let got = intervals(
            &timing,
            ts("2027-10-30T00:00:00Z"),
            ts("2027-11-01T00:00:00Z"),
        );
        assert_eq!(
            got,
            vec![(ts("2027-10-31T00:00:00Z"), ts("2027-10-31T02:00:00Z"))]
        );
    }

    #[test]
    fn a_window_that_began_before_the_period_overlaps_it() {
        let timing = Timing::Every {
            every: Every::parse("daily 23:00").expect("parses"),
            duration: 3 * 3600,
            tz: TimeZone::UTC,
        };
        let from = ts("2027-01-02T01:00:00Z");
        let got = intervals(&timing, from, from + 3600);
        assert_eq!(
            got,
            vec![(ts("2027-01-01T23:00:00Z"), ts("2027-01-02T02:00:00Z"))]
        );
        let once = Timing::Once {
            from: 100,
            until: 200,
        };
        assert_eq!(intervals(&once, 150, 300), vec![(100, 200)]);
        assert!(
            intervals(&once, 200, 300).is_empty(),
            "the end is not in it"
        );
        assert!(intervals(&once, 0, 100).is_empty());
    }

    fn window(timing: Timing, reason: &str) -> Window {
        Window {
            id: 1,
            scope: Scope::All,
            timing,
            reason: Some(reason.into()),
            created_at: 0,
        }
    }

    #[test]
    fn covered_time_is_merged_and_clipped() {
        let windows = [
            window(Timing::Once { from: 0, until: 50 }, "a"),
            window(
                Timing::Once {
                    from: 40,
                    until: 80,
                },
                "b",
            ),
            window(
                Timing::Once {
                    from: 90,
                    until: 200,
                },
                "c",
            ),
        ];
        assert_eq!(covered(&windows, 10, 100), vec![(10, 80), (90, 100)]);
        assert_eq!(active_at(&windows, 45).map(|a| a.until), Some(80));
        assert_eq!(
            active_at(&windows, 95),
            Some(MaintenanceNow {
                until: 200,
                reason: Some("c".into())
            })
        );
        assert_eq!(active_at(&windows, 80), None);
        assert_eq!(merge(vec![(5, 6), (1, 2), (2, 3)]), vec![(1, 3), (5, 6)]);
    }

    #[test]
    fn times_are_read_in_the_local_zone_unless_they_say_otherwise() {
        let tz = paris();
        assert_eq!(
            parse_time("2027-01-10 02:00", &tz, 0),
            Ok(ts("2027-01-10T01:00:00Z"))
        );
        assert_eq!(
            parse_time("2027-07-10T02:00", &tz, 0),
            Ok(ts("2027-07-10T00:00:00Z"))
        );
        assert_eq!(
            parse_time("2027-07-10T02:00:00Z", &tz, 0),
            Ok(ts("2027-07-10T02:00:00Z"))
        );
        assert_eq!(parse_time("now", &tz, 42), Ok(42));
        assert!(parse_time("tomorrow", &tz, 0).is_err());
        assert!(parse_time("2027-13-01 00:00", &tz, 0).is_err());
    }

    #[test]
    fn a_hosts_window_covers_its_instances_only() {
        let key = |record_type, id| RecordKey { record_type, id };
        let target = |k: RecordKey| Target {
            key: k,
            reference: String::new(),
        };
        let mut w = window(Timing::Once { from: 0, until: 10 }, "");
        w.scope = Scope::Records(vec![
            target(key(RecordType::Host, 1)),
            target(key(RecordType::Instance, 7)),
        ]);
        assert!(covers(&w, key(RecordType::Host, 1), None));
        assert!(covers(&w, key(RecordType::Instance, 7), Some(2)));
        // On host 1: covered through it; on host 2, or the host numbered like an instance: not.
        assert!(covers(&w, key(RecordType::Instance, 3), Some(1)));
        assert!(!covers(&w, key(RecordType::Instance, 3), Some(2)));
        assert!(!covers(&w, key(RecordType::Host, 7), None));
        assert!(!covers(&w, key(RecordType::Instance, 1), None));
        w.scope = Scope::All;
        assert!(covers(&w, key(RecordType::Instance, 3), None));
    }
}
