//! `webhost report --html FILE`: the fleet's status page, from the store only.

use anyhow::Result;

use super::Context;
use super::status::summarize;
use crate::cli::ReportArgs;
use crate::exit_code::Exit;
use crate::model::RecordType;
use crate::output::metrics::write_atomically;
use crate::output::report::{self, ReportData, Written};
use crate::store::{Filter, ModuleFilter, RecordKey, Window};
use crate::time;

/// Bars in the uptime strip.
const SLOTS: usize = 90;

pub fn run(ctx: &Context, args: &ReportArgs) -> Result<Exit> {
    let started = std::time::Instant::now();
    let store = ctx.open_store()?;
    let now = time::now();
    let window = Window {
        from: now - args.since.as_secs() as i64,
        to: now,
        slots: SLOTS,
    };
    let hosts = store.list(RecordType::Host, &Filter::default())?;
    let instances = store.list(RecordType::Instance, &Filter::default())?;
    let fleet = summarize(
        [&hosts[..], &instances[..]],
        &store.last_passes()?,
        now,
        args.stale,
        // Each record's row shows its certificate: the summary needs no list of them.
        0,
    );
    let keys: Vec<_> = hosts
        .iter()
        .chain(&instances)
        .map(|r| {
            let key = RecordKey {
                record_type: r.record_type,
                id: r.id,
            };
            (key, r.state.status())
        })
        .collect();
    let history = store.report_history(&keys, &window)?;
    let changes = store.inventory_changes(window.from)?;
    let modules = store.installed_modules(&ModuleFilter::default())?;
    ctx.out.detail(format!(
        "read {} records in {} ms",
        keys.len(),
        started.elapsed().as_millis()
    ));
    let page = report::build(&ReportData {
        hosts: &hosts,
        instances: &instances,
        history: &history,
        fleet: &fleet,
        changes: &changes,
        modules: &modules,
        window,
        now,
        public: args.public,
    });
    let html = report::render(&page)?;
    write_atomically(&args.html, html.as_bytes())?;
    ctx.out.report_written(&Written {
        path: args.html.display().to_string(),
        bytes: html.len(),
        hosts: hosts.len(),
        instances: instances.len(),
        public: args.public,
        milliseconds: started.elapsed().as_millis() as u64,
    })?;
    Ok(Exit::Success)
}
