//! Hosts and instances: reading, adding, editing and removing records.

use super::db::{OptionalExt, Row, params};
use anyhow::{Context, Result};

use super::Store;
use super::db::Conn;
use super::secrets::write_token;
use super::sql::{from_int, table, threshold_text};
use crate::domain::assertion::Assertions;
use crate::domain::discovery::Tombstone;
use crate::domain::error::{invalid, not_found};
use crate::domain::model::{Module, Record, RecordType, Security, Settings, State};
use crate::domain::query::Filter;
use crate::domain::units::with_article;

/// The columns both tables share, in the order `record_from_row` reads them; hosts fill the
/// instance-only columns with NULLs so one reader serves both. `{token}` is the token from the
/// tokens' file when it is attached, else NULL.
const COLUMNS: &str = "r.id, r.ref, r.label, r.api_kind, r.url, {token}, r.probe, r.enabled,
    r.insecure_tls, r.created_at, r.status, r.status_since, r.message, r.last_check_at,
    r.last_success_at, r.consecutive_failures, r.response_ms, r.http_status, r.disk_used,
    r.disk_total, r.disk_partial";

/// Shared columns added by migrations 3 and 4, read after the instance-only ones.
const LATE_COLUMNS: &str = "r.disk_warn, r.disk_crit, r.cert_warn_days, r.cert_crit_days,
    r.cert_expires_at, r.cert_error, r.consecutive_successes, r.has_token, r.ca_file";

pub(super) fn select(rt: RecordType, secrets: bool) -> String {
    let (token, join) = if secrets {
        (
            "t.token",
            format!(
                " LEFT JOIN secrets.tokens t ON t.record_type = '{}' AND t.record_id = r.id",
                rt.as_str()
            ),
        )
    } else {
        ("NULL", String::new())
    };
    let columns = COLUMNS.replace("{token}", token);
    match rt {
        RecordType::Host => format!(
            "SELECT {columns}, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, {LATE_COLUMNS},
                0, NULL, NULL, NULL, NULL, NULL, NULL, r.assertions
             FROM hosts r{join}"
        ),
        RecordType::Instance => format!(
            "SELECT {columns}, r.host_id, h.ref, r.remote_name, r.discovered, r.missing,
                r.dolibarr_version, r.users_all, r.users_active, r.last_login, {LATE_COLUMNS},
                r.push, r.push_grace, r.last_push_at, r.install_lock, r.main_features_level,
                r.database_pwd_encrypted, r.first_version, r.assertions
             FROM instances r LEFT JOIN hosts h ON h.id = r.host_id{join}"
        ),
    }
}

pub(super) fn record_from_row(rt: RecordType, row: &Row<'_>) -> super::db::Result<Record> {
    let probe: Option<String> = row.get(6)?;
    let probe = match probe {
        Some(json) => serde_json::from_str(&json).map_err(|e| super::db::Error::column(6, e))?,
        None => Vec::new(),
    };
    Ok(Record {
        id: row.get(0)?,
        record_type: rt,
        settings: Settings {
            reference: row.get(1)?,
            label: row.get(2)?,
            kind: row.get(3)?,
            url: row.get(4)?,
            token: row.get(5)?,
            probe,
            enabled: row.get(7)?,
            insecure_tls: row.get(8)?,
            host_id: row.get(21)?,
            remote_name: row.get(23)?,
            disk_warn: row.get(30)?,
            disk_crit: row.get(31)?,
            cert_warn_days: row.get(32)?,
            cert_crit_days: row.get(33)?,
            ca_file: row.get(38)?,
            push: row.get(39)?,
            push_grace: row.get(40)?,
            assertions: match row.get::<_, Option<String>>(46)? {
                Some(json) => {
                    serde_json::from_str(&json).map_err(|e| super::db::Error::column(46, e))?
                }
                None => Default::default(),
            },
        },
        created_at: row.get(9)?,
        host_ref: row.get(22)?,
        discovered: row.get(24)?,
        missing: row.get(25)?,
        has_token: row.get(37)?,
        maintenance: None,
        state: State {
            status: Some(row.get(10)?),
            status_since: row.get(11)?,
            message: row.get(12)?,
            last_check_at: row.get(13)?,
            last_success_at: row.get(14)?,
            consecutive_failures: row.get(15)?,
            consecutive_successes: row.get(36)?,
            response_ms: from_int(row.get(16)?),
            http_status: from_int(row.get(17)?),
            disk_used: from_int(row.get(18)?),
            disk_total: from_int(row.get(19)?),
            disk_partial: row.get(20)?,
            dolibarr_version: row.get(26)?,
            users_all: row.get(27)?,
            users_active: row.get(28)?,
            last_login: row.get(29)?,
            cert_expires_at: row.get(34)?,
            cert_error: row.get(35)?,
            last_push_at: row.get(41)?,
            security: security_from(row.get(42)?, row.get(43)?, row.get(44)?),
            first_version: row.get(45)?,
        },
    })
}

fn assertions_json(a: &Assertions) -> Option<String> {
    // Plain data always serialises.
    (!a.is_empty()).then(|| serde_json::to_string(a).unwrap_or_default())
}

/// The stored risky settings; None when the observer never reported any.
pub(super) fn security_from(
    install_lock: Option<bool>,
    main_features_level: Option<i64>,
    database_pwd_encrypted: Option<bool>,
) -> Option<Security> {
    let s = Security {
        install_lock,
        main_features_level,
        database_pwd_encrypted,
    };
    (s != Security::default()).then_some(s)
}

fn probe_json(probe: &[String]) -> Option<String> {
    // A Vec<String> always serialises.
    (!probe.is_empty()).then(|| serde_json::to_string(probe).unwrap_or_default())
}

/// The SELECT of `Store::list` (or, with `page`, of `Store::page`), with its WHERE and ORDER
/// BY, and its arguments.
fn filtered(
    rt: RecordType,
    filter: &Filter,
    page: Option<(i64, usize)>,
    secrets: bool,
) -> (String, Vec<Box<dyn super::db::Param>>) {
    let mut sql = select(rt, secrets);
    let (clauses, mut args) = conditions(rt, filter, page.map(|p| p.0));
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    match page {
        Some((_, limit)) => {
            sql.push_str(" ORDER BY r.id LIMIT ?");
            args.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        None => sql.push_str(match rt {
            RecordType::Host => " ORDER BY r.ref",
            RecordType::Instance => " ORDER BY h.ref IS NULL, h.ref, r.ref",
        }),
    }
    (sql, args)
}

/// The WHERE conditions of `filter` (and of a page after `after`), with their arguments.
fn conditions(
    rt: RecordType,
    filter: &Filter,
    after: Option<i64>,
) -> (Vec<String>, Vec<Box<dyn super::db::Param>>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Box<dyn super::db::Param>> = Vec::new();
    if let Some(after) = after {
        clauses.push("r.id > ?".into());
        args.push(Box::new(after));
    }
    if let Some(host) = &filter.host {
        clauses.push(match rt {
            RecordType::Host => "r.ref = ?".into(),
            RecordType::Instance => "h.ref = ?".into(),
        });
        args.push(Box::new(host.clone()));
    }
    if let Some(status) = filter.status {
        clauses.push("r.status = ?".into());
        args.push(Box::new(status));
    }
    if let (Some(push), RecordType::Instance) = (filter.push, rt) {
        clauses.push("r.push = ?".into());
        args.push(Box::new(push));
    }
    if let Some(enabled) = filter.enabled {
        clauses.push("r.enabled = ?".into());
        args.push(Box::new(enabled));
    }
    if !filter.refs.is_empty() {
        let marks = vec!["?"; filter.refs.len()].join(", ");
        clauses.push(format!("r.ref IN ({marks})"));
        for r in &filter.refs {
            args.push(Box::new(r.clone()));
        }
    }
    (clauses, args)
}

/// A `share`-mode claim: this poller's name, and until when its lease holds.
#[derive(Debug, Clone)]
pub struct Claim {
    pub poller: String,
    pub now: i64,
    pub until: i64,
}

impl Store {
    /// Records of one type matching `filter`, ordered by host then ref.
    pub fn list(&self, rt: RecordType, filter: &Filter) -> Result<Vec<Record>> {
        self.query_records(rt, filtered(rt, filter, None, self.secrets))
    }

    /// Up to `limit` records matching `filter` whose id is above `after`, by id: a pass reads
    /// its records a page at a time instead of holding the whole fleet.
    pub fn page(
        &self,
        rt: RecordType,
        filter: &Filter,
        after: i64,
        limit: usize,
    ) -> Result<Vec<Record>> {
        self.query_records(rt, filtered(rt, filter, Some((after, limit)), self.secrets))
    }

    /// `page`, in `share` mode: up to `limit` records above `after` that no other poller holds
    /// a lease on, claimed for this one in a transaction of their own. On PostgreSQL, rows
    /// another poller is claiming at that moment are skipped (`FOR UPDATE SKIP LOCKED`), so
    /// pollers claiming at once split the fleet instead of waiting on each other.
    pub fn claim_page(
        &self,
        rt: RecordType,
        filter: &Filter,
        claim: &Claim,
        after: i64,
        limit: usize,
    ) -> Result<Vec<Record>> {
        let t = table(rt);
        let (mut clauses, mut args) = conditions(rt, filter, Some(after));
        clauses
            .push("(r.claimed_until IS NULL OR r.claimed_until <= ? OR r.claimed_by = ?)".into());
        args.push(Box::new(claim.now));
        args.push(Box::new(claim.poller.clone()));
        args.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        let join = match rt {
            RecordType::Host => "",
            RecordType::Instance => " LEFT JOIN hosts h ON h.id = r.host_id",
        };
        let lock = if self.conn.is_postgres() {
            " FOR UPDATE OF r SKIP LOCKED"
        } else {
            ""
        };
        let candidates = format!(
            "SELECT r.id FROM {t} r{join} WHERE {} ORDER BY r.id LIMIT ?{lock}",
            clauses.join(" AND ")
        );
        let mut all: Vec<Box<dyn super::db::Param>> =
            vec![Box::new(claim.poller.clone()), Box::new(claim.until)];
        all.extend(args);
        let tx = self.conn.transaction(true)?;
        let ids: Vec<i64> = tx
            .prepare(&format!(
                "UPDATE {t} SET claimed_by = ?, claimed_until = ? WHERE id IN ({candidates})
                 RETURNING id"
            ))?
            .query_map(&all, |r| r.get(0))?
            .collect::<super::db::Result<_>>()?;
        tx.commit().context("cannot claim records")?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; ids.len()].join(", ");
        let sql = format!(
            "{} WHERE r.id IN ({marks}) ORDER BY r.id",
            select(rt, self.secrets)
        );
        let args: Vec<Box<dyn super::db::Param>> =
            ids.into_iter().map(|id| Box::new(id) as _).collect();
        self.query_records(rt, (sql, args))
    }

    fn query_records(
        &self,
        rt: RecordType,
        (sql, args): (String, Vec<Box<dyn super::db::Param>>),
    ) -> Result<Vec<Record>> {
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(&args, |row| record_from_row(rt, row))?;
        rows.collect::<super::db::Result<Vec<_>>>()
            .context("cannot read records")
    }

    /// How many records `list` would return.
    pub fn count(&self, rt: RecordType, filter: &Filter) -> Result<usize> {
        let (sql, args) = filtered(rt, filter, None, false);
        let n: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM ({sql}) AS matched"),
            &args,
            |row| row.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The record with this ref, if any.
    pub fn find(&self, rt: RecordType, reference: &str) -> Result<Option<Record>> {
        let sql = format!("{} WHERE r.ref = ?1", select(rt, self.secrets));
        Ok(self
            .conn
            .query_row(&sql, params![reference], |row| record_from_row(rt, row))
            .optional()?)
    }

    /// The record with this ref, or a "not found" error naming it.
    pub fn get(&self, rt: RecordType, reference: &str) -> Result<Record> {
        self.find(rt, reference)?.ok_or_else(|| {
            not_found(format!(
                "no {rt} named '{reference}' (see `webhost {rt} list`)"
            ))
        })
    }

    /// Inserts a record; a duplicate ref is an `Invalid` error and writes nothing.
    pub fn insert(&mut self, rt: RecordType, rec: &Settings, now: i64) -> Result<i64> {
        if self.find(rt, &rec.reference)?.is_some() {
            return Err(duplicate(rt, &rec.reference));
        }
        self.require_secrets()?;
        insert_row(&self.conn, rt, rec, false, now)
            .map_err(|e| unique_violation(e, rt, &rec.reference))
    }

    /// Replaces a record's settings, its token included.
    pub fn update_settings(&mut self, rt: RecordType, id: i64, s: &Settings) -> Result<()> {
        self.require_secrets()?;
        update_row(&self.conn, rt, id, s).map_err(|e| unique_violation(e, rt, &s.reference))?;
        Ok(())
    }

    /// Writing a record writes its token: only a store opened for writing has them.
    fn require_secrets(&self) -> Result<()> {
        if !self.secrets {
            anyhow::bail!("the tokens are not open: this store was opened to read");
        }
        Ok(())
    }

    /// Turns monitoring on or off; false when there is no such record.
    pub fn set_enabled(&mut self, rt: RecordType, reference: &str, enabled: bool) -> Result<bool> {
        let sql = format!("UPDATE {} SET enabled = ?1 WHERE ref = ?2", table(rt));
        Ok(self.conn.execute(&sql, params![enabled, reference])? > 0)
    }

    /// Refs of the instances that belong to a host.
    pub fn instances_of_host(&self, host_id: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT ref FROM instances WHERE host_id = ?1 ORDER BY ref")?;
        let refs = stmt.query_map(params![host_id], |r| r.get(0))?;
        Ok(refs.collect::<super::db::Result<Vec<String>>>()?)
    }

    /// Deletes a record and its history (and, for a host with `cascade`, its instances),
    /// all or nothing; an instance may leave a `tombstone` (at `now`) in its place.
    pub fn remove(
        &mut self,
        rt: RecordType,
        id: i64,
        cascade: bool,
        tombstone: Option<(&Tombstone, i64)>,
    ) -> Result<()> {
        let tx = self.conn.transaction(true)?;
        if self.secrets {
            if rt == RecordType::Host && cascade {
                tx.execute(
                    "DELETE FROM secrets.tokens WHERE record_type = 'instance' AND record_id IN
                        (SELECT id FROM instances WHERE host_id = ?1)",
                    [id],
                )?;
            }
            tx.execute(
                "DELETE FROM secrets.tokens WHERE record_type = ?1 AND record_id = ?2",
                params![rt.as_str(), id],
            )?;
        }
        if rt == RecordType::Host && cascade {
            tx.execute("DELETE FROM instances WHERE host_id = ?1", params![id])?;
        }
        tx.execute(
            &format!("DELETE FROM {} WHERE id = ?1", table(rt)),
            params![id],
        )?;
        if let Some((stone, now)) = tombstone {
            super::tombstones::leave(&tx, stone, now)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The names a host's list gives that its pass need not read: its instances not flagged
    /// missing (update-instances reads them) and those the user removed (never created again).
    pub fn known_names(&self, host_id: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT remote_name FROM instances
             WHERE host_id = ?1 AND missing = 0 AND remote_name IS NOT NULL
             UNION SELECT remote_name FROM tombstones WHERE host_id = ?1",
        )?;
        let names = stmt.query_map(params![host_id], |r| r.get(0))?;
        names
            .collect::<super::db::Result<_>>()
            .context("cannot read a host's known instances")
    }

    /// The modules of an instance, by name.
    pub fn modules(&self, instance_id: i64) -> Result<Vec<Module>> {
        Ok(modules_of(&self.conn, instance_id)?)
    }
}

/// The modules of an instance, by name, on any connection or transaction.
pub(super) fn modules_of(conn: &Conn, instance_id: i64) -> super::db::Result<Vec<Module>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, version, active, source, editor FROM modules
         WHERE instance_id = ?1 ORDER BY lower(name), name",
    )?;
    let rows = stmt.query_map(params![instance_id], |r| {
        Ok(Module {
            name: r.get(0)?,
            version: r.get(1)?,
            active: r.get(2)?,
            source: r.get(3)?,
            editor: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// The INSERT behind `Store::insert`, on any connection or transaction; `discovered` marks a
/// record a host's discovery created (import restores it).
pub(super) fn insert_row(
    conn: &Conn,
    rt: RecordType,
    rec: &Settings,
    discovered: bool,
    now: i64,
) -> super::db::Result<i64> {
    let sql = format!(
        "INSERT INTO {} (ref, label, api_kind, url, token, probe, enabled, insecure_tls, created_at,
            disk_warn, disk_crit, cert_warn_days, cert_crit_days, ca_file, assertions{})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15{})",
        table(rt),
        if rt == RecordType::Instance { ", host_id, remote_name, discovered, push, push_grace" } else { "" },
        if rt == RecordType::Instance { ", ?16, ?17, ?18, ?19, ?20" } else { "" },
    );
    let probe = probe_json(&rec.probe);
    let assertions = assertions_json(&rec.assertions);
    let no_token: Option<&str> = None;
    let (disk_warn, disk_crit) = (
        threshold_text(&rec.disk_warn),
        threshold_text(&rec.disk_crit),
    );
    let mut args: Vec<&dyn super::db::Param> = vec![
        &rec.reference,
        &rec.label,
        &rec.kind,
        &rec.url,
        &no_token,
        &probe,
        &rec.enabled,
        &rec.insecure_tls,
        &now,
        &disk_warn,
        &disk_crit,
        &rec.cert_warn_days,
        &rec.cert_crit_days,
        &rec.ca_file,
        &assertions,
    ];
    if rt == RecordType::Instance {
        args.extend([
            &rec.host_id as &dyn super::db::Param,
            &rec.remote_name,
            &discovered,
            &rec.push,
            &rec.push_grace,
        ]);
    }
    let id: i64 = conn.query_row(&format!("{sql} RETURNING id"), args.as_slice(), |r| {
        r.get(0)
    })?;
    write_token(conn, rt, id, rec.token.as_deref())?;
    Ok(id)
}

/// The UPDATE behind `Store::update_settings`, on any connection or transaction.
pub(super) fn update_row(
    conn: &Conn,
    rt: RecordType,
    id: i64,
    s: &Settings,
) -> super::db::Result<usize> {
    let sql = format!(
        "UPDATE {} SET ref = ?1, label = ?2, api_kind = ?3, url = ?4, token = ?5, probe = ?6,
            enabled = ?7, insecure_tls = ?8, disk_warn = ?10, disk_crit = ?11,
            cert_warn_days = ?12, cert_crit_days = ?13, ca_file = ?14, assertions = ?15{}
         WHERE id = ?9",
        table(rt),
        if rt == RecordType::Instance {
            ", host_id = ?16, remote_name = ?17, push = ?18, push_grace = ?19"
        } else {
            ""
        },
    );
    let probe = probe_json(&s.probe);
    let assertions = assertions_json(&s.assertions);
    let no_token: Option<&str> = None;
    let (disk_warn, disk_crit) = (threshold_text(&s.disk_warn), threshold_text(&s.disk_crit));
    let mut args: Vec<&dyn super::db::Param> = vec![
        &s.reference,
        &s.label,
        &s.kind,
        &s.url,
        &no_token,
        &probe,
        &s.enabled,
        &s.insecure_tls,
        &id,
        &disk_warn,
        &disk_crit,
        &s.cert_warn_days,
        &s.cert_crit_days,
        &s.ca_file,
        &assertions,
    ];
    if rt == RecordType::Instance {
        args.extend([
            &s.host_id as &dyn super::db::Param,
            &s.remote_name,
            &s.push,
            &s.push_grace,
        ]);
    }
    let changed = conn.execute(&sql, args.as_slice())?;
    write_token(conn, rt, id, s.token.as_deref())?;
    Ok(changed)
}

fn duplicate(rt: RecordType, reference: &str) -> anyhow::Error {
    invalid(format!(
        "{} named '{reference}' already exists (choose another ref, or `webhost {rt} edit {reference}`)",
        with_article(rt.as_str())
    ))
}

/// Turns a UNIQUE violation on `ref` (a race with another writer) into the same clear error.
pub(super) fn unique_violation(
    e: super::db::Error,
    rt: RecordType,
    reference: &str,
) -> anyhow::Error {
    if e.is_unique_violation() {
        duplicate(rt, reference)
    } else {
        anyhow::Error::new(e).context(format!("cannot write {rt} '{reference}'"))
    }
}
