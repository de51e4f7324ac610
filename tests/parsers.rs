//! Hostile input to every pure parser of answers: random bytes, JSON-alphabet soup, and the
//! fixtures mutated (byte flips, truncations, insertions, deletions, JSON tokens spliced in, JSON
//! values swapped for hostile ones or for each other). No parser may panic, and what it returns
//! and what it allocates must stay bounded by the size of its input.
//!
//! A counting allocator measures each parse's peak heap use on its own thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use webhost::domain::model::{Module, Reading, RecordType};
use webhost::probe::answer::{self, AnswerError, MAX_LINE};
use webhost::probe::kinds::{custom, server_manager, server_observer};
use webhost::probe::net::tls;

// ---- Peak heap use of one call, per thread ----------------------------------------------------

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    // `try_with`: allocations during thread teardown are not counted, and never panic.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            account(layout.size() as isize);
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            account(layout.size() as isize);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(pointer, layout) };
        account(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            account(new_size as isize - layout.size() as isize);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `f`'s result and the most heap it held at once beyond what was live before it.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get);
    (out, (peak - base).max(0) as usize)
}

/// What a parser may hold at once: a parsed JSON tree costs a few dozen bytes per input byte
/// (a 32-byte `Value` per one-byte `0`, B-tree nodes per object), plus a fixed amount.
fn heap_budget(input: &[u8]) -> usize {
    64 * input.len() + 64 * 1024
}

// ---- Inputs -----------------------------------------------------------------------------------

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $name
        )) as &[u8]
    };
}

const FIXTURES: &[&[u8]] = &[
    fixture!("webobserver-instance.json"),
    fixture!("serverobserver-legacy-check.txt"),
    fixture!("serverobserver-legacy-2018-check.json"),
    fixture!("instance-empty-modules.json"),
    fixture!("easya-instance-no-sizes.json"),
    fixture!("servermanager-server.json"),
    fixture!("servermanager-instances.json"),
    fixture!("servermanager-instance-garage-lefebvre.json"),
    fixture!("custom-probe-output.json"),
    fixture!("error-invalid-hash.txt"),
    fixture!("error-missing-parameter.txt"),
    fixture!("error-wrong-instance-path.txt"),
    fixture!("error-empty-body.txt"),
];

/// Bytes that matter to a JSON reader or to the text classifier.
const JSON_ALPHABET: &[u8] = b"{}[]\":,.-+0123456789eEtrufalsn \n\r\t\\/u<>b!";

/// Tokens spliced into a document.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"\\",
    b"null",
    b"true",
    b"-1",
    b"1e999",
    b"-0",
    b"18446744073709551616",
    b"\\u0000",
    b"\\ud800",
    b"\xff\xfe",
    b"<br />\n",
    b"Invalid hash",
    b"Wrong instance path : /x",
    b"\"module\":[]",
    b"\"dolibarr\":{}",
    b"\"size\":-1",
    b"\"active\":\"1\"",
    b"\"status\":\"online\"",
];

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Splice(usize, &'static [u8]),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Edit::Flip(at, mask)),
        1 => any::<usize>().prop_map(Edit::Truncate),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
        2 => (any::<usize>(), 1..64usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        3 => (any::<usize>(), select(TOKENS)).prop_map(|(at, token)| Edit::Splice(at, token)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let at = |i: usize| i % (bytes.len() + 1);
        match edit {
            Edit::Flip(i, mask) if !bytes.is_empty() => {
                let i = i % bytes.len();
                bytes[i] ^= mask;
            }
            Edit::Flip(..) => {}
            Edit::Truncate(n) => bytes.truncate(at(*n)),
            Edit::Insert(i, new) => {
                let i = at(*i);
                bytes.splice(i..i, new.iter().copied());
            }
            Edit::Delete(i, n) => {
                let i = at(*i);
                let end = (i + n).min(bytes.len());
                bytes.drain(i..end);
            }
            Edit::Splice(i, token) => {
                let i = at(*i);
                bytes.splice(i..i, token.iter().copied());
            }
        }
    }
    bytes
}

/// Values PHP scripts (or an attacker) might put where another was expected.
fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        select(vec![
            json!(null),
            json!(false),
            json!(true),
            json!([]),
            json!({}),
            json!(""),
            json!("0"),
            json!("1"),
            json!("-1"),
            json!(-1),
            json!(0),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1e308),
            json!(-1e308),
            json!(0.5),
            json!("1e400"),
            json!("99999999999999999999999"),
            json!("NaN"),
            json!(" 42 "),
            json!("49.09 GB"),
            json!("-3 TB"),
            json!("1e300 EB"),
            json!("74.94 %"),
            json!("0000-00-00 00:00:00"),
            json!("\n\n"),
            json!("x".repeat(5000)),
            json!(["a", 1, null, {"x": []}]),
            json!({"path": null, "size": "-1"}),
        ]),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        (1..200usize).prop_map(|depth| (0..depth).fold(json!(1), |inner, _| json!([inner]))),
    ]
}

/// Number of nodes of a JSON tree.
fn nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(nodes).sum(),
        Value::Object(map) => map.values().map(nodes).sum(),
        _ => 0,
    }
}

/// The node at preorder index `target`, if any.
fn nth<'a>(value: &'a Value, target: &mut usize) -> Option<&'a Value> {
    if *target == 0 {
        return Some(value);
    }
    *target -= 1;
    match value {
        Value::Array(items) => items.iter().find_map(|item| nth(item, target)),
        Value::Object(map) => map.values().find_map(|item| nth(item, target)),
        _ => None,
    }
}

/// Puts `replacement` at preorder index `target`; true once done.
fn replace_nth(value: &mut Value, target: &mut usize, replacement: &mut Option<Value>) -> bool {
    if *target == 0 {
        if let Some(new) = replacement.take() {
            *value = new;
        }
        return true;
    }
    *target -= 1;
    match value {
        Value::Array(items) => items
            .iter_mut()
            .any(|item| replace_nth(item, target, replacement)),
        Value::Object(map) => map
            .values_mut()
            .any(|item| replace_nth(item, target, replacement)),
        _ => false,
    }
}

/// The document of a JSON fixture (noise skipped), and the noise before it.
fn split_fixture(bytes: &[u8]) -> Option<(&[u8], Value)> {
    let start = bytes.iter().position(|b| matches!(b, b'{' | b'['))?;
    let value = serde_json::Deserializer::from_slice(&bytes[start..])
        .into_iter::<Value>()
        .next()?
        .ok()?;
    Some((&bytes[..start], value))
}

#[derive(Debug, Clone)]
enum Swap {
    /// Node `at` becomes the hostile value.
    Hostile(usize, Value),
    /// Node `at` becomes a copy of node `from`.
    Within(usize, usize),
}

fn swap_values(fixture: &[u8], swaps: &[Swap]) -> Vec<u8> {
    let Some((noise, mut doc)) = split_fixture(fixture) else {
        return fixture.to_vec();
    };
    for swap in swaps {
        let count = nodes(&doc);
        let (at, replacement) = match swap {
            Swap::Hostile(at, value) => (at, value.clone()),
            Swap::Within(at, from) => {
                let copy = nth(&doc, &mut (from % count)).cloned();
                (at, copy.expect("node in range"))
            }
        };
        replace_nth(&mut doc, &mut (at % count), &mut Some(replacement));
    }
    let mut out = noise.to_vec();
    out.extend_from_slice(&serde_json::to_vec(&doc).expect("serialize"));
    out
}

fn swap() -> impl Strategy<Value = Swap> {
    prop_oneof![
        3 => (any::<usize>(), hostile_value()).prop_map(|(at, value)| Swap::Hostile(at, value)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(at, from)| Swap::Within(at, from)),
    ]
}

/// Hostile answers: random bytes, JSON soup, byte-mutated and value-swapped fixtures.
fn hostile_answer() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..512),
        2 => prop::collection::vec(select(JSON_ALPHABET), 0..256),
        1 => select(FIXTURES).prop_map(<[u8]>::to_vec),
        5 => (select(FIXTURES), prop::collection::vec(edit(), 1..8))
            .prop_map(|(fixture, edits)| apply(fixture.to_vec(), &edits)),
        5 => (select(FIXTURES), prop::collection::vec(swap(), 1..4))
            .prop_map(|(fixture, swaps)| swap_values(fixture, &swaps)),
        2 => (select(FIXTURES), prop::collection::vec(swap(), 1..3), prop::collection::vec(edit(), 1..4))
            .prop_map(|(fixture, swaps, edits)| apply(swap_values(fixture, &swaps), &edits)),
    ]
}

/// 256 cases each, or as many as `PROPTEST_CASES` says (CI runs these again with 10,000):
/// proptest's default configuration reads it.
fn config() -> ProptestConfig {
    ProptestConfig::default()
}

// ---- Bounds on what comes out -----------------------------------------------------------------

/// Messages are for one line of a table: bounded whatever the input.
const MAX_MESSAGE: usize = MAX_LINE + 200;

fn check_error(error: &AnswerError, input: &[u8]) -> Result<(), TestCaseError> {
    let message = error.message();
    prop_assert!(message.chars().count() <= MAX_MESSAGE, "{message}");
    match error {
        AnswerError::NotJson(line) => prop_assert!(line.chars().count() <= MAX_LINE),
        // Text is read lossily: an invalid byte becomes U+FFFD, three bytes.
        AnswerError::InstanceGone(path) => prop_assert!(path.len() <= 3 * input.len()),
        AnswerError::AuthRejected(text) => prop_assert!(text.len() <= input.len()),
        _ => {}
    }
    Ok(())
}

fn check_modules(modules: &[Module], input: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(modules.len() <= input.len());
    let text: usize = modules
        .iter()
        .map(|m| {
            m.name.len()
                + m.version.as_ref().map_or(0, String::len)
                + m.source.as_ref().map_or(0, String::len)
                + m.editor.as_ref().map_or(0, String::len)
        })
        .sum();
    // Names of 2018 lists gain a `mod` prefix; nothing else grows.
    prop_assert!(text <= input.len() + 3 * modules.len());
    Ok(())
}

fn check_reading(reading: &Reading, input: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(reading.message.len() <= input.len() + MAX_MESSAGE);
    if let Some(modules) = &reading.modules {
        check_modules(modules, input)?;
    }
    for text in [&reading.dolibarr_version, &reading.last_login] {
        prop_assert!(text.as_ref().map_or(0, String::len) <= input.len());
    }
    if let Some(listed) = &reading.discovered {
        prop_assert!(listed.len() <= input.len());
        for instance in listed {
            prop_assert!(!instance.name.is_empty() && instance.name.len() <= input.len());
        }
    }
    Ok(())
}

// ---- The parsers ------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// The answer classifier: finding the document in a PHP answer, or saying what the body is.
    #[test]
    fn answer_classifier(body in hostile_answer()) {
        let ((parsed, classified, line), heap) = peak_heap(|| {
            (answer::parse_json(&body), answer::classify_text(&body), answer::first_line(&body))
        });
        prop_assert!(heap <= heap_budget(&body), "{heap} bytes for {} input bytes", body.len());
        match &parsed {
            Ok(value) => prop_assert!(nodes(value) <= body.len()),
            Err(error) => check_error(error, &body)?,
        }
        check_error(&classified, &body)?;
        prop_assert!(line.map_or(0, |l| l.chars().count()) <= MAX_LINE);
    }

    /// `server-observer-v1` documents, and the readings made from them.
    #[test]
    fn server_observer_instance(body in hostile_answer()) {
        let (parsed, heap) = peak_heap(|| server_observer::parse_instance(&body));
        prop_assert!(heap <= heap_budget(&body), "{heap} bytes for {} input bytes", body.len());
        match parsed {
            Ok(doc) => {
                if let Some(modules) = &doc.modules {
                    check_modules(modules, &body)?;
                }
                for text in [&doc.version, &doc.last_install, &doc.url, &doc.last_login] {
                    prop_assert!(text.as_ref().map_or(0, String::len) <= body.len());
                }
                check_reading(&doc.instance_reading(), &body)?;
                check_reading(&doc.host_reading(), &body)?;
                prop_assert!(doc.summary().len() <= body.len() + 100);
            }
            Err(error) => check_error(&error, &body)?,
        }
    }

    /// The server-manager server document.
    #[test]
    fn server_manager_server(body in hostile_answer()) {
        let (parsed, heap) = peak_heap(|| server_manager::parse_server(&body));
        prop_assert!(heap <= heap_budget(&body), "{heap} bytes for {} input bytes", body.len());
        match parsed {
            Ok(doc) => {
                for text in [&doc.php_version, &doc.mysql_version] {
                    prop_assert!(text.as_ref().map_or(0, String::len) <= body.len());
                }
                prop_assert!(doc.percent_used.is_none_or(f64::is_finite));
                prop_assert!(doc.disk_summary().len() <= 100);
                check_reading(&doc.host_reading(), &body)?;
            }
            Err(error) => check_error(&error, &body)?,
        }
    }

    /// The server-manager instance list.
    #[test]
    fn server_manager_instance_list(body in hostile_answer()) {
        let (parsed, heap) = peak_heap(|| server_manager::parse_instance_list(&body));
        prop_assert!(heap <= heap_budget(&body), "{heap} bytes for {} input bytes", body.len());
        match parsed {
            Ok(names) => {
                prop_assert!(names.len() <= body.len());
                for (i, name) in names.iter().enumerate() {
                    prop_assert!(!name.is_empty() && name.trim() == name);
                    // A number's digits may be longer than its JSON (`1e5` is 100000.0).
                    prop_assert!(name.len() <= body.len().max(32));
                    prop_assert!(!names[..i].contains(name), "repeated {name}");
                }
            }
            Err(error) => check_error(&error, &body)?,
        }
    }

    /// A custom probe's stdout, for a host and for an instance.
    #[test]
    fn custom_probe_output(body in hostile_answer()) {
        for record_type in [RecordType::Host, RecordType::Instance] {
            let (parsed, heap) = peak_heap(|| custom::parse_output(&body, record_type));
            prop_assert!(heap <= heap_budget(&body), "{heap} bytes for {} input bytes", body.len());
            match parsed {
                Ok(reading) => {
                    prop_assert!(reading.message.chars().count() <= MAX_MESSAGE);
                    check_reading(&reading, &body)?;
                    if record_type == RecordType::Instance {
                        prop_assert!(reading.discovered.is_none());
                    }
                }
                Err(reason) => prop_assert!(reason.chars().count() <= MAX_MESSAGE, "{reason}"),
            }
        }
    }

    /// The human sizes and percents of legacy `server_info` blocks (`"49.09 GB"`, `"74.94 %"`).
    #[test]
    fn human_sizes_and_percents(
        text in prop_oneof![
            ".{0,40}",
            "[ ]?[-+]?[0-9.,eE]{0,24}[ ]?[KMGTPEkmgtpeiB%]{0,3}[ ]?",
        ]
    ) {
        if let Some(bytes) = answer::human_size(&text) {
            // Only digits, dots and commas before the unit: never negative, never NaN.
            prop_assert!(text.trim().starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == ','));
            prop_assert!(bytes < u64::MAX);
        }
        let value = Value::from(text.as_str());
        prop_assert!(answer::percent(Some(&value)).is_none_or(f64::is_finite));
    }

    /// The certificate reader: a server's DER, mutated.
    #[test]
    fn certificate_not_after(der in hostile_certificate()) {
        let (parsed, heap) = peak_heap(|| tls::not_after(&der));
        prop_assert!(heap <= heap_budget(&der), "{heap} bytes for {} input bytes", der.len());
        if let Err(message) = parsed {
            prop_assert!(message.chars().count() <= MAX_MESSAGE, "{message}");
        }
    }
}

/// A real certificate (rcgen, self-signed), made once.
fn certificate() -> &'static [u8] {
    static DER: OnceLock<Vec<u8>> = OnceLock::new();
    DER.get_or_init(|| {
        let key = rcgen::KeyPair::generate().expect("key");
        let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        params.self_signed(&key).expect("self-sign").der().to_vec()
    })
}

fn hostile_certificate() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..512),
        1 => Just(()).prop_map(|()| certificate().to_vec()),
        6 => prop::collection::vec(edit(), 1..8).prop_map(|edits| apply(certificate().to_vec(), &edits)),
    ]
}

#[test]
fn the_fixtures_still_parse_through_the_harness() {
    // The mutations start from documents the parsers accept, so they probe the edges of valid
    // input, not only garbage.
    let (instance, heap) = peak_heap(|| server_observer::parse_instance(FIXTURES[0]));
    let instance = instance.expect("webobserver fixture parses");
    assert_eq!(instance.version.as_deref(), Some("18.0.4"));
    assert!(heap <= heap_budget(FIXTURES[0]), "{heap}");
    assert!(server_manager::parse_server(FIXTURES[5]).is_ok());
    assert_eq!(
        server_manager::parse_instance_list(FIXTURES[6]).map(|n| n.len()),
        Ok(4)
    );
    assert!(custom::parse_output(FIXTURES[8], RecordType::Host).is_ok());
    assert!(tls::not_after(certificate()).is_ok());
    // A value swap changes the document and keeps it JSON.
    let swapped = swap_values(FIXTURES[0], &[Swap::Hostile(1, json!([]))]);
    assert_ne!(swapped, FIXTURES[0]);
    assert!(serde_json::from_slice::<Value>(&swapped).is_ok());
}
