//! `history`, `changes` and `prune` results.

use super::{Col, cell};
use anyhow::Result;
use serde::Serialize;

use super::Output;
use super::time;
use crate::domain::history::{ChangeLine, Check, Pruned};
use crate::domain::inventory::InventoryChange;
use crate::domain::model::Record;
use crate::domain::model::{RecordType, Source, Status};
use crate::domain::units::{human_bytes, span};

pub struct History<'a> {
    pub record: &'a Record,
    pub since: i64,
    pub uptime_percent: Option<f64>,
    pub checks: Vec<Check>,
    pub changes: Vec<ChangeLine>,
}

#[derive(Serialize)]
struct HistoryView<'a> {
    #[serde(rename = "type")]
    record_type: RecordType,
    #[serde(rename = "ref")]
    reference: &'a str,
    since: String,
    uptime_percent: Option<f64>,
    checks: Vec<CheckView<'a>>,
    changes: Vec<ChangeView<'a>>,
}

#[derive(Serialize)]
struct CheckView<'a> {
    at: String,
    status: Status,
    response_ms: Option<u64>,
    http_status: Option<u16>,
    disk_used_bytes: Option<u64>,
    message: Option<&'a str>,
    /// `poll` or `push`.
    source: Source,
    /// The poller that made the check.
    poller: Option<&'a str>,
}

#[derive(Serialize)]
struct ChangeView<'a> {
    at: String,
    from: Status,
    to: Status,
    lasted_seconds: Option<i64>,
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct InventoryChangeView<'a> {
    instance: &'a str,
    at: String,
    subject: &'a str,
    change: &'a str,
    old: Option<&'a str>,
    new: Option<&'a str>,
}

/// `prune --json`: a result object as every command that changes the database prints one.
#[derive(Serialize)]
struct PrunedView {
    action: &'static str,
    checks_deleted: usize,
    days_rolled_up: usize,
}

impl Output {
    pub fn history(&self, h: &History, now: i64) -> Result<()> {
        if self.json {
            let view = HistoryView {
                record_type: h.record.record_type,
                reference: h.record.reference(),
                since: time::rfc3339(h.since),
                uptime_percent: h.uptime_percent,
                checks: h
                    .checks
                    .iter()
                    .map(|c| CheckView {
                        at: time::rfc3339(c.at),
                        status: c.status,
                        response_ms: c.response_ms,
                        http_status: c.http_status,
                        disk_used_bytes: c.disk_used,
                        message: c.message.as_deref(),
                        source: c.source,
                        poller: c.poller.as_deref(),
                    })
                    .collect(),
                changes: h
                    .changes
                    .iter()
                    .map(|c| ChangeView {
                        at: time::rfc3339(c.change.at),
                        from: c.change.from,
                        to: c.change.to,
                        lasted_seconds: c.lasted_seconds,
                        message: c.change.message.as_deref(),
                    })
                    .collect(),
            };
            return self.json(&view);
        }
        let up = h.uptime_percent.map_or_else(
            || "no data".to_string(),
            |p| format!("{:.2}% up", crate::domain::uptime::shown_percent(p)),
        );
        self.raw(
            format!(
                "{} {} since {} ({}), {up}\n",
                h.record.record_type,
                h.record.reference(),
                time::local(h.since),
                time::age(h.since, now)
            )
            .as_bytes(),
        )?;
        if !h.changes.is_empty() {
            self.raw(b"\nstatus changes:\n")?;
            let mut t = self.table(&[
                Col::whole("WHEN"),
                Col::whole("FROM"),
                Col::whole("TO"),
                Col::whole("AFTER").optional(1),
                Col::wrap("MESSAGE"),
            ]);
            for c in &h.changes {
                t.add_row(vec![
                    cell(time::local(c.change.at)),
                    self.status_cell(c.change.from),
                    self.status_cell(c.change.to),
                    cell(c.lasted_seconds.map_or_else(|| "-".into(), span)),
                    cell(c.change.message.as_deref().unwrap_or("")),
                ]);
            }
            self.print_table(&t)?;
        }
        self.raw(format!("\nchecks ({}, newest first):\n", h.checks.len()).as_bytes())?;
        if !h.checks.is_empty() {
            let mut t = self.table(&[
                Col::whole("WHEN"),
                Col::whole("STATUS"),
                Col::whole("RESPONSE").optional(2),
                Col::whole("DISK").optional(1),
                Col::wrap("MESSAGE"),
            ]);
            for c in &h.checks {
                t.add_row(vec![
                    cell(time::local(c.at)),
                    self.status_cell(c.status),
                    cell(
                        c.response_ms
                            .map_or_else(|| "-".into(), |ms| format!("{ms} ms")),
                    ),
                    cell(c.disk_used.map_or_else(|| "-".into(), human_bytes)),
                    cell(match c.source {
                        Source::Push => format!("(push) {}", c.message.as_deref().unwrap_or("")),
                        Source::Poll => c.message.clone().unwrap_or_default(),
                    }),
                ]);
            }
            self.print_table(&t)?;
        }
        Ok(())
    }

    pub fn inventory_changes(&self, changes: &[InventoryChange]) -> Result<()> {
        if self.json {
            let views: Vec<InventoryChangeView> = changes
                .iter()
                .map(|c| InventoryChangeView {
                    instance: &c.instance,
                    at: time::rfc3339(c.at),
                    subject: &c.subject,
                    change: &c.change,
                    old: c.old.as_deref(),
                    new: c.new.as_deref(),
                })
                .collect();
            return self.json(&views);
        }
        if changes.is_empty() {
            self.note("no inventory changes in that period");
            return Ok(());
        }
        // The instance and what changed matter more than when, on a narrow terminal.
        let mut t = self.table(&[
            Col::whole("WHEN").optional(1),
            Col::whole("INSTANCE"),
            Col::whole("WHAT"),
            Col::whole("CHANGE"),
            Col::cut("DETAIL"),
        ]);
        for c in changes {
            let detail = match (&c.old, &c.new) {
                (Some(o), Some(n)) => format!("{o} → {n}"),
                (None, Some(n)) => n.clone(),
                (Some(o), None) => o.clone(),
                (None, None) => String::new(),
            };
            t.add_row(vec![
                cell(time::local(c.at)),
                cell(&c.instance),
                cell(&c.subject),
                cell(&c.change),
                cell(detail),
            ]);
        }
        self.print_table(&t)
    }

    pub fn pruned(&self, p: &Pruned) -> Result<()> {
        if self.json {
            return self.json(&PrunedView {
                action: "pruned",
                checks_deleted: p.checks_deleted,
                days_rolled_up: p.days_rolled_up,
            });
        }
        self.raw(
            format!(
                "deleted {} checks; {} record-days kept as daily roll-ups\n",
                p.checks_deleted, p.days_rolled_up
            )
            .as_bytes(),
        )
    }
}
