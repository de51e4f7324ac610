//! One pass: read the enabled records a page at a time, probe them on a bounded pool of
//! threads, and stream the readings to a single writer that stores them in batched
//! transactions as they arrive (and hands the workers the next records).

mod lock;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::alert::Policy;
use crate::model::{ApiKind, RecordType};
use crate::probe::tls::ExpiryCache;
use crate::probe::{HostLink, Prober, Reading, Settings as ProbeSettings, Target};
use crate::store::{CheckResult, Filter, PassSummary, Record, Store, Stored};
use crate::time;

pub use lock::{acquire as acquire_lock, lock_path};

/// A batch is written when it holds this many results, or when its oldest waited this long:
/// big enough to amortise the commit, short enough that a killed pass loses little.
const BATCH_SIZE: usize = 128;
const BATCH_WAIT: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub struct PassOptions {
    pub jobs: usize,
    pub probe: ProbeSettings,
    /// Only these refs (still only enabled ones); empty means all.
    pub refs: Vec<String>,
    /// Alerting policy when a change hook will run; None keeps alert state untouched.
    pub alert: Option<Policy>,
    /// Keep every record's result in the report, to print them. Otherwise only results that
    /// carry alerts are kept, so a quiet cron pass holds no per-record state.
    pub keep_all_results: bool,
}

/// How far a pass has got, for a progress display.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub done: usize,
    pub total: usize,
    pub summary: &'a PassSummary,
    pub elapsed: Duration,
}

/// What a pass did, for the summary.
#[derive(Debug)]
pub struct PassReport {
    pub record_type: RecordType,
    /// Every record's result, or only those with alerts (see `PassOptions::keep_all_results`).
    pub results: Vec<Stored>,
    /// How many results were stored.
    pub stored: usize,
    pub summary: PassSummary,
    pub elapsed: Duration,
    /// Refs asked for with `--ref` that are not enabled records of this type.
    pub unknown_refs: Vec<String>,
    /// Every check failed to connect (at least `POLLER_OFFLINE_MIN` of them): nothing was
    /// stored against the records.
    pub poller_offline: bool,
    /// Time spent storing the results (all the writer's batches), for `--verbose`.
    pub write_time: Duration,
}

/// A pass needs at least this many records, all unreachable, to blame the poller's network.
pub const POLLER_OFFLINE_MIN: usize = 3;

/// No HTTP answer at all: refused, DNS, timeout, TLS.
fn is_transport_failure(r: &crate::probe::Reading) -> bool {
    r.status == crate::model::Status::Offline && r.http_status.is_none()
}

/// The pass name, as in the command and the lock file.
pub fn pass_name(rt: RecordType) -> &'static str {
    match rt {
        RecordType::Host => "update-hosts",
        RecordType::Instance => "update-instances",
    }
}

/// The enabled records a pass would poll, with the targets to probe (for `--dry-run`).
pub fn select(
    store: &Store,
    rt: RecordType,
    refs: &[String],
) -> Result<(Vec<Record>, Vec<Target>, Vec<String>)> {
    let mut sel = Selection::new(store, rt, refs)?;
    let records = store.list(rt, &selection(refs))?;
    let targets = records.iter().map(|r| sel.target(r)).collect();
    Ok((records, targets, sel.unknown))
}

/// The enabled records of a pass, all of them or those of `refs`.
fn selection(refs: &[String]) -> Filter {
    Filter {
        enabled: Some(true),
        refs: refs.to_vec(),
        ..Filter::default()
    }
}

/// Turns records into targets: an instance's target may need its host's URL and token. Also
/// notes which of the refs asked for it has seen.
struct Selection {
    /// For instances, every host by id.
    hosts: HashMap<i64, Record>,
    /// Refs asked for that no record given to `target` had (yet).
    unknown: Vec<String>,
}

impl Selection {
    fn new(store: &Store, rt: RecordType, refs: &[String]) -> Result<Selection> {
        let hosts = if rt == RecordType::Instance {
            store
                .list(RecordType::Host, &Filter::default())?
                .into_iter()
                .map(|h| (h.id, h))
                .collect()
        } else {
            HashMap::new()
        };
        Ok(Selection {
            hosts,
            unknown: refs.to_vec(),
        })
    }

    fn target(&mut self, r: &Record) -> Target {
        if !self.unknown.is_empty() {
            self.unknown.retain(|u| u.as_str() != r.reference());
        }
        target(r, r.settings.host_id.and_then(|id| self.hosts.get(&id)))
    }
}

/// A pass reads its records this many at a time, as the workers need them.
const PAGE: usize = 256;

/// The records of a pass, read a page at a time (by id) and handed to the workers through a
/// bounded queue, so that a pass holds a few hundred targets however big the fleet.
struct Feed {
    rt: RecordType,
    filter: Filter,
    sel: Selection,
    after: i64,
    exhausted: bool,
    pending: VecDeque<(i64, Target)>,
}

impl Feed {
    fn new(store: &Store, rt: RecordType, refs: &[String]) -> Result<Feed> {
        Ok(Feed {
            rt,
            filter: selection(refs),
            sel: Selection::new(store, rt, refs)?,
            after: 0,
            exhausted: false,
            pending: VecDeque::new(),
        })
    }

    /// Queues targets for the workers until their queue is full; false once every target has
    /// been handed out (or the workers are gone).
    fn top_up(&mut self, store: &Store, work: &SyncSender<(i64, Target)>) -> Result<bool> {
        loop {
            let Some(job) = self.pending.pop_front() else {
                if self.exhausted {
                    return Ok(false);
                }
                self.read_page(store)?;
                continue;
            };
            match work.try_send(job) {
                Ok(()) => {}
                Err(TrySendError::Full(job)) => {
                    self.pending.push_front(job);
                    return Ok(true);
                }
                Err(TrySendError::Disconnected(_)) => return Ok(false),
            }
        }
    }

    fn read_page(&mut self, store: &Store) -> Result<()> {
        let page = store.page(self.rt, &self.filter, self.after, PAGE)?;
        self.exhausted = page.len() < PAGE;
        for r in page {
            self.after = r.id;
            self.pending.push_back((r.id, self.sel.target(&r)));
        }
        Ok(())
    }
}

fn target(r: &Record, host: Option<&Record>) -> Target {
    let s = &r.settings;
    let via_host = r.record_type == RecordType::Instance && s.kind == ApiKind::ServerManagerV1;
    let (url, token) = match (via_host, host) {
        (true, Some(h)) => (h.settings.url.clone(), h.settings.token.clone()),
        (true, None) => (None, None),
        (false, _) => (s.url.clone(), s.token.clone()),
    };
    Target {
        record_type: r.record_type,
        reference: s.reference.clone(),
        kind: s.kind,
        url,
        token,
        remote_name: s
            .remote_name
            .clone()
            .or_else(|| via_host.then(|| s.reference.clone())),
        probe: s.probe.clone(),
        insecure_tls: s.insecure_tls || (via_host && host.is_some_and(|h| h.settings.insecure_tls)),
        host: host.map(|h| HostLink {
            reference: h.settings.reference.clone(),
            url: h.settings.url.clone(),
        }),
    }
}

/// Probes one record now, storing nothing (`check --live`).
pub fn probe_now(
    store: &Store,
    rt: RecordType,
    reference: &str,
    probe: ProbeSettings,
) -> Result<Reading> {
    let record = store.get(rt, reference)?;
    let target = Selection::new(store, rt, &[])?.target(&record);
    Ok(Prober::new(probe).probe(&target))
}

/// Runs one pass over the enabled records of `rt`. The caller holds the pass lock.
pub fn run(
    store: &mut Store,
    rt: RecordType,
    opts: &PassOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<PassReport> {
    let started = Instant::now();
    let total = store.count(rt, &selection(&opts.refs))?;
    let mut feed = Feed::new(store, rt, &opts.refs)?;
    let pass_id = store.start_pass(pass_name(rt), time::now())?;
    let prober = Prober::new(opts.probe.clone());
    // One TLS handshake per distinct host:port per pass, shared by the workers.
    let certs = ExpiryCache::new();
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
    let write_outcome = std::thread::scope(|scope| -> Result<()> {
        // Owned here so that a failing writer drops them, which stops the workers.
        let rx = rx;
        let mut work = Some(work_tx);
        for _ in 0..jobs {
            let tx = tx.clone();
            let (work_rx, prober, certs) = (&work_rx, &prober, &certs);
            scope.spawn(move || {
                loop {
                    // The guard is dropped at the end of the statement, before the probe.
                    let job = match work_rx.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => break, // another worker panicked holding it
                    };
                    let Ok((id, t)) = job else { break }; // no more targets
                    let reading = prober.probe(&t);
                    let cert = t
                        .url
                        .as_deref()
                        .and_then(|u| certs.get(u, opts.probe.timeout));
                    let result = CheckResult::new(rt, id, time::now(), reading, cert);
                    if tx.send(result).is_err() {
                        break; // the writer failed; stop probing
                    }
                }
            });
        }
        drop(tx);
        let mut batch: Vec<CheckResult> = Vec::with_capacity(BATCH_SIZE);
        let mut oldest: Option<Instant> = None;
        // While every check so far failed to connect, hold the results back: if the whole
        // pass fails that way, the fault is this machine's network, not the records'.
        let mut transport_only = true;
        let mut top_up = |store: &Store, work: &mut Option<SyncSender<(i64, Target)>>| {
            if let Some(queue) = work
                && !feed.top_up(store, queue)?
            {
                *work = None; // all handed out: workers stop once the queue is empty
            }
            anyhow::Ok(())
        };
        let mut flush = |store: &mut Store, batch: &mut Vec<CheckResult>| -> Result<()> {
            if batch.is_empty() {
                return Ok(());
            }
            let writing = Instant::now();
            let stored = store.writer(opts.alert).write(batch)?;
            write_time += writing.elapsed();
            for s in stored {
                summary.count(s.status);
                stored_count += 1;
                if opts.keep_all_results || !s.events.is_empty() {
                    results.push(s);
                }
            }
            batch.clear();
            progress(Progress {
                done: stored_count,
                total: total.max(stored_count),
                summary: &summary,
                elapsed: started.elapsed(),
            });
            Ok(())
        };
        loop {
            // Each result frees a worker: give it (and any idle one) the next target.
            top_up(store, &mut work)?;
            let wait = oldest.map_or(BATCH_WAIT, |t| BATCH_WAIT.saturating_sub(t.elapsed()));
            match rx.recv_timeout(wait) {
                Ok(r) => {
                    if transport_only && is_transport_failure(&r.reading) {
                        held.push(r);
                        continue;
                    }
                    if transport_only {
                        transport_only = false;
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
                    if held.len() < POLLER_OFFLINE_MIN {
                        batch.append(&mut held);
                    }
                    return flush(store, &mut batch);
                }
            }
        }
    });
    let elapsed = started.elapsed();
    write_outcome?;
    let poller_offline = held.len() >= POLLER_OFFLINE_MIN;
    if poller_offline {
        // Nothing is stored against the records: no state, no history, no alerts.
        summary.offline = held.len() as u64;
        summary.polled = held.len() as u64;
    }
    store.finish_pass(
        pass_id,
        elapsed.as_millis() as u64,
        &summary,
        poller_offline,
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
    })
}
