//! Talking to monitored servers: the only module that does HTTP or runs custom probes.
//!
//! `Prober::probe` turns one `Target` into one `Reading`. It never fails and never panics:
//! every transport or protocol problem becomes a `Reading` with status offline/error and a
//! short human message. Tokens and hashes never appear in a `Reading`.

pub mod answer;
pub mod auth;
pub mod custom;
pub mod http;
pub mod ping;
pub mod server_manager;
pub mod server_observer;
pub mod tls;

use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;

use crate::model::{ApiKind, RecordType, Status};

use self::answer::AnswerError;

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
    /// For an instance on a host: the host's ref and URL (handed to custom probes).
    pub host: Option<HostLink>,
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Duration::from_secs(10),
            max_body: 8 * 1024 * 1024,
        }
    }
}

/// One module of a Dolibarr instance (or of a custom probe's application).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Module {
    /// Module class name (`modFacture`): the key of the document's `module` map.
    pub name: String,
    /// Version text (`dolibarr`, `3.24.1`, `experimental`); None when unknown.
    pub version: Option<String>,
    pub active: bool,
    /// `core` or `external` when known.
    pub source: Option<String>,
    pub editor: Option<String>,
}

/// What one check learned about one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    pub status: Status,
    /// Short human reason ("HTTP 200 in 84 ms", "connection refused", "token or clock wrong ...").
    pub message: String,
    pub http_status: Option<u16>,
    pub response_ms: Option<u64>,
    /// Bytes used: the instance's folder, or the host's partition.
    pub disk_used: Option<u64>,
    /// Bytes total of the partition, when known.
    pub disk_total: Option<u64>,
    /// True when disk_used only sums the parts that were known.
    pub disk_partial: bool,
    pub dolibarr_version: Option<String>,
    pub users_all: Option<i64>,
    pub users_active: Option<i64>,
    /// `YYYY-MM-DD HH:MM:SS` as the server reported it.
    pub last_login: Option<String>,
    /// None when this check did not learn the module list (keep what is stored).
    pub modules: Option<Vec<Module>>,
    /// Hosts that discover instances (server-manager, custom with `instances`): Some(list) when
    /// the server listed them this time; None when discovery did not happen.
    pub discovered: Option<Vec<Discovered>>,
}

impl Reading {
    /// A reading with only a status and a message.
    pub fn new(status: Status, message: impl Into<String>) -> Reading {
        Reading {
            status,
            message: message.into(),
            http_status: None,
            response_ms: None,
            disk_used: None,
            disk_total: None,
            disk_partial: false,
            dolibarr_version: None,
            users_all: None,
            users_active: None,
            last_login: None,
            modules: None,
            discovered: None,
        }
    }
}

/// An instance a host listed during discovery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discovered {
    /// The instance's name on the server (becomes the remote name, and the ref of a new record).
    pub name: String,
    /// URL the server or probe gave for it, if any.
    pub url: Option<String>,
    /// The reading of that instance; None when the server says it has no Dolibarr there
    /// (`Wrong instance path`): flag it missing, never create it.
    pub reading: Option<Reading>,
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

    /// Checks one record. Never fails: every problem becomes the reading's status and message.
    pub fn probe(&self, target: &Target) -> Reading {
        // A bug in a parser must cost one reading, not the worker thread and its whole batch.
        let reading = panic::catch_unwind(AssertUnwindSafe(|| self.dispatch(target)))
            .unwrap_or_else(|_| {
                Reading::new(
                    Status::Error,
                    "internal error while checking (a bug in webhost)",
                )
            });
        scrub_reading(reading, target.token.as_deref())
    }

    fn dispatch(&self, target: &Target) -> Reading {
        match (target.kind, target.record_type) {
            (ApiKind::Ping, _) => ping::probe(&self.http, target),
            (ApiKind::ServerObserverV1, RecordType::Host) => {
                server_observer::probe_host(&self.http, target)
            }
            (ApiKind::ServerObserverV1, RecordType::Instance) => {
                server_observer::probe_instance(&self.http, target)
            }
            (ApiKind::ServerManagerV1, RecordType::Host) => {
                server_manager::probe_host(&self.http, target)
            }
            (ApiKind::ServerManagerV1, RecordType::Instance) => {
                server_manager::probe_instance(&self.http, target)
            }
            (ApiKind::Custom, _) => custom::probe(&self.settings, target),
        }
    }
}

/// Last line of defence for "tokens never appear in a reading": texts quoted from answers or
/// from a probe's stderr may echo the request.
fn scrub_reading(mut reading: Reading, token: Option<&str>) -> Reading {
    let secrets: Vec<&str> = token.into_iter().collect();
    reading.message = auth::scrub(&reading.message, &secrets);
    if let Some(discovered) = reading.discovered.as_mut() {
        for instance in discovered {
            instance.url = instance.url.as_deref().map(auth::redact);
            if let Some(inner) = instance.reading.take() {
                instance.reading = Some(scrub_reading(inner, token));
            }
        }
    }
    reading
}

/// Seconds since the Unix epoch, for request signatures.
fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

impl Reading {
    /// A reading with the HTTP facts of the request that produced it.
    fn with_http(
        status: Status,
        message: impl Into<String>,
        http_status: Option<u16>,
        response_ms: Option<u64>,
    ) -> Reading {
        Reading {
            http_status,
            response_ms,
            ..Reading::new(status, message)
        }
    }
}

/// Why a JSON kind got no document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DocError {
    /// No usable HTTP answer (transport failure, HTTP error status).
    Http { status: Status, message: String },
    /// An answer, but not a document.
    Answer(AnswerError),
}

impl DocError {
    fn status(&self) -> Status {
        match self {
            DocError::Http { status, .. } => *status,
            DocError::Answer(error) => error.status(),
        }
    }

    fn message(&self) -> String {
        match self {
            DocError::Http { message, .. } => message.clone(),
            DocError::Answer(error) => error.message(),
        }
    }
}

/// One GET of a JSON kind and what it gave.
struct Fetched {
    http_status: Option<u16>,
    response_ms: Option<u64>,
    document: Result<Value, DocError>,
}

impl Fetched {
    /// The reading of a record whose check ended on this fetch's error.
    fn failed(&self, error: &DocError) -> Reading {
        Reading::with_http(
            error.status(),
            error.message(),
            self.http_status,
            self.response_ms,
        )
    }
}

/// GETs a JSON document, applying the HTTP status rules shared by the JSON kinds.
fn fetch_document(http: &http::Http, url: &str, insecure_tls: bool, signed: bool) -> Fetched {
    let options = http::Options {
        insecure_tls,
        signed,
        discard_body: false,
    };
    let answer = match http.get(url, options) {
        Ok(answer) => answer,
        Err(failure) => {
            return Fetched {
                http_status: failure.http_status,
                response_ms: Some(failure.elapsed_ms),
                document: Err(DocError::Http {
                    status: failure.status,
                    message: failure.message,
                }),
            };
        }
    };
    let code = answer.status;
    let http_error = |status: Status, message: String| Err(DocError::Http { status, message });
    let document = match code {
        200..=299 => answer::parse_json(&answer.body).map_err(DocError::Answer),
        500..=599 => {
            let status = http::status_text(code);
            let message = match answer::first_line(&answer.body) {
                // A proxy's error page whose heading only repeats the status adds nothing.
                Some(line) if !status.ends_with(line.as_str()) => format!("{status}: {line}"),
                _ => status,
            };
            http_error(Status::Offline, message)
        }
        403 => http_error(
            Status::Error,
            format!(
                "{}: reachable, but this poller's address is not allowed (IP allow-list?)",
                http::status_text(code)
            ),
        ),
        400..=499 => http_error(Status::Error, http::status_text(code)),
        _ => http_error(
            Status::Error,
            format!("{} (no document)", http::status_text(code)),
        ),
    };
    Fetched {
        http_status: Some(code),
        response_ms: Some(answer.elapsed_ms),
        document,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prober_is_shared_by_reference_across_threads() {
        fn assert_sync<T: Sync + Send>() {}
        assert_sync::<Prober>();
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
        let reading = scrub_reading(reading, Some("tok-XYZ9"));
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
                    host: None,
                };
                let reading = prober.probe(&target);
                assert_eq!(reading.status, Status::Error, "{kind} {record_type}");
            }
        }
    }
}
