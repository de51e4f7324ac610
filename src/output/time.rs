//! Instants as output shows them: RFC 3339 UTC in JSON, local time in tables, ages.

pub use crate::domain::units::{age, rfc3339};

/// `2026-11-25 09:43:00 CET`: local time, for tables.
pub fn local(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d %H:%M:%S %Z")
            .to_string(),
        Err(_) => secs.to_string(),
    }
}

/// `2026-12-10`, local: a forecast is good to the day at best.
pub fn day(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d")
            .to_string(),
        Err(_) => secs.to_string(),
    }
}
