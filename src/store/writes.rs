//! Writing what a pass learned, as the pass's writer decides it: the steps of one batch (a
//! record's state, its history rows, modules, inventory changes, discovered instances, alert
//! state) inside one IMMEDIATE transaction, and the pass itself.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::db::{OptionalExt, Owned, Row, Tx, params, params_of};
use super::pg_batch::{Columns, Pending};
use anyhow::{Context, Result};
use rusqlite::config::DbConfig;

use super::Store;
use super::records::modules_of;
use super::sql::{from_int, table, to_int};
use crate::domain::alert::HostSeen;
use crate::domain::discovery::{KnownInstance, NewInstance};
use crate::domain::inventory::Change;
use crate::domain::model::{
    ApiKind, Module, Reading, RecordKey, RecordType, Source, State, Status,
};
use crate::domain::pass::PassSummary;

/// What the writer needs of a record before it stores a check on it.
#[derive(Debug, Clone)]
pub struct Before {
    pub reference: String,
    pub url: Option<String>,
    pub state: State,
    /// The status last alerted, and when (None: never).
    pub alerted: Option<Status>,
    pub alerted_at: Option<i64>,
    /// Instances: the digest of the stored module list (None before there was one).
    pub modules_digest: Option<Vec<u8>>,
    /// Instances: the host they live on.
    pub host_id: Option<i64>,
}

/// The columns `before_of` reads, for a record of type `rt`.
pub(super) fn before_columns(rt: RecordType) -> String {
    let instance_cols = match rt {
        RecordType::Host => "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL",
        RecordType::Instance => {
            "dolibarr_version, users_all, users_active, last_login, modules_digest, install_lock,
            main_features_level, database_pwd_encrypted, first_version, host_id"
        }
    };
    format!(
        "ref, url, status, status_since, message, last_check_at, last_success_at,
        consecutive_failures, consecutive_successes, response_ms, http_status, disk_used,
        disk_total, disk_partial, cert_expires_at, cert_error, alerted_status, alerted_at,
        {instance_cols}"
    )
}

/// A record as it is before its check, from a row of `before_columns`.
pub(super) fn before_of(r: &Row<'_>) -> super::db::Result<Before> {
    Ok(Before {
        reference: r.get(0)?,
        url: r.get(1)?,
        state: State {
            last_push_at: None,
            status: Some(r.get(2)?),
            status_since: r.get(3)?,
            message: r.get(4)?,
            last_check_at: r.get(5)?,
            last_success_at: r.get(6)?,
            consecutive_failures: r.get(7)?,
            consecutive_successes: r.get(8)?,
            response_ms: from_int(r.get(9)?),
            http_status: from_int(r.get(10)?),
            disk_used: from_int(r.get(11)?),
            disk_total: from_int(r.get(12)?),
            disk_partial: r.get(13)?,
            cert_expires_at: r.get(14)?,
            cert_error: r.get(15)?,
            dolibarr_version: r.get(18)?,
            users_all: r.get(19)?,
            users_active: r.get(20)?,
            last_login: r.get(21)?,
            security: super::records::security_from(r.get(23)?, r.get(24)?, r.get(25)?),
            first_version: r.get(26)?,
        },
        alerted: r.get(16)?,
        alerted_at: r.get(17)?,
        modules_digest: r.get(22)?,
        host_id: r.get(27)?,
    })
}

/// One check to store, as the writer decided it.
#[derive(Debug, Clone, Copy)]
pub struct CheckWrite<'a> {
    pub key: RecordKey,
    pub at: i64,
    /// What the check read: its history row.
    pub reading: &'a Reading,
    /// The record's state after the check.
    pub state: &'a State,
    /// The status before, when the check changed it.
    pub changed_from: Option<Status>,
    /// Instances: the digest of the module list now stored, when the check read one.
    pub modules_digest: Option<[u8; 16]>,
}

/// The history row of a check: the values of `checks`' columns from `host_id` to `poller`.
fn check_row(
    w: &CheckWrite,
    host_id: Option<i64>,
    instance_id: Option<i64>,
    poller: Option<&str>,
) -> Vec<Owned> {
    let r = w.reading;
    let row = params![
        host_id,
        instance_id,
        w.at,
        r.status,
        to_int(r.response_ms),
        r.http_status,
        to_int(r.disk_used),
        to_int(r.disk_total),
        r.message,
        (r.source == Source::Push).then_some("push"),
        poller,
    ];
    row.iter().map(|p| Owned::of(*p)).collect()
}

/// A batch of writes in one IMMEDIATE transaction, begun only once the results are in hand,
/// so that no transaction is ever open across a network call.
pub struct Batch<'a> {
    pub(super) tx: Tx<'a>,
    pub(super) poller: Option<&'a str>,
    /// PostgreSQL: the records read ahead for the batch, taken by `before`.
    pub(super) prefetched: RefCell<HashMap<RecordKey, Before>>,
    /// PostgreSQL: the steady writes held to be sent a table at a time.
    pub(super) pending: RefCell<Pending>,
}

impl Store {
    /// Runs `write` in one IMMEDIATE transaction: it is committed when `write` succeeds, and
    /// nothing of it is kept when it fails.
    pub fn batch<T>(&mut self, write: impl FnOnce(&mut Batch<'_>) -> Result<T>) -> Result<T> {
        // Plans that never depend on bound values. Without this, SQLite (3.50+) marks
        // statements such as `WHERE instance_id = ?1` to be re-planned when the value changes
        // to or from 0/1, and rusqlite clears the bindings of every cached statement it takes
        // back, which then expires it: each use was a full re-prepare (a third of the time
        // spent storing a steady pass). The writer's plans are index lookups whatever the
        // value. Failing to set it only costs speed.
        if let Some(conn) = self.conn.sqlite() {
            let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true);
        }
        let tx = self
            .conn
            .transaction(true)
            .context("cannot start writing results")?;
        let mut batch = Batch {
            tx,
            poller: self.poller.as_deref(),
            prefetched: RefCell::default(),
            pending: RefCell::default(),
        };
        let value = write(&mut batch)?;
        batch.flush().context("cannot write results")?;
        batch.tx.commit().context("cannot commit results")?;
        Ok(value)
    }

    /// Records that a pass of `kind` started; returns its id for `finish_pass`.
    pub fn start_pass(&mut self, kind: &str, started_at: i64) -> Result<i64> {
        Ok(self.conn.query_row(
            "INSERT INTO passes (kind, started_at, poller) VALUES (?1, ?2, ?3) RETURNING id",
            params![kind, started_at, self.poller],
            |r| r.get(0),
        )?)
    }

    pub fn finish_pass(
        &mut self,
        id: i64,
        duration_ms: u64,
        s: &PassSummary,
        poller_offline: bool,
        interrupted: bool,
    ) -> Result<()> {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.conn.execute(
            "UPDATE passes SET duration_ms = ?2, polled = ?3, online = ?4, offline = ?5,
                error = ?6, missing = ?7, poller_offline = ?8, interrupted = ?9 WHERE id = ?1",
            params![
                id,
                count(duration_ms),
                count(s.polled),
                count(s.online),
                // The passes table has no column of its own for them: down with their host.
                count(s.offline + s.unreachable),
                count(s.error),
                count(s.missing),
                poller_offline,
                interrupted
            ],
        )?;
        Ok(())
    }
}

impl Store {
    /// The digests of the stored module lists of `instances` (absent: no such instance).
    pub fn modules_digests(&self, instances: &[i64]) -> Result<HashMap<i64, Option<Vec<u8>>>> {
        let mut digests = HashMap::with_capacity(instances.len());
        if self.conn.is_postgres() {
            // One round trip for the batch, not one per instance.
            let ids = instances.iter().map(|&id| Owned::Int(id)).collect();
            self.conn.for_each_arrays(
                "SELECT id, modules_digest FROM instances WHERE id = ANY(?1::bigint[])",
                &[ids],
                |r| {
                    digests.insert(r.get(0)?, r.get(1)?);
                    Ok(())
                },
            )?;
            return Ok(digests);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT modules_digest FROM instances WHERE id = ?1")?;
        for &id in instances {
            if let Some(digest) = stmt
                .query_row(params![id], |r| r.get::<_, Option<Vec<u8>>>(0))
                .optional()?
            {
                digests.insert(id, digest);
            }
        }
        Ok(digests)
    }
}

impl Batch<'_> {
    /// The poller writing, when it has a name.
    pub fn poller(&self) -> Option<&str> {
        self.poller
    }

    /// The transaction the batch writes in, once the writes it holds are in it.
    pub(super) fn tx(&self) -> Result<&Tx<'_>> {
        self.flush()?;
        Ok(&self.tx)
    }

    /// The record as it is before the check; an error when it is gone (removed mid-pass).
    pub fn before(&self, key: RecordKey) -> Result<Before> {
        if let Some(before) = self.prefetched(key) {
            return Ok(before);
        }
        let sql = format!(
            "SELECT {} FROM {} WHERE id = ?1",
            before_columns(key.record_type),
            table(key.record_type)
        );
        self.tx()?
            .prepare_cached(&sql)?
            .query_row([key.id], before_of)
            .with_context(|| format!("{} #{} vanished during the pass", key.record_type, key.id))
    }

    /// Stores one check: the record's new state, its history row and, when the status
    /// changed, the change. One UPDATE per record: it is most of what a steady pass writes
    /// (on PostgreSQL held, with the history row and disk reading, for one per batch).
    pub fn store_check(&self, w: &CheckWrite) -> Result<()> {
        let RecordKey { record_type, id } = w.key;
        let (host_id, instance_id) = match record_type {
            RecordType::Host => (Some(id), None),
            RecordType::Instance => (None, Some(id)),
        };
        let hold = self.tx.is_postgres();
        if let Some(from) = w.changed_from {
            let row = params![
                host_id,
                instance_id,
                w.at,
                from,
                w.reading.status,
                w.reading.message
            ];
            if hold {
                self.pending.borrow_mut().change(row);
            } else {
                self.tx
                    .prepare_cached(
                        "INSERT INTO state_changes (host_id, instance_id, at, from_status,
                            to_status, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(row)?;
            }
        }
        const COMMON: &str = "status = ?2, status_since = ?3, message = ?4, last_check_at = ?5,
            last_success_at = ?6, consecutive_failures = ?7, consecutive_successes = ?8,
            response_ms = ?9, http_status = ?10, disk_used = ?11, disk_total = ?12,
            disk_partial = ?13";
        let st = w.state;
        let common = params![
            id,
            st.status(),
            st.status_since,
            st.message,
            st.last_check_at,
            st.last_success_at,
            st.consecutive_failures,
            st.consecutive_successes,
            to_int(st.response_ms),
            st.http_status,
            to_int(st.disk_used),
            to_int(st.disk_total),
            st.disk_partial,
        ];
        let security = st.security.unwrap_or_default();
        match record_type {
            RecordType::Host if hold => self.hold(|p| &mut p.records, w.key, common)?,
            RecordType::Host => {
                self.tx
                    .prepare_cached(&format!("UPDATE hosts SET {COMMON} WHERE id = ?1"))?
                    .execute(common)?;
            }
            RecordType::Instance => {
                let missing = st.status() == Status::Missing;
                let mut values = common.to_vec();
                values.extend(params![
                    missing,
                    st.dolibarr_version,
                    st.users_all,
                    st.users_active,
                    st.last_login,
                    w.modules_digest,
                    security.install_lock,
                    security.main_features_level,
                    security.database_pwd_encrypted,
                    st.first_version,
                ]);
                if hold {
                    self.hold(|p| &mut p.records, w.key, &values)?;
                    return self.hold_check(w, host_id, instance_id);
                }
                self.tx
                    .prepare_cached(&format!(
                        "UPDATE instances SET {COMMON}, missing = ?14, dolibarr_version = ?15,
                            users_all = ?16, users_active = ?17, last_login = ?18,
                            modules_digest = COALESCE(?19, modules_digest), install_lock = ?20,
                            main_features_level = ?21, database_pwd_encrypted = ?22,
                            first_version = ?23
                         WHERE id = ?1"
                    ))?
                    .execute(values.as_slice())?;
            }
        }
        if hold {
            return self.hold_check(w, host_id, instance_id);
        }
        self.tx
            .prepare_cached(
                "INSERT INTO checks (host_id, instance_id, at, status, response_ms, http_status,
                    disk_used, disk_total, message, source, poller)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params_of(&check_row(w, host_id, instance_id, self.poller)).as_slice())?;
        if let Some(used) = w.reading.disk_used {
            self.record_disk(w.key, w.at, used)?;
        }
        Ok(())
    }

    /// PostgreSQL: the history row and disk reading of a check whose state is held, held.
    fn hold_check(
        &self,
        w: &CheckWrite,
        host_id: Option<i64>,
        instance_id: Option<i64>,
    ) -> Result<()> {
        let mut pending = self.pending.borrow_mut();
        pending.check(check_row(w, host_id, instance_id, self.poller));
        if let Some(used) = w.reading.disk_used {
            pending.disk(w.key, w.at, used);
        }
        Ok(())
    }

    /// Remembers `status` as the one last alerted for the record.
    pub fn remember_alert(&self, key: RecordKey, status: Status, at: i64) -> Result<()> {
        if self.tx.is_postgres() {
            return self.hold(|p| &mut p.alerted, key, params![key.id, status, at]);
        }
        self.tx
            .prepare_cached(&format!(
                "UPDATE {} SET alerted_status = ?2, alerted_at = ?3 WHERE id = ?1",
                table(key.record_type)
            ))?
            .execute(params![key.id, status, at])?;
        Ok(())
    }

    /// When the record's TLS certificate expires, or why that could not be read.
    pub fn set_certificate(&self, key: RecordKey, cert: &Result<i64, String>) -> Result<()> {
        let (expires, error) = match cert {
            Ok(t) => (Some(*t), None),
            Err(e) => (None, Some(e.as_str())),
        };
        if self.tx.is_postgres() {
            return self.hold(|p| &mut p.certs, key, params![key.id, expires, error]);
        }
        self.tx
            .prepare_cached(&format!(
                "UPDATE {} SET cert_expires_at = ?2, cert_error = ?3 WHERE id = ?1",
                table(key.record_type)
            ))?
            .execute(params![key.id, expires, error])?;
        Ok(())
    }

    /// The stored modules of an instance, by name.
    pub fn modules(&self, instance_id: i64) -> Result<Vec<Module>> {
        Ok(modules_of(&self.tx, instance_id)?)
    }

    /// Replaces an instance's modules with `modules` (sorted, without repeats).
    pub fn replace_modules(&self, instance_id: i64, modules: &[Module]) -> Result<()> {
        // The modules tables are none the held writes touch: no need to send them first.
        self.tx
            .prepare_cached("DELETE FROM modules WHERE instance_id = ?1")?
            .execute(params![instance_id])?;
        let mut rows = Columns::default();
        for m in modules {
            rows.push(params![
                instance_id,
                m.name,
                m.version,
                m.active,
                m.source,
                m.editor
            ]);
        }
        self.insert_many(
            &rows,
            "INSERT INTO modules (instance_id, name, version, active, source, editor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            "INSERT INTO modules (instance_id, name, version, active, source, editor)
             SELECT * FROM unnest(?1::bigint[], ?2::text[], ?3::text[], ?4::bigint[],
                ?5::text[], ?6::text[])",
        )
    }

    /// Records changes to an instance's inventory, found at `at`.
    pub fn record_inventory(&self, instance_id: i64, at: i64, changes: &[Change]) -> Result<()> {
        let mut rows = Columns::default();
        for c in changes {
            rows.push(params![
                instance_id,
                at,
                c.subject,
                c.kind.as_str(),
                c.old,
                c.new
            ]);
        }
        self.insert_many(
            &rows,
            "INSERT INTO inventory_changes (instance_id, at, subject, change, old_value, new_value)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            "INSERT INTO inventory_changes (instance_id, at, subject, change, old_value,
                new_value)
             SELECT * FROM unnest(?1::bigint[], ?2::bigint[], ?3::text[], ?4::text[],
                ?5::text[], ?6::text[])",
        )
    }

    /// The API kind of a host.
    pub fn host_kind(&self, host_id: i64) -> Result<ApiKind> {
        Ok(self
            .tx()?
            .prepare_cached("SELECT api_kind FROM hosts WHERE id = ?1")?
            .query_row(params![host_id], |r| r.get(0))?)
    }

    /// An instance's host as its last check left it (None: no host, or one with monitoring
    /// off, whose status is not news).
    pub fn host_status(&self, instance_id: i64) -> Result<Option<HostSeen>> {
        // Only a host's held state is news to this read: an outage in an instances pass
        // (which holds none) keeps the batch's writes held.
        if self.pending.borrow().holds_hosts() {
            self.flush()?;
        }
        Ok(self
            .tx
            .prepare_cached(
                "SELECT h.ref, h.status, h.last_check_at FROM instances i
                 JOIN hosts h ON h.id = i.host_id WHERE i.id = ?1 AND h.enabled = 1",
            )?
            .query_row(params![instance_id], |r| {
                Ok(HostSeen {
                    reference: r.get(0)?,
                    status: r.get(1)?,
                    checked_at: r.get(2)?,
                })
            })
            .optional()?)
    }

    /// How many enabled instances a host has: those its being down takes down.
    pub fn instances_on(&self, host_id: i64) -> Result<u64> {
        let n: i64 = self
            .tx()?
            .prepare_cached("SELECT count(*) FROM instances WHERE host_id = ?1 AND enabled = 1")?
            .query_row(params![host_id], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Every instance stored under a host, by id.
    pub fn known_instances(&self, host_id: i64) -> Result<Vec<KnownInstance>> {
        let mut stmt = self.tx()?.prepare_cached(
            "SELECT id, remote_name, discovered, missing FROM instances WHERE host_id = ?1
             ORDER BY id",
        )?;
        let rows = stmt.query_map(params![host_id], |r| {
            Ok(KnownInstance {
                id: r.get(0)?,
                remote_name: r.get(1)?,
                discovered: r.get(2)?,
                missing: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// Which of `refs` instances already use.
    pub fn refs_taken(&self, refs: &[String]) -> Result<HashSet<String>> {
        let mut stmt = self
            .tx()?
            .prepare_cached("SELECT 1 FROM instances WHERE ref = ?1")?;
        let mut taken = HashSet::new();
        for r in refs {
            if stmt.exists(params![r])? {
                taken.insert(r.clone());
            }
        }
        Ok(taken)
    }

    /// Creates the record of an instance a host listed; returns its id.
    pub fn create_instance(&self, new: &NewInstance, at: i64) -> Result<i64> {
        Ok(self
            .tx()?
            .prepare_cached(
                "INSERT INTO instances (ref, api_kind, url, enabled, created_at, host_id,
                    remote_name, discovered) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, 1) RETURNING id",
            )?
            .query_row(
                params![
                    new.reference,
                    new.kind,
                    new.url,
                    at,
                    new.host_id,
                    new.remote_name
                ],
                |r| r.get(0),
            )?)
    }

    /// An instance its lister vouches for is not missing.
    pub fn unflag_missing(&self, instance_id: i64) -> Result<()> {
        self.tx()?
            .prepare_cached("UPDATE instances SET missing = 0 WHERE id = ?1")?
            .execute(params![instance_id])?;
        Ok(())
    }
}

/// What the store's and the writer's tests use.
#[cfg(test)]
impl Store {
    /// Stores `reading` as a check of `key`, as a pass would (without modules or alerts).
    pub(crate) fn store_reading(
        &mut self,
        key: RecordKey,
        at: i64,
        reading: &Reading,
    ) -> Result<()> {
        self.batch(|b| {
            let before = b.before(key)?;
            let previous = before.state.status();
            let mut state = before.state;
            state.record(reading, at);
            b.store_check(&CheckWrite {
                key,
                at,
                reading,
                state: &state,
                changed_from: (previous != reading.status).then_some(previous),
                modules_digest: None,
            })
        })
    }

    pub(crate) fn total_changes(&self) -> u64 {
        // A test's measure of the writes a batch made: SQLite's own count.
        self.conn
            .sqlite()
            .map_or(0, rusqlite::Connection::total_changes)
    }

    pub(crate) fn forget_modules_digest(&self, instance_id: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE instances SET modules_digest = NULL WHERE id = ?1",
            params![instance_id],
        )?;
        Ok(())
    }

    pub(crate) fn modules_digest(&self, instance_id: i64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT modules_digest FROM instances WHERE id = ?1",
                [instance_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    pub(crate) fn checks_of(&self, key: RecordKey) -> Result<Vec<(i64, Status)>> {
        use super::sql::owner_column;
        let sql = format!(
            "SELECT at, status FROM checks WHERE {} = ?1 ORDER BY at, id",
            owner_column(key.record_type)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([key.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }
}
