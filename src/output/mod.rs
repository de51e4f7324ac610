//! Everything webhost prints: tables for people, JSON for scripts. Nothing else prints results.

pub mod check;
pub mod fleet;
pub mod history;
mod inventory;
pub mod metrics;
mod pass;
mod records;
pub mod report;
pub mod svg;
mod transfer;

use std::io::{self, IsTerminal, Write};

use anyhow::Result;
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use serde::Serialize;

use crate::cli::ColorChoice;
use crate::health::Health;
use crate::model::Status;

pub use records::{RecordView, modules_json};

/// How results are printed for this run.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub color: bool,
}

impl Output {
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

    /// Writes raw bytes to stdout (completions, man page).
    pub fn raw(&self, bytes: &[u8]) -> Result<()> {
        write_stdout(|w| w.write_all(bytes))
    }

    /// Pretty JSON of any result, with a trailing newline.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        write_stdout(|w| writeln!(w, "{text}"))
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
        write_stdout(|w| {
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

/// Writes to stdout, treating a closed pipe (`webhost ... | head`) as success.
fn write_stdout(f: impl FnOnce(&mut io::StdoutLock) -> io::Result<()>) -> Result<()> {
    let mut out = io::stdout().lock();
    match f(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Bytes in binary units: `512 B`, `1.1 GiB`.
pub fn human_bytes(n: i64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v.abs() >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Parses a byte count with an optional binary suffix: `8M`, `512K`, `1G`, `1048576`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{text}' is not a size (e.g. 8M)"))?;
    let mult: u64 = match unit.trim().trim_end_matches("iB").trim_end_matches('B') {
        "" => 1,
        "K" | "k" => 1 << 10,
        "M" | "m" => 1 << 20,
        "G" | "g" => 1 << 30,
        other => return Err(format!("unknown size unit '{other}' (use K, M or G)")),
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("'{text}' is not a usable size"))
}

#[cfg(test)]
mod tests {
    use super::{human_bytes, parse_size};

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8M"), Ok(8 << 20));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("0").is_err());
        assert!(parse_size("8X").is_err());
    }

    #[test]
    fn bytes_in_binary_units() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1_189_085_184), "1.1 GiB");
        assert_eq!(human_bytes(2_898_264_064), "2.7 GiB");
        assert_eq!(human_bytes(527_371_075_584), "491.2 GiB");
    }
}
