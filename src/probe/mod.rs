//! Talking to monitored servers: the only module that does HTTP or runs custom probes.
//!
//! `Prober::probe` turns one `Target` into one `Reading`. It never fails and never panics:
//! every transport or protocol problem becomes a `Reading` with status offline/error and a
//! short human message. Tokens and hashes never appear in a `Reading`.

pub mod answer;
pub mod kinds;
pub mod net;
pub mod sign;

use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use serde::Serialize;

use crate::domain::model::{ApiKind, Discovered, Module, Reading, RecordType, Status};
use crate::domain::secret;
use crate::domain::units::shorten;

use self::kinds::{custom, ping, server_manager, server_observer};
use self::net::http;
use self::sign::Signer;

/// Everything needed to check one record. Built by `poll` from the store.
#[derive(Debug, Clone)]
pub struct Target {
    pub record_type: RecordType,
    pub reference: String,
    pub kind: ApiKind,
    /// For a server-manager instance: its host's URL.
    pub url: Option<String>,
    /// For a server-manager instance: its host's token. Never logged or printed.
    pub token: Option<String>,
    /// The instance's name on its server (server-manager instances).
    pub remote_name: Option<String>,
    /// Program and arguments of a custom probe (run without a shell).
    pub probe: Vec<String>,
    pub insecure_tls: bool,
    /// A CA file to trust besides the machine's roots.
    pub ca_file: Option<std::path::PathBuf>,
    /// For an instance on a host: the host's ref and URL (handed to custom probes).
    pub host: Option<HostLink>,
    /// What the check asserts beyond "it answered".
    pub assertions: crate::domain::assertion::Assertions,
}

impl Target {
    /// How this record's TLS is verified.
    pub fn verify(&self) -> http::Verify<'_> {
        http::Verify {
            insecure: self.insecure_tls,
            ca_file: self.ca_file.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HostLink {
    #[serde(rename = "ref")]
    pub reference: String,
    pub url: Option<String>,
}

/// Pass-wide probe settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Covers a whole call, from DNS to the last body byte (and a custom probe's whole run).
    pub timeout: Duration,
    /// Largest answer accepted, counted after decompression.
    pub max_body: u64,
    /// Threads looking names up at once: the pass's job count.
    pub lookups: usize,
    /// A CA file trusted for records without one of their own (the stored `ca-file`).
    pub ca_file: Option<std::path::PathBuf>,
}

/// What the unit tests probe with: the options' defaults.
#[cfg(test)]
impl Default for Settings {
    fn default() -> Self {
        use crate::domain::config::defaults;
        use crate::domain::units::{parse_duration, parse_size};
        Settings {
            timeout: parse_duration(defaults::TIMEOUT).unwrap_or(Duration::from_secs(1)),
            max_body: parse_size(defaults::MAX_ANSWER_SIZE).unwrap_or(1),
            lookups: 2,
            ca_file: None,
        }
    }
}

/// Checks records. One per pass, shared by the worker threads by reference.
pub struct Prober {
    settings: Settings,
    http: http::Http,
}

impl Prober {
    pub fn new(settings: Settings) -> Prober {
        let http = http::Http::new(&settings);
        Prober { settings, http }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The TLS certificate expiry of the https server at `url`, shared by every record of the
    /// pass on the same host and port; None when `url` is not https.
    pub fn certificate_expiry(&self, url: &str, timeout: Duration) -> Option<Result<i64, String>> {
        self.http.certificate_expiry(url, timeout)
    }

    /// Checks one record. Never fails: every problem becomes the reading's status and message.
    pub fn probe(&self, target: &Target) -> Reading {
        let mut signer = Signer::new(target.token.as_deref());
        net::transport::forget_address_note();
        // A bug in a parser must cost one reading, not the worker thread and its whole batch.
        let mut reading =
            panic::catch_unwind(AssertUnwindSafe(|| self.dispatch(target, &mut signer)))
                .unwrap_or_else(|_| {
                    Reading::new(
                        Status::Error,
                        "internal error while checking (a bug in webhost)",
                    )
                });
        // Happy Eyeballs picked another address than the first: say which, and why.
        if let Some(note) = net::transport::take_address_note() {
            reading.message = format!("{} ({note})", reading.message);
        }
        scrub_reading(&mut reading, &signer.secrets());
        reading
    }

    /// A server-manager host's check up to its instance list, leaving the names in `known` to
    /// update-instances; a pass reads the others on its own pool (`read_listed`).
    pub fn list_host(
        &self,
        target: &Target,
        known: &std::collections::HashSet<String>,
    ) -> server_manager::HostList {
        let mut signer = Signer::new(target.token.as_deref());
        let listed = panic::catch_unwind(AssertUnwindSafe(|| {
            server_manager::list_host(&self.http, target, known, &mut signer)
        }))
        .unwrap_or_else(|_| {
            server_manager::HostList::Done(Reading::new(
                Status::Error,
                "internal error while checking (a bug in webhost)",
            ))
        });
        match listed {
            server_manager::HostList::Done(mut reading) => {
                scrub_reading(&mut reading, &signer.secrets());
                server_manager::HostList::Done(reading)
            }
            listing => listing,
        }
    }

    /// Reads one instance a server-manager host listed, by name, within `deadline`.
    pub fn read_listed(
        &self,
        host: &Target,
        name: &str,
        bound: (std::time::Instant, Duration),
    ) -> Discovered {
        let mut signer = Signer::new(host.token.as_deref());
        let mut entry = panic::catch_unwind(AssertUnwindSafe(|| {
            server_manager::read_listed(&self.http, host, name, &mut signer, bound)
        }))
        .unwrap_or_else(|_| Discovered {
            name: name.to_string(),
            url: None,
            reading: Some(Reading::new(
                Status::Error,
                "internal error while checking (a bug in webhost)",
            )),
        });
        let secrets = signer.secrets();
        if let Some(reading) = entry.reading.as_mut() {
            scrub_reading(reading, &secrets);
        }
        if let Some(url) = entry.url.as_mut() {
            *url = shorten(&secret::redact(&secret::scrub(url, &secrets)), MAX_URL);
        }
        entry
    }

    /// A host's reading once the instances its list left to read are read.
    pub fn finish_listing(&self, host: &Target, listing: server_manager::Listing) -> Reading {
        let mut reading = listing.finish(self.settings.timeout);
        let token: Vec<&str> = host.token.as_deref().into_iter().collect();
        scrub_reading(&mut reading, &token);
        reading
    }

    fn dispatch(&self, target: &Target, signer: &mut Signer) -> Reading {
        match (target.kind, target.record_type) {
            (ApiKind::Ping, _) => ping::probe(&self.http, target),
            (ApiKind::ServerObserverV1, RecordType::Host) => {
                server_observer::probe_host(&self.http, target, signer)
            }
            (ApiKind::ServerObserverV1, RecordType::Instance) => {
                server_observer::probe_instance(&self.http, target, signer)
            }
            (ApiKind::ServerManagerV1, RecordType::Host) => {
                server_manager::probe_host(&self.http, target, signer)
            }
            (ApiKind::ServerManagerV1, RecordType::Instance) => {
                server_manager::probe_instance(&self.http, target, signer)
            }
            (ApiKind::Custom, _) => custom::probe(&self.settings, target),
        }
    }
}

/// The most of a server's text a reading keeps: enough for any real version, module name or
/// message, and a `…` says it was cut. Unbounded, a 1 MiB version was copied into every check
/// row and into the hook's environment, which then could not start.
const MAX_TEXT: usize = 256;
const MAX_MESSAGE: usize = 1024;
const MAX_URL: usize = 2048;

/// Last line of defence for "tokens never appear in a reading": any text quoted from an answer
/// or from a probe's output may echo the request, so every string of the reading loses the
/// `secrets` (the token and the signatures sent) and any `hash=` value. The destructuring is
/// exhaustive, so a text field added later cannot be forgotten here.
///
/// Every text is also bounded (`MAX_TEXT`, `MAX_MESSAGE`, `MAX_URL`), except the names a host
/// lists: they are identities, and discovery refuses those too long to be one.
/// Reads a pushed instance document (WebObserver's `callWebHost`) with the parser polls use,
/// bounded and escaped as a poll's reading is, with `secrets` (the token, the hash the push
/// carried) masked wherever the document quotes them.
pub fn read_push(body: &[u8], secrets: &[&str]) -> Result<Reading, String> {
    let mut doc = answer::parse_json(body).map_err(|e| e.message())?;
    crate::domain::push::undo_force_object(&mut doc);
    let mut reading = kinds::server_observer::instance_doc(&doc)
        .map_err(|e| e.message())?
        .instance_reading();
    reading.source = crate::domain::model::Source::Push;
    scrub_reading(&mut reading, secrets);
    Ok(reading)
}

fn scrub_reading(reading: &mut Reading, secrets: &[&str]) {
    let scrub_to =
        |max: usize| move |text: &mut String| *text = shorten(&secret::scrub(text, secrets), max);
    let scrub = scrub_to(MAX_TEXT);
    let Reading {
        status: _,
        message,
        http_status: _,
        response_ms: _,
        disk_used: _,
        disk_total: _,
        disk_partial: _,
        dolibarr_version,
        users_all: _,
        users_active: _,
        last_login,
        modules,
        security: _,
        first_version,
        discovered,
        no_answer: _,
        source: _,
    } = reading;
    scrub_to(MAX_MESSAGE)(message);
    dolibarr_version.iter_mut().for_each(scrub);
    first_version.iter_mut().for_each(scrub);
    last_login.iter_mut().for_each(scrub);
    for module in modules.iter_mut().flatten() {
        let Module {
            name,
            version,
            active: _,
            source,
            editor,
        } = module;
        scrub(name);
        [version, source, editor]
            .into_iter()
            .flat_map(|text| text.iter_mut())
            .for_each(scrub);
    }
    for instance in discovered.iter_mut().flatten() {
        let Discovered { name, url, reading } = instance;
        *name = secret::scrub(name, secrets);
        if let Some(url) = url {
            *url = shorten(&secret::redact(&secret::scrub(url, secrets)), MAX_URL);
        }
        if let Some(inner) = reading {
            scrub_reading(inner, secrets);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pushed_document_reads_as_the_same_document_polled() {
        for name in [
            "webobserver-instance.json",
            "instance-empty-modules.json",
            "serverobserver-legacy-2018-check.json",
        ] {
            let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
            let body = std::fs::read(&path).expect("fixture");
            let polled = kinds::server_observer::parse_instance(&body)
                .expect("parses")
                .instance_reading();
            let doc: serde_json::Value = serde_json::from_slice(&body).expect("json");
            let pushed =
                serde_json::to_vec(&crate::domain::push::force_object(&doc)).expect("encode");
            let mut reading = read_push(&pushed, &[]).expect("a push parses");
            assert_eq!(reading.source, crate::domain::model::Source::Push);
            reading.source = crate::domain::model::Source::Poll;
            assert_eq!(reading, polled, "{name}");
        }
    }

    #[test]
    fn a_pushed_document_quoting_the_token_is_masked() {
        let body = br#"{"dolibarr":{"version":"18.0.4 s3cr3t-token"},"module":{}}"#;
        let reading = read_push(body, &["s3cr3t-token"]).expect("parses");
        assert!(!reading.message.contains("s3cr3t") && !format!("{reading:?}").contains("s3cr3t"));
    }

    #[test]
    fn prober_is_shared_by_reference_across_threads() {
        fn assert_sync<T: Sync + Send>() {}
        assert_sync::<Prober>();
    }

    #[test]
    fn a_server_text_is_kept_bounded_and_says_it_was_cut() {
        let huge = "1".repeat(1 << 20);
        let mut reading = Reading {
            dolibarr_version: Some(huge.clone()),
            modules: Some(vec![Module {
                name: huge.clone(),
                version: None,
                active: true,
                source: None,
                editor: Some(huge.clone()),
            }]),
            ..Reading::new(Status::Online, format!("Dolibarr {huge}"))
        };
        scrub_reading(&mut reading, &[]);
        let version = reading.dolibarr_version.expect("version");
        assert_eq!(version.chars().count(), MAX_TEXT);
        assert!(version.ends_with('…'));
        assert_eq!(reading.message.chars().count(), MAX_MESSAGE);
        let modules = reading.modules.expect("modules");
        assert_eq!(modules[0].name.chars().count(), MAX_TEXT);
        assert!(
            modules[0]
                .editor
                .as_ref()
                .is_some_and(|e| e.chars().count() == MAX_TEXT)
        );
    }

    #[test]
    fn readings_never_carry_the_token_or_a_hash() {
        let mut reading =
            Reading::new(Status::Error, "echoed tok-XYZ9 and ?hash=abcdef0123&time=1");
        let mut inner = Reading::new(Status::Error, "inner tok-XYZ9");
        inner.discovered = None;
        reading.discovered = Some(vec![Discovered {
            name: "a".into(),
            url: Some("https://a.example/x?hash=abcdef0123&time=1".into()),
            reading: Some(inner),
        }]);
        scrub_reading(&mut reading, &["tok-XYZ9"]);
        assert_eq!(reading.message, "echoed *** and ?hash=***&time=1");
        let discovered = reading.discovered.expect("discovered");
        assert_eq!(
            discovered[0].url.as_deref(),
            Some("https://a.example/x?hash=***&time=1")
        );
        assert_eq!(
            discovered[0].reading.as_ref().map(|r| r.message.as_str()),
            Some("inner ***")
        );
    }

    /// A server answering `requests` requests with `answer(hash, action, name)`, where `hash`
    /// is the signature the request carried; returns its URL and, joined, the hashes it got.
    fn echo_server(
        requests: usize,
        answer: fn(&str, Option<&str>, Option<&str>) -> String,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind");
        let port = server.server_addr().to_ip().expect("ip").port();
        let handle = std::thread::spawn(move || {
            let mut hashes = Vec::new();
            for request in server.incoming_requests().take(requests) {
                let url = request.url().to_string();
                let query = url.split_once('?').map_or("", |(_, q)| q).to_string();
                let get = |key: &str| {
                    query
                        .split('&')
                        .filter_map(|pair| pair.split_once('='))
                        .find(|(k, _)| *k == key)
                        .map(|(_, v)| v.to_string())
                };
                let hash = get("hash").unwrap_or_default();
                let body = answer(
                    &hash,
                    get("action").as_deref(),
                    get("instance_name").as_deref(),
                );
                hashes.push(hash);
                let _ = request.respond(tiny_http::Response::from_string(body));
            }
            hashes
        });
        (format!("http://127.0.0.1:{port}/script.php"), handle)
    }

    /// An observer document quoting `hash` (as sent, and upper-cased) in every text it has.
    fn quoting_document(hash: &str) -> String {
        let upper = hash.to_ascii_uppercase();
        serde_json::json!({
            "apiname": "serverobserver",
            "dolibarr": {
                "version": format!("18.0.4-{hash}"),
                "path": {"http": format!("https://x.example/?sig={upper}")},
            },
            "user": {"all": 1, "active": 1, "date_last_login": format!("{hash} 10:00")},
            "module": {
                format!("mod{hash}"): {
                    "version": upper,
                    "source": format!("src {hash}"),
                    "editor_name": format!("Evil {upper}"),
                    "active": "1"
                }
            }
        })
        .to_string()
    }

    fn signed_target(record_type: RecordType, kind: ApiKind, url: &str) -> Target {
        Target {
            record_type,
            reference: "r".into(),
            kind,
            url: Some(url.into()),
            token: Some("s3cr3t-T0ken".into()),
            remote_name: Some("shop".into()),
            probe: Vec::new(),
            insecure_tls: false,
            ca_file: None,
            host: None,
            assertions: Default::default(),
        }
    }

    /// Neither the token nor any hash sent, in any case, anywhere in the reading.
    fn assert_clean(reading: &Reading, hashes: &[String]) {
        let text = serde_json::to_string(reading).expect("JSON");
        assert!(!text.contains("s3cr3t-T0ken"), "{text}");
        for hash in hashes {
            assert_eq!(hash.len(), 32, "every request was signed");
            assert!(!text.contains(hash.as_str()), "{text}");
            assert!(!text.contains(&hash.to_ascii_uppercase()), "{text}");
        }
    }

    #[test]
    fn an_echoed_signature_is_masked_in_every_text_of_an_instance_reading() {
        let (url, server) = echo_server(1, |hash, _, _| quoting_document(hash));
        let prober = Prober::new(Settings::default());
        let reading = prober.probe(&signed_target(
            RecordType::Instance,
            ApiKind::ServerObserverV1,
            &url,
        ));
        let hashes = server.join().expect("server thread");
        assert_eq!(reading.status, Status::Online, "{}", reading.message);
        assert_clean(&reading, &hashes);
        assert_eq!(reading.dolibarr_version.as_deref(), Some("18.0.4-***"));
        let module = &reading.modules.as_ref().expect("modules")[0];
        assert_eq!(module.name, "mod***");
        assert_eq!(module.editor.as_deref(), Some("Evil ***"));
    }

    #[test]
    fn an_echoed_signature_is_masked_in_a_refusal_and_in_what_a_host_discovers() {
        // Not `hash=`: a signature quoted in prose is masked because it is the one sent.
        let (url, server) = echo_server(1, |hash, _, _| {
            format!("Invalid signature {hash} for time 1764000000")
        });
        let reading = Prober::new(Settings::default()).probe(&signed_target(
            RecordType::Host,
            ApiKind::ServerObserverV1,
            &url,
        ));
        let hashes = server.join().expect("server thread");
        assert_eq!(
            reading.message,
            "answer is not JSON: Invalid signature *** for time 1764000000"
        );
        assert_clean(&reading, &hashes);

        let (url, server) = echo_server(4, |hash, action, name| match (action, name) {
            (None, _) => {
                r#"{"apiversion":"2.0","space":{"bytes_total":100,"bytes_left":50}}"#.to_string()
            }
            (Some("get-all-instance"), _) => format!(r#"["shop-{hash}","refusing"]"#),
            (_, Some("refusing")) => format!("<b>Bad signature</b> {}", hash.to_uppercase()),
            _ => quoting_document(hash),
        });
        let reading = Prober::new(Settings::default()).probe(&signed_target(
            RecordType::Host,
            ApiKind::ServerManagerV1,
            &url,
        ));
        let hashes = server.join().expect("server thread");
        assert_eq!(hashes[0], "", "the server document is not signed");
        assert_clean(&reading, &hashes[1..]);
        let discovered = reading.discovered.as_ref().expect("discovered");
        assert_eq!(discovered[0].name, "shop-***");
        assert_eq!(
            discovered[0].url.as_deref(),
            Some("https://x.example/?sig=***")
        );
        let refusing = discovered[1].reading.as_ref().expect("reading");
        assert_eq!(refusing.message, "answer is not JSON: Bad signature ***");
    }

    #[test]
    fn a_target_without_url_is_an_error_for_every_http_kind() {
        let prober = Prober::new(Settings::default());
        for kind in [
            ApiKind::Ping,
            ApiKind::ServerObserverV1,
            ApiKind::ServerManagerV1,
        ] {
            for record_type in [RecordType::Host, RecordType::Instance] {
                let target = Target {
                    record_type,
                    reference: "r".into(),
                    kind,
                    url: None,
                    token: None,
                    remote_name: Some("n".into()),
                    probe: Vec::new(),
                    insecure_tls: false,
                    ca_file: None,
                    host: None,
                    assertions: Default::default(),
                };
                let reading = prober.probe(&target);
                assert_eq!(reading.status, Status::Error, "{kind} {record_type}");
            }
        }
    }
}
