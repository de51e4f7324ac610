//! `webhost demo`: a first look in one command, on a machine with nothing configured. It starts
//! the demo's fleet (`crate::demo`) on 127.0.0.1 inside this process, fills a database in a new
//! temp folder through the real commands (`host add`, `instance add`, then rounds of
//! `update-hosts` and `update-instances` by a clock set 5 minutes further each round), prints
//! `status` and writes the status page (`report`) there. `--db`, `WEBHOST_DB` and the data
//! folder are never looked at: nothing outside the temp folder is touched, and the folder is
//! removed at the end unless kept.

use std::fs::Permissions;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use super::{Context, Outcome, TokenSource, add, report, status, update};
use crate::clock::Clock;
use crate::demo::fleet::Fleet;
use crate::demo::{self, Story};
use crate::domain::config::{AlertOptions, defaults};
use crate::domain::model::{RecordType, Status};
use crate::domain::query::Filter;
use crate::domain::units::{parse_duration, parse_size};
use crate::output::demo::{Counts, DemoDone, DemoStart};
use crate::output::{ColorChoice, Output};
use crate::poll::ProbeSettings;
use crate::store::Store;

/// What `demo` was asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// Leave the temp folder (database and page) in place, to explore it.
    pub keep: bool,
}

/// Runs the demo, printing with `out`. The story ends at `clock`'s now: its last round a
/// minute before.
pub fn run(out: Output, clock: Clock, req: &Request) -> Result<Outcome> {
    let started = Instant::now();
    // Before the folder exists: Ctrl-C then stops the passes cleanly (as in any pass), and
    // the folder is still removed.
    crate::signals::catch_termination()?;
    let dir = tempfile::Builder::new()
        .prefix("webhost-demo-")
        // Its database holds the demo's tokens.
        .permissions(Permissions::from_mode(0o700))
        .tempdir()
        .context("cannot create the demo's temp folder")?;
    let db = dir.path().join("webhost.db");
    let story = Arc::new(Story::new()?);
    let fleet = Fleet::start(Arc::clone(&story))?;

    let end = clock.now();
    let last = end - 60;
    let first = last - (demo::ROUNDS as i64 - 1) * demo::INTERVAL;
    let shown = Context {
        db: db.clone(),
        // Only this user: the folder holds the demo's tokens.
        db_mode: 0o600,
        poller: "demo".to_owned(),
        out,
        clock: Clock::Fixed(end),
    };
    // The commands' own output would bury the story: they print into nothing.
    let mut silent = Context {
        db: db.clone(),
        db_mode: 0o600,
        poller: "demo".to_owned(),
        out: Output::new(false, true, 0, ColorChoice::Never).into_writer(Box::new(io::sink())),
        clock: Clock::Fixed(first),
    };
    shown.out.demo_start(&DemoStart {
        fleet: fleet.base_url(),
        folder: dir.path(),
        rounds: demo::ROUNDS,
        interval: Duration::from_secs(demo::INTERVAL.unsigned_abs()),
        first,
        last,
    });
    for addition in story.additions(fleet.base_url()) {
        let mut settings = addition.settings;
        let token = settings.token.take().map(TokenSource::Given);
        add::run(
            &silent,
            addition.record_type,
            settings,
            token.as_ref(),
            None,
        )?;
    }

    let pass = pass_request()?;
    let mut interrupted = None;
    'rounds: for round in 0..demo::ROUNDS {
        let at = first + round as i64 * demo::INTERVAL;
        for event in story.events_at(round) {
            shown.out.demo_event(at, event);
        }
        fleet.set_round(round, at);
        silent.clock = Clock::Fixed(at);
        for rt in [RecordType::Host, RecordType::Instance] {
            if let Outcome::Interrupted(signal) = update::run(&silent, rt, &pass)? {
                interrupted = Some(signal);
                break 'rounds;
            }
        }
    }
    drop(fleet);
    if let Some(signal) = interrupted {
        let folder = finish(dir, req.keep)?;
        shown.out.demo_stopped(&folder, req.keep);
        return Ok(Outcome::Interrupted(signal));
    }
    shown.out.demo_polled(started.elapsed());

    let stale = parse_duration(defaults::STALE).map_err(anyhow::Error::msg)?;
    if !shown.out.quiet && !shown.out.json {
        status::run(&shown, stale, defaults::CERTS, defaults::FORECASTS)?;
    }
    let page = dir.path().join("status.html");
    silent.clock = Clock::Fixed(end);
    report::run(
        &silent,
        &report::Request {
            html: &page,
            since: Duration::from_secs(demo::ROUNDS as u64 * demo::INTERVAL.unsigned_abs()),
            public: false,
            stale,
            only: &[],
            hosts: &[],
            shown: crate::output::report::Shown::ALL,
            lang: crate::output::i18n::Lang::En,
        },
    )?;
    let (hosts, instances) = {
        let store = shown.read_store()?;
        (
            counts(&store, RecordType::Host)?,
            counts(&store, RecordType::Instance)?,
        )
    };
    let folder = finish(dir, req.keep)?;
    let text = |p: &std::path::Path| p.display().to_string();
    shown.out.demo_done(&DemoDone {
        folder: text(&folder),
        kept: req.keep,
        database: text(&db),
        report: text(&page),
        rounds: demo::ROUNDS,
        hosts,
        instances,
        duration_ms: started.elapsed().as_millis() as u64,
    })?;
    Ok(Outcome::Done)
}

/// The options of a pass run from cron with no option given.
fn pass_request() -> Result<update::Request> {
    Ok(update::Request {
        jobs: usize::from(defaults::JOBS),
        per_host: usize::from(defaults::PER_HOST_JOBS),
        probe: ProbeSettings {
            timeout: parse_duration(defaults::TIMEOUT).map_err(anyhow::Error::msg)?,
            max_body: parse_size(defaults::MAX_ANSWER_SIZE).map_err(anyhow::Error::msg)?,
            lookups: usize::from(defaults::JOBS),
            ca_file: None,
        },
        refs: Vec::new(),
        dry_run: false,
        fail_on_down: false,
        keep_days: None,
        alerts: AlertOptions::default(),
        hook_timeout: parse_duration(defaults::HOOK_TIMEOUT).map_err(anyhow::Error::msg)?,
    })
}

/// Keeps the folder, or removes it; where it is (or was).
fn finish(dir: tempfile::TempDir, keep: bool) -> Result<std::path::PathBuf> {
    if keep {
        return Ok(dir.keep());
    }
    let path = dir.path().to_path_buf();
    dir.close()
        .with_context(|| format!("cannot remove the demo's folder {}", path.display()))?;
    Ok(path)
}

fn counts(store: &Store, rt: RecordType) -> Result<Counts> {
    let mut counts = Counts::default();
    for record in store.list(rt, &Filter::default())? {
        counts.total += 1;
        let status: Status = record.state.status();
        *counts.by_status.entry(status.as_str()).or_default() += 1;
    }
    Ok(counts)
}
