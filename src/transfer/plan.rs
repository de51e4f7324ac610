//! Checking a whole import against itself and the database before anything is written.

use std::collections::HashMap;

use serde::Serialize;

use super::row::{Parsed, Position, Problem, Row};
use crate::domain::model::{ApiKind, RecordType};
use crate::domain::{secret, validate};

/// What importing one row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Updated,
    Unchanged,
    /// `--sync`: stored, not in the file, so monitoring is turned off.
    Disabled,
    /// `--sync --prune`: stored, not in the file, so removed (its history with it).
    Removed,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
            Action::Disabled => "disabled",
            Action::Removed => "removed",
        }
    }
}

/// One row of a checked import.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The settings to store. `token` None keeps the stored token.
    pub row: Row,
    pub action: Action,
    /// For updates: the fields that change (names only: one of them may be the token).
    pub changed: Vec<&'static str>,
}

/// Checks every row against the others and against the records already stored (`existing`,
/// with their tokens), and says what importing would do: hosts first, then instances, each in
/// file order. Err holds every problem found, ordered by line.
pub fn plan(parsed: Vec<Parsed>, existing: &[Row]) -> Result<Vec<Planned>, Vec<Problem>> {
    // A file and a database can both hold tens of thousands of records: every lookup is by
    // key, never a scan per row. The first record of a type and ref wins, as a scan would.
    let mut by_ident: HashMap<(RecordType, &str), &Row> = HashMap::with_capacity(existing.len());
    let mut instances_on: HashMap<&str, Vec<&Row>> = HashMap::new();
    for e in existing {
        by_ident
            .entry((e.record_type, e.reference.as_str()))
            .or_insert(e);
        if e.record_type == RecordType::Instance
            && let Some(host) = &e.host
        {
            instances_on.entry(host.as_str()).or_default().push(e);
        }
    }
    let stored = |rt: RecordType, r: &str| by_ident.get(&(rt, r)).copied();
    let mut problems = Vec::new();
    let mut add = |at: Position, subject: Option<String>, message: String| {
        problems.push(Problem {
            at,
            subject,
            message,
        })
    };

    // Duplicates, and the hosts the file defines (None: its row is unreadable, and reported).
    let mut first_line: HashMap<(RecordType, String), u64> = HashMap::new();
    let mut file_hosts: HashMap<String, Option<ApiKind>> = HashMap::new();
    let mut rows = Vec::new();
    for p in parsed {
        let subject = p.ident.as_ref().map(|(t, r)| format!("{t} '{r}'"));
        if let Some(id) = &p.ident {
            if let Some(line) = first_line.get(id) {
                add(
                    p.at,
                    subject.clone(),
                    format!("duplicate: the same {} is on line {line}", id.0),
                );
            } else {
                first_line.insert(id.clone(), p.at.line);
            }
        }
        match p.row {
            Ok(row) => {
                if row.record_type == RecordType::Host {
                    file_hosts
                        .entry(row.reference.clone())
                        .or_insert(Some(row.api));
                }
                rows.push((p.at, row));
            }
            Err(errors) => {
                if let Some((RecordType::Host, r)) = &p.ident {
                    file_hosts.entry(r.clone()).or_insert(None);
                }
                for e in errors {
                    add(p.at, subject.clone(), e);
                }
            }
        }
    }

    let mut planned = Vec::new();
    for (at, mut row) in rows {
        let subject = Some(row.describe());
        let before = stored(row.record_type, &row.reference);
        if row.record_type == RecordType::Host {
            for (field, set) in [
                ("host", row.host.is_some()),
                ("remote_name", row.remote_name.is_some()),
                ("discovered", row.discovered),
            ] {
                if set {
                    add(
                        at,
                        subject.clone(),
                        format!("'{field}' is only for instances"),
                    );
                }
            }
        } else if row.api == ApiKind::ServerManagerV1 && row.remote_name.is_none() {
            // As `instance add` does: the folder on the server defaults to the ref.
            row.remote_name = Some(row.reference.clone());
        }
        // Known: Some(kind) checks the pairing; unknown hosts are reported here, and hosts whose
        // own row is bad are already reported, so both are checked as `instance add` does
        // before it opens the database.
        let host_kind = match &row.host {
            None => None,
            Some(h) => match file_hosts.get(h) {
                Some(Some(kind)) => Some(*kind),
                Some(None) => Some(ApiKind::ServerManagerV1),
                None => match stored(RecordType::Host, h) {
                    Some(e) => Some(e.api),
                    None => {
                        add(
                            at,
                            subject.clone(),
                            format!("host '{h}' is neither in the database nor in this file"),
                        );
                        Some(ApiKind::ServerManagerV1)
                    }
                },
            },
        };
        // An export without tokens masks the URL's secrets too: the stored URL they hide
        // stands; a masked URL that hides nothing stored would be stored broken.
        if let Some(url) = row.url.as_deref().filter(|u| secret::is_masked(u)) {
            match before
                .and_then(|b| b.url.as_ref())
                .filter(|stored| secret::redact(stored) == url)
            {
                Some(stored) => row.url = Some(stored.clone()),
                None => add(
                    at,
                    subject.clone(),
                    format!(
                        "the URL '{url}' has its secrets masked (***), as `export` writes it \
                         without --with-tokens, and no stored URL matches it: give the whole URL"
                    ),
                ),
            }
        }
        // The same for URLs among a custom probe's arguments.
        if row.probe.iter().any(|arg| secret::is_masked(arg)) {
            let hides = |stored: &Vec<String>| {
                stored.len() == row.probe.len()
                    && stored
                        .iter()
                        .zip(&row.probe)
                        .all(|(s, r)| secret::scrub(s, &[]) == *r)
            };
            match before.map(|b| &b.probe).filter(|stored| hides(stored)) {
                Some(stored) => row.probe.clone_from(stored),
                None => add(
                    at,
                    subject.clone(),
                    "the probe's arguments have secrets masked (***), as `export` writes them \
                     without --with-tokens, and the stored probe does not match them: give them \
                     whole"
                        .into(),
                ),
            }
        }
        // The settings as they will be stored: a row without a token keeps the stored one.
        let mut effective = row.settings();
        if effective.token.is_none() {
            effective.token = before.and_then(|b| b.token.clone());
        }
        if let Err(e) = validate::settings(row.record_type, &effective, host_kind) {
            add(at, subject.clone(), e.to_string());
        }
        let (action, changed) = match before {
            None => (Action::Created, Vec::new()),
            Some(b) => {
                let changed = changed_fields(b, &row);
                let action = if changed.is_empty() {
                    Action::Unchanged
                } else {
                    Action::Updated
                };
                (action, changed)
            }
        };
        planned.push((
            at,
            Planned {
                row,
                action,
                changed,
            },
        ));
    }

    // A host changing kind must still suit the stored instances on it that the file leaves alone.
    for (at, p) in &planned {
        let r = &p.row;
        if r.record_type != RecordType::Host || !p.changed.contains(&"api") {
            continue;
        }
        let on_host = instances_on
            .get(r.reference.as_str())
            .map_or(&[][..], Vec::as_slice);
        for inst in on_host
            .iter()
            .filter(|e| !first_line.contains_key(&(RecordType::Instance, e.reference.clone())))
        {
            if let Err(e) = validate::settings(RecordType::Instance, &inst.settings(), Some(r.api))
            {
                add(
                    *at,
                    Some(r.describe()),
                    format!(
                        "its instance '{}' (not in this file) would no longer fit: {e}",
                        inst.reference
                    ),
                );
            }
        }
    }

    if !problems.is_empty() {
        problems.sort_by_key(|p| p.at);
        return Err(problems);
    }
    let (hosts, instances): (Vec<_>, Vec<_>) = planned
        .into_iter()
        .map(|(_, p)| p)
        .partition(|p| p.row.record_type == RecordType::Host);
    Ok(hosts.into_iter().chain(instances).collect())
}

/// The names of the fields `new` changes in `old`. A token left out changes nothing.
fn changed_fields(old: &Row, new: &Row) -> Vec<&'static str> {
    let token_changes = new.token.is_some() && new.token != old.token;
    [
        ("label", old.label != new.label),
        ("api", old.api != new.api),
        ("url", old.url != new.url),
        ("token", token_changes),
        ("probe", old.probe != new.probe),
        ("enabled", old.enabled != new.enabled),
        ("insecure_tls", old.insecure_tls != new.insecure_tls),
        ("host", old.host != new.host),
        ("remote_name", old.remote_name != new.remote_name),
        ("discovered", old.discovered != new.discovered),
        ("disk_warn", old.disk_warn != new.disk_warn),
        ("disk_crit", old.disk_crit != new.disk_crit),
        ("cert_warn_days", old.cert_warn_days != new.cert_warn_days),
        ("cert_crit_days", old.cert_crit_days != new.cert_crit_days),
        ("ca_file", old.ca_file != new.ca_file),
        ("push", old.push != new.push),
        ("push_grace", old.push_grace != new.push_grace),
        ("assertions", old.assertions != new.assertions),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect()
}

/// `import --sync`: the file is the whole truth. Every stored record it does not name is
/// disabled (`prune`: removed), but for instances a host's discovery created, which belong to
/// their server's list, not to the file. A record already disabled is unchanged. Hosts first.
/// Err: an instance of the file whose host pruning would remove.
pub fn sync(
    planned: &[Planned],
    existing: &[Row],
    prune: bool,
) -> Result<Vec<Planned>, Vec<Problem>> {
    let named: std::collections::HashSet<(RecordType, &str)> = planned
        .iter()
        .map(|p| (p.row.record_type, p.row.reference.as_str()))
        .collect();
    let mut out = Vec::new();
    let mut removed_hosts = std::collections::HashSet::new();
    let mut existing: Vec<&Row> = existing.iter().collect();
    existing.sort_by_key(|e| e.record_type != RecordType::Host);
    for e in existing {
        if named.contains(&(e.record_type, e.reference.as_str())) || e.discovered {
            continue;
        }
        let (action, row, changed) = match (prune, e.enabled) {
            (true, _) => {
                if e.record_type == RecordType::Host {
                    removed_hosts.insert(e.reference.as_str());
                }
                (Action::Removed, e.clone(), Vec::new())
            }
            (false, true) => {
                let mut row = e.clone();
                row.enabled = false;
                (Action::Disabled, row, vec!["enabled"])
            }
            (false, false) => (Action::Unchanged, e.clone(), Vec::new()),
        };
        out.push(Planned {
            row,
            action,
            changed,
        });
    }
    let stranded: Vec<Problem> = planned
        .iter()
        .filter(|p| {
            p.row
                .host
                .as_deref()
                .is_some_and(|h| removed_hosts.contains(h))
        })
        .map(|p| Problem {
            at: Position {
                line: 0,
                record: None,
            },
            subject: Some(p.row.describe()),
            message: format!(
                "its host '{}' is not in the file, so --prune would remove it: add the host \
                 to the file, or move the instance",
                p.row.host.as_deref().unwrap_or_default()
            ),
        })
        .collect();
    match stranded.is_empty() {
        true => Ok(out),
        false => Err(stranded),
    }
}
