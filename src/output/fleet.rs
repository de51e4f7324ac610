//! `webhost status`: counts, problems, disks, certificates and pass ages.

use super::{Col, cell};
use anyhow::Result;

use super::{Output, time};
use crate::domain::fleet::FleetStatus;
use crate::domain::units::human_bytes;

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
                    self.status_cell(p.status),
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
