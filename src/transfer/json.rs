//! The JSON form of an export: an array of objects, one per record.

use serde_json::{Map, Value};

use super::row::{COLUMNS, Fields, Parsed, Position, Problem, file_problem, row_from};

pub(super) fn parse_json(text: &str) -> Result<Vec<Parsed>, Problem> {
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
    // Counted on from the previous element, not from the start each time: a file of 50,000
    // records would otherwise be read 50,000 times over.
    let (mut counted_to, mut line) = (0, 1);
    let mut line_at = |i: usize| {
        line += bytes[counted_to..i].iter().filter(|b| **b == b'\n').count() as u64;
        counted_to = i;
        line
    };
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
