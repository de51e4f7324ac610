//! What a polling pass did: per record, what storing its check changed; for the pass, the
//! counts, its progress and how its alerts were delivered.

use std::time::Duration;

use super::alert::Event;
use super::inventory;
use super::model::{Reading, RecordKey, RecordType, Status};

/// One record's reading from a pass, ready to store.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub key: RecordKey,
    pub at: i64,
    pub reading: Reading,
    /// TLS certificate expiry (Unix seconds) or why it could not be read; None: not https.
    pub cert: Option<Result<i64, String>>,
    /// Digest of `reading.modules` (sorted, deduplicated), when there is a module list.
    pub modules_digest: Option<[u8; 16]>,
}

impl CheckResult {
    /// Sorts and digests the module list here, on the caller's thread (a pass's workers run
    /// in parallel), so the single writer has only the database to do.
    pub fn new(
        key: RecordKey,
        at: i64,
        mut reading: Reading,
        cert: Option<Result<i64, String>>,
    ) -> CheckResult {
        let modules_digest = reading.modules.as_mut().map(|list| {
            inventory::normalize(list);
            inventory::digest(list)
        });
        CheckResult {
            key,
            at,
            reading,
            cert,
            modules_digest,
        }
    }
}

/// What storing one result changed, for the pass summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub record_type: RecordType,
    pub reference: String,
    pub previous: Status,
    pub status: Status,
    pub message: String,
    pub response_ms: Option<u64>,
    /// Instances a host's discovery created, flagged missing, or found again.
    pub created: Vec<String>,
    pub flagged_missing: Vec<String>,
    pub returned: Vec<String>,
    /// Names a host's discovery listed but could not make a record of, and why.
    pub refused: Vec<(String, String)>,
    /// Alerts due for this record (and, for a host, its discovered instances).
    pub events: Vec<Event>,
}

/// Counts of one pass, recorded with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassSummary {
    pub polled: u64,
    pub online: u64,
    pub offline: u64,
    pub error: u64,
    pub missing: u64,
    /// Instances down with their host.
    pub unreachable: u64,
}

impl PassSummary {
    pub fn count(&mut self, status: Status) {
        self.polled += 1;
        match status {
            Status::Online => self.online += 1,
            Status::Offline => self.offline += 1,
            Status::Error => self.error += 1,
            Status::Missing => self.missing += 1,
            Status::Unreachable => self.unreachable += 1,
            Status::Unknown => {}
        }
    }

    pub fn down(&self) -> u64 {
        self.offline + self.error + self.missing + self.unreachable
    }
}

/// A pass needs at least this many records, none of them answering, to blame the poller's
/// network.
pub const POLLER_OFFLINE_MIN: usize = 3;

/// Whether a pass where no check got any answer at all (`silent` of them: timeouts, no route,
/// no name resolution) blames this machine's network rather than the records. A refusal, a
/// TLS alert or any HTTP answer proves the network works, so such a pass is never offline;
/// `reference` is what the connectivity check found when one is configured: a reference that
/// answers proves it too.
pub fn poller_offline(silent: usize, reference: Option<bool>) -> bool {
    silent >= POLLER_OFFLINE_MIN && reference != Some(true)
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
    /// Every record's result, or only those with alerts (when the pass keeps only those).
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
    /// The signal that stopped the pass before every record was checked.
    pub interrupted: Option<i32>,
}

/// What became of one alert in a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The record the alert is about.
    pub reference: String,
    /// None when its hook took it; else why not (exit code, timeout, first stderr line).
    pub failure: Option<String>,
    /// Which try this was (1 for the first).
    pub attempt: u32,
    /// It failed for the last time: it will not be tried again.
    pub gave_up: bool,
    /// An earlier delivery of it had failed.
    pub retried: bool,
}
