//! PostgreSQL's side of a batch. What SQLite does in a statement per record (in process, a
//! few microseconds) costs a round trip to the server each: five per check made a steady pass
//! of 10,000 records spend seven seconds writing. So a batch reads the records it will write
//! in one query, and holds the writes of a steady check (the record's state, its history row,
//! its disk reading, the poller's view) to send as one statement per table, each row one
//! element of arrays taken apart by `unnest`. Any other step of the batch sends them first,
//! so that it reads what the batch wrote.

use std::collections::{HashMap, HashSet};

use anyhow::Result;

use super::Batch;
use super::db::{Owned, Param};
use super::sql::{owner_column, table};
use super::writes::{Before, before_columns, before_of};
use crate::domain::forecast;
use crate::domain::model::{RecordKey, RecordType};

/// Rows of one statement, column by column.
#[derive(Default)]
pub(super) struct Columns(Vec<Vec<Owned>>);

impl Columns {
    pub(super) fn push(&mut self, row: &[&dyn Param]) {
        if self.0.is_empty() {
            self.0 = row.iter().map(|_| Vec::new()).collect();
        }
        for (column, value) in self.0.iter_mut().zip(row) {
            column.push(Owned::of(*value));
        }
    }

    fn is_empty(&self) -> bool {
        self.0.first().is_none_or(Vec::is_empty)
    }
}

/// Rows held for a statement per record type (its table or owner column in the SQL).
#[derive(Default)]
struct ByType {
    host: Columns,
    instance: Columns,
}

impl ByType {
    fn of(&mut self, rt: RecordType) -> &mut Columns {
        match rt {
            RecordType::Host => &mut self.host,
            RecordType::Instance => &mut self.instance,
        }
    }

    fn get(&self, rt: RecordType) -> &Columns {
        match rt {
            RecordType::Host => &self.host,
            RecordType::Instance => &self.instance,
        }
    }
}

/// A disk reading held for the batch's one UPDATE of the open stretches.
struct Disk {
    key: RecordKey,
    at: i64,
    used: u64,
}

/// Rows of a statement that writes one row per record: a second row for a record in one
/// batch (a record checked twice) sends the first before it is held.
#[derive(Default)]
pub(super) struct PerRecord {
    keys: HashSet<RecordKey>,
    rows: ByType,
}

/// The writes a batch holds, by table.
#[derive(Default)]
pub(super) struct Pending {
    /// Records' new state: `state_values` of `writes`, in its order.
    pub(super) records: PerRecord,
    pub(super) views: PerRecord,
    pub(super) certs: PerRecord,
    pub(super) alerted: PerRecord,
    checks: Columns,
    disks: Vec<Disk>,
    changes: Columns,
    alerts: Columns,
}

impl Pending {
    fn is_empty(&self) -> bool {
        [&self.records, &self.views, &self.certs, &self.alerted]
            .iter()
            .all(|held| held.keys.is_empty())
            && self.alerts.is_empty()
    }

    pub(super) fn holds_hosts(&self) -> bool {
        !self.records.rows.host.is_empty()
    }

    /// A status change: the values of `state_changes`' columns from `host_id` to `message`.
    pub(super) fn change(&mut self, row: &[&dyn Param]) {
        self.changes.push(row);
    }

    /// An alert queued: `created_at`, `event`, `command`.
    pub(super) fn alert(&mut self, row: &[&dyn Param]) {
        self.alerts.push(row);
    }

    pub(super) fn check(&mut self, row: Vec<Owned>) {
        self.checks.push(&super::db::params_of(&row));
    }

    pub(super) fn disk(&mut self, key: RecordKey, at: i64, used: u64) {
        self.disks.push(Disk { key, at, used });
    }
}

/// The columns a check sets on every record, as `unnest` gives them (the id first).
const COMMON: &str = "id, status, status_since, message, last_check_at, last_success_at,
    consecutive_failures, consecutive_successes, response_ms, http_status, disk_used,
    disk_total, disk_partial";
const COMMON_TYPES: &str = "?1::bigint[], ?2::text[], ?3::bigint[], ?4::text[], ?5::bigint[],
    ?6::bigint[], ?7::bigint[], ?8::bigint[], ?9::bigint[], ?10::bigint[], ?11::bigint[],
    ?12::bigint[], ?13::bigint[]";
const COMMON_SET: &str = "status = v.status, status_since = v.status_since,
    message = v.message, last_check_at = v.last_check_at, last_success_at = v.last_success_at,
    consecutive_failures = v.consecutive_failures,
    consecutive_successes = v.consecutive_successes, response_ms = v.response_ms,
    http_status = v.http_status, disk_used = v.disk_used, disk_total = v.disk_total,
    disk_partial = v.disk_partial";

impl Batch<'_> {
    /// Reads ahead, in one query per record type, the records `keys` a batch is about to
    /// check, and locks them (in id order, as every poller does) until the batch commits: two
    /// pollers writing one record's state take turns. Nothing on SQLite, whose batch holds
    /// the whole database.
    pub fn prefetch(&self, keys: &[RecordKey]) -> Result<()> {
        if !self.tx.is_postgres() || keys.is_empty() {
            return Ok(());
        }
        for rt in RecordType::ALL {
            let ids: Vec<Owned> = keys
                .iter()
                .filter(|k| k.record_type == rt)
                .map(|k| Owned::Int(k.id))
                .collect();
            if ids.is_empty() {
                continue;
            }
            let sql = format!(
                "SELECT {}, id FROM {} WHERE id = ANY(?1::bigint[]) ORDER BY id FOR UPDATE",
                before_columns(rt),
                table(rt)
            );
            let mut read = HashMap::with_capacity(ids.len());
            self.tx.for_each_arrays(&sql, &[ids], |r| {
                let id: i64 = r.get(28)?;
                read.insert(
                    RecordKey {
                        record_type: rt,
                        id,
                    },
                    before_of(r)?,
                );
                Ok(())
            })?;
            self.prefetched.borrow_mut().extend(read);
        }
        Ok(())
    }

    /// The record as the batch read it ahead, taken: a second look reads it again.
    pub(super) fn prefetched(&self, key: RecordKey) -> Option<Before> {
        self.prefetched.borrow_mut().remove(&key)
    }

    /// Holds `row` for `key` among the rows `which` picks (`Pending::records`, `views`, …).
    pub(super) fn hold(
        &self,
        which: fn(&mut Pending) -> &mut PerRecord,
        key: RecordKey,
        row: &[&dyn Param],
    ) -> Result<()> {
        if which(&mut self.pending.borrow_mut()).keys.contains(&key) {
            self.flush()?;
        }
        let mut p = self.pending.borrow_mut();
        let held = which(&mut p);
        held.keys.insert(key);
        held.rows.of(key.record_type).push(row);
        Ok(())
    }

    /// Inserts `rows`: on PostgreSQL in one statement, `unnest_sql`; on SQLite one `row_sql`
    /// each (a function call, not a round trip).
    pub(super) fn insert_many(
        &self,
        rows: &Columns,
        row_sql: &str,
        unnest_sql: &str,
    ) -> Result<()> {
        if self.tx.is_postgres() {
            return self.insert_rows(unnest_sql, rows);
        }
        let mut insert = self.tx.prepare_cached(row_sql)?;
        let n = rows.0.first().map_or(0, Vec::len);
        for i in 0..n {
            let row: Vec<&dyn Param> = rows.0.iter().map(|c| &c[i] as &dyn Param).collect();
            insert.execute(row.as_slice())?;
        }
        Ok(())
    }

    fn insert_rows(&self, sql: &str, rows: &Columns) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        Ok(self.tx.for_each_arrays(sql, &rows.0, |_| Ok(()))?)
    }

    /// Sends the writes held, one statement per table.
    pub(super) fn flush(&self) -> Result<()> {
        if self.pending.borrow().is_empty() {
            return Ok(());
        }
        // Taken out first: the disk readings' slow path writes through `tx()` again.
        let p = std::mem::take(&mut *self.pending.borrow_mut());
        if !p.records.rows.host.is_empty() {
            let sql = format!(
                "UPDATE hosts AS r SET {COMMON_SET}
                 FROM unnest({COMMON_TYPES}) AS v({COMMON}) WHERE r.id = v.id"
            );
            self.insert_rows(&sql, &p.records.rows.host)?;
        }
        if !p.records.rows.instance.is_empty() {
            let sql = format!(
                "UPDATE instances AS r SET {COMMON_SET}, missing = v.missing,
                    dolibarr_version = v.dolibarr_version, users_all = v.users_all,
                    users_active = v.users_active, last_login = v.last_login,
                    modules_digest = COALESCE(v.modules_digest, r.modules_digest),
                    install_lock = v.install_lock, main_features_level = v.main_features_level,
                    database_pwd_encrypted = v.database_pwd_encrypted,
                    first_version = v.first_version
                 FROM unnest({COMMON_TYPES}, ?14::bigint[], ?15::text[], ?16::bigint[],
                    ?17::bigint[], ?18::text[], ?19::bytea[], ?20::bigint[], ?21::bigint[],
                    ?22::bigint[], ?23::text[])
                 AS v({COMMON}, missing, dolibarr_version, users_all, users_active, last_login,
                    modules_digest, install_lock, main_features_level, database_pwd_encrypted,
                    first_version)
                 WHERE r.id = v.id"
            );
            self.insert_rows(&sql, &p.records.rows.instance)?;
        }
        if !p.checks.is_empty() {
            self.insert_rows(
                "INSERT INTO checks (host_id, instance_id, at, status, response_ms, http_status,
                    disk_used, disk_total, message, source, poller)
                 SELECT * FROM unnest(?1::bigint[], ?2::bigint[], ?3::bigint[], ?4::text[],
                    ?5::bigint[], ?6::bigint[], ?7::bigint[], ?8::bigint[], ?9::text[],
                    ?10::text[], ?11::text[])",
                &p.checks,
            )?;
        }
        // Inserted as the checks raised them: a change's id follows its check's order.
        self.insert_rows(
            "INSERT INTO state_changes (host_id, instance_id, at, from_status, to_status, message)
             SELECT * FROM unnest(?1::bigint[], ?2::bigint[], ?3::bigint[], ?4::text[],
                ?5::text[], ?6::text[])",
            &p.changes,
        )?;
        self.insert_rows(
            "INSERT INTO alerts (created_at, event, command)
             SELECT * FROM unnest(?1::bigint[], ?2::text[], ?3::text[])",
            &p.alerts,
        )?;
        for rt in RecordType::ALL {
            let (t, col) = (table(rt), owner_column(rt));
            let statements = [
                (
                    p.alerted.rows.get(rt),
                    format!(
                        "UPDATE {t} AS r SET alerted_status = v.status, alerted_at = v.at
                         FROM unnest(?1::bigint[], ?2::text[], ?3::bigint[]) AS v(id, status, at)
                         WHERE r.id = v.id"
                    ),
                ),
                (
                    p.certs.rows.get(rt),
                    format!(
                        "UPDATE {t} AS r SET cert_expires_at = v.expires, cert_error = v.error
                         FROM unnest(?1::bigint[], ?2::bigint[], ?3::text[])
                            AS v(id, expires, error)
                         WHERE r.id = v.id"
                    ),
                ),
                (
                    p.views.rows.get(rt),
                    format!(
                        "INSERT INTO poller_views ({col}, poller, at, status, message)
                         SELECT * FROM unnest(?1::bigint[], ?2::text[], ?3::bigint[],
                            ?4::text[], ?5::text[])
                         ON CONFLICT ({col}, poller) WHERE {col} IS NOT NULL
                         DO UPDATE SET at = excluded.at, status = excluded.status,
                            message = excluded.message"
                    ),
                ),
            ];
            for (rows, sql) in statements {
                self.insert_rows(&sql, rows)?;
            }
        }
        self.flush_disks(p.disks)
    }

    /// The readings that fall in their record's open stretch, in one UPDATE per record type;
    /// the others (a new stretch, a first reading) one by one, as SQLite does them.
    fn flush_disks(&self, disks: Vec<Disk>) -> Result<()> {
        let mut rest = Vec::new();
        for rt in RecordType::ALL {
            let mut columns: [Vec<Owned>; 4] = Default::default();
            let mut held = Vec::new();
            for d in disks.iter().filter(|d| d.key.record_type == rt) {
                let Ok(used) = i64::try_from(d.used) else {
                    continue; // beyond what the column holds: not a reading to fit
                };
                columns[0].push(Owned::Int(d.key.id));
                columns[1].push(Owned::Int(d.at));
                columns[2].push(Owned::Int(used));
                columns[3].push(Owned::Int(forecast::bucket_start(d.key.id, d.at)));
                held.push(d);
            }
            if held.is_empty() {
                continue;
            }
            let col = owner_column(rt);
            let sql = format!(
                "UPDATE disk_trends AS d SET
                    low_at = CASE WHEN v.used < d.low_used THEN v.at ELSE d.low_at END,
                    low_used = CASE WHEN v.used < d.low_used THEN v.used ELSE d.low_used END,
                    bucket_readings = d.bucket_readings + 1,
                    last_at = CASE WHEN v.at >= d.last_at THEN v.at ELSE d.last_at END,
                    last_used = CASE WHEN v.at >= d.last_at THEN v.used ELSE d.last_used END
                 FROM unnest(?1::bigint[], ?2::bigint[], ?3::bigint[], ?4::bigint[])
                    AS v(id, at, used, bucket)
                 WHERE d.{col} = v.id AND d.bucket = v.bucket
                 RETURNING d.{col}"
            );
            let mut updated = HashSet::new();
            self.tx.for_each_arrays(&sql, &columns, |r| {
                updated.insert(r.get::<_, i64>(0)?);
                Ok(())
            })?;
            rest.extend(held.into_iter().filter(|d| !updated.contains(&d.key.id)));
        }
        for d in rest {
            self.record_disk_slow(d.key, d.at, d.used)?;
        }
        Ok(())
    }
}
