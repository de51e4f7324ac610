//! The vocabulary shared by every layer: record types, API kinds, statuses.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Hosts are servers; instances are web applications, optionally on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordType {
    Host,
    Instance,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Host => "host",
            RecordType::Instance => "instance",
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The monitoring API a record speaks (see shared/protocols.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ApiKind {
    /// A plain GET of any site: online status, HTTP status, response time (instances only).
    Ping,
    /// Dolibarr's ServerObserver / WebObserver script.
    #[value(name = "server-observer-v1")]
    #[serde(rename = "server-observer-v1")]
    ServerObserverV1,
    /// The server-manager script: a host lists its instances; an instance is asked through its host.
    #[value(name = "server-manager-v1")]
    #[serde(rename = "server-manager-v1")]
    ServerManagerV1,
    /// Your own probe: an external command speaking JSON.
    Custom,
}

impl ApiKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKind::Ping => "ping",
            ApiKind::ServerObserverV1 => "server-observer-v1",
            ApiKind::ServerManagerV1 => "server-manager-v1",
            ApiKind::Custom => "custom",
        }
    }
}

impl fmt::Display for ApiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApiKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ping" => Ok(ApiKind::Ping),
            "server-observer-v1" => Ok(ApiKind::ServerObserverV1),
            "server-manager-v1" => Ok(ApiKind::ServerManagerV1),
            "custom" => Ok(ApiKind::Custom),
            other => Err(format!(
                "unknown API kind '{other}' (expected ping, server-observer-v1, server-manager-v1 or custom)"
            )),
        }
    }
}

/// Reachability of a record as of its last check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Never checked.
    Unknown,
    /// Answered with a usable document.
    Online,
    /// No usable answer: refused, DNS, timeout, TLS, 5xx (and for ping any non 2xx/3xx).
    Offline,
    /// Answered, but the monitoring API is unusable: auth rejected, not JSON, wrong shape.
    Error,
    /// A discovered instance its server no longer lists.
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Online => "online",
            Status::Offline => "offline",
            Status::Error => "error",
            Status::Missing => "missing",
        }
    }

    /// Offline, error and missing are "down" for `--fail-on-down` and failure counters.
    pub fn is_down(self) -> bool {
        matches!(self, Status::Offline | Status::Error | Status::Missing)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "unknown" => Ok(Status::Unknown),
            "online" => Ok(Status::Online),
            "offline" => Ok(Status::Offline),
            "error" => Ok(Status::Error),
            "missing" => Ok(Status::Missing),
            other => Err(format!("unknown status '{other}'")),
        }
    }
}
