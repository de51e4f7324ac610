//! One pass: read the enabled records a page at a time, probe them on a bounded pool of
//! threads, and stream the readings to a single writer that stores them in batched
//! transactions as they arrive (and hands the workers the next records). Alerts are decided
//! as results are stored; the hooks that deliver them run after the pass (`hooks`).

mod feed;
pub mod hooks;
mod lock;
pub mod writer;

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::clock::Clock;
use crate::domain::config::Hooks;
use crate::domain::model::{ApiKind, Discovered, Reading, Record, RecordKey, RecordType, Status};
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
use crate::store::{Claim, Store};

use self::feed::{Feed, Job, Listed, Selection};
pub use self::lock::{Busy, PassLock, acquire as acquire_lock, lock_path};
use crate::probe::kinds::server_manager::{self, HostList, Listing};

/// A batch is written when it holds this many results, or when its oldest waited this long:
/// big enough to amortise the commit, short enough that a killed pass loses little.
const BATCH_SIZE: usize = 128;
const BATCH_WAIT: Duration = Duration::from_millis(250);
/// Less time than this left in a check is not worth starting a TLS handshake in.
const MIN_HANDSHAKE: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct PassOptions {
    pub jobs: usize,
    /// Requests at once to one server: a server-manager host's script, which every instance
    /// on it goes through.
    pub per_host: usize,
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
    /// `all` mode: each record's state follows the pollers' quorum. None: this poller's own.
    pub votes: Option<writer::Votes>,
    /// `share` mode: claim records for this long, so that no other poller checks them in
    /// this pass; a dead poller's records are free again when its lease ends.
    pub share_lease: Option<i64>,
}

/// What a worker hands the writer.
enum Done {
    Checked(CheckResult),
    /// A server-manager host listed its instances; some are left to read on the pool.
    Listed {
        id: i64,
        target: Box<Target>,
        listing: Box<Listing>,
        cert: Option<Result<i64, String>>,
    },
    /// One listed instance of `host`, read.
    Read {
        host: i64,
        index: usize,
        entry: Discovered,
    },
}

/// A host whose listed instances are being read.
struct Pending {
    listing: Listing,
    shared: Arc<Listed>,
    cert: Option<Result<i64, String>>,
    /// Reads not come back yet.
    left: usize,
    unreachable_in_a_row: usize,
}

impl Pending {
    /// Notes one read; after `GIVE_UP_AFTER` unreachable in a row, the reads not started yet
    /// are not made: the server is gone, and each would only wait for its own timeout.
    fn note(&mut self, index: usize, entry: Discovered) {
        self.left = self.left.saturating_sub(1);
        match entry.reading.as_ref() {
            Some(r) if r.status == Status::Offline && r.message.starts_with("not asked") => {}
            Some(r) if r.status == Status::Offline => {
                self.unreachable_in_a_row += 1;
                if self.unreachable_in_a_row >= server_manager::GIVE_UP_AFTER
                    && let Ok(mut why) = self.shared.given_up.lock()
                {
                    why.get_or_insert_with(|| r.message.clone());
                }
            }
            _ => self.unreachable_in_a_row = 0,
        }
        self.listing.set(index, entry);
    }

    fn finish(self, prober: &Prober, host: i64, rt: RecordType, clock: Clock) -> CheckResult {
        let reading = prober.finish_listing(&self.shared.target, self.listing);
        let key = RecordKey {
            record_type: rt,
            id: host,
        };
        CheckResult::new(key, clock.now(), reading, self.cert)
    }
}

/// Does one job of the pass's pool.
fn work_on(job: Job, prober: &Prober, rt: RecordType, opts: &PassOptions, clock: Clock) -> Done {
    let (id, t, known) = match job {
        Job::Check { id, target, known } => (id, target, known),
        Job::Read {
            host,
            index,
            name,
            shared,
        } => {
            let stopped = shared.given_up.lock().ok().and_then(|why| why.clone());
            let entry = match stopped {
                Some(why) => server_manager::given_up(&name, &why),
                None => prober.read_listed(&shared.target, &name, shared.bound),
            };
            return Done::Read { host, index, entry };
        }
    };
    let checking = Instant::now();
    let lists = rt == RecordType::Host && t.kind == ApiKind::ServerManagerV1;
    let checked = if lists {
        prober.list_host(&t, &known)
    } else {
        HostList::Done(prober.probe(&t))
    };
    // The certificate's handshake shares the check's time limit: a site that used it all (a
    // stalled one) gets no second timeout, and keeps the expiry it had.
    let left = opts.probe.timeout.saturating_sub(checking.elapsed());
    let cert = t
        .url
        .as_deref()
        .filter(|_| left >= MIN_HANDSHAKE)
        .and_then(|u| prober.certificate_expiry(u, left));
    match checked {
        HostList::Listed(listing) => Done::Listed {
            id,
            target: t,
            listing: Box::new(listing),
            cert,
        },
        HostList::Done(reading) => {
            let key = RecordKey {
                record_type: rt,
                id,
            };
            Done::Checked(CheckResult::new(key, clock.now(), reading, cert))
        }
    }
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
    let claim = opts.share_lease.map(|lease| {
        let now = clock.now();
        Claim {
            poller: store.poller().unwrap_or_default().to_owned(),
            now,
            until: now + lease,
        }
    });
    let mut feed = Feed::new(store, rt, &opts.refs, opts.per_host, claim)?;
    let pass_id = store.start_pass(rt.pass_name(), clock.now())?;
    let prober = Prober::new(opts.probe.clone());
    // No more workers than jobs to do: a host may give its pool `per_host` reads at once.
    let most = match rt {
        RecordType::Host => total.saturating_mul(opts.per_host.max(1)),
        RecordType::Instance => total,
    };
    let jobs = opts.jobs.clamp(1, most.max(1));
    // Two jobs waiting per worker: the writer tops the queue up as each result arrives.
    let (work_tx, work_rx) = mpsc::sync_channel::<Job>(jobs * 2);
    let work_rx = Mutex::new(work_rx);
    // Bounded, so workers wait for a slow writer instead of piling results up in memory.
    let (tx, rx) = mpsc::sync_channel::<Done>(jobs * 2);
    // Server-manager hosts whose listed instances are being read, by host id.
    let mut listings: HashMap<i64, Pending> = HashMap::new();

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
                    let Ok(job) = job else { break }; // no more targets
                    let done = work_on(job, prober, rt, opts, clock);
                    if tx.send(done).is_err() {
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
        let top_up = |store: &Store, feed: &mut Feed, work: &mut Option<SyncSender<Job>>| {
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
                let stored = writer::write(store, batch, opts.hooks.as_ref(), opts.votes)?;
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
            top_up(store, &mut feed, &mut work)?;
            let wait = oldest.map_or(BATCH_WAIT, |t| BATCH_WAIT.saturating_sub(t.elapsed()));
            let received = rx.recv_timeout(wait).map(|done| match done {
                Done::Checked(r) => {
                    feed.checked(r.key.id);
                    Some(r)
                }
                Done::Listed {
                    id,
                    target,
                    mut listing,
                    cert,
                } => {
                    feed.checked(id);
                    let bound = listing.bound(opts.probe.timeout, opts.per_host);
                    let shared = Arc::new(Listed {
                        target: *target,
                        bound,
                        given_up: Mutex::new(None),
                    });
                    for &index in &listing.to_read {
                        let name = listing.name(index).to_string();
                        let job = Job::Read {
                            host: id,
                            index,
                            name,
                            shared: shared.clone(),
                        };
                        feed.push(job, Some(id));
                    }
                    let left = listing.to_read.len();
                    listings.insert(
                        id,
                        Pending {
                            listing: *listing,
                            shared,
                            cert,
                            left,
                            unreachable_in_a_row: 0,
                        },
                    );
                    None
                }
                Done::Read { host, index, entry } => {
                    feed.read(host);
                    let pending = listings.get_mut(&host)?;
                    pending.note(index, entry);
                    if pending.left > 0 {
                        return None;
                    }
                    let pending = listings.remove(&host)?;
                    Some(pending.finish(&prober, host, rt, clock))
                }
            });
            match received {
                Ok(None) => {}
                Ok(Some(r)) => {
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
                    // Stopped by a signal with reads left: what was read is stored.
                    for (host, pending) in listings.drain() {
                        batch.push(pending.finish(&prober, host, rt, clock));
                    }
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
