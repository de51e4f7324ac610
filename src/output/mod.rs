//! Everything webhost prints: tables for people, JSON for scripts, the plugin line, the
//! metrics and the status page. It renders the values it is given, into any writer (stdout
//! unless told otherwise); nothing else prints results.

pub mod atomic;
mod check;
mod fleet;
pub mod history;
mod inventory;
pub mod metrics;
mod pass;
mod records;
pub mod report;
pub mod svg;
mod time;
mod transfer;

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};

use anyhow::Result;
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use serde::Serialize;

use crate::domain::health::Health;
use crate::domain::model::Status;

pub use records::{RecordView, modules_json};

/// When to use colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub const ALL: [ColorChoice; 3] = [ColorChoice::Auto, ColorChoice::Always, ColorChoice::Never];
}

/// How results are printed for this run, and where.
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub color: bool,
    sink: RefCell<Box<dyn Write>>,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("json", &self.json)
            .field("quiet", &self.quiet)
            .field("verbose", &self.verbose)
            .field("color", &self.color)
            .finish_non_exhaustive()
    }
}

impl Output {
    /// Printing to stdout. `auto` colours only a terminal, and never with NO_COLOR set.
    pub fn new(json: bool, quiet: bool, verbose: u8, color: ColorChoice) -> Output {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && io::stdout().is_terminal()
            }
        };
        Output {
            json,
            quiet,
            verbose,
            color,
            sink: RefCell::new(Box::new(io::stdout())),
        }
    }

    /// The same settings, printing into `sink` instead of stdout.
    pub fn into_writer(self, sink: Box<dyn Write>) -> Output {
        Output {
            sink: RefCell::new(sink),
            ..self
        }
    }

    /// A line for the person at the terminal (stderr), unless `--quiet`.
    pub fn note(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// Whether a pass's summary lists every record (so the pass must keep them all).
    pub fn prints_each_result(&self) -> bool {
        self.json || !self.quiet
    }

    /// Extra detail for `--verbose` (stderr).
    pub fn detail(&self, msg: impl AsRef<str>) {
        if self.verbose > 0 && !self.quiet {
            eprintln!("webhost: {}", msg.as_ref());
        }
    }

    /// `webhost config get|list`.
    pub fn config(&self, entries: &[(String, String)]) -> Result<()> {
        if self.json {
            let map: std::collections::BTreeMap<&str, &str> = entries
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            return self.json(&map);
        }
        let text: String = entries
            .iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect();
        self.raw(text.as_bytes())
    }

    /// Writes raw bytes (completions, man page).
    pub fn raw(&self, bytes: &[u8]) -> Result<()> {
        self.write(|w| w.write_all(bytes))
    }

    /// Pretty JSON of any result, with a trailing newline.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        self.write(|w| writeln!(w, "{text}"))
    }

    /// Writes to the sink, treating a closed pipe (`webhost ... | head`) as success.
    fn write(&self, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
        let mut sink = self.sink.borrow_mut();
        match f(&mut **sink).and_then(|()| sink.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => Ok(other?),
        }
    }

    fn table(&self, header: &[&str]) -> Table {
        let mut t = Table::new();
        t.load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.iter().map(Cell::new));
        if self.color {
            t.enforce_styling();
        }
        t
    }

    fn print_table(&self, t: &mut Table) -> Result<()> {
        // Columns flush left, two blanks apart, like `ls -l` or `docker ps`.
        for col in t.column_iter_mut() {
            col.set_padding((0, 2));
        }
        let text = t.to_string();
        self.write(|w| {
            for line in text.lines() {
                // comfy-table pads the last column; trailing blanks are noise in a pipe.
                writeln!(w, "{}", line.trim_end())?;
            }
            Ok(())
        })
    }

    /// A health word, coloured when colours are on.
    fn health_cell(&self, health: Health) -> Cell {
        let cell = Cell::new(health.as_str());
        if !self.color {
            return cell;
        }
        cell.fg(match health {
            Health::Ok => Color::Green,
            Health::Warning => Color::Yellow,
            Health::Critical => Color::Red,
            Health::Unknown => Color::DarkGrey,
        })
    }

    /// A status word, coloured when colours are on.
    fn status_cell(&self, status: Status) -> Cell {
        let cell = Cell::new(status.as_str());
        if !self.color {
            return cell;
        }
        cell.fg(match status {
            Status::Online => Color::Green,
            Status::Offline => Color::Red,
            Status::Error => Color::Yellow,
            Status::Missing => Color::Magenta,
            Status::Unknown => Color::DarkGrey,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;

    /// A writer whose bytes the test keeps.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn results_go_to_the_writer_given() {
        let sink = Shared::default();
        let out =
            Output::new(true, false, 0, ColorChoice::Never).into_writer(Box::new(sink.clone()));
        out.json(&["a", "b"]).expect("printed");
        let text = String::from_utf8(sink.0.borrow().clone()).expect("utf-8");
        assert_eq!(text, "[\n  \"a\",\n  \"b\"\n]\n");
    }
}
