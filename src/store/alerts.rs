//! Alerts waiting for their hook: stored with the check that raised them, claimed by one
//! deliverer at a time, removed once delivered or given up.

use super::db::params;
use anyhow::{Context as _, Result};

use super::Store;
use super::writes::Batch;
use crate::domain::alert::{Event, Pending};

/// A claim older than this is taken for a deliverer that died: others may take the alert.
const LEASE_SECS: i64 = 15 * 60;

impl Batch<'_> {
    /// Keeps an alert for `command` until a delivery succeeds.
    pub fn enqueue_alert(&self, event: &Event, command: &[String], at: i64) -> Result<()> {
        let row = params![
            at,
            serde_json::to_string(event)?,
            serde_json::to_string(command)?
        ];
        if self.tx.is_postgres() {
            // Nothing in a batch reads the queue: held with the checks that raised them.
            self.pending.borrow_mut().alert(row);
            return Ok(());
        }
        self.tx
            .prepare_cached("INSERT INTO alerts (created_at, event, command) VALUES (?1, ?2, ?3)")?
            .execute(row)?;
        Ok(())
    }
}

impl Store {
    /// The alerts no other deliverer holds, oldest first, now claimed by `owner` until
    /// delivered, failed or `LEASE_SECS` from `now`.
    pub fn claim_alerts(&mut self, owner: &str, now: i64) -> Result<Vec<Pending>> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE alerts SET claimed_at = ?1, claimed_by = ?2
             WHERE claimed_at IS NULL OR claimed_at + ?3 < ?1
             RETURNING id, event, command, attempts",
        )?;
        let rows = stmt.query_map(params![now, owner, LEASE_SECS], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, u32>(3)?,
            ))
        })?;
        let mut pending = Vec::new();
        for row in rows {
            let (id, event, command, attempts) = row?;
            pending.push(Pending {
                id,
                event: serde_json::from_str(&event)
                    .with_context(|| format!("alert #{id} is damaged"))?,
                command: serde_json::from_str(&command)
                    .with_context(|| format!("alert #{id} is damaged"))?,
                attempts,
            });
        }
        pending.sort_by_key(|p| p.id);
        Ok(pending)
    }

    /// Its hook took the alert: it is done.
    pub fn alert_delivered(&mut self, id: i64) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM alerts WHERE id = ?1")?
            .execute(params![id])?;
        Ok(())
    }

    /// Its delivery was stopped before its hook could tell: it waits for the next one as it
    /// was.
    pub fn alert_released(&mut self, id: i64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE alerts SET claimed_at = NULL, claimed_by = NULL WHERE id = ?1")?
            .execute(params![id])?;
        Ok(())
    }

    /// Its hook failed with `error`: kept for the next delivery, or dropped when `give_up`.
    pub fn alert_failed(&mut self, id: i64, error: &str, give_up: bool) -> Result<()> {
        if give_up {
            return self.alert_delivered(id);
        }
        self.conn
            .prepare_cached(
                "UPDATE alerts SET attempts = attempts + 1, last_error = ?2, claimed_at = NULL,
                    claimed_by = NULL WHERE id = ?1",
            )?
            .execute(params![id, error])?;
        Ok(())
    }
}
