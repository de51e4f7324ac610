//! `import`: creating and updating many records at once, all or nothing.

use super::db::{OptionalExt, params};
use anyhow::{Context as _, Result};

use super::Store;
use super::records::{insert_row, unique_violation, update_row};
use super::sql::table;
use crate::domain::error::invalid;
use crate::domain::model::{RecordType, Upsert};

impl Store {
    /// Creates or updates every record, and removes those of `remove` (a host with its
    /// instances), in one IMMEDIATE transaction: if any write fails, nothing is written. Pass
    /// the hosts before the instances that name them.
    pub fn import(
        &mut self,
        items: &[Upsert],
        remove: &[(RecordType, String)],
        now: i64,
    ) -> Result<()> {
        let tx = self.conn.transaction(true)?;
        // Instances before hosts, so a host's own instances are gone when it goes.
        let mut remove: Vec<&(RecordType, String)> = remove.iter().collect();
        remove.sort_by_key(|(rt, _)| *rt == RecordType::Host);
        for (rt, reference) in remove {
            if *rt == RecordType::Host {
                tx.execute(
                    "DELETE FROM secrets.tokens WHERE record_type = 'instance' AND record_id IN
                        (SELECT i.id FROM instances i JOIN hosts h ON h.id = i.host_id
                         WHERE h.ref = ?1)",
                    [reference],
                )?;
                tx.execute(
                    "DELETE FROM instances WHERE host_id = (SELECT id FROM hosts WHERE ref = ?1)",
                    [reference],
                )?;
            }
            tx.execute(
                &format!(
                    "DELETE FROM secrets.tokens WHERE record_type = ?1 AND record_id =
                        (SELECT id FROM {} WHERE ref = ?2)",
                    table(*rt)
                ),
                params![rt.as_str(), reference],
            )?;
            tx.execute(
                &format!("DELETE FROM {} WHERE ref = ?1", table(*rt)),
                [reference],
            )?;
        }
        for item in items {
            let rt = item.record_type;
            let reference = &item.settings.reference;
            let mut s = item.settings.clone();
            s.host_id = match &item.host {
                None => None,
                Some(h) => Some(
                    tx.query_row("SELECT id FROM hosts WHERE ref = ?1", params![h], |r| {
                        r.get(0)
                    })
                    .optional()?
                    // Checked before, so only another writer could have removed it.
                    .ok_or_else(|| {
                        invalid(format!("host '{h}' of instance '{reference}' is gone"))
                    })?,
                ),
            };
            let stored: Option<(i64, Option<String>)> = tx
                .query_row(
                    &format!(
                        "SELECT r.id, t.token FROM {} r LEFT JOIN secrets.tokens t
                         ON t.record_type = ?2 AND t.record_id = r.id WHERE r.ref = ?1",
                        table(rt)
                    ),
                    params![reference, rt.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match stored {
                None => {
                    insert_row(&tx, rt, &s, item.discovered, now)
                        .map_err(|e| unique_violation(e, rt, reference))?;
                }
                Some((id, token)) => {
                    if s.token.is_none() {
                        s.token = token;
                    }
                    update_row(&tx, rt, id, &s).map_err(|e| unique_violation(e, rt, reference))?;
                    if rt == RecordType::Instance {
                        tx.execute(
                            "UPDATE instances SET discovered = ?1 WHERE id = ?2",
                            params![item.discovered, id],
                        )?;
                    }
                }
            }
        }
        tx.commit().context("cannot commit the import")?;
        Ok(())
    }
}
