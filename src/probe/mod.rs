//! Talking to monitored servers: the only module that does HTTP or runs custom probes.
//!
//! `Prober::probe` turns one `Target` into one `Reading`. It never fails and never panics:
//! every transport or protocol problem becomes a `Reading` with status offline/error and a
//! short human message. Tokens and hashes never appear in a `Reading`.

use std::time::Duration;

use serde::Serialize;

use crate::model::{ApiKind, RecordType, Status};

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
