//! One pass: read the enabled records a page at a time, probe them on a bounded pool of
//! threads, and stream the readings to a single writer that stores them in batched
//! transactions as they arrive (and hands the workers the next records). Alerts are decided
//! as results are stored; the hooks that deliver them run after the pass (`hooks`).

mod feed;
pub mod hooks;
mod lock;
pub mod writer;

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::clock::Clock;
use crate::domain::config::Hooks;
use crate::domain::model::{Reading, Record, RecordKey, RecordType};
use crate::domain::pass::CheckResult;
use crate::domain::pass::{self, PassReport, PassSummary, Progress};
use crate::domain::query::Filter;
pub use crate::probe::Settings as ProbeSettings;

/// Reads a CA file as a pass will, so that `add`, `edit` and `config set` refuse one a pass
/// could not use.
pub fn check_ca_file(path: &std::path::Path) -> Result<(), String> {
    crate::probe::net::trust::read_ca_file(path).map(|_| ())
}
use crate::probe::net;
use crate::probe::{Prober, Target};
use crate::store::Store;

use self::feed::{Feed, Selection};
pub use self::lock::{Busy, PassLock, acquire as acquire_lock, lock_path};

/// A batch is written when it holds this many results, or when its oldest waited this long:
/// big enough to amortise the commit, short enough that a killed pass loses little.
const BATCH_SIZE: usize = 128;
const BATCH_WAIT: Duration = Duration::from_millis(250);
/// Less time than this left in a check is not worth starting a TLS handshake in.
const MIN_HANDSHAKE: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct PassOptions {
    pub jobs: usize,
    pub probe: ProbeSettings,
    /// Only these refs (still only enabled ones); empty means all.
    pub refs: Vec<String>,
    /// The change hook and its policy; None keeps alert state untouched.
    pub hooks: Option<Hooks>,
    /// Keep every record's result in the report, to print them. Otherwise only results that
    /// carry alerts are kept, so a quiet cron pass holds no per-record state.
    pub keep_all_results: bool,
    /// Keep the results of records found down too (a quiet `--fail-on-down` pass names them).
    pub keep_down_results: bool,
    /// `HOST:PORT`s this machine should always reach: tried when no check of a pass got any
    /// answer, before the pass is blamed on this machine's network.
    pub connectivity_check: Vec<String>,
}

/// The enabled records a pass would poll, and the refs asked for that are not among them
/// (for `--dry-run`).
pub fn select(
    store: &Store,
    rt: RecordType,
    refs: &[String],
) -> Result<(Vec<Record>, Vec<String>)> {
    let records = store.list(rt, &Filter::pass(refs))?;
    let found: HashSet<&str> = records.iter().map(Record::reference).collect();
    let unknown = refs
        .iter()
        .filter(|r| !found.contains(r.as_str()))
        .cloned()
        .collect();
    Ok((records, unknown))
}

/// Probes one record now, storing nothing (`check --live`).
pub fn probe_now(store: &Store, record: &Record, probe: ProbeSettings) -> Result<Reading> {
    let target = Selection::new(store, record.record_type, &[])?.target(record);
    Ok(Prober::new(probe).probe(&target))
}

/// Runs one pass over the enabled records of `rt`. The caller holds the pass lock.
pub fn run(
    store: &mut Store,
    rt: RecordType,
    opts: &PassOptions,
    clock: Clock,
    progress: &mut dyn FnMut(Progress),
) -> Result<PassReport> {
    let started = Instant::now();
    let total = store.count(rt, &Filter::pass(&opts.refs))?;
    let mut feed = Feed::new(store, rt, &opts.refs)?;
    let pass_id = store.start_pass(rt.pass_name(), clock.now())?;
    let prober = Prober::new(opts.probe.clone());
    let jobs = opts.jobs.clamp(1, total.max(1));
    // Two targets waiting per worker: the writer tops the queue up as each result arrives.
    let (work_tx, work_rx) = mpsc::sync_channel::<(i64, Target)>(jobs * 2);
    let work_rx = Mutex::new(work_rx);
    // Bounded, so workers wait for a slow writer instead of piling results up in memory.
    let (tx, rx) = mpsc::sync_channel::<CheckResult>(jobs * 2);

    let mut results = Vec::with_capacity(if opts.keep_all_results { total } else { 0 });
    let mut stored_count = 0;
    let mut summary = PassSummary::default();
    let mut held: Vec<CheckResult> = Vec::new();
    let mut write_time = Duration::ZERO;
    let mut poller_offline = false;
    let write_outcome = std::thread::scope(|scope| -> Result<()> {
        // Owned here so that a failing writer drops them, which stops the workers.
        let rx = rx;
        let mut work = Some(work_tx);
        for _ in 0..jobs {
            let tx = tx.clone();
            let (work_rx, prober) = (&work_rx, &prober);
            scope.spawn(move || {
                loop {
                    // The guard is dropped at the end of the statement, before the probe.
                    let job = match work_rx.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => break, // another worker panicked holding it
                    };
                    let Ok((id, t)) = job else { break }; // no more targets
                    let checking = Instant::now();
                    let reading = prober.probe(&t);
                    // The certificate's handshake shares the check's time limit: a site that
                    // used it all (a stalled one) gets no second timeout, and keeps the
                    // expiry it had.
                    let left = opts.probe.timeout.saturating_sub(checking.elapsed());
                    let cert = t
                        .url
                        .as_deref()
                        .filter(|_| left >= MIN_HANDSHAKE)
                        .and_then(|u| prober.certificate_expiry(u, left));
                    let key = RecordKey {
                        record_type: rt,
                        id,
                    };
                    let result = CheckResult::new(key, clock.now(), reading, cert);
                    if tx.send(result).is_err() {
                        break; // the writer failed; stop probing
                    }
                }
            });
        }
        drop(tx);
        let mut batch: Vec<CheckResult> = Vec::with_capacity(BATCH_SIZE);
        let mut oldest: Option<Instant> = None;
        // While no check so far got any answer, hold the results back: if the whole pass
        // fails that way, the fault may be this machine's network, not the records'.
        let mut silent_only = true;
        let mut top_up = |store: &Store, work: &mut Option<SyncSender<(i64, Target)>>| {
            if let Some(queue) = work
                && !feed.top_up(store, queue)?
            {
                *work = None; // all handed out: workers stop once the queue is empty
            }
            anyhow::Ok(())
        };
        let mut flush = |store: &mut Store, batch: &mut Vec<CheckResult>| -> Result<()> {
            if !batch.is_empty() {
                let writing = Instant::now();
                let stored = writer::write(store, batch, opts.hooks.as_ref())?;
                write_time += writing.elapsed();
                for s in stored {
                    summary.count(s.status);
                    stored_count += 1;
                    if opts.keep_all_results
                        || !s.events.is_empty()
                        || (opts.keep_down_results && s.status.is_down())
                    {
                        results.push(s);
                    }
                }
                batch.clear();
            }
            // Even when nothing came: the time left shown must see that nothing did.
            progress(Progress {
                done: stored_count,
                total: total.max(stored_count),
                summary: &summary,
                elapsed: started.elapsed(),
            });
            Ok(())
        };
        loop {
            if work.is_some() && crate::signals::received().is_some() {
                // Told to stop: no new check starts; those running end, and are stored.
                work = None;
            }
            // Each result frees a worker: give it (and any idle one) the next target.
            top_up(store, &mut work)?;
            let wait = oldest.map_or(BATCH_WAIT, |t| BATCH_WAIT.saturating_sub(t.elapsed()));
            match rx.recv_timeout(wait) {
                Ok(r) => {
                    if silent_only && r.reading.is_silent() {
                        held.push(r);
                        continue;
                    }
                    if silent_only {
                        silent_only = false;
                        batch.append(&mut held);
                    }
                    oldest.get_or_insert_with(Instant::now);
                    batch.push(r);
                    if batch.len() >= BATCH_SIZE {
                        flush(store, &mut batch)?;
                        oldest = None;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    flush(store, &mut batch)?;
                    oldest = None;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    if !held.is_empty() {
                        let reference = (held.len() >= pass::POLLER_OFFLINE_MIN
                            && !opts.connectivity_check.is_empty())
                        .then(|| net::reachable(&opts.connectivity_check, opts.probe.timeout));
                        poller_offline = pass::poller_offline(held.len(), reference);
                    }
                    if !poller_offline {
                        batch.append(&mut held);
                    }
                    return flush(store, &mut batch);
                }
            }
        }
    });
    let elapsed = started.elapsed();
    write_outcome?;
    if poller_offline {
        // Nothing is stored against the records: no state, no history, no alerts.
        summary.offline = held.len() as u64;
        summary.polled = held.len() as u64;
    }
    let interrupted = crate::signals::received();
    store.finish_pass(
        pass_id,
        u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        &summary,
        poller_offline,
        interrupted.is_some(),
    )?;
    Ok(PassReport {
        record_type: rt,
        results,
        stored: stored_count,
        summary,
        elapsed,
        unknown_refs: feed.sel.unknown,
        poller_offline,
        write_time,
        interrupted,
    })
}
