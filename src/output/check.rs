//! `webhost check`: the Nagios/Icinga plugin line (`WEBHOST OK - summary | perfdata`), or JSON.

use anyhow::Result;
use serde::Serialize;

use super::Output;
use crate::health::{Health, Threshold, Thresholds};
use crate::model::{RecordType, Status};
use crate::time;

/// A plugin's four states, in the order of their exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PluginState {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl PluginState {
    pub fn as_str(self) -> &'static str {
        match self {
            PluginState::Ok => "OK",
            PluginState::Warning => "WARNING",
            PluginState::Critical => "CRITICAL",
            PluginState::Unknown => "UNKNOWN",
        }
    }

    /// The plugin exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_health(h: Health) -> PluginState {
        match h {
            Health::Ok => PluginState::Ok,
            Health::Warning => PluginState::Warning,
            Health::Critical => PluginState::Critical,
            Health::Unknown => PluginState::Unknown,
        }
    }
}

/// One performance value: `'label'=value[unit];warn;crit;min;max`. Warn and crit are Nagios
/// ranges (`21:` alerts below 21), hence text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerfValue {
    pub label: &'static str,
    pub value: i64,
    pub unit: &'static str,
    pub warn: Option<String>,
    pub crit: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl PerfValue {
    fn text(&self) -> String {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let fields = [
            format!("'{}'={}{}", self.label, self.value, self.unit),
            opt(&self.warn),
            opt(&self.crit),
            num(self.min),
            num(self.max),
        ];
        // Trailing empty fields may be left out, and plugins usually do.
        let used = fields.iter().rposition(|f| !f.is_empty()).unwrap_or(0) + 1;
        fields[..used].join(";")
    }
}

/// What is known of the record for perfdata. `None` gives no value.
#[derive(Debug, Clone, Copy)]
pub struct Measures {
    pub response_ms: Option<i64>,
    pub disk_used: Option<i64>,
    pub disk_total: Option<i64>,
    pub cert_expires_at: Option<i64>,
}

/// Response time, disk used (warn and crit in bytes: a percentage needs a known total), and
/// days left on the TLS certificate.
pub fn perfdata(m: &Measures, t: &Thresholds, now: i64) -> Vec<PerfValue> {
    let mut out = Vec::new();
    if let Some(ms) = m.response_ms {
        out.push(PerfValue {
            label: "response",
            value: ms,
            unit: "ms",
            warn: None,
            crit: None,
            min: Some(0),
            max: None,
        });
    }
    if let Some(used) = m.disk_used {
        let total = m.disk_total.filter(|t| *t > 0);
        let bytes = |th: Threshold| match (th, total) {
            (Threshold::Bytes(b), _) => Some(b.to_string()),
            (Threshold::Percent(p), Some(total)) => {
                Some(format!("{}", (total as f64 * p / 100.0).round() as i64))
            }
            (Threshold::Percent(_), None) => None,
        };
        out.push(PerfValue {
            label: "disk_used",
            value: used,
            unit: "B",
            warn: bytes(t.disk_warn),
            crit: bytes(t.disk_crit),
            min: Some(0),
            max: total,
        });
    }
    if let Some(expires) = m.cert_expires_at {
        // Fewer days is worse, so the ranges are "at least N": `21:`.
        out.push(PerfValue {
            label: "cert_days",
            value: (expires - now).div_euclid(86_400),
            unit: "",
            warn: Some(format!("{}:", t.cert_warn_days)),
            crit: Some(format!("{}:", t.cert_crit_days)),
            min: None,
            max: None,
        });
    }
    out
}

/// The record a report is about, for JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Subject {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: String,
    pub status: Status,
    pub health: Health,
    pub reasons: Vec<String>,
    #[serde(serialize_with = "opt_time")]
    pub checked_at: Option<i64>,
    /// Checked now (`--live`) rather than read from the store.
    pub live: bool,
}

fn opt_time<S: serde::Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&time::rfc3339(*t)),
        None => s.serialize_none(),
    }
}

/// What `check` found, ready to print.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub state: PluginState,
    pub exit_code: u8,
    pub summary: String,
    /// The perfdata exactly as on the plugin line (empty when none).
    pub perfdata: String,
    /// The same values, one object each.
    pub metrics: Vec<PerfValue>,
    #[serde(flatten)]
    pub subject: Option<Subject>,
}

impl CheckReport {
    pub fn new(
        state: PluginState,
        summary: String,
        metrics: Vec<PerfValue>,
        subject: Option<Subject>,
    ) -> CheckReport {
        CheckReport {
            state,
            exit_code: state.code(),
            summary,
            perfdata: metrics
                .iter()
                .map(PerfValue::text)
                .collect::<Vec<_>>()
                .join(" "),
            metrics,
            subject,
        }
    }

    /// UNKNOWN with a reason and nothing measured: a bad ref, a stale or disabled record, an
    /// unreadable database.
    pub fn unknown(summary: String, subject: Option<Subject>) -> CheckReport {
        CheckReport::new(PluginState::Unknown, summary, Vec::new(), subject)
    }

    /// `WEBHOST OK - summary | perfdata`, on one line whatever the messages hold.
    pub fn line(&self) -> String {
        // A newline would end the plugin output, and `|` starts perfdata.
        let summary: String = self
            .summary
            .chars()
            .map(|c| match c {
                '\n' | '\r' => ' ',
                '|' => '/',
                c => c,
            })
            .collect();
        let mut line = format!("WEBHOST {} - {}", self.state.as_str(), summary.trim());
        if !self.perfdata.is_empty() {
            line.push_str(" | ");
            line.push_str(&self.perfdata);
        }
        line
    }
}

/// `shop online, HTTP 200 in 84 ms`, then the health reasons the status does not already say.
pub fn summary(
    reference: &str,
    status: Status,
    message: Option<&str>,
    reasons: &[String],
) -> String {
    let mut s = format!("{reference} {status}");
    if let Some(m) = message.map(str::trim).filter(|m| !m.is_empty()) {
        s.push_str(", ");
        s.push_str(m);
    }
    for r in reasons.iter().filter(|r| !r.starts_with("status ")) {
        s.push_str("; ");
        s.push_str(r);
    }
    s
}

impl Output {
    /// The plugin line on stdout (even with `--quiet`: it is what was asked for), or JSON.
    pub fn check(&self, report: &CheckReport) -> Result<()> {
        if self.json {
            return self.json(report);
        }
        self.raw(format!("{}\n", report.line()).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn measures() -> Measures {
        Measures {
            response_ms: None,
            disk_used: None,
            disk_total: None,
            cert_expires_at: None,
        }
    }

    fn text(m: &Measures, t: &Thresholds) -> String {
        CheckReport::new(PluginState::Ok, String::new(), perfdata(m, t, NOW), None).perfdata
    }

    #[test]
    fn perfdata_with_a_known_total() {
        let m = Measures {
            response_ms: Some(84),
            disk_used: Some(408_728_190_976),
            disk_total: Some(527_371_075_584),
            ..measures()
        };
        assert_eq!(
            text(&m, &Thresholds::default()),
            "'response'=84ms;;;0 'disk_used'=408728190976B;421896860467;474633968026;0;527371075584"
        );
    }

    #[test]
    fn perfdata_without_a_total() {
        let m = Measures {
            disk_used: Some(1_189_085_184),
            ..measures()
        };
        // A percentage cannot become bytes without a total; a byte threshold can.
        assert_eq!(
            text(&m, &Thresholds::default()),
            "'disk_used'=1189085184B;;;0"
        );
        let t = Thresholds {
            disk_warn: Threshold::Bytes(5 << 30),
            ..Thresholds::default()
        };
        assert_eq!(text(&m, &t), "'disk_used'=1189085184B;5368709120;;0");
    }

    #[test]
    fn perfdata_for_certificates_counts_days_left() {
        let m = Measures {
            cert_expires_at: Some(NOW + 30 * 86_400 + 5),
            ..measures()
        };
        assert_eq!(text(&m, &Thresholds::default()), "'cert_days'=30;21:;7:");
        assert_eq!(text(&measures(), &Thresholds::default()), "");
    }

    #[test]
    fn plugin_line() {
        let r = CheckReport::new(
            PluginState::Critical,
            summary(
                "shop",
                Status::Offline,
                Some("connection refused\nor | worse"),
                &["status offline".to_string()],
            ),
            Vec::new(),
            None,
        );
        assert_eq!(
            r.line(),
            "WEBHOST CRITICAL - shop offline, connection refused or / worse"
        );
        assert_eq!(r.exit_code, 2);
        let w = summary(
            "srv",
            Status::Online,
            None,
            &["disk 78% used (threshold 75%)".to_string()],
        );
        assert_eq!(w, "srv online; disk 78% used (threshold 75%)");
        assert_eq!(PluginState::Unknown.code(), 3);
    }
}
