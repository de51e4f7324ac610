//! `webhost demo`'s own lines: what it starts, the story's changes as they happen (stderr,
//! not with `--quiet`), and where its folder is and what to run next (stdout, even with
//! `--quiet`; `--json`: one object). The fleet's state it shows is `status`'s own output.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use super::{Output, terminal_safe};
use crate::domain::model::Status;

/// What `webhost demo` starts.
#[derive(Debug)]
pub struct DemoStart<'a> {
    pub fleet: &'a str,
    pub folder: &'a Path,
    pub rounds: usize,
    pub interval: Duration,
    /// The first and last rounds, by the demo's clock (Unix seconds).
    pub first: i64,
    pub last: i64,
}

/// How `webhost demo` ended: its `--json` answer.
#[derive(Debug, Serialize)]
pub struct DemoDone {
    pub folder: String,
    /// Whether the folder is still there (`--keep`).
    pub kept: bool,
    pub database: String,
    pub report: String,
    pub rounds: usize,
    pub hosts: Counts,
    pub instances: Counts,
    /// How long the demo took, as `duration_ms` says it everywhere.
    pub duration_ms: u64,
}

/// Records by status, as `status --json` counts them: every status, zeros included.
#[derive(Debug, Serialize)]
pub struct Counts {
    pub total: usize,
    pub by_status: BTreeMap<&'static str, usize>,
}

impl Default for Counts {
    fn default() -> Counts {
        Counts {
            total: 0,
            by_status: Status::ALL.iter().map(|s| (s.as_str(), 0)).collect(),
        }
    }
}

/// What a URL's path keeps unescaped.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl Output {
    pub fn demo_start(&self, s: &DemoStart) {
        self.note(format!(
            "demo fleet on {}/, database in {}",
            s.fleet,
            s.folder.display()
        ));
        self.note(format!(
            "{} rounds of update-hosts and update-instances, {} min apart, {} to {}:",
            s.rounds,
            s.interval.as_secs() / 60,
            clock_time(s.first),
            clock_time(s.last)
        ));
    }

    /// A change in the demo's fleet, as the round at `at` starts.
    pub fn demo_event(&self, at: i64, what: &str) {
        self.note(format!("  {}  {what}", clock_time(at)));
    }

    /// The passes are over.
    pub fn demo_polled(&self, elapsed: Duration) {
        self.note(format!("polled in {:.1} s", elapsed.as_secs_f64()));
    }

    /// Stopped by a signal: what became of the folder.
    pub fn demo_stopped(&self, folder: &Path, kept: bool) {
        let what = if kept { "kept" } else { "removed" };
        self.note(format!("demo stopped; {what} {}", folder.display()));
    }

    pub fn demo_done(&self, d: &DemoDone) -> Result<()> {
        if self.json {
            return self.json(d);
        }
        let folder = terminal_safe(&d.folder);
        // A blank line after `status`'s output, which --quiet leaves out.
        let mut text = String::from(if self.quiet { "" } else { "\n" });
        if d.kept {
            text.push_str(&format!("kept {folder}\n"));
            text.push_str(&format!(
                "  open file://{}\n",
                terminal_safe(&utf8_percent_encode(&d.report, PATH).to_string())
            ));
            text.push_str(&format!(
                "  webhost --db {} instance list\n",
                terminal_safe(&shell_word(&d.database))
            ));
        } else {
            text.push_str(&format!(
                "removed {folder}: `webhost demo --keep` keeps it, to open its status page \
                 and explore its database\n"
            ));
        }
        text.push_str(
            "then watch your own fleet:\n  webhost instance add shop --api ping --url \
             https://shop.example.com/\n  webhost update-instances\n",
        );
        self.raw(text.as_bytes())
    }
}

/// `14:05`, local time.
fn clock_time(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .strftime("%H:%M")
            .to_string(),
        Err(_) => secs.to_string(),
    }
}

/// `text` as one word for a POSIX shell: as it is when it is safe, else single-quoted.
fn shell_word(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+,:=@%".contains(&b));
    if safe {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_one_shell_word() {
        assert_eq!(
            shell_word("/tmp/webhost-demo-a1/webhost.db"),
            "/tmp/webhost-demo-a1/webhost.db"
        );
        assert_eq!(
            shell_word("/tmp/my dir/it's.db"),
            r"'/tmp/my dir/it'\''s.db'"
        );
    }

    #[test]
    fn a_path_is_escaped_in_a_file_url() {
        assert_eq!(
            utf8_percent_encode("/tmp/my dir/é.html", PATH).to_string(),
            "/tmp/my%20dir/%C3%A9.html"
        );
    }
}
