//! `webhost check`: the Nagios/Icinga plugin line (`WEBHOST OK - summary | perfdata`), or JSON.

use anyhow::Result;
use serde::Serialize;

use super::{Output, terminal_safe};
use crate::domain::check::{PerfValue, PluginState, Verdict};
use crate::domain::health::Health;
use crate::domain::model::{RecordType, Status};
use crate::domain::secret;
use crate::domain::units::serialize_opt_rfc3339;

/// A verdict as `check --json` prints it (docs/schema/check.schema.json). Every key is always
/// there: a script reads `type` and `ref` even of an UNKNOWN about a ref that names nothing.
#[derive(Debug, Serialize)]
struct VerdictView<'a> {
    state: PluginState,
    exit_code: u8,
    summary: &'a str,
    /// The perfdata exactly as on the plugin line (empty when none).
    perfdata: String,
    /// The same values, one object each.
    metrics: &'a [PerfValue],
    /// The record's type; as asked (`--host`, `--instance`) or null when no record was found.
    #[serde(rename = "type")]
    record_type: Option<RecordType>,
    /// The record's ref, or the REF as typed when no record was found.
    #[serde(rename = "ref")]
    reference: &'a str,
    /// Null when no record was found (nor the fields below).
    status: Option<Status>,
    health: Option<Health>,
    reasons: &'a [String],
    #[serde(serialize_with = "serialize_opt_rfc3339")]
    last_check_at: Option<i64>,
    live: bool,
    /// In a maintenance window until then (null: not, or `--maintenance ignore`).
    #[serde(serialize_with = "serialize_opt_rfc3339")]
    maintenance_until: Option<i64>,
}

/// What `check` was asked about: the REF as typed, and `--host`/`--instance` if given.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub reference: &'a str,
    pub record_type: Option<RecordType>,
}

/// `'label'=value[unit];warn;crit;min;max`, trailing empty fields left out as plugins do; `U`
/// (no unit) for a value that could not be measured.
fn perf_text(v: &PerfValue) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let value = match v.value {
        Some(n) => format!("{n}{}", v.unit),
        None => "U".to_string(),
    };
    let fields = [
        format!("'{}'={value}", v.label),
        opt(&v.warn),
        opt(&v.crit),
        num(v.min),
        num(v.max),
    ];
    let used = fields.iter().rposition(|f| !f.is_empty()).unwrap_or(0) + 1;
    fields[..used].join(";")
}

fn perfdata(metrics: &[PerfValue]) -> String {
    metrics.iter().map(perf_text).collect::<Vec<_>>().join(" ")
}

/// `WEBHOST OK - summary | perfdata`, on one line whatever the messages hold, terminal-safe
/// (Icinga shows it in a browser, but people run plugins in a shell too) and with any URL in
/// it redacted (an unknown ref is quoted as typed).
pub fn line(v: &Verdict) -> String {
    // A newline would end the plugin output, `|` starts perfdata, and Nagios turns a `;` (a
    // server's message may hold one) into `:`.
    let summary: String = v
        .summary
        .chars()
        .map(|c| match c {
            '\n' | '\r' => ' ',
            '|' => '/',
            ';' => ',',
            c => c,
        })
        .collect();
    let mut line = format!(
        "WEBHOST {} - {}",
        v.state.as_str(),
        terminal_safe(&secret::scrub(summary.trim(), &[]))
    );
    let perf = perfdata(&v.metrics);
    if !perf.is_empty() {
        line.push_str(" | ");
        line.push_str(&perf);
    }
    line
}

/// The plugin line for a `check` command line clap refused: UNKNOWN with clap's first
/// paragraph on one line (Nagios shows only stdout, and only its first line), `error: ` left
/// out.
fn usage_line(clap_message: &str) -> String {
    let paragraph: Vec<&str> = clap_message
        .trim_start()
        .lines()
        .map(str::trim)
        .take_while(|l| !l.is_empty())
        .collect();
    let text = paragraph.join(" ");
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    line(&Verdict::unknown(text.to_string(), None))
}

impl Output {
    /// The plugin line on stdout (even with `--quiet`: it is what was asked for), or JSON.
    /// `asked` names the record in the JSON when the verdict found none.
    pub fn check(&self, v: &Verdict, asked: Asked) -> Result<()> {
        if self.json {
            let s = v.subject.as_ref();
            return self.json(&VerdictView {
                state: v.state,
                exit_code: v.state.code(),
                summary: &v.summary,
                perfdata: perfdata(&v.metrics),
                metrics: &v.metrics,
                record_type: s.map(|s| s.record_type).or(asked.record_type),
                reference: s.map_or(asked.reference, |s| s.reference.as_str()),
                status: s.map(|s| s.status),
                health: s.map(|s| s.health),
                reasons: s.map_or(&[], |s| s.reasons.as_slice()),
                last_check_at: s.and_then(|s| s.checked_at),
                live: s.is_some_and(|s| s.live),
                maintenance_until: s.and_then(|s| s.maintenance_until),
            });
        }
        self.raw(format!("{}\n", line(v)).as_bytes())
    }

    /// The UNKNOWN line for a `check` command line clap refused (`clap_message`), always as
    /// text: the JSON flag may be what was mistyped.
    pub fn check_usage_error(&self, clap_message: &str) -> Result<()> {
        self.raw(format!("{}\n", usage_line(clap_message)).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::check::{Measures, Response, ResponseLimits, perfdata as values, summary};
    use crate::domain::model::Status;
    use crate::domain::model::{Threshold, Thresholds};

    const NOW: i64 = 1_800_000_000;

    fn text(m: &Measures, t: &Thresholds) -> String {
        perfdata(&values(m, t, &ResponseLimits::default(), NOW))
    }

    #[test]
    fn perfdata_with_a_known_total() {
        let m = Measures {
            response: Response::Answered(84),
            disk_used: Some(408_728_190_976),
            disk_total: Some(527_371_075_584),
            ..Measures::default()
        };
        assert_eq!(
            text(&m, &Thresholds::default()),
            "'response'=84ms;;;0 'disk_used'=408728190976B;421896860467;474633968026;0;527371075584"
        );
    }

    #[test]
    fn perfdata_of_no_answer_is_u() {
        let refused = Measures {
            response: Response::NoAnswer,
            ..Measures::default()
        };
        assert_eq!(text(&refused, &Thresholds::default()), "'response'=U;;;0");
        let untimed = Measures {
            response: Response::Unmeasured,
            ..Measures::default()
        };
        assert_eq!(text(&untimed, &Thresholds::default()), "");
    }

    #[test]
    fn perfdata_without_a_total() {
        let m = Measures {
            disk_used: Some(1_189_085_184),
            ..Measures::default()
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
            ..Measures::default()
        };
        assert_eq!(text(&m, &Thresholds::default()), "'cert_days'=30;21:;7:");
        assert_eq!(text(&Measures::default(), &Thresholds::default()), "");
    }

    #[test]
    fn plugin_line() {
        let v = Verdict {
            state: PluginState::Critical,
            summary: summary(
                "shop",
                Status::Offline,
                Some("connection refused\nor | worse"),
                &["status offline".to_string()],
            ),
            metrics: Vec::new(),
            subject: None,
        };
        assert_eq!(
            line(&v),
            "WEBHOST CRITICAL - shop offline, connection refused or / worse"
        );
        let hostile = Verdict::unknown("version 1.0\u{1b}]52;c;x\u{7}\u{9b}".into(), None);
        assert_eq!(
            line(&hostile),
            "WEBHOST UNKNOWN - version 1.0\\u{1b}]52,c,x\\u{7}\\u{9b}"
        );
        // A server's `;` would reach Nagios as `:`.
        let listed = Verdict::unknown("srv: 40% used; 2 instances listed".into(), None);
        assert_eq!(
            line(&listed),
            "WEBHOST UNKNOWN - srv: 40% used, 2 instances listed"
        );
        assert_eq!(v.state.code(), 2);
        assert_eq!(
            usage_line(
                "error: the following required arguments were not provided:\n  <REF>\n\n\
                 Usage: webhost check <REF>\n"
            ),
            "WEBHOST UNKNOWN - the following required arguments were not provided: <REF>"
        );
        assert_eq!(PluginState::Unknown.code(), 3);
    }
}
