//! Everything webhost prints: tables for people, JSON for scripts, the plugin line, the
//! metrics and the status page. It renders the values it is given, into any writer (stdout
//! unless told otherwise); nothing else prints results. Every table fits the terminal's width
//! the same way (`Output::print_table`, `layout`); each table says how its columns give way.

pub mod atomic;
pub mod audit;
mod check;
pub mod demo;
mod disks;
mod done;
mod fleet;
pub mod history;
pub mod i18n;
mod inventory;
mod layout;
mod maintenance;
pub mod metrics;
mod migrate;
mod pass;
pub mod push;
mod records;
pub mod report;
pub mod sla;
pub mod svg;
pub mod time;
mod transfer;

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};

use anyhow::Result;
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use layout::{Fit, Need};
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use crate::domain::health::Health;
use crate::domain::model::Status;

pub use check::Asked;
pub use done::Done;
pub use records::{RecordView, modules_json};

/// Text fit for a terminal. Every character a terminal would act on rather than show is
/// written as its escape, `\u{1b}` (lowercase hex, the way Rust writes it): the C0 controls
/// (NUL, ESC, TAB and newline included), DEL, the C1 controls U+0080–U+009F (which some
/// terminals read as ESC sequences: U+009B is CSI) and the bidirectional embeddings, overrides
/// and isolates U+202A–U+202E and U+2066–U+2069 (which reorder what is shown). A server's
/// `ESC ] 52 ; c ; ... BEL` in a module name would otherwise write the reader's clipboard.
///
/// This is the one rule for everything printed for a person: every table cell (through
/// `cell`), every note and log line on stderr, the plugin line. JSON keeps the real text,
/// escaped the JSON way (`\u001b`, see `json_text`).
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if acts_on_terminal(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a terminal would act on `c` rather than show it (see `terminal_safe`).
fn acts_on_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A table cell: the only way output makes one, so no text reaches a table without
/// `terminal_safe` (clippy.toml forbids `Cell::new` but in `Output::print_table`, which is
/// given only these).
fn cell(content: impl ToString) -> TableCell {
    TableCell {
        text: terminal_safe(&content.to_string()).into_owned(),
        color: None,
    }
}

/// The text of a table cell, terminal-safe, and its colour.
struct TableCell {
    text: String,
    color: Option<Color>,
}

impl TableCell {
    fn fg(self, color: Color) -> TableCell {
        TableCell {
            color: Some(color),
            ..self
        }
    }
}

/// A column of a table: its header, how it gives way to a narrow terminal (see `Fit`), and
/// whether it may be left out to make room.
#[derive(Debug, Clone, Copy)]
struct Col {
    header: &'static str,
    fit: Fit,
    rank: Option<u8>,
}

impl Col {
    /// Never cut: refs, statuses, times, counts, short words.
    const fn whole(header: &'static str) -> Col {
        Col::new(header, Fit::Whole)
    }

    /// Cut with `…` when the room is short.
    const fn cut(header: &'static str) -> Col {
        Col::new(header, Fit::Cut)
    }

    /// Free text: wraps.
    const fn wrap(header: &'static str) -> Col {
        Col::new(header, Fit::Wrap)
    }

    /// A list of refs or names: wraps between them.
    const fn words(header: &'static str) -> Col {
        Col::new(header, Fit::Words)
    }

    const fn new(header: &'static str, fit: Fit) -> Col {
        Col {
            header,
            fit,
            rank: None,
        }
    }

    /// May be left out when the table does not fit otherwise, lowest rank first.
    const fn optional(self, rank: u8) -> Col {
        Col {
            rank: Some(rank),
            ..self
        }
    }
}

/// A table being built; `Output::print_table` fits it to the width and prints it.
struct Grid {
    columns: Vec<Col>,
    header: bool,
    rows: Vec<Vec<TableCell>>,
    /// Wrapped free text stops after this many lines.
    max_lines: Option<usize>,
}

impl Grid {
    fn add_row(&mut self, row: Vec<TableCell>) {
        self.rows.push(row);
    }
}

/// The width tables must fit, decided as `ls` does: the terminal's when stdout is one, else
/// `COLUMNS` (which `| less` users set); else none. A terminal reporting a width of 0, as
/// `script` and some `docker exec` do, does not know it.
fn table_width() -> Option<usize> {
    let stdout = io::stdout();
    let terminal = if stdout.is_terminal() {
        rustix::termios::tcgetwinsize(&stdout)
            .ok()
            .map(|size| size.ws_col)
    } else {
        None
    };
    pick_width(terminal, std::env::var("COLUMNS").ok().as_deref())
}

/// The terminal's width when it knows it, else `COLUMNS` when that is a number above 0.
fn pick_width(terminal: Option<u16>, columns: Option<&str>) -> Option<usize> {
    terminal
        .filter(|w| *w > 0)
        .map(usize::from)
        .or_else(|| columns?.trim().parse().ok().filter(|w: &usize| *w > 0))
}

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
    /// What tables must fit in (see `table_width`); None: no limit.
    width: Option<usize>,
    sink: RefCell<Box<dyn Write>>,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("json", &self.json)
            .field("quiet", &self.quiet)
            .field("verbose", &self.verbose)
            .field("color", &self.color)
            .field("width", &self.width)
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
            width: table_width(),
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
            eprintln!("{}", terminal_safe(msg.as_ref()));
        }
    }

    /// Whether a pass's summary lists every record (so the pass must keep them all).
    pub fn prints_each_result(&self) -> bool {
        self.json || !self.quiet
    }

    /// Extra detail for `--verbose` (stderr).
    pub fn detail(&self, msg: impl AsRef<str>) {
        if self.verbose > 0 && !self.quiet {
            eprintln!("webhost: {}", terminal_safe(msg.as_ref()));
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
            .map(|(k, v)| format!("{k} = {}\n", terminal_safe(v)))
            .collect();
        self.raw(text.as_bytes())
    }

    /// Writes raw bytes (completions, man page).
    pub fn raw(&self, bytes: &[u8]) -> Result<()> {
        self.write(|w| w.write_all(bytes))
    }

    /// Pretty JSON of any result, with a trailing newline.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = json_text(value)?;
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

    /// A table with these columns; each says how it gives way to a narrow terminal.
    fn table(&self, columns: &[Col]) -> Grid {
        Grid {
            columns: columns.to_vec(),
            header: true,
            rows: Vec::new(),
            max_lines: Some(layout::WRAP_LINES),
        }
    }

    /// A record's fields, one `name:` and value a line: no header, and a long value wraps
    /// whole (this is where to read it all).
    fn fields_table(&self) -> Grid {
        Grid {
            columns: vec![Col::whole(""), Col::wrap("")],
            header: false,
            rows: Vec::new(),
            max_lines: None,
        }
    }

    /// Prints a table fitted to the width (`table_width`): columns that may give way are cut
    /// or wrapped, and when that is not enough, optional ones are left out (stderr names
    /// them). With no width, every cell is printed whole on one line.
    #[allow(clippy::disallowed_methods)] // every text here is a `TableCell`'s, already safe
    fn print_table(&self, t: &Grid) -> Result<()> {
        let needs: Vec<Need> = t
            .columns
            .iter()
            .enumerate()
            .map(|(i, col)| {
                let cells = || t.rows.iter().filter_map(|r| r.get(i));
                Need {
                    fit: col.fit,
                    rank: col.rank,
                    header: if t.header {
                        layout::text_width(col.header)
                    } else {
                        0
                    },
                    widest: cells()
                        .map(|c| layout::text_width(&c.text))
                        .max()
                        .unwrap_or(0),
                    widest_word: cells()
                        .map(|c| layout::widest_word(&c.text))
                        .max()
                        .unwrap_or(0),
                }
            })
            .collect();
        let widths = layout::widths(&needs, self.width);
        let shown = |i: usize| widths.get(i).copied().flatten();
        let mut table = Table::new();
        // The widths are decided above: comfy-table must neither wrap nor ask the terminal.
        table
            .load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled)
            .force_no_tty();
        if self.color {
            table.enforce_styling();
        }
        if t.header {
            table.set_header(
                t.columns
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| shown(*i).is_some())
                    .map(|(_, col)| Cell::new(col.header)),
            );
        }
        for row in &t.rows {
            let cells = row.iter().enumerate().filter_map(|(i, c)| {
                let lines = layout::fit(&c.text, t.columns[i].fit, shown(i)?, t.max_lines);
                let cell = Cell::new(lines.join("\n"));
                Some(match c.color {
                    Some(color) if self.color => cell.fg(color),
                    _ => cell,
                })
            });
            table.add_row(cells.collect::<Vec<Cell>>());
        }
        // Columns flush left, two blanks apart, like `ls -l` or `docker ps`.
        for col in table.column_iter_mut() {
            col.set_padding((0, layout::GAP as u16));
        }
        let text = table.to_string();
        self.write(|w| {
            for line in text.lines() {
                // comfy-table pads the last column; trailing blanks are noise in a pipe.
                writeln!(w, "{}", line.trim_end())?;
            }
            Ok(())
        })?;
        let left_out: Vec<&str> = t
            .columns
            .iter()
            .enumerate()
            .filter(|(i, _)| shown(*i).is_none())
            .map(|(_, col)| col.header)
            .collect();
        if let (false, Some(width)) = (left_out.is_empty(), self.width) {
            self.note(format!(
                "left out to fit in {width} columns: {} (a wider terminal or --json shows them)",
                left_out.join(", ")
            ));
        }
        Ok(())
    }

    /// A health word, coloured when colours are on.
    fn health_cell(&self, health: Health) -> TableCell {
        cell(health.as_str()).fg(match health {
            Health::Ok => Color::Green,
            Health::Warning => Color::Yellow,
            Health::Critical => Color::Red,
            Health::Unknown => Color::DarkGrey,
        })
    }

    /// A status word, with `(maintenance)` beside it when the record is in a window.
    fn status_in_window(&self, status: Status, in_window: bool) -> TableCell {
        if in_window {
            cell(format!("{status} (maintenance)")).fg(Color::Cyan)
        } else {
            self.status_cell(status)
        }
    }

    /// A status word, coloured when colours are on.
    fn status_cell(&self, status: Status) -> TableCell {
        cell(status.as_str()).fg(match status {
            Status::Online => Color::Green,
            Status::Offline => Color::Red,
            Status::Error => Color::Yellow,
            Status::Missing => Color::Magenta,
            Status::Unreachable => Color::Red,
            Status::Unknown => Color::DarkGrey,
        })
    }
}

/// Pretty JSON whose strings also escape, as `\u009b`, what serde_json leaves raw and a terminal
/// would act on: DEL, the C1 controls and the bidi controls (serde_json escapes only C0). A
/// JSON reader gets the very same text; a terminal showing the JSON gets no control sequence.
pub fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut out = Vec::with_capacity(256);
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut out, SafeFormatter(PrettyFormatter::new()));
    value.serialize(&mut serializer)?;
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8(out)?)
}

/// serde_json's pretty layout, with `terminal_safe`'s characters escaped inside strings.
struct SafeFormatter<'a>(PrettyFormatter<'a>);

impl Formatter for SafeFormatter<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|(_, c)| acts_on_terminal(*c)) {
            writer.write_all(&rest.as_bytes()[..at])?;
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
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
    fn terminal_safe_shows_what_a_terminal_would_act_on() {
        let hostile = "mod\u{1b}]52;c;aGk=\u{7}x\u{9b}2J\u{0}\t\n\r\u{7f}\u{85}\u{202e}\u{2066}é✓";
        assert_eq!(
            terminal_safe(hostile),
            "mod\\u{1b}]52;c;aGk=\\u{7}x\\u{9b}2J\\u{0}\\u{9}\\u{a}\\u{d}\\u{7f}\\u{85}\\u{202e}\\u{2066}é✓"
        );
        assert!(matches!(terminal_safe("plain é ✓ text"), Cow::Borrowed(_)));
        // Zero-width joiners and the like are text, not terminal commands.
        assert_eq!(terminal_safe("a\u{200d}b"), "a\u{200d}b");
    }

    #[test]
    fn json_escapes_every_terminal_control_and_keeps_the_text() {
        let hostile = "a\u{1b}]52;c;x\u{7}\u{9b}\u{7f}\u{202e}\u{2069}é\"\\";
        let text = json_text(&serde_json::json!({ "name": hostile })).expect("JSON");
        assert!(
            text.chars().all(|c| c == '\n' || !acts_on_terminal(c)),
            "{text:?}"
        );
        assert!(
            text.contains("\\u009b") && text.contains("\\u202e"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back["name"], hostile);
        assert_eq!(
            json_text(&serde_json::json!({"a": [1, "b"]})).expect("JSON"),
            serde_json::to_string_pretty(&serde_json::json!({"a": [1, "b"]})).expect("JSON"),
            "the layout is serde_json's pretty one"
        );
    }

    #[test]
    fn the_width_is_the_terminal_s_else_columns_and_zero_is_none() {
        assert_eq!(pick_width(Some(100), Some("60")), Some(100));
        assert_eq!(pick_width(Some(0), Some("60")), Some(60));
        assert_eq!(pick_width(None, Some(" 72 ")), Some(72));
        assert_eq!(pick_width(Some(0), None), None);
        assert_eq!(pick_width(None, Some("0")), None);
        assert_eq!(pick_width(None, Some("wide")), None);
        assert_eq!(pick_width(None, None), None);
    }

    #[test]
    fn a_coloured_table_fits_as_a_plain_one() {
        let render = |color: bool| {
            let sink = Shared::default();
            let out = Output {
                width: Some(50),
                color,
                ..Output::new(false, false, 0, ColorChoice::Never)
            }
            .into_writer(Box::new(sink.clone()));
            let mut t = out.table(&[
                Col::whole("REF"),
                Col::whole("STATUS"),
                Col::wrap("MESSAGE"),
            ]);
            t.add_row(vec![
                cell("boulangerie-martin"),
                out.status_cell(Status::Offline),
                cell("connection refused by 192.0.2.1 port 443 after 3 tries"),
            ]);
            out.print_table(&t).expect("printed");
            String::from_utf8(sink.0.borrow().clone()).expect("utf-8")
        };
        let plain = render(false);
        assert!(plain.lines().all(|l| l.chars().count() <= 50), "{plain}");
        assert!(
            plain.contains("boulangerie-martin  offline  connection"),
            "{plain}"
        );
        let coloured = render(true);
        assert!(coloured.contains("\u{1b}["), "{coloured:?}");
        let stripped: String = coloured
            .split('\u{1b}')
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part
                } else {
                    part.split_once('m').map_or("", |(_, rest)| rest)
                }
            })
            .collect();
        assert_eq!(stripped, plain);
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
