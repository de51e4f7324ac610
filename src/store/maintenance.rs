//! Maintenance windows: stored as typed (a recurring one with its time zone's name), and read
//! back for one record (its own, its host's and those over every record), which the domain
//! expands (`domain::maintenance`).

use super::db::{Conn, params};
use anyhow::Result;
use jiff::tz::TimeZone;

use super::sql::{owner_column, table};
use super::{Batch, Store};
use crate::domain::maintenance::{self, Every, MaintenanceNow, Scope, Target, Timing, Window};
use crate::domain::model::{Record, RecordKey, RecordType};

const COLUMNS: &str = "m.id, m.all_records, m.starts_at, m.ends_at, m.every, m.duration, m.tz, \
                       m.reason, m.created_at";

type Row = (
    i64,
    bool,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    i64,
);

fn read_row(r: &super::db::Row<'_>) -> super::db::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

/// The records a window names, hosts first.
fn targets(conn: &Conn, id: i64) -> Result<Vec<Target>> {
    let mut out = Vec::new();
    for rt in RecordType::ALL {
        let sql = format!(
            "SELECT t.id, t.ref FROM maintenance_records w JOIN {} t ON t.id = w.{}
             WHERE w.window_id = ?1 ORDER BY t.ref",
            table(rt),
            owner_column(rt)
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![id], |r| {
            Ok(Target {
                key: RecordKey {
                    record_type: rt,
                    id: r.get(0)?,
                },
                reference: r.get(1)?,
            })
        })?;
        for t in rows {
            out.push(t?);
        }
    }
    Ok(out)
}

fn window(conn: &Conn, row: Row) -> Result<Window> {
    let (id, all, starts, ends, every, duration, tz, reason, created_at) = row;
    let timing = match (starts, ends, every) {
        (Some(from), Some(until), _) => Timing::Once { from, until },
        (_, _, Some(every)) => Timing::Every {
            every: Every::parse(&every)
                .map_err(|e| anyhow::anyhow!("maintenance window #{id} is damaged: {e}"))?,
            duration: duration.unwrap_or(0),
            // A zone this machine's database lacks (the window was written elsewhere): UTC,
            // rather than no window at all.
            tz: tz
                .as_deref()
                .and_then(|n| TimeZone::get(n).ok())
                .unwrap_or(TimeZone::UTC),
        },
        _ => anyhow::bail!("maintenance window #{id} is damaged: no time"),
    };
    let scope = if all {
        Scope::All
    } else {
        Scope::Records(targets(conn, id)?)
    };
    Ok(Window {
        id,
        scope,
        timing,
        reason,
        created_at,
    })
}

/// The windows over `key`: its own, its host's (an instance), and those over every record.
/// One statement (`check` asks it of one record; commands over many read every window once).
fn windows_of(conn: &Conn, key: RecordKey) -> Result<Vec<Window>> {
    let named = match key.record_type {
        RecordType::Host => "w.host_id = ?1",
        RecordType::Instance => {
            "w.instance_id = ?1 OR w.host_id = (SELECT host_id FROM instances WHERE id = ?1)"
        }
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM maintenance m WHERE m.all_records = 1 OR EXISTS (
            SELECT 1 FROM maintenance_records w WHERE w.window_id = m.id AND ({named}))
         ORDER BY m.id"
    );
    let rows: Vec<Row> = conn
        .prepare_cached(&sql)?
        .query_map([key.id], read_row)?
        .collect::<super::db::Result<_>>()?;
    rows.into_iter().map(|r| window(conn, r)).collect()
}

/// Every window, oldest first.
fn all_windows(conn: &Conn) -> Result<Vec<Window>> {
    let rows: Vec<Row> = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM maintenance m ORDER BY m.id"
        ))?
        .query_map(params![], read_row)?
        .collect::<super::db::Result<_>>()?;
    rows.into_iter().map(|r| window(conn, r)).collect()
}

/// A window to add: what it covers and when.
#[derive(Debug, Clone)]
pub struct NewWindow<'a> {
    /// None: every record.
    pub records: Option<&'a [RecordKey]>,
    pub timing: &'a Timing,
    pub reason: Option<&'a str>,
}

impl Store {
    /// Adds a window; returns its id.
    pub fn add_maintenance(&mut self, w: &NewWindow, now: i64) -> Result<i64> {
        let tx = self.conn.transaction(true)?;
        let (starts, ends, every, duration, tz) = match w.timing {
            Timing::Once { from, until } => (Some(*from), Some(*until), None, None, None),
            Timing::Every {
                every,
                duration,
                tz,
            } => (
                None,
                None,
                Some(every.to_string()),
                Some(*duration),
                Some(maintenance::tz_name(tz)),
            ),
        };
        let id: i64 = tx.query_row(
            "INSERT INTO maintenance (all_records, starts_at, ends_at, every, duration, tz, reason,
                created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
            params![
                w.records.is_none(),
                starts,
                ends,
                every,
                duration,
                tz,
                w.reason,
                now
            ],
            |r| r.get(0),
        )?;
        for key in w.records.unwrap_or_default() {
            tx.execute(
                &format!(
                    "INSERT INTO maintenance_records (window_id, {}) VALUES (?1, ?2)",
                    owner_column(key.record_type)
                ),
                params![id, key.id],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Every window, oldest first.
    pub fn maintenance_windows(&self) -> Result<Vec<Window>> {
        all_windows(&self.conn)
    }

    /// Removes the window `id`; false when there is none.
    pub fn remove_maintenance(&mut self, id: i64) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM maintenance WHERE id = ?1", params![id])?
            > 0)
    }

    /// Whether there is any window at all (most databases have none: one look says so).
    pub fn has_maintenance(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM maintenance)",
            params![],
            |r| r.get(0),
        )?)
    }

    /// Notes on each record the window it is in at `now` (`Record::maintenance`): the windows
    /// are read once, whatever the number of records.
    pub fn mark_maintenance(&self, records: &mut [Record], now: i64) -> Result<()> {
        if self.has_maintenance()? {
            let windows = self.maintenance_windows()?;
            for r in records {
                let (key, host) = (r.key(), r.settings.host_id);
                r.maintenance = maintenance::active_at(
                    windows.iter().filter(|w| maintenance::covers(w, key, host)),
                    now,
                );
            }
        }
        Ok(())
    }

    /// The window the record `key` is in at `t`, if any.
    pub fn maintenance_at(&self, key: RecordKey, t: i64) -> Result<Option<MaintenanceNow>> {
        Ok(maintenance::active_at(&windows_of(&self.conn, key)?, t))
    }
}

impl Batch<'_> {
    /// Every window (read in the batch's transaction, once for all its checks).
    pub fn maintenance_windows(&self) -> Result<Vec<Window>> {
        all_windows(self.tx()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ApiKind, Settings};

    #[test]
    fn an_instance_has_its_hosts_windows_expanded_and_clipped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(
            &dir.path().join("m.db"),
            crate::store::Access::Create { mode: 0o600 },
        )
        .expect("open");
        let host = store
            .insert(RecordType::Host, &Settings::new("srv1", ApiKind::Custom), 0)
            .expect("host");
        let mut on_host = Settings::new("app", ApiKind::Ping);
        on_host.host_id = Some(host);
        let app = store
            .insert(RecordType::Instance, &on_host, 0)
            .expect("instance");
        let other = store
            .insert(
                RecordType::Instance,
                &Settings::new("solo", ApiKind::Ping),
                0,
            )
            .expect("instance");
        let key = |record_type, id| RecordKey { record_type, id };
        let daily = Timing::Every {
            every: Every::parse("daily 01:00").expect("parses"),
            duration: 3600,
            tz: TimeZone::UTC,
        };
        let hosts = [key(RecordType::Host, host)];
        let window = NewWindow {
            records: Some(&hosts),
            timing: &daily,
            reason: Some("backups"),
        };
        store.add_maintenance(&window, 0).expect("add");
        let once = Timing::Once {
            from: 86_400 + 3000,
            until: 86_400 + 9000,
        };
        let solo = [key(RecordType::Instance, other)];
        let window = NewWindow {
            records: Some(&solo),
            timing: &once,
            reason: None,
        };
        store.add_maintenance(&window, 0).expect("add");
        // Two days from 01:30: the first window's end, the next day's whole, the third's start.
        let windows = store.maintenance_windows().expect("windows");
        let got = maintenance::intervals_of(
            &windows,
            key(RecordType::Instance, app),
            Some(host),
            5400,
            2 * 86_400 + 5400,
        );
        assert_eq!(
            got,
            vec![
                (5400, 7200),
                (86_400 + 3600, 86_400 + 7200),
                (2 * 86_400 + 3600, 2 * 86_400 + 5400)
            ]
        );
        let got = maintenance::intervals_of(
            &windows,
            key(RecordType::Instance, other),
            None,
            0,
            2 * 86_400,
        );
        assert_eq!(got, vec![(86_400 + 3000, 86_400 + 9000)]);
        let active = store
            .maintenance_at(key(RecordType::Host, host), 86_400 + 3700)
            .expect("active");
        assert_eq!(
            active,
            Some(MaintenanceNow {
                until: 86_400 + 7200,
                reason: Some("backups".into())
            })
        );
        assert!(store.remove_maintenance(1).expect("remove"));
        assert!(!store.remove_maintenance(1).expect("remove"));
        assert_eq!(store.maintenance_windows().expect("list").len(), 1);
    }
}
