//! `webhost metrics`: every enabled record and the last passes, for Prometheus.

use std::path::Path;

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::check::Response;
use crate::domain::model::RecordType;
use crate::domain::query::Filter;
use crate::output::atomic;
use crate::output::metrics::{self, RecordSample};

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
    for rt in RecordType::ALL {
        for r in store.list(rt, &enabled)? {
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
            });
        }
    }
    let text = metrics::render(&samples, &store.last_finished_passes()?);
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
