//! `webhost status`: counts, problems, disks, certificates and pass ages.

use std::collections::BTreeMap;

use super::{Col, cell};
use anyhow::Result;
use serde::Serialize;

use super::{Output, time};
use crate::domain::advisory::AuditCounts;
use crate::domain::fleet::{FillLine, FleetStatus, RiskyCounts, TypeCounts};
use crate::domain::health::Health;
use crate::domain::model::{RecordType, Status};
use crate::domain::units::{human_bytes, plural, rfc3339};

/// `status --json` (docs/schema/status.schema.json): the fleet, under the field names the
/// records use (`status_since`, `disk_used_bytes`, `cert_expires_at`), and every status and
/// health counted, zeros included, so a script need not guess a missing key.
#[derive(Serialize)]
struct FleetView<'a> {
    counts: Vec<CountsView>,
    not_online: Vec<ProblemView<'a>>,
    disks: Vec<DiskView<'a>>,
    certificates: Vec<CertView<'a>>,
    /// Disks reaching their next level soonest (`--forecasts` of them).
    disks_filling: &'a [FillLine],
    risky_settings: RiskyCounts,
    /// Null until advisories are imported (`webhost advisories import`).
    advisories: Option<AuditCounts>,
    passes: Vec<PassView<'a>>,
    stale_after_seconds: i64,
    connectivity_check: &'a [String],
    pollers: Vec<PollerView<'a>>,
}

#[derive(Serialize)]
struct PollerView<'a> {
    name: &'a str,
    last_pass_at: String,
    last_pass: &'a str,
    /// Its last pass found its own network down.
    offline: bool,
    /// No pass for over an hour: it no longer counts in the quorum.
    stale: bool,
}

#[derive(Serialize)]
struct CountsView {
    #[serde(rename = "type")]
    record_type: RecordType,
    total: usize,
    by_status: BTreeMap<&'static str, usize>,
    by_health: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct ProblemView<'a> {
    #[serde(rename = "type")]
    record_type: RecordType,
    #[serde(rename = "ref")]
    reference: &'a str,
    status: Status,
    message: Option<&'a str>,
    status_since: Option<String>,
    /// In a maintenance window until then; null when not.
    maintenance_until: Option<String>,
}

#[derive(Serialize)]
struct DiskView<'a> {
    #[serde(rename = "type")]
    record_type: RecordType,
    #[serde(rename = "ref")]
    reference: &'a str,
    disk_used_bytes: u64,
    disk_total_bytes: Option<u64>,
    health: Health,
    reason: &'a str,
}

#[derive(Serialize)]
struct CertView<'a> {
    #[serde(rename = "type")]
    record_type: RecordType,
    #[serde(rename = "ref")]
    reference: &'a str,
    cert_expires_at: String,
    days_left: i64,
}

#[derive(Serialize)]
struct PassView<'a> {
    /// The command, as the `pass` label of the metrics says it.
    pass: &'a str,
    started_at: Option<String>,
    age_seconds: Option<i64>,
    duration_ms: Option<i64>,
    polled: Option<i64>,
    stale: bool,
    interrupted: bool,
}

/// Every status and every health, counted (0 for those no record has).
fn counts_view(c: &TypeCounts) -> CountsView {
    CountsView {
        record_type: c.record_type,
        total: c.total,
        by_status: every_key(Status::ALL.map(Status::as_str), &c.by_status),
        by_health: every_key(Health::ALL.map(Health::as_str), &c.by_health),
    }
}

/// `seen`'s count of each of `keys`, 0 for a key it lacks.
pub(super) fn every_key<const N: usize>(
    keys: [&'static str; N],
    seen: &BTreeMap<&'static str, usize>,
) -> BTreeMap<&'static str, usize> {
    keys.into_iter()
        .map(|k| (k, seen.get(k).copied().unwrap_or(0)))
        .collect()
}

fn fleet_view(f: &FleetStatus) -> FleetView<'_> {
    FleetView {
        counts: f.counts.iter().map(counts_view).collect(),
        not_online: f
            .not_online
            .iter()
            .map(|p| ProblemView {
                record_type: p.record_type,
                reference: &p.reference,
                status: p.status,
                message: p.message.as_deref(),
                status_since: p.since.map(rfc3339),
                maintenance_until: p.maintenance_until.map(rfc3339),
            })
            .collect(),
        disks: f
            .disks
            .iter()
            .map(|d| DiskView {
                record_type: d.record_type,
                reference: &d.reference,
                disk_used_bytes: d.used_bytes,
                disk_total_bytes: d.total_bytes,
                health: d.health,
                reason: &d.reason,
            })
            .collect(),
        certificates: f
            .certificates
            .iter()
            .map(|c| CertView {
                record_type: c.record_type,
                reference: &c.reference,
                cert_expires_at: rfc3339(c.expires_at),
                days_left: c.days_left,
            })
            .collect(),
        disks_filling: &f.filling,
        risky_settings: f.risky,
        advisories: f.advisories,
        passes: f
            .passes
            .iter()
            .map(|p| PassView {
                pass: &p.kind,
                started_at: p.started_at.map(rfc3339),
                age_seconds: p.age_seconds,
                duration_ms: p.duration_ms,
                polled: p.polled,
                stale: p.stale,
                interrupted: p.interrupted,
            })
            .collect(),
        stale_after_seconds: f.stale_after_seconds,
        connectivity_check: &f.connectivity_check,
        pollers: f
            .pollers
            .iter()
            .map(|p| PollerView {
                name: &p.name,
                last_pass_at: rfc3339(p.last_pass_at),
                last_pass: &p.last_pass_kind,
                offline: p.offline,
                stale: p.stale,
            })
            .collect(),
    }
}

impl Output {
    pub fn fleet(&self, f: &FleetStatus, now: i64) -> Result<()> {
        if self.json {
            return self.json(&fleet_view(f));
        }
        let mut out = String::new();
        for c in &f.counts {
            let statuses: Vec<String> = c
                .by_status
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect();
            let health: Vec<String> = c
                .by_health
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect();
            out.push_str(&format!(
                "{}s: {} ({}; health {})\n",
                c.record_type,
                c.total,
                if statuses.is_empty() {
                    "none".to_string()
                } else {
                    statuses.join(", ")
                },
                if health.is_empty() {
                    "-".to_string()
                } else {
                    health.join(", ")
                },
            ));
        }
        let risky = f.risky;
        if risky.instances > 0 {
            out.push_str(&format!(
                "risky settings: {} ({} install wizard not locked, {} experimental or development \
                 features on, {} database password not encrypted)\n",
                plural(risky.instances as u64, "instance"),
                risky.install_unlocked,
                risky.unstable_features,
                risky.plain_database_password,
            ));
        }
        if let Some(a) = f
            .advisories
            .filter(|a| a.affected_instances > 0 || a.cannot_tell > 0)
        {
            out.push_str(&format!(
                "known vulnerabilities: {} affected ({} critical, {} high, {} medium, {} low, {} \
                 of unknown severity), {} whose version cannot be told (see `webhost audit`)\n",
                plural(a.affected_instances as u64, "instance"),
                a.critical,
                a.high,
                a.medium,
                a.low,
                a.unknown_severity,
                a.cannot_tell,
            ));
        }
        for p in &f.passes {
            let mut when = match (p.started_at, p.age_seconds) {
                (Some(t), Some(a)) if a < 0 => format!(
                    "last run at {}, ahead of this machine's clock",
                    time::local(t)
                ),
                (Some(t), Some(_)) => format!("last run {}", time::age(t, now)),
                _ => "never run".to_string(),
            };
            if p.interrupted {
                when.push_str(", interrupted before it checked every record");
            }
            let flag = if p.stale {
                format!(
                    "  STALE: older than {} min, is cron running?",
                    f.stale_after_seconds / 60
                )
            } else {
                String::new()
            };
            out.push_str(&format!("{}: {when}{flag}\n", p.kind));
        }
        // One poller is the usual case: it is the passes above. Several are listed.
        if f.pollers.len() > 1 {
            let listed: Vec<String> = f
                .pollers
                .iter()
                .map(|p| {
                    let mut s = format!(
                        "{} (last {} {})",
                        p.name,
                        p.last_pass_kind,
                        time::age(p.last_pass_at, now)
                    );
                    if p.stale {
                        s.push_str(" STALE: stopped?");
                    } else if p.offline {
                        s.push_str(" its network was down");
                    }
                    s
                })
                .collect();
            out.push_str(&format!("pollers: {}\n", listed.join(", ")));
        }
        if f.connectivity_check.is_empty() {
            out.push_str(
                "connectivity check: none configured: a pass where nothing answers at all is \
                 taken for this machine's network being down (set one: webhost config set \
                 connectivity-check HOST:PORT)\n",
            );
        }
        self.raw(out.as_bytes())?;
        if !f.not_online.is_empty() {
            self.raw(b"\nnot online:\n")?;
            let mut t = self.table(&[
                Col::whole("TYPE").optional(1),
                Col::whole("REF"),
                Col::whole("STATUS"),
                Col::whole("SINCE").optional(2),
                Col::wrap("MESSAGE"),
            ]);
            for p in &f.not_online {
                t.add_row(vec![
                    cell(p.record_type),
                    cell(&p.reference),
                    self.status_in_window(p.status, p.maintenance_until.is_some()),
                    cell(p.since.map_or_else(|| "-".into(), |s| time::age(s, now))),
                    cell(p.message.as_deref().unwrap_or("")),
                ]);
            }
            self.print_table(&t)?;
        }
        if !f.disks.is_empty() {
            self.raw(b"\ndisks over threshold:\n")?;
            let mut t = self.table(&[
                Col::whole("TYPE").optional(1),
                Col::whole("REF"),
                Col::whole("HEALTH"),
                Col::whole("USED"),
                Col::whole("TOTAL").optional(2),
                Col::wrap("WHY"),
            ]);
            for d in &f.disks {
                t.add_row(vec![
                    cell(d.record_type),
                    cell(&d.reference),
                    self.health_cell(d.health),
                    cell(human_bytes(d.used_bytes)),
                    cell(d.total_bytes.map_or_else(|| "-".into(), human_bytes)),
                    cell(&d.reason),
                ]);
            }
            self.print_table(&t)?;
        }
        if !f.filling.is_empty() {
            self.raw(b"\ndisks filling soonest (webhost disks has them all):\n")?;
            let mut t = self.table(&[
                Col::whole("TYPE").optional(1),
                Col::whole("REF"),
                Col::whole("REACHES"),
                Col::whole("ON"),
                Col::whole("GROWTH/DAY").optional(2),
            ]);
            for d in &f.filling {
                t.add_row(vec![
                    cell(d.record_type),
                    cell(&d.reference),
                    cell(d.level.as_str()),
                    cell(time::day(d.at)),
                    cell(super::disks::growth_text(d.growth_bytes_per_day as f64)),
                ]);
            }
            self.print_table(&t)?;
        }
        if !f.certificates.is_empty() {
            self.raw(b"\ncertificates expiring soonest:\n")?;
            let mut t = self.table(&[
                Col::whole("TYPE").optional(1),
                Col::whole("REF"),
                Col::whole("EXPIRES"),
                Col::whole("DAYS LEFT"),
            ]);
            for c in &f.certificates {
                t.add_row(vec![
                    cell(c.record_type),
                    cell(&c.reference),
                    cell(time::local(c.expires_at)),
                    cell(c.days_left),
                ]);
            }
            self.print_table(&t)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_counted_zeros_included() {
        let mut c = TypeCounts::new(RecordType::Host);
        c.add(Status::Online, Health::Warning);
        let v = counts_view(&c);
        assert_eq!(
            serde_json::to_value(&v).expect("JSON"),
            serde_json::json!({
                "type": "host",
                "total": 1,
                "by_status": {"unknown": 0, "online": 1, "offline": 0, "error": 0, "missing": 0, "unreachable": 0},
                "by_health": {"ok": 0, "warning": 1, "critical": 0, "unknown": 0},
            })
        );
    }
}
