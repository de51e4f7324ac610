//! `webhost disks`: every record's disk growth and the dates it reaches its thresholds and
//! fills, soonest first, from the stored history only.

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::forecast::{self, Forecast};
use crate::domain::model::{Record, RecordType};
use crate::domain::query::Filter;
use crate::store::Store;

/// A record with a disk, and its forecast (None: too few readings yet).
pub type DiskRow = (Record, Option<Forecast>);

pub fn run(ctx: &Context) -> Result<Outcome> {
    let store = ctx.read_store()?;
    let rows = forecasts(&store)?;
    ctx.out.disks(&rows, &ctx.db)?;
    Ok(Outcome::Done)
}

/// The enabled records that know their disk, with their forecasts, by the date of their first
/// crossing (soonest first; those with none last), then by type and ref.
pub fn forecasts(store: &Store) -> Result<Vec<DiskRow>> {
    let enabled = Filter {
        enabled: Some(true),
        ..Filter::default()
    };
    let trends = store.disk_trends()?;
    let mut rows = Vec::new();
    for rt in RecordType::ALL {
        for rec in store.list(rt, &enabled)? {
            let trend = trends.get(&rec.key());
            if trend.is_none() && rec.state.disk_used.is_none() {
                continue; // no disk to speak of (a website's ping)
            }
            let thresholds = rec.settings.thresholds();
            let fc = trend.and_then(|t| forecast::project(t, rec.state.disk_total, &thresholds));
            rows.push((rec, fc));
        }
    }
    rows.sort_by(|a, b| {
        forecast::soonest_first(
            a.1.as_ref().and_then(Forecast::first_crossing),
            b.1.as_ref().and_then(Forecast::first_crossing),
        )
        .then_with(|| a.0.record_type.as_str().cmp(b.0.record_type.as_str()))
        .then_with(|| a.0.reference().cmp(b.0.reference()))
    });
    Ok(rows)
}
