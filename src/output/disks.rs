//! `disks`: growth per day and the dates each disk reaches its thresholds, as a table and JSON.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::{Col, Output, cell, time};
use crate::domain::forecast::{Forecast, threshold_bytes};
use crate::domain::model::{Record, RecordType};
use crate::domain::units::human_bytes;

/// One record of `disks --json` (docs/schema/disks.schema.json).
#[derive(Debug, Serialize)]
struct DiskForecastView<'a> {
    #[serde(rename = "type")]
    record_type: RecordType,
    #[serde(rename = "ref")]
    reference: &'a str,
    disk_used_bytes: Option<u64>,
    disk_total_bytes: Option<u64>,
    disk_warn: String,
    disk_crit: String,
    /// Null when there are too few readings for a forecast.
    growth_bytes_per_day: Option<i64>,
    /// The readings the fit used, since when, and the one-off jumps it left out.
    readings: usize,
    readings_since: Option<String>,
    jumps_ignored: usize,
    /// When each level is reached (the last reading's time when already there); null when
    /// not known or not growing.
    warning_at: Option<String>,
    critical_at: Option<String>,
    full_at: Option<String>,
    /// The soonest of the three: what the list is ordered by.
    first_crossing_at: Option<String>,
}

fn view<'a>(rec: &'a Record, fc: Option<&Forecast>) -> DiskForecastView<'a> {
    let t = rec.settings.thresholds();
    let date = |f: fn(&Forecast) -> Option<i64>| fc.and_then(f).map(time::rfc3339);
    DiskForecastView {
        record_type: rec.record_type,
        reference: rec.reference(),
        disk_used_bytes: rec.state.disk_used,
        disk_total_bytes: rec.state.disk_total,
        disk_warn: t.disk_warn.to_string(),
        disk_crit: t.disk_crit.to_string(),
        growth_bytes_per_day: fc.map(|f| f.fit.per_day.round() as i64),
        readings: fc.map_or(0, |f| f.points),
        readings_since: fc.map(|f| time::rfc3339(f.since)),
        jumps_ignored: fc.map_or(0, |f| f.fit.jumps),
        warning_at: date(|f| f.warning_at),
        critical_at: date(|f| f.critical_at),
        full_at: date(|f| f.full_at),
        first_crossing_at: date(Forecast::first_crossing),
    }
}

/// `+1.0 GiB`, `-12.0 MiB`, `0 B`.
pub(super) fn growth_text(per_day: f64) -> String {
    let sign = if per_day < 0.0 { "-" } else { "+" };
    format!("{sign}{}", human_bytes(per_day.abs().round() as u64))
}

impl Output {
    /// `webhost disks`.
    pub fn disks(&self, rows: &[(Record, Option<Forecast>)], db: &Path) -> Result<()> {
        if self.json {
            let views: Vec<_> = rows.iter().map(|(r, f)| view(r, f.as_ref())).collect();
            return self.json(&views);
        }
        if rows.is_empty() {
            self.note(format!(
                "no disk readings in {} yet: passes store them (`webhost update-hosts`, \
                 `webhost update-instances`)",
                db.display()
            ));
            return Ok(());
        }
        let mut t = self.table(&[
            Col::whole("TYPE").optional(1),
            Col::whole("REF"),
            Col::whole("USED"),
            Col::whole("TOTAL").optional(2),
            Col::whole("GROWTH/DAY"),
            Col::whole("WARNING"),
            Col::whole("CRITICAL").optional(3),
            Col::whole("FULL").optional(4),
        ]);
        let mut too_few = 0;
        for (r, fc) in rows {
            let th = r.settings.thresholds();
            let total = r.state.disk_total;
            // `-`: the level is not known (a percentage, or full, without the partition's
            // size); `never`: known, but the disk is not growing.
            let when = |known: bool, at: Option<i64>| match (fc, at) {
                (None, _) => "-".to_string(),
                (Some(f), Some(at)) if at == f.last_at => "reached".to_string(),
                (Some(_), Some(at)) => time::day(at),
                (Some(_), None) if known => "never".to_string(),
                (Some(_), None) => "-".to_string(),
            };
            let known = |t| threshold_bytes(t, total).is_some();
            too_few += usize::from(fc.is_none());
            t.add_row(vec![
                cell(r.record_type),
                cell(r.reference()),
                cell(r.state.disk_used.map_or_else(|| "-".into(), human_bytes)),
                cell(r.state.disk_total.map_or_else(|| "-".into(), human_bytes)),
                cell(fc.as_ref().map_or_else(
                    || "too few readings".to_string(),
                    |f| growth_text(f.fit.per_day),
                )),
                cell(when(
                    known(th.disk_warn),
                    fc.as_ref().and_then(|f| f.warning_at),
                )),
                cell(when(
                    known(th.disk_crit),
                    fc.as_ref().and_then(|f| f.critical_at),
                )),
                cell(when(
                    total.is_some_and(|t| t > 0),
                    fc.as_ref().and_then(|f| f.full_at),
                )),
            ]);
        }
        self.print_table(&t)?;
        if too_few > 0 {
            self.note(format!(
                "a forecast needs {} readings over a day at least (the last 30 days count)",
                crate::domain::forecast::MIN_POINTS
            ));
        }
        Ok(())
    }
}
