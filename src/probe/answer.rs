//! Pure helpers shared by the JSON kinds: finding the document in a PHP answer, classifying
//! answers that hold none, and reading values the lenient way PHP scripts need.

use serde_json::{Map, Value};

use crate::domain::model::Status;
use crate::domain::units::shorten;

/// Why an answer could not be used. The message never holds secrets: texts taken from a body
/// are scrubbed by the caller's `describe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    /// HTTP 200 with nothing in it: the script could not encode its answer.
    Empty,
    /// The script answered but refused the request's signature (its exact text).
    AuthRejected(String),
    /// `Wrong instance path : <folder>`: no Dolibarr under that name on the server.
    InstanceGone(String),
    /// A known plain-text refusal that is not about authentication (message ready to show).
    Refused(String),
    /// Not JSON: the body's first non-blank line (tags stripped, shortened).
    NotJson(String),
    /// A JSON document that the body ends in the middle of: the answer was cut short.
    Truncated,
    /// JSON, but not the document expected (what was wrong).
    Shape(String),
}

impl AnswerError {
    /// The status an answer like this gives the record that was checked.
    pub fn status(&self) -> Status {
        match self {
            AnswerError::InstanceGone(_) => Status::Missing,
            _ => Status::Error,
        }
    }

    pub fn message(&self) -> String {
        match self {
            AnswerError::Empty => "empty answer (the script could not encode its answer)".into(),
            AnswerError::AuthRejected(text) => auth_message(text),
            AnswerError::InstanceGone(_) => {
                "the server no longer has this instance (Wrong instance path)".into()
            }
            AnswerError::Refused(message) => message.clone(),
            AnswerError::NotJson(line) => format!("answer is not JSON: {line}"),
            AnswerError::Truncated => {
                "answer cut short: its JSON document ends before it is complete".into()
            }
            AnswerError::Shape(what) => what.clone(),
        }
    }
}

fn auth_message(text: &str) -> String {
    let why = match text {
        "Invalid hash" => {
            "the token is wrong, or this machine's clock is more than 3 minutes off the server's"
        }
        "Missing parameter" | "Missing token" => "it wants a signed request: set the token",
        "Invalid token configuration" => "no token is configured on the site's side",
        _ => "the token is wrong",
    };
    format!("the site answered but rejected the request: {why} ({text})")
}

/// Texts the scripts answer with instead of JSON when they refuse a request.
const AUTH_REJECTIONS: [&str; 5] = [
    "Invalid hash",
    "Missing parameter",
    "Invalid token configuration",
    "Missing token",
    "Invalid token",
];

const OTHER_REFUSALS: [(&str, &str); 3] = [
    (
        "Include of main fails",
        "the observer script is not inside a Dolibarr install (Include of main fails)",
    ),
    (
        "Missing instance name",
        "the server script got no instance name (Missing instance name)",
    ),
    (
        "Missing config file",
        "the server script is not configured (Missing config file)",
    ),
];

/// How many `{`/`[` positions are tried before giving up: noise before a document is a few
/// PHP warnings, not pages of brackets.
const MAX_JSON_STARTS: usize = 32;

/// The JSON document in `body`: skips noise before the first `{`/`[` that starts a complete
/// value, ignores trailing bytes after it. A body holding none is classified.
///
/// A bracket inside a value that failed to parse is not a document start: the inner objects of
/// a broken document are not documents. A value that the body ends in the middle of is a
/// document cut short, whatever follows it inside.
pub fn parse_json(body: &[u8]) -> Result<Value, AnswerError> {
    let mut tried = 0;
    // Starts before this offset lie inside a value that failed to parse.
    let mut resume = 0;
    for (start, byte) in body.iter().enumerate() {
        if start < resume || !matches!(byte, b'{' | b'[') {
            continue;
        }
        if tried == MAX_JSON_STARTS {
            break;
        }
        tried += 1;
        let rest = &body[start..];
        let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<Value>();
        match values.next() {
            Some(Ok(value)) => return Ok(value),
            Some(Err(error)) if error.is_eof() => return Err(AnswerError::Truncated),
            Some(Err(error)) => resume = start + error_offset(rest, &error).max(1),
            None => {}
        }
    }
    Err(classify_text(body))
}

/// Where in `json` a parse error was found: the offending byte, which may start a document.
fn error_offset(json: &[u8], error: &serde_json::Error) -> usize {
    // serde_json reports a 1-based line and the column just past the offending byte.
    let line_start: usize = json
        .split_inclusive(|byte| *byte == b'\n')
        .take(error.line().saturating_sub(1))
        .map(<[u8]>::len)
        .sum();
    (line_start + error.column().saturating_sub(1)).min(json.len())
}

/// What a body without JSON says.
pub fn classify_text(body: &[u8]) -> AnswerError {
    let text = String::from_utf8_lossy(body);
    let lines: Vec<String> = text
        .lines()
        .map(|line| collapse_spaces(&strip_tags(line)))
        .filter(|line| !line.is_empty())
        .collect();
    if lines.is_empty() {
        return AnswerError::Empty;
    }
    // A refusal may follow PHP warnings, so look at every line, not only the first.
    for line in &lines {
        if let Some(rejection) = AUTH_REJECTIONS.iter().find(|r| line == *r) {
            return AnswerError::AuthRejected((*rejection).to_string());
        }
        if let Some(path) = line.strip_prefix("Wrong instance path") {
            let path = path.trim_start().trim_start_matches(':').trim();
            return AnswerError::InstanceGone(path.to_string());
        }
        if let Some((_, message)) = OTHER_REFUSALS.iter().find(|(text, _)| line == text) {
            return AnswerError::Refused((*message).to_string());
        }
    }
    AnswerError::NotJson(shorten(&lines[0], MAX_LINE))
}

/// The first non-blank line of a body, tags stripped, shortened; None when there is none.
pub fn first_line(body: &[u8]) -> Option<String> {
    String::from_utf8_lossy(body)
        .lines()
        .map(|line| collapse_spaces(&strip_tags(line)))
        .find(|line| !line.is_empty())
        .map(|line| shorten(&line, MAX_LINE))
}

/// Longest line quoted from an answer.
pub const MAX_LINE: usize = 200;

/// Removes `<...>` tags and decodes the few entities PHP error pages use.
fn strip_tags(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---- Lenient value readers -------------------------------------------------------------------

/// The value at a path of object keys, if every step is an object holding the key.
pub fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(value, |current, key| current.as_object()?.get(*key))
}

/// An integer from a number or a numeric string (`30`, `"30"`, `"30.0"`). Fractions and
/// numbers outside the `i64` range (`12.5`, `2^64`, `1e300`) are unknown: a cast would
/// saturate them into a plausible-looking 8 EiB.
pub fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| number.as_f64().and_then(whole)),
        Value::String(text) => {
            let text = text.trim();
            text.parse::<i64>()
                .ok()
                .or_else(|| text.parse::<f64>().ok().and_then(whole))
        }
        _ => None,
    }
}

/// `f` as an `i64` when it is a whole number inside the range; None otherwise.
fn whole(f: f64) -> Option<i64> {
    // 2^63 is exact as a float (`i64::MAX as f64` rounds up to it), hence the open range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (f.is_finite() && f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)).then_some(f as i64)
}

/// A count (users): an integer that is not negative; anything else is unknown.
pub fn count(value: &Value) -> Option<i64> {
    integer(value).filter(|n| *n >= 0)
}

/// A number of any kind, from a number or a numeric string.
pub fn float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// A size: negative (`-1`, directory not found), missing or non-numeric is unknown.
pub fn size(value: Option<&Value>) -> Option<u64> {
    value.and_then(integer).and_then(|n| u64::try_from(n).ok())
}

/// PHP truthiness as the observer scripts send it: `true`, `"1"`, any other non-empty text and
/// non-zero numbers are true; `false`, `""`, `"0"`, `0`, `null` and a missing value are false.
pub fn flag(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(text)) => {
            let text = text.trim();
            !text.is_empty() && text != "0"
        }
        Some(Value::Number(number)) => number.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::Object(map)) => !map.is_empty(),
        Some(Value::Null) | None => false,
    }
}

/// Text for display: the first non-blank line of a string (banners and `php -v` output carry
/// several), or a number's digits; None for empty text, `null`, `false`, arrays and objects.
pub fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => s
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .map(str::to_string),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The entries of a PHP "object", which arrives as `[]` when empty.
pub fn entries(value: Option<&Value>) -> Option<&Map<String, Value>> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    match value? {
        Value::Object(map) => Some(map),
        Value::Array(items) if items.is_empty() => Some(EMPTY.get_or_init(Map::new)),
        _ => None,
    }
}

/// Bytes from a human size string as `server_info` sends it (`"49.09 GB"`), in powers of 1024.
pub fn human_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(text.len());
    let number: f64 = text[..split].replace(',', ".").parse().ok()?;
    let unit = text[split..].trim().to_ascii_uppercase();
    let power = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 1,
        "M" => 2,
        "G" => 3,
        "T" => 4,
        "P" => 5,
        "E" => 6,
        _ => return None,
    };
    let bytes = number * 1024f64.powi(power);
    // The store keeps sizes as SQLite integers (i64): a larger one could not be kept anyway.
    (bytes.is_finite() && bytes >= 0.0 && bytes < i64::MAX as f64).then(|| bytes.round() as u64)
}

/// A percentage from `"74.94 %"`, `"78"` or `78`; outside 0–100 it is nonsense, so unknown.
pub fn percent(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::String(text) => text.trim().trim_end_matches('%').trim().parse::<f64>().ok(),
        other => float(other),
    }
    .filter(|f| (0.0..=100.0).contains(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/",
                $name
            ))
        };
    }

    #[test]
    fn error_fixtures_classify() {
        assert_eq!(
            parse_json(fixture!("error-empty-body.txt")),
            Err(AnswerError::Empty)
        );
        assert_eq!(
            parse_json(fixture!("error-invalid-hash.txt")),
            Err(AnswerError::AuthRejected("Invalid hash".into()))
        );
        assert_eq!(
            parse_json(fixture!("error-missing-parameter.txt")),
            Err(AnswerError::AuthRejected("Missing parameter".into()))
        );
        assert_eq!(
            parse_json(fixture!("error-wrong-instance-path.txt")),
            Err(AnswerError::InstanceGone(
                "/home/client/old-demo/dolibarr/htdocs/".into()
            ))
        );
    }

    #[test]
    fn error_messages_are_clear() {
        let empty = AnswerError::Empty;
        assert_eq!(empty.status(), Status::Error);
        assert!(empty.message().contains("empty answer"));

        let hash = AnswerError::AuthRejected("Invalid hash".into());
        assert_eq!(hash.status(), Status::Error);
        let message = hash.message();
        assert!(message.contains("answered"), "{message}");
        assert!(message.contains("token"), "{message}");
        assert!(message.contains("clock"), "{message}");

        assert_eq!(
            AnswerError::InstanceGone("/x".into()).status(),
            Status::Missing
        );
        for text in AUTH_REJECTIONS {
            assert_eq!(
                classify_text(text.as_bytes()),
                AnswerError::AuthRejected(text.into())
            );
        }
        assert!(
            classify_text(b"Missing config file")
                .message()
                .contains("not configured")
        );
    }

    #[test]
    fn rejection_after_php_warning_is_still_a_rejection() {
        let body = b"<br />\n<b>Warning</b>: something in <b>x.php</b> on line <b>3</b><br />\nInvalid hash";
        assert_eq!(
            classify_text(body),
            AnswerError::AuthRejected("Invalid hash".into())
        );
    }

    #[test]
    fn other_text_gives_its_first_line_without_tags() {
        let body = b"\n\n<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function foo() in /x/get-data.php:12\nStack trace:";
        assert_eq!(
            parse_json(body),
            Err(AnswerError::NotJson(
                "Fatal error: Uncaught Error: Call to undefined function foo() in /x/get-data.php:12"
                    .into()
            ))
        );
        let long = "x".repeat(500);
        match classify_text(long.as_bytes()) {
            AnswerError::NotJson(line) => assert_eq!(line.chars().count(), MAX_LINE),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            classify_text(b"<html><body>\n</body></html>"),
            AnswerError::Empty
        );
    }

    #[test]
    fn noise_before_and_after_json_is_skipped() {
        let body = b"<br />\n<b>Warning</b>: Undefined array key \"HTTP_HOST\" in <b>x</b><br />\n{\"a\":1}\ntrailing <b>notice</b>";
        assert_eq!(parse_json(body), Ok(json!({"a": 1})));
        // A bracket in the noise that does not start a document is skipped too.
        let body = b"Notice: array to string [conversion] in x\n[\"one\",\"two\"]";
        assert_eq!(parse_json(body), Ok(json!(["one", "two"])));
    }

    #[test]
    fn a_document_cut_short_is_truncated_not_one_of_its_inner_objects() {
        let whole = fixture!("webobserver-instance.json");
        let half = &whole[..whole.len() / 2];
        assert_eq!(parse_json(half), Err(AnswerError::Truncated));
        assert_eq!(
            AnswerError::Truncated.message(),
            "answer cut short: its JSON document ends before it is complete"
        );
        // Cut, then a PHP fatal error: broken, and still none of its inner objects.
        let mut broken = half.to_vec();
        broken.extend_from_slice(b"\n<br />\n<b>Fatal error</b>: Allowed memory size exhausted");
        assert!(
            matches!(parse_json(&broken), Err(AnswerError::NotJson(_))),
            "{:?}",
            parse_json(&broken)
        );
        // A bracket in the noise right before the document does not hide it.
        assert_eq!(parse_json(b"Notice: x {{\"a\":1}"), Ok(json!({"a": 1})));
        // The price: noise ending in an unclosed bracket right before the document hides it.
        assert_eq!(parse_json(b"x [\n[1]"), Err(AnswerError::Truncated));
    }

    #[test]
    fn lenient_readers() {
        assert_eq!(integer(&json!("30")), Some(30));
        assert_eq!(integer(&json!(" 30 ")), Some(30));
        assert_eq!(integer(&json!(30)), Some(30));
        assert_eq!(integer(&json!(30.0)), Some(30));
        assert_eq!(integer(&json!("abc")), None);
        assert_eq!(integer(&json!(false)), None);

        assert!(flag(Some(&json!("1"))));
        assert!(flag(Some(&json!(true))));
        assert!(flag(Some(&json!("yes"))));
        assert!(!flag(Some(&json!(""))));
        assert!(!flag(Some(&json!("0"))));
        assert!(!flag(Some(&json!(null))));
        assert!(!flag(Some(&json!(false))));
        assert!(!flag(None));

        assert_eq!(size(Some(&json!(-1))), None);
        assert_eq!(size(Some(&json!("-1"))), None);
        assert_eq!(size(None), None);
        assert_eq!(size(Some(&json!("2764"))), Some(2764));
        assert_eq!(count(&json!(-1)), None);
        assert_eq!(count(&json!("-3")), None);
        assert_eq!(count(&json!("7")), Some(7));
        assert_eq!(count(&json!(0)), Some(0));

        assert_eq!(
            text(Some(&json!(
                "PHP 8.1.2 (cli)\nCopyright (c) The PHP Group\n"
            ))),
            Some("PHP 8.1.2 (cli)".into())
        );
        assert_eq!(text(Some(&json!(""))), None);
        assert_eq!(text(Some(&json!(false))), None);
        assert_eq!(text(Some(&json!(null))), None);
        assert_eq!(text(Some(&json!(12))), Some("12".into()));

        assert_eq!(entries(Some(&json!([]))).map(Map::len), Some(0));
        assert_eq!(entries(Some(&json!({"a": 1}))).map(Map::len), Some(1));
        assert!(entries(Some(&json!(["a"]))).is_none());

        let doc = json!({"a": {"b": {"c": 3}}});
        assert_eq!(at(&doc, &["a", "b", "c"]), Some(&json!(3)));
        assert_eq!(at(&doc, &["a", "x", "c"]), None);
    }

    #[test]
    fn human_sizes_are_powers_of_1024() {
        assert_eq!(human_size("49.09 GB"), Some(52_709_986_140));
        assert_eq!(human_size("12.30 GB"), Some(13_207_024_435));
        assert_eq!(human_size("512 B"), Some(512));
        assert_eq!(human_size("1 KB"), Some(1024));
        assert_eq!(human_size("2 MiB"), Some(2 * 1024 * 1024));
        assert_eq!(human_size("1.5 TB"), Some(1_649_267_441_664));
        assert_eq!(human_size("lots"), None);
        assert_eq!(human_size("3 parsecs"), None);
        assert_eq!(percent(Some(&json!("74.94 %"))), Some(74.94));
        assert_eq!(percent(Some(&json!(78))), Some(78.0));
        // A message quotes the percent: 1e308 would print 309 digits.
        assert_eq!(percent(Some(&json!(1e308))), None);
        assert_eq!(percent(Some(&json!("-5 %"))), None);
        assert_eq!(percent(Some(&json!("100"))), Some(100.0));
    }

    #[test]
    fn numbers_beyond_the_integer_range_or_not_whole_are_unknown() {
        let read = |text: &str| serde_json::from_str::<Value>(text).expect("JSON");
        for value in [
            read("18446744073709551616"), // 2^64
            read("18446744073709551615"), // u64::MAX
            read("9223372036854775808"),  // i64::MAX + 1
            json!(1e300),
            json!(-1e300),
            json!(12.5),
            json!("12.5"),
            json!("18446744073709551616"),
            json!("1e300"),
        ] {
            assert_eq!(integer(&value), None, "{value}");
            assert_eq!(size(Some(&value)), None, "{value}");
            assert_eq!(count(&value), None, "{value}");
        }
        assert_eq!(integer(&json!(i64::MAX)), Some(i64::MAX));
        assert_eq!(integer(&json!(i64::MIN)), Some(i64::MIN));
        assert_eq!(integer(&json!("1e3")), Some(1000));
        assert_eq!(integer(&json!(-4.0)), Some(-4));
        assert_eq!(human_size("8 EB"), None, "2^63 does not fit the store");
        assert_eq!(human_size("16 EB"), None);
        assert_eq!(human_size("7 EB"), Some(7 << 60));
    }
}
