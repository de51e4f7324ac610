//! Hosts and instances: reading, adding, editing and removing records.

use anyhow::{Context, Result};
use rusqlite::{OptionalExtension, Row, params};

use super::Store;
use crate::error::{Error, invalid};
use crate::health::{self, Assessment, Facts, Threshold, Thresholds};
use crate::model::{ApiKind, RecordType, Status};

/// The settings of a record: what a user adds and edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub reference: String,
    pub label: Option<String>,
    pub kind: ApiKind,
    pub url: Option<String>,
    pub token: Option<String>,
    /// Custom probe: program then arguments.
    pub probe: Vec<String>,
    pub enabled: bool,
    pub insecure_tls: bool,
    /// Instances only: the host they live on.
    pub host_id: Option<i64>,
    /// Instances only: the folder name on the server.
    pub remote_name: Option<String>,
    /// Overrides of the default health thresholds; None keeps the default.
    pub disk_warn: Option<Threshold>,
    pub disk_crit: Option<Threshold>,
    pub cert_warn_days: Option<i64>,
    pub cert_crit_days: Option<i64>,
}

impl Settings {
    /// The thresholds in force: the record's own, else the defaults.
    pub fn thresholds(&self) -> Thresholds {
        let d = Thresholds::default();
        Thresholds {
            disk_warn: self.disk_warn.unwrap_or(d.disk_warn),
            disk_crit: self.disk_crit.unwrap_or(d.disk_crit),
            cert_warn_days: self.cert_warn_days.unwrap_or(d.cert_warn_days),
            cert_crit_days: self.cert_crit_days.unwrap_or(d.cert_crit_days),
        }
    }
}

/// A record to insert.
pub type NewRecord = Settings;

/// What the last checks found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub status: Option<Status>,
    pub status_since: Option<i64>,
    pub message: Option<String>,
    pub last_check_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub consecutive_failures: i64,
    pub response_ms: Option<i64>,
    pub http_status: Option<i64>,
    pub disk_used: Option<i64>,
    pub disk_total: Option<i64>,
    pub disk_partial: bool,
    pub dolibarr_version: Option<String>,
    pub users_all: Option<i64>,
    pub users_active: Option<i64>,
    pub last_login: Option<String>,
    /// When the TLS certificate expires (https records), or why it could not be read.
    pub cert_expires_at: Option<i64>,
    pub cert_error: Option<String>,
}

impl State {
    pub fn status(&self) -> Status {
        self.status.unwrap_or(Status::Unknown)
    }
}

/// A host or an instance, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: i64,
    pub record_type: RecordType,
    pub settings: Settings,
    pub created_at: i64,
    /// The ref of the host (instances on a host).
    pub host_ref: Option<String>,
    /// Created by a host's discovery rather than by hand.
    pub discovered: bool,
    /// Its server no longer lists it.
    pub missing: bool,
    pub state: State,
}

impl Record {
    pub fn reference(&self) -> &str {
        &self.settings.reference
    }

    /// Health from the status and the thresholds in force.
    pub fn health(&self, now: i64) -> Assessment {
        let facts = Facts {
            status: self.state.status(),
            disk_used: self.state.disk_used,
            disk_total: self.state.disk_total,
            cert_expires_at: self.state.cert_expires_at,
        };
        health::assess(&facts, &self.settings.thresholds(), now)
    }
}

/// One installed module of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRow {
    pub name: String,
    pub version: Option<String>,
    pub active: bool,
    pub source: Option<String>,
    pub editor: Option<String>,
}

/// Which records `list` returns.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Instances on this host (for hosts: this host).
    pub host: Option<String>,
    pub status: Option<Status>,
    pub enabled: Option<bool>,
    /// Only these refs (empty: all).
    pub refs: Vec<String>,
}

fn table(rt: RecordType) -> &'static str {
    match rt {
        RecordType::Host => "hosts",
        RecordType::Instance => "instances",
    }
}

/// The columns both tables share, in the order `record_from_row` reads them; hosts fill the
/// instance-only columns with NULLs so one reader serves both.
const COLUMNS: &str = "r.id, r.ref, r.label, r.api_kind, r.url, r.token, r.probe, r.enabled,
    r.insecure_tls, r.created_at, r.status, r.status_since, r.message, r.last_check_at,
    r.last_success_at, r.consecutive_failures, r.response_ms, r.http_status, r.disk_used,
    r.disk_total, r.disk_partial";

/// Shared columns added by migration 3, read after the instance-only ones.
const LATE_COLUMNS: &str = "r.disk_warn, r.disk_crit, r.cert_warn_days, r.cert_crit_days,
    r.cert_expires_at, r.cert_error";

fn select(rt: RecordType) -> String {
    match rt {
        RecordType::Host => format!(
            "SELECT {COLUMNS}, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, {LATE_COLUMNS}
             FROM hosts r"
        ),
        RecordType::Instance => format!(
            "SELECT {COLUMNS}, r.host_id, h.ref, r.remote_name, r.discovered, r.missing,
                r.dolibarr_version, r.users_all, r.users_active, r.last_login, {LATE_COLUMNS}
             FROM instances r LEFT JOIN hosts h ON h.id = r.host_id"
        ),
    }
}

fn parse_col<T: std::str::FromStr<Err = String>>(row: &Row, i: usize) -> rusqlite::Result<T> {
    let text: String = row.get(i)?;
    text.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

fn parse_opt<T: std::str::FromStr<Err = String>>(
    row: &Row,
    i: usize,
) -> rusqlite::Result<Option<T>> {
    match row.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(_) => parse_col(row, i).map(Some),
    }
}

fn record_from_row(rt: RecordType, row: &Row) -> rusqlite::Result<Record> {
    let probe: Option<String> = row.get(6)?;
    let probe = match probe {
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, e.into())
        })?,
        None => Vec::new(),
    };
    let status: Status = parse_col(row, 10)?;
    Ok(Record {
        id: row.get(0)?,
        record_type: rt,
        settings: Settings {
            reference: row.get(1)?,
            label: row.get(2)?,
            kind: parse_col(row, 3)?,
            url: row.get(4)?,
            token: row.get(5)?,
            probe,
            enabled: row.get(7)?,
            insecure_tls: row.get(8)?,
            host_id: row.get(21)?,
            remote_name: row.get(23)?,
            disk_warn: parse_opt(row, 30)?,
            disk_crit: parse_opt(row, 31)?,
            cert_warn_days: row.get(32)?,
            cert_crit_days: row.get(33)?,
        },
        created_at: row.get(9)?,
        host_ref: row.get(22)?,
        discovered: row.get(24)?,
        missing: row.get(25)?,
        state: State {
            status: Some(status),
            status_since: row.get(11)?,
            message: row.get(12)?,
            last_check_at: row.get(13)?,
            last_success_at: row.get(14)?,
            consecutive_failures: row.get(15)?,
            response_ms: row.get(16)?,
            http_status: row.get(17)?,
            disk_used: row.get(18)?,
            disk_total: row.get(19)?,
            disk_partial: row.get(20)?,
            dolibarr_version: row.get(26)?,
            users_all: row.get(27)?,
            users_active: row.get(28)?,
            last_login: row.get(29)?,
            cert_expires_at: row.get(34)?,
            cert_error: row.get(35)?,
        },
    })
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
) -> (String, Vec<Box<dyn rusqlite::ToSql>>) {
    let mut sql = select(rt);
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    if let Some((after, _)) = page {
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
        args.push(Box::new(status.as_str()));
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

impl Store {
    /// Records of one type matching `filter`, ordered by host then ref.
    pub fn list(&self, rt: RecordType, filter: &Filter) -> Result<Vec<Record>> {
        self.query_records(rt, filtered(rt, filter, None))
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
        self.query_records(rt, filtered(rt, filter, Some((after, limit))))
    }

    fn query_records(
        &self,
        rt: RecordType,
        (sql, args): (String, Vec<Box<dyn rusqlite::ToSql>>),
    ) -> Result<Vec<Record>> {
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |row| {
            record_from_row(rt, row)
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .context("cannot read records")
    }

    /// How many records `list` would return.
    pub fn count(&self, rt: RecordType, filter: &Filter) -> Result<usize> {
        let (sql, args) = filtered(rt, filter, None);
        let n: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM ({sql})"),
            rusqlite::params_from_iter(args.iter()),
            |row| row.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The record with this ref, if any.
    pub fn find(&self, rt: RecordType, reference: &str) -> Result<Option<Record>> {
        let sql = format!("{} WHERE r.ref = ?1", select(rt));
        Ok(self
            .conn
            .query_row(&sql, [reference], |row| record_from_row(rt, row))
            .optional()?)
    }

    /// The record with this ref, or a "not found" error naming it.
    pub fn get(&self, rt: RecordType, reference: &str) -> Result<Record> {
        self.find(rt, reference)?.ok_or_else(|| {
            Error::NotFound(format!(
                "no {rt} named '{reference}' (see `webhost {rt} list`)"
            ))
            .into()
        })
    }

    /// Inserts a record; a duplicate ref is an `Invalid` error and writes nothing.
    pub fn insert(&mut self, rt: RecordType, rec: &NewRecord, now: i64) -> Result<i64> {
        if self.find(rt, &rec.reference)?.is_some() {
            return Err(duplicate(rt, &rec.reference));
        }
        insert_row(&self.conn, rt, rec, false, now)
            .map_err(|e| unique_violation(e, rt, &rec.reference))
    }

    /// Replaces a record's settings.
    pub fn update_settings(&mut self, rt: RecordType, id: i64, s: &Settings) -> Result<()> {
        update_row(&self.conn, rt, id, s).map_err(|e| unique_violation(e, rt, &s.reference))?;
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
        let refs = stmt.query_map([host_id], |r| r.get(0))?;
        Ok(refs.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    /// Deletes a record and its history (and, for a host with `cascade`, its instances),
    /// all or nothing.
    pub fn remove(&mut self, rt: RecordType, id: i64, cascade: bool) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if rt == RecordType::Host && cascade {
            tx.execute("DELETE FROM instances WHERE host_id = ?1", [id])?;
        }
        tx.execute(&format!("DELETE FROM {} WHERE id = ?1", table(rt)), [id])?;
        tx.commit()?;
        Ok(())
    }

    /// The modules of an instance, by name.
    pub fn modules(&self, instance_id: i64) -> Result<Vec<ModuleRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, version, active, source, editor FROM modules
             WHERE instance_id = ?1 ORDER BY name",
        )?;
        let rows = stmt.query_map([instance_id], |r| {
            Ok(ModuleRow {
                name: r.get(0)?,
                version: r.get(1)?,
                active: r.get(2)?,
                source: r.get(3)?,
                editor: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// The INSERT behind `Store::insert`, on any connection or transaction; `discovered` marks a
/// record a host's discovery created (import restores it).
pub(super) fn insert_row(
    conn: &rusqlite::Connection,
    rt: RecordType,
    rec: &NewRecord,
    discovered: bool,
    now: i64,
) -> rusqlite::Result<i64> {
    let sql = format!(
        "INSERT INTO {} (ref, label, api_kind, url, token, probe, enabled, insecure_tls, created_at,
            disk_warn, disk_crit, cert_warn_days, cert_crit_days{})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13{})",
        table(rt),
        if rt == RecordType::Instance { ", host_id, remote_name, discovered" } else { "" },
        if rt == RecordType::Instance { ", ?14, ?15, ?16" } else { "" },
    );
    let probe = probe_json(&rec.probe);
    let kind = rec.kind.as_str();
    let disk_warn = rec.disk_warn.map(|t| t.to_string());
    let disk_crit = rec.disk_crit.map(|t| t.to_string());
    let mut args: Vec<&dyn rusqlite::ToSql> = vec![
        &rec.reference,
        &rec.label,
        &kind,
        &rec.url,
        &rec.token,
        &probe,
        &rec.enabled,
        &rec.insecure_tls,
        &now,
        &disk_warn,
        &disk_crit,
        &rec.cert_warn_days,
        &rec.cert_crit_days,
    ];
    if rt == RecordType::Instance {
        args.extend([
            &rec.host_id as &dyn rusqlite::ToSql,
            &rec.remote_name,
            &discovered,
        ]);
    }
    conn.execute(&sql, args.as_slice())?;
    Ok(conn.last_insert_rowid())
}

/// The UPDATE behind `Store::update_settings`, on any connection or transaction.
pub(super) fn update_row(
    conn: &rusqlite::Connection,
    rt: RecordType,
    id: i64,
    s: &Settings,
) -> rusqlite::Result<usize> {
    let sql = format!(
        "UPDATE {} SET ref = ?1, label = ?2, api_kind = ?3, url = ?4, token = ?5, probe = ?6,
            enabled = ?7, insecure_tls = ?8, disk_warn = ?10, disk_crit = ?11,
            cert_warn_days = ?12, cert_crit_days = ?13{} WHERE id = ?9",
        table(rt),
        if rt == RecordType::Instance {
            ", host_id = ?14, remote_name = ?15"
        } else {
            ""
        },
    );
    let probe = probe_json(&s.probe);
    let kind = s.kind.as_str();
    let disk_warn = s.disk_warn.map(|t| t.to_string());
    let disk_crit = s.disk_crit.map(|t| t.to_string());
    let mut args: Vec<&dyn rusqlite::ToSql> = vec![
        &s.reference,
        &s.label,
        &kind,
        &s.url,
        &s.token,
        &probe,
        &s.enabled,
        &s.insecure_tls,
        &id,
        &disk_warn,
        &disk_crit,
        &s.cert_warn_days,
        &s.cert_crit_days,
    ];
    if rt == RecordType::Instance {
        args.extend([&s.host_id as &dyn rusqlite::ToSql, &s.remote_name]);
    }
    conn.execute(&sql, args.as_slice())
}

fn duplicate(rt: RecordType, reference: &str) -> anyhow::Error {
    invalid(format!(
        "a {rt} named '{reference}' already exists (choose another ref, or `webhost {rt} edit {reference}`)"
    ))
}

/// Turns a UNIQUE violation on `ref` (a race with another writer) into the same clear error.
pub(super) fn unique_violation(
    e: rusqlite::Error,
    rt: RecordType,
    reference: &str,
) -> anyhow::Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => duplicate(rt, reference),
        _ => anyhow::Error::new(e).context(format!("cannot write {rt} '{reference}'")),
    }
}
