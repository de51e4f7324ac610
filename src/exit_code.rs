//! Every exit code webhost uses, in one place (the README and man page show the same table).

use std::process::ExitCode;

/// Why the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done (a pass completed, whatever the statuses it found).
    Success,
    /// 1: could not run: database unreadable, I/O error, the poller's network down.
    Failure,
    /// 2: bad usage or invalid input; nothing was written.
    Usage,
    /// 3: `--fail-on-down`: a polled record is offline, error or missing.
    Down,
    /// 75: another pass of the same kind holds the lock (EX_TEMPFAIL).
    Busy,
    /// `webhost check`: a Nagios plugin's own code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
    Plugin(u8),
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Down => 3,
            Exit::Busy => 75,
            Exit::Plugin(code) => code,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}
