//! A host's discovery: what its server listed against the instances stored under it, turned
//! into a plan: readings to store for the known ones, new records to create, and the ones no
//! longer listed to flag missing. Nothing is ever deleted.
//!
//! A listed name whose instance the user removed is left alone (it has a tombstone) for as long
//! as the server lists it, so `instance remove` sticks; once the list leaves it out, its
//! tombstone goes, and a later install of that name is a new instance.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::model::{ApiKind, Discovered, Reading, Record, RecordType, Status};
use super::units::shorten;
use super::validate;

/// An instance stored under the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownInstance {
    pub id: i64,
    pub remote_name: Option<String>,
    /// Created by discovery (only those are flagged missing when the list leaves them out).
    pub discovered: bool,
    pub missing: bool,
}

/// The host whose list this is.
#[derive(Debug, Clone, Copy)]
pub struct Host<'a> {
    pub id: i64,
    pub reference: &'a str,
    pub kind: ApiKind,
}

/// A record to create for a listed instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInstance {
    pub reference: String,
    pub kind: ApiKind,
    pub url: Option<String>,
    pub host_id: i64,
    /// Its name on the server.
    pub remote_name: String,
}

/// One thing to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<'a> {
    /// Store this reading as the known instance's check.
    Check { id: i64, reading: Cow<'a, Reading> },
    /// Listed by a custom probe, which vouches for its existence only: no longer missing.
    Unflag { id: i64 },
    /// Create the instance, then store its reading (none when the lister only vouched for it).
    Create {
        instance: NewInstance,
        reading: Option<&'a Reading>,
    },
}

/// The plan, and what it means for the pass summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan<'a> {
    pub steps: Vec<Step<'a>>,
    /// Refs of the instances created; names of those flagged missing, or back again.
    pub created: Vec<String>,
    pub flagged_missing: Vec<String>,
    pub returned: Vec<String>,
    /// Listed names that no record was created for, each with why (shortened when long): the
    /// pass summary says them, so a name never vanishes unnoticed.
    pub refused: Vec<(String, String)>,
    /// Tombstones of names the list no longer gives: to delete.
    pub lifted: Vec<String>,
}

/// What removing an instance leaves behind so that its host's discovery does not create it
/// again: its host and the name the server lists it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub host_id: i64,
    pub remote_name: String,
    /// The ref it had, by which `instance remove --forget` finds the tombstone.
    pub reference: String,
    /// Whether its server listed it at its last pass (a discovered instance not missing);
    /// else it only may (one added by hand on a server-manager host, which lists every install).
    pub listed: bool,
}

/// The tombstone removing `instance` (on a host of `host_kind`) must leave, if any: when its
/// host's next pass would otherwise create it again. A discovered instance flagged missing
/// needs none (its server no longer lists it), nor one on a host that lists nothing.
pub fn tombstone(instance: &Record, host_kind: ApiKind) -> Option<Tombstone> {
    let host_id = instance.settings.host_id?;
    let remote_name = instance.settings.remote_name.clone()?;
    let listed = instance.discovered && !instance.missing;
    let may_be_listed = !instance.discovered && host_kind == ApiKind::ServerManagerV1;
    (listed || may_be_listed).then(|| Tombstone {
        host_id,
        remote_name,
        reference: instance.reference().to_string(),
        listed,
    })
}

/// Longest name kept as an instance's name on its server: a folder name (NAME_MAX) is at most
/// 255 bytes, so a longer one is no instance, and would only bloat the store.
pub const MAX_NAME: usize = 255;

/// How much of a refused name its message quotes.
const QUOTED_NAME: usize = 64;

/// The refs a new instance named `name` may get, in the order they are tried: the name itself,
/// then `<host>.<name>` with the characters a ref cannot hold replaced by `_`, then that
/// shortened to fit and told apart by a hash of the whole name (`<host>.<start>-<hash>`), for
/// names too long, or whose cleaned form another name already took. Some may be invalid refs
/// (the name itself, often): `new_instance` skips those.
fn ref_candidates(host_ref: &str, name: &str) -> [String; 3] {
    let cleaned: String = name
        .chars()
        .map(|c| if validate::ref_char(c) { c } else { '_' })
        .collect();
    let prefixed = format!("{host_ref}.{cleaned}");
    let hash = format!("{:08x}", fnv1a(name.as_bytes()) as u32);
    let room = validate::MAX_REF - hash.len() - 1;
    let mut start = prefixed.chars().take(room).collect::<String>();
    while start.ends_with(['.', '-', '_']) && start.len() > 1 {
        start.pop();
    }
    let derived = format!("{start}-{hash}");
    [name.to_string(), prefixed, derived]
}

/// FNV-1a: a hash that stays the same across Rust releases, unlike `DefaultHasher`, so a
/// name's derived ref is the same in every pass.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Why a listed name can never become an instance, if it cannot.
fn unusable(name: &str) -> Option<String> {
    if name.chars().all(|c| c == '.') {
        return Some("a folder entry, not an instance".into());
    }
    if name.len() > MAX_NAME {
        return Some(format!(
            "a name of {} bytes: no folder name is longer than {MAX_NAME}",
            name.len()
        ));
    }
    None
}

/// Every ref a plan over `listed` might give a new record: the store says which are taken.
pub fn candidate_refs(
    host_ref: &str,
    listed: &[Discovered],
    known: &[KnownInstance],
) -> Vec<String> {
    let names: HashSet<&str> = known
        .iter()
        .filter_map(|k| k.remote_name.as_deref())
        .collect();
    listed
        .iter()
        .filter(|d| !names.contains(d.name.as_str()) && unusable(&d.name).is_none())
        .flat_map(|d| ref_candidates(host_ref, &d.name))
        .filter(|r| validate::reference(RecordType::Instance, r).is_ok())
        .collect()
}

/// Plans the discovery of `host` from what it `listed` and the instances `known` under it;
/// `taken` holds the refs (of `candidate_refs`) that records already use, `tombstoned` the
/// names of its instances the user removed (never created again while listed).
pub fn plan<'a>(
    host: Host<'_>,
    listed: &'a [Discovered],
    known: &[KnownInstance],
    taken: &HashSet<String>,
    tombstoned: &HashSet<String>,
) -> Plan<'a> {
    let gone = || {
        Cow::Owned(Reading::new(
            Status::Missing,
            format!("no longer listed by host {}", host.reference),
        ))
    };
    // The first stored instance of each name (by id), as the server names it.
    let mut by_name: HashMap<&str, &KnownInstance> = HashMap::with_capacity(known.len());
    for k in known {
        if let Some(name) = k.remote_name.as_deref() {
            by_name.entry(name).or_insert(k);
        }
    }
    let mut plan = Plan::default();
    let mut seen: HashSet<i64> = HashSet::with_capacity(listed.len());
    let mut listed_names: HashSet<&str> = HashSet::with_capacity(listed.len());
    let mut new_refs: HashSet<String> = HashSet::new();
    for d in listed {
        // A name listed twice is one instance: the first entry speaks for it.
        if !listed_names.insert(d.name.as_str()) {
            continue;
        }
        match (by_name.get(d.name.as_str()), &d.reading) {
            (Some(k), Some(reading)) => {
                seen.insert(k.id);
                if reading.status == Status::Unknown {
                    // Vouched for without a reading (a custom lister, or a server-manager
                    // instance left to update-instances): only a missing one has to change.
                    if k.missing {
                        plan.steps.push(Step::Unflag { id: k.id });
                    }
                } else {
                    plan.steps.push(Step::Check {
                        id: k.id,
                        reading: Cow::Borrowed(reading),
                    });
                }
                if k.missing && reading.status != Status::Missing {
                    plan.returned.push(d.name.clone());
                }
            }
            (Some(k), None) => {
                // Still listed, but no Dolibarr there any more: the install is gone.
                seen.insert(k.id);
                if !k.missing {
                    plan.flagged_missing.push(d.name.clone());
                }
                plan.steps.push(Step::Check {
                    id: k.id,
                    reading: Cow::Owned(Reading::new(
                        Status::Missing,
                        format!(
                            "listed by host {}, but its folder holds no Dolibarr (Wrong instance path)",
                            host.reference
                        ),
                    )),
                });
            }
            // Removed by the user: not to be created again.
            (None, _) if tombstoned.contains(&d.name) => {}
            (None, Some(reading)) => {
                let instance = match new_instance(host, d, taken, &new_refs) {
                    Ok(instance) => instance,
                    Err(why) => {
                        plan.refused.push((shorten(&d.name, QUOTED_NAME), why));
                        continue;
                    }
                };
                new_refs.insert(instance.reference.clone());
                // The ref, not the name: a name whose own ref was taken gets another, and the
                // pass must say which, or the record cannot be found.
                plan.created.push(instance.reference.clone());
                plan.steps.push(Step::Create {
                    instance,
                    reading: (reading.status != Status::Unknown).then_some(reading),
                });
            }
            (None, None) => {}
        }
    }
    // Discovered instances of this host that the list no longer names.
    for k in known
        .iter()
        .filter(|k| k.discovered && !seen.contains(&k.id))
    {
        if !k.missing {
            plan.flagged_missing
                .push(k.remote_name.clone().unwrap_or_default());
        }
        plan.steps.push(Step::Check {
            id: k.id,
            reading: gone(),
        });
    }
    plan.lifted = tombstoned
        .iter()
        .filter(|name| !listed_names.contains(name.as_str()))
        .cloned()
        .collect();
    plan.lifted.sort();
    plan
}

/// The record for a listed instance: its ref is the first free one of `ref_candidates`. Err
/// says why there is none: the name is unusable, nothing could check it (a custom probe listed
/// it without a URL), or every candidate ref is taken.
fn new_instance(
    host: Host<'_>,
    d: &Discovered,
    taken: &HashSet<String>,
    new_refs: &HashSet<String>,
) -> Result<NewInstance, String> {
    if let Some(why) = unusable(&d.name) {
        return Err(why);
    }
    let (kind, url) = match (host.kind, &d.url) {
        (ApiKind::ServerManagerV1, _) => (ApiKind::ServerManagerV1, None),
        (_, Some(url)) => (ApiKind::Ping, Some(url.clone())),
        (_, None) => return Err("listed without a URL, so nothing could check it".into()),
    };
    let free = |r: &String| {
        validate::reference(RecordType::Instance, r).is_ok()
            && !taken.contains(r)
            && !new_refs.contains(r)
    };
    let candidates = ref_candidates(host.reference, &d.name);
    let Some(reference) = candidates.iter().find(|r| free(r)).cloned() else {
        let tried: Vec<&str> = candidates
            .iter()
            .filter(|r| validate::reference(RecordType::Instance, r).is_ok())
            .map(String::as_str)
            .collect();
        return Err(format!("no free ref for it ({} taken)", tried.join(", ")));
    };
    Ok(NewInstance {
        reference,
        kind,
        url,
        host_id: host.id,
        remote_name: d.name.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::model::Settings;
    use super::*;

    const HOST: Host = Host {
        id: 7,
        reference: "srv",
        kind: ApiKind::ServerManagerV1,
    };

    fn listed(name: &str, status: Option<Status>) -> Discovered {
        Discovered {
            name: name.into(),
            url: None,
            reading: status.map(|s| Reading::new(s, "read")),
        }
    }

    fn known(id: i64, name: &str, missing: bool) -> KnownInstance {
        KnownInstance {
            id,
            remote_name: Some(name.into()),
            discovered: true,
            missing,
        }
    }

    fn checked(plan: &Plan) -> Vec<(i64, Status)> {
        plan.steps
            .iter()
            .filter_map(|s| match s {
                Step::Check { id, reading } => Some((*id, reading.status)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn known_instances_are_checked_and_the_unlisted_flagged() {
        let list = [
            listed("shop", Some(Status::Online)),
            listed("old", None),
            listed("back", Some(Status::Online)),
        ];
        let known = [
            known(1, "shop", false),
            known(2, "old", false),
            known(3, "back", true),
            known(4, "gone", false),
            known(5, "long-gone", true),
        ];
        let plan = plan(HOST, &list, &known, &HashSet::new(), &HashSet::new());
        assert_eq!(
            checked(&plan),
            [
                (1, Status::Online),
                (2, Status::Missing),
                (3, Status::Online),
                (4, Status::Missing),
                (5, Status::Missing)
            ]
        );
        assert_eq!(plan.flagged_missing, ["old", "gone"], "newly missing only");
        assert_eq!(plan.returned, ["back"]);
        assert!(plan.created.is_empty());
        let message = |i: usize| match &plan.steps[i] {
            Step::Check { reading, .. } => reading.message.clone(),
            other => panic!("{other:?}"),
        };
        // Still listed, its folder without Dolibarr: not "no longer listed".
        assert_eq!(
            message(1),
            "listed by host srv, but its folder holds no Dolibarr (Wrong instance path)"
        );
        assert_eq!(message(3), "no longer listed by host srv");
    }

    #[test]
    fn new_names_get_their_own_ref_or_a_prefixed_one() {
        let list = [
            listed("shop", Some(Status::Online)),
            listed("taken", Some(Status::Online)),
            listed("a b", Some(Status::Error)),
            listed("a_b", Some(Status::Online)),
            listed("..", Some(Status::Online)),
            listed("shop", Some(Status::Offline)),
            listed("nothing", None),
        ];
        let taken: HashSet<String> = ["taken".to_string()].into();
        let plan = plan(HOST, &list, &[], &taken, &HashSet::new());
        let created: Vec<(&str, &str, bool)> = plan
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Create { instance, reading } => Some((
                    instance.reference.as_str(),
                    instance.remote_name.as_str(),
                    reading.is_some(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            created,
            [
                ("shop", "shop", true),
                ("srv.taken", "taken", true),
                ("srv.a_b", "a b", true),
                // Its own ref is free, so the cleaned "a b" above does not stand in its way.
                ("a_b", "a_b", true),
            ]
        );
        // A prefixed ref is named, so the user can find the record.
        assert_eq!(plan.created, ["shop", "srv.taken", "srv.a_b", "a_b"]);
        assert_eq!(
            plan.refused,
            [(
                "..".to_string(),
                "a folder entry, not an instance".to_string()
            )]
        );
    }

    fn created_refs(plan: &Plan) -> Vec<String> {
        plan.steps
            .iter()
            .filter_map(|s| match s {
                Step::Create { instance, .. } => Some(instance.reference.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn names_that_cannot_be_refs_get_a_derived_one_or_are_reported() {
        let long_a = format!("{}-a", "x".repeat(200));
        let long_b = format!("{}-b", "x".repeat(200));
        let huge = "y".repeat(MAX_NAME + 1);
        let list = [
            listed(".", Some(Status::Online)),
            listed("...", Some(Status::Online)),
            listed(&long_a, Some(Status::Online)),
            listed(&long_b, Some(Status::Online)),
            listed(&huge, Some(Status::Online)),
            listed("a b", Some(Status::Online)),
            listed("a\u{1b}b", Some(Status::Online)),
        ];
        let plan = plan(HOST, &list, &[], &HashSet::new(), &HashSet::new());
        let refs = created_refs(&plan);
        assert_eq!(refs.len(), 4, "{refs:?}");
        for r in &refs {
            assert!(
                validate::reference(RecordType::Instance, r).is_ok(),
                "{r:?} is no ref"
            );
        }
        assert!(refs[0].starts_with("srv.xxx") && refs[1].starts_with("srv.xxx"));
        assert_eq!(refs[0].len(), validate::MAX_REF);
        assert_ne!(refs[0], refs[1], "long names sharing a start stay apart");
        // The name with ESC is cleaned like "a b", whose ref it would take: it gets a hash.
        assert_eq!(refs[2], "srv.a_b");
        assert!(refs[3].starts_with("srv.a_b-") && refs[3].len() == "srv.a_b-".len() + 8);
        assert_eq!(plan.created, refs);

        let refused: Vec<(&str, &str)> = plan
            .refused
            .iter()
            .map(|(name, why)| (name.as_str(), why.as_str()))
            .collect();
        assert_eq!(refused.len(), 3, "{refused:?}");
        assert_eq!(refused[0], (".", "a folder entry, not an instance"));
        assert_eq!(refused[1], ("...", "a folder entry, not an instance"));
        assert_eq!(
            refused[2].0.chars().count(),
            QUOTED_NAME,
            "quoted shortened"
        );
        assert!(refused[2].1.contains("256 bytes"), "{}", refused[2].1);

        // The same derived refs every time, and the store is asked about exactly those.
        let again = super::plan(HOST, &list, &[], &HashSet::new(), &HashSet::new());
        assert_eq!(created_refs(&again), refs);
        let asked = candidate_refs("srv", &list, &[]);
        for r in &refs {
            assert!(asked.contains(r), "{r} not asked about");
        }
        assert!(asked.iter().all(|r| r.len() <= validate::MAX_REF));
    }

    #[test]
    fn a_name_whose_every_ref_is_taken_is_reported() {
        let list = [listed("shop", Some(Status::Online))];
        let taken: HashSet<String> = candidate_refs("srv", &list, &[]).into_iter().collect();
        assert_eq!(taken.len(), 3, "{taken:?}");
        let plan = plan(HOST, &list, &[], &taken, &HashSet::new());
        assert!(plan.steps.is_empty() && plan.created.is_empty());
        assert_eq!(plan.refused.len(), 1);
        assert_eq!(plan.refused[0].0, "shop");
        assert!(
            plan.refused[0]
                .1
                .starts_with("no free ref for it (shop, srv.shop, srv.shop-"),
            "{:?}",
            plan.refused
        );
    }

    #[test]
    fn a_custom_lister_vouches_without_a_reading() {
        let host = Host {
            kind: ApiKind::Custom,
            ..HOST
        };
        let mut with_url = listed("site", Some(Status::Unknown));
        with_url.url = Some("https://site.example/".into());
        let list = [
            with_url,
            listed("no-url", Some(Status::Unknown)),
            listed("back", Some(Status::Unknown)),
        ];
        let plan = plan(
            host,
            &list,
            &[known(9, "back", true)],
            &HashSet::new(),
            &HashSet::new(),
        );
        assert_eq!(plan.steps.len(), 2, "{:?}", plan.steps);
        assert_eq!(
            plan.refused,
            [(
                "no-url".to_string(),
                "listed without a URL, so nothing could check it".to_string()
            )]
        );
        assert!(matches!(
            &plan.steps[0],
            Step::Create { instance, reading: None }
                if instance.kind == ApiKind::Ping && instance.url.as_deref() == Some("https://site.example/")
        ));
        assert_eq!(plan.steps[1], Step::Unflag { id: 9 });
        assert_eq!(plan.returned, ["back"]);
    }

    #[test]
    fn candidates_are_asked_only_for_new_names() {
        let list = [listed("shop", None), listed("new one", None)];
        assert_eq!(
            candidate_refs("srv", &list, &[known(1, "shop", false)]),
            [
                "srv.new_one".to_string(),
                format!("srv.new_one-{:08x}", fnv1a(b"new one") as u32)
            ]
        );
    }

    #[test]
    fn a_removed_name_is_not_created_again_while_listed() {
        let list = [
            listed("removed", Some(Status::Online)),
            listed("vouched", Some(Status::Unknown)),
            listed("gone-install", None),
            listed("again", Some(Status::Online)),
            listed("new", Some(Status::Online)),
        ];
        // "again" was removed, then added back by hand: its record wins over its tombstone.
        let known = [known(3, "again", false)];
        let tombstoned: HashSet<String> =
            ["removed", "vouched", "gone-install", "again", "unlisted"]
                .into_iter()
                .map(String::from)
                .collect();
        let plan = plan(HOST, &list, &known, &HashSet::new(), &tombstoned);
        assert_eq!(created_refs(&plan), ["new"]);
        assert_eq!(plan.created, ["new"]);
        assert_eq!(checked(&plan), [(3, Status::Online)]);
        assert!(plan.refused.is_empty() && plan.flagged_missing.is_empty());
        // Only the tombstone of a name no longer listed goes.
        assert_eq!(plan.lifted, ["unlisted"]);

        let without = super::plan(HOST, &list, &known, &HashSet::new(), &HashSet::new());
        assert_eq!(created_refs(&without), ["removed", "vouched", "new"]);
        assert!(without.lifted.is_empty());
    }

    #[test]
    fn removing_leaves_a_tombstone_only_where_discovery_would_bring_it_back() {
        let record = |discovered: bool, missing: bool| {
            let mut settings = Settings::new("shop", ApiKind::ServerManagerV1);
            settings.host_id = Some(7);
            settings.remote_name = Some("shop-folder".into());
            Record {
                id: 1,
                record_type: RecordType::Instance,
                settings,
                created_at: 0,
                host_ref: Some("srv".into()),
                discovered,
                missing,
                has_token: false,
                maintenance: None,
                state: Default::default(),
            }
        };
        let stone = tombstone(&record(true, false), ApiKind::ServerManagerV1).expect("listed");
        assert_eq!(
            stone,
            Tombstone {
                host_id: 7,
                remote_name: "shop-folder".into(),
                reference: "shop".into(),
                listed: true,
            }
        );
        assert!(tombstone(&record(true, false), ApiKind::Custom).is_some_and(|t| t.listed));
        assert_eq!(
            tombstone(&record(true, true), ApiKind::ServerManagerV1),
            None
        );
        let by_hand = tombstone(&record(false, false), ApiKind::ServerManagerV1);
        assert!(by_hand.is_some_and(|t| !t.listed));
        assert_eq!(
            tombstone(&record(false, false), ApiKind::ServerObserverV1),
            None
        );
        let mut alone = record(true, false);
        alone.settings.host_id = None;
        assert_eq!(tombstone(&alone, ApiKind::ServerManagerV1), None);
        let mut unnamed = record(false, false);
        unnamed.settings.remote_name = None;
        assert_eq!(tombstone(&unnamed, ApiKind::ServerManagerV1), None);
    }
}
