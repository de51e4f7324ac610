//! Known vulnerabilities, offline: advisories in osv.dev's format (read from their JSON text),
//! Dolibarr's version order, OSV range matching, the local overrides, and the audit of a fleet
//! against them. Pure: the files are read, and the results stored, elsewhere.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::version::Version;

/// The Packagist package of Dolibarr itself.
pub const DOLIBARR_PACKAGE: &str = "dolibarr/dolibarr";

/// An advisory's severity, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// A word as feeds write it: GitHub's `MODERATE` is medium. CVSS's `none` is no severity.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" | "moderate" => Some(Severity::Medium),
            "high" | "important" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// CVSS's bands: 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10 critical; 0 is none.
    pub fn from_score(score: f64) -> Option<Severity> {
        match score {
            s if s >= 9.0 => Some(Severity::Critical),
            s if s >= 7.0 => Some(Severity::High),
            s if s >= 4.0 => Some(Severity::Medium),
            s if s > 0.0 => Some(Severity::Low),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pre-release stage: alpha < beta < rc < the release itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Alpha,
    Beta,
    Rc,
    Release,
}

/// A Dolibarr version as the order of its releases knows it: `18.0.4` < `18.0.10`, and
/// `19.0.0-alpha` < `19.0.0-beta2` < `19.0.0-rc1` < `19.0.0`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release {
    number: Version,
    stage: Stage,
    stage_number: u64,
}

impl Release {
    /// None for what cannot be placed in that order: `experimental`, `development`, `dolibarr`,
    /// `18.0.4-dev`, empty. Such a version is never judged safe (see `Verdict::CannotTell`).
    pub fn parse(text: &str) -> Option<Release> {
        let t = text.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let end = t
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(t.len());
        let number = Version::parse(&t[..end])?;
        let rest = t[end..]
            .trim_start_matches(['-', '_', ' ', '.', '~'])
            .to_ascii_lowercase();
        let letters = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let (word, digits) = rest.split_at(letters);
        let digits = digits.trim_start_matches(['.', '-']);
        let stage = match word {
            "" if digits.is_empty() => Stage::Release,
            "alpha" | "a" => Stage::Alpha,
            "beta" | "b" => Stage::Beta,
            "rc" => Stage::Rc,
            _ => return None,
        };
        let stage_number = match digits {
            "" => 0,
            d => d.parse().ok()?,
        };
        Some(Release {
            number,
            stage,
            stage_number,
        })
    }
}

/// One event of an OSV range, its version as the feed wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// From this version on (`0`: from the first).
    Introduced(String),
    /// Up to, not including, this version.
    Fixed(String),
    /// Up to and including this version.
    LastAffected(String),
}

/// A range: its events, in any order (they are sorted by version when matched).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub events: Vec<Event>,
}

/// What an affected entry is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Dolibarr itself: the instance's Dolibarr version.
    Dolibarr,
    /// A module, by its class name (`modFoo`): that module's version where an instance has it.
    Module(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    pub target: Target,
    pub ranges: Vec<Range>,
    /// Versions named one by one.
    pub versions: Vec<String>,
}

/// An advisory, reduced to what matters for a Dolibarr fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    pub severity: Option<Severity>,
    /// The CVSS base score the severity came from, when it came from one.
    pub score: Option<f64>,
    pub affected: Vec<Affected>,
}

impl Advisory {
    /// Whether `name` is its id or one of its aliases.
    pub fn is_named(&self, name: &str) -> bool {
        self.id.eq_ignore_ascii_case(name)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    }

    /// Whether any entry has a range or a version to match: a record with prose only cannot
    /// say which instances it concerns (an override can).
    pub fn has_ranges(&self) -> bool {
        self.affected
            .iter()
            .any(|a| !a.ranges.is_empty() || !a.versions.is_empty())
    }

    /// The lowest version any of its ranges is fixed in, as written.
    pub fn first_fixed(&self) -> Option<&str> {
        self.affected
            .iter()
            .flat_map(|a| &a.ranges)
            .flat_map(|r| &r.events)
            .filter_map(|e| match e {
                Event::Fixed(v) => Some(v.as_str()),
                _ => None,
            })
            .min_by(|a, b| match (Release::parse(a), Release::parse(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => a.cmp(b),
            })
    }
}

// ---------------------------------------------------------------------------------------------
// Reading OSV.

#[derive(Deserialize)]
struct OsvRecord {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    severity: Vec<OsvSeverity>,
    #[serde(default)]
    affected: Vec<OsvAffected>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct OsvSeverity {
    #[serde(default)]
    score: String,
}

#[derive(Deserialize)]
struct OsvAffected {
    #[serde(default)]
    package: Option<OsvPackage>,
    #[serde(default)]
    ranges: Vec<OsvRange>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
    #[serde(default)]
    ecosystem_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct OsvPackage {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct OsvRange {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    events: Vec<OsvEvent>,
}

#[derive(Deserialize)]
struct OsvEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
}

/// `"module": "modFoo"` in an entry's (or the record's) database_specific or
/// ecosystem_specific: how a feed, or a sysadmin, names a Dolibarr module's class.
fn module_of(values: &[Option<&serde_json::Value>]) -> Option<String> {
    values
        .iter()
        .flatten()
        .find_map(|v| v.get("module")?.as_str())
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
}

/// Reads one OSV record. `Ok(None)` when it concerns neither Dolibarr nor a module, or was
/// withdrawn; an error when the text is not an OSV record.
pub fn parse_osv(text: &str) -> Result<Option<Advisory>, String> {
    let rec: OsvRecord = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if rec.withdrawn.is_some() {
        return Ok(None);
    }
    let top = rec.database_specific.as_ref();
    let mut affected = Vec::new();
    for a in &rec.affected {
        let package = a.package.as_ref().map_or("", |p| p.name.as_str());
        let target = match module_of(&[
            a.database_specific.as_ref(),
            a.ecosystem_specific.as_ref(),
            top,
        ]) {
            Some(class) => Target::Module(class),
            None if package.eq_ignore_ascii_case(DOLIBARR_PACKAGE) => Target::Dolibarr,
            None => continue,
        };
        let ranges = a
            .ranges
            .iter()
            // A git range's events are commits, not versions.
            .filter(|r| !r.kind.eq_ignore_ascii_case("GIT"))
            .map(|r| Range {
                events: r
                    .events
                    .iter()
                    .filter_map(|e| {
                        (e.introduced.clone().map(Event::Introduced))
                            .or_else(|| e.fixed.clone().map(Event::Fixed))
                            .or_else(|| e.last_affected.clone().map(Event::LastAffected))
                    })
                    .collect(),
            })
            .filter(|r| !r.events.is_empty())
            .collect();
        affected.push(Affected {
            target,
            ranges,
            versions: a.versions.clone(),
        });
    }
    if affected.is_empty() {
        return Ok(None);
    }
    let score = rec
        .severity
        .iter()
        .filter_map(|s| s.score.parse::<cvss::Cvss>().ok())
        .map(|c| c.score())
        .fold(None, |best: Option<f64>, s| {
            Some(best.map_or(s, |b| b.max(s)))
        });
    let severity = score.and_then(Severity::from_score).or_else(|| {
        top.and_then(|d| d.get("severity")?.as_str())
            .and_then(Severity::parse)
    });
    let summary = rec
        .summary
        .or_else(|| {
            rec.details
                .map(|d| d.lines().next().unwrap_or("").to_string())
        })
        .unwrap_or_default();
    Ok(Some(Advisory {
        id: rec.id,
        aliases: rec.aliases,
        summary,
        severity,
        score,
        affected,
    }))
}

// ---------------------------------------------------------------------------------------------
// Overrides.

/// The overrides file: advisories to add or correct, and advisories to ignore for an instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    #[serde(default, rename = "advisory")]
    pub advisories: Vec<OverrideEntry>,
    #[serde(default, rename = "ignore")]
    pub ignores: Vec<Ignore>,
}

/// One advisory added, or corrected where a feed's advisory has this id or alias: what it
/// gives replaces the feed's (ranges and versions together; summary, severity each).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideEntry {
    pub id: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    /// A module's class name; Dolibarr itself when absent.
    #[serde(default)]
    pub module: Option<String>,
    #[serde(default)]
    pub ranges: Vec<OverrideRange>,
    #[serde(default)]
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideRange {
    #[serde(default)]
    pub introduced: Option<String>,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub last_affected: Option<String>,
}

/// "ignore this advisory (id or alias) for this instance", and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    pub advisory: String,
    pub instance: String,
    #[serde(default)]
    pub reason: Option<String>,
}

impl Overrides {
    /// Problems a person must fix, one line each: an empty id, a range with no bound, a
    /// severity or version that is not one.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (n, e) in self.advisories.iter().enumerate() {
            let at = format!("advisory #{} ({})", n + 1, e.id);
            if e.id.trim().is_empty() {
                out.push(format!("advisory #{}: id is empty", n + 1));
            }
            if let Some(s) = &e.severity
                && Severity::parse(s).is_none()
            {
                out.push(format!(
                    "{at}: severity '{s}' is not low, medium, high or critical"
                ));
            }
            for r in &e.ranges {
                if r.fixed.is_some() && r.last_affected.is_some() {
                    out.push(format!("{at}: a range has both fixed and last_affected"));
                }
                if r.introduced.is_none() && r.fixed.is_none() && r.last_affected.is_none() {
                    out.push(format!("{at}: a range has no version"));
                }
                let given = [&r.introduced, &r.fixed, &r.last_affected];
                for v in given.into_iter().flatten() {
                    if v != "0" && Release::parse(v).is_none() {
                        out.push(format!("{at}: '{v}' is not a Dolibarr version"));
                    }
                }
            }
            for v in &e.versions {
                if Release::parse(v).is_none() {
                    out.push(format!("{at}: '{v}' is not a Dolibarr version"));
                }
            }
        }
        for (n, i) in self.ignores.iter().enumerate() {
            if i.advisory.trim().is_empty() || i.instance.trim().is_empty() {
                out.push(format!(
                    "ignore #{}: advisory and instance are both needed",
                    n + 1
                ));
            }
        }
        out
    }

    /// The entries as advisories (severity and summary empty where not given).
    pub fn entries(&self) -> Vec<(Advisory, bool, bool)> {
        self.advisories
            .iter()
            .map(|e| {
                let ranges = e
                    .ranges
                    .iter()
                    .map(|r| Range {
                        events: [
                            // A range that gives only an upper bound starts at the first version.
                            Some(Event::Introduced(
                                r.introduced.clone().unwrap_or_else(|| "0".into()),
                            )),
                            r.fixed.clone().map(Event::Fixed),
                            r.last_affected.clone().map(Event::LastAffected),
                        ]
                        .into_iter()
                        .flatten()
                        .collect(),
                    })
                    .collect::<Vec<_>>();
                let target = e.module.clone().map_or(Target::Dolibarr, Target::Module);
                let gives_ranges = !ranges.is_empty() || !e.versions.is_empty();
                let advisory = Advisory {
                    id: e.id.trim().to_string(),
                    aliases: Vec::new(),
                    summary: e.summary.clone().unwrap_or_default(),
                    severity: e.severity.as_deref().and_then(Severity::parse),
                    score: None,
                    affected: vec![Affected {
                        target,
                        ranges,
                        versions: e.versions.clone(),
                    }],
                };
                (advisory, gives_ranges, e.summary.is_some())
            })
            .collect()
    }
}

/// The feeds' advisories with the overrides applied: an entry whose id is a feed advisory's id
/// or alias corrects it, any other is added.
pub fn apply_overrides(mut feed: Vec<Advisory>, overrides: &Overrides) -> Vec<Advisory> {
    for (entry, gives_ranges, gives_summary) in overrides.entries() {
        let mut corrected = false;
        for a in feed.iter_mut().filter(|a| a.is_named(&entry.id)) {
            corrected = true;
            if gives_ranges {
                a.affected = entry.affected.clone();
            }
            if gives_summary {
                a.summary = entry.summary.clone();
            }
            if entry.severity.is_some() {
                a.severity = entry.severity;
                a.score = None;
            }
        }
        if !corrected {
            feed.push(entry);
        }
    }
    feed
}

// ---------------------------------------------------------------------------------------------
// Matching.

/// What one advisory says of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Affected; fixed in this version of its range, when the range says.
    Affected {
        fixed_in: Option<String>,
    },
    NotAffected,
    /// The version (or the advisory's) cannot be placed in Dolibarr's order: never "safe".
    CannotTell,
}

/// A bound of a range, read once: `0` is before everything, pre-releases included.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Bound {
    First,
    At(Release),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
}

/// A range ready to match: sorted bounds, or None when one of its versions is unreadable.
#[derive(Debug, Clone)]
struct Compiled {
    events: Option<Vec<(Bound, Kind, String)>>,
}

impl Compiled {
    fn new(range: &Range) -> Compiled {
        let events = range
            .events
            .iter()
            .map(|e| {
                let (kind, text) = match e {
                    Event::Introduced(v) => (Kind::Introduced, v),
                    Event::Fixed(v) => (Kind::Fixed, v),
                    Event::LastAffected(v) => (Kind::LastAffected, v),
                };
                let bound = match text.trim() {
                    "0" if kind == Kind::Introduced => Some(Bound::First),
                    t => Release::parse(t).map(Bound::At),
                }?;
                Some((bound, kind, text.clone()))
            })
            .collect::<Option<Vec<_>>>()
            .map(|mut v| {
                v.sort_by(|a, b| a.0.cmp(&b.0));
                v
            });
        Compiled { events }
    }

    /// OSV's rule: walking the events by version, an introduced at or below `v` makes it
    /// affected, a fixed at or below `v` (a last_affected below it) not.
    fn judge(&self, v: &Release) -> Verdict {
        let Some(events) = &self.events else {
            return Verdict::CannotTell;
        };
        let at = Bound::At(v.clone());
        let mut affected = false;
        for (bound, kind, _) in events {
            match kind {
                Kind::Introduced if *bound <= at => affected = true,
                Kind::Fixed if *bound <= at => affected = false,
                Kind::LastAffected if *bound < at => affected = false,
                _ => {}
            }
        }
        if !affected {
            return Verdict::NotAffected;
        }
        let fixed_in = events
            .iter()
            .find(|(b, k, _)| *k == Kind::Fixed && *b > at)
            .map(|(_, _, t)| t.clone());
        Verdict::Affected { fixed_in }
    }
}

/// An affected entry ready to match.
#[derive(Debug, Clone)]
struct CompiledEntry {
    target: Target,
    ranges: Vec<Compiled>,
    versions: Vec<Option<Release>>,
}

impl CompiledEntry {
    fn new(a: &Affected) -> CompiledEntry {
        CompiledEntry {
            target: a.target.clone(),
            ranges: a.ranges.iter().map(Compiled::new).collect(),
            versions: a.versions.iter().map(|v| Release::parse(v)).collect(),
        }
    }

    /// Affected if any range or listed version says so; else cannot tell if any part could
    /// not be read; else not affected.
    fn judge(&self, v: &Release) -> Verdict {
        let mut unclear = false;
        let mut hit: Option<Verdict> = None;
        for listed in &self.versions {
            match listed {
                Some(l) if l == v => hit = Some(Verdict::Affected { fixed_in: None }),
                Some(_) => {}
                None => unclear = true,
            }
        }
        for r in &self.ranges {
            match r.judge(v) {
                // A range that names the fix is worth more than a listed version that does not.
                Verdict::Affected { fixed_in: Some(f) } => {
                    return Verdict::Affected { fixed_in: Some(f) };
                }
                a @ Verdict::Affected { .. } => hit = Some(a),
                Verdict::CannotTell => unclear = true,
                Verdict::NotAffected => {}
            }
        }
        match (hit, unclear) {
            (Some(h), _) => h,
            (None, true) => Verdict::CannotTell,
            (None, false) => Verdict::NotAffected,
        }
    }
}

/// What `advisory` says of Dolibarr at `version` (module entries aside). An unknown or
/// unplaceable version cannot be told.
pub fn judge(advisory: &Advisory, version: Option<&str>) -> Verdict {
    let Some(v) = version.and_then(Release::parse) else {
        return Verdict::CannotTell;
    };
    let entries: Vec<CompiledEntry> = advisory
        .affected
        .iter()
        .filter(|a| a.target == Target::Dolibarr)
        .map(CompiledEntry::new)
        .collect();
    combine(entries.iter().map(|e| e.judge(&v)))
}

fn combine(verdicts: impl Iterator<Item = Verdict>) -> Verdict {
    let mut out = Verdict::NotAffected;
    for v in verdicts {
        match v {
            Verdict::Affected { fixed_in: Some(_) } => return v,
            Verdict::Affected { .. } => out = v,
            Verdict::CannotTell if out == Verdict::NotAffected => out = v,
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The audit of a fleet.

/// One instance as the audit sees it.
#[derive(Debug, Clone)]
pub struct Subject {
    pub reference: String,
    pub host: Option<String>,
    /// Its Dolibarr version as reported, if known.
    pub version: Option<String>,
    /// Its modules: class name and version as reported (`dolibarr` for core modules, which
    /// follow the Dolibarr version).
    pub modules: Vec<(String, Option<String>)>,
}

/// An affected instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Indexes into the subjects and advisories given.
    pub subject: usize,
    pub advisory: usize,
    /// The module the advisory is about, if it is about one.
    pub module: Option<Arc<str>>,
    /// The module's version judged; None for Dolibarr itself, whose version is the subject's.
    /// Shared, as a fleet's findings are many and their texts few.
    pub version: Option<Arc<str>>,
    pub fixed_in: Option<Arc<str>>,
}

/// What the audit found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Audit {
    pub findings: Vec<Finding>,
    /// Instances whose Dolibarr version cannot be told (unknown, `experimental`, ...): no
    /// advisory can clear them.
    pub unclear_instances: Vec<usize>,
    /// (subject, advisory) pairs an advisory could not decide for a known version: its range
    /// could not be read.
    pub unclear: Vec<(usize, usize)>,
    /// Findings left out by an `ignore` override.
    pub ignored: usize,
}

/// Every instance against every advisory. Versions are few across a fleet, so each distinct
/// version (and module version) is judged once per advisory, then shared.
pub fn audit(subjects: &[Subject], advisories: &[Advisory], ignores: &[Ignore]) -> Audit {
    let compiled: Vec<Vec<CompiledEntry>> = advisories
        .iter()
        .map(|a| a.affected.iter().map(CompiledEntry::new).collect())
        .collect();
    let core: Vec<(usize, Vec<&CompiledEntry>)> = compiled
        .iter()
        .enumerate()
        .map(|(i, es)| {
            (
                i,
                es.iter()
                    .filter(|e| e.target == Target::Dolibarr)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, es)| !es.is_empty())
        .collect();
    // Module advisories by lower-case class name.
    let mut by_module: HashMap<String, Vec<(usize, &CompiledEntry)>> = HashMap::new();
    for (i, es) in compiled.iter().enumerate() {
        for e in es {
            if let Target::Module(class) = &e.target {
                by_module
                    .entry(class.to_ascii_lowercase())
                    .or_default()
                    .push((i, e));
            }
        }
    }
    // Per advisory: Some(fixed in) when affected, None when it cannot tell.
    type Hits = Vec<(usize, Option<Option<Arc<str>>>)>;
    let hit = |v: Verdict| match v {
        Verdict::Affected { fixed_in } => Some(Some(fixed_in.map(Arc::from))),
        Verdict::CannotTell => Some(None),
        Verdict::NotAffected => None,
    };
    // By version text: whether it can be placed, and what the advisories say of it.
    let mut core_cache: HashMap<&str, (bool, Hits)> = HashMap::new();
    let mut module_cache: HashMap<(String, String), Hits> = HashMap::new();
    let mut out = Audit::default();
    let push = |out: &mut Audit,
                s: usize,
                hits: &Hits,
                module: Option<&Arc<str>>,
                version: Option<&Arc<str>>| {
        for (a, h) in hits {
            let Some(fixed_in) = h else {
                out.unclear.push((s, *a));
                continue;
            };
            let ignored = !ignores.is_empty()
                && ignores.iter().any(|ig| {
                    ig.instance == subjects[s].reference && advisories[*a].is_named(&ig.advisory)
                });
            if ignored {
                out.ignored += 1;
                continue;
            }
            out.findings.push(Finding {
                subject: s,
                advisory: *a,
                module: module.cloned(),
                version: version.cloned(),
                fixed_in: fixed_in.clone(),
            });
        }
    };
    for (s, subject) in subjects.iter().enumerate() {
        match subject.version.as_deref() {
            Some(text) => {
                let (told, hits) =
                    core_cache
                        .entry(text)
                        .or_insert_with(|| match Release::parse(text) {
                            Some(r) => (
                                true,
                                core.iter()
                                    .filter_map(|(i, es)| {
                                        Some((*i, hit(combine(es.iter().map(|e| e.judge(&r))))?))
                                    })
                                    .collect(),
                            ),
                            None => (false, Vec::new()),
                        });
                if !*told {
                    out.unclear_instances.push(s);
                }
                push(&mut out, s, hits, None, None);
            }
            None => out.unclear_instances.push(s),
        }
        if by_module.is_empty() {
            continue;
        }
        for (class, version) in &subject.modules {
            let Some(entries) = by_module.get(&class.to_ascii_lowercase()) else {
                continue;
            };
            // A core module reports `dolibarr`: it is at the instance's version.
            let version = match version.as_deref() {
                Some(v) if v.eq_ignore_ascii_case("dolibarr") => subject.version.clone(),
                v => v.map(str::to_string),
            };
            let key = (
                class.to_ascii_lowercase(),
                version.clone().unwrap_or_default(),
            );
            let hits = module_cache.entry(key).or_insert_with(|| {
                let r = version.as_deref().and_then(Release::parse);
                entries
                    .iter()
                    .filter_map(|(i, e)| {
                        Some((
                            *i,
                            hit(r.as_ref().map_or(Verdict::CannotTell, |r| e.judge(r)))?,
                        ))
                    })
                    .collect()
            });
            if !hits.is_empty() {
                let class: Arc<str> = Arc::from(class.as_str());
                let version: Arc<str> = Arc::from(version.as_deref().unwrap_or(""));
                push(&mut out, s, hits, Some(&class), Some(&version));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(t: &str) -> Release {
        Release::parse(t).unwrap_or_else(|| panic!("{t} should parse"))
    }

    fn advisory(ranges: Vec<Vec<Event>>, versions: &[&str]) -> Advisory {
        Advisory {
            id: "GHSA-test".into(),
            aliases: vec!["CVE-2024-0001".into()],
            summary: "test".into(),
            severity: Some(Severity::High),
            score: None,
            affected: vec![Affected {
                target: Target::Dolibarr,
                ranges: ranges.into_iter().map(|events| Range { events }).collect(),
                versions: versions.iter().map(|v| v.to_string()).collect(),
            }],
        }
    }

    fn intro(v: &str) -> Event {
        Event::Introduced(v.into())
    }
    fn fixed(v: &str) -> Event {
        Event::Fixed(v.into())
    }
    fn last(v: &str) -> Event {
        Event::LastAffected(v.into())
    }
    fn affected(fixed: Option<&str>) -> Verdict {
        Verdict::Affected {
            fixed_in: fixed.map(str::to_string),
        }
    }

    #[test]
    fn dolibarr_order() {
        assert!(r("18.0.4") < r("18.0.10"));
        assert!(r("9.0.0") < r("10.0.0"));
        assert!(r("19.0.0-alpha") < r("19.0.0-beta"));
        assert!(r("19.0.0-beta") < r("19.0.0-beta2"));
        assert!(r("19.0.0-beta2") < r("19.0.0-rc1"));
        assert!(r("19.0.0-rc1") < r("19.0.0-RC2"));
        assert!(r("19.0.0-rc2") < r("19.0.0"));
        assert!(r("18.0.99") < r("19.0.0-alpha"));
        assert_eq!(r("18.0"), r("18.0.0"));
        assert_eq!(r("v18.0.4"), r("18.0.4"));
        for text in [
            "experimental",
            "development",
            "dolibarr",
            "",
            "18.0.4-dev",
            "x18",
            "18.0.4-beta-x",
        ] {
            assert!(Release::parse(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn introduced_fixed() {
        let a = advisory(vec![vec![intro("0"), fixed("18.0.5")]], &[]);
        assert_eq!(judge(&a, Some("18.0.4")), affected(Some("18.0.5")));
        assert_eq!(judge(&a, Some("3.9.0")), affected(Some("18.0.5")));
        assert_eq!(judge(&a, Some("18.0.5")), Verdict::NotAffected);
        assert_eq!(judge(&a, Some("18.0.10")), Verdict::NotAffected);
        // "0" is before the first pre-release too.
        assert_eq!(judge(&a, Some("1.0.0-alpha")), affected(Some("18.0.5")));
        // The fix's own pre-release is before the fix.
        assert_eq!(judge(&a, Some("18.0.5-rc1")), affected(Some("18.0.5")));
    }

    #[test]
    fn last_affected_is_inclusive() {
        let a = advisory(vec![vec![intro("22.0.0"), last("22.0.4")]], &[]);
        assert_eq!(judge(&a, Some("21.0.9")), Verdict::NotAffected);
        assert_eq!(judge(&a, Some("22.0.0")), affected(None));
        assert_eq!(judge(&a, Some("22.0.4")), affected(None));
        assert_eq!(judge(&a, Some("22.0.5")), Verdict::NotAffected);
        assert_eq!(judge(&a, Some("22.0.0-rc1")), Verdict::NotAffected);
    }

    #[test]
    fn several_ranges_and_branches() {
        // Two branches fixed separately, and one range with two windows in its events.
        let a = advisory(
            vec![
                vec![intro("17.0.0"), fixed("17.0.4")],
                vec![intro("18.0.0"), fixed("18.0.2")],
                vec![
                    intro("20.0.0"),
                    fixed("20.0.1"),
                    intro("20.0.3"),
                    fixed("20.0.5"),
                ],
            ],
            &[],
        );
        assert_eq!(judge(&a, Some("16.0.5")), Verdict::NotAffected);
        assert_eq!(judge(&a, Some("17.0.1")), affected(Some("17.0.4")));
        assert_eq!(judge(&a, Some("17.0.4")), Verdict::NotAffected);
        assert_eq!(judge(&a, Some("18.0.1")), affected(Some("18.0.2")));
        assert_eq!(judge(&a, Some("19.0.0")), Verdict::NotAffected);
        assert_eq!(judge(&a, Some("20.0.0")), affected(Some("20.0.1")));
        assert_eq!(judge(&a, Some("20.0.2")), Verdict::NotAffected);
        assert_eq!(judge(&a, Some("20.0.4")), affected(Some("20.0.5")));
        // Events out of order are sorted first.
        let b = advisory(vec![vec![fixed("18.0.2"), intro("18.0.0")]], &[]);
        assert_eq!(judge(&b, Some("18.0.1")), affected(Some("18.0.2")));
    }

    #[test]
    fn versions_list() {
        let a = advisory(vec![], &["18.0.1", "18.0.2"]);
        assert_eq!(judge(&a, Some("18.0.2")), affected(None));
        assert_eq!(judge(&a, Some("18.0.2.0")), affected(None));
        assert_eq!(judge(&a, Some("18.0.3")), Verdict::NotAffected);
    }

    #[test]
    fn unknown_versions_cannot_be_told() {
        let a = advisory(vec![vec![intro("0"), fixed("18.0.5")]], &[]);
        for v in [
            None,
            Some("experimental"),
            Some("development"),
            Some("dolibarr"),
            Some(""),
        ] {
            assert_eq!(judge(&a, v), Verdict::CannotTell, "{v:?}");
        }
        // An advisory whose own range cannot be read clears nobody.
        let b = advisory(vec![vec![intro("0"), fixed("next")]], &[]);
        assert_eq!(judge(&b, Some("18.0.4")), Verdict::CannotTell);
        // But another range that matches still says affected.
        let c = advisory(
            vec![
                vec![intro("0"), fixed("next")],
                vec![intro("18.0.0"), fixed("18.0.6")],
            ],
            &[],
        );
        assert_eq!(judge(&c, Some("18.0.4")), affected(Some("18.0.6")));
    }

    #[test]
    fn reads_osv() {
        let text = r#"{"id":"GHSA-aaaa","aliases":["CVE-2024-1"],"summary":"RCE",
            "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected":[{"package":{"ecosystem":"Packagist","name":"dolibarr/dolibarr"},
              "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"18.0.5"}]},
                        {"type":"GIT","events":[{"introduced":"abc"}]}],
              "versions":["18.0.4"]},
              {"package":{"ecosystem":"Packagist","name":"other/pkg"}}],
            "database_specific":{"severity":"MODERATE"}}"#;
        let a = parse_osv(text).expect("parses").expect("relevant");
        assert_eq!(a.id, "GHSA-aaaa");
        assert_eq!(a.severity, Some(Severity::Critical));
        assert_eq!(a.score, Some(9.8));
        assert_eq!(a.affected.len(), 1);
        assert_eq!(a.affected[0].ranges.len(), 1);
        // Other packages are not kept, and a withdrawn record is not either.
        let other = r#"{"id":"X","affected":[{"package":{"name":"symfony/http"}}]}"#;
        assert_eq!(parse_osv(other), Ok(None));
        let withdrawn = r#"{"id":"X","withdrawn":"2024-01-01T00:00:00Z","affected":[{"package":{"name":"dolibarr/dolibarr"}}]}"#;
        assert_eq!(parse_osv(withdrawn), Ok(None));
        // The feed's word, when there is no vector.
        let word = r#"{"id":"Y","affected":[{"package":{"name":"Dolibarr/Dolibarr"}}],"database_specific":{"severity":"MODERATE"}}"#;
        assert_eq!(
            parse_osv(word).ok().flatten().and_then(|a| a.severity),
            Some(Severity::Medium)
        );
        // A module named by class.
        let module = r#"{"id":"Z","affected":[{"package":{"name":"acme/foo"},"database_specific":{"module":"modFoo"}}]}"#;
        let m = parse_osv(module).ok().flatten().expect("module kept");
        assert_eq!(m.affected[0].target, Target::Module("modFoo".into()));
        assert!(parse_osv("[1]").is_err());
    }

    #[test]
    fn overrides_correct_and_add() {
        let feed = vec![advisory(vec![], &[])];
        assert!(!feed[0].has_ranges());
        let o: Overrides = Overrides {
            advisories: vec![
                OverrideEntry {
                    id: "CVE-2024-0001".into(),
                    ranges: vec![OverrideRange {
                        introduced: Some("22.0.0".into()),
                        last_affected: Some("22.0.4".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
                OverrideEntry {
                    id: "LOCAL-1".into(),
                    severity: Some("critical".into()),
                    ranges: vec![OverrideRange {
                        fixed: Some("19.0.2".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            ],
            ignores: vec![],
        };
        assert!(o.problems().is_empty());
        let all = apply_overrides(feed, &o);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].id, "GHSA-test");
        assert_eq!(all[0].severity, Some(Severity::High));
        assert_eq!(judge(&all[0], Some("22.0.3")), affected(None));
        assert_eq!(judge(&all[1], Some("19.0.1")), affected(Some("19.0.2")));
        assert_eq!(all[1].severity, Some(Severity::Critical));
        let bad = Overrides {
            advisories: vec![OverrideEntry {
                id: "X".into(),
                severity: Some("huge".into()),
                ranges: vec![OverrideRange::default()],
                versions: vec!["soon".into()],
                ..Default::default()
            }],
            ignores: vec![Ignore::default()],
        };
        assert_eq!(bad.problems().len(), 4, "{:?}", bad.problems());
    }

    fn subject(reference: &str, version: Option<&str>) -> Subject {
        Subject {
            reference: reference.into(),
            host: None,
            version: version.map(str::to_string),
            modules: vec![],
        }
    }

    #[test]
    fn audits_a_fleet() {
        let mut modular = advisory(vec![vec![intro("0"), fixed("2.0.0")]], &[]);
        modular.id = "MOD-1".into();
        modular.aliases.clear();
        modular.affected[0].target = Target::Module("modFoo".into());
        let advisories = vec![
            advisory(vec![vec![intro("0"), fixed("18.0.5")]], &[]),
            modular,
        ];
        let mut with_module = subject("d", Some("19.0.0"));
        with_module.modules = vec![
            ("MODFOO".into(), Some("1.5".into())),
            ("modBar".into(), Some("1.0".into())),
        ];
        let subjects = vec![
            subject("a", Some("18.0.4")),
            subject("b", Some("18.0.5")),
            subject("c", Some("experimental")),
            with_module,
            subject("e", None),
            subject("f", Some("18.0.4")),
        ];
        let ignores = vec![Ignore {
            advisory: "CVE-2024-0001".into(),
            instance: "f".into(),
            reason: Some("patched by hand".into()),
        }];
        let a = audit(&subjects, &advisories, &ignores);
        let found: Vec<(usize, usize, Option<&str>)> = a
            .findings
            .iter()
            .map(|f| (f.subject, f.advisory, f.fixed_in.as_deref()))
            .collect();
        assert_eq!(found, vec![(0, 0, Some("18.0.5")), (3, 1, Some("2.0.0"))]);
        assert_eq!(a.findings[1].module.as_deref(), Some("MODFOO"));
        assert_eq!(a.unclear_instances, vec![2, 4]);
        assert_eq!(a.ignored, 1);
    }
}

/// `status`'s line on known vulnerabilities: the instances some advisory affects, counted by
/// the worst severity among theirs, and those whose version cannot be told.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct AuditCounts {
    pub advisories_in_force: usize,
    pub affected_instances: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub unknown_severity: usize,
    pub cannot_tell: usize,
}

impl AuditCounts {
    pub fn of(audit: &Audit, advisories: &[Advisory]) -> AuditCounts {
        let mut worst: std::collections::HashMap<usize, Option<Severity>> =
            std::collections::HashMap::new();
        for f in &audit.findings {
            let s = advisories[f.advisory].severity;
            let entry = worst.entry(f.subject).or_insert(s);
            *entry = (*entry).max(s);
        }
        let mut c = AuditCounts {
            advisories_in_force: advisories.len(),
            affected_instances: worst.len(),
            cannot_tell: audit.unclear_instances.len(),
            ..AuditCounts::default()
        };
        for s in worst.values() {
            match s {
                Some(Severity::Critical) => c.critical += 1,
                Some(Severity::High) => c.high += 1,
                Some(Severity::Medium) => c.medium += 1,
                Some(Severity::Low) => c.low += 1,
                None => c.unknown_severity += 1,
            }
        }
        c
    }
}
