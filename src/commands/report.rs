//! `webhost report --html FILE`: the fleet's status page, from the store only.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::model::RecordType;
use crate::domain::query::{Filter, ModuleFilter};
use crate::domain::uptime::Window;
use crate::domain::{config, fleet};
use crate::output::atomic;
use crate::output::report::{self, ReportData, Written};

/// Bars in the uptime strip.
const SLOTS: usize = 90;

/// What `report` was asked for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Where the page goes.
    pub html: &'a Path,
    /// The window the page covers, back from now.
    pub since: Duration,
    /// The page for customers: no URLs, folders or server messages.
    pub public: bool,
    /// A pass older than this is flagged as stale.
    pub stale: Duration,
}

pub fn run(ctx: &Context, args: &Request) -> Result<Outcome> {
    let started = std::time::Instant::now();
    let store = ctx.read_store()?;
    let now = ctx.now();
    let window = Window {
        from: now - args.since.as_secs() as i64,
        to: now,
        slots: SLOTS,
    };
    let hosts = store.list(RecordType::Host, &Filter::default())?;
    let instances = store.list(RecordType::Instance, &Filter::default())?;
    let fleet = fleet::summarize(
        [&hosts[..], &instances[..]],
        &store.last_passes()?,
        now,
        args.stale,
        // Each record's row shows its certificate: the summary needs no list of them.
        0,
        config::connectivity_check(&store.config_list()?),
    );
    let keys: Vec<_> = hosts
        .iter()
        .chain(&instances)
        .map(|r| (r.key(), r.state.status()))
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
    atomic::write(args.html, html.as_bytes())?;
    ctx.out.report_written(&Written {
        path: args.html.display().to_string(),
        bytes: html.len(),
        hosts: hosts.len(),
        instances: instances.len(),
        public: args.public,
        milliseconds: started.elapsed().as_millis() as u64,
    })?;
    Ok(Outcome::Done)
}
