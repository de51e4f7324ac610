//! `webhost audit`: which instances run a version with a known vulnerability, from the
//! imported advisories and the overrides. Reads the database only.

use anyhow::Result;

use super::advisories::in_force;
use super::{Context, Outcome};
use crate::domain::advisory::{self, Advisory, Audit, Severity, Subject};
use crate::domain::model::RecordType;
use crate::store::Store;

pub struct Request {
    pub by_instance: bool,
    /// Only findings of this severity or worse.
    pub severity: Option<Severity>,
    /// Only the instances of these hosts.
    pub hosts: Vec<String>,
}

/// The subjects, the advisories in force and what the audit found of them.
pub struct Audited {
    pub subjects: Vec<Subject>,
    pub advisories: Vec<Advisory>,
    pub audit: Audit,
}

/// Audits the instances of `hosts` (all when empty); findings below `severity` are dropped.
pub fn audited(store: &Store, hosts: &[String], severity: Option<Severity>) -> Result<Audited> {
    for h in hosts {
        // An unknown --host is an error, not an empty audit.
        store.get(RecordType::Host, h)?;
    }
    let subjects = store.audit_subjects(hosts)?;
    let advisories: Vec<Advisory> = in_force(store)?.into_iter().map(|(_, a)| a).collect();
    let ignores = store
        .advisory_overrides()?
        .map(|(_, o)| o.ignores)
        .unwrap_or_default();
    let mut audit = advisory::audit(&subjects, &advisories, &ignores);
    if let Some(min) = severity {
        audit
            .findings
            .retain(|f| advisories[f.advisory].severity.is_some_and(|s| s >= min));
    }
    Ok(Audited {
        subjects,
        advisories,
        audit,
    })
}

pub fn run(ctx: &Context, req: &Request) -> Result<Outcome> {
    let store = ctx.read_store()?;
    let mut done = audited(&store, &req.hosts, req.severity)?;
    let key = |f: &advisory::Finding| {
        let a = &done.advisories[f.advisory];
        // Worst first, then by id; an unknown severity after the known ones.
        (std::cmp::Reverse(a.severity), a.id.clone())
    };
    let mut findings = std::mem::take(&mut done.audit.findings);
    if req.by_instance {
        findings.sort_by_key(|f| (f.subject, key(f)));
    } else {
        findings.sort_by_key(|f| (key(f), f.subject));
    }
    done.audit.findings = findings;
    // The risky settings the observers report belong to the same question: who is exposed.
    let on_hosts = |r: &crate::domain::model::Record| {
        req.hosts.is_empty() || r.host_ref.as_ref().is_some_and(|h| req.hosts.contains(h))
    };
    let enabled = crate::domain::query::Filter {
        enabled: Some(true),
        ..Default::default()
    };
    let risky: Vec<(String, Vec<String>)> = store
        .list(RecordType::Instance, &enabled)?
        .into_iter()
        .filter(|r| on_hosts(r))
        .filter_map(|r| {
            let risks: Vec<String> = r
                .state
                .security
                .map(|s| s.risks().iter().map(ToString::to_string).collect())
                .unwrap_or_default();
            (!risks.is_empty()).then_some((r.settings.reference, risks))
        })
        .collect();
    ctx.out.audit(
        &done.subjects,
        &done.advisories,
        &done.audit,
        req.by_instance,
        &risky,
    )?;
    Ok(Outcome::Done)
}
