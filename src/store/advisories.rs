//! Advisories and their overrides, as imported; and what the audit needs of the instances.

use std::collections::HashMap;

use super::db::{OptionalExt, params};
use anyhow::{Context as _, Result};

use super::Store;
use crate::domain::advisory::{Advisory, Overrides, Subject};

/// What an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replaced {
    /// Advisories the same source had given before.
    pub before: usize,
    pub now: usize,
}

/// An advisory as stored: where it came from and when.
#[derive(Debug, Clone)]
pub struct Stored {
    pub source: String,
    pub imported_at: i64,
    pub advisory: Advisory,
}

impl Store {
    /// Replaces what `source` gave with `advisories`, in one transaction.
    pub fn replace_advisories(
        &mut self,
        source: &str,
        advisories: &[Advisory],
        at: i64,
    ) -> Result<Replaced> {
        let tx = self.conn.transaction(true)?;
        let before = tx.execute("DELETE FROM advisories WHERE source = ?1", params![source])?;
        {
            // A feed may repeat an id (the same record in two files): the last one wins.
            let mut stmt = tx.prepare_cached(
                "INSERT INTO advisories (source, id, imported_at, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (source, id) DO UPDATE SET imported_at = excluded.imported_at,
                    body = excluded.body",
            )?;
            for a in advisories {
                let body = serde_json::to_string(a)?;
                stmt.execute(params![source, a.id, at, body])?;
            }
        }
        let now: i64 = tx.query_row(
            "SELECT count(*) FROM advisories WHERE source = ?1",
            params![source],
            |r| r.get(0),
        )?;
        tx.commit().context("cannot store the advisories")?;
        Ok(Replaced {
            before,
            now: usize::try_from(now).unwrap_or(0),
        })
    }

    /// Whether any advisory was imported, or an overrides file stored (which may add some):
    /// without either there is nothing to audit, and the fleet need not be read for it.
    pub fn has_advisories(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM advisories) OR EXISTS (SELECT 1 FROM advisory_overrides)",
            params![],
            |r| r.get(0),
        )?)
    }

    /// Every stored advisory, by id; one per id (the latest import's) when two sources gave it.
    pub fn advisories(&self) -> Result<Vec<Stored>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, imported_at, body FROM advisories ORDER BY id, imported_at DESC",
        )?;
        let rows = stmt.query_map(params![], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out: Vec<Stored> = Vec::new();
        for row in rows {
            let (source, imported_at, body) = row?;
            let advisory: Advisory = serde_json::from_str(&body)
                .with_context(|| format!("a stored advisory from {source} is unreadable"))?;
            if out.last().is_some_and(|s| s.advisory.id == advisory.id) {
                continue;
            }
            out.push(Stored {
                source,
                imported_at,
                advisory,
            });
        }
        Ok(out)
    }

    /// Stores the overrides file, replacing the one before.
    pub fn set_advisory_overrides(
        &mut self,
        source: &str,
        overrides: &Overrides,
        at: i64,
    ) -> Result<()> {
        let body = serde_json::to_string(overrides)?;
        self.conn
            .execute(
                "INSERT INTO advisory_overrides (id, source, imported_at, body)
                 VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET source = excluded.source,
                    imported_at = excluded.imported_at, body = excluded.body",
                params![source, at, body],
            )
            .context("cannot store the overrides")?;
        Ok(())
    }

    /// The stored overrides and where they came from.
    pub fn advisory_overrides(&self) -> Result<Option<(String, Overrides)>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT source, body FROM advisory_overrides WHERE id = 1",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(source, body)| {
            let o: Overrides =
                serde_json::from_str(&body).context("the stored overrides are unreadable")?;
            Ok((source, o))
        })
        .transpose()
    }

    /// The enabled instances that run Dolibarr (their kind reports it, or they reported a
    /// version), with their modules, by ref; only those of `hosts` when some are given.
    pub fn audit_subjects(&self, hosts: &[String]) -> Result<Vec<Subject>> {
        let mut modules: HashMap<i64, Vec<(String, Option<String>)>> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT instance_id, name, version FROM modules")?;
            let rows = stmt.query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            for row in rows {
                let (id, name, version): (i64, String, Option<String>) = row?;
                modules.entry(id).or_default().push((name, version));
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.id, i.ref, h.ref, i.dolibarr_version FROM instances i
             LEFT JOIN hosts h ON h.id = i.host_id
             WHERE i.enabled = 1
               AND (i.api_kind = 'server-observer-v1' OR i.dolibarr_version IS NOT NULL)
             ORDER BY i.ref",
        )?;
        let rows = stmt.query_map(params![], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, reference, host, version) = row?;
            if !hosts.is_empty() && !host.as_ref().is_some_and(|h| hosts.contains(h)) {
                continue;
            }
            out.push(Subject {
                reference,
                host,
                version,
                modules: modules.remove(&id).unwrap_or_default(),
            });
        }
        Ok(out)
    }
}
