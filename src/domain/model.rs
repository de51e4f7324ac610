//! The vocabulary every layer shares: record types, API kinds, statuses, a record's settings
//! and state, and what one check reads.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::units::parse_size;

/// Hosts are servers; instances are web applications, optionally on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordType {
    Host,
    Instance,
}

impl RecordType {
    pub const ALL: [RecordType; 2] = [RecordType::Host, RecordType::Instance];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Host => "host",
            RecordType::Instance => "instance",
        }
    }

    /// The pass that polls records of this type, as in its command and lock file.
    pub fn pass_name(self) -> &'static str {
        match self {
            RecordType::Host => "update-hosts",
            RecordType::Instance => "update-instances",
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The monitoring API a record speaks (see shared/protocols.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ApiKind {
    /// A plain GET of any site.
    #[serde(rename = "ping")]
    Ping,
    /// Dolibarr's ServerObserver / WebObserver script.
    #[serde(rename = "server-observer-v1")]
    ServerObserverV1,
    /// The server-manager script: a host lists its instances.
    #[serde(rename = "server-manager-v1")]
    ServerManagerV1,
    /// The user's own probe command, speaking JSON.
    #[serde(rename = "custom")]
    Custom,
}

impl ApiKind {
    pub const ALL: [ApiKind; 4] = [
        ApiKind::Ping,
        ApiKind::ServerObserverV1,
        ApiKind::ServerManagerV1,
        ApiKind::Custom,
    ];

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
        ApiKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown API kind '{s}' (expected ping, server-observer-v1, server-manager-v1 or custom)"
                )
            })
    }
}

/// Reachability of a record as of its last check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// An instance that failed while its host was offline or in error: down, but the host is
    /// the cause, and the host's alert speaks for it.
    Unreachable,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Unknown,
        Status::Online,
        Status::Offline,
        Status::Error,
        Status::Missing,
        Status::Unreachable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Online => "online",
            Status::Offline => "offline",
            Status::Error => "error",
            Status::Missing => "missing",
            Status::Unreachable => "unreachable",
        }
    }

    /// Offline, error, missing and unreachable are "down" for `--fail-on-down`, failure
    /// counters and uptime (an unreachable instance's site was down, whatever the cause).
    pub fn is_down(self) -> bool {
        matches!(
            self,
            Status::Offline | Status::Error | Status::Missing | Status::Unreachable
        )
    }

    /// How bad a status is, for "the worst of": online < unknown < error < missing <
    /// unreachable < offline.
    pub fn severity(self) -> u8 {
        match self {
            Status::Online => 0,
            Status::Unknown => 1,
            Status::Error => 2,
            Status::Missing => 3,
            Status::Unreachable => 4,
            Status::Offline => 5,
        }
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
        Status::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown status '{s}'"))
    }
}

/// A disk threshold: a share of the partition (`85%`) or an amount used (`5G`, `5368709120`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    Percent(f64),
    Bytes(u64),
}

impl FromStr for Threshold {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Some(p) = t.strip_suffix('%') {
            return match p.trim().parse::<f64>() {
                Ok(v) if (0.0..=100.0).contains(&v) => Ok(Threshold::Percent(v)),
                _ => Err(format!("'{s}' is not a percentage between 0% and 100%")),
            };
        }
        parse_size(t)
            .map(Threshold::Bytes)
            .map_err(|_| format!("'{s}' is not a threshold: use a percentage (85%) or a size (5G)"))
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::Percent(p) => write!(f, "{p}%"),
            Threshold::Bytes(b) => write!(f, "{b}"),
        }
    }
}

impl Threshold {
    /// Whether `used` (of `total`, when known) is at or over this threshold; None when the
    /// threshold cannot apply (a percentage without a known total).
    pub fn crossed(self, used: u64, total: Option<u64>) -> Option<bool> {
        match self {
            Threshold::Bytes(b) => Some(used >= b),
            Threshold::Percent(p) => total
                .filter(|t| *t > 0)
                .map(|t| used as f64 * 100.0 / t as f64 >= p),
        }
    }
}

/// The thresholds in force for one record (its own overrides, else the defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub disk_warn: Threshold,
    pub disk_crit: Threshold,
    pub cert_warn_days: i64,
    pub cert_crit_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            disk_warn: Threshold::Percent(80.0),
            disk_crit: Threshold::Percent(90.0),
            cert_warn_days: 21,
            cert_crit_days: 7,
        }
    }
}

/// The settings of a record: what a user adds and edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub reference: String,
    pub label: Option<String>,
    pub kind: ApiKind,
    pub url: Option<String>,
    pub token: Option<String>,
    /// Custom probe: program then arguments.
    pub probe: Vec<String>,
    pub enabled: bool,
    pub insecure_tls: bool,
    /// Instances only: the host they live on.
    pub host_id: Option<i64>,
    /// Instances only: the folder name on the server.
    pub remote_name: Option<String>,
    /// Overrides of the default health thresholds; None keeps the default.
    pub disk_warn: Option<Threshold>,
    pub disk_crit: Option<Threshold>,
    pub cert_warn_days: Option<i64>,
    pub cert_crit_days: Option<i64>,
    /// A PEM file of CA certificates trusted besides the machine's roots (an absolute path).
    pub ca_file: Option<String>,
    /// Instances: fed by WebObserver's pushes, not fetched by passes.
    pub push: bool,
    /// Instances: how long without a push before it is offline (seconds); None: the default.
    pub push_grace: Option<i64>,
    /// What the check asserts beyond "it answered".
    pub assertions: super::assertion::Assertions,
}

impl Settings {
    /// A record of `kind` named `reference` with every other setting at its default.
    pub fn new(reference: impl Into<String>, kind: ApiKind) -> Settings {
        Settings {
            reference: reference.into(),
            label: None,
            kind,
            url: None,
            token: None,
            probe: Vec::new(),
            enabled: true,
            insecure_tls: false,
            host_id: None,
            remote_name: None,
            disk_warn: None,
            disk_crit: None,
            cert_warn_days: None,
            cert_crit_days: None,
            ca_file: None,
            push: false,
            push_grace: None,
            assertions: Default::default(),
        }
    }

    /// The thresholds in force: the record's own, else the defaults.
    pub fn thresholds(&self) -> Thresholds {
        let d = Thresholds::default();
        Thresholds {
            disk_warn: self.disk_warn.unwrap_or(d.disk_warn),
            disk_crit: self.disk_crit.unwrap_or(d.disk_crit),
            cert_warn_days: self.cert_warn_days.unwrap_or(d.cert_warn_days),
            cert_crit_days: self.cert_crit_days.unwrap_or(d.cert_crit_days),
        }
    }

    /// Whether any threshold is the record's own.
    pub fn has_own_thresholds(&self) -> bool {
        self.disk_warn.is_some()
            || self.disk_crit.is_some()
            || self.cert_warn_days.is_some()
            || self.cert_crit_days.is_some()
    }
}

/// A change to a record's settings (`edit`): a field left None keeps the setting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edit {
    pub rename: Option<String>,
    pub kind: Option<ApiKind>,
    pub url: Option<String>,
    /// `Some(None)` removes the token.
    pub token: Option<Option<String>>,
    /// An empty label removes it.
    pub label: Option<String>,
    pub probe: Option<Vec<String>>,
    pub insecure_tls: Option<bool>,
    /// `Some(None)` removes the CA file.
    pub ca_file: Option<Option<String>>,
    pub push: Option<bool>,
    /// `Some(None)` restores the default grace.
    pub push_grace: Option<Option<i64>>,
    /// Changes to what the check asserts.
    pub assertions: super::assertion::Patch,
    /// `Some(None)` restores the default threshold.
    pub disk_warn: Option<Option<Threshold>>,
    pub disk_crit: Option<Option<Threshold>>,
    pub cert_warn_days: Option<Option<i64>>,
    pub cert_crit_days: Option<Option<i64>>,
    /// Instances: the folder name on the server.
    pub remote_name: Option<String>,
}

impl Edit {
    /// True when it changes nothing (so the user learns their command did nothing).
    pub fn is_empty(&self) -> bool {
        *self == Edit::default()
    }

    /// Applies the changes to `s`.
    pub fn apply(&self, s: &mut Settings) {
        if let Some(r) = &self.rename {
            s.reference.clone_from(r);
        }
        if let Some(k) = self.kind {
            s.kind = k;
        }
        if let Some(u) = &self.url {
            s.url = Some(u.clone());
        }
        if let Some(t) = &self.token {
            s.token.clone_from(t);
        }
        if let Some(l) = &self.label {
            s.label = Some(l.clone()).filter(|l| !l.is_empty());
        }
        if let Some(p) = &self.probe {
            s.probe.clone_from(p);
        }
        if let Some(b) = self.insecure_tls {
            s.insecure_tls = b;
        }
        if let Some(c) = &self.ca_file {
            s.ca_file.clone_from(c);
        }
        if let Some(p) = self.push {
            s.push = p;
        }
        if let Some(g) = self.push_grace {
            s.push_grace = g;
        }
        self.assertions.apply(&mut s.assertions);
        if let Some(t) = self.disk_warn {
            s.disk_warn = t;
        }
        if let Some(t) = self.disk_crit {
            s.disk_crit = t;
        }
        if let Some(d) = self.cert_warn_days {
            s.cert_warn_days = d;
        }
        if let Some(d) = self.cert_crit_days {
            s.cert_crit_days = d;
        }
        if let Some(n) = &self.remote_name {
            s.remote_name = Some(n.clone());
        }
    }
}

/// What the last checks found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub status: Option<Status>,
    pub status_since: Option<i64>,
    pub message: Option<String>,
    pub last_check_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub consecutive_failures: i64,
    pub consecutive_successes: i64,
    pub response_ms: Option<u64>,
    pub http_status: Option<u16>,
    pub disk_used: Option<u64>,
    pub disk_total: Option<u64>,
    pub disk_partial: bool,
    pub dolibarr_version: Option<String>,
    pub users_all: Option<i64>,
    pub users_active: Option<i64>,
    pub last_login: Option<String>,
    /// When the TLS certificate expires (https records), or why it could not be read.
    pub cert_expires_at: Option<i64>,
    pub cert_error: Option<String>,
    /// Instances: when the last push was accepted.
    pub last_push_at: Option<i64>,
    /// Instances: the risky settings WebObserver last reported.
    pub security: Option<Security>,
    /// Instances: the Dolibarr version first installed (`dolibarr.version1`).
    pub first_version: Option<String>,
}

impl State {
    pub fn status(&self) -> Status {
        self.status.unwrap_or(Status::Unknown)
    }

    /// The state after a check at `at` read `r`. Disk and inventory describe the last good
    /// answer: a failed check keeps them; a check that does not learn a value keeps it too.
    pub fn record(&mut self, r: &Reading, at: i64) {
        let online = r.status == Status::Online;
        if self.status != Some(r.status) || self.status_since.is_none() {
            self.status_since = Some(at);
        }
        self.status = Some(r.status);
        self.message = Some(r.message.clone());
        self.last_check_at = Some(at);
        if online {
            self.last_success_at = Some(at);
            self.consecutive_failures = 0;
            self.consecutive_successes += 1;
            self.disk_used = r.disk_used;
            self.disk_total = r.disk_total;
            self.disk_partial = r.disk_partial;
        } else {
            self.consecutive_failures += 1;
            self.consecutive_successes = 0;
            // A failed check that still read a disk (a server-manager host whose server
            // document answered, then its list failed) keeps that reading.
            if r.disk_used.is_some() || r.disk_total.is_some() {
                self.disk_used = r.disk_used;
                self.disk_total = r.disk_total;
                self.disk_partial = r.disk_partial;
            }
        }
        self.response_ms = r.response_ms;
        self.http_status = r.http_status;
        if r.dolibarr_version.is_some() {
            self.dolibarr_version.clone_from(&r.dolibarr_version);
        }
        if r.first_version.is_some() {
            self.first_version.clone_from(&r.first_version);
        }
        if r.security.is_some() {
            self.security = r.security;
        }
        if r.users_all.is_some() {
            self.users_all = r.users_all;
        }
        if r.users_active.is_some() {
            self.users_active = r.users_active;
        }
        // The last login comes with the user counts of a good answer (it may be null then).
        if online && r.users_all.is_some() {
            self.last_login.clone_from(&r.last_login);
        }
    }
}

/// A host or an instance, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: i64,
    pub record_type: RecordType,
    pub settings: Settings,
    pub created_at: i64,
    /// The ref of the host (instances on a host).
    pub host_ref: Option<String>,
    /// Created by a host's discovery rather than by hand.
    pub discovered: bool,
    /// Its server no longer lists it.
    pub missing: bool,
    /// It has a token (`settings.token` holds it only when the tokens were read).
    pub has_token: bool,
    pub state: State,
    /// The maintenance window it is in now, when the command looked (`list`, `show`,
    /// `status`); None otherwise.
    pub maintenance: Option<MaintenanceNow>,
}

impl Record {
    pub fn reference(&self) -> &str {
        &self.settings.reference
    }

    pub fn key(&self) -> RecordKey {
        RecordKey {
            record_type: self.record_type,
            id: self.id,
        }
    }
}

/// The maintenance window a record is in (`domain::maintenance` says which): until when, and
/// why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceNow {
    pub until: i64,
    pub reason: Option<String>,
}

/// Which record: its type and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordKey {
    pub record_type: RecordType,
    pub id: i64,
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

/// Why a check got no HTTP answer at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoAnswer {
    /// Refused, reset, closed, a TLS alert: something answered, so this machine's network
    /// works and the record is down.
    Rejected,
    /// Timed out, no route, the name did not resolve: nothing answered, which is also what
    /// this machine's own network being down looks like.
    Silent,
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
    /// WebObserver's `security` block; None when the answer has none (keep what is stored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
    /// `dolibarr.version1`: the version first installed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_version: Option<String>,
    /// Hosts that discover instances (server-manager, custom with `instances`): Some(list) when
    /// the server listed them this time; None when discovery did not happen.
    pub discovered: Option<Vec<Discovered>>,
    /// Set when no HTTP answer came at all, and how.
    #[serde(skip)]
    pub no_answer: Option<NoAnswer>,
    /// A poll's, or a push the instance sent.
    #[serde(skip)]
    pub source: Source,
}

/// The risky settings WebObserver reports in its `security` block; None where a key is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Security {
    /// `install.lock` is in place: the install wizard cannot be run again.
    pub install_lock: Option<bool>,
    /// `MAIN_FEATURES_LEVEL`: 0 stable only, 1 experimental, 2 development features too.
    pub main_features_level: Option<i64>,
    /// The database password in `conf.php` is encrypted.
    pub database_pwd_encrypted: Option<bool>,
}

impl Security {
    /// The risky settings among these, each with the health level its reason carries.
    pub fn risks(&self) -> Vec<Risk> {
        let mut risks = Vec::new();
        if self.install_lock == Some(false) {
            risks.push(Risk::InstallUnlocked);
        }
        if let Some(level) = self.main_features_level.filter(|l| *l > 0) {
            risks.push(Risk::UnstableFeatures(level));
        }
        if self.database_pwd_encrypted == Some(false) {
            risks.push(Risk::PlainDatabasePassword);
        }
        risks
    }
}

/// One risky setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    /// No `install.lock`: anyone who finds the install wizard can run it again (critical).
    InstallUnlocked,
    /// Experimental (1) or development (2) features on in production (warning).
    UnstableFeatures(i64),
    /// The database password is stored in clear in `conf.php` (warning).
    PlainDatabasePassword,
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Risk::InstallUnlocked => f.write_str("install wizard not locked (no install.lock)"),
            Risk::UnstableFeatures(1) => {
                f.write_str("experimental features on (main_features_level 1)")
            }
            Risk::UnstableFeatures(l) => {
                write!(f, "development features on (main_features_level {l})")
            }
            Risk::PlainDatabasePassword => f.write_str("database password not encrypted"),
        }
    }
}

/// Where a reading came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A pass (or `check --live`) asked for it.
    #[default]
    Poll,
    /// The instance sent it (WebObserver's push).
    Push,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Poll => "poll",
            Source::Push => "push",
        }
    }
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
            security: None,
            first_version: None,
            discovered: None,
            no_answer: None,
            source: Source::Poll,
        }
    }

    /// A reading with the HTTP facts of the request that produced it.
    pub fn with_http(
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

    /// Nothing answered at all: the kind of failure a pass blames on this machine's network
    /// when every check of it fails so.
    pub fn is_silent(&self) -> bool {
        self.no_answer == Some(NoAnswer::Silent)
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

/// One record to create or update by type and ref (`import`).
#[derive(Debug, Clone)]
pub struct Upsert {
    pub record_type: RecordType,
    /// `token` None keeps the stored token; `host_id` is ignored (see `host`).
    pub settings: Settings,
    /// Instances: the ref of their host, looked up once the hosts are written.
    pub host: Option<String>,
    pub discovered: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for k in ApiKind::ALL {
            assert_eq!(k.as_str().parse::<ApiKind>(), Ok(k));
        }
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
        }
        assert!("pong".parse::<ApiKind>().is_err());
    }

    #[test]
    fn edits_change_only_what_they_name() {
        let mut s = Settings::new("shop", ApiKind::Ping);
        s.label = Some("Shop".into());
        s.token = Some("t".into());
        s.disk_warn = Some(Threshold::Percent(70.0));
        assert!(Edit::default().is_empty());
        let edit = Edit {
            label: Some(String::new()),
            token: Some(None),
            disk_warn: Some(None),
            cert_warn_days: Some(Some(30)),
            ..Edit::default()
        };
        assert!(!edit.is_empty());
        edit.apply(&mut s);
        assert_eq!((s.label, s.token, s.disk_warn), (None, None, None));
        assert_eq!((s.reference.as_str(), s.cert_warn_days), ("shop", Some(30)));
    }

    #[test]
    fn a_failed_check_keeps_what_the_last_good_one_read() {
        let mut state = State::default();
        let good = Reading {
            disk_used: Some(10),
            disk_total: Some(100),
            dolibarr_version: Some("18.0.4".into()),
            users_all: Some(3),
            last_login: Some("2026-11-30 10:00:00".into()),
            response_ms: Some(80),
            http_status: Some(200),
            ..Reading::new(Status::Online, "ok")
        };
        state.record(&good, 100);
        assert_eq!(
            (state.status_since, state.consecutive_successes),
            (Some(100), 1)
        );
        state.record(&good, 200);
        assert_eq!(state.status_since, Some(100), "still online since 100");
        let down = Reading::with_http(Status::Offline, "refused", None, None);
        state.record(&down, 300);
        assert_eq!(state.status(), Status::Offline);
        assert_eq!(state.status_since, Some(300));
        assert_eq!(
            (state.consecutive_failures, state.consecutive_successes),
            (1, 0)
        );
        assert_eq!((state.disk_used, state.disk_total), (Some(10), Some(100)));
        assert_eq!(state.dolibarr_version.as_deref(), Some("18.0.4"));
        assert_eq!(state.last_login.as_deref(), Some("2026-11-30 10:00:00"));
        assert_eq!((state.response_ms, state.http_status), (None, None));
        assert_eq!(state.last_success_at, Some(200));
    }
}
