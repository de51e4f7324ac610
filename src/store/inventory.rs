//! The module inventory across instances, and Dolibarr versions: read-only queries.

use anyhow::{Context, Result};

use super::Store;
use super::db::params;
use crate::domain::inventory::{self, InstalledModule, InstanceVersion};
use crate::domain::query::ModuleFilter;

impl Store {
    /// Modules of every instance matching `filter`, by instance ref then module name.
    pub fn installed_modules(&self, filter: &ModuleFilter) -> Result<Vec<InstalledModule>> {
        let mut sql = String::from(
            "SELECT i.ref, i.dolibarr_version, m.name, m.version, m.active, m.source,
                    i.last_success_at, i.id
             FROM modules m JOIN instances i ON i.id = m.instance_id",
        );
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn super::db::Param>> = Vec::new();
        if let Some(name) = &filter.name {
            // lower() folds ASCII only, which is all a PHP class name holds.
            clauses.push("(lower(m.name) = lower(?) OR lower(m.name) = 'mod' || lower(?))".into());
            args.push(Box::new(name.clone()));
            args.push(Box::new(name.clone()));
        }
        if filter.active_only {
            clauses.push("m.active = 1".into());
        }
        if !filter.instances.is_empty() {
            let marks = vec!["?"; filter.instances.len()].join(", ");
            clauses.push(format!("i.ref IN ({marks})"));
            for r in &filter.instances {
                args.push(Box::new(r.clone()));
            }
        }
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(" ORDER BY i.ref, lower(m.name), m.name");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(&args, |r| {
            let module = InstalledModule {
                instance: r.get(0)?,
                dolibarr_version: r.get(1)?,
                name: r.get(2)?,
                version: r.get(3)?,
                active: r.get(4)?,
                source: r.get(5)?,
            };
            Ok((module, (r.get::<_, Option<i64>>(6)?, r.get::<_, i64>(7)?)))
        })?;
        let (mut modules, answered): (Vec<_>, Vec<_>) = rows
            .collect::<super::db::Result<Vec<_>>>()
            .context("cannot read modules")?
            .into_iter()
            .unzip();
        // One module, however each instance's script spells it.
        inventory::unify_spellings(&mut modules, &answered);
        Ok(modules)
    }

    /// Every instance's ref and Dolibarr version, by ref.
    pub fn instance_versions(&self) -> Result<Vec<InstanceVersion>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT ref, dolibarr_version FROM instances ORDER BY ref")?;
        let rows = stmt.query_map(params![], |r| {
            Ok(InstanceVersion {
                instance: r.get(0)?,
                dolibarr_version: r.get(1)?,
            })
        })?;
        rows.collect::<super::db::Result<Vec<_>>>()
            .context("cannot read instance versions")
    }
}
