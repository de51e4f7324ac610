//! `webhost metrics`: the fleet in the Prometheus text exposition format (version 0.0.4).
//!
//! `render` is pure, so the format is tested here without a database; `atomic::write` puts
//! the text where node_exporter's textfile collector never sees half a file.

use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;

use super::Output;
use crate::domain::health::Health;
use crate::domain::history::PassInfo;
use crate::domain::inventory::ModuleCount;
use crate::domain::model::{ApiKind, RecordType, Status};

/// One record as the metrics see it. `None` values are unknown and give no sample.
#[derive(Debug, Clone)]
pub struct RecordSample {
    pub record_type: RecordType,
    pub reference: String,
    /// The `api` label, named as in `--json`.
    pub api: ApiKind,
    /// The host it lives on (an instance), or its own ref (a host).
    pub host: Option<String>,
    pub status: Status,
    pub health: Health,
    /// The time of the last check's answer; None when none came (refused, timed out).
    pub response_ms: Option<u64>,
    pub disk_used: Option<u64>,
    pub disk_total: Option<u64>,
    pub last_check_at: Option<i64>,
    pub cert_expires_at: Option<i64>,
    /// Instances whose module list is known.
    pub modules: Option<ModuleCount>,
    /// In a maintenance window now.
    pub maintenance: bool,
}

const STATUSES: [Status; 6] = [
    Status::Online,
    Status::Offline,
    Status::Error,
    Status::Missing,
    Status::Unreachable,
    Status::Unknown,
];

/// A metric family: its name, help, and samples as (labels already rendered, value).
struct Family {
    name: &'static str,
    help: &'static str,
    samples: Vec<(String, f64)>,
}

impl Family {
    fn new(name: &'static str, help: &'static str) -> Family {
        Family {
            name,
            help,
            samples: Vec::new(),
        }
    }

    fn add(&mut self, labels: String, value: Option<f64>) {
        if let Some(v) = value.filter(|v| v.is_finite()) {
            self.samples.push((labels, v));
        }
    }
}

/// The whole exposition: every family with `# HELP` and `# TYPE gauge`, then its samples.
pub fn render(records: &[RecordSample], passes: &[PassInfo]) -> String {
    let mut up = Family::new(
        "webhost_up",
        "1 when the last check found the record online, 0 when offline, error, missing or \
         unreachable (an instance down with its host). \
         Labels of every record's series: type (host or instance), ref, api (its --api) and \
         host (its host's ref, a host's own).",
    );
    let mut status = Family::new(
        "webhost_status",
        "The record's status as of its last check: 1 for the current one, 0 for the others.",
    );
    let mut maintenance = Family::new(
        "webhost_maintenance",
        "1 when the record is in a maintenance window now (its alerts are held back), else 0.",
    );
    let mut health = Family::new(
        "webhost_health",
        "Health from status and thresholds: 0 ok, 1 warning, 2 critical, 3 unknown.",
    );
    let mut response = Family::new(
        "webhost_response_seconds",
        "Response time of the last check; no sample when no answer came (refused, timed out).",
    );
    let mut disk_used = Family::new(
        "webhost_disk_used_bytes",
        "Disk used: the instance's folders, or the host's partition.",
    );
    let mut disk_total = Family::new(
        "webhost_disk_total_bytes",
        "Size of the partition, when known.",
    );
    let mut last_check = Family::new(
        "webhost_last_check_timestamp_seconds",
        "When the record was last checked (Unix time).",
    );
    let mut cert = Family::new(
        "webhost_certificate_expiry_timestamp_seconds",
        "When the record's TLS certificate expires (Unix time).",
    );
    let mut modules = Family::new(
        "webhost_modules",
        "Modules installed on the instance (Dolibarr), active or not.",
    );
    let mut modules_active = Family::new(
        "webhost_modules_active",
        "Modules switched on in the instance (Dolibarr).",
    );
    for r in records {
        let labels = record_labels(r);
        // Never checked: up or down is not known yet.
        up.add(
            labels.clone(),
            (r.status != Status::Unknown)
                .then_some(f64::from(u8::from(r.status == Status::Online))),
        );
        for s in STATUSES {
            status.add(
                format!("{labels},status=\"{}\"", s.as_str()),
                Some(f64::from(u8::from(r.status == s))),
            );
        }
        maintenance.add(labels.clone(), Some(f64::from(u8::from(r.maintenance))));
        health.add(labels.clone(), Some(health_value(r.health)));
        response.add(labels.clone(), r.response_ms.map(|ms| ms as f64 / 1000.0));
        disk_used.add(labels.clone(), r.disk_used.map(|b| b as f64));
        disk_total.add(labels.clone(), r.disk_total.map(|b| b as f64));
        last_check.add(labels.clone(), r.last_check_at.map(|t| t as f64));
        cert.add(labels.clone(), r.cert_expires_at.map(|t| t as f64));
        if let Some(m) = r.modules {
            modules.add(labels.clone(), Some(m.total as f64));
            modules_active.add(labels, Some(m.active as f64));
        }
    }
    let mut last_pass = Family::new(
        "webhost_last_pass_timestamp_seconds",
        "When the last finished pass started (Unix time); pass is update-hosts or \
         update-instances.",
    );
    let mut pass_duration = Family::new(
        "webhost_pass_duration_seconds",
        "How long the last finished pass took; pass is update-hosts or update-instances.",
    );
    for p in passes {
        // The command's name, as `status --json` says it (`passes[].pass`).
        let labels = format!("pass=\"{}\"", escape_label(&p.kind));
        last_pass.add(labels.clone(), Some(p.started_at as f64));
        pass_duration.add(labels, p.duration_ms.map(|ms| ms as f64 / 1000.0));
    }
    let families = [
        up,
        status,
        maintenance,
        health,
        response,
        disk_used,
        disk_total,
        last_check,
        cert,
        modules,
        modules_active,
        last_pass,
        pass_duration,
    ];
    let mut out = String::new();
    for f in &families {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "# HELP {} {}", f.name, escape_help(f.help));
        let _ = writeln!(out, "# TYPE {} gauge", f.name);
        for (labels, value) in &f.samples {
            let _ = writeln!(out, "{}{{{labels}}} {value}", f.name);
        }
    }
    out
}

/// One poller's latest view of one record, for `pollers`.
pub struct ViewSample<'a> {
    pub record_type: RecordType,
    pub reference: &'a str,
    pub view: &'a crate::domain::poller::View,
}

/// Several pollers: `webhost_poller_up{type,ref,poller}`, each poller's own view of each record
/// (the records' series above follow the quorum), and each poller's last pass and whether it
/// stopped. Empty with a single poller: the series above say it all.
pub fn pollers(views: &[ViewSample], pollers: &[crate::domain::poller::PollerInfo]) -> String {
    if pollers.len() < 2 {
        return String::new();
    }
    let mut up = Family::new(
        "webhost_poller_up",
        "1 when this poller's latest check found the record up, 0 when down (the record's \
         webhost_up follows the pollers' quorum).",
    );
    for v in views {
        up.add(
            format!(
                "type=\"{}\",ref=\"{}\",poller=\"{}\"",
                v.record_type.as_str(),
                escape_label(v.reference),
                escape_label(&v.view.poller)
            ),
            Some(f64::from(u8::from(v.view.status == Status::Online))),
        );
    }
    let mut last = Family::new(
        "webhost_poller_last_pass_timestamp_seconds",
        "When this poller's last pass started (Unix time).",
    );
    let mut stale = Family::new(
        "webhost_poller_stale",
        "1 when this poller has run no pass for over an hour: it no longer counts in the quorum.",
    );
    for p in pollers {
        let labels = format!("poller=\"{}\"", escape_label(&p.name));
        last.add(labels.clone(), Some(p.last_pass_at as f64));
        stale.add(labels, Some(f64::from(u8::from(p.stale))));
    }
    let mut out = String::new();
    for f in [up, last, stale] {
        let _ = writeln!(out, "# HELP {} {}", f.name, escape_help(f.help));
        let _ = writeln!(out, "# TYPE {} gauge", f.name);
        for (labels, value) in &f.samples {
            let _ = writeln!(out, "{}{{{labels}}} {value}", f.name);
        }
    }
    out
}

/// `webhost_advisories{ref,severity}`: per audited instance, how many imported advisories
/// affect it at each severity (zeros included, so an alert clears); `unknown` for advisories
/// without one. Empty when no advisories are imported, as nothing is known then.
pub fn advisories(counts: &[(String, [usize; 5])]) -> String {
    let mut family = Family::new(
        "webhost_advisories",
        "Known vulnerabilities affecting the instance (webhost audit), by severity: low, \
         medium, high, critical, unknown.",
    );
    for (reference, by) in counts {
        let severities = ["low", "medium", "high", "critical", "unknown"];
        for (name, n) in severities.iter().zip(by) {
            family.add(
                format!("ref=\"{}\",severity=\"{name}\"", escape_label(reference)),
                Some(*n as f64),
            );
        }
    }
    let mut out = String::new();
    if family.samples.is_empty() {
        return out;
    }
    let _ = writeln!(out, "# HELP {} {}", family.name, escape_help(family.help));
    let _ = writeln!(out, "# TYPE {} gauge", family.name);
    for (labels, value) in &family.samples {
        let _ = writeln!(out, "{}{{{labels}}} {value}", family.name);
    }
    out
}

fn health_value(h: Health) -> f64 {
    match h {
        Health::Ok => 0.0,
        Health::Warning => 1.0,
        Health::Critical => 2.0,
        Health::Unknown => 3.0,
    }
}

fn record_labels(r: &RecordSample) -> String {
    format!(
        "type=\"{}\",ref=\"{}\",api=\"{}\",host=\"{}\"",
        r.record_type.as_str(),
        escape_label(&r.reference),
        r.api.as_str(),
        escape_label(r.host.as_deref().unwrap_or(""))
    )
}

/// A label value as the format wants it: backslash, double quote and newline escaped.
pub fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// HELP text escapes only backslash and newline.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

/// `metrics --output FILE --json`: the file written, as `report --json` says it.
#[derive(Debug, Serialize)]
struct MetricsWritten<'a> {
    path: &'a str,
    bytes: usize,
}

impl Output {
    /// The exposition on stdout (whatever `--json` says: it is the format asked for).
    pub fn metrics(&self, text: &str) -> Result<()> {
        self.raw(text.as_bytes())
    }

    /// `--output FILE` was written: with `--json`, what and how big (else nothing, as cron
    /// wants).
    pub fn metrics_written(&self, path: &str, bytes: usize) -> Result<()> {
        if self.json {
            return self.json(&MetricsWritten { path, bytes });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(reference: &str, status: Status) -> RecordSample {
        RecordSample {
            record_type: RecordType::Instance,
            reference: reference.to_string(),
            api: ApiKind::Ping,
            host: None,
            status,
            health: Health::Unknown,
            response_ms: None,
            disk_used: None,
            disk_total: None,
            last_check_at: None,
            cert_expires_at: None,
            modules: None,
            maintenance: false,
        }
    }

    fn samples<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
        text.lines()
            .filter(|l| l.starts_with(&format!("{name}{{")))
            .collect()
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(escape_label(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label("two\nlines"), r"two\nlines");
        assert_eq!(escape_help("a\\b\nc"), r"a\\b\nc");
    }

    #[test]
    fn known_values_only() {
        let mut srv = sample("srv", Status::Online);
        srv.record_type = RecordType::Host;
        srv.api = ApiKind::ServerManagerV1;
        srv.host = Some("srv".into());
        srv.health = Health::Warning;
        srv.response_ms = Some(84);
        srv.disk_used = Some(408_728_190_976);
        srv.disk_total = Some(527_371_075_584);
        srv.last_check_at = Some(1_800_000_000);
        let mut shop = sample("shop", Status::Online);
        shop.modules = Some(ModuleCount {
            total: 10,
            active: 6,
        });
        let never = sample("new", Status::Unknown);
        let passes = [PassInfo {
            kind: "update-hosts".into(),
            started_at: 1_800_000_000,
            duration_ms: Some(2_400),
            polled: 3,
            interrupted: false,
        }];
        let text = render(&[srv, shop, never], &passes);
        let host = r#"type="host",ref="srv",api="server-manager-v1",host="srv""#;
        assert_eq!(
            samples(&text, "webhost_up"),
            [
                format!("webhost_up{{{host}}} 1"),
                r#"webhost_up{type="instance",ref="shop",api="ping",host=""} 1"#.to_string(),
            ],
            "a record never checked has no up sample"
        );
        assert_eq!(
            samples(&text, "webhost_response_seconds"),
            [format!("webhost_response_seconds{{{host}}} 0.084")]
        );
        assert_eq!(
            samples(&text, "webhost_disk_total_bytes"),
            [format!("webhost_disk_total_bytes{{{host}}} 527371075584")]
        );
        assert_eq!(
            samples(&text, "webhost_health"),
            [
                format!("webhost_health{{{host}}} 1"),
                r#"webhost_health{type="instance",ref="shop",api="ping",host=""} 3"#.to_string(),
                r#"webhost_health{type="instance",ref="new",api="ping",host=""} 3"#.to_string(),
            ]
        );
        assert_eq!(
            samples(&text, "webhost_status").len(),
            18,
            "one-hot, 6 each"
        );
        assert!(text.contains(
            r#"webhost_status{type="instance",ref="new",api="ping",host="",status="unknown"} 1"#
        ));
        assert_eq!(
            samples(&text, "webhost_modules"),
            [r#"webhost_modules{type="instance",ref="shop",api="ping",host=""} 10"#]
        );
        assert_eq!(
            samples(&text, "webhost_pass_duration_seconds"),
            [r#"webhost_pass_duration_seconds{pass="update-hosts"} 2.4"#]
        );
        assert_eq!(
            samples(&text, "webhost_last_pass_timestamp_seconds"),
            [r#"webhost_last_pass_timestamp_seconds{pass="update-hosts"} 1800000000"#]
        );
        // Every family is announced once, and comes before its samples.
        assert_eq!(text.matches("# TYPE ").count(), 13);
        assert_eq!(
            samples(&text, "webhost_maintenance").len(),
            3,
            "0 or 1 for every record"
        );
        assert!(
            text.find("# TYPE webhost_up gauge") < text.find("webhost_up{"),
            "{text}"
        );
    }

    #[test]
    fn an_empty_fleet_still_has_the_families() {
        let text = render(&[], &[]);
        assert_eq!(text.lines().count(), 26);
        assert!(text.lines().all(|l| l.starts_with('#')));
    }
}
