//! `webhost status`: the fleet in one screen, from the store only.

use anyhow::Result;

use super::Context;
use crate::cli::StatusArgs;
use crate::exit_code::Exit;
use crate::health::Health;
use crate::model::{RecordType, Status};
use crate::output::fleet::{CertLine, DiskLine, FleetStatus, PassLine, Problem, TypeCounts};
use crate::poll::pass_name;
use crate::store::{Filter, Record};
use crate::time;

pub fn run(ctx: &Context, args: &StatusArgs) -> Result<Exit> {
    let store = ctx.open_store()?;
    let now = time::now();
    let passes = store.last_passes()?;
    let mut fleet = FleetStatus::default();
    let mut certs = Vec::new();
    for rt in [RecordType::Host, RecordType::Instance] {
        let records = store.list(rt, &Filter::default())?;
        let mut counts = TypeCounts::new(rt);
        for r in &records {
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
                certs.push(CertLine {
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
            stale: has_records && age.is_none_or(|a| a > args.stale.as_secs() as i64),
        });
        fleet.counts.push(counts);
    }
    certs.sort_by_key(|c| c.expires_at);
    certs.truncate(args.certs);
    fleet.certificates = certs;
    fleet.stale_after_seconds = args.stale.as_secs() as i64;
    ctx.out.fleet(&fleet, now)?;
    Ok(Exit::Success)
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
