//! `webhost status`: counts, problems, disks, certificates and pass ages.

use std::collections::BTreeMap;

use anyhow::Result;
use comfy_table::Cell;
use serde::Serialize;

use super::{Output, human_bytes};
use crate::health::Health;
use crate::model::{RecordType, Status};
use crate::time;

#[derive(Debug, Default, Serialize)]
pub struct FleetStatus {
    pub counts: Vec<TypeCounts>,
    pub not_online: Vec<Problem>,
    pub disks: Vec<DiskLine>,
    pub certificates: Vec<CertLine>,
    pub passes: Vec<PassLine>,
    pub stale_after_seconds: i64,
}

/// Records of one type by status and by health.
#[derive(Debug, Serialize)]
pub struct TypeCounts {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    pub total: usize,
    pub by_status: BTreeMap<&'static str, usize>,
    pub by_health: BTreeMap<&'static str, usize>,
}

impl TypeCounts {
    pub fn new(rt: RecordType) -> TypeCounts {
        TypeCounts {
            record_type: rt,
            total: 0,
            by_status: BTreeMap::new(),
            by_health: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, status: Status, health: Health) {
        self.total += 1;
        *self.by_status.entry(status.as_str()).or_default() += 1;
        *self.by_health.entry(health.as_str()).or_default() += 1;
    }
}

#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: String,
    pub status: Status,
    pub message: Option<String>,
    #[serde(serialize_with = "opt_time")]
    pub since: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct DiskLine {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: String,
    pub used_bytes: i64,
    pub total_bytes: Option<i64>,
    pub health: Health,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct CertLine {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(serialize_with = "req_time")]
    pub expires_at: i64,
    pub days_left: i64,
}

#[derive(Debug, Serialize)]
pub struct PassLine {
    pub kind: String,
    #[serde(serialize_with = "opt_time")]
    pub started_at: Option<i64>,
    pub age_seconds: Option<i64>,
    pub duration_ms: Option<i64>,
    pub polled: Option<i64>,
    /// Older than the staleness limit (or never ran) while records wait: cron has stopped.
    pub stale: bool,
}

fn opt_time<S: serde::Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&time::rfc3339(*t)),
        None => s.serialize_none(),
    }
}

fn req_time<S: serde::Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&time::rfc3339(*t))
}

impl Output {
    pub fn fleet(&self, f: &FleetStatus, now: i64) -> Result<()> {
        if self.json {
            return self.json(f);
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
        for p in &f.passes {
            let when = match (p.started_at, p.age_seconds) {
                (Some(t), Some(_)) => format!("last run {}", time::age(t, now)),
                _ => "never run".to_string(),
            };
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
        self.raw(out.as_bytes())?;
        if !f.not_online.is_empty() {
            self.raw(b"\nnot online:\n")?;
            let mut t = self.table(&["TYPE", "REF", "STATUS", "SINCE", "MESSAGE"]);
            for p in &f.not_online {
                t.add_row(vec![
                    Cell::new(p.record_type),
                    Cell::new(&p.reference),
                    self.status_cell(p.status),
                    Cell::new(p.since.map_or_else(|| "-".into(), |s| time::age(s, now))),
                    Cell::new(p.message.as_deref().unwrap_or("")),
                ]);
            }
            self.print_table(&mut t)?;
        }
        if !f.disks.is_empty() {
            self.raw(b"\ndisks over threshold:\n")?;
            let mut t = self.table(&["TYPE", "REF", "HEALTH", "USED", "TOTAL", "WHY"]);
            for d in &f.disks {
                t.add_row(vec![
                    Cell::new(d.record_type),
                    Cell::new(&d.reference),
                    self.health_cell(d.health),
                    Cell::new(human_bytes(d.used_bytes)),
                    Cell::new(d.total_bytes.map_or_else(|| "-".into(), human_bytes)),
                    Cell::new(&d.reason),
                ]);
            }
            self.print_table(&mut t)?;
        }
        if !f.certificates.is_empty() {
            self.raw(b"\ncertificates expiring soonest:\n")?;
            let mut t = self.table(&["TYPE", "REF", "EXPIRES", "DAYS LEFT"]);
            for c in &f.certificates {
                t.add_row(vec![
                    Cell::new(c.record_type),
                    Cell::new(&c.reference),
                    Cell::new(time::local(c.expires_at)),
                    Cell::new(c.days_left),
                ]);
            }
            self.print_table(&mut t)?;
        }
        Ok(())
    }
}
