//! What time it is, for everything webhost records or reads as "now": the system clock, or a
//! fixed instant from `WEBHOST_NOW` (Unix seconds) so that tests and demos can place checks in
//! time without editing the database. Request signatures always use the system clock: they
//! are checked by servers against theirs.

use std::time::{SystemTime, UNIX_EPOCH};

/// The clock a command reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    /// Always this instant (Unix seconds).
    Fixed(i64),
}

/// The variable that fixes the clock.
pub const ENV: &str = "WEBHOST_NOW";

impl Clock {
    /// The system clock, unless `WEBHOST_NOW` holds a number of seconds.
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var(ENV) {
            Err(_) => Ok(Clock::System),
            Ok(v) if v.trim().is_empty() => Ok(Clock::System),
            Ok(v) => v
                .trim()
                .parse()
                .map(Clock::Fixed)
                .map_err(|_| format!("{ENV} must be Unix seconds, not '{v}'")),
        }
    }

    /// Now, in Unix seconds.
    pub fn now(self) -> i64 {
        match self {
            Clock::Fixed(t) => t,
            Clock::System => system_now(),
        }
    }
}

/// The system clock in Unix seconds (0 before 1970, which only a broken clock gives).
pub fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
