//! `webhost metrics`: every enabled record and the last passes, for Prometheus.

use std::path::Path;

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::check::Response;
use crate::domain::model::RecordType;
use crate::domain::query::Filter;
use crate::output::atomic;
use crate::output::metrics::{self, RecordSample, ViewSample};
use crate::store::Store;

/// Per audited instance whose version can be told, its findings by severity (low, medium,
/// high, critical, unknown); nothing when no advisories are imported.
fn advisory_counts(store: &Store) -> Result<Vec<(String, [usize; 5])>> {
    let done = super::audit::audited(store, &[], None)?;
    if done.advisories.is_empty() {
        return Ok(Vec::new());
    }
    let mut counts = vec![[0usize; 5]; done.subjects.len()];
    for f in &done.audit.findings {
        let slot = match done.advisories[f.advisory].severity {
            Some(s) => s as usize,
            None => 4,
        };
        counts[f.subject][slot] += 1;
    }
    let unclear: std::collections::HashSet<usize> =
        done.audit.unclear_instances.iter().copied().collect();
    Ok(done
        .subjects
        .into_iter()
        .zip(counts)
        .enumerate()
        .filter(|(i, _)| !unclear.contains(i))
        .map(|(_, (s, c))| (s.reference, c))
        .collect())
}

/// Prints the exposition, or writes it to `output` atomically.
pub fn run(ctx: &Context, output: Option<&Path>) -> Result<Outcome> {
    let store = ctx.read_store()?;
    let now = ctx.now();
    let modules = store.module_counts()?;
    // Disabled records are left out: their state is frozen, and a series that stays "down"
    // after someone switched monitoring off on purpose would only page them.
    let enabled = Filter {
        enabled: Some(true),
        ..Filter::default()
    };
    let mut samples = Vec::new();
    let mut refs = std::collections::HashMap::new();
    for rt in RecordType::ALL {
        let mut records = store.list(rt, &enabled)?;
        refs.extend(
            records
                .iter()
                .map(|r| ((rt, r.id), r.reference().to_string())),
        );
        store.mark_maintenance(&mut records, now)?;
        for r in records {
            let st = &r.state;
            let module_count = match rt {
                RecordType::Host => None,
                // No module rows is a count of 0 only for an instance that reports modules
                // (a Dolibarr, which tells its version); a plain site has no count at all.
                RecordType::Instance => modules
                    .get(&r.id)
                    .copied()
                    .or_else(|| st.dolibarr_version.as_ref().map(|_| Default::default())),
            };
            samples.push(RecordSample {
                record_type: rt,
                reference: r.reference().to_string(),
                api: r.settings.kind,
                host: match rt {
                    RecordType::Host => Some(r.reference().to_string()),
                    RecordType::Instance => r.host_ref.clone(),
                },
                status: st.status(),
                health: r.health(now).health,
                // A refusal's time to fail is no response time (no sample, as for `U`).
                response_ms: Response::of(
                    r.settings.kind,
                    st.status(),
                    st.http_status,
                    st.response_ms,
                )
                .answered_ms(),
                disk_used: st.disk_used,
                disk_total: st.disk_total,
                last_check_at: st.last_check_at,
                cert_expires_at: st.cert_expires_at,
                modules: module_count,
                maintenance: r.maintenance.is_some(),
            });
        }
    }
    let mut text = metrics::render(&samples, &store.last_finished_passes()?);
    text.push_str(&metrics::advisories(&advisory_counts(&store)?));
    let pollers = store.pollers(now)?;
    if pollers.len() > 1 {
        let mut views = Vec::new();
        for rt in RecordType::ALL {
            views.extend(store.all_views(rt)?.into_iter().map(|(id, v)| (rt, id, v)));
        }
        let samples: Vec<ViewSample> = views
            .iter()
            .filter_map(|(rt, id, view)| {
                Some(ViewSample {
                    record_type: *rt,
                    reference: refs.get(&(*rt, *id))?,
                    view,
                })
            })
            .collect();
        text.push_str(&metrics::pollers(&samples, &pollers));
    }
    match output {
        Some(path) => {
            atomic::write(path, text.as_bytes())?;
            ctx.out
                .metrics_written(&path.display().to_string(), text.len())?;
        }
        None => ctx.out.metrics(&text)?,
    }
    Ok(Outcome::Done)
}
