//! `server-manager-v1`: the server script. A host answers its partition's disk and lists its
//! instances; each instance is asked for by name through its host.

use std::collections::HashSet;

use std::time::{Duration, Instant};

use serde_json::Value;

use super::server_observer::instance_doc;
use super::{DocError, Fetched, fetch_document};
use crate::domain::assertion::Assertions;
use crate::domain::model::Status;
use crate::domain::model::{Discovered, Reading};
use crate::domain::units::{human_bytes, human_duration};
use crate::probe::Target;
use crate::probe::answer::{self, AnswerError, at, percent, size, text};
use crate::probe::net::http::Http;
use crate::probe::sign::{self, Signer};

/// The server document (no action).
#[derive(Debug, Clone, PartialEq)]
pub struct ServerDoc {
    pub bytes_total: Option<u64>,
    pub bytes_used: Option<u64>,
    pub bytes_left: Option<u64>,
    pub percent_used: Option<f64>,
    /// First line of `php -v`.
    pub php_version: Option<String>,
    /// First line of `mysql --version`.
    pub mysql_version: Option<String>,
}

/// Reads the server document from a raw answer.
pub fn parse_server(body: &[u8]) -> Result<ServerDoc, AnswerError> {
    server_doc(&answer::parse_json(body)?)
}

/// Reads the server document from parsed JSON.
pub fn server_doc(doc: &Value) -> Result<ServerDoc, AnswerError> {
    let is_server_doc = doc.get("space").is_some_and(Value::is_object)
        || (doc.is_object() && doc.get("apiversion").is_some() && doc.get("dolibarr").is_none());
    if !is_server_doc {
        return Err(AnswerError::Shape(
            "the answer is JSON but not a server-manager server document (no \"space\" block)"
                .into(),
        ));
    }
    let space = |key: &str| size(at(doc, &["space", key]));
    let bytes_total = space("bytes_total");
    let bytes_left = space("bytes_left");
    let bytes_used = space("bytes_used").or_else(|| Some(bytes_total?.saturating_sub(bytes_left?)));
    let percent_used = percent(at(doc, &["space", "percent_used"])).or_else(|| {
        let (used, total) = (bytes_used?, bytes_total?);
        (total > 0).then(|| (used as f64 * 100.0 / total as f64).round())
    });
    Ok(ServerDoc {
        bytes_total,
        bytes_used,
        bytes_left,
        percent_used,
        php_version: text(at(doc, &["php", "version"])),
        mysql_version: text(at(doc, &["mysql", "version"])),
    })
}

impl ServerDoc {
    /// `disk 380.66 GiB of 491.15 GiB used (78 %)`.
    pub fn disk_summary(&self) -> String {
        let percent = self
            .percent_used
            .map(|p| {
                if p.fract() == 0.0 {
                    format!(" ({p:.0} %)")
                } else {
                    format!(" ({p:.2} %)")
                }
            })
            .unwrap_or_default();
        match (self.bytes_used, self.bytes_total) {
            (Some(used), Some(total)) => format!(
                "disk {} of {} used{percent}",
                human_bytes(used),
                human_bytes(total)
            ),
            (Some(used), None) => format!("disk {} used{percent}", human_bytes(used)),
            _ => "disk unknown".to_string(),
        }
    }

    /// The host's reading before discovery: online with its partition's disk.
    pub fn host_reading(&self) -> Reading {
        Reading {
            disk_used: self.bytes_used,
            disk_total: self.bytes_total,
            ..Reading::new(Status::Online, self.disk_summary())
        }
    }
}

/// Reads the `get-all-instance` list from a raw answer.
pub fn parse_instance_list(body: &[u8]) -> Result<Vec<String>, AnswerError> {
    instance_list(&answer::parse_json(body)?)
}

/// The instance names of a `get-all-instance` answer: an array of names (numbers accepted,
/// PHP may encode a filtered array as an object keyed by index). Blanks and repeats dropped.
pub fn instance_list(value: &Value) -> Result<Vec<String>, AnswerError> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => map.values().collect(),
        _ => {
            return Err(AnswerError::Shape(
                "the answer is JSON but not a list of instance names".into(),
            ));
        }
    };
    let mut names: Vec<String> = Vec::with_capacity(items.len());
    // The server decides the list's length: a set keeps the repeat check constant-time.
    let mut seen: HashSet<String> = HashSet::with_capacity(items.len());
    for item in items {
        let name = match item {
            Value::String(name) => name.trim().to_string(),
            Value::Number(number) => number.to_string(),
            _ => {
                return Err(AnswerError::Shape(
                    "the answer is JSON but not a list of instance names".into(),
                ));
            }
        };
        if !name.is_empty() && !seen.contains(&name) {
            seen.insert(name.clone());
            names.push(name);
        }
    }
    Ok(names)
}

/// `<host url>?action=get-info-instance&instance_name=<name>&hash=..&time=..`.
fn info_url(host_url: &str, name: &str, signer: &mut Signer) -> String {
    let url = sign::with_query(
        host_url,
        &[("action", "get-info-instance"), ("instance_name", name)],
    );
    signer.sign(&url)
}

/// What asking the server about one instance gave.
fn instance_reading(fetched: &Fetched) -> Result<(Reading, Option<String>), DocError> {
    let document = fetched.document.as_ref().map_err(Clone::clone)?;
    let doc = instance_doc(document).map_err(DocError::Answer)?;
    let reading = Reading {
        http_status: fetched.http_status,
        response_ms: fetched.response_ms,
        ..doc.instance_reading()
    };
    Ok((reading, doc.url))
}

/// The reading of a request to the server script that failed. The script checks the hash
/// only, with no time window (only WebObserver has one): a rejection blames the token alone.
fn failed(fetched: &Fetched, error: &DocError) -> Reading {
    let mut reading = fetched.failed(error);
    if let DocError::Answer(AnswerError::AuthRejected(text)) = error {
        reading.message = auth_message(text);
    }
    reading
}

/// A rejection by the server script, which has no clock window.
fn auth_message(text: &str) -> String {
    let why = match text {
        "Missing parameter" | "Missing token" => "it wants a signed request: set the host's token",
        _ => "the host's token is wrong",
    };
    format!("the server answered but rejected the request: {why} ({text})")
}

/// The message of a failed step of the host's check.
fn error_message(error: &DocError) -> String {
    match error {
        DocError::Answer(AnswerError::AuthRejected(text)) => auth_message(text),
        _ => error.message(),
    }
}

/// Consecutive unreachable instances after which the rest are not asked: the server is gone,
/// and each further request would only wait for its own timeout.
pub const GIVE_UP_AFTER: usize = 2;

/// A host's check up to its instance list.
#[derive(Debug)]
pub enum HostList {
    /// Finished: the server document or the list failed, or there is nothing to read.
    Done(Reading),
    /// Listed, with instances left to read, each one request to the server.
    Listed(Listing),
}

/// A host's server document and list, and its instances as they are read.
#[derive(Debug)]
pub struct Listing {
    /// The host's own reading: online, its disk and its server document's HTTP facts.
    host: Reading,
    disk: String,
    /// One entry per listed name, in the list's order; None until read.
    entries: Vec<Option<Discovered>>,
    /// Names already known (or removed) under the host: listed, left to update-instances.
    known: usize,
    /// Indexes of `entries` to read.
    pub to_read: Vec<usize>,
    started: Instant,
    /// What the whole check may take, once `bound` set it.
    budget: Option<Duration>,
}

impl Listing {
    /// Bounds the whole check by `host_budget` and returns when it ends.
    pub fn bound(&mut self, timeout: Duration, per_host: usize) -> (Instant, Duration) {
        let budget = host_budget(timeout, self.to_read.len(), per_host);
        self.budget = Some(budget);
        (self.started + budget, budget)
    }

    /// The name of entry `index`.
    pub fn name(&self, index: usize) -> &str {
        self.entries
            .get(index)
            .and_then(|e| e.as_ref())
            .map_or("", |d| d.name.as_str())
    }

    /// Stores what reading entry `index` gave.
    pub fn set(&mut self, index: usize, entry: Discovered) {
        if let Some(slot) = self.entries.get_mut(index) {
            *slot = Some(entry);
        }
    }

    /// The host's reading once its instances are read; `timeout` is the pass's, for the
    /// message of those the check had no time left for.
    pub fn finish(self, timeout: Duration) -> Reading {
        let Listing {
            mut host,
            disk,
            entries,
            known,
            started,
            budget,
            ..
        } = self;
        let budget = budget.unwrap_or(timeout);
        let discovered: Vec<Discovered> = entries.into_iter().flatten().collect();
        let listed = discovered.len();
        let unknown = |d: &&Discovered| {
            d.reading
                .as_ref()
                .is_some_and(|r| r.status == Status::Unknown)
        };
        let not_asked = discovered.iter().filter(unknown).count() - known;
        let with_dolibarr = discovered
            .iter()
            .filter(|d| {
                d.reading
                    .as_ref()
                    .is_some_and(|r| r.status == Status::Online)
            })
            .count();
        let gone = discovered.iter().filter(|d| d.reading.is_none()).count();
        let failed = listed - known - with_dolibarr - gone - not_asked;
        let mut message = format!("{disk}; {listed} instances listed");
        if known > 0 {
            message.push_str(&format!(", {known} already known"));
        }
        if known < listed {
            message.push_str(&format!(", {with_dolibarr} answering"));
        }
        if gone > 0 {
            message.push_str(&format!(", {gone} without Dolibarr"));
        }
        if failed > 0 {
            message.push_str(&format!(", {failed} failing"));
        }
        if not_asked > 0 {
            message.push_str(&format!(
                ", {not_asked} not asked (the check used its whole {})",
                human_duration(budget)
            ));
        }
        host.message = message;
        // What the host's check took, its instances included.
        host.response_ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        host.discovered = Some(discovered);
        host
    }
}

/// The entry of a listed instance the check (bounded by `budget`) had no time left to ask.
pub fn not_asked(name: &str, budget: Duration) -> Discovered {
    Discovered {
        name: name.to_string(),
        url: None,
        // Listed, so it exists, but unchecked this time: it keeps the state it had (an
        // `unknown` reading stores no check).
        reading: Some(Reading::new(
            Status::Unknown,
            format!(
                "not asked: the host's check used its whole {}",
                human_duration(budget)
            ),
        )),
    }
}

/// The entry of a listed instance not asked because the server stopped answering.
pub fn given_up(name: &str, why: &str) -> Discovered {
    Discovered {
        name: name.to_string(),
        url: None,
        reading: Some(Reading::new(
            Status::Offline,
            format!("not asked: the server stopped answering ({why})"),
        )),
    }
}

/// Checks a host up to its instance list, signing with `signer`. The names in `known` (its
/// instances not flagged missing, and those the user removed) are listed but not read:
/// update-instances reads those, so that each instance is fetched once per cron cycle.
pub fn list_host(
    http: &Http,
    target: &Target,
    known: &HashSet<String>,
    signer: &mut Signer,
) -> HostList {
    let Some(url) = target.url.as_deref() else {
        return HostList::Done(Reading::new(Status::Error, "no URL to check"));
    };
    let signed = signer.signs();
    let started = Instant::now();
    // The server document and the list share one timeout; each round of reads gets its own.
    let deadline = Some(started + http.timeout());

    // The server document needs no signature.
    let fetched = fetch_document(
        http,
        url,
        target.verify(),
        false,
        deadline,
        &target.assertions,
    );
    let server = fetched
        .document
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|doc| server_doc(doc).map_err(DocError::Answer));
    let server = match server {
        Ok(server) => server,
        Err(error) => return HostList::Done(host_failure(failed(&fetched, &error))),
    };
    let mut host = Reading {
        http_status: fetched.http_status,
        response_ms: fetched.response_ms,
        ..server.host_reading()
    };
    let disk = server.disk_summary();

    let list_url = signer.sign(&sign::with_query(url, &[("action", "get-all-instance")]));
    let fetched = fetch_document(
        http,
        &list_url,
        target.verify(),
        signed,
        deadline,
        &Assertions::default(),
    );
    let names = fetched
        .document
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|doc| instance_list(doc).map_err(DocError::Answer));
    let names = match names {
        Ok(names) => names,
        Err(error) => {
            // The server document was fine: its disk reading stays in the host's reading.
            host.status = match error.status() {
                Status::Missing => Status::Error,
                status => status,
            };
            host.message = format!("{disk}; instance list: {}", error_message(&error));
            return HostList::Done(host);
        }
    };
    if names.is_empty() {
        // The script also answers [] when its instances folder is misconfigured: no proof that
        // every instance vanished, so no discovery.
        host.status = Status::Error;
        host.message = format!("server lists no instances; {disk}");
        return HostList::Done(host);
    }
    let mut entries = Vec::with_capacity(names.len());
    let mut to_read = Vec::new();
    for (index, name) in names.into_iter().enumerate() {
        let reading = known
            .contains(&name)
            .then(|| Reading::new(Status::Unknown, "listed; update-instances reads it"));
        if reading.is_none() {
            to_read.push(index);
        }
        entries.push(Some(Discovered {
            name,
            url: None,
            reading,
        }));
    }
    let known = entries.len() - to_read.len();
    let mut listing = Listing {
        host,
        disk,
        entries,
        known,
        to_read,
        started,
        budget: None,
    };
    // Placeholders until read, so a name is never taken for "no Dolibarr there".
    for &index in &listing.to_read {
        if let Some(Some(entry)) = listing.entries.get_mut(index) {
            entry.reading = Some(Reading::new(Status::Unknown, "not read"));
        }
    }
    if listing.to_read.is_empty() {
        return HostList::Done(listing.finish(http.timeout()));
    }
    HostList::Listed(listing)
}

/// Reads one listed instance by name through its host's script, within `deadline`.
pub fn read_listed(
    http: &Http,
    target: &Target,
    name: &str,
    signer: &mut Signer,
    (deadline, budget): (Instant, Duration),
) -> Discovered {
    let entry = |url, reading| Discovered {
        name: name.to_string(),
        url,
        reading,
    };
    let Some(url) = target.url.as_deref() else {
        return entry(None, Some(Reading::new(Status::Error, "no URL to check")));
    };
    if Instant::now() >= deadline {
        return not_asked(name, budget);
    }
    let signed = signer.signs();
    let fetched = fetch_document(
        http,
        &info_url(url, name, signer),
        target.verify(),
        signed,
        Some(deadline),
        &Assertions::default(),
    );
    match instance_reading(&fetched) {
        Ok((reading, instance_url)) => entry(instance_url, Some(reading)),
        // No Dolibarr in that folder: never create it, flag an existing record missing.
        Err(DocError::Answer(AnswerError::InstanceGone(_))) => entry(None, None),
        Err(error) => entry(None, Some(failed(&fetched, &error))),
    }
}

/// How long a host's check may take in all: one timeout for its server document and list,
/// then one per round of `per_host` reads at once, as many rounds as it has reads to make.
/// Each read is held to the timeout anyway: the budget stops the reads a busy pool could not
/// start in time.
pub fn host_budget(timeout: Duration, reads: usize, per_host: usize) -> Duration {
    let rounds = reads.div_ceil(per_host.max(1));
    timeout.saturating_mul(u32::try_from(rounds).unwrap_or(u32::MAX).saturating_add(1))
}

/// Checks a host on its own (`check --live`, outside a pass): its server document, its list,
/// then every listed instance one after another, signing with `signer`.
pub fn probe_host(http: &Http, target: &Target, signer: &mut Signer) -> Reading {
    let mut listing = match list_host(http, target, &HashSet::new(), signer) {
        HostList::Done(reading) => return reading,
        HostList::Listed(listing) => listing,
    };
    let bound = listing.bound(http.timeout(), 1);
    let mut unreachable_in_a_row = 0;
    let mut last_unreachable = String::new();
    for index in listing.to_read.clone() {
        let name = listing.name(index).to_string();
        let entry = if unreachable_in_a_row >= GIVE_UP_AFTER {
            given_up(&name, &last_unreachable)
        } else {
            let entry = read_listed(http, target, &name, signer, bound);
            match entry.reading.as_ref().map(|r| (r.status, &r.message)) {
                Some((Status::Offline, message)) => {
                    unreachable_in_a_row += 1;
                    last_unreachable = message.clone();
                }
                _ => unreachable_in_a_row = 0,
            }
            entry
        };
        listing.set(index, entry);
    }
    listing.finish(http.timeout())
}

/// A host whose server document failed: `Missing` is for instances only.
fn host_failure(mut reading: Reading) -> Reading {
    if reading.status == Status::Missing {
        reading.status = Status::Error;
    }
    reading
}

/// Checks one instance by name through its host's script, signing with `signer`.
pub fn probe_instance(http: &Http, target: &Target, signer: &mut Signer) -> Reading {
    let Some(url) = target.url.as_deref() else {
        return Reading::new(Status::Error, "no host URL to ask this instance through");
    };
    let Some(name) = target.remote_name.as_deref() else {
        return Reading::new(
            Status::Error,
            "no name on the server recorded for this instance",
        );
    };
    let fetched = fetch_document(
        http,
        &info_url(url, name, signer),
        target.verify(),
        signer.signs(),
        None,
        &target.assertions,
    );
    match instance_reading(&fetched) {
        Ok((reading, _)) => reading,
        Err(DocError::Answer(AnswerError::InstanceGone(_))) => Reading::with_http(
            Status::Missing,
            "the server no longer has this instance (Wrong instance path)",
            fetched.http_status,
            fetched.response_ms,
        ),
        Err(error) => failed(&fetched, &error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ApiKind, RecordType};
    use crate::probe::Settings;
    use serde_json::json;
    use std::thread;
    use tiny_http::{Response, Server};

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
    fn server_document() {
        let doc = parse_server(fixture!("servermanager-server.json")).expect("parses");
        assert_eq!(doc.bytes_total, Some(527_371_075_584));
        assert_eq!(doc.bytes_used, Some(408_728_190_976));
        assert_eq!(doc.bytes_left, Some(118_642_884_608));
        assert_eq!(doc.percent_used, Some(78.0));
        assert_eq!(
            doc.php_version.as_deref(),
            Some("PHP 8.1.2-1ubuntu2.19 (cli) (built: Sep 30 2024 16:25:25) (NTS)")
        );
        assert_eq!(
            doc.mysql_version.as_deref(),
            Some(
                "mysql  Ver 15.1 Distrib 10.6.18-MariaDB, for debian-linux-gnu (x86_64) using  EditLine wrapper"
            )
        );
        let reading = doc.host_reading();
        assert_eq!(reading.status, Status::Online);
        assert_eq!(reading.disk_total, Some(527_371_075_584));
        assert_eq!(reading.disk_used, Some(408_728_190_976));
        assert_eq!(reading.message, "disk 380.66 GiB of 491.15 GiB used (78 %)");
    }

    #[test]
    fn server_document_lenient() {
        let doc = server_doc(&json!({
            "apiversion": "2.0",
            "space": {"bytes_total": "1000", "bytes_left": "250", "bytes_used": -1},
            "php": {"version": null},
            "mysql": {"version": null}
        }))
        .expect("parses");
        assert_eq!(doc.bytes_used, Some(750));
        assert_eq!(doc.percent_used, Some(75.0));
        assert_eq!((doc.php_version, doc.mysql_version), (None, None));
        assert!(matches!(
            parse_server(fixture!("servermanager-instance-garage-lefebvre.json")),
            Err(AnswerError::Shape(_))
        ));
    }

    #[test]
    fn instance_names() {
        assert_eq!(
            parse_instance_list(fixture!("servermanager-instances.json")).expect("parses"),
            [
                "boulangerie-martin",
                "cabinet-durand",
                "garage-lefebvre",
                "old-demo"
            ]
        );
        assert_eq!(
            instance_list(&json!({"0": "a", "2": "b", "3": 42})).expect("parses"),
            ["a", "b", "42"]
        );
        assert_eq!(
            instance_list(&json!(["a", " ", "a", "b"])).expect("parses"),
            ["a", "b"]
        );
        assert_eq!(
            instance_list(&json!([])).expect("parses"),
            Vec::<String>::new()
        );
        assert!(instance_list(&json!("a")).is_err());
        assert!(instance_list(&json!([{"name": "a"}])).is_err());
        assert_eq!(
            parse_instance_list(fixture!("error-invalid-hash.txt")),
            Err(AnswerError::AuthRejected("Invalid hash".into()))
        );
    }

    #[test]
    fn repeated_names_keep_their_first_place() {
        // Repeats far apart, after trimming, and a number repeating a text name: the first
        // place wins, so the order is neither sorted nor that of the last occurrence.
        assert_eq!(
            instance_list(&json!(["b", "a", "b", " a ", "c", 3, "3", "c", "a"])).expect("parses"),
            ["b", "a", "c", "3"]
        );
        let many: Vec<String> = (0..1000).map(|i| format!("n{}", (i * 7) % 500)).collect();
        let expected: Vec<String> = (0..500).map(|i| format!("n{}", (i * 7) % 500)).collect();
        assert_eq!(instance_list(&json!(many)).expect("parses"), expected);
    }

    #[test]
    fn instance_query_is_encoded_and_signed() {
        let url = info_url(
            "https://srv.example/manager.php",
            "a b&c",
            &mut Signer::new(Some("s3cr3t-T0ken")),
        );
        let (before, after) = url.split_once("&hash=").expect("signed");
        assert_eq!(
            before,
            "https://srv.example/manager.php?action=get-info-instance&instance_name=a%20b%26c"
        );
        assert!(after.contains("&time="));
    }

    /// A fake server script checking every signed request against `token`.
    fn fake_server(
        token: &'static str,
        list: &'static [u8],
        requests: usize,
    ) -> (String, thread::JoinHandle<Vec<String>>) {
        let server = Server::http("127.0.0.1:0").expect("bind");
        let port = server.server_addr().to_ip().expect("ip").port();
        let handle = thread::spawn(move || {
            let mut seen = Vec::new();
            for request in server.incoming_requests().take(requests) {
                let url = request.url().to_string();
                let query: Vec<(String, String)> = url
                    .split_once('?')
                    .map(|(_, q)| q)
                    .unwrap_or("")
                    .split('&')
                    .filter_map(|pair| pair.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                let get = |key: &str| {
                    query
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v.as_str())
                };
                let signed_ok = match (get("hash"), get("time").and_then(|t| t.parse().ok())) {
                    (Some(hash), Some(time)) => hash == sign::signature(token, time),
                    _ => false,
                };
                let body: Vec<u8> = match get("action") {
                    None => fixture!("servermanager-server.json").to_vec(),
                    Some(_) if !signed_ok => b"Invalid hash".to_vec(),
                    Some("get-all-instance") => list.to_vec(),
                    Some("get-info-instance") => match get("instance_name") {
                        Some("garage-lefebvre") => {
                            fixture!("servermanager-instance-garage-lefebvre.json").to_vec()
                        }
                        Some("old-demo") => fixture!("error-wrong-instance-path.txt").to_vec(),
                        Some("cabinet-durand") => b"".to_vec(),
                        _ => fixture!("serverobserver-legacy-check.txt").to_vec(),
                    },
                    Some(_) => b"unknown action".to_vec(),
                };
                seen.push(url);
                let _ = request.respond(Response::from_data(body));
            }
            seen
        });
        (format!("http://127.0.0.1:{port}/manager.php"), handle)
    }

    fn signer(token: &'static str) -> Signer<'static> {
        Signer::new(Some(token))
    }

    fn host_target(url: &str, token: &str) -> Target {
        Target {
            record_type: RecordType::Host,
            reference: "srv1".into(),
            kind: ApiKind::ServerManagerV1,
            url: Some(url.into()),
            token: Some(token.into()),
            remote_name: None,
            probe: Vec::new(),
            insecure_tls: false,
            ca_file: None,
            host: None,
            assertions: Default::default(),
        }
    }

    #[test]
    fn host_discovers_its_instances() {
        let (url, server) = fake_server("tok-123", fixture!("servermanager-instances.json"), 6);
        let http = Http::new(&Settings::default());
        let reading = probe_host(&http, &host_target(&url, "tok-123"), &mut signer("tok-123"));
        let seen = server.join().expect("server thread");

        assert_eq!(reading.status, Status::Online);
        assert_eq!(reading.http_status, Some(200));
        assert_eq!(reading.disk_used, Some(408_728_190_976));
        assert_eq!(reading.disk_total, Some(527_371_075_584));
        assert_eq!(
            reading.message,
            "disk 380.66 GiB of 491.15 GiB used (78 %); 4 instances listed, 2 answering, \
             1 without Dolibarr, 1 failing"
        );
        let discovered = reading.discovered.expect("discovery happened");
        let summary: Vec<(&str, Option<Status>)> = discovered
            .iter()
            .map(|d| (d.name.as_str(), d.reading.as_ref().map(|r| r.status)))
            .collect();
        assert_eq!(
            summary,
            [
                ("boulangerie-martin", Some(Status::Online)),
                ("cabinet-durand", Some(Status::Error)),
                ("garage-lefebvre", Some(Status::Online)),
                ("old-demo", None),
            ]
        );
        let garage = discovered[2].reading.as_ref().expect("reading");
        assert_eq!(garage.dolibarr_version.as_deref(), Some("19.0.3"));
        assert_eq!(garage.disk_used, Some(5_905_580_032));
        assert_eq!(
            discovered[2].url.as_deref(),
            Some("https://garage-lefebvre.example-hosting.fr/")
        );
        let durand = discovered[1].reading.as_ref().expect("reading");
        assert!(
            durand.message.contains("empty answer"),
            "{}",
            durand.message
        );

        assert_eq!(seen.len(), 6);
        assert_eq!(seen[0], "/manager.php");
        assert!(seen[1].starts_with("/manager.php?action=get-all-instance&hash="));
        assert!(
            seen[5]
                .starts_with("/manager.php?action=get-info-instance&instance_name=old-demo&hash=")
        );
        assert!(!reading.message.contains("tok-123"));
    }

    #[test]
    fn wrong_token_stops_at_the_list() {
        let (url, server) = fake_server("right", fixture!("servermanager-instances.json"), 2);
        let http = Http::new(&Settings::default());
        let reading = probe_host(&http, &host_target(&url, "wrong"), &mut signer("wrong"));
        server.join().expect("server thread");
        assert_eq!(reading.status, Status::Error);
        assert_eq!(reading.discovered, None);
        assert_eq!(reading.disk_used, Some(408_728_190_976));
        assert!(
            reading.message.contains("Invalid hash"),
            "{}",
            reading.message
        );
        // The server script has no time window: only the token can be wrong.
        assert!(!reading.message.contains("clock"), "{}", reading.message);
        assert!(
            reading.message.contains("token is wrong"),
            "{}",
            reading.message
        );
    }

    #[test]
    fn empty_list_is_no_proof() {
        let (url, server) = fake_server("tok", b"[]", 2);
        let http = Http::new(&Settings::default());
        let reading = probe_host(&http, &host_target(&url, "tok"), &mut signer("tok"));
        server.join().expect("server thread");
        assert_eq!(reading.status, Status::Error);
        assert!(reading.message.starts_with("server lists no instances"));
        assert_eq!(reading.discovered, None);
    }

    #[test]
    fn instance_asked_through_its_host() {
        let (url, server) = fake_server("tok", b"[]", 2);
        let http = Http::new(&Settings::default());
        let mut target = host_target(&url, "tok");
        target.record_type = RecordType::Instance;
        target.remote_name = Some("garage-lefebvre".into());
        let reading = probe_instance(&http, &target, &mut signer("tok"));
        assert_eq!(reading.status, Status::Online);
        assert_eq!(reading.message, "Dolibarr 19.0.3, 4 modules (3 active)");
        assert_eq!(reading.disk_used, Some(5_905_580_032));

        target.remote_name = Some("old-demo".into());
        let reading = probe_instance(&http, &target, &mut signer("tok"));
        assert_eq!(reading.status, Status::Missing);
        assert!(reading.message.contains("no longer has this instance"));
        server.join().expect("server thread");
    }
}
