//! `webhost update-hosts` and `webhost update-instances`: one polling pass each, from cron.
//! (One file for both: they differ only in the record type.)

use anyhow::Result;

use super::Context;
use super::config::hook_settings;
use crate::cli::UpdateArgs;
use crate::exit_code::Exit;
use crate::model::RecordType;
use crate::poll::{self, PassOptions};
use crate::probe::Settings as ProbeSettings;
use crate::{hook, time};

pub fn run(ctx: &Context, rt: RecordType, args: &UpdateArgs) -> Result<Exit> {
    let name = poll::pass_name(rt);
    let mut store = ctx.open_store()?;
    for r in &args.refs {
        store.get(rt, r)?; // an unknown ref is a usage error, before anything runs
    }
    if args.dry_run {
        let (records, _, unknown) = poll::select(&store, rt, &args.refs)?;
        ctx.out.unknown_refs(rt, &unknown);
        ctx.out.dry_run(rt, &records)?;
        return Ok(Exit::Success);
    }
    let hooks = hook_settings(
        &store,
        args.on_change.as_ref(),
        args.failure_threshold,
        args.success_threshold,
        args.remind_every,
    )?;
    let _lock = poll::acquire_lock(&ctx.db, name)?;
    let opts = PassOptions {
        jobs: usize::from(args.jobs),
        probe: ProbeSettings {
            timeout: args.timeout,
            max_body: args.max_answer_size,
        },
        refs: args.refs.clone(),
        alert: hooks.as_ref().map(|(_, policy)| *policy),
        keep_all_results: ctx.out.prints_each_result(),
    };
    ctx.out.detail(format!(
        "{name}: {} jobs, timeout {:?}",
        opts.jobs, opts.probe.timeout
    ));
    let mut bar = ctx.out.progress_bar();
    let report = poll::run(&mut store, rt, &opts, &mut |p| bar.show(&p))?;
    bar.clear();
    ctx.out.detail(format!(
        "{name}: {} results stored in {:.3} s of database writing",
        report.stored,
        report.write_time.as_secs_f64()
    ));
    if report.poller_offline {
        anyhow::bail!(
            "all {} checks failed to connect: this machine's network looks down, so nothing was \
             recorded against the records and no alert was sent (the pass is logged as poller offline)",
            report.summary.polled
        );
    }
    // Hooks run once everything is stored: a slow hook never holds a transaction or a result.
    let events: Vec<_> = report
        .results
        .iter()
        .flat_map(|s| s.events.iter().cloned())
        .collect();
    let outcomes = match &hooks {
        Some((command, _)) if !events.is_empty() => hook::run_all(command, &events, args.timeout),
        _ => Vec::new(),
    };
    ctx.out.unknown_refs(rt, &report.unknown_refs);
    ctx.out.pass(&report, &outcomes)?;
    if let Some(days) = args.keep_days {
        let pruned = store.prune(time::now() - i64::from(days) * 86_400)?;
        ctx.out.detail(format!(
            "pruned {} checks older than {days} days",
            pruned.checks_deleted
        ));
    }
    if args.fail_on_down && report.summary.down() > 0 {
        return Ok(Exit::Down);
    }
    Ok(Exit::Success)
}
