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

use crate::domain::model::{ApiKind, Reading, RecordType, Status};
use crate::domain::secret;

use self::kinds::{custom, ping, server_manager, server_observer};
use self::net::http;

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

/// What the unit tests probe with: the options' defaults.
#[cfg(test)]
impl Default for Settings {
    fn default() -> Self {
        use crate::domain::config::defaults;
        use crate::domain::units::{parse_duration, parse_size};
        Settings {
            timeout: parse_duration(defaults::TIMEOUT).unwrap_or(Duration::from_secs(1)),
            max_body: parse_size(defaults::MAX_ANSWER_SIZE).unwrap_or(1),
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
    reading.message = secret::scrub(&reading.message, &secrets);
    if let Some(discovered) = reading.discovered.as_mut() {
        for instance in discovered {
            instance.url = instance.url.as_deref().map(secret::redact);
            if let Some(inner) = instance.reading.take() {
                instance.reading = Some(scrub_reading(inner, token));
            }
        }
    }
    reading
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::Discovered;

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
