//! `modules` and `versions`: the inventory across instances, as tables and JSON.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Col, cell};
use anyhow::Result;
use serde::Serialize;

use super::Output;
use crate::domain::inventory::{InstalledModule, InstanceVersion};
use crate::domain::model::RecordType;
use crate::domain::version::newest_first;

/// One module with the versions it is installed at (`modules`, default view).
#[derive(Debug, Serialize, PartialEq)]
pub struct ModuleGroup<'a> {
    pub module: &'a str,
    /// How many instances have it installed.
    pub instances: usize,
    /// On how many of those it is active.
    pub active: usize,
    /// Newest first, unknown last.
    pub versions: Vec<VersionGroup<'a>>,
}

/// The instances that have one module at one version.
#[derive(Debug, Serialize, PartialEq)]
pub struct VersionGroup<'a> {
    /// As reported (`dolibarr` for core modules); null when unknown.
    pub version: Option<&'a str>,
    /// What `--version-below` compares: the instance's Dolibarr version for core modules.
    pub effective_version: Option<&'a str>,
    pub instances: usize,
    pub active: usize,
    pub refs: Vec<&'a str>,
    #[serde(skip)]
    follows_dolibarr: bool,
}

/// One module on one instance (`modules --flat`).
#[derive(Debug, Serialize)]
pub struct ModuleOnInstance<'a> {
    pub instance: &'a str,
    pub module: &'a str,
    pub version: Option<&'a str>,
    pub effective_version: Option<&'a str>,
    pub active: bool,
    pub source: Option<&'a str>,
}

/// The instances at one Dolibarr version (`versions`).
#[derive(Debug, Serialize, PartialEq)]
pub struct VersionCount<'a> {
    /// Null for instances whose version is not known; `dolibarr_version` as in the records
    /// (`version` is a module's in `modules`).
    #[serde(rename = "dolibarr_version")]
    pub version: Option<&'a str>,
    pub instances: usize,
    pub refs: Vec<&'a str>,
}

/// Groups module rows by module name, then by version; modules by name, versions newest first.
pub fn group_modules(rows: &[InstalledModule]) -> Vec<ModuleGroup<'_>> {
    let mut by_name: BTreeMap<&str, Vec<&InstalledModule>> = BTreeMap::new();
    for m in rows {
        by_name.entry(&m.name).or_default().push(m);
    }
    by_name
        .into_iter()
        .map(|(module, on)| {
            // Core modules at "dolibarr" split by the Dolibarr version they follow.
            let mut versions: BTreeMap<(Option<&str>, Option<&str>), VersionGroup> =
                BTreeMap::new();
            for m in &on {
                let v = versions
                    .entry((m.version.as_deref(), m.effective_version()))
                    .or_insert_with(|| VersionGroup {
                        version: m.version.as_deref(),
                        effective_version: m.effective_version(),
                        instances: 0,
                        active: 0,
                        refs: Vec::new(),
                        follows_dolibarr: m.follows_dolibarr(),
                    });
                v.instances += 1;
                v.active += usize::from(m.active);
                v.refs.push(&m.instance);
            }
            let mut versions: Vec<VersionGroup> = versions.into_values().collect();
            versions.sort_by(|a, b| {
                newest_first(a.effective_version, b.effective_version)
                    .then_with(|| a.version.cmp(&b.version))
            });
            ModuleGroup {
                module,
                instances: on.len(),
                active: on.iter().filter(|m| m.active).count(),
                versions,
            }
        })
        .collect()
}

/// Counts instances per Dolibarr version, newest first, unknown last.
pub fn count_versions(rows: &[InstanceVersion]) -> Vec<VersionCount<'_>> {
    let mut by_version: BTreeMap<Option<&str>, Vec<&str>> = BTreeMap::new();
    for r in rows {
        by_version
            .entry(r.dolibarr_version.as_deref())
            .or_default()
            .push(&r.instance);
    }
    let mut counts: Vec<VersionCount> = by_version
        .into_iter()
        .map(|(version, refs)| VersionCount {
            version,
            instances: refs.len(),
            refs,
        })
        .collect();
    counts.sort_by(|a, b| newest_first(a.version, b.version));
    counts
}

/// A module's version as a person reads it: `3.24.1`, `dolibarr (18.0.4)`, `?`.
fn version_text(version: Option<&str>, effective: Option<&str>, follows_dolibarr: bool) -> String {
    match (version, follows_dolibarr) {
        (Some(v), true) => format!("{v} ({})", effective.unwrap_or("?")),
        (Some(v), false) => v.to_string(),
        (None, _) => "?".to_string(),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

const NO_MODULES: &str =
    "no matching modules (modules are read from Dolibarr instances by `webhost update-instances`)";

impl Output {
    /// `modules`: one row per module and version, with instance and active counts.
    pub fn modules_grouped(&self, rows: &[InstalledModule]) -> Result<()> {
        let groups = group_modules(rows);
        if self.json {
            return self.json(&groups);
        }
        if groups.is_empty() {
            self.note(NO_MODULES);
            return Ok(());
        }
        let mut t = self.table(&[
            Col::whole("MODULE"),
            Col::whole("VERSION"),
            Col::whole("INSTANCES"),
            Col::whole("ACTIVE"),
        ]);
        for g in &groups {
            for v in &g.versions {
                t.add_row(vec![
                    cell(g.module),
                    cell(version_text(
                        v.version,
                        v.effective_version,
                        v.follows_dolibarr,
                    )),
                    cell(v.instances),
                    cell(v.active),
                ]);
            }
        }
        self.print_table(&t)
    }

    /// `modules --flat`: one row per instance and module.
    pub fn modules_flat(&self, rows: &[InstalledModule]) -> Result<()> {
        if self.json {
            let views: Vec<ModuleOnInstance> = rows
                .iter()
                .map(|m| ModuleOnInstance {
                    instance: &m.instance,
                    module: &m.name,
                    version: m.version.as_deref(),
                    effective_version: m.effective_version(),
                    active: m.active,
                    source: m.source.as_deref(),
                })
                .collect();
            return self.json(&views);
        }
        if rows.is_empty() {
            self.note(NO_MODULES);
            return Ok(());
        }
        let mut t = self.table(&[
            Col::whole("INSTANCE"),
            Col::whole("MODULE"),
            Col::whole("VERSION"),
            Col::whole("ACTIVE"),
            Col::cut("SOURCE").optional(1),
        ]);
        for m in rows {
            t.add_row(vec![
                cell(&m.instance),
                cell(&m.name),
                cell(version_text(
                    m.version.as_deref(),
                    m.effective_version(),
                    m.follows_dolibarr(),
                )),
                cell(yes_no(m.active)),
                cell(m.source.as_deref().unwrap_or("-")),
            ]);
        }
        self.print_table(&t)
    }

    /// `versions`: instances per Dolibarr version (every instance of `db` is in `rows`).
    pub fn dolibarr_versions(&self, rows: &[InstanceVersion], db: &Path) -> Result<()> {
        let counts = count_versions(rows);
        if self.json {
            return self.json(&counts);
        }
        if counts.is_empty() {
            self.no_records(RecordType::Instance, db);
            return Ok(());
        }
        let mut t = self.table(&[
            Col::whole("VERSION"),
            Col::whole("INSTANCES"),
            Col::words("REFS"),
        ]);
        for c in &counts {
            t.add_row(vec![
                cell(c.version.unwrap_or("unknown")),
                cell(c.instances),
                cell(c.refs.join(", ")),
            ]);
        }
        self.print_table(&t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        instance: &str,
        dolibarr: &str,
        name: &str,
        version: &str,
        active: bool,
    ) -> InstalledModule {
        InstalledModule {
            instance: instance.into(),
            dolibarr_version: Some(dolibarr.into()),
            name: name.into(),
            version: Some(version.into()).filter(|v: &String| !v.is_empty()),
            active,
            source: None,
        }
    }

    #[test]
    fn groups_by_module_then_version_newest_first() {
        let rows = [
            row("a", "18.0.4", "modSubtotal", "3.21.0", false),
            row("b", "19.0.3", "modSubtotal", "3.24.1", true),
            row("c", "12.0.5", "modSubtotal", "3.24.1", true),
            row("d", "12.0.5", "modSubtotal", "", true),
            row("a", "18.0.4", "modSociete", "dolibarr", true),
            row("b", "19.0.3", "modSociete", "dolibarr", false),
        ];
        let groups = group_modules(&rows);
        let names: Vec<&str> = groups.iter().map(|g| g.module).collect();
        assert_eq!(names, ["modSociete", "modSubtotal"]);

        let sub = &groups[1];
        assert_eq!((sub.instances, sub.active), (4, 3));
        let versions: Vec<(Option<&str>, usize, usize)> = sub
            .versions
            .iter()
            .map(|v| (v.version, v.instances, v.active))
            .collect();
        assert_eq!(
            versions,
            [(Some("3.24.1"), 2, 2), (Some("3.21.0"), 1, 0), (None, 1, 1)]
        );
        assert_eq!(sub.versions[0].refs, ["b", "c"]);

        // Core modules split by the Dolibarr version they follow.
        let core = &groups[0];
        let effective: Vec<Option<&str>> =
            core.versions.iter().map(|v| v.effective_version).collect();
        assert_eq!(effective, [Some("19.0.3"), Some("18.0.4")]);
        assert!(core.versions.iter().all(|v| v.version == Some("dolibarr")));
    }

    #[test]
    fn counts_versions_newest_first_unknown_last() {
        let iv = |r: &str, v: Option<&str>| InstanceVersion {
            instance: r.into(),
            dolibarr_version: v.map(str::to_string),
        };
        let rows = [
            iv("a", Some("12.0.5")),
            iv("b", None),
            iv("c", Some("19.0.3")),
            iv("d", Some("12.0.5")),
            iv("e", Some("9.0.0")),
        ];
        let counts = count_versions(&rows);
        let got: Vec<(Option<&str>, usize)> =
            counts.iter().map(|c| (c.version, c.instances)).collect();
        assert_eq!(
            got,
            [
                (Some("19.0.3"), 1),
                (Some("12.0.5"), 2),
                (Some("9.0.0"), 1),
                (None, 1)
            ]
        );
        assert_eq!(counts[1].refs, ["a", "d"]);
    }

    #[test]
    fn version_text_shows_what_core_modules_follow() {
        assert_eq!(
            version_text(Some("3.24.1"), Some("3.24.1"), false),
            "3.24.1"
        );
        assert_eq!(
            version_text(Some("dolibarr"), Some("18.0.4"), true),
            "dolibarr (18.0.4)"
        );
        assert_eq!(version_text(Some("dolibarr"), None, true), "dolibarr (?)");
        assert_eq!(version_text(None, None, false), "?");
    }
}
