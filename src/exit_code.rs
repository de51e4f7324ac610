//! Every exit code webhost uses, in one place (the README and man page show the same table).

use std::process::ExitCode;

/// Why the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done (a pass completed, whatever the statuses it found).
    Success = 0,
    /// Could not run: database unreadable, I/O error.
    Failure = 1,
    /// Bad usage or invalid input; nothing was written.
    Usage = 2,
    /// `--fail-on-down`: a polled record is offline, error or missing.
    Down = 3,
    /// Another pass of the same kind holds the lock (EX_TEMPFAIL).
    Busy = 75,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
