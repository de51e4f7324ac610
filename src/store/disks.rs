//! The disk readings in the check history, for forecasts.

use anyhow::Result;
use rusqlite::params;

use super::Store;
use super::sql::{from_int, owner_column};
use crate::domain::forecast::Point;
use crate::domain::model::RecordType;

impl Store {
    /// The disk readings of one record at or after `since`, oldest first (checks that read no
    /// disk are left out).
    pub fn disk_points(&self, rt: RecordType, id: i64, since: i64) -> Result<Vec<Point>> {
        let sql = format!(
            "SELECT at, disk_used FROM checks
             WHERE {} = ?1 AND at >= ?2 AND disk_used IS NOT NULL ORDER BY at, id",
            owner_column(rt)
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![id, since], |r| {
            Ok((r.get::<_, i64>(0)?, from_int::<u64>(r.get(1)?)))
        })?;
        let mut points = Vec::new();
        for row in rows {
            if let (at, Some(used)) = row? {
                points.push(Point { at, used });
            }
        }
        Ok(points)
    }
}
