//! `webhost status`: the fleet in one screen, from the store only.

use std::time::Duration;

use anyhow::Result;

use super::Context;
use crate::cli::StatusArgs;
use crate::exit_code::Exit;
use crate::health::Health;
use crate::model::{RecordType, Status};
use crate::output::fleet::{CertLine, DiskLine, FleetStatus, PassLine, Problem, TypeCounts};
use crate::poll::pass_name;
use crate::store::{Filter, PassRow, Record};
use crate::time;

pub fn run(ctx: &Context, args: &StatusArgs) -> Result<Exit> {
    let store = ctx.open_store()?;
    let now = time::now();
    let hosts = store.list(RecordType::Host, &Filter::default())?;
    let instances = store.list(RecordType::Instance, &Filter::default())?;
    let fleet = summarize(
        [&hosts[..], &instances[..]],
        &store.last_passes()?,
        now,
        args.stale,
        args.certs,
    );
    ctx.out.fleet(&fleet, now)?;
    Ok(Exit::Success)
}

/// The fleet at a glance from every record (hosts, then instances) and the last passes: what
/// `status` prints and the HTML report's summary shows. `certs` caps the certificate list.
pub(super) fn summarize(
    records: [&[Record]; 2],
    passes: &[PassRow],
    now: i64,
    stale: Duration,
    certs: usize,
) -> FleetStatus {
    let mut fleet = FleetStatus::default();
    let mut cert_lines = Vec::new();
    for (rt, records) in [RecordType::Host, RecordType::Instance]
        .into_iter()
        .zip(records)
    {
        let mut counts = TypeCounts::new(rt);
        for r in records {
            let assessment = r.health(now);
            counts.add(r.state.status(), assessment.health);
            if !r.settings.enabled {
                continue;
            }
            let status = r.state.status();
            if status != Status::Online {
                fleet.not_online.push(Problem {
                    record_type: rt,
                    reference: r.reference().to_string(),
                    status,
                    message: r.state.message.clone(),
                    since: r.state.status_since,
                });
            }
            if let Some(line) = disk_line(r, assessment.health, &assessment.reasons) {
                fleet.disks.push(line);
            }
            if let Some(expires) = r.state.cert_expires_at {
                cert_lines.push(CertLine {
                    record_type: rt,
                    reference: r.reference().to_string(),
                    expires_at: expires,
                    days_left: (expires - now).div_euclid(86_400),
                });
            }
        }
        let name = pass_name(rt);
        let last = passes.iter().find(|p| p.kind == name);
        let age = last.map(|p| now - p.started_at);
        let has_records = records.iter().any(|r| r.settings.enabled);
        fleet.passes.push(PassLine {
            kind: name.to_string(),
            started_at: last.map(|p| p.started_at),
            age_seconds: age,
            duration_ms: last.and_then(|p| p.duration_ms),
            polled: last.map(|p| p.polled),
            stale: has_records && age.is_none_or(|a| a > stale.as_secs() as i64),
        });
        fleet.counts.push(counts);
    }
    cert_lines.sort_by_key(|c| c.expires_at);
    cert_lines.truncate(certs);
    fleet.certificates = cert_lines;
    fleet.stale_after_seconds = stale.as_secs() as i64;
    fleet
}

/// A record whose disk crossed a threshold.
fn disk_line(r: &Record, health: Health, reasons: &[String]) -> Option<DiskLine> {
    let used = r.state.disk_used?;
    let reason = reasons.iter().find(|x| x.starts_with("disk"))?;
    Some(DiskLine {
        record_type: r.record_type,
        reference: r.reference().to_string(),
        used_bytes: used,
        total_bytes: r.state.disk_total,
        health,
        reason: reason.clone(),
    })
}
