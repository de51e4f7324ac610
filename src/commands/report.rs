//! `webhost report --html FILE`: the fleet's status page, from the store only.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::error::not_found;
use crate::domain::model::RecordType;
use crate::domain::query::{Filter, ModuleFilter};
use crate::domain::uptime::Window;
use crate::domain::{config, fleet, maintenance};
use crate::output::atomic;
use crate::output::report::{self, ReportData, Shown, Written};

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
    /// Only these hosts or instances, and these hosts with their instances; both empty: all.
    pub only: &'a [String],
    pub hosts: &'a [String],
    /// What the page shows beyond statuses.
    pub shown: Shown,
    /// The page's language (English unless public).
    pub lang: crate::output::i18n::Lang,
}

/// How many disks filling soonest the page lists.
const FILLING: usize = 5;

pub fn run(ctx: &Context, args: &Request) -> Result<Outcome> {
    let started = std::time::Instant::now();
    let store = ctx.read_store()?;
    let now = ctx.now();
    let window = Window {
        from: now - args.since.as_secs() as i64,
        to: now,
        slots: SLOTS,
    };
    let (mut hosts, mut instances) = fleet::select(
        store.list(RecordType::Host, &Filter::default())?,
        store.list(RecordType::Instance, &Filter::default())?,
        args.only,
        args.hosts,
    )
    .map_err(|u| not_found(u.message()))?;
    store.mark_maintenance(&mut hosts, now)?;
    store.mark_maintenance(&mut instances, now)?;
    let selected = !args.only.is_empty() || !args.hosts.is_empty();
    let mut fleet = fleet::summarize(
        [&hosts[..], &instances[..]],
        &store.last_passes()?,
        now,
        args.stale,
        // Each record's row shows its certificate: the summary needs no list of them.
        0,
        config::connectivity_check(&store.config_list()?),
    );
    fleet.pollers = store.pollers(now)?;
    if args.shown.disks {
        let trends = store.disk_trends()?;
        fleet.filling = fleet::filling(hosts.iter().chain(&instances), &trends, FILLING);
    }
    let keys: Vec<_> = hosts
        .iter()
        .chain(&instances)
        .map(|r| (r.key(), r.state.status()))
        .collect();
    let history = store.report_history(&keys, &window)?;
    // Each record's windows on its strip: the windows are read once, whatever the records.
    let windows = match store.has_maintenance()? {
        true => store.maintenance_windows()?,
        false => Vec::new(),
    };
    let mut maintenance = HashMap::new();
    for r in hosts
        .iter()
        .chain(&instances)
        .filter(|_| !windows.is_empty())
    {
        let intervals = maintenance::intervals_of(
            &windows,
            r.key(),
            r.settings.host_id,
            window.from,
            window.to,
        );
        if !intervals.is_empty() {
            maintenance.insert(r.key(), intervals);
        }
    }
    let changes = store.inventory_changes(window.from)?;
    let modules = store.installed_modules(&ModuleFilter::default())?;
    ctx.out.detail(format!(
        "read {} records in {} ms",
        keys.len(),
        started.elapsed().as_millis()
    ));
    let vulnerabilities = match !args.public && store.has_advisories()? {
        true => vulnerabilities(&store, &instances)?,
        false => Vec::new(),
    };
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
        shown: args.shown,
        selected,
        vulnerabilities,
        lang: args.lang,
        maintenance: &maintenance,
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

/// The advisories that affect the page's instances, worst first, each with its instances.
fn vulnerabilities(
    store: &crate::store::Store,
    instances: &[crate::domain::model::Record],
) -> Result<Vec<report::Vulnerability>> {
    let done = super::audit::audited(store, &[], None)?;
    let on_page: std::collections::HashSet<&str> =
        instances.iter().map(|r| r.reference()).collect();
    let mut by_advisory: std::collections::BTreeMap<usize, (Vec<&str>, Option<&str>)> =
        std::collections::BTreeMap::new();
    for f in &done.audit.findings {
        let reference = done.subjects[f.subject].reference.as_str();
        if !on_page.contains(reference) {
            continue;
        }
        let entry = by_advisory.entry(f.advisory).or_default();
        entry.0.push(reference);
        if entry.1.is_none() {
            entry.1 = f.fixed_in.as_deref();
        }
    }
    let mut out: Vec<(
        Option<crate::domain::advisory::Severity>,
        report::Vulnerability,
    )> = by_advisory
        .into_iter()
        .map(|(i, (mut refs, fixed))| {
            let a = &done.advisories[i];
            refs.sort_unstable();
            refs.dedup();
            (
                a.severity,
                report::Vulnerability {
                    id: a.id.clone(),
                    severity: a.severity.map_or("unknown", |s| s.as_str()).to_string(),
                    // A feed's text: kept short (the page escapes it).
                    summary: a.summary.chars().take(200).collect(),
                    fixed_in: fixed.unwrap_or("").to_string(),
                    refs: refs.join(", "),
                },
            )
        })
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    Ok(out.into_iter().map(|(_, v)| v).collect())
}
