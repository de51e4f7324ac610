//! The records of a pass as targets for the probes: read a page at a time and handed to the
//! workers through a bounded queue, so that a pass holds a few hundred targets however big the
//! fleet.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::domain::model::{ApiKind, Record, RecordType};
use crate::domain::query::Filter;
use crate::probe::{HostLink, Target};
use crate::store::{Claim, Store};

/// Turns records into targets: an instance's target may need its host's URL and token. Also
/// notes which of the refs asked for it has seen.
pub(super) struct Selection {
    /// For instances, every host by id.
    hosts: HashMap<i64, Record>,
    /// Refs asked for that no record given to `target` had (yet).
    pub(super) unknown: Vec<String>,
}

impl Selection {
    pub(super) fn new(store: &Store, rt: RecordType, refs: &[String]) -> Result<Selection> {
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

    pub(super) fn target(&mut self, r: &Record) -> Target {
        if !self.unknown.is_empty() {
            self.unknown.retain(|u| u.as_str() != r.reference());
        }
        target(r, r.settings.host_id.and_then(|id| self.hosts.get(&id)))
    }
}

/// A pass reads its records this many at a time, as the workers need them.
const PAGE: usize = 256;

/// Most targets held back because their server has its share of requests running: past it, no
/// page is read ahead, and the pool waits for those servers (a fleet of one huge server).
const HELD_BACK: usize = 4096;

/// One unit of work for the pass's pool.
pub(super) enum Job {
    /// Check a record. `known`: for a server-manager host in update-hosts, the names its list
    /// gives that are not to be read.
    Check {
        id: i64,
        target: Box<Target>,
        known: HashSet<String>,
    },
    /// Read instance `index` of a server-manager host's list.
    Read {
        host: i64,
        index: usize,
        name: String,
        shared: Arc<Listed>,
    },
}

/// What the reads of one host's listed instances share.
pub(super) struct Listed {
    pub(super) target: Target,
    /// The end of the host's whole check, and its length: a read not started by then is not
    /// asked.
    pub(super) bound: (Instant, Duration),
    /// Set, with why, once the server stopped answering: the reads left are not asked.
    pub(super) given_up: Mutex<Option<String>>,
}

impl Job {
    /// The server whose requests this job adds to: server-manager instances all go through
    /// their host's script, so they share its `per_host` limit.
    fn server(&self, via_host: bool, host_id: Option<i64>) -> Option<i64> {
        match self {
            Job::Read { host, .. } => Some(*host),
            Job::Check { .. } => host_id.filter(|_| via_host),
        }
    }
}

/// The records of a pass, read a page at a time (by id) and handed to the workers through a
/// bounded queue, so that a pass holds a few hundred targets however big the fleet; and no
/// server gets more than `per_host` requests at once from the pass.
pub(super) struct Feed {
    rt: RecordType,
    /// `share` mode: records are claimed from the other pollers a page at a time.
    claim: Option<Claim>,
    filter: Filter,
    pub(super) sel: Selection,
    after: i64,
    exhausted: bool,
    per_host: usize,
    /// Jobs free to go, in order.
    ready: VecDeque<Job>,
    /// Jobs waiting for their server to have a request fewer running, by server.
    waiting: HashMap<i64, VecDeque<Job>>,
    /// Servers with jobs waiting, taken in turn.
    turns: VecDeque<i64>,
    held_back: usize,
    /// Requests handed out per server, until their result comes back.
    running: HashMap<i64, usize>,
    /// The server of each record being checked.
    checking: HashMap<i64, i64>,
    /// Jobs handed out whose result has not come back.
    pub(super) outstanding: usize,
}

impl Feed {
    pub(super) fn new(
        store: &Store,
        rt: RecordType,
        refs: &[String],
        per_host: usize,
        claim: Option<Claim>,
    ) -> Result<Feed> {
        Ok(Feed {
            rt,
            claim,
            filter: Filter::pass(refs),
            sel: Selection::new(store, rt, refs)?,
            after: 0,
            exhausted: false,
            per_host: per_host.max(1),
            ready: VecDeque::new(),
            waiting: HashMap::new(),
            turns: VecDeque::new(),
            held_back: 0,
            running: HashMap::new(),
            checking: HashMap::new(),
            outstanding: 0,
        })
    }

    /// Queues jobs for the workers until their queue is full or every job left waits for its
    /// server; false once every job has been handed out and come back (or the workers are
    /// gone).
    pub(super) fn top_up(&mut self, store: &Store, work: &SyncSender<Job>) -> Result<bool> {
        loop {
            let Some((job, server)) = self.next() else {
                if self.exhausted || self.held_back >= HELD_BACK {
                    let drained = self.exhausted && self.held_back == 0 && self.ready.is_empty();
                    return Ok(!(drained && self.outstanding == 0));
                }
                self.read_page(store)?;
                continue;
            };
            let id = match &job {
                Job::Check { id, .. } => Some(*id),
                Job::Read { .. } => None,
            };
            match work.try_send(job) {
                Ok(()) => {
                    self.outstanding += 1;
                    if let Some(server) = server {
                        *self.running.entry(server).or_default() += 1;
                        if let Some(id) = id {
                            self.checking.insert(id, server);
                        }
                    }
                }
                Err(TrySendError::Full(job)) => {
                    self.put_back(job, server);
                    return Ok(true);
                }
                Err(TrySendError::Disconnected(_)) => return Ok(false),
            }
        }
    }

    /// The next job to hand out, and its server: first a server in turn that is under its
    /// limit, else the next free job.
    fn next(&mut self) -> Option<(Job, Option<i64>)> {
        for _ in 0..self.turns.len() {
            let server = self.turns.pop_front()?;
            let busy = self.running.get(&server).copied().unwrap_or(0) >= self.per_host;
            let queue = self.waiting.get_mut(&server);
            match queue {
                Some(queue) if !busy => {
                    let job = queue.pop_front();
                    if queue.is_empty() {
                        self.waiting.remove(&server);
                    } else {
                        self.turns.push_back(server);
                    }
                    if let Some(job) = job {
                        self.held_back -= 1;
                        return Some((job, Some(server)));
                    }
                }
                Some(_) => self.turns.push_back(server),
                None => {}
            }
        }
        self.ready.pop_front().map(|job| (job, None))
    }

    fn put_back(&mut self, job: Job, server: Option<i64>) {
        match server {
            Some(server) => {
                let queue = self.waiting.entry(server).or_default();
                if queue.is_empty() {
                    self.turns.push_front(server);
                }
                queue.push_front(job);
                self.held_back += 1;
            }
            None => self.ready.push_front(job),
        }
    }

    /// Adds a job for `server`'s share of the pool.
    pub(super) fn push(&mut self, job: Job, server: Option<i64>) {
        match server {
            Some(server) => {
                let queue = self.waiting.entry(server).or_default();
                if queue.is_empty() {
                    self.turns.push_back(server);
                }
                queue.push_back(job);
                self.held_back += 1;
            }
            None => self.ready.push_back(job),
        }
    }

    /// A record's check came back.
    pub(super) fn checked(&mut self, id: i64) {
        self.outstanding = self.outstanding.saturating_sub(1);
        if let Some(server) = self.checking.remove(&id) {
            self.release(server);
        }
    }

    /// A read of one of `host`'s listed instances came back.
    pub(super) fn read(&mut self, host: i64) {
        self.outstanding = self.outstanding.saturating_sub(1);
        self.release(host);
    }

    fn release(&mut self, server: i64) {
        if let Some(n) = self.running.get_mut(&server) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.running.remove(&server);
            }
        }
    }

    fn read_page(&mut self, store: &Store) -> Result<()> {
        let page = match &self.claim {
            Some(claim) => store.claim_page(self.rt, &self.filter, claim, self.after, PAGE)?,
            None => store.page(self.rt, &self.filter, self.after, PAGE)?,
        };
        self.exhausted = page.len() < PAGE;
        for r in page {
            self.after = r.id;
            let s = &r.settings;
            let lists = self.rt == RecordType::Host && s.kind == ApiKind::ServerManagerV1;
            let known = if lists {
                store.known_names(r.id)?.into_iter().collect()
            } else {
                HashSet::new()
            };
            let via_host =
                r.record_type == RecordType::Instance && s.kind == ApiKind::ServerManagerV1;
            let job = Job::Check {
                id: r.id,
                target: Box::new(self.sel.target(&r)),
                known,
            };
            let server = job.server(via_host, s.host_id);
            self.push(job, server);
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
        // A server-manager instance is fetched from its host's server, so its host's CA.
        ca_file: match (via_host, host) {
            (true, Some(h)) => h.settings.ca_file.clone(),
            _ => s.ca_file.clone(),
        }
        .map(PathBuf::from),
        host: host.map(|h| HostLink {
            reference: h.settings.reference.clone(),
            url: h.settings.url.clone(),
        }),
        assertions: s.assertions.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::Settings;
    use std::sync::mpsc;

    #[test]
    fn a_server_gets_no_more_than_its_share_of_the_queue() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(
            &dir.path().join("w.db"),
            crate::store::Access::Create { mode: 0o600 },
        )
        .expect("open");
        let mut host = Settings::new("srv", ApiKind::ServerManagerV1);
        host.url = Some("http://srv.example/".into());
        let host_id = store.insert(RecordType::Host, &host, 0).expect("host");
        let mut on_host = Vec::new();
        for i in 0..10 {
            let mut s = Settings::new(format!("shop{i}"), ApiKind::ServerManagerV1);
            s.host_id = Some(host_id);
            on_host.push(store.insert(RecordType::Instance, &s, 0).expect("instance"));
        }
        for i in 0..3 {
            let mut s = Settings::new(format!("site{i}"), ApiKind::Ping);
            s.url = Some(format!("http://site{i}.example/"));
            store.insert(RecordType::Instance, &s, 0).expect("instance");
        }
        let mut feed = Feed::new(&store, RecordType::Instance, &[], 2, None).expect("feed");
        let (tx, rx) = mpsc::sync_channel::<Job>(100);
        let ids = |rx: &mpsc::Receiver<Job>| -> Vec<i64> {
            rx.try_iter()
                .filter_map(|job| match job {
                    Job::Check { id, .. } => Some(id),
                    Job::Read { .. } => None,
                })
                .collect()
        };
        assert!(feed.top_up(&store, &tx).expect("top up"));
        let first = ids(&rx);
        // Two of the server's instances, and every other record: they wait for no server.
        assert_eq!(first.len(), 5, "{first:?}");
        assert_eq!(first.iter().filter(|id| on_host.contains(id)).count(), 2);
        // One comes back: one more may go.
        feed.checked(first[0]);
        assert!(feed.top_up(&store, &tx).expect("top up"));
        let next = ids(&rx);
        assert_eq!(next.len(), 1, "{next:?}");
        assert!(on_host.contains(&next[0]));
        // Handed out, all back: the feed is done.
        let mut out: Vec<i64> = first[1..].iter().copied().chain(next).collect();
        while let Some(id) = out.pop() {
            feed.checked(id);
            assert!(feed.top_up(&store, &tx).expect("top up") || out.is_empty());
            out.extend(ids(&rx));
        }
        assert!(!feed.top_up(&store, &tx).expect("top up"));
    }
}
