//! `webhost update-hosts` and `webhost update-instances`: one polling pass each, from cron.
//! (One file for both: they differ only in the record type.)

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::config::{self, AlertOptions};
use crate::domain::model::RecordType;
use crate::domain::poller::Mode;
use crate::domain::query::Filter;
use crate::domain::units::plural;
use crate::poll::hooks::{self, Delivering};
use crate::poll::writer::Votes;
use crate::poll::{self, PassOptions, ProbeSettings};

/// A pass as the options asked for it.
#[derive(Debug, Clone)]
pub struct Request {
    pub jobs: usize,
    /// Requests at once to one server-manager host.
    pub per_host: usize,
    pub probe: ProbeSettings,
    /// Only these records (still only enabled ones); empty means all.
    pub refs: Vec<String>,
    pub dry_run: bool,
    pub fail_on_down: bool,
    /// After the pass, delete raw checks older than this many days.
    pub keep_days: Option<u32>,
    pub alerts: AlertOptions,
    /// How long a change hook may run.
    pub hook_timeout: Duration,
}

pub fn run(ctx: &Context, rt: RecordType, req: &Request) -> Result<Outcome> {
    let name = rt.pass_name();
    let mut store = ctx.write_store()?;
    for r in &req.refs {
        store.get(rt, r)?; // an unknown ref is a usage error, before anything runs
    }
    let in_db = store.count(rt, &Filter::default())?;
    if req.dry_run {
        let (records, unknown) = poll::select(&store, rt, &req.refs)?;
        ctx.out.unknown_refs(rt, &not_pushed(&store, rt, unknown)?);
        ctx.out.dry_run(rt, &records)?;
        if records.is_empty() && req.refs.is_empty() {
            ctx.out.nothing_to_poll(rt, in_db, &ctx.db);
        }
        return Ok(Outcome::Done);
    }
    let stored = store.config_list()?;
    let lock = poll::acquire_lock(&ctx.db, name, &ctx.poller)?;
    // From here on, SIGINT and SIGTERM stop the pass cleanly instead of killing webhost.
    crate::signals::catch_termination()?;
    let mut probe = req.probe.clone();
    probe.ca_file = config::ca_file(&stored).map(PathBuf::from);
    let opts = PassOptions {
        jobs: req.jobs,
        per_host: req.per_host,
        probe,
        refs: req.refs.clone(),
        hooks: config::hooks(&req.alerts, &stored)?,
        keep_all_results: ctx.out.prints_each_result(),
        keep_down_results: req.fail_on_down,
        connectivity_check: config::connectivity_check(&stored),
        votes: match config::poller_mode(&stored) {
            Mode::All => Some(Votes {
                quorum: config::quorum(&stored),
            }),
            Mode::Share => None,
        },
        share_lease: (config::poller_mode(&stored) == Mode::Share)
            .then(|| config::share_lease(&stored)),
    };
    ctx.out.detail(format!(
        "{name}: {}, timeout {:?}",
        plural(opts.jobs as u64, "job"),
        opts.probe.timeout
    ));
    if rt == RecordType::Instance {
        // Push records are not fetched: only their silence is news.
        let quiet = crate::receive::check_freshness(&mut store, ctx.now(), opts.hooks.as_ref())?;
        if quiet > 0 {
            ctx.out.note(format!(
                "{} fed by pushes sent none within {}",
                plural(quiet as u64, "instance"),
                if quiet == 1 {
                    "its grace"
                } else {
                    "their grace"
                }
            ));
        }
    }
    let mut bar = ctx.out.progress_bar();
    let report = poll::run(&mut store, rt, &opts, ctx.clock, &mut |p| bar.show(&p))?;
    bar.clear();
    ctx.out.detail(format!(
        "{name}: {} stored in {:.3} s of database writing",
        plural(report.stored as u64, "result"),
        report.write_time.as_secs_f64()
    ));
    if report.poller_offline {
        anyhow::bail!(
            "all {} checks failed to connect: this machine's network looks down, so nothing was \
             recorded against the records and no alert was sent (the pass is logged as poller offline)",
            report.summary.polled
        );
    }
    // Results and alerts are stored: the next pass may start while hooks run.
    drop(lock);
    let deliveries = match report.interrupted {
        // Their alerts wait in the store for the next pass.
        Some(_) => Vec::new(),
        None => hooks::deliver(
            &mut store,
            &Delivering {
                timeout: req.hook_timeout,
                batch: config::hook_batch(&stored),
                owner: format!("{name} {}", std::process::id()),
                now: ctx.now(),
            },
        )?,
    };
    ctx.out
        .unknown_refs(rt, &not_pushed(&store, rt, report.unknown_refs.clone())?);
    ctx.out.pass(&report, &deliveries)?;
    if report.summary.polled == 0 && req.refs.is_empty() && report.interrupted.is_none() {
        match opts.share_lease {
            // Share mode: the others' leases hold, or monitoring is off.
            Some(_) if store.count(rt, &Filter::pass(&[]))? > 0 => ctx.out.note(format!(
                "share mode: every enabled {rt} is leased to another poller this round"
            )),
            _ => ctx.out.nothing_to_poll(rt, in_db, &ctx.db),
        }
    }
    if let Some(signal) = report.interrupted.or_else(crate::signals::received) {
        return Ok(Outcome::Interrupted(signal));
    }
    if let Some(days) = req.keep_days {
        let pruned = store.prune(ctx.now() - i64::from(days) * 86_400)?;
        ctx.out.detail(format!(
            "pruned {} older than {}",
            plural(pruned.checks_deleted as u64, "check"),
            plural(u64::from(days), "day")
        ));
    }
    if req.fail_on_down && report.summary.down() > 0 {
        // Even under -q: cron mails what a failing job printed, so it names what is down.
        ctx.out.down_records(&report)?;
        return Ok(Outcome::Down);
    }
    Ok(Outcome::Done)
}

/// The refs a pass did not find, less the instances fed by pushes: a pass does not fetch them
/// (it only checks that they pushed), but they are not unknown.
fn not_pushed(
    store: &crate::store::Store,
    rt: RecordType,
    refs: Vec<String>,
) -> Result<Vec<String>> {
    if rt != RecordType::Instance || refs.is_empty() {
        return Ok(refs);
    }
    let pushed = Filter {
        refs: refs.clone(),
        push: Some(true),
        ..Filter::default()
    };
    let known: Vec<String> = store
        .list(rt, &pushed)?
        .into_iter()
        .map(|r| r.settings.reference)
        .collect();
    Ok(refs.into_iter().filter(|r| !known.contains(r)).collect())
}
