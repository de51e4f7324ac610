//! Import and export of record settings: the row format, reading and writing it as JSON or CSV,
//! and checking a whole file against the database before anything is written.
//!
//! Pure: no I/O and no SQL. The command reads the file and the existing records, `plan` says
//! what would change or lists every problem, and the store applies the plan.

use std::collections::{HashMap, HashSet};
use std::fmt;

use anyhow::Result;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::health::Threshold;
use crate::model::{ApiKind, RecordType};
use crate::store::{Record, Settings};
use crate::validate;

/// The columns of a CSV export, and the keys of a JSON one, in order.
pub const COLUMNS: [&str; 16] = [
    "type",
    "ref",
    "label",
    "api",
    "url",
    "token",
    "probe",
    "enabled",
    "insecure_tls",
    "host",
    "remote_name",
    "discovered",
    "disk_warn",
    "disk_crit",
    "cert_warn_days",
    "cert_crit_days",
];

/// The file formats `export` writes and `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A JSON array of objects
    Json,
    /// A header row, then one row per record
    Csv,
}

/// The settings of one record, as exported and imported (never its state).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: String,
    pub label: Option<String>,
    pub api: ApiKind,
    pub url: Option<String>,
    /// None: left out of the export; on import, the stored token is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub probe: Vec<String>,
    pub enabled: bool,
    pub insecure_tls: bool,
    /// Instances: the ref of their host.
    pub host: Option<String>,
    pub remote_name: Option<String>,
    pub discovered: bool,
    #[serde(serialize_with = "threshold_text")]
    pub disk_warn: Option<Threshold>,
    #[serde(serialize_with = "threshold_text")]
    pub disk_crit: Option<Threshold>,
    pub cert_warn_days: Option<i64>,
    pub cert_crit_days: Option<i64>,
}

fn threshold_text<S: Serializer>(t: &Option<Threshold>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_string()),
        None => s.serialize_none(),
    }
}

impl Row {
    /// A stored record's settings; the token only when asked for.
    pub fn from_record(r: &Record, with_token: bool) -> Row {
        let s = &r.settings;
        Row {
            record_type: r.record_type,
            reference: s.reference.clone(),
            label: s.label.clone(),
            api: s.kind,
            url: s.url.clone(),
            token: s.token.clone().filter(|_| with_token),
            probe: s.probe.clone(),
            enabled: s.enabled,
            insecure_tls: s.insecure_tls,
            host: r.host_ref.clone(),
            remote_name: s.remote_name.clone(),
            discovered: r.discovered,
            disk_warn: s.disk_warn,
            disk_crit: s.disk_crit,
            cert_warn_days: s.cert_warn_days,
            cert_crit_days: s.cert_crit_days,
        }
    }

    /// The settings to store; `host_id` is left for the store to resolve from `host`.
    pub fn settings(&self) -> Settings {
        Settings {
            reference: self.reference.clone(),
            label: self.label.clone(),
            kind: self.api,
            url: self.url.clone(),
            token: self.token.clone(),
            probe: self.probe.clone(),
            enabled: self.enabled,
            insecure_tls: self.insecure_tls,
            host_id: None,
            remote_name: self.remote_name.clone(),
            disk_warn: self.disk_warn,
            disk_crit: self.disk_crit,
            cert_warn_days: self.cert_warn_days,
            cert_crit_days: self.cert_crit_days,
        }
    }

    /// One CSV row, in `COLUMNS` order; an empty cell means none.
    fn cells(&self) -> [String; 16] {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let thr = |v: Option<Threshold>| v.map(|t| t.to_string()).unwrap_or_default();
        let probe = if self.probe.is_empty() {
            String::new()
        } else {
            // A Vec<String> always serialises.
            serde_json::to_string(&self.probe).unwrap_or_default()
        };
        [
            self.record_type.to_string(),
            self.reference.clone(),
            text(&self.label),
            self.api.to_string(),
            text(&self.url),
            text(&self.token),
            probe,
            self.enabled.to_string(),
            self.insecure_tls.to_string(),
            text(&self.host),
            text(&self.remote_name),
            self.discovered.to_string(),
            thr(self.disk_warn),
            thr(self.disk_crit),
            num(self.cert_warn_days),
            num(self.cert_crit_days),
        ]
    }

    fn describe(&self) -> String {
        format!("{} '{}'", self.record_type, self.reference)
    }
}

/// Rows as CSV: a header row, then one row per record.
pub fn write_csv(rows: &[Row]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for r in rows {
        w.write_record(r.cells())?;
    }
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write CSV: {}", e.error()))
}

/// Where a row is in its file: the line it starts on, and for JSON its 1-based place in the array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u64,
    pub record: Option<usize>,
}

/// One thing wrong with the file, tied to the row it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub at: Position,
    /// `instance 'shop'`, when the row's type and ref could be read.
    pub subject: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.at.line)?;
        if let Some(n) = self.at.record {
            write!(f, " (record {n})")?;
        }
        if let Some(s) = &self.subject {
            write!(f, ", {s}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A row as read from the file: readable, or the list of what is wrong with it.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub at: Position,
    /// Type and ref, when those two could be read (even if other fields could not).
    pub ident: Option<(RecordType, String)>,
    pub row: Result<Row, Vec<String>>,
}

/// Guesses the format: from the file name's extension, else from the first character.
pub fn detect(name: Option<&str>, text: &str) -> Format {
    let ext = name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        _ if matches!(strip_bom(text).trim_start().chars().next(), Some('[' | '{')) => Format::Json,
        _ => Format::Csv,
    }
}

/// Spreadsheets often start UTF-8 files with a byte-order mark.
fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Reads every row of the file. An error means the file as a whole is unreadable.
pub fn parse(text: &str, format: Format) -> Result<Vec<Parsed>, Problem> {
    let text = strip_bom(text);
    match format {
        Format::Json => parse_json(text),
        Format::Csv => parse_csv(text),
    }
}

fn file_problem(line: u64, message: String) -> Problem {
    Problem {
        at: Position { line, record: None },
        subject: None,
        message,
    }
}

fn parse_json(text: &str) -> Result<Vec<Parsed>, Problem> {
    let whole: Value = serde_json::from_str(text).map_err(|e| {
        file_problem(
            e.line() as u64,
            format!(
                "not valid JSON: {e} (expected an array of records, as `webhost export` writes)"
            ),
        )
    })?;
    let Value::Array(items) = whole else {
        return Err(file_problem(
            1,
            "expected a JSON array of records, as `webhost export` writes".into(),
        ));
    };
    let lines = element_lines(text).filter(|l| l.len() == items.len());
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let at = Position {
                line: lines.as_ref().map_or(0, |l| l[i]),
                record: Some(i + 1),
            };
            match item {
                Value::Object(map) => row_from(at, &JsonFields(&map)),
                other => Parsed {
                    at,
                    ident: None,
                    row: Err(vec![format!(
                        "expected an object, found {}",
                        json_type(&other)
                    )]),
                },
            }
        })
        .collect())
}

/// The line each element of a top-level JSON array starts on. serde_json does not say where a
/// value was, so this steps through the (already validated) array one element at a time.
fn element_lines(text: &str) -> Option<Vec<u64>> {
    let bytes = text.as_bytes();
    let skip_ws = |mut i: usize| {
        while bytes.get(i).is_some_and(|b| b" \t\r\n".contains(b)) {
            i += 1;
        }
        i
    };
    let line_at = |i: usize| 1 + bytes[..i].iter().filter(|b| **b == b'\n').count() as u64;
    let mut pos = skip_ws(0);
    if bytes.get(pos) != Some(&b'[') {
        return None;
    }
    let mut lines = Vec::new();
    pos = skip_ws(pos + 1);
    while bytes.get(pos).is_some_and(|b| *b != b']') {
        lines.push(line_at(pos));
        let mut values = serde_json::Deserializer::from_str(text.get(pos..)?)
            .into_iter::<serde::de::IgnoredAny>();
        values.next()?.ok()?;
        pos = skip_ws(pos + values.byte_offset());
        if bytes.get(pos) == Some(&b',') {
            pos = skip_ws(pos + 1);
        }
    }
    Some(lines)
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_csv(text: &str) -> Result<Vec<Parsed>, Problem> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| file_problem(1, format!("cannot read the CSV header row: {e}")))?
        .clone();
    let mut seen = HashSet::new();
    for h in &headers {
        if !COLUMNS.contains(&h) {
            return Err(file_problem(
                1,
                format!(
                    "unknown column '{h}' in the header row (known: {})",
                    COLUMNS.join(", ")
                ),
            ));
        }
        if !seen.insert(h) {
            return Err(file_problem(
                1,
                format!("column '{h}' appears twice in the header row"),
            ));
        }
    }
    for required in ["type", "ref", "api"] {
        if !seen.contains(required) {
            return Err(file_problem(
                1,
                format!("the header row lacks the '{required}' column"),
            ));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(rec) => {
                let at = Position {
                    line: rec.position().map_or(0, csv::Position::line),
                    record: None,
                };
                let cells: HashMap<&str, &str> = headers.iter().zip(rec.iter()).collect();
                rows.push(row_from(at, &CsvFields(cells)));
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths { len, .. } => format!(
                        "{len} cells, but the header row has {} columns",
                        headers.len()
                    ),
                    _ => format!("unreadable CSV row: {e}"),
                };
                rows.push(Parsed {
                    at: Position { line, record: None },
                    ident: None,
                    row: Err(vec![message]),
                });
            }
        }
    }
    Ok(rows)
}

/// Typed access to one row's fields, whatever the file format. None: absent or empty.
trait Fields {
    fn text(&self, key: &str) -> Result<Option<String>, String>;
    fn boolean(&self, key: &str) -> Result<Option<bool>, String>;
    fn integer(&self, key: &str) -> Result<Option<i64>, String>;
    fn list(&self, key: &str) -> Result<Option<Vec<String>>, String>;
    /// Keys this row has that no column is named.
    fn unknown_keys(&self) -> Vec<String>;
}

struct JsonFields<'a>(&'a Map<String, Value>);

impl Fields for JsonFields<'_> {
    fn text(&self, key: &str) -> Result<Option<String>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(format!("'{key}' must be text, not {}", json_type(v))),
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(format!(
                "'{key}' must be true or false, not {}",
                json_type(v)
            )),
        }
    }

    fn integer(&self, key: &str) -> Result<Option<i64>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(v) => Err(format!("'{key}' must be a whole number, not {v}")),
        }
    }

    fn list(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v.clone())
                .map(Some)
                .map_err(|_| format!("'{key}' must be an array of text, not {v}")),
        }
    }

    fn unknown_keys(&self) -> Vec<String> {
        self.0
            .keys()
            .filter(|k| !COLUMNS.contains(&k.as_str()))
            .cloned()
            .collect()
    }
}

struct CsvFields<'a>(HashMap<&'a str, &'a str>);

impl CsvFields<'_> {
    fn cell(&self, key: &str) -> Option<&str> {
        self.0.get(key).copied().filter(|c| !c.is_empty())
    }
}

impl Fields for CsvFields<'_> {
    fn text(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.cell(key).map(str::to_string))
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        match self.cell(key) {
            None => Ok(None),
            Some(c) if c.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(c) if c.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(c) => Err(format!("'{key}' must be true or false, not '{c}'")),
        }
    }

    fn integer(&self, key: &str) -> Result<Option<i64>, String> {
        self.cell(key)
            .map(|c| {
                c.parse()
                    .map_err(|_| format!("'{key}' must be a whole number, not '{c}'"))
            })
            .transpose()
    }

    fn list(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        self.cell(key)
            .map(|c| {
                serde_json::from_str(c).map_err(|_| {
                    format!(
                        "'{key}' must be a JSON array of text such as [\"/usr/local/bin/check\",\"--fast\"], not '{c}'"
                    )
                })
            })
            .transpose()
    }

    fn unknown_keys(&self) -> Vec<String> {
        // Unknown columns are refused with the header row.
        Vec::new()
    }
}

fn parse_record_type(s: &str) -> Result<RecordType, String> {
    match s {
        "host" => Ok(RecordType::Host),
        "instance" => Ok(RecordType::Instance),
        other => Err(format!(
            "unknown type '{other}' (expected host or instance)"
        )),
    }
}

/// Reads one row's fields, collecting every error rather than stopping at the first.
fn row_from(at: Position, f: &dyn Fields) -> Parsed {
    let mut errors: Vec<String> = f
        .unknown_keys()
        .into_iter()
        .map(|k| format!("unknown field '{k}' (known: {})", COLUMNS.join(", ")))
        .collect();
    // Keeps the value, or notes the error and goes on to the next field.
    fn take<T>(errors: &mut Vec<String>, r: Result<Option<T>, String>) -> Option<T> {
        r.unwrap_or_else(|e| {
            errors.push(e);
            None
        })
    }
    let record_type = take(
        &mut errors,
        f.text("type")
            .and_then(|t| t.map(|t| parse_record_type(&t)).transpose()),
    );
    let reference = take(&mut errors, f.text("ref"));
    let api = take(
        &mut errors,
        f.text("api")
            .and_then(|t| t.map(|t| t.parse::<ApiKind>()).transpose()),
    );
    let label = take(&mut errors, f.text("label"));
    let url = take(&mut errors, f.text("url"));
    let token = take(&mut errors, f.text("token"));
    let probe = take(&mut errors, f.list("probe"));
    let enabled = take(&mut errors, f.boolean("enabled"));
    let insecure_tls = take(&mut errors, f.boolean("insecure_tls"));
    let host = take(&mut errors, f.text("host"));
    let remote_name = take(&mut errors, f.text("remote_name"));
    let discovered = take(&mut errors, f.boolean("discovered"));
    let threshold = |key: &str| {
        f.text(key).and_then(|t| {
            t.map(|t| t.parse::<Threshold>().map_err(|e| format!("'{key}': {e}")))
                .transpose()
        })
    };
    let disk_warn = take(&mut errors, threshold("disk_warn"));
    let disk_crit = take(&mut errors, threshold("disk_crit"));
    let cert_warn_days = take(&mut errors, f.integer("cert_warn_days"));
    let cert_crit_days = take(&mut errors, f.integer("cert_crit_days"));
    let ident = record_type.zip(reference.clone());
    for key in ["type", "ref", "api"] {
        // Only when absent: a present but unreadable value has its own error already.
        if matches!(f.text(key), Ok(None)) {
            errors.push(format!("'{key}' is missing"));
        }
    }
    let row = match (record_type, reference, api) {
        (Some(record_type), Some(reference), Some(api)) if errors.is_empty() => Ok(Row {
            record_type,
            reference,
            label,
            api,
            url,
            token,
            probe: probe.unwrap_or_default(),
            enabled: enabled.unwrap_or(true),
            insecure_tls: insecure_tls.unwrap_or(false),
            host,
            remote_name,
            discovered: discovered.unwrap_or(false),
            disk_warn,
            disk_crit,
            cert_warn_days,
            cert_crit_days,
        }),
        _ => Err(errors),
    };
    Parsed { at, ident, row }
}

/// What importing one row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Updated,
    Unchanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
        }
    }
}

/// One row of a checked import.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The settings to store. `token` None keeps the stored token.
    pub row: Row,
    pub action: Action,
    /// For updates: the fields that change (names only: one of them may be the token).
    pub changed: Vec<&'static str>,
}

/// Checks every row against the others and against the records already stored (`existing`,
/// with their tokens), and says what importing would do: hosts first, then instances, each in
/// file order. Err holds every problem found, ordered by line.
pub fn plan(parsed: Vec<Parsed>, existing: &[Row]) -> Result<Vec<Planned>, Vec<Problem>> {
    let stored = |rt: RecordType, r: &str| {
        existing
            .iter()
            .find(|e| e.record_type == rt && e.reference == r)
    };
    let mut problems = Vec::new();
    let mut add = |at: Position, subject: Option<String>, message: String| {
        problems.push(Problem {
            at,
            subject,
            message,
        })
    };

    // Duplicates, and the hosts the file defines (None: its row is unreadable, and reported).
    let mut first_line: HashMap<(RecordType, String), u64> = HashMap::new();
    let mut file_hosts: HashMap<String, Option<ApiKind>> = HashMap::new();
    let mut rows = Vec::new();
    for p in parsed {
        let subject = p.ident.as_ref().map(|(t, r)| format!("{t} '{r}'"));
        if let Some(id) = &p.ident {
            if let Some(line) = first_line.get(id) {
                add(
                    p.at,
                    subject.clone(),
                    format!("duplicate: the same {} is on line {line}", id.0),
                );
            } else {
                first_line.insert(id.clone(), p.at.line);
            }
        }
        match p.row {
            Ok(row) => {
                if row.record_type == RecordType::Host {
                    file_hosts
                        .entry(row.reference.clone())
                        .or_insert(Some(row.api));
                }
                rows.push((p.at, row));
            }
            Err(errors) => {
                if let Some((RecordType::Host, r)) = &p.ident {
                    file_hosts.entry(r.clone()).or_insert(None);
                }
                for e in errors {
                    add(p.at, subject.clone(), e);
                }
            }
        }
    }

    let mut planned = Vec::new();
    for (at, mut row) in rows {
        let subject = Some(row.describe());
        let before = stored(row.record_type, &row.reference);
        if row.record_type == RecordType::Host {
            for (field, set) in [
                ("host", row.host.is_some()),
                ("remote_name", row.remote_name.is_some()),
                ("discovered", row.discovered),
            ] {
                if set {
                    add(
                        at,
                        subject.clone(),
                        format!("'{field}' is only for instances"),
                    );
                }
            }
        } else if row.api == ApiKind::ServerManagerV1 && row.remote_name.is_none() {
            // As `instance add` does: the folder on the server defaults to the ref.
            row.remote_name = Some(row.reference.clone());
        }
        // Known: Some(kind) checks the pairing; unknown hosts are reported here, and hosts whose
        // own row is bad are already reported, so both are checked as `instance add` does
        // before it opens the database.
        let host_kind = match &row.host {
            None => None,
            Some(h) => match file_hosts.get(h) {
                Some(Some(kind)) => Some(*kind),
                Some(None) => Some(ApiKind::ServerManagerV1),
                None => match stored(RecordType::Host, h) {
                    Some(e) => Some(e.api),
                    None => {
                        add(
                            at,
                            subject.clone(),
                            format!("host '{h}' is neither in the database nor in this file"),
                        );
                        Some(ApiKind::ServerManagerV1)
                    }
                },
            },
        };
        // The settings as they will be stored: a row without a token keeps the stored one.
        let mut effective = row.settings();
        if effective.token.is_none() {
            effective.token = before.and_then(|b| b.token.clone());
        }
        if let Err(e) = validate::settings(row.record_type, &effective, host_kind) {
            add(at, subject.clone(), e.to_string());
        }
        let (action, changed) = match before {
            None => (Action::Created, Vec::new()),
            Some(b) => {
                let changed = changed_fields(b, &row);
                let action = if changed.is_empty() {
                    Action::Unchanged
                } else {
                    Action::Updated
                };
                (action, changed)
            }
        };
        planned.push((
            at,
            Planned {
                row,
                action,
                changed,
            },
        ));
    }

    // A host changing kind must still suit the stored instances on it that the file leaves alone.
    for (at, p) in &planned {
        let r = &p.row;
        if r.record_type != RecordType::Host || !p.changed.contains(&"api") {
            continue;
        }
        for inst in existing.iter().filter(|e| {
            e.record_type == RecordType::Instance
                && e.host.as_deref() == Some(r.reference.as_str())
                && !first_line.contains_key(&(RecordType::Instance, e.reference.clone()))
        }) {
            if let Err(e) = validate::settings(RecordType::Instance, &inst.settings(), Some(r.api))
            {
                add(
                    *at,
                    Some(r.describe()),
                    format!(
                        "its instance '{}' (not in this file) would no longer fit: {e}",
                        inst.reference
                    ),
                );
            }
        }
    }

    if !problems.is_empty() {
        problems.sort_by_key(|p| p.at);
        return Err(problems);
    }
    let (hosts, instances): (Vec<_>, Vec<_>) = planned
        .into_iter()
        .map(|(_, p)| p)
        .partition(|p| p.row.record_type == RecordType::Host);
    Ok(hosts.into_iter().chain(instances).collect())
}

/// The names of the fields `new` changes in `old`. A token left out changes nothing.
fn changed_fields(old: &Row, new: &Row) -> Vec<&'static str> {
    let token_changes = new.token.is_some() && new.token != old.token;
    [
        ("label", old.label != new.label),
        ("api", old.api != new.api),
        ("url", old.url != new.url),
        ("token", token_changes),
        ("probe", old.probe != new.probe),
        ("enabled", old.enabled != new.enabled),
        ("insecure_tls", old.insecure_tls != new.insecure_tls),
        ("host", old.host != new.host),
        ("remote_name", old.remote_name != new.remote_name),
        ("discovered", old.discovered != new.discovered),
        ("disk_warn", old.disk_warn != new.disk_warn),
        ("disk_crit", old.disk_crit != new.disk_crit),
        ("cert_warn_days", old.cert_warn_days != new.cert_warn_days),
        ("cert_crit_days", old.cert_crit_days != new.cert_crit_days),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(r: &str) -> Row {
        Row {
            record_type: RecordType::Host,
            reference: r.into(),
            label: Some(format!("Server {r}, \"main\"")),
            api: ApiKind::ServerManagerV1,
            url: Some(format!("https://{r}.example.com/manager.php")),
            token: Some("s3cr3t".into()),
            probe: Vec::new(),
            enabled: true,
            insecure_tls: false,
            host: None,
            remote_name: None,
            discovered: false,
            disk_warn: Some(Threshold::Percent(85.5)),
            disk_crit: Some(Threshold::Bytes(5 << 30)),
            cert_warn_days: Some(30),
            cert_crit_days: None,
        }
    }

    fn instance(r: &str, on: Option<&str>) -> Row {
        Row {
            record_type: RecordType::Instance,
            reference: r.into(),
            label: None,
            api: if on.is_some() {
                ApiKind::ServerManagerV1
            } else {
                ApiKind::Custom
            },
            url: None,
            token: None,
            probe: if on.is_some() {
                Vec::new()
            } else {
                vec!["/bin/check".into(), "a \"quoted\" arg".into(), "x,y".into()]
            },
            enabled: false,
            insecure_tls: true,
            host: on.map(str::to_string),
            remote_name: on.map(|_| r.to_string()),
            discovered: on.is_some(),
            disk_warn: None,
            disk_crit: None,
            cert_warn_days: None,
            cert_crit_days: Some(3),
        }
    }

    fn rows_of(parsed: Vec<Parsed>) -> Vec<Row> {
        parsed
            .into_iter()
            .map(|p| p.row.expect("readable row"))
            .collect()
    }

    fn fleet() -> Vec<Row> {
        vec![
            host("srv1"),
            instance("garage", Some("srv1")),
            instance("own", None),
        ]
    }

    #[test]
    fn csv_and_json_read_back_what_they_write() {
        let rows = fleet();
        let csv = String::from_utf8(write_csv(&rows).expect("csv")).expect("utf-8");
        assert_eq!(rows_of(parse(&csv, Format::Csv).expect("parse")), rows);
        let json = serde_json::to_string_pretty(&rows).expect("json");
        assert_eq!(rows_of(parse(&json, Format::Json).expect("parse")), rows);
    }

    #[test]
    fn a_left_out_token_is_absent_in_json_and_empty_in_csv() {
        let mut row = host("srv1");
        row.token = None;
        let json = serde_json::to_value(&row).expect("json");
        assert!(json.get("token").is_none());
        assert_eq!(json["probe"], serde_json::json!([]));
        assert_eq!(json["disk_warn"], "85.5%");
        let csv = String::from_utf8(write_csv(&[row]).expect("csv")).expect("utf-8");
        let line = csv.lines().nth(1).expect("a row");
        assert!(line.contains("manager.php,,,true"), "{line}");
    }

    #[test]
    fn formats_are_told_by_extension_then_content() {
        assert_eq!(detect(Some("x.CSV"), "[]"), Format::Csv);
        assert_eq!(detect(Some("x.json"), "type,ref"), Format::Json);
        assert_eq!(detect(None, "\u{feff}  \n[{}]"), Format::Json);
        assert_eq!(detect(Some("fleet.txt"), "type,ref,api"), Format::Csv);
    }

    #[test]
    fn json_rows_know_their_line_and_place() {
        let text = "[\n  {\"type\": \"host\", \"ref\": \"a\",\n   \"api\": \"custom\", \"probe\": [\"x\"]},\n\n  {\"type\": \"host\", \"ref\": \"b\", \"api\": \"nope\"}, 7\n]";
        let parsed = parse(text, Format::Json).expect("parse");
        let at: Vec<Position> = parsed.iter().map(|p| p.at).collect();
        assert_eq!(
            at,
            [
                Position {
                    line: 2,
                    record: Some(1)
                },
                Position {
                    line: 5,
                    record: Some(2)
                },
                Position {
                    line: 5,
                    record: Some(3)
                },
            ]
        );
        assert!(parsed[0].row.is_ok());
        assert_eq!(parsed[1].ident, Some((RecordType::Host, "b".to_string())));
        assert!(parsed[2].row.is_err());
        let broken = parse("[\n{\"type\": }\n]", Format::Json).expect_err("bad JSON");
        assert_eq!(broken.at.line, 2);
    }

    #[test]
    fn csv_rows_know_their_line_even_after_a_multiline_cell() {
        let text = "type,ref,api,url,label\nhost,a,server-observer-v1,http://a/,\"two\nlines\"\ninstance,b,ping,http://b/\ninstance,c,ping,http://c/,,\n";
        let parsed = parse(text, Format::Csv).expect("parse");
        let lines: Vec<u64> = parsed.iter().map(|p| p.at.line).collect();
        assert_eq!(lines, [2, 4, 5]);
        assert_eq!(
            parsed[0].row.as_ref().map(|r| r.label.clone()),
            Ok(Some("two\nlines".into()))
        );
        // Unequal lengths are reported on their own line.
        assert!(parsed[1].row.is_err() && parsed[2].row.is_err());
        let unknown = parse("type,ref,api,colour\n", Format::Csv).expect_err("unknown column");
        assert!(unknown.message.contains("colour"), "{}", unknown.message);
        let lacking = parse("ref,api\n", Format::Csv).expect_err("no type");
        assert!(lacking.message.contains("'type'"), "{}", lacking.message);
    }

    #[test]
    fn every_field_error_of_a_row_is_kept() {
        let text = "type,ref,api,enabled,disk_warn,cert_warn_days,probe\nthing,x,pong,yes,101%,soon,[1]\n,,,,,,\n";
        let parsed = parse(text, Format::Csv).expect("parse");
        let errors = parsed[0].row.clone().expect_err("bad row");
        assert_eq!(errors.len(), 6, "{errors:?}");
        let missing = parsed[1].row.clone().expect_err("empty row");
        assert_eq!(
            missing,
            ["'type' is missing", "'ref' is missing", "'api' is missing"]
        );
    }

    fn parsed(rows: &[Row]) -> Vec<Parsed> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| Parsed {
                at: Position {
                    line: i as u64 + 2,
                    record: None,
                },
                ident: Some((r.record_type, r.reference.clone())),
                row: Ok(r.clone()),
            })
            .collect()
    }

    #[test]
    fn a_plan_puts_hosts_first_and_a_host_may_come_later_in_the_file() {
        let rows = [instance("garage", Some("srv1")), host("srv1")];
        let plan = plan(parsed(&rows), &[]).expect("valid");
        let order: Vec<(&str, Action)> = plan
            .iter()
            .map(|p| (p.row.reference.as_str(), p.action))
            .collect();
        assert_eq!(
            order,
            [("srv1", Action::Created), ("garage", Action::Created)]
        );
    }

    #[test]
    fn unchanged_updated_and_tokens_kept() {
        let existing = fleet();
        let mut rows = fleet();
        rows[0].token = None; // an export without tokens
        rows[2].label = Some("Own site".into());
        let plan = plan(parsed(&rows), &existing).expect("valid");
        let actions: Vec<(Action, Vec<&str>)> =
            plan.iter().map(|p| (p.action, p.changed.clone())).collect();
        assert_eq!(
            actions,
            [
                (Action::Unchanged, vec![]),
                (Action::Unchanged, vec![]),
                (Action::Updated, vec!["label"]),
            ]
        );
        let mut rows = fleet();
        rows[0].token = Some("new".into());
        let plan = super::plan(parsed(&rows), &existing).expect("valid");
        assert_eq!(plan[0].changed, ["token"]);
    }

    #[test]
    fn server_manager_instances_default_their_remote_name() {
        let mut garage = instance("garage", Some("srv1"));
        garage.remote_name = None;
        let plan = plan(parsed(&[host("srv1"), garage]), &[]).expect("valid");
        assert_eq!(plan[1].row.remote_name.as_deref(), Some("garage"));
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let mut bad_url = instance("shop", None);
        bad_url.api = ApiKind::Ping;
        bad_url.probe = Vec::new();
        bad_url.url = Some("ftp://shop/".into());
        let rows = [
            host("srv1"),
            bad_url,
            instance("garage", Some("ghost")),
            host("srv1"),
            instance("fine", Some("srv1")),
        ];
        let problems = plan(parsed(&rows), &[]).expect_err("invalid");
        let found: Vec<(u64, &str)> = problems
            .iter()
            .map(|p| (p.at.line, p.subject.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                (3, "instance 'shop'"),
                (4, "instance 'garage'"),
                (5, "host 'srv1'")
            ]
        );
        assert!(problems[0].message.contains("ftp"), "{problems:?}");
        assert!(problems[1].message.contains("ghost"), "{problems:?}");
        assert!(problems[2].message.contains("line 2"), "{problems:?}");
        assert_eq!(
            problems[1].to_string(),
            "line 4, instance 'garage': host 'ghost' is neither in the database nor in this file"
        );
    }

    #[test]
    fn a_host_whose_row_is_bad_is_not_reported_again_by_its_instances() {
        let mut rows = parsed(&[host("srv1"), instance("garage", Some("srv1"))]);
        rows[0].row = Err(vec!["'api' is missing".into()]);
        let problems = plan(rows, &[]).expect_err("invalid");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].at.line, 2);
    }

    #[test]
    fn host_fields_on_a_host_and_kind_changes_that_strand_stored_instances() {
        let mut h = host("srv1");
        h.remote_name = Some("x".into());
        let problems = plan(parsed(&[h]), &[]).expect_err("invalid");
        assert!(problems[0].message.contains("only for instances"));

        let existing = fleet();
        let mut h = host("srv1");
        h.api = ApiKind::ServerObserverV1;
        let problems = plan(parsed(&[h]), &existing).expect_err("invalid");
        assert!(
            problems[0].message.contains("instance 'garage'"),
            "{problems:?}"
        );
        // Moving the instance off in the same file makes it fine.
        let mut h = host("srv1");
        h.api = ApiKind::ServerObserverV1;
        let mut garage = instance("garage", None);
        garage.discovered = false;
        assert!(plan(parsed(&[h, garage]), &existing).is_ok());
    }

    #[test]
    fn a_stored_token_counts_when_checking_a_row() {
        // A server-manager instance may not have a token: one kept from the database counts.
        let mut shop = instance("shop", None);
        shop.api = ApiKind::Ping;
        shop.probe = Vec::new();
        shop.url = Some("https://shop/".into());
        shop.token = Some("t".into());
        let existing = vec![host("srv1"), shop];
        let moved = instance("shop", Some("srv1"));
        let problems = plan(parsed(&[moved]), &existing).expect_err("invalid");
        assert!(problems[0].message.contains("token"), "{problems:?}");
    }
}
