//! What instances have installed: module lists, how two of them differ, and the inventory of
//! the fleet by module and Dolibarr version.

use std::cmp::Ordering;
use std::collections::HashSet;

use md5::{Digest, Md5};

use super::model::Module;
use super::version;

/// One way an inventory changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Upgraded,
    Downgraded,
    Added,
    Removed,
    Activated,
    Deactivated,
    /// Many module changes of one check, recorded as one (`collapse`).
    Changed,
}

impl ChangeKind {
    /// The kinds of a single module change, in the order a collapsed change counts them.
    const MODULE_KINDS: [ChangeKind; 6] = [
        ChangeKind::Upgraded,
        ChangeKind::Downgraded,
        ChangeKind::Added,
        ChangeKind::Removed,
        ChangeKind::Activated,
        ChangeKind::Deactivated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Upgraded => "upgraded",
            ChangeKind::Downgraded => "downgraded",
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Activated => "activated",
            ChangeKind::Deactivated => "deactivated",
            ChangeKind::Changed => "changed",
        }
    }
}

/// Module changes one check records one by one; above this, `collapse` makes them one.
pub const MAX_MODULE_CHANGES: usize = 50;

/// A change to record for one instance: its Dolibarr (`subject` "dolibarr") or a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub subject: String,
    pub kind: ChangeKind,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A recorded change, as `changes` and the report read it.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryChange {
    pub instance: String,
    pub at: i64,
    /// `dolibarr` or a module class name.
    pub subject: String,
    pub change: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// `downgraded` when the new version is numerically lower, else `upgraded`.
pub fn version_change(old: Option<&str>, new: Option<&str>) -> ChangeKind {
    match old.zip(new).and_then(|(a, b)| version::compare(a, b)) {
        Some(Ordering::Greater) => ChangeKind::Downgraded,
        _ => ChangeKind::Upgraded,
    }
}

/// The Dolibarr upgrade (or downgrade) between what was stored and what was read, if any: a
/// check that read no version changes nothing.
pub fn dolibarr_change(stored: Option<&str>, read: Option<&str>) -> Option<Change> {
    let (old, new) = (stored?, read?);
    (old != new).then(|| Change {
        subject: "dolibarr".into(),
        kind: version_change(Some(old), Some(new)),
        old: Some(old.to_string()),
        new: Some(new.to_string()),
    })
}

/// Whether two module names are one module. PHP class names are case-insensitive, and the
/// scripts spell one module differently: the 2018 legacy `check.php` sends `Serverobserver`
/// (stored `modServerobserver`), newer ones the class `modserverObserver`.
pub fn same_module(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The order of module names: by their identity (ASCII case folded, as PHP folds class
/// names), then by spelling. The store reads a list back in this order too.
pub fn module_order(a: &str, b: &str) -> Ordering {
    let (fa, fb) = (
        a.bytes().map(|c| c.to_ascii_lowercase()),
        b.bytes().map(|c| c.to_ascii_lowercase()),
    );
    fa.cmp(fb).then_with(|| a.cmp(b))
}

/// Sorts a module list by name and drops repeated modules (a map key can appear once only,
/// but a custom probe's list may repeat one, or spell one twice): the order the store keeps
/// and `diff` expects. Of one module's spellings, the first the answer gave is kept.
pub fn normalize(modules: &mut Vec<Module>) {
    modules.sort_by(|a, b| module_order(&a.name, &b.name));
    let mut seen: HashSet<String> = HashSet::with_capacity(modules.len());
    modules.retain(|m| seen.insert(m.name.to_ascii_lowercase()));
}

/// Gives every row of one module the spelling of the newest answer that named it: `answered`
/// holds, for each row, when its instance last answered (None: never) and the instance's id,
/// which breaks ties. `modules` then groups them as one.
pub fn unify_spellings(rows: &mut [InstalledModule], answered: &[(Option<i64>, i64)]) {
    let mut newest: std::collections::HashMap<String, ((Option<i64>, i64), usize)> =
        std::collections::HashMap::new();
    for (i, (row, when)) in rows.iter().zip(answered).enumerate() {
        let slot = newest
            .entry(row.name.to_ascii_lowercase())
            .or_insert((*when, i));
        if *when > slot.0 {
            *slot = (*when, i);
        }
    }
    let spelling: std::collections::HashMap<String, String> = newest
        .into_iter()
        .map(|(key, (_, i))| (key, rows[i].name.clone()))
        .collect();
    for row in rows.iter_mut() {
        if let Some(name) = spelling.get(&row.name.to_ascii_lowercase()) {
            row.name.clone_from(name);
        }
    }
}

/// MD5 of a normalized module list. Fields end in 0xFF and a missing one is 0xFE: bytes that
/// UTF-8 never contains, so no two lists share an encoding. Not a security boundary: it only
/// saves reading the stored list back to learn that nothing changed.
pub fn digest(modules: &[Module]) -> [u8; 16] {
    let mut bytes = Vec::with_capacity(4096);
    let mut field = |v: Option<&str>| {
        match v {
            Some(s) => bytes.extend_from_slice(s.as_bytes()),
            None => bytes.push(0xFE),
        }
        bytes.push(0xFF);
    };
    for m in modules {
        field(Some(&m.name));
        field(m.version.as_deref());
        field(Some(if m.active { "1" } else { "0" }));
        field(m.source.as_deref());
        field(m.editor.as_deref());
    }
    Md5::digest(&bytes).into()
}

/// What differs between two normalized module lists: for each module of `new` in order, added,
/// upgraded or downgraded, activated or deactivated; then the modules removed. One pass over
/// both lists.
pub fn diff(old: &[Module], new: &[Module]) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut removed = Vec::new();
    let (mut o, mut n) = (old.iter().peekable(), new.iter().peekable());
    loop {
        let order = match (o.peek(), n.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            // One module under two spellings is no change: compared by identity.
            (Some(a), Some(b)) if same_module(&a.name, &b.name) => Ordering::Equal,
            (Some(a), Some(b)) => module_order(&a.name, &b.name),
        };
        match order {
            Ordering::Less => {
                if let Some(gone) = o.next() {
                    removed.push(change(
                        gone,
                        ChangeKind::Removed,
                        gone.version.clone(),
                        None,
                    ));
                }
            }
            Ordering::Greater => {
                if let Some(m) = n.next() {
                    changes.push(change(m, ChangeKind::Added, None, m.version.clone()));
                }
            }
            Ordering::Equal => {
                let (Some(was), Some(m)) = (o.next(), n.next()) else {
                    break;
                };
                if was.version != m.version {
                    let kind = version_change(was.version.as_deref(), m.version.as_deref());
                    changes.push(change(m, kind, was.version.clone(), m.version.clone()));
                }
                if was.active != m.active {
                    let kind = if m.active {
                        ChangeKind::Activated
                    } else {
                        ChangeKind::Deactivated
                    };
                    changes.push(change(m, kind, None, None));
                }
            }
        }
    }
    changes.append(&mut removed);
    changes
}

/// What one check of an instance records: its Dolibarr change, never collapsed, then its
/// module changes (those `diff` found) as `collapse` bounds them.
pub fn check_changes(dolibarr: Option<Change>, modules: Vec<Change>) -> Vec<Change> {
    dolibarr
        .into_iter()
        .chain(collapse(modules, MAX_MODULE_CHANGES))
        .collect()
}

/// Bounds the module changes of one check: up to `limit` are kept as they are; more become
/// one change, subject `modules`, kind `changed`, whose new value counts them, e.g.
/// `80000 modules changed (79000 upgraded, 1000 added)`. A server that churns its whole
/// module list every pass then adds one row per pass to the history, not one per module.
pub fn collapse(modules: Vec<Change>, limit: usize) -> Vec<Change> {
    if modules.len() <= limit {
        return modules;
    }
    // A module both upgraded and switched off is two changes but one module.
    let distinct: HashSet<&str> = modules.iter().map(|c| c.subject.as_str()).collect();
    let counts: Vec<String> = ChangeKind::MODULE_KINDS
        .iter()
        .filter_map(|&kind| {
            let n = modules.iter().filter(|c| c.kind == kind).count();
            (n > 0).then(|| format!("{n} {}", kind.as_str()))
        })
        .collect();
    vec![Change {
        subject: "modules".into(),
        kind: ChangeKind::Changed,
        old: None,
        new: Some(format!(
            "{} modules changed ({})",
            distinct.len(),
            counts.join(", ")
        )),
    }]
}

fn change(m: &Module, kind: ChangeKind, old: Option<String>, new: Option<String>) -> Change {
    Change {
        subject: m.name.clone(),
        kind,
        old,
        new,
    }
}

/// One module on one instance, with what is needed to compare its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledModule {
    pub instance: String,
    /// The instance's Dolibarr version, which core modules follow.
    pub dolibarr_version: Option<String>,
    pub name: String,
    /// As reported: `3.24.1`, `dolibarr` for core modules, `experimental`, or unknown.
    pub version: Option<String>,
    pub active: bool,
    pub source: Option<String>,
}

impl InstalledModule {
    /// True for a module whose version is its instance's Dolibarr version (core modules).
    pub fn follows_dolibarr(&self) -> bool {
        self.version
            .as_deref()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("dolibarr"))
    }

    /// The version to compare: the instance's Dolibarr version for core modules, else its own.
    pub fn effective_version(&self) -> Option<&str> {
        if self.follows_dolibarr() {
            self.dolibarr_version.as_deref()
        } else {
            self.version.as_deref()
        }
    }
}

/// One instance and its Dolibarr version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceVersion {
    pub instance: String,
    pub dolibarr_version: Option<String>,
}

/// How many modules an instance has, and how many of them are switched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ModuleCount {
    pub total: i64,
    pub active: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(name: &str, version: Option<&str>, active: bool) -> Module {
        Module {
            name: name.into(),
            version: version.map(str::to_string),
            active,
            source: Some("external".into()),
            editor: None,
        }
    }

    #[test]
    fn one_module_under_two_spellings_is_one_module() {
        // The 2018 legacy script's name, then a newer script's class: no change at all.
        let mut old = vec![
            module("modServerobserver", Some("1.0"), true),
            module("modB", None, true),
        ];
        let mut new = vec![
            module("modb", None, true),
            module("modserverObserver", Some("1.0"), true),
        ];
        normalize(&mut old);
        normalize(&mut new);
        assert!(diff(&old, &new).is_empty(), "{:?}", diff(&old, &new));
        let mut repeated = vec![module("modA", None, true), module("moda", None, false)];
        normalize(&mut repeated);
        assert_eq!(repeated, [module("modA", None, true)]);

        let row = |instance: &str, name: &str| InstalledModule {
            instance: instance.into(),
            dolibarr_version: None,
            name: name.into(),
            version: None,
            active: true,
            source: None,
        };
        let mut rows = vec![
            row("legacy", "modServerobserver"),
            row("new", "modserverObserver"),
            row("never", "MODSERVEROBSERVER"),
        ];
        unify_spellings(&mut rows, &[(Some(10), 1), (Some(20), 2), (None, 3)]);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names, ["modserverObserver"; 3],
            "the newest answer's spelling"
        );
    }

    fn kinds(changes: &[Change]) -> Vec<(&str, &str)> {
        changes
            .iter()
            .map(|c| (c.subject.as_str(), c.kind.as_str()))
            .collect()
    }

    #[test]
    fn diffs_name_every_kind_of_change() {
        let old = vec![
            module("modA", Some("1.0"), true),
            module("modB", Some("2.0"), true),
            module("modC", None, false),
            module("modD", Some("3.10"), true),
        ];
        let new = vec![
            module("modA", Some("1.0"), true),
            module("modB", Some("2.1"), false),
            module("modD", Some("3.9"), true),
            module("modE", Some("1"), true),
        ];
        let changes = diff(&old, &new);
        assert_eq!(
            kinds(&changes),
            [
                ("modB", "upgraded"),
                ("modB", "deactivated"),
                ("modD", "downgraded"),
                ("modE", "added"),
                ("modC", "removed"),
            ]
        );
        assert_eq!(
            (changes[0].old.as_deref(), changes[0].new.as_deref()),
            (Some("2.0"), Some("2.1"))
        );
        assert_eq!(changes[4].old, None, "modC had no version");
        assert!(diff(&new, &new).is_empty());
        assert_eq!(kinds(&diff(&[], &new[..1])), [("modA", "added")]);
        assert_eq!(kinds(&diff(&new[..1], &[])), [("modA", "removed")]);
    }

    #[test]
    fn a_large_churn_is_one_pass() {
        // 80,000 modules all changing version: linear, so this stays instant in a unit test.
        let old: Vec<Module> = (0..80_000)
            .map(|i| module(&format!("mod{i:06}"), Some("1.0"), true))
            .collect();
        let new: Vec<Module> = (0..80_000)
            .map(|i| module(&format!("mod{i:06}"), Some("1.1"), true))
            .collect();
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 80_000);
        assert!(changes.iter().all(|c| c.kind == ChangeKind::Upgraded));
    }

    /// `n` modules, from `mod000000`, all changing `kind`.
    fn churn(n: usize, kind: ChangeKind) -> Vec<Change> {
        (0..n)
            .map(|i| Change {
                subject: format!("mod{i:06}"),
                kind,
                old: Some("1.0".into()),
                new: Some("1.1".into()),
            })
            .collect()
    }

    #[test]
    fn up_to_the_limit_module_changes_are_kept_one_by_one() {
        let at_limit = churn(MAX_MODULE_CHANGES, ChangeKind::Upgraded);
        assert_eq!(collapse(at_limit.clone(), MAX_MODULE_CHANGES), at_limit);
        assert_eq!(check_changes(None, at_limit.clone()), at_limit);
        assert!(collapse(Vec::new(), 0).is_empty());
    }

    #[test]
    fn over_the_limit_module_changes_are_one_change_that_counts_them() {
        let mut changes = churn(MAX_MODULE_CHANGES - 1, ChangeKind::Upgraded);
        changes.extend(churn(2, ChangeKind::Removed).into_iter().map(|mut c| {
            c.subject.push('x');
            c
        }));
        assert_eq!(
            collapse(changes, MAX_MODULE_CHANGES),
            [Change {
                subject: "modules".into(),
                kind: ChangeKind::Changed,
                old: None,
                new: Some("51 modules changed (49 upgraded, 2 removed)".into()),
            }]
        );
        // Changes are counted, modules named once: 30 upgraded and switched off are 60.
        let mut both = churn(30, ChangeKind::Upgraded);
        both.extend(churn(30, ChangeKind::Deactivated));
        let collapsed = collapse(both, MAX_MODULE_CHANGES);
        assert_eq!(
            collapsed[0].new.as_deref(),
            Some("30 modules changed (30 upgraded, 30 deactivated)")
        );
        assert_eq!(collapsed[0].kind.as_str(), "changed");
    }

    #[test]
    fn the_dolibarr_change_is_never_collapsed() {
        let dolibarr = dolibarr_change(Some("19.0.3"), Some("20.0.0")).expect("a change");
        let recorded = check_changes(Some(dolibarr.clone()), churn(80_000, ChangeKind::Upgraded));
        assert_eq!(recorded.len(), 2, "{recorded:?}");
        assert_eq!(recorded[0], dolibarr);
        assert_eq!(
            recorded[1].new.as_deref(),
            Some("80000 modules changed (80000 upgraded)")
        );
        // A check with only its Dolibarr change keeps it too.
        assert_eq!(
            check_changes(Some(dolibarr.clone()), Vec::new()),
            [dolibarr]
        );
    }

    #[test]
    fn dolibarr_changes_need_both_versions() {
        assert_eq!(dolibarr_change(None, Some("18.0.4")), None);
        assert_eq!(dolibarr_change(Some("18.0.4"), None), None);
        assert_eq!(dolibarr_change(Some("18.0.4"), Some("18.0.4")), None);
        let down = dolibarr_change(Some("19.0.1"), Some("18.0.4")).expect("a change");
        assert_eq!(down.kind, ChangeKind::Downgraded);
        let up = dolibarr_change(Some("18.0.4"), Some("18.0.10")).expect("a change");
        assert_eq!(up.kind, ChangeKind::Upgraded);
    }

    #[test]
    fn normalized_lists_digest_alike_in_any_order() {
        let mut a = vec![module("modB", None, true), module("modA", Some("1"), false)];
        let mut b = vec![
            module("modA", Some("1"), false),
            module("modB", None, true),
            module("modB", None, true),
        ];
        normalize(&mut a);
        normalize(&mut b);
        assert_eq!(a, b);
        assert_eq!(digest(&a), digest(&b));
    }

    #[test]
    fn digests_tell_apart_lists_that_concatenate_alike() {
        let a = module("modA", Some("1.0"), true);
        let mut b = a.clone();
        b.version = Some("1.".into());
        b.source = Some("0external".into());
        assert_ne!(digest(std::slice::from_ref(&a)), digest(&[b]));
        let mut c = a.clone();
        c.version = None;
        let mut d = a;
        d.version = Some(String::new());
        assert_ne!(digest(&[c]), digest(&[d]));
    }
}
