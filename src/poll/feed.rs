//! The records of a pass as targets for the probes: read a page at a time and handed to the
//! workers through a bounded queue, so that a pass holds a few hundred targets however big the
//! fleet.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::mpsc::{SyncSender, TrySendError};

use anyhow::Result;

use crate::domain::model::{ApiKind, Record, RecordType};
use crate::domain::query::Filter;
use crate::probe::{HostLink, Target};
use crate::store::Store;

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

/// The records of a pass, read a page at a time (by id) and handed to the workers through a
/// bounded queue, so that a pass holds a few hundred targets however big the fleet.
pub(super) struct Feed {
    rt: RecordType,
    filter: Filter,
    pub(super) sel: Selection,
    after: i64,
    exhausted: bool,
    pending: VecDeque<(i64, Target)>,
}

impl Feed {
    pub(super) fn new(store: &Store, rt: RecordType, refs: &[String]) -> Result<Feed> {
        Ok(Feed {
            rt,
            filter: Filter::pass(refs),
            sel: Selection::new(store, rt, refs)?,
            after: 0,
            exhausted: false,
            pending: VecDeque::new(),
        })
    }

    /// Queues targets for the workers until their queue is full; false once every target has
    /// been handed out (or the workers are gone).
    pub(super) fn top_up(
        &mut self,
        store: &Store,
        work: &SyncSender<(i64, Target)>,
    ) -> Result<bool> {
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
    }
}
