//! Every exit code webhost uses, in one place: `--help`, the man page and the README show this
//! table, and a test holds the README to it.

use std::process::ExitCode;

use crate::commands::Outcome;
use crate::domain::error::Error;
use crate::poll::Busy;

/// Why the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done (a pass completed, whatever the statuses it found).
    Success,
    /// 1: could not run: the database, the disk, or the poller's network.
    Failure,
    /// 2: bad usage or invalid input; nothing was written.
    Usage,
    /// 3: `--fail-on-down`: a polled record is offline, error, missing or unreachable.
    Down,
    /// 75: another pass of the same kind holds the lock (EX_TEMPFAIL).
    Busy,
    /// `webhost check`: a Nagios plugin's own code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
    Plugin(u8),
    /// 128 + the signal: a pass stopped by SIGINT (130) or SIGTERM (143).
    Interrupted(i32),
}

/// Each code webhost's own commands end with, and what it means.
pub const TABLE: [(Exit, &str); 7] = [
    (
        Exit::Success,
        "success (a pass completed, whatever the records' statuses)",
    ),
    (
        Exit::Failure,
        "could not run: database unreadable, not a webhost database, read-only, disk full, \
         from a newer webhost; or a pass where every check (3 or more) failed to connect: the \
         poller's own network is down, so nothing was recorded against the records",
    ),
    (
        Exit::Usage,
        "bad usage or invalid input (unknown ref, duplicate ref, bad URL, wrong kind); nothing \
         was written",
    ),
    (
        Exit::Down,
        "`--fail-on-down`: a polled record is offline, error, missing or unreachable",
    ),
    (
        Exit::Busy,
        "another pass of the same kind is already running on this database",
    ),
    (
        Exit::Interrupted(2),
        "interrupted by SIGINT: no new check started, running probes and hooks were killed, \
         what finished is stored and the pass is recorded as interrupted",
    ),
    (Exit::Interrupted(15), "the same, for SIGTERM"),
];

/// How `webhost check` exits instead, as a Nagios/Icinga plugin.
pub const PLUGIN: &str = "`webhost check` exits like a Nagios plugin: 0 OK, 1 WARNING, \
    2 CRITICAL, 3 UNKNOWN (its own usage errors included).";

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Down => 3,
            Exit::Busy => 75,
            Exit::Plugin(code) => code,
            Exit::Interrupted(signal) => u8::try_from(128 + signal).unwrap_or(255),
        }
    }

    /// The exit code for an error that reached `main`: a rule that refused the input is a
    /// usage error, a held lock is busy, anything else could not run.
    pub fn for_error(err: &anyhow::Error) -> Exit {
        for cause in err.chain() {
            if cause.downcast_ref::<Error>().is_some() {
                return Exit::Usage;
            }
            if cause.downcast_ref::<Busy>().is_some() {
                return Exit::Busy;
            }
        }
        Exit::Failure
    }
}

/// The table as `--help` and the man page end with it: plain text, wrapped.
pub fn help_text() -> String {
    let mut text = String::from("Exit codes:\n");
    for (exit, meaning) in TABLE {
        let code = format!("  {:<3} ", exit.code());
        text.push_str(&wrap(&code, &meaning.replace('`', ""), "      "));
    }
    text.push_str(&wrap("", &PLUGIN.replace('`', ""), ""));
    text.trim_end().to_string()
}

/// `first` then `words` filled to 92 columns, continuation lines starting with `indent`.
fn wrap(first: &str, words: &str, indent: &str) -> String {
    const WIDTH: usize = 92;
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in words.split_whitespace() {
        if !empty && line.len() + 1 + word.len() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

impl From<Outcome> for Exit {
    fn from(o: Outcome) -> Exit {
        match o {
            Outcome::Done => Exit::Success,
            Outcome::Down => Exit::Down,
            Outcome::Plugin(state) => Exit::Plugin(state.code()),
            Outcome::Interrupted(signal) => Exit::Interrupted(signal),
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_lists_every_code_within_the_width() {
        let text = help_text();
        for (exit, _) in TABLE {
            assert!(text.contains(&format!("\n  {:<3} ", exit.code())), "{text}");
        }
        assert!(text.lines().all(|l| l.len() <= 92), "{text}");
        assert!(!text.contains('`'));
    }

    /// The README's table, row by row, is this table; its note on `check` is `PLUGIN`.
    #[test]
    fn the_readme_shows_this_table() {
        let readme = include_str!("../README.md");
        let section = readme
            .split("## Exit codes")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("the README has an Exit codes section");
        let rows: Vec<(u8, &str)> = section
            .lines()
            .filter_map(|l| {
                let cells: Vec<&str> = l.trim().strip_prefix('|')?.split('|').collect();
                let code = cells.first()?.trim().parse().ok()?;
                Some((code, cells.get(1)?.trim()))
            })
            .collect();
        let table: Vec<(u8, &str)> = TABLE.iter().map(|(e, m)| (e.code(), *m)).collect();
        assert_eq!(rows, table);
        assert!(
            section.contains(PLUGIN),
            "the README's note on check differs"
        );
    }

    #[test]
    fn errors_map_to_their_codes() {
        let usage = crate::domain::error::invalid("bad").context("while adding");
        assert_eq!(Exit::for_error(&usage), Exit::Usage);
        let busy = anyhow::Error::new(Busy("held".into()));
        assert_eq!(Exit::for_error(&busy), Exit::Busy);
        assert_eq!(
            Exit::for_error(&anyhow::anyhow!("disk full")),
            Exit::Failure
        );
    }
}
