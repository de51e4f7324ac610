//! The hand-written form: a TOML file with comments, `[[host]]` and `[[instance]]` tables whose
//! keys are the export's columns (without `type`, which the table says), and a token given as
//! `token_file = "PATH"` or `token_env = "NAME"` so that the file can live in git without
//! secrets (the command reads them; this stays pure). See `examples/fleet.toml`.

use toml::{Table, Value};

use super::row::{COLUMNS, Fields, Parsed, Position, Problem, TokenFrom, file_problem, row_from};

/// The two arrays of tables a fleet file has.
const KINDS: [&str; 2] = ["host", "instance"];
/// Keys a TOML record takes besides the columns.
const TOKEN_KEYS: [&str; 2] = ["token_file", "token_env"];

pub(super) fn parse_toml(text: &str) -> Result<Vec<Parsed>, Problem> {
    let whole: Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map_or(1, |s| {
            text[..s.start.min(text.len())].matches('\n').count() as u64 + 1
        });
        file_problem(line, format!("not valid TOML: {}", e.message()))
    })?;
    if let Some(other) = whole.keys().find(|k| !KINDS.contains(&k.as_str())) {
        return Err(file_problem(
            1,
            format!("unknown table '{other}' (a fleet file has [[host]] and [[instance]] tables)"),
        ));
    }
    let mut parsed = Vec::new();
    for kind in KINDS {
        let Some(items) = whole.get(kind) else {
            continue;
        };
        let Value::Array(items) = items else {
            return Err(file_problem(
                1,
                format!("'{kind}' must be an array of tables: write [[{kind}]]"),
            ));
        };
        let lines = header_lines(text, kind);
        for (i, item) in items.iter().enumerate() {
            let at = Position {
                line: lines.get(i).copied().unwrap_or(0),
                record: None,
            };
            let Value::Table(table) = item else {
                return Err(file_problem(at.line, format!("[[{kind}]] must be a table")));
            };
            let fields = TomlFields { kind, table };
            let mut p = row_from(at, &fields);
            let token_from = token_source(table);
            match (&mut p.row, token_from) {
                (Ok(row), Ok(from)) if from.is_some() && row.token.is_some() => {
                    p.row = Err(vec![
                        "give one of token, token_file and token_env, not several".into(),
                    ]);
                }
                (Ok(row), Ok(from)) => row.token_from = from,
                (Ok(_), Err(e)) => p.row = Err(vec![e]),
                (Err(errors), Err(e)) => errors.push(e),
                (Err(_), Ok(_)) => {}
            }
            parsed.push(p);
        }
    }
    parsed.sort_by_key(|p| p.at.line);
    Ok(parsed)
}

fn token_source(table: &Table) -> Result<Option<TokenFrom>, String> {
    let text = |key: &str| match table.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(format!("'{key}' must be non-empty text")),
    };
    match (text("token_file")?, text("token_env")?) {
        (Some(_), Some(_)) => Err("give token_file or token_env, not both".into()),
        (Some(path), None) => Ok(Some(TokenFrom::File(path))),
        (None, Some(name)) => Ok(Some(TokenFrom::Env(name))),
        (None, None) => Ok(None),
    }
}

/// The line of each `[[kind]]` header, in order: where each record starts.
fn header_lines(text: &str, kind: &str) -> Vec<u64> {
    let header = format!("[[{kind}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.trim_start()
                .strip_prefix(&header)
                .map(str::trim_start)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
        })
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

struct TomlFields<'a> {
    kind: &'static str,
    table: &'a Table,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "text",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

impl Fields for TomlFields<'_> {
    fn text(&self, key: &str) -> Result<Option<String>, String> {
        if key == "type" {
            return Ok(Some(self.kind.to_string()));
        }
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            // A byte threshold may be written as a number.
            Some(Value::Integer(n)) if key.starts_with("disk_") => Ok(Some(n.to_string())),
            Some(v) => Err(format!("'{key}' must be text, not {}", type_name(v))),
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(v) => Err(format!(
                "'{key}' must be true or false, not {}",
                type_name(v)
            )),
        }
    }

    fn integer(&self, key: &str) -> Result<Option<i64>, String> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Integer(n)) => Ok(Some(*n)),
            Some(v) => Err(format!(
                "'{key}' must be a whole number, not {}",
                type_name(v)
            )),
        }
    }

    fn list(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(format!(
                        "'{key}' must be an array of text, not {}",
                        type_name(other)
                    )),
                })
                .collect::<Result<_, _>>()
                .map(Some),
            Some(v) => Err(format!(
                "'{key}' must be an array of text, not {}",
                type_name(v)
            )),
        }
    }

    fn unknown_keys(&self) -> Vec<String> {
        self.table
            .keys()
            .filter(|k| {
                k.as_str() == "type"
                    || !(COLUMNS.contains(&k.as_str()) || TOKEN_KEYS.contains(&k.as_str()))
            })
            .cloned()
            .collect()
    }
}

/// The records as a fleet file (`export --format toml`): a start for config as code. Fields
/// that are none are left out; everything else is written, so `import --sync` of the file
/// changes nothing.
pub fn write_toml(rows: &[super::Row]) -> anyhow::Result<Vec<u8>> {
    let mut out = String::from(
        "# webhost fleet file, written by `webhost export --format toml`.\n\
         # Edit it, then `webhost import --sync --dry-run FILE` to see the plan. A token may be\n\
         # given as token_file = \"PATH\" or token_env = \"NAME\" instead of token.\n",
    );
    for (kind, rt) in [
        ("host", crate::domain::model::RecordType::Host),
        ("instance", crate::domain::model::RecordType::Instance),
    ] {
        for row in rows.iter().filter(|r| r.record_type == rt) {
            let serde_json::Value::Object(fields) = serde_json::to_value(row)? else {
                anyhow::bail!("a record did not serialise as an object");
            };
            let mut table = Table::new();
            for (key, value) in fields {
                if key == "type" {
                    continue;
                }
                if let Some(v) = to_toml(value) {
                    table.insert(key, v);
                }
            }
            let mut wrapper = Table::new();
            wrapper.insert(kind.into(), Value::Array(vec![Value::Table(table)]));
            out.push('\n');
            out.push_str(&toml::to_string(&wrapper)?);
        }
    }
    Ok(out.into_bytes())
}

fn to_toml(value: serde_json::Value) -> Option<Value> {
    use serde_json::Value as J;
    match value {
        J::Null => None,
        J::Bool(b) => Some(Value::Boolean(b)),
        J::Number(n) => n.as_i64().map(Value::Integer),
        J::String(s) => Some(Value::String(s)),
        J::Array(items) => Some(Value::Array(
            items.into_iter().filter_map(to_toml).collect(),
        )),
        J::Object(_) => None,
    }
}
