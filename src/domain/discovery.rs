//! A host's discovery: what its server listed against the instances stored under it, turned
//! into a plan: readings to store for the known ones, new records to create, and the ones no
//! longer listed to flag missing. Nothing is ever deleted.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::model::{ApiKind, Discovered, Reading, RecordType, Status};
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
    /// Names of the instances created, flagged missing, or back again.
    pub created: Vec<String>,
    pub flagged_missing: Vec<String>,
    pub returned: Vec<String>,
}

/// The refs a new instance named `name` may get, in the order they are tried: the name itself,
/// then `<host>.<name>` with the characters a ref cannot hold replaced by `_`.
fn ref_candidates(host_ref: &str, name: &str) -> [String; 2] {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    [name.to_string(), format!("{host_ref}.{cleaned}")]
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
        .filter(|d| !names.contains(d.name.as_str()))
        .flat_map(|d| ref_candidates(host_ref, &d.name))
        .collect()
}

/// Plans the discovery of `host` from what it `listed` and the instances `known` under it;
/// `taken` holds the refs (of `candidate_refs`) that records already use.
pub fn plan<'a>(
    host: Host<'_>,
    listed: &'a [Discovered],
    known: &[KnownInstance],
    taken: &HashSet<String>,
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
                    plan.steps.push(Step::Unflag { id: k.id });
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
                // Listed, but no Dolibarr there any more: the install is gone.
                seen.insert(k.id);
                if !k.missing {
                    plan.flagged_missing.push(d.name.clone());
                }
                plan.steps.push(Step::Check {
                    id: k.id,
                    reading: gone(),
                });
            }
            (None, Some(reading)) => {
                let Some(instance) = new_instance(host, d, taken, &new_refs) else {
                    continue;
                };
                new_refs.insert(instance.reference.clone());
                plan.created.push(d.name.clone());
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
    plan
}

/// The record for a listed instance: its ref is the remote name, or `<host>.<name>` when that
/// ref is taken or invalid. None when it cannot be checked (no kind fits) or no ref is free.
fn new_instance(
    host: Host<'_>,
    d: &Discovered,
    taken: &HashSet<String>,
    new_refs: &HashSet<String>,
) -> Option<NewInstance> {
    let (kind, url) = match (host.kind, &d.url) {
        (ApiKind::ServerManagerV1, _) => (ApiKind::ServerManagerV1, None),
        (_, Some(url)) => (ApiKind::Ping, Some(url.clone())),
        (_, None) => return None,
    };
    let free = |r: &String| {
        validate::reference(RecordType::Instance, r).is_ok()
            && !taken.contains(r)
            && !new_refs.contains(r)
    };
    let [own, prefixed] = ref_candidates(host.reference, &d.name);
    let reference = if free(&own) {
        own
    } else if free(&prefixed) {
        prefixed
    } else {
        return None;
    };
    Some(NewInstance {
        reference,
        kind,
        url,
        host_id: host.id,
        remote_name: d.name.clone(),
    })
}

#[cfg(test)]
mod tests {
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
        let plan = plan(HOST, &list, &known, &HashSet::new());
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
        let Step::Check { reading, .. } = &plan.steps[1] else {
            panic!("{:?}", plan.steps[1]);
        };
        assert_eq!(reading.message, "no longer listed by host srv");
    }

    #[test]
    fn new_names_get_their_own_ref_or_a_prefixed_one() {
        let list = [
            listed("shop", Some(Status::Online)),
            listed("taken", Some(Status::Online)),
            listed("a b", Some(Status::Error)),
            listed("..", Some(Status::Online)),
            listed("shop", Some(Status::Offline)),
            listed("nothing", None),
        ];
        let taken: HashSet<String> = ["taken".to_string()].into();
        let plan = plan(HOST, &list, &[], &taken);
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
                ("..", "..", true),
            ]
        );
        assert_eq!(plan.created, ["shop", "taken", "a b", ".."]);
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
        let plan = plan(host, &list, &[known(9, "back", true)], &HashSet::new());
        assert_eq!(plan.steps.len(), 2, "{:?}", plan.steps);
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
            ["new one", "srv.new_one"]
        );
    }
}
