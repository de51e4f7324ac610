//! `maintenance list|add|remove`: the windows as a table and JSON
//! (docs/schema/maintenance.schema.json, maintenance-result.schema.json).

use anyhow::Result;
use serde::Serialize;

use super::{Col, Output, cell, time};
use crate::domain::maintenance::{self, Scope, Timing, Window};
use crate::domain::model::RecordType;

#[derive(Debug, Serialize)]
struct TargetView<'a> {
    #[serde(rename = "type")]
    record_type: RecordType,
    #[serde(rename = "ref")]
    reference: &'a str,
}

/// One window.
#[derive(Debug, Serialize)]
struct WindowView<'a> {
    id: i64,
    /// Over every record (then `records` is empty).
    all: bool,
    records: Vec<TargetView<'a>>,
    /// One-off: its start and end; null for a recurring one.
    from: Option<String>,
    until: Option<String>,
    /// Recurring: `sun 02:00` in `time_zone`, for `duration_seconds`.
    every: Option<String>,
    duration_seconds: Option<i64>,
    time_zone: Option<String>,
    reason: Option<&'a str>,
    created_at: String,
    /// In force now.
    active: bool,
    /// The occurrence in force now, or the next one (within a year); null when it is over.
    next_from: Option<String>,
    next_until: Option<String>,
}

#[derive(Debug, Serialize)]
struct DoneView<'a> {
    /// `added` or `removed`.
    action: &'static str,
    window: WindowView<'a>,
}

/// The occurrence of `w` in force at `now`, or the next one within a year.
fn next(w: &Window, now: i64) -> Option<(i64, i64)> {
    maintenance::intervals(&w.timing, now, now.saturating_add(366 * 86_400))
        .into_iter()
        .next()
}

fn view(w: &Window, now: i64) -> WindowView<'_> {
    let (all, records) = match &w.scope {
        Scope::All => (true, Vec::new()),
        Scope::Records(list) => (
            false,
            list.iter()
                .map(|t| TargetView {
                    record_type: t.key.record_type,
                    reference: &t.reference,
                })
                .collect(),
        ),
    };
    let next = next(w, now);
    let (from, until, every, duration, tz) = match &w.timing {
        Timing::Once { from, until } => (
            Some(time::rfc3339(*from)),
            Some(time::rfc3339(*until)),
            None,
            None,
            None,
        ),
        Timing::Every {
            every,
            duration,
            tz,
        } => (
            None,
            None,
            Some(every.to_string()),
            Some(*duration),
            Some(maintenance::tz_name(tz)),
        ),
    };
    WindowView {
        id: w.id,
        all,
        records,
        from,
        until,
        every,
        duration_seconds: duration,
        time_zone: tz,
        reason: w.reason.as_deref(),
        created_at: time::rfc3339(w.created_at),
        active: next.is_some_and(|(s, _)| s <= now),
        next_from: next.map(|n| time::rfc3339(n.0)),
        next_until: next.map(|n| time::rfc3339(n.1)),
    }
}

/// What a window covers, in words.
fn covers(w: &Window) -> String {
    match &w.scope {
        Scope::All => "every record".to_string(),
        Scope::Records(list) if list.is_empty() => "(its records were removed)".to_string(),
        Scope::Records(list) => list
            .iter()
            .map(|t| match t.key.record_type {
                RecordType::Host => format!("host {} and its instances", t.reference),
                RecordType::Instance => t.reference.clone(),
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// When a window is, in words (local time).
fn when(w: &Window) -> String {
    match &w.timing {
        Timing::Once { from, until } => {
            format!("{} to {}", time::local(*from), time::local(*until))
        }
        Timing::Every {
            every,
            duration,
            tz,
        } => format!(
            "every {every} {} for {}",
            maintenance::tz_name(tz),
            super::report::duration_text(*duration)
        ),
    }
}

impl Output {
    /// `maintenance list`.
    pub fn maintenance_list(&self, windows: &[Window], now: i64) -> Result<()> {
        if self.json {
            let views: Vec<_> = windows.iter().map(|w| view(w, now)).collect();
            return self.json(&views);
        }
        if windows.is_empty() {
            self.note("no maintenance window (`webhost maintenance add` adds one)");
            return Ok(());
        }
        let mut t = self.table(&[
            Col::whole("ID"),
            Col::wrap("COVERS"),
            Col::wrap("WHEN"),
            Col::wrap("NEXT"),
            Col::wrap("REASON").optional(1),
        ]);
        for w in windows {
            let next = match next(w, now) {
                Some((s, e)) if s <= now => format!("now, until {}", time::local(e)),
                Some((s, _)) => time::local(s),
                None => "over".to_string(),
            };
            t.add_row(vec![
                cell(w.id),
                cell(covers(w)),
                cell(when(w)),
                cell(next),
                cell(w.reason.as_deref().unwrap_or("")),
            ]);
        }
        self.print_table(&t)
    }

    /// `maintenance add|remove`: the line on stderr, the window as JSON.
    pub fn maintenance_done(&self, action: &'static str, w: &Window, now: i64) -> Result<()> {
        self.note(format!(
            "maintenance window #{} {action}: {}, {}",
            w.id,
            covers(w),
            when(w)
        ));
        if self.json {
            return self.json(&DoneView {
                action,
                window: view(w, now),
            });
        }
        Ok(())
    }
}
