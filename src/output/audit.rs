//! `advisories import`, `advisories list` and `audit`: known vulnerabilities, as tables and
//! JSON (docs/schema/advisories-import, advisories-list and audit .schema.json).

use anyhow::Result;
use serde::Serialize;

use super::{Col, Output, cell};
use crate::domain::advisory::{Advisory, Audit, Severity, Subject, Target};

/// What one imported file, folder or zip gave.
#[derive(Debug, Serialize)]
pub struct Imported {
    pub source: String,
    /// JSON texts read (files, zip entries).
    pub files: usize,
    /// Those that were not about Dolibarr, withdrawn, or not OSV.
    pub skipped: usize,
    /// Advisories the source gives now.
    pub advisories: usize,
    /// Advisories the same source had given before, now replaced.
    pub replaced: usize,
}

#[derive(Debug, Serialize)]
pub struct OverridesImported {
    pub source: String,
    pub advisories: usize,
    pub ignores: usize,
}

#[derive(Serialize)]
struct ImportView<'a> {
    action: &'static str,
    sources: &'a [Imported],
    overrides: Option<&'a OverridesImported>,
}

#[derive(Serialize)]
struct AdvisoryView<'a> {
    id: &'a str,
    aliases: &'a [String],
    severity: Option<Severity>,
    score: Option<f64>,
    summary: &'a str,
    /// Whether it is about Dolibarr itself.
    dolibarr: bool,
    /// The module classes it is about.
    modules: Vec<&'a str>,
    /// The lowest version any of its ranges is fixed in.
    fixed_in: Option<&'a str>,
    /// False when it has no range nor version to match (prose only): an override can add one.
    has_ranges: bool,
    /// The file, folder or zip it came from; null when only the overrides give it.
    source: Option<&'a str>,
}

#[derive(Serialize)]
struct FindingView<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    host: Option<&'a str>,
    dolibarr_version: Option<&'a str>,
    advisory: &'a str,
    aliases: &'a [String],
    severity: Option<Severity>,
    score: Option<f64>,
    summary: &'a str,
    /// The module class it is about; null for Dolibarr itself.
    module: Option<&'a str>,
    /// The version judged: Dolibarr's, or the module's.
    version: Option<&'a str>,
    fixed_in: Option<&'a str>,
}

#[derive(Serialize)]
struct InstanceView<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    host: Option<&'a str>,
    dolibarr_version: Option<&'a str>,
}

#[derive(Serialize)]
struct UnclearView<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    advisory: &'a str,
}

#[derive(Serialize)]
struct AuditView<'a> {
    /// Advisories in force (overrides applied).
    advisories: usize,
    /// Instances audited.
    instances: usize,
    findings: Vec<FindingView<'a>>,
    /// Instances whose Dolibarr version cannot be told: no advisory clears them.
    cannot_tell: Vec<InstanceView<'a>>,
    /// Pairs an advisory could not decide (its own range is unreadable).
    unclear: Vec<UnclearView<'a>>,
    /// Findings left out by the overrides' `ignore` entries.
    ignored: usize,
    /// Instances whose observer reports risky settings (`webhost instance show` has them).
    risky_settings: Vec<RiskyView<'a>>,
}

#[derive(Serialize)]
struct RiskyView<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    risks: &'a [String],
}

fn severity_text(s: Option<Severity>) -> &'static str {
    s.map_or("unknown", Severity::as_str)
}

impl Output {
    pub fn advisories_imported(
        &self,
        sources: &[Imported],
        overrides: Option<&OverridesImported>,
    ) -> Result<()> {
        if self.json {
            return self.json(&ImportView {
                action: "imported",
                sources,
                overrides,
            });
        }
        let mut lines = String::new();
        for s in sources {
            lines.push_str(&format!(
                "{}: {} advisories ({} replaced), {} of {} files skipped\n",
                super::terminal_safe(&s.source),
                s.advisories,
                s.replaced,
                s.skipped,
                s.files
            ));
        }
        if let Some(o) = overrides {
            lines.push_str(&format!(
                "{}: overrides stored ({} advisories, {} ignores)\n",
                super::terminal_safe(&o.source),
                o.advisories,
                o.ignores
            ));
        }
        self.raw(lines.as_bytes())
    }

    pub fn advisories_list(
        &self,
        all: &[(Option<String>, Advisory)],
        overrides: Option<&str>,
    ) -> Result<()> {
        let views: Vec<AdvisoryView> = all
            .iter()
            .map(|(source, a)| AdvisoryView {
                id: &a.id,
                aliases: &a.aliases,
                severity: a.severity,
                score: a.score,
                summary: &a.summary,
                dolibarr: a.affected.iter().any(|e| e.target == Target::Dolibarr),
                modules: a
                    .affected
                    .iter()
                    .filter_map(|e| match &e.target {
                        Target::Module(m) => Some(m.as_str()),
                        Target::Dolibarr => None,
                    })
                    .collect(),
                fixed_in: a.first_fixed(),
                has_ranges: a.has_ranges(),
                source: source.as_deref(),
            })
            .collect();
        if self.json {
            return self.json(&views);
        }
        if views.is_empty() {
            self.note("no advisories: import some with `webhost advisories import FILE`");
            return Ok(());
        }
        let mut t = self.table(&[
            Col::whole("ADVISORY"),
            Col::whole("SEVERITY"),
            Col::whole("FIXED IN"),
            Col::words("ABOUT"),
            Col::wrap("SUMMARY").optional(1),
        ]);
        for v in &views {
            let mut about: Vec<&str> = Vec::new();
            if v.dolibarr {
                about.push("dolibarr");
            }
            about.extend(&v.modules);
            let fixed = match (v.fixed_in, v.has_ranges) {
                (Some(f), _) => f.to_string(),
                (None, true) => "-".into(),
                (None, false) => "no ranges".into(),
            };
            t.add_row(vec![
                cell(v.id),
                cell(severity_text(v.severity)),
                cell(fixed),
                cell(about.join(", ")),
                cell(v.summary),
            ]);
        }
        self.print_table(&t)?;
        if let Some(o) = overrides {
            self.note(format!("overrides from {o}"));
        }
        Ok(())
    }

    /// The findings in the order given (grouped by advisory or by instance), then the
    /// instances whose version cannot be told.
    pub fn audit(
        &self,
        subjects: &[Subject],
        advisories: &[Advisory],
        audit: &Audit,
        by_instance: bool,
        risky: &[(String, Vec<String>)],
    ) -> Result<()> {
        let findings: Vec<FindingView> = audit
            .findings
            .iter()
            .map(|f| {
                let s = &subjects[f.subject];
                let a = &advisories[f.advisory];
                FindingView {
                    reference: &s.reference,
                    host: s.host.as_deref(),
                    dolibarr_version: s.version.as_deref(),
                    advisory: &a.id,
                    aliases: &a.aliases,
                    severity: a.severity,
                    score: a.score,
                    summary: &a.summary,
                    module: f.module.as_deref(),
                    version: f.version.as_deref().or(s.version.as_deref()),
                    fixed_in: f.fixed_in.as_deref(),
                }
            })
            .collect();
        let cannot_tell: Vec<InstanceView> = audit
            .unclear_instances
            .iter()
            .map(|&i| InstanceView {
                reference: &subjects[i].reference,
                host: subjects[i].host.as_deref(),
                dolibarr_version: subjects[i].version.as_deref(),
            })
            .collect();
        if self.json {
            return self.json(&AuditView {
                advisories: advisories.len(),
                instances: subjects.len(),
                findings,
                cannot_tell,
                unclear: audit
                    .unclear
                    .iter()
                    .map(|&(s, a)| UnclearView {
                        reference: &subjects[s].reference,
                        advisory: &advisories[a].id,
                    })
                    .collect(),
                ignored: audit.ignored,
                risky_settings: risky
                    .iter()
                    .map(|(reference, risks)| RiskyView { reference, risks })
                    .collect(),
            });
        }
        for (reference, risks) in risky {
            self.note(format!(
                "risky settings on {reference}: {}",
                risks.join("; ")
            ));
        }
        if advisories.is_empty() {
            self.note("no advisories: import some with `webhost advisories import FILE`");
        }
        if findings.is_empty() {
            self.note(format!(
                "no instance affected ({} instances, {} advisories)",
                subjects.len(),
                advisories.len()
            ));
        } else {
            let first = |header| Col::whole(header);
            let mut t = if by_instance {
                self.table(&[
                    first("INSTANCE"),
                    Col::whole("VERSION"),
                    Col::whole("ADVISORY"),
                    Col::whole("SEVERITY"),
                    Col::whole("FIXED IN"),
                    Col::wrap("SUMMARY").optional(1),
                ])
            } else {
                self.table(&[
                    first("ADVISORY"),
                    Col::whole("SEVERITY"),
                    Col::whole("INSTANCE"),
                    Col::whole("VERSION"),
                    Col::whole("FIXED IN"),
                    Col::wrap("SUMMARY").optional(1),
                ])
            };
            let mut last: Option<(&str, &str)> = None;
            for f in &findings {
                // A group's key is written on its first row only.
                let group = if by_instance {
                    (f.reference, "")
                } else {
                    (f.advisory, "")
                };
                let repeat = last == Some(group);
                last = Some(group);
                let version = match f.module {
                    Some(m) => format!("{m} {}", f.version.unwrap_or("?")),
                    None => f.version.unwrap_or("?").to_string(),
                };
                let fixed = f.fixed_in.unwrap_or("-");
                let sev = severity_text(f.severity);
                let row = if by_instance {
                    vec![
                        cell(if repeat { "" } else { f.reference }),
                        cell(version),
                        cell(f.advisory),
                        cell(sev),
                        cell(fixed),
                        cell(f.summary),
                    ]
                } else {
                    vec![
                        cell(if repeat { "" } else { f.advisory }),
                        cell(if repeat { "" } else { sev }),
                        cell(f.reference),
                        cell(version),
                        cell(fixed),
                        cell(if repeat { "" } else { f.summary }),
                    ]
                };
                t.add_row(row);
            }
            self.print_table(&t)?;
        }
        if !cannot_tell.is_empty() {
            let refs: Vec<String> = cannot_tell
                .iter()
                .map(|c| {
                    format!(
                        "{} ({})",
                        c.reference,
                        c.dolibarr_version.unwrap_or("unknown")
                    )
                })
                .collect();
            self.note(format!(
                "{} instances whose version cannot be told, no advisory clears them: {}",
                refs.len(),
                refs.join(", ")
            ));
        }
        if !audit.unclear.is_empty() {
            let mut ids: Vec<&str> = audit
                .unclear
                .iter()
                .map(|&(_, a)| advisories[a].id.as_str())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            self.note(format!(
                "{} advisories whose ranges cannot be read decide nothing (an override can \
                 correct them): {}",
                ids.len(),
                ids.join(", ")
            ));
        }
        if audit.ignored > 0 {
            self.note(format!(
                "{} left out by the overrides' ignore entries",
                audit.ignored
            ));
        }
        Ok(())
    }
}
