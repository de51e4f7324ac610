//! Writing what a pass learned: record state, history rows, modules, discovery, the pass itself.

use anyhow::{Context, Result};
use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::Store;
use crate::alert::{self, Decision, Event, Policy};
use crate::model::{ApiKind, RecordType, Status};
use crate::probe::{Discovered, Module, Reading};

/// One record's reading, ready to store.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub record_type: RecordType,
    pub id: i64,
    pub at: i64,
    pub reading: Reading,
    /// TLS certificate expiry (Unix seconds) or why it could not be read; None: not https.
    pub cert: Option<Result<i64, String>>,
    /// Digest of `reading.modules` (sorted, deduplicated), when `new` computed it.
    modules_digest: Option<[u8; 16]>,
}

impl CheckResult {
    /// Sorts and digests the module list here, on the caller's thread (a pass's workers run
    /// in parallel), so the single writer has only the database to do.
    pub fn new(
        record_type: RecordType,
        id: i64,
        at: i64,
        mut reading: Reading,
        cert: Option<Result<i64, String>>,
    ) -> CheckResult {
        let modules_digest = reading.modules.as_mut().map(|list| {
            list.sort_by(|a, b| a.name.cmp(&b.name));
            list.dedup_by(|a, b| a.name == b.name);
            modules_digest(list.iter())
        });
        CheckResult {
            record_type,
            id,
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
    /// Alerts due for this record (and, for a host, its discovered instances).
    pub events: Vec<Event>,
}

/// Counts of one pass, recorded in `passes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassSummary {
    pub polled: u64,
    pub online: u64,
    pub offline: u64,
    pub error: u64,
    pub missing: u64,
}

impl PassSummary {
    pub fn count(&mut self, status: Status) {
        self.polled += 1;
        match status {
            Status::Online => self.online += 1,
            Status::Offline => self.offline += 1,
            Status::Error => self.error += 1,
            Status::Missing => self.missing += 1,
            Status::Unknown => {}
        }
    }

    pub fn down(&self) -> u64 {
        self.offline + self.error + self.missing
    }
}

/// The pass's single writer. Each batch is one IMMEDIATE transaction, begun only once the
/// results are in hand, so no transaction is ever open across a network call.
pub struct ResultWriter<'a> {
    store: &'a mut Store,
    /// Alerting policy, when a change hook is configured.
    policy: Option<Policy>,
}

impl Store {
    pub fn writer(&mut self, policy: Option<Policy>) -> ResultWriter<'_> {
        // Plans that never depend on bound values. Without this, SQLite (3.50+) marks
        // statements such as `WHERE instance_id = ?1` to be re-planned when the value changes
        // to or from 0/1, and rusqlite clears the bindings of every cached statement it takes
        // back, which then expires it: each use was a full re-prepare (a third of the time
        // spent storing a steady pass). The writer's plans are index lookups whatever the
        // value. Failing to set it only costs speed.
        let _ = self
            .conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true);
        ResultWriter {
            store: self,
            policy,
        }
    }

    /// Records that a pass of `kind` started; returns its id for `finish_pass`.
    pub fn start_pass(&mut self, kind: &str, started_at: i64) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO passes (kind, started_at) VALUES (?1, ?2)",
            params![kind, started_at],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn finish_pass(
        &mut self,
        id: i64,
        duration_ms: u64,
        s: &PassSummary,
        poller_offline: bool,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE passes SET duration_ms = ?2, polled = ?3, online = ?4, offline = ?5,
                error = ?6, missing = ?7, poller_offline = ?8 WHERE id = ?1",
            params![
                id,
                duration_ms as i64,
                s.polled as i64,
                s.online as i64,
                s.offline as i64,
                s.error as i64,
                s.missing as i64,
                poller_offline
            ],
        )?;
        Ok(())
    }
}

impl ResultWriter<'_> {
    /// Stores a batch of results, all or nothing.
    pub fn write(&mut self, batch: &[CheckResult]) -> Result<Vec<Stored>> {
        let tx = self
            .store
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("cannot start writing results")?;
        let mut stored = Vec::with_capacity(batch.len());
        for r in batch {
            let mut s = apply(
                &tx,
                r.record_type,
                r.id,
                r.at,
                &r.reading,
                r.modules_digest,
                self.policy.as_ref(),
            )?;
            if let Some(cert) = &r.cert {
                let (expires, error) = match cert {
                    Ok(t) => (Some(*t), None),
                    Err(e) => (None, Some(e.as_str())),
                };
                tx.prepare_cached(&format!(
                    "UPDATE {} SET cert_expires_at = ?2, cert_error = ?3 WHERE id = ?1",
                    table(r.record_type)
                ))?
                .execute(params![r.id, expires, error])?;
            }
            if let Some(list) = &r.reading.discovered {
                discover(&tx, r.id, r.at, list, self.policy.as_ref(), &mut s)?;
            }
            stored.push(s);
        }
        tx.commit().context("cannot commit results")?;
        Ok(stored)
    }
}

fn table(rt: RecordType) -> &'static str {
    match rt {
        RecordType::Host => "hosts",
        RecordType::Instance => "instances",
    }
}

/// Updates one record's state from a reading, adds its history row and, when they changed,
/// replaces its modules.
fn apply(
    tx: &Transaction,
    rt: RecordType,
    id: i64,
    at: i64,
    r: &Reading,
    digest: Option<[u8; 16]>,
    policy: Option<&Policy>,
) -> Result<Stored> {
    let t = table(rt);
    let instance_cols = match rt {
        RecordType::Host => "NULL, NULL",
        RecordType::Instance => "dolibarr_version, modules_digest",
    };
    let (reference, previous, old_version, old_digest): (
        String,
        String,
        Option<String>,
        Option<Vec<u8>>,
    ) = tx
        .prepare_cached(&format!(
            "SELECT ref, status, {instance_cols} FROM {t} WHERE id = ?1"
        ))?
        .query_row([id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .with_context(|| format!("{rt} #{id} vanished during the pass"))?;
    let previous: Status = previous.parse().unwrap_or(Status::Unknown);
    let (host_id, instance_id) = match rt {
        RecordType::Host => (Some(id), None),
        RecordType::Instance => (None, Some(id)),
    };
    if previous != r.status {
        tx.prepare_cached(
            "INSERT INTO state_changes (host_id, instance_id, at, from_status, to_status, message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            host_id,
            instance_id,
            at,
            previous.as_str(),
            r.status.as_str(),
            r.message
        ])?;
    }
    if let (Some(old), Some(new)) = (&old_version, &r.dolibarr_version)
        && old != new
    {
        let change = version_change(Some(old), Some(new));
        record_inventory_change(tx, id, at, "dolibarr", change, Some(old), Some(new))?;
    }
    let online = r.status == Status::Online;
    let to_i64 = |v: Option<u64>| v.map(|v| v.min(i64::MAX as u64) as i64);
    // Disk and inventory describe the last good answer: a failed check keeps them.
    const COMMON: &str = "
            status = ?2,
            status_since = CASE WHEN status = ?2 AND status_since IS NOT NULL THEN status_since ELSE ?3 END,
            message = ?4,
            last_check_at = ?3,
            last_success_at = CASE WHEN ?5 THEN ?3 ELSE last_success_at END,
            consecutive_failures = CASE WHEN ?5 THEN 0 ELSE consecutive_failures + 1 END,
            consecutive_successes = CASE WHEN ?5 THEN consecutive_successes + 1 ELSE 0 END,
            response_ms = ?6,
            http_status = ?7,
            disk_used = CASE WHEN ?5 THEN ?8 ELSE disk_used END,
            disk_total = CASE WHEN ?5 THEN ?9 ELSE disk_total END,
            disk_partial = CASE WHEN ?5 THEN ?10 ELSE disk_partial END";
    let common = params![
        id,
        r.status.as_str(),
        at,
        r.message,
        online,
        to_i64(r.response_ms),
        r.http_status,
        to_i64(r.disk_used),
        to_i64(r.disk_total),
        r.disk_partial,
    ];
    match rt {
        RecordType::Host => {
            tx.prepare_cached(&format!("UPDATE hosts SET {COMMON} WHERE id = ?1"))?
                .execute(common)?;
        }
        RecordType::Instance => {
            let digest = match &r.modules {
                Some(modules) => Some(replace_modules_if_changed(
                    tx, id, at, modules, digest, old_digest,
                )?),
                None => None,
            };
            let missing = r.status == Status::Missing;
            let new_login = online && r.users_all.is_some();
            let mut values = common.to_vec();
            values.extend(params![
                missing,
                r.dolibarr_version,
                r.users_all,
                r.users_active,
                new_login,
                r.last_login,
                digest,
            ]);
            // One statement per instance, not two: it is most of what a steady pass writes.
            tx.prepare_cached(&format!(
                "UPDATE instances SET {COMMON},
                    missing = ?11,
                    dolibarr_version = COALESCE(?12, dolibarr_version),
                    users_all = COALESCE(?13, users_all),
                    users_active = COALESCE(?14, users_active),
                    last_login = CASE WHEN ?15 THEN ?16 ELSE last_login END,
                    modules_digest = COALESCE(?17, modules_digest)
                 WHERE id = ?1"
            ))?
            .execute(values.as_slice())?;
        }
    }
    tx.prepare_cached(
        "INSERT INTO checks (host_id, instance_id, at, status, response_ms, http_status,
            disk_used, disk_total, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        host_id,
        instance_id,
        at,
        r.status.as_str(),
        to_i64(r.response_ms),
        r.http_status,
        to_i64(r.disk_used),
        to_i64(r.disk_total),
        r.message,
    ])?;
    let events = match policy {
        Some(p) => alert(tx, rt, id, at, r, p)?.into_iter().collect(),
        None => Vec::new(),
    };
    Ok(Stored {
        record_type: rt,
        reference,
        previous,
        status: r.status,
        message: r.message.clone(),
        response_ms: r.response_ms,
        created: Vec::new(),
        flagged_missing: Vec::new(),
        returned: Vec::new(),
        events,
    })
}

/// Rewrites an instance's modules only when the list differs from what is stored; returns
/// the digest of the list, which the caller stores on the instance.
fn replace_modules_if_changed(
    tx: &Transaction,
    id: i64,
    at: i64,
    modules: &[Module],
    digest: Option<[u8; 16]>,
    stored_digest: Option<Vec<u8>>,
) -> Result<[u8; 16]> {
    // Already in order when `CheckResult::new` sorted it: then this is one linear check.
    let mut fresh: Vec<&Module> = modules.iter().collect();
    fresh.sort_by(|a, b| a.name.cmp(&b.name));
    fresh.dedup_by(|a, b| a.name == b.name);
    let digest = digest.unwrap_or_else(|| modules_digest(fresh.iter().copied()));
    // Almost every pass finds the same list: the digest says so without reading ~80 rows.
    if stored_digest.as_deref() == Some(digest.as_slice()) {
        return Ok(digest);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT name, version, active, source, editor FROM modules WHERE instance_id = ?1 ORDER BY name",
    )?;
    // No digest yet (a database from before it): compare row by row on the stored bytes.
    let unchanged = {
        let mut rows = stmt.query([id])?;
        let mut expected = fresh.iter();
        loop {
            match (rows.next()?, expected.next()) {
                (None, None) => break true,
                (Some(row), Some(m)) if same_module(row, m)? => {}
                _ => break false,
            }
        }
    };
    if unchanged {
        return Ok(digest);
    }
    let stored = stmt
        .query_map([id], |r| {
            Ok(Module {
                name: r.get(0)?,
                version: r.get(1)?,
                active: r.get(2)?,
                source: r.get(3)?,
                editor: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // The first inventory of an instance is a baseline, not a change (and has nothing to delete).
    if !stored.is_empty() {
        for (subject, change, old, new) in module_changes(&stored, &fresh) {
            record_inventory_change(tx, id, at, &subject, change, old.as_deref(), new.as_deref())?;
        }
        tx.prepare_cached("DELETE FROM modules WHERE instance_id = ?1")?
            .execute([id])?;
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO modules (instance_id, name, version, active, source, editor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for m in fresh {
        insert.execute(params![id, m.name, m.version, m.active, m.source, m.editor])?;
    }
    Ok(digest)
}

/// MD5 of a module list sorted by name. Fields end in 0xFF and a missing one is 0xFE: bytes
/// that UTF-8 never contains, so no two lists share an encoding. Not a security boundary: it
/// only saves reading the list back.
fn modules_digest<'m>(modules: impl Iterator<Item = &'m Module>) -> [u8; 16] {
    use md5::{Digest, Md5};
    let mut bytes = Vec::with_capacity(4096);
    let mut field = |v: Option<&str>| {
        match v {
            Some(s) => bytes.extend_from_slice(s.as_bytes()),
            None => bytes.push(0xFE),
        }
        bytes.push(0xFF);
    };
    for m in modules {
        field(Some(&m.name));
        field(m.version.as_deref());
        field(Some(if m.active { "1" } else { "0" }));
        field(m.source.as_deref());
        field(m.editor.as_deref());
    }
    Md5::digest(&bytes).into()
}

/// Whether a stored `modules` row (name, version, active, source, editor) is `m`.
fn same_module(row: &rusqlite::Row, m: &Module) -> rusqlite::Result<bool> {
    let text = |i: usize, want: Option<&str>| -> rusqlite::Result<bool> {
        Ok(match row.get_ref(i)? {
            ValueRef::Null => want.is_none(),
            ValueRef::Text(stored) => want.is_some_and(|w| w.as_bytes() == stored),
            _ => false,
        })
    };
    let active = matches!(row.get_ref(2)?, ValueRef::Integer(a) if (a != 0) == m.active);
    Ok(active
        && text(0, Some(&m.name))?
        && text(1, m.version.as_deref())?
        && text(3, m.source.as_deref())?
        && text(4, m.editor.as_deref())?)
}

/// A host's discovery: create the instances it lacks, update the ones it has, flag the ones
/// no longer listed (or listed without a Dolibarr) as missing. Nothing is ever deleted.
fn discover(
    tx: &Transaction,
    host_id: i64,
    at: i64,
    listed: &[Discovered],
    policy: Option<&Policy>,
    s: &mut Stored,
) -> Result<()> {
    let host_ref = s.reference.clone();
    let host_kind: String = tx
        .prepare_cached("SELECT api_kind FROM hosts WHERE id = ?1")?
        .query_row([host_id], |r| r.get(0))?;
    let host_kind: ApiKind = host_kind.parse().unwrap_or(ApiKind::Custom);
    let mut find = tx.prepare_cached(
        "SELECT id, missing FROM instances WHERE host_id = ?1 AND remote_name = ?2",
    )?;
    let mut seen = Vec::with_capacity(listed.len());
    for d in listed {
        let existing: Option<(i64, bool)> = find
            .query_row(params![host_id, d.name], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match (existing, &d.reading) {
            (Some((id, was_missing)), Some(reading)) => {
                seen.push(id);
                if reading.status == Status::Unknown {
                    // Listed but not checked (custom discovery): it exists, nothing more.
                    tx.prepare_cached("UPDATE instances SET missing = 0 WHERE id = ?1")?
                        .execute([id])?;
                } else {
                    s.events.extend(
                        apply(tx, RecordType::Instance, id, at, reading, None, policy)?.events,
                    );
                }
                if was_missing && reading.status != Status::Missing {
                    s.returned.push(d.name.clone());
                }
            }
            (Some((id, was_missing)), None) => {
                // Listed, but no Dolibarr there any more: the install is gone.
                seen.push(id);
                if !was_missing {
                    s.flagged_missing.push(d.name.clone());
                }
                s.events.extend(
                    apply(
                        tx,
                        RecordType::Instance,
                        id,
                        at,
                        &gone(&host_ref),
                        None,
                        policy,
                    )?
                    .events,
                );
            }
            (None, Some(reading)) => {
                let Some(id) = create_discovered(tx, host_id, host_kind, &host_ref, d, at)? else {
                    continue;
                };
                seen.push(id);
                s.created.push(d.name.clone());
                if reading.status != Status::Unknown {
                    s.events.extend(
                        apply(tx, RecordType::Instance, id, at, reading, None, policy)?.events,
                    );
                }
            }
            (None, None) => {}
        }
    }
    // Discovered instances of this host that the list no longer names.
    let mut stale = tx.prepare_cached(
        "SELECT id, remote_name, missing FROM instances WHERE host_id = ?1 AND discovered = 1",
    )?;
    let stale: Vec<(i64, String, bool)> = stale
        .query_map([host_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, name, was_missing) in stale {
        if seen.contains(&id) {
            continue;
        }
        if !was_missing {
            s.flagged_missing.push(name);
        }
        s.events.extend(
            apply(
                tx,
                RecordType::Instance,
                id,
                at,
                &gone(&host_ref),
                None,
                policy,
            )?
            .events,
        );
    }
    Ok(())
}

fn gone(host_ref: &str) -> Reading {
    Reading::new(
        Status::Missing,
        format!("no longer listed by host {host_ref}"),
    )
}

/// Creates the record of an instance a host listed; its ref is the remote name, or
/// `<host>.<name>` when that ref is taken. None when it cannot be checked (no kind fits).
fn create_discovered(
    tx: &Transaction,
    host_id: i64,
    host_kind: ApiKind,
    host_ref: &str,
    d: &Discovered,
    at: i64,
) -> Result<Option<i64>> {
    let (kind, url) = match (host_kind, &d.url) {
        (ApiKind::ServerManagerV1, _) => (ApiKind::ServerManagerV1, None),
        (_, Some(url)) => (ApiKind::Ping, Some(url.clone())),
        (_, None) => return Ok(None),
    };
    let valid_ref = |r: &str| crate::validate::reference(RecordType::Instance, r).is_ok();
    let taken = |r: &str| -> Result<bool> {
        Ok(tx
            .prepare_cached("SELECT 1 FROM instances WHERE ref = ?1")?
            .exists([r])?)
    };
    let mut reference = d.name.clone();
    if !valid_ref(&reference) || taken(&reference)? {
        let cleaned: String = d
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        reference = format!("{host_ref}.{cleaned}");
        if !valid_ref(&reference) || taken(&reference)? {
            return Ok(None);
        }
    }
    tx.prepare_cached(
        "INSERT INTO instances (ref, api_kind, url, enabled, created_at, host_id, remote_name, discovered)
         VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, 1)",
    )?
    .execute(params![reference, kind.as_str(), url, at, host_id, d.name])?;
    Ok(Some(tx.last_insert_rowid()))
}

/// What differs between two module lists (both sorted by name): added, removed, activated,
/// deactivated, upgraded, downgraded.
fn module_changes(
    old: &[Module],
    new: &[&Module],
) -> Vec<(String, &'static str, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    let show = |m: &Module| m.version.clone();
    for m in new {
        match old.iter().find(|o| o.name == m.name) {
            None => out.push((m.name.clone(), "added", None, show(m))),
            Some(o) => {
                if o.version != m.version {
                    let change = version_change(o.version.as_deref(), m.version.as_deref());
                    out.push((m.name.clone(), change, show(o), show(m)));
                }
                if o.active != m.active {
                    let change = if m.active { "activated" } else { "deactivated" };
                    out.push((m.name.clone(), change, None, None));
                }
            }
        }
    }
    for o in old {
        if !new.iter().any(|m| m.name == o.name) {
            out.push((o.name.clone(), "removed", show(o), None));
        }
    }
    out
}

/// `downgraded` when the new version is numerically lower, else `upgraded`.
fn version_change(old: Option<&str>, new: Option<&str>) -> &'static str {
    match old
        .zip(new)
        .and_then(|(a, b)| crate::version::compare(a, b))
    {
        Some(std::cmp::Ordering::Greater) => "downgraded",
        _ => "upgraded",
    }
}

fn record_inventory_change(
    tx: &Transaction,
    instance_id: i64,
    at: i64,
    subject: &str,
    change: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO inventory_changes (instance_id, at, subject, change, old_value, new_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![instance_id, at, subject, change, old, new])?;
    Ok(())
}

/// Decides whether this record's stored result deserves an alert, and remembers it if so.
fn alert(
    tx: &Transaction,
    rt: RecordType,
    id: i64,
    at: i64,
    r: &Reading,
    policy: &Policy,
) -> Result<Option<Event>> {
    let t = table(rt);
    let (reference, url, alerted, alerted_at, failures, successes): (
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        i64,
        i64,
    ) = tx
        .prepare_cached(&format!(
            "SELECT ref, url, alerted_status, alerted_at, consecutive_failures,
                consecutive_successes FROM {t} WHERE id = ?1"
        ))?
        .query_row([id], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })?;
    let facts = alert::Facts {
        status: r.status,
        alerted: alerted.and_then(|a| a.parse().ok()),
        alerted_at,
        failures,
        successes,
    };
    let (from, reminder) = match alert::decide(&facts, policy, at) {
        Decision::Nothing => return Ok(None),
        Decision::Baseline => (None, false),
        Decision::Change { from } => (Some(from), false),
        Decision::Reminder => (Some(r.status), true),
    };
    tx.prepare_cached(&format!(
        "UPDATE {t} SET alerted_status = ?2, alerted_at = ?3 WHERE id = ?1"
    ))?
    .execute(params![id, r.status.as_str(), at])?;
    Ok(from.map(|from| Event {
        reference,
        kind: rt,
        from,
        to: r.status,
        message: r.message.clone(),
        at: crate::time::rfc3339(at),
        url: url.as_deref().map(crate::probe::auth::redact),
        reminder,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(name: &str, version: Option<&str>, active: bool) -> Module {
        Module {
            name: name.into(),
            version: version.map(str::to_string),
            active,
            source: Some("external".into()),
            editor: None,
        }
    }

    /// A store with one instance; returns its id.
    fn setup() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("w.db")).expect("open");
        store
            .conn
            .execute(
                "INSERT INTO instances (ref, api_kind, url, created_at)
                 VALUES ('i', 'server-observer-v1', 'http://x/', 0)",
                [],
            )
            .expect("insert");
        let id = store.conn.last_insert_rowid();
        (dir, store, id)
    }

    /// Stores `modules` for the instance; returns the rows the write changed.
    fn write(store: &mut Store, id: i64, at: i64, modules: &[Module]) -> u64 {
        let before = store.conn.total_changes();
        let reading = Reading {
            modules: Some(modules.to_vec()),
            ..Reading::new(Status::Online, "ok")
        };
        let result = CheckResult::new(RecordType::Instance, id, at, reading, None);
        store.writer(None).write(&[result]).expect("write");
        store.conn.total_changes() - before
    }

    fn stored(store: &Store, id: i64) -> Vec<Module> {
        store
            .modules(id)
            .expect("modules")
            .into_iter()
            .map(|m| Module {
                name: m.name,
                version: m.version,
                active: m.active,
                source: m.source,
                editor: m.editor,
            })
            .collect()
    }

    #[test]
    fn an_unchanged_module_list_is_not_rewritten() {
        let (_dir, mut store, id) = setup();
        let list = vec![
            module("modB", Some("1.0"), true),
            module("modA", None, false),
            module("modC", Some("dolibarr"), true),
        ];
        write(&mut store, id, 1, &list);
        // Same modules in another order: only the record and its check are written.
        let shuffled: Vec<Module> = list.iter().rev().cloned().collect();
        let steady = write(&mut store, id, 2, &shuffled);
        let mut edited = list.clone();
        edited[0].editor = Some("ATM".into());
        let rewritten = write(&mut store, id, 4, &edited);
        // Delete and insert every module, on top of what a steady write does.
        assert_eq!(rewritten, steady + 2 * list.len() as u64);
    }

    #[test]
    fn a_list_stored_before_the_digest_is_compared_row_by_row() {
        let (_dir, mut store, id) = setup();
        let list = vec![
            module("modA", Some("1.0"), true),
            module("modB", None, false),
        ];
        write(&mut store, id, 1, &list);
        let steady = write(&mut store, id, 2, &list);
        // As a database migrated from before the digest: rows, no digest.
        let forget = "UPDATE instances SET modules_digest = NULL WHERE id = ?1";
        store.conn.execute(forget, [id]).expect("forget digest");
        assert_eq!(write(&mut store, id, 3, &list), steady, "not rewritten");
        let digest: Option<Vec<u8>> = store
            .conn
            .query_row(
                "SELECT modules_digest FROM instances WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .expect("digest");
        assert_eq!(digest.map(|d| d.len()), Some(16), "digest stored again");
        store.conn.execute(forget, [id]).expect("forget digest");
        let mut edited = list.clone();
        edited[1].active = true;
        write(&mut store, id, 4, &edited);
        assert_eq!(stored(&store, id), edited);
    }

    #[test]
    fn digests_tell_apart_lists_that_concatenate_alike() {
        let a = module("modA", Some("1.0"), true);
        let mut b = a.clone();
        b.version = Some("1.".into());
        b.source = Some("0external".into());
        assert_ne!(
            modules_digest([&a].into_iter()),
            modules_digest([&b].into_iter())
        );
        let mut c = a.clone();
        c.version = None;
        let mut d = a.clone();
        d.version = Some(String::new());
        assert_ne!(
            modules_digest([&c].into_iter()),
            modules_digest([&d].into_iter())
        );
    }

    #[test]
    fn any_difference_in_a_module_is_stored() {
        let (_dir, mut store, id) = setup();
        let base = vec![
            module("modA", Some("1.0"), true),
            module("modB", None, false),
        ];
        let mut variants: Vec<Vec<Module>> = Vec::new();
        let mut v = base.clone();
        v[0].version = None;
        variants.push(v);
        let mut v = base.clone();
        v[1].version = Some("2.0".into());
        variants.push(v);
        let mut v = base.clone();
        v[1].active = true;
        variants.push(v);
        let mut v = base.clone();
        v[0].source = None;
        variants.push(v);
        let mut v = base.clone();
        v[1].editor = Some("Someone".into());
        variants.push(v);
        let mut v = base.clone();
        v[1].name = "modC".into();
        variants.push(v);
        variants.push(base[..1].to_vec());
        let mut v = base.clone();
        v.push(module("modZ", Some("3"), true));
        variants.push(v);
        variants.push(Vec::new());
        for (at, variant) in variants.iter().enumerate() {
            write(&mut store, id, 10 * at as i64, &base);
            assert_eq!(stored(&store, id), base);
            write(&mut store, id, 10 * at as i64 + 5, variant);
            assert_eq!(&stored(&store, id), variant, "variant {at}");
        }
    }
}
