//! What the push receiver reads and writes: the instance a push names, and the claim on its
//! `time` that makes a replay fail even when two copies of one push arrive at once.

use super::db::{OptionalExt, params};
use anyhow::Result;

use super::Store;
use super::records::{record_from_row, select};
use super::writes::Batch;
use crate::domain::model::{Record, RecordType};

impl Store {
    /// The instance a push names by `id` or `reference` (both, when given, must be the same
    /// one), with its token and the sender's `time` of its last accepted push.
    pub fn push_target(
        &self,
        id: Option<i64>,
        reference: Option<&str>,
    ) -> Result<Option<(Record, Option<i64>)>> {
        let rt = RecordType::Instance;
        let sql = format!(
            "{} WHERE (CAST(?1 AS BIGINT) IS NULL OR r.id = ?1)
                AND (CAST(?2 AS TEXT) IS NULL OR r.ref = ?2)",
            select(rt, self.secrets)
        );
        let Some(record) = self
            .conn
            .query_row(&sql, params![id, reference], |row| record_from_row(rt, row))
            .optional()?
        else {
            return Ok(None);
        };
        let last: Option<i64> = self.conn.query_row(
            "SELECT last_push_time FROM instances WHERE id = ?1",
            [record.id],
            |row| row.get(0),
        )?;
        let found = Some((record, last));
        Ok(found)
    }
}

impl Batch<'_> {
    /// Takes `time` as the instance's last accepted push, unless it has one as new already
    /// (a replay, or the same push twice at once): false then, and nothing is written.
    pub fn claim_push(&self, id: i64, time: i64, at: i64) -> Result<bool> {
        let claimed = self
            .tx()?
            .prepare_cached(
                "UPDATE instances SET last_push_time = ?2, last_push_at = ?3
                 WHERE id = ?1 AND (last_push_time IS NULL OR last_push_time < ?2)",
            )?
            .execute(params![id, time, at])?;
        Ok(claimed == 1)
    }
}
