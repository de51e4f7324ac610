//! Hosts and instances as tables and JSON. Tokens stay hidden unless asked for.

use std::path::Path;

use anyhow::Result;

use super::{Col, cell};
use serde::Serialize;

use super::Output;
use super::time;
use crate::domain::assertion::Assertions;
use crate::domain::health::Health;
use crate::domain::model::{ApiKind, RecordType, Status};
use crate::domain::model::{Module, Record, Security};
use crate::domain::push::DEFAULT_GRACE_S;
use crate::domain::secret::{redact, scrub};
use crate::domain::units::{duration_arg, human_bytes, plural};
use crate::domain::uptime::Uptime;

/// The JSON shape of a record. `token` is present only with `--show-token`.
#[derive(Debug, Serialize)]
pub struct RecordView<'a> {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: &'a str,
    pub label: Option<&'a str>,
    pub api: ApiKind,
    /// Redacted (`secret::redact`) unless `--show-token`.
    pub url: Option<String>,
    pub token_set: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<&'a str>,
    /// URLs in the arguments redacted unless `--show-token`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub probe: Vec<String>,
    pub enabled: bool,
    pub insecure_tls: bool,
    /// The record's own CA file (the stored `ca-file` setting applies when null).
    pub ca_file: Option<&'a str>,
    /// What the check asserts beyond "it answered"; left out when nothing.
    #[serde(skip_serializing_if = "Assertions::is_empty")]
    pub assertions: &'a Assertions,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<InstanceFields<'a>>,
    pub status: Status,
    pub status_since: Option<String>,
    pub message: Option<&'a str>,
    pub last_check_at: Option<String>,
    pub last_success_at: Option<String>,
    pub consecutive_failures: i64,
    pub response_ms: Option<u64>,
    pub http_status: Option<u16>,
    pub disk_used_bytes: Option<u64>,
    pub disk_total_bytes: Option<u64>,
    pub disk_partial: bool,
    pub health: Health,
    pub health_reasons: Vec<String>,
    pub cert_expires_at: Option<String>,
    pub cert_error: Option<&'a str>,
    pub thresholds: ThresholdsView,
    /// Percent up over 24 h / 7 d / 30 d (with `show`, and `list --uptime`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptime: Option<Uptime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modules: Option<Vec<ModuleView<'a>>>,
    /// The maintenance window it is in now (left out when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<MaintenanceView<'a>>,
}

/// A maintenance window in force: until when, and why.
#[derive(Debug, Serialize)]
pub struct MaintenanceView<'a> {
    pub until: String,
    pub reason: Option<&'a str>,
}

/// The thresholds in force, and whether they are the record's own.
#[derive(Debug, Serialize)]
pub struct ThresholdsView {
    pub disk_warn: String,
    pub disk_crit: String,
    pub cert_warn_days: i64,
    pub cert_crit_days: i64,
    pub custom: bool,
}

/// Fields only instances have.
#[derive(Debug, Serialize)]
pub struct InstanceFields<'a> {
    pub host: Option<&'a str>,
    pub remote_name: Option<&'a str>,
    pub discovered: bool,
    pub missing: bool,
    pub dolibarr_version: Option<&'a str>,
    /// The version first installed (`dolibarr.version1`).
    pub dolibarr_version_first: Option<&'a str>,
    /// The risky settings the observer reported; every value null when it reports none.
    pub security: Security,
    pub users_all: Option<i64>,
    pub users_active: Option<i64>,
    /// `YYYY-MM-DD HH:MM:SS` as the server reported it: its wall-clock time, zone unknown
    /// (so not an RFC 3339 instant like every other time here).
    pub last_login_local: Option<&'a str>,
    /// The number to put into WEBOBSERVER_INSTANCE_ID (a push may name it by id).
    pub id: i64,
    /// Fed by WebObserver's pushes, not fetched by passes.
    pub push: bool,
    /// Seconds without a push before it is offline (the default when not set).
    pub push_grace_seconds: i64,
    pub last_push_at: Option<String>,
}

/// One module of an instance; `module` as in `modules --json`.
#[derive(Debug, Serialize)]
pub struct ModuleView<'a> {
    pub module: &'a str,
    pub version: Option<&'a str>,
    pub active: bool,
    pub source: Option<&'a str>,
    pub editor: Option<&'a str>,
}

/// Module rows as their JSON view.
pub fn modules_json(modules: &[Module]) -> Vec<ModuleView<'_>> {
    modules
        .iter()
        .map(|m| ModuleView {
            module: &m.name,
            version: m.version.as_deref(),
            active: m.active,
            source: m.source.as_deref(),
            editor: m.editor.as_deref(),
        })
        .collect()
}

impl<'a> RecordView<'a> {
    pub fn new(r: &'a Record, show_token: bool, now: i64) -> RecordView<'a> {
        let s = &r.settings;
        let st = &r.state;
        let assessment = r.health(now);
        let t = s.thresholds();
        RecordView {
            record_type: r.record_type,
            reference: &s.reference,
            label: s.label.as_deref(),
            api: s.kind,
            url: url_text(s.url.as_deref(), show_token),
            token_set: r.has_token || s.token.is_some(),
            token: s.token.as_deref().filter(|_| show_token),
            probe: probe_args(&s.probe, show_token),
            enabled: s.enabled,
            insecure_tls: s.insecure_tls,
            ca_file: s.ca_file.as_deref(),
            assertions: &s.assertions,
            created_at: time::rfc3339(r.created_at),
            instance: (r.record_type == RecordType::Instance).then_some(InstanceFields {
                host: r.host_ref.as_deref(),
                remote_name: s.remote_name.as_deref(),
                discovered: r.discovered,
                missing: r.missing,
                dolibarr_version: st.dolibarr_version.as_deref(),
                dolibarr_version_first: st.first_version.as_deref(),
                security: st.security.unwrap_or_default(),
                users_all: st.users_all,
                users_active: st.users_active,
                last_login_local: st.last_login.as_deref(),
                id: r.id,
                push: s.push,
                push_grace_seconds: s.push_grace.unwrap_or(DEFAULT_GRACE_S),
                last_push_at: st.last_push_at.map(time::rfc3339),
            }),
            status: st.status(),
            status_since: st.status_since.map(time::rfc3339),
            message: st.message.as_deref(),
            last_check_at: st.last_check_at.map(time::rfc3339),
            last_success_at: st.last_success_at.map(time::rfc3339),
            consecutive_failures: st.consecutive_failures,
            response_ms: st.response_ms,
            http_status: st.http_status,
            disk_used_bytes: st.disk_used,
            disk_total_bytes: st.disk_total,
            disk_partial: st.disk_partial,
            health: assessment.health,
            health_reasons: assessment.reasons,
            cert_expires_at: st.cert_expires_at.map(time::rfc3339),
            cert_error: st.cert_error.as_deref(),
            thresholds: ThresholdsView {
                disk_warn: t.disk_warn.to_string(),
                disk_crit: t.disk_crit.to_string(),
                cert_warn_days: t.cert_warn_days,
                cert_crit_days: t.cert_crit_days,
                custom: s.has_own_thresholds(),
            },
            uptime: None,
            modules: None,
            maintenance: r.maintenance.as_ref().map(|m| MaintenanceView {
                until: time::rfc3339(m.until),
                reason: m.reason.as_deref(),
            }),
        }
    }
}

/// The URL as shown: its password and secret parameters masked, unless secrets were asked for.
fn url_text(url: Option<&str>, show_secrets: bool) -> Option<String> {
    url.map(|u| {
        let shown = crate::domain::url::to_unicode(u);
        if show_secrets {
            shown.into_owned()
        } else {
            redact(&shown)
        }
    })
}

/// A record's assertions in a line: `status 200,301; body ~ 'Bienvenue'; ...`, or `-`.
fn assertions_text(a: &Assertions) -> String {
    let mut parts = Vec::new();
    if !a.expect_status.is_empty() {
        let codes: Vec<String> = a.expect_status.iter().map(u16::to_string).collect();
        parts.push(format!("status {}", codes.join(",")));
    }
    if let Some(p) = &a.expect_body {
        parts.push(format!("body matches '{p}'"));
    }
    if let Some(p) = &a.reject_body {
        parts.push(format!("body not matching '{p}'"));
    }
    if let Some(ms) = a.max_response_ms {
        parts.push(format!(
            "answers within {}",
            crate::domain::units::human_duration(std::time::Duration::from_millis(ms))
        ));
    }
    if let Some(m) = &a.method {
        parts.push(format!("method {m}"));
    }
    if !a.headers.is_empty() {
        parts.push(format!("headers {}", a.headers.join(", ")));
    }
    match parts.is_empty() {
        true => "-".into(),
        false => parts.join("; "),
    }
}

/// A custom probe's command line as shown: a URL among its arguments loses its secrets too.
fn probe_args(probe: &[String], show_secrets: bool) -> Vec<String> {
    probe
        .iter()
        .map(|arg| {
            if show_secrets {
                arg.clone()
            } else {
                scrub(arg, &[])
            }
        })
        .collect()
}

fn percent_text(p: Option<f64>) -> String {
    p.map_or_else(
        || "-".to_string(),
        |p| format!("{:.2}%", crate::domain::uptime::shown_percent(p)),
    )
}

fn s_thresholds(r: &Record) -> String {
    let t = r.settings.thresholds();
    format!(
        "disk warn {} crit {}, certificate warn {} d crit {} d",
        t.disk_warn, t.disk_crit, t.cert_warn_days, t.cert_crit_days
    )
}

fn cert_text(r: &Record, now: i64) -> String {
    match (r.state.cert_expires_at, &r.state.cert_error) {
        (Some(t), _) if t <= now => format!("expired {}", time::local(t)),
        (Some(t), _) => format!(
            "expires {} (in {} days)",
            time::local(t),
            (t - now) / 86_400
        ),
        (None, Some(e)) => format!("unreadable: {e}"),
        (None, None) => "-".to_string(),
    }
}

fn or_dash(v: Option<impl ToString>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// Disk as people read it: `1.1 GiB`, `~402 MiB` when partial, `74.9 GiB / 100.0 GiB`.
fn disk_text(r: &Record) -> String {
    let st = &r.state;
    match (st.disk_used, st.disk_total) {
        (Some(u), Some(t)) if t > 0 => format!(
            "{} / {} ({}%)",
            human_bytes(u),
            human_bytes(t),
            (u as f64 * 100.0 / t as f64).round()
        ),
        (Some(u), _) if st.disk_partial => format!("≥{}", human_bytes(u)),
        (Some(u), _) => human_bytes(u),
        (None, _) => "-".to_string(),
    }
}

/// `18.0.4 (first installed 16.0.2)`: how old an install is beside what it runs now.
fn dolibarr_text(st: &crate::domain::model::State) -> String {
    match (st.dolibarr_version.as_deref(), st.first_version.as_deref()) {
        (Some(now), Some(first)) if now != first => format!("{now} (first installed {first})"),
        (Some(now), Some(_)) => format!("{now} (as first installed)"),
        (Some(now), None) => now.to_string(),
        (None, Some(first)) => format!("- (first installed {first})"),
        (None, None) => "-".to_string(),
    }
}

/// The observer's security settings in words: the risks first, else what is known to be fine.
fn security_text(security: Option<Security>) -> String {
    let Some(s) = security else {
        return "-".to_string();
    };
    let risks = s.risks();
    if !risks.is_empty() {
        return risks
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
    }
    let mut fine = Vec::new();
    if s.install_lock == Some(true) {
        fine.push("install locked");
    }
    if s.main_features_level == Some(0) {
        fine.push("stable features only");
    }
    if s.database_pwd_encrypted == Some(true) {
        fine.push("database password encrypted");
    }
    fine.join(", ")
}

/// The command that adds a first record of this type, as a hint.
fn add_example(rt: RecordType) -> &'static str {
    match rt {
        RecordType::Instance => "webhost instance add REF --api ping --url URL",
        RecordType::Host => "webhost host add REF --api server-manager-v1 --url URL --token-stdin",
    }
}

impl Output {
    /// Why a listing is empty: the database holds no record of this type (`stored` is 0),
    /// or none of its `stored` records matches the filters.
    pub fn nothing_listed(&self, rt: RecordType, stored: usize, db: &Path) {
        if self.json {
            return;
        }
        if stored == 0 {
            self.no_records(rt, db);
        } else {
            self.note(format!("no {rt}s match ({stored} in all)"));
        }
    }

    /// There is no record of this type in `db`: where to look, and how to add one.
    pub fn no_records(&self, rt: RecordType, db: &Path) {
        self.note(format!(
            "no {}s in {}: add one with `{}`",
            rt,
            db.display(),
            add_example(rt)
        ));
    }

    /// A pass found nothing to poll: no records (`stored` is 0), or monitoring off for all.
    pub fn nothing_to_poll(&self, rt: RecordType, stored: usize, db: &Path) {
        if stored == 0 {
            self.no_records(rt, db);
        } else {
            self.note(format!(
                "monitoring is off for {}: `webhost {rt} enable REF` turns it on",
                if stored == 1 {
                    format!("the only {rt}")
                } else {
                    format!("all {}", plural(stored as u64, rt.as_str()))
                }
            ));
        }
    }

    /// `host list` / `instance list`.
    /// `uptimes`, when given, holds one entry per record.
    pub fn records(
        &self,
        rt: RecordType,
        records: &[Record],
        uptimes: Option<&[Uptime]>,
        now: i64,
    ) -> Result<()> {
        if self.json {
            let views: Vec<_> = records
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut v = RecordView::new(r, false, now);
                    v.uptime = uptimes.and_then(|u| u.get(i).copied());
                    v
                })
                .collect();
            return self.json(&views);
        }
        if records.is_empty() {
            return Ok(()); // `nothing_listed` says why
        }
        // Left out first on a narrow terminal: what is the same on most rows, then what
        // `show` tells better; the ref, status and health always stay.
        let mut columns = vec![
            Col::whole("REF"),
            Col::wrap("LABEL").optional(5),
            Col::whole("API").optional(2),
            Col::whole("MONITOR").optional(1),
            Col::whole("STATUS"),
            Col::whole("HEALTH"),
            Col::whole("CHECKED").optional(9),
            Col::whole("RESPONSE").optional(8),
            Col::cut("DISK").optional(4),
        ];
        if uptimes.is_some() {
            columns.extend([
                Col::whole("UP 24H").optional(3),
                Col::whole("UP 7D").optional(3),
                Col::whole("UP 30D").optional(3),
            ]);
        }
        if rt == RecordType::Instance {
            columns.extend([
                Col::whole("HOST").optional(7),
                Col::whole("VERSION").optional(6),
            ]);
        }
        let mut t = self.table(&columns);
        for (i, r) in records.iter().enumerate() {
            let s = &r.settings;
            let st = &r.state;
            let mut row = vec![
                cell(&s.reference),
                cell(s.label.as_deref().unwrap_or("")),
                cell(s.kind),
                cell(if s.enabled { "on" } else { "off" }),
                self.status_in_window(st.status(), r.maintenance.is_some()),
                self.health_cell(r.health(now).health),
                cell(
                    st.last_check_at
                        .map_or_else(|| "never".into(), |t| time::age(t, now)),
                ),
                cell(or_dash(st.response_ms.map(|ms| format!("{ms} ms")))),
                cell(disk_text(r)),
            ];
            if let Some(u) = uptimes.and_then(|u| u.get(i)) {
                row.extend([u.day, u.week, u.month].map(|p| cell(percent_text(p))));
            }
            if rt == RecordType::Instance {
                row.push(cell(r.host_ref.as_deref().unwrap_or("-")));
                row.push(cell(st.dolibarr_version.as_deref().unwrap_or("-")));
            }
            t.add_row(row);
        }
        self.print_table(&t)
    }

    /// `host show` / `instance show`: every field, then (instances) the modules.
    pub fn record_detail(
        &self,
        r: &Record,
        modules: Option<&[Module]>,
        uptime: Uptime,
        show_token: bool,
        now: i64,
    ) -> Result<()> {
        if self.json {
            let mut view = RecordView::new(r, show_token, now);
            view.modules = modules.map(modules_json);
            view.uptime = Some(uptime);
            return self.json(&view);
        }
        let assessment = r.health(now);
        let t = s_thresholds(r);
        let s = &r.settings;
        let st = &r.state;
        let when = |t: Option<i64>| {
            t.map_or_else(
                || "never".to_string(),
                |t| format!("{} ({})", time::local(t), time::age(t, now)),
            )
        };
        let token = match (&s.token, show_token) {
            (Some(t), true) => t.clone(),
            _ if r.has_token || s.token.is_some() => "set".to_string(),
            _ => "not set".to_string(),
        };
        let mut fields: Vec<(&str, String)> = vec![
            ("ref", s.reference.clone()),
            ("type", r.record_type.to_string()),
            ("label", or_dash(s.label.as_deref())),
            ("api", s.kind.to_string()),
            ("url", or_dash(url_text(s.url.as_deref(), show_token))),
            ("token", token),
        ];
        if !s.probe.is_empty() {
            fields.push(("probe", probe_args(&s.probe, show_token).join(" ")));
        }
        fields.extend([
            (
                "monitoring",
                if s.enabled { "on" } else { "off" }.to_string(),
            ),
            (
                "insecure tls",
                if s.insecure_tls { "yes" } else { "no" }.to_string(),
            ),
            ("ca file", or_dash(s.ca_file.as_deref())),
            ("asserts", assertions_text(&s.assertions)),
            ("created", time::local(r.created_at)),
        ]);
        if r.record_type == RecordType::Instance {
            fields.extend([
                ("host", or_dash(r.host_ref.as_deref())),
                ("remote name", or_dash(s.remote_name.as_deref())),
                (
                    "discovered",
                    if r.discovered { "yes" } else { "no" }.to_string(),
                ),
                ("id", r.id.to_string()),
                (
                    "push",
                    match s.push {
                        true => format!(
                            "yes, offline after {} without one",
                            duration_arg(s.push_grace.unwrap_or(DEFAULT_GRACE_S).unsigned_abs())
                        ),
                        false => "no".to_string(),
                    },
                ),
                (
                    "last push",
                    st.last_push_at.map_or_else(|| "-".to_string(), time::local),
                ),
            ]);
        }
        fields.extend([
            ("status", st.status().to_string()),
            (
                "maintenance",
                r.maintenance.as_ref().map_or_else(
                    || "-".to_string(),
                    |m| match &m.reason {
                        Some(why) => format!("until {} ({why})", time::local(m.until)),
                        None => format!("until {}", time::local(m.until)),
                    },
                ),
            ),
            ("since", when(st.status_since)),
            ("message", or_dash(st.message.as_deref())),
            ("last check", when(st.last_check_at)),
            ("last success", when(st.last_success_at)),
            ("failures in a row", st.consecutive_failures.to_string()),
            (
                "response",
                or_dash(st.response_ms.map(|ms| format!("{ms} ms"))),
            ),
            ("http status", or_dash(st.http_status)),
            ("disk", disk_text(r)),
            ("health", {
                let mut h = assessment.health.to_string();
                if !assessment.reasons.is_empty() {
                    h = format!("{h} ({})", assessment.reasons.join("; "));
                }
                h
            }),
            ("thresholds", t),
            ("certificate", cert_text(r, now)),
            (
                "uptime",
                format!(
                    "{} (24 h)  {} (7 d)  {} (30 d)",
                    percent_text(uptime.day),
                    percent_text(uptime.week),
                    percent_text(uptime.month)
                ),
            ),
        ]);
        if r.record_type == RecordType::Instance {
            let users = match (st.users_all, st.users_active) {
                (None, None) => "-".to_string(),
                (a, b) => format!("{} ({} active)", or_dash(a), or_dash(b)),
            };
            fields.extend([
                ("dolibarr", dolibarr_text(st)),
                ("security", security_text(st.security)),
                ("users", users),
                ("last login", or_dash(st.last_login.as_deref())),
            ]);
        }
        let mut t = self.fields_table();
        for (k, v) in fields {
            let value = if k == "status" {
                self.status_in_window(st.status(), r.maintenance.is_some())
            } else {
                cell(v)
            };
            t.add_row(vec![cell(format!("{k}:")), value]);
        }
        self.print_table(&t)?;
        if let Some(modules) = modules {
            let mut mt = self.table(&[
                Col::whole("MODULE"),
                Col::whole("VERSION"),
                Col::whole("ACTIVE"),
                Col::cut("SOURCE").optional(2),
                Col::wrap("EDITOR").optional(1),
            ]);
            for m in modules {
                mt.add_row(vec![
                    cell(&m.name),
                    cell(m.version.as_deref().unwrap_or("?")),
                    cell(if m.active { "yes" } else { "no" }),
                    cell(m.source.as_deref().unwrap_or("-")),
                    cell(m.editor.as_deref().unwrap_or("-")),
                ]);
            }
            self.raw(format!("\nmodules ({}):\n", modules.len()).as_bytes())?;
            if !modules.is_empty() {
                self.print_table(&mt)?;
            }
        }
        Ok(())
    }
}
