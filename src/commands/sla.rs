//! `webhost sla --month 2026-11`: each record's availability over a month, from the store only.

use std::path::Path;

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::error::{invalid, not_found};
use crate::domain::model::{Record, RecordType};
use crate::domain::query::Filter;
use crate::domain::{fleet, maintenance, sla};
use crate::output::atomic;
use crate::output::i18n::Lang;
use crate::output::sla::{self as view, RecordSla, Statement};

/// What `sla` was asked for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// `2026-11`.
    pub month: &'a str,
    /// Percent.
    pub target: f64,
    /// Only these hosts or instances, and these hosts with their instances; both empty: all.
    pub only: &'a [String],
    pub hosts: &'a [String],
    pub csv: bool,
    /// The customer's statement page, and its language.
    pub html: Option<&'a Path>,
    pub lang: Lang,
}

pub fn run(ctx: &Context, args: &Request) -> Result<Outcome> {
    if args.csv && ctx.out.json {
        return Err(invalid("--csv and --json: choose one"));
    }
    let (from, to) = sla::month_bounds(args.month).map_err(invalid)?;
    if !(0.0..=100.0).contains(&args.target) {
        return Err(invalid(format!(
            "invalid target '{}': a percentage from 0 to 100, such as 99.9",
            args.target
        )));
    }
    let store = ctx.read_store()?;
    let (hosts, instances) = fleet::select(
        store.list(RecordType::Host, &Filter::default())?,
        store.list(RecordType::Instance, &Filter::default())?,
        args.only,
        args.hosts,
    )
    .map_err(|u| not_found(u.message()))?;
    let offline = [
        store.poller_offline(RecordType::Host, from, to)?,
        store.poller_offline(RecordType::Instance, from, to)?,
    ];
    // A month not over yet counts up to now: the last check does not speak for the future.
    let until = to.min(ctx.now()).max(from);
    let records: Vec<&Record> = hosts.iter().chain(&instances).collect();
    let windows = match store.has_maintenance()? {
        true => store.maintenance_windows()?,
        false => Vec::new(),
    };
    let mut rows = Vec::with_capacity(records.len());
    for r in records {
        let checks = store.sla_checks(r.record_type, r.id, from, to)?;
        let rolled = store.rolled_days(r.record_type, r.id, from, to)?;
        // A pushed instance's checks do not come from passes: the poller's network is not
        // what watches it.
        let poller_offline: &[(i64, i64)] = match (r.record_type, r.settings.push) {
            (RecordType::Instance, true) => &[],
            (RecordType::Host, _) => &offline[0],
            (RecordType::Instance, false) => &offline[1],
        };
        // Its own windows, its host's and the fleet's, recurring ones expanded.
        let maintenance =
            maintenance::intervals_of(&windows, r.key(), r.settings.host_id, from, until);
        rows.push(RecordSla {
            record: r,
            figures: sla::compute(
                &checks,
                (from, until),
                &maintenance,
                poller_offline,
                &rolled,
            ),
        });
    }
    // One customer's statement (`--host srv1`) names them: the host's ref and label.
    let customer = match (args.hosts, args.only.is_empty()) {
        ([one], true) => hosts.iter().find(|h| h.reference() == one).map(|h| {
            match h.settings.label.as_deref().filter(|l| !l.is_empty()) {
                Some(label) => format!("{label} ({one})"),
                None => one.clone(),
            }
        }),
        _ => None,
    };
    let statement = Statement {
        customer,
        month: args.month.trim(),
        from,
        to,
        until,
        target: args.target,
        now: ctx.now(),
        records: rows,
    };
    if let Some(path) = args.html {
        let html = view::render(&view::page(&statement, args.lang))?;
        atomic::write(path, html.as_bytes())?;
        ctx.out.sla_written(&view::Written {
            path: path.display().to_string(),
            bytes: html.len(),
            records: statement.records.len(),
            lang: args.lang.as_str(),
        })?;
    } else if args.csv {
        ctx.out.raw(&view::csv(&statement)?)?;
    } else {
        ctx.out.sla(&statement)?;
    }
    Ok(Outcome::Done)
}
