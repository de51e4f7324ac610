//! The settings of one record as an export file holds them, and reading one row's fields
//! whatever the file's format.

use std::fmt;

use anyhow::Result;
use serde::{Serialize, Serializer};

use crate::domain::assertion::Assertions;
use crate::domain::model::Threshold;
use crate::domain::model::{ApiKind, Record, RecordType, Settings};
use crate::domain::secret::{redact, scrub};

/// The columns of a CSV export, and the keys of a JSON one, in order.
pub const COLUMNS: [&str; 25] = [
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
    "ca_file",
    "push",
    "push_grace",
    "expect_status",
    "expect_body",
    "reject_body",
    "max_response_ms",
    "method",
    "headers",
];

/// The file formats `export` writes and `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON array of objects.
    Json,
    /// A header row, then one row per record.
    Csv,
    /// `[[host]]` and `[[instance]]` tables, written by hand (import only).
    Toml,
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
    pub ca_file: Option<String>,
    /// Instances: fed by pushes.
    pub push: bool,
    /// Instances: seconds without a push before offline; None: the default.
    pub push_grace: Option<i64>,
    /// What the check asserts; in JSON its keys sit beside the others (none when empty).
    #[serde(flatten)]
    pub assertions: Assertions,
    /// A fleet file's `token_file` or `token_env`: where the command reads the token from.
    #[serde(skip)]
    pub token_from: Option<TokenFrom>,
}

fn threshold_text<S: Serializer>(t: &Option<Threshold>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_string()),
        None => s.serialize_none(),
    }
}

impl Row {
    /// A stored record's settings; the token, and the secrets of its URL and of any URL among
    /// its probe's arguments (a password, a key parameter: `secret::redact`), only when asked
    /// for.
    pub fn from_record(r: &Record, with_token: bool) -> Row {
        let s = &r.settings;
        Row {
            record_type: r.record_type,
            reference: s.reference.clone(),
            label: s.label.clone(),
            api: s.kind,
            url: s
                .url
                .as_deref()
                .map(|u| if with_token { u.to_string() } else { redact(u) }),
            token: s.token.clone().filter(|_| with_token),
            probe: s
                .probe
                .iter()
                .map(|arg| {
                    if with_token {
                        arg.clone()
                    } else {
                        scrub(arg, &[])
                    }
                })
                .collect(),
            enabled: s.enabled,
            insecure_tls: s.insecure_tls,
            host: r.host_ref.clone(),
            remote_name: s.remote_name.clone(),
            discovered: r.discovered,
            disk_warn: s.disk_warn,
            disk_crit: s.disk_crit,
            cert_warn_days: s.cert_warn_days,
            cert_crit_days: s.cert_crit_days,
            ca_file: s.ca_file.clone(),
            push: s.push,
            push_grace: s.push_grace,
            assertions: s.assertions.clone(),
            token_from: None,
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
            ca_file: self.ca_file.clone(),
            push: self.push,
            push_grace: self.push_grace,
            assertions: self.assertions.clone(),
        }
    }

    /// One CSV row, in `COLUMNS` order; an empty cell means none.
    pub(super) fn cells(&self) -> [String; 25] {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let thr = |v: Option<Threshold>| v.map(|t| t.to_string()).unwrap_or_default();
        let a = &self.assertions;
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
            text(&self.ca_file),
            self.push.to_string(),
            num(self.push_grace),
            {
                let codes: Vec<String> = a.expect_status.iter().map(u16::to_string).collect();
                codes.join(",")
            },
            text(&a.expect_body),
            text(&a.reject_body),
            num(a.max_response_ms.and_then(|ms| i64::try_from(ms).ok())),
            text(&a.method),
            if a.headers.is_empty() {
                String::new()
            } else {
                // A Vec<String> always serialises.
                serde_json::to_string(&a.headers).unwrap_or_default()
            },
        ]
    }

    pub(super) fn describe(&self) -> String {
        format!("{} '{}'", self.record_type, self.reference)
    }
}

/// Where a fleet file says a record's token is, so that the file holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenFrom {
    File(String),
    Env(String),
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

pub(super) fn file_problem(line: u64, message: String) -> Problem {
    Problem {
        at: Position { line, record: None },
        subject: None,
        message,
    }
}

/// Typed access to one row's fields, whatever the file format. None: absent or empty.
pub(super) trait Fields {
    fn text(&self, key: &str) -> Result<Option<String>, String>;
    fn boolean(&self, key: &str) -> Result<Option<bool>, String>;
    fn integer(&self, key: &str) -> Result<Option<i64>, String>;
    fn list(&self, key: &str) -> Result<Option<Vec<String>>, String>;
    /// Keys this row has that no column is named.
    fn unknown_keys(&self) -> Vec<String>;
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
pub(super) fn row_from(at: Position, f: &dyn Fields) -> Parsed {
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
    let ca_file = take(&mut errors, f.text("ca_file"));
    let push = take(&mut errors, f.boolean("push"));
    let push_grace = take(&mut errors, f.integer("push_grace"));
    let expect_status = take(
        &mut errors,
        f.text("expect_status").and_then(|t| {
            t.map(|t| {
                t.split(',')
                    .map(|c| {
                        c.trim()
                            .parse::<u16>()
                            .map_err(|_| format!("'expect_status': '{c}' is not an HTTP status"))
                    })
                    .collect::<Result<Vec<u16>, String>>()
            })
            .transpose()
        }),
    );
    let max_response_ms = take(
        &mut errors,
        f.integer("max_response_ms").and_then(|n| {
            n.map(|n| {
                u64::try_from(n).map_err(|_| "'max_response_ms' must be positive".to_string())
            })
            .transpose()
        }),
    );
    let assertions = Assertions {
        expect_status: expect_status.unwrap_or_default(),
        expect_body: take(&mut errors, f.text("expect_body")),
        reject_body: take(&mut errors, f.text("reject_body")),
        max_response_ms,
        method: take(&mut errors, f.text("method")),
        headers: take(&mut errors, f.list("headers")).unwrap_or_default(),
    };
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
            ca_file,
            push: push.unwrap_or(false),
            push_grace,
            assertions,
            token_from: None,
        }),
        _ => Err(errors),
    };
    Parsed { at, ident, row }
}
