//! The pass's single writer: for each result, what the record was, what the check makes of it
//! (by the domain's rules: state, inventory changes, alerts, discovery) and the store's steps
//! to write it, a batch at a time in one transaction.
//!
//! A module list that changed is compared with the stored one before the transaction opens,
//! so that a server sending tens of thousands of changing modules makes the transaction, which
//! locks out every other writer, no longer than writing them takes.

use std::borrow::Cow;
use std::collections::HashMap;

use anyhow::Result;

use crate::domain::alert;
use crate::domain::config::Hooks;
use crate::domain::discovery::{self, Step};
use crate::domain::inventory;
use crate::domain::maintenance::{self, Window};
use crate::domain::model::{Discovered, Reading, RecordKey, RecordType};
use crate::domain::pass::CheckResult;
use crate::domain::pass::Stored;
use crate::domain::poller;
use crate::store::{Batch, CheckWrite, Store};

/// Whether a pass's readings are put to the other pollers' vote (`all` mode), and the quorum
/// setting (None: a majority).
#[derive(Debug, Clone, Copy)]
pub struct Votes {
    pub quorum: Option<u32>,
}

/// The pollers that count in a batch, by record type: read once a batch.
struct Counted {
    votes: Votes,
    by_type: HashMap<RecordType, Vec<String>>,
}

/// Stores a batch of results, all or nothing, with the alerts they raise for `hooks` (without
/// a hook, alert state is left untouched). With `votes`, each record's state follows the
/// quorum of the pollers' latest views of it.
pub fn write(
    store: &mut Store,
    results: &[CheckResult],
    hooks: Option<&Hooks>,
    votes: Option<Votes>,
) -> Result<Vec<Stored>> {
    let compared = compare_modules(store, results)?;
    store.batch(|batch| {
        let keys: Vec<RecordKey> = results.iter().map(|r| r.key).collect();
        batch.prefetch(&keys)?;
        let counted = match (votes, results.first()) {
            (Some(votes), Some(first)) => {
                let mut by_type = HashMap::new();
                for rt in RecordType::ALL {
                    if results.iter().any(|r| r.key.record_type == rt) {
                        by_type.insert(rt, batch.pollers_counted(rt.pass_name(), first.at)?);
                    }
                }
                Some(Counted { votes, by_type })
            }
            _ => None,
        };
        // Alerts ask whether a record is in maintenance: the windows are read once a batch.
        let windows = match hooks {
            Some(_) => batch.maintenance_windows()?,
            None => Vec::new(),
        };
        let mut stored = Vec::with_capacity(results.len());
        for r in results {
            let modules = Modules {
                digest: r.modules_digest,
                compared: compared
                    .get(&r.key.id)
                    .filter(|_| r.key.record_type == RecordType::Instance),
            };
            let voted = match &counted {
                Some(c) => vote(batch, r, c)?,
                None => None,
            };
            let reading = voted.as_ref().unwrap_or(&r.reading);
            let mut s = store_check(batch, r.key, r.at, reading, modules, hooks, &windows)?;
            if let Some(cert) = &r.cert {
                batch.set_certificate(r.key, cert)?;
            }
            if let Some(listed) = &r.reading.discovered {
                discover(batch, r.key.id, r.at, listed, hooks, &windows, &mut s)?;
            }
            stored.push(s);
        }
        Ok(stored)
    })
}

/// Stores one pushed reading as a pass stores a check, once its sender's `time` is claimed in
/// the same transaction: None when a replay (or the same push twice) claimed it first.
pub fn write_push(
    store: &mut Store,
    result: &CheckResult,
    time: i64,
    hooks: Option<&Hooks>,
) -> Result<Option<Stored>> {
    let compared = compare_modules(store, std::slice::from_ref(result))?;
    store.batch(|batch| {
        if !batch.claim_push(result.key.id, time, result.at)? {
            return Ok(None);
        }
        let windows = match hooks {
            Some(_) => batch.maintenance_windows()?,
            None => Vec::new(),
        };
        let modules = Modules {
            digest: result.modules_digest,
            compared: compared.get(&result.key.id),
        };
        store_check(
            batch,
            result.key,
            result.at,
            &result.reading,
            modules,
            hooks,
            &windows,
        )
        .map(Some)
    })
}

/// Stores this poller's view of the record, and the reading the pollers' quorum makes of it
/// when it is not this poller's own (None: its own stands).
fn vote(batch: &Batch, r: &CheckResult, counted: &Counted) -> Result<Option<Reading>> {
    let Some(me) = batch.poller() else {
        return Ok(None);
    };
    batch.store_view(r.key, r.at, r.reading.status, &r.reading.message)?;
    let pollers = counted
        .by_type
        .get(&r.key.record_type)
        .map_or(&[][..], Vec::as_slice);
    let others = pollers.iter().filter(|p| p.as_str() != me).count();
    if others == 0 {
        return Ok(None);
    }
    let views = batch.views(r.key, pollers)?;
    let k = poller::quorum(counted.votes.quorum, others + 1);
    Ok(poller::decide(&r.reading, me, &views, k))
}

/// How a reading's module list compared with the stored one, found outside the transaction.
#[derive(Debug)]
struct Compared {
    /// The stored list's digest when it was compared: still the same inside the transaction,
    /// the comparison holds.
    stored_digest: Option<Vec<u8>>,
    /// The stored list differs: it is replaced, with these changes.
    replace: bool,
    changes: Vec<inventory::Change>,
}

/// What is known of a reading's module list before its check is stored.
#[derive(Debug, Clone, Copy, Default)]
struct Modules<'a> {
    /// Its digest when it is normalized already (a pass's workers do it).
    digest: Option<[u8; 16]>,
    compared: Option<&'a Compared>,
}

/// Compares, without a transaction, every instance's new module list whose digest differs from
/// the stored one: almost always none, as a steady pass finds the same lists.
fn compare_modules(store: &Store, results: &[CheckResult]) -> Result<HashMap<i64, Compared>> {
    let listed: Vec<(i64, &[_], [u8; 16])> = results
        .iter()
        .filter(|r| r.key.record_type == RecordType::Instance)
        .filter_map(|r| Some((r.key.id, r.reading.modules.as_deref()?, r.modules_digest?)))
        .collect();
    if listed.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = listed.iter().map(|l| l.0).collect();
    let digests = store.modules_digests(&ids)?;
    let mut compared = HashMap::new();
    for (id, modules, digest) in listed {
        let stored_digest = digests.get(&id).cloned().flatten();
        if stored_digest.as_deref() == Some(digest.as_slice()) {
            continue;
        }
        let stored = store.modules(id)?;
        let replace = stored != modules;
        // The first inventory of an instance is a baseline, not a change.
        let changes = if replace && !stored.is_empty() {
            inventory::diff(&stored, modules)
        } else {
            Vec::new()
        };
        compared.insert(
            id,
            Compared {
                stored_digest,
                replace,
                changes,
            },
        );
    }
    Ok(compared)
}

/// Stores one record's check: its new state and history row, its inventory changes, and the
/// alert it is due. A module list not known to be normalized is normalized here.
fn store_check(
    batch: &Batch,
    key: RecordKey,
    at: i64,
    reading: &Reading,
    known: Modules,
    hooks: Option<&Hooks>,
    windows: &[Window],
) -> Result<Stored> {
    let before = batch.before(key)?;
    let previous = before.state.status();
    // An instance that failed while its host is down (as the host's last check, in this pass
    // or the last, found it) is unreachable: the host's alert speaks for it.
    let through_host = match key.record_type {
        RecordType::Instance if reading.status.is_down() => batch
            .host_status(key.id)?
            .and_then(|host| alert::through_host(reading, &host, at)),
        _ => None,
    };
    let reading = through_host.as_ref().unwrap_or(reading);
    let mut state = before.state.clone();
    state.record(reading, at);

    let dolibarr = inventory::dolibarr_change(
        before.state.dolibarr_version.as_deref(),
        reading.dolibarr_version.as_deref(),
    );
    let mut module_changes = Vec::new();
    let mut modules_digest = None;
    if key.record_type == RecordType::Instance
        && let Some(modules) = &reading.modules
    {
        let modules: Cow<[_]> = match known.digest {
            Some(_) => Cow::Borrowed(modules),
            None => {
                let mut list = modules.clone();
                inventory::normalize(&mut list);
                Cow::Owned(list)
            }
        };
        let digest = known.digest.unwrap_or_else(|| inventory::digest(&modules));
        // Almost every pass finds the same list: the digest says so without reading it back.
        if before.modules_digest.as_deref() != Some(digest.as_slice()) {
            match known
                .compared
                .filter(|c| c.stored_digest == before.modules_digest)
            {
                Some(c) => {
                    if c.replace {
                        batch.replace_modules(key.id, &modules)?;
                    }
                    module_changes.clone_from(&c.changes);
                }
                // Not compared before, or another writer changed the list since.
                None => {
                    let stored = batch.modules(key.id)?;
                    if stored != *modules {
                        if !stored.is_empty() {
                            module_changes = inventory::diff(&stored, &modules);
                        }
                        batch.replace_modules(key.id, &modules)?;
                    }
                }
            }
        }
        modules_digest = Some(digest);
    }
    // A server churning every module each pass adds one row, not one per module.
    let changes = inventory::check_changes(dolibarr, module_changes);
    if !changes.is_empty() {
        batch.record_inventory(key.id, at, &changes)?;
    }

    batch.store_check(&CheckWrite {
        key,
        at,
        reading,
        state: &state,
        changed_from: (previous != reading.status).then_some(previous),
        modules_digest,
    })?;

    let mut events = Vec::new();
    let in_maintenance = || {
        let over = windows
            .iter()
            .filter(|w| maintenance::covers(w, key, before.host_id));
        maintenance::active_at(over, at).is_some()
    };
    if let Some(hooks) = hooks
        && !alert::held_back(reading.status, in_maintenance())
    {
        let subject = alert::Subject {
            kind: key.record_type,
            reference: &before.reference,
            url: before.url.as_deref(),
        };
        let outcome = alert::on_check(
            subject,
            &state,
            before.alerted,
            before.alerted_at,
            &hooks.policy,
            at,
        );
        if let Some(status) = outcome.remember {
            batch.remember_alert(key, status, at)?;
        }
        if let Some(mut event) = outcome.event {
            if key.record_type == RecordType::Host && event.to.is_down() {
                event = alert::with_instances_down(event, batch.instances_on(key.id)?);
            }
            // Stored with the check: delivered after the pass, kept until a hook takes it.
            batch.enqueue_alert(&event, &hooks.command, at)?;
            events.push(event);
        }
    }
    Ok(Stored {
        record_type: key.record_type,
        reference: before.reference,
        previous,
        status: reading.status,
        message: reading.message.clone(),
        response_ms: reading.response_ms,
        created: Vec::new(),
        flagged_missing: Vec::new(),
        returned: Vec::new(),
        refused: Vec::new(),
        events,
    })
}

/// A host's discovery, as `discovery::plan` decides it; the host's own result `s` gets the
/// names created, flagged and back, and the alerts of its instances.
fn discover(
    batch: &Batch,
    host_id: i64,
    at: i64,
    listed: &[Discovered],
    hooks: Option<&Hooks>,
    windows: &[Window],
    s: &mut Stored,
) -> Result<()> {
    let host = discovery::Host {
        id: host_id,
        reference: &s.reference,
        kind: batch.host_kind(host_id)?,
    };
    let known = batch.known_instances(host_id)?;
    let taken = batch.refs_taken(&discovery::candidate_refs(host.reference, listed, &known))?;
    let tombstoned = batch.tombstones(host_id)?;
    let plan = discovery::plan(host, listed, &known, &taken, &tombstoned);
    batch.lift_tombstones(host_id, &plan.lifted)?;
    let instance = |id| RecordKey {
        record_type: RecordType::Instance,
        id,
    };
    let mut events = Vec::new();
    for step in plan.steps {
        match step {
            Step::Check { id, reading } => {
                let known = Modules::default();
                events.extend(
                    store_check(batch, instance(id), at, &reading, known, hooks, windows)?.events,
                );
            }
            Step::Unflag { id } => batch.unflag_missing(id)?,
            Step::Create {
                instance: new,
                reading,
            } => {
                let id = batch.create_instance(&new, at)?;
                if let Some(reading) = reading {
                    events.extend(
                        store_check(
                            batch,
                            instance(id),
                            at,
                            reading,
                            Modules::default(),
                            hooks,
                            windows,
                        )?
                        .events,
                    );
                }
            }
        }
    }
    s.events.extend(events);
    s.created = plan.created;
    s.flagged_missing = plan.flagged_missing;
    s.refused = plan.refused;
    s.returned = plan.returned;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ApiKind, Module, Settings, Status};

    fn module(name: &str, version: Option<&str>, active: bool) -> Module {
        Module {
            name: name.into(),
            version: version.map(str::to_string),
            active,
            source: Some("external".into()),
            editor: None,
        }
    }

    /// A store with one instance; returns its id.
    fn setup() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(
            &dir.path().join("w.db"),
            crate::store::Access::Create { mode: 0o600 },
        )
        .expect("open");
        let mut settings = Settings::new("i", ApiKind::ServerObserverV1);
        settings.url = Some("http://x/".into());
        let id = store
            .insert(RecordType::Instance, &settings, 0)
            .expect("insert");
        (dir, store, id)
    }

    fn key(id: i64) -> RecordKey {
        RecordKey {
            record_type: RecordType::Instance,
            id,
        }
    }

    /// Stores `modules` for the instance; returns the rows the write changed.
    fn write_modules(store: &mut Store, id: i64, at: i64, modules: &[Module]) -> u64 {
        let before = store.total_changes();
        let reading = Reading {
            modules: Some(modules.to_vec()),
            ..Reading::new(Status::Online, "ok")
        };
        let result = CheckResult::new(key(id), at, reading, None);
        write(store, &[result], None, None).expect("write");
        store.total_changes() - before
    }

    fn stored(store: &Store, id: i64) -> Vec<Module> {
        store.modules(id).expect("modules")
    }

    #[test]
    fn an_unchanged_module_list_is_not_rewritten() {
        let (_dir, mut store, id) = setup();
        let list = vec![
            module("modB", Some("1.0"), true),
            module("modA", None, false),
            module("modC", Some("dolibarr"), true),
        ];
        write_modules(&mut store, id, 1, &list);
        // Same modules in another order: only the record and its check are written.
        let shuffled: Vec<Module> = list.iter().rev().cloned().collect();
        let steady = write_modules(&mut store, id, 2, &shuffled);
        let mut edited = list.clone();
        edited[0].editor = Some("ATM".into());
        let rewritten = write_modules(&mut store, id, 4, &edited);
        // Delete and insert every module, on top of what a steady write does.
        assert_eq!(rewritten, steady + 2 * list.len() as u64);
    }

    #[test]
    fn a_list_stored_before_the_digest_is_compared_row_by_row() {
        let (_dir, mut store, id) = setup();
        let list = vec![
            module("modA", Some("1.0"), true),
            module("modB", None, false),
        ];
        write_modules(&mut store, id, 1, &list);
        let steady = write_modules(&mut store, id, 2, &list);
        // As a database migrated from before the digest: rows, no digest.
        store.forget_modules_digest(id).expect("forget digest");
        assert_eq!(
            write_modules(&mut store, id, 3, &list),
            steady,
            "not rewritten"
        );
        let digest = store.modules_digest(id).expect("digest");
        assert_eq!(digest.map(|d| d.len()), Some(16), "digest stored again");
        store.forget_modules_digest(id).expect("forget digest");
        let mut edited = list.clone();
        edited[1].active = true;
        write_modules(&mut store, id, 4, &edited);
        assert_eq!(stored(&store, id), edited);
    }

    #[test]
    fn any_difference_in_a_module_is_stored() {
        let (_dir, mut store, id) = setup();
        let base = vec![
            module("modA", Some("1.0"), true),
            module("modB", None, false),
        ];
        let mut variants: Vec<Vec<Module>> = Vec::new();
        let mut v = base.clone();
        v[0].version = None;
        variants.push(v);
        let mut v = base.clone();
        v[1].version = Some("2.0".into());
        variants.push(v);
        let mut v = base.clone();
        v[1].active = true;
        variants.push(v);
        let mut v = base.clone();
        v[0].source = None;
        variants.push(v);
        let mut v = base.clone();
        v[1].editor = Some("Someone".into());
        variants.push(v);
        let mut v = base.clone();
        v[1].name = "modC".into();
        variants.push(v);
        variants.push(base[..1].to_vec());
        let mut v = base.clone();
        v.push(module("modZ", Some("3"), true));
        variants.push(v);
        variants.push(Vec::new());
        for (at, variant) in variants.iter().enumerate() {
            write_modules(&mut store, id, 10 * at as i64, &base);
            assert_eq!(stored(&store, id), base);
            write_modules(&mut store, id, 10 * at as i64 + 5, variant);
            assert_eq!(&stored(&store, id), variant, "variant {at}");
        }
    }

    #[test]
    fn a_list_that_churns_whole_is_one_change_row() {
        let (_dir, mut store, id) = setup();
        let list = |v: &str| -> Vec<Module> {
            (0..60)
                .map(|i| module(&format!("mod{i:02}"), Some(v), true))
                .collect()
        };
        write_modules(&mut store, id, 1, &list("1.0"));
        write_modules(&mut store, id, 2, &list("1.1"));
        let changes = store.inventory_changes(0).expect("changes");
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].subject, "modules");
        assert_eq!(
            changes[0].new.as_deref(),
            Some("60 modules changed (60 upgraded)")
        );
        assert_eq!(
            stored(&store, id),
            list("1.1"),
            "the list itself is stored whole"
        );
        // Pruned with the raw checks, unlike a real change.
        let dolibarr = Reading {
            dolibarr_version: Some("18.0.4".into()),
            ..Reading::new(Status::Online, "ok")
        };
        write(
            &mut store,
            &[CheckResult::new(key(id), 3, dolibarr.clone(), None)],
            None,
            None,
        )
        .expect("write");
        let upgraded = Reading {
            dolibarr_version: Some("19.0.0".into()),
            ..dolibarr
        };
        write(
            &mut store,
            &[CheckResult::new(key(id), 4, upgraded, None)],
            None,
            None,
        )
        .expect("write");
        store.prune(86_400 * 2).expect("prune");
        let kept: Vec<String> = store
            .inventory_changes(0)
            .expect("changes")
            .into_iter()
            .map(|c| c.subject)
            .collect();
        assert_eq!(kept, ["dolibarr"]);
    }

    #[test]
    fn a_batch_is_all_or_nothing() {
        let (_dir, mut store, id) = setup();
        let ok = CheckResult::new(key(id), 10, Reading::new(Status::Online, "ok"), None);
        let gone = CheckResult::new(key(id + 99), 10, Reading::new(Status::Online, "ok"), None);
        let err = write(&mut store, &[ok, gone], None, None).expect_err("a vanished record");
        assert!(err.to_string().contains("vanished"), "{err}");
        assert!(store.checks_of(key(id)).expect("checks").is_empty());
    }
}
