//! Disk trends, kept as readings arrive (migration 16): the lowest reading of each closed
//! stretch of the last 30 days, and per record its open stretch, latest reading and last fit.
//! A pass writes one row per reading and refits a record once a stretch, so forecasts read
//! one row per record, not a month of checks.

use std::collections::HashMap;

use super::db::{OptionalExt, params};
use anyhow::Result;

use super::sql::{from_int, owner_column};
use super::{Batch, Store};
use crate::domain::forecast::{self, Fit, Point, Trend};
use crate::domain::model::{RecordKey, RecordType};

/// The open stretch of a stored trend.
struct Open {
    bucket: i64,
    low: Point,
    readings: i64,
    last_at: i64,
}

impl Batch<'_> {
    /// Adds one disk reading at `at` to the record's trend, refitting when it opens a stretch.
    /// A reading older than the open stretch (a clock set back) leaves the trend as it is.
    pub fn record_disk(&self, key: RecordKey, at: i64, used: u64) -> Result<()> {
        let col = owner_column(key.record_type);
        let Ok(used_sql) = i64::try_from(used) else {
            return Ok(()); // beyond what SQLite holds: not a reading to fit
        };
        let bucket = forecast::bucket_start(key.id, at);
        // Most readings fall in the open stretch: one statement, and done.
        let updated = self
            .tx()?
            .prepare_cached(&format!(
                "UPDATE disk_trends SET
                    low_at = CASE WHEN ?3 < low_used THEN ?2 ELSE low_at END,
                    low_used = CASE WHEN ?3 < low_used THEN ?3 ELSE low_used END,
                    bucket_readings = bucket_readings + 1,
                    last_at = CASE WHEN ?2 >= last_at THEN ?2 ELSE last_at END,
                    last_used = CASE WHEN ?2 >= last_at THEN ?3 ELSE last_used END
                 WHERE {col} = ?1 AND bucket = ?4"
            ))?
            .execute(params![key.id, at, used_sql, bucket])?;
        if updated > 0 {
            return Ok(());
        }
        self.record_disk_slow(key, at, used)
    }

    /// A reading that does not fall in the record's open stretch: it closes it and refits, or
    /// opens the first one.
    pub(super) fn record_disk_slow(&self, key: RecordKey, at: i64, used: u64) -> Result<()> {
        let col = owner_column(key.record_type);
        let bucket = forecast::bucket_start(key.id, at);
        let open = self
            .tx()?
            .prepare_cached(&format!(
                "SELECT bucket, low_at, low_used, bucket_readings, last_at FROM disk_trends
                 WHERE {col} = ?1"
            ))?
            .query_row([key.id], |r| {
                Ok(Open {
                    bucket: r.get(0)?,
                    low: Point {
                        at: r.get(1)?,
                        used: from_int::<u64>(r.get(2)?).unwrap_or(0),
                    },
                    readings: r.get(3)?,
                    last_at: r.get(4)?,
                })
            })
            .optional()?;
        let reading = Point { at, used };
        match open {
            Some(o) if bucket < o.bucket || at < o.last_at => Ok(()),
            Some(o) => {
                self.tx()?
                    .prepare_cached(&format!(
                        "INSERT INTO disk_levels ({col}, bucket, low_at, low_used, readings)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT ({col}, bucket) WHERE {col} IS NOT NULL
                         DO UPDATE SET low_at = excluded.low_at,
                            low_used = excluded.low_used, readings = excluded.readings"
                    ))?
                    .execute(params![
                        key.id,
                        o.bucket,
                        o.low.at,
                        o.low.used as i64,
                        o.readings
                    ])?;
                self.refit(key, bucket, reading, 1)
            }
            None => {
                // The first reading since migration 16 filled the stretches from the checks:
                // the one it falls in (if filled) becomes the open stretch.
                let mut low = reading;
                let mut readings = 1;
                let filled = self.levels(
                    &format!(
                        "DELETE FROM disk_levels WHERE {col} = ?1 AND bucket >= ?2
                         RETURNING low_at, low_used, readings"
                    ),
                    key.id,
                    bucket,
                )?;
                for (at, used, n) in filled {
                    readings += n;
                    let used = u64::try_from(used).unwrap_or(0);
                    if used < low.used {
                        low = Point { at, used };
                    }
                }
                self.refit(key, bucket, low, readings)
            }
        }
    }

    /// The (lowest reading's time, its bytes, readings) rows `sql` gives for a record and a
    /// stretch start.
    fn levels(&self, sql: &str, id: i64, bucket: i64) -> Result<Vec<(i64, i64, i64)>> {
        let rows = self
            .tx()?
            .prepare_cached(sql)?
            .query_map(params![id, bucket], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<super::db::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Fits the closed stretches of the last 30 days and the open one (starting at `bucket`,
    /// lowest reading `low`, `readings` so far), and stores the trend; the latest reading is
    /// the open stretch's.
    fn refit(&self, key: RecordKey, bucket: i64, low: Point, readings: i64) -> Result<()> {
        let col = owner_column(key.record_type);
        let since = low.at - forecast::WINDOW_S;
        self.tx()?
            .prepare_cached(&format!(
                "DELETE FROM disk_levels WHERE {col} = ?1 AND low_at < ?2"
            ))?
            .execute(params![key.id, since])?;
        let mut levels = Vec::new();
        let mut total = readings;
        let rows = self.levels(
            &format!(
                "SELECT low_at, low_used, readings FROM disk_levels
                 WHERE {col} = ?1 AND bucket < ?2 ORDER BY bucket"
            ),
            key.id,
            bucket,
        )?;
        for (at, used, n) in rows {
            if let Ok(used) = u64::try_from(used) {
                levels.push(Point { at, used });
                total += n;
            }
        }
        levels.push(low);
        let fit = forecast::fit_levels(&levels);
        self.tx()?
            .prepare_cached(&format!(
                "INSERT INTO disk_trends ({col}, bucket, low_at, low_used, bucket_readings,
                    last_at, last_used, readings, since, per_day, jumps)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?3, ?4, ?6, ?7, ?8, ?9)
                 ON CONFLICT ({col}) DO UPDATE SET bucket = excluded.bucket,
                    low_at = excluded.low_at,
                    low_used = excluded.low_used, bucket_readings = excluded.bucket_readings,
                    last_at = excluded.last_at, last_used = excluded.last_used,
                    readings = excluded.readings, since = excluded.since,
                    per_day = excluded.per_day, jumps = excluded.jumps"
            ))?
            .execute(params![
                key.id,
                bucket,
                low.at,
                low.used as i64,
                readings,
                total,
                levels[0].at,
                fit.map(|f| f.per_day),
                fit.map_or(0, |f| f.jumps as i64),
            ])?;
        Ok(())
    }
}

impl Store {
    /// Every record's stored disk trend.
    pub fn disk_trends(&self) -> Result<HashMap<RecordKey, Trend>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT host_id, instance_id, readings, since, last_at, last_used, per_day, jumps
             FROM disk_trends",
        )?;
        let rows = stmt.query_map(params![], |r| {
            let key = match (r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?) {
                (Some(id), _) => RecordKey {
                    record_type: RecordType::Host,
                    id,
                },
                (None, id) => RecordKey {
                    record_type: RecordType::Instance,
                    id: id.unwrap_or_default(),
                },
            };
            Ok((key, trend_from(r)?))
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// One record's stored disk trend.
    pub fn disk_trend(&self, key: RecordKey) -> Result<Option<Trend>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT host_id, instance_id, readings, since, last_at, last_used, per_day, jumps
                 FROM disk_trends WHERE {} = ?1",
                owner_column(key.record_type)
            ))?
            .query_row([key.id], trend_from)
            .optional()?)
    }
}

fn trend_from(r: &super::db::Row<'_>) -> super::db::Result<Trend> {
    let per_day: Option<f64> = r.get(6)?;
    let jumps: i64 = r.get(7)?;
    Ok(Trend {
        readings: usize::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        since: r.get(3)?,
        last: Point {
            at: r.get(4)?,
            used: from_int::<u64>(r.get(5)?).unwrap_or(0),
        },
        fit: per_day.map(|per_day| Fit {
            per_day,
            jumps: usize::try_from(jumps).unwrap_or(0),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{Reading, Status};
    use crate::store::Access;

    const GIB: u64 = 1 << 30;
    const DAY: i64 = 86_400;
    const T0: i64 = 1_800_000_000;

    fn store() -> (tempfile::TempDir, Store, RecordKey) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store =
            Store::open(&dir.path().join("w.db"), Access::Create { mode: 0o600 }).expect("open");
        let id = store
            .conn
            .query_row(
                "INSERT INTO instances (ref, api_kind, url, created_at)
                 VALUES ('a', 'server-observer-v1', 'http://x/', 0) RETURNING id",
                params![],
                |r| r.get(0),
            )
            .expect("insert");
        let key = RecordKey {
            record_type: RecordType::Instance,
            id,
        };
        (dir, store, key)
    }

    fn read(store: &mut Store, key: RecordKey, at: i64, used: u64) {
        let mut reading = Reading::new(Status::Online, "");
        reading.disk_used = Some(used);
        store.store_reading(key, at, &reading).expect("write");
    }

    fn count(store: &Store, table: &str) -> i64 {
        store
            .conn
            .query_row(&format!("SELECT count(*) FROM {table}"), params![], |r| {
                r.get(0)
            })
            .expect("count")
    }

    /// 1 GiB a day, read every five minutes for ten days; every day a 20 GiB dump is
    /// written and moved away within the hour.
    fn ten_days(store: &mut Store, key: RecordKey) -> i64 {
        let mut at = T0;
        while at < T0 + 10 * DAY {
            let grown = ((at - T0) as f64 / DAY as f64 * GIB as f64) as u64;
            let dump = if (43_200..46_800).contains(&((at - T0) % DAY)) {
                20 * GIB
            } else {
                0
            };
            read(store, key, at, 50 * GIB + grown + dump);
            at += 300;
        }
        at - 300
    }

    #[test]
    fn a_month_of_readings_is_kept_as_three_levels_a_day() {
        let (_dir, mut store, key) = store();
        let last = ten_days(&mut store, key);
        let trend = store.disk_trend(key).expect("read").expect("a trend");
        let fit = trend.fit.expect("a fit");
        // The nightly dumps neither bend the growth nor count as jumps.
        assert!(
            (fit.per_day - GIB as f64).abs() < 0.02 * GIB as f64,
            "{fit:?}"
        );
        assert_eq!(fit.jumps, 0);
        assert_eq!(trend.last.at, last);
        // What the last fit used: all but the open stretch's (at most eight hours of them).
        assert!(
            (10 * 288 - 96..=10 * 288).contains(&trend.readings),
            "{}",
            trend.readings
        );
        // Three levels a day are kept, not 2,880 readings.
        let levels = count(&store, "disk_levels");
        assert!((29..=31).contains(&levels), "{levels} levels");
        assert_eq!(store.disk_trends().expect("read").len(), 1);
    }

    #[test]
    fn stretches_older_than_the_window_are_dropped() {
        let (_dir, mut store, key) = store();
        for day in 0..40 {
            read(&mut store, key, T0 + day * DAY, GIB + day as u64 * GIB);
        }
        // One reading a day: 30 days of closed stretches at most, and the open one.
        assert_eq!(count(&store, "disk_levels"), 30);
        let trend = store.disk_trend(key).expect("read").expect("a trend");
        assert_eq!(trend.since, T0 + 9 * DAY);
        assert_eq!(trend.readings, 31);
        assert_eq!(trend.fit.map(|f| f.per_day.round()), Some(GIB as f64));
    }

    #[test]
    fn a_deleted_backup_is_a_jump_and_a_late_reading_changes_nothing() {
        let (_dir, mut store, key) = store();
        for day in 0..8 {
            let backup = if day < 4 { 30 * GIB } else { 0 };
            read(
                &mut store,
                key,
                T0 + day * DAY,
                10 * GIB + 2 * GIB * day as u64 + backup,
            );
        }
        let before = store.disk_trend(key).expect("read").expect("a trend");
        let fit = before.fit.expect("a fit");
        assert_eq!((fit.per_day.round(), fit.jumps), ((2 * GIB) as f64, 1));
        assert_eq!(before.last.used, 24 * GIB);
        // A clock set back: the reading is stored as a check, the trend is left alone.
        read(&mut store, key, T0, GIB);
        assert_eq!(store.disk_trend(key).expect("read"), Some(before));
    }

    #[test]
    fn migration_16_fills_the_stretches_from_stored_checks() {
        let (dir, mut store, key) = store();
        for day in 0..6 {
            read(&mut store, key, T0 + day * DAY, GIB * (1 + day as u64));
        }
        let expected = store.disk_trend(key).expect("read");
        // Back to schema 15, with the checks only.
        store
            .conn
            .execute_batch(
                "DROP TABLE disk_levels; DROP TABLE disk_trends; DROP TABLE maintenance_records;
                 DROP TABLE maintenance; DROP TABLE poller_views; DROP INDEX passes_poller;
                 ALTER TABLE checks DROP COLUMN poller; ALTER TABLE passes DROP COLUMN poller;
                 ALTER TABLE hosts DROP COLUMN claimed_by;
                 ALTER TABLE hosts DROP COLUMN claimed_until;
                 ALTER TABLE instances DROP COLUMN claimed_by;
                 ALTER TABLE instances DROP COLUMN claimed_until;
                 PRAGMA user_version = 15;",
            )
            .expect("downgrade");
        drop(store);
        let mut store = Store::open(&dir.path().join("w.db"), Access::Write).expect("reopen");
        assert_eq!(count(&store, "disk_levels"), 6);
        assert_eq!(store.disk_trend(key).expect("read"), None);
        // The next reading refits from what the migration filled.
        read(&mut store, key, T0 + 6 * DAY, 7 * GIB);
        let trend = store.disk_trend(key).expect("read").expect("a trend");
        assert_eq!(trend.readings, 7);
        assert_eq!(trend.fit.map(|f| f.per_day.round()), Some(GIB as f64));
        assert_eq!(expected.map(|t| t.since), Some(trend.since));
    }
}
