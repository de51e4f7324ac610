//! The fleet at a glance: counts by status and health, what is down, full disks, certificates
//! expiring soonest, and whether the passes still run. `status` prints it; the status page
//! opens with it.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::Serialize;

use super::forecast::{self, Level, Trend};
use super::health::Health;
use super::history::PassInfo;
use super::model::{Record, RecordKey, RecordType, Risk, Status};
use super::units::{serialize_opt_rfc3339, serialize_rfc3339};

#[derive(Debug, Default, Serialize)]
pub struct FleetStatus {
    pub counts: Vec<TypeCounts>,
    pub not_online: Vec<Problem>,
    pub disks: Vec<DiskLine>,
    pub certificates: Vec<CertLine>,
    /// Disks that reach their next level soonest (the command fills it in: see [`filling`]).
    pub filling: Vec<FillLine>,
    pub risky: RiskyCounts,
    /// Known vulnerabilities, once advisories are imported (the command fills it in).
    pub advisories: Option<super::advisory::AuditCounts>,
    pub passes: Vec<PassLine>,
    pub stale_after_seconds: i64,
    /// What a pass tries before it blames this machine's network (`config set
    /// connectivity-check`); empty when nothing is configured.
    pub connectivity_check: Vec<String>,
    /// The pollers that ran passes on this database (the command fills it in).
    pub pollers: Vec<super::poller::PollerInfo>,
}

/// Records of one type by status and by health.
#[derive(Debug, Serialize)]
pub struct TypeCounts {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    pub total: usize,
    pub by_status: BTreeMap<&'static str, usize>,
    pub by_health: BTreeMap<&'static str, usize>,
}

impl TypeCounts {
    pub fn new(rt: RecordType) -> TypeCounts {
        TypeCounts {
            record_type: rt,
            total: 0,
            by_status: BTreeMap::new(),
            by_health: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, status: Status, health: Health) {
        self.total += 1;
        *self.by_status.entry(status.as_str()).or_default() += 1;
        *self.by_health.entry(health.as_str()).or_default() += 1;
    }
}

/// An enabled record that is not online.
#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: String,
    pub status: Status,
    pub message: Option<String>,
    #[serde(serialize_with = "serialize_opt_rfc3339")]
    pub since: Option<i64>,
    /// In a maintenance window until then.
    #[serde(serialize_with = "serialize_opt_rfc3339")]
    pub maintenance_until: Option<i64>,
}

/// Enabled instances whose observer reports risky settings, by setting.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RiskyCounts {
    /// Instances with at least one.
    pub instances: usize,
    pub install_unlocked: usize,
    pub unstable_features: usize,
    pub plain_database_password: usize,
}

impl RiskyCounts {
    fn add(&mut self, risks: &[Risk]) {
        self.instances += usize::from(!risks.is_empty());
        for risk in risks {
            match risk {
                Risk::InstallUnlocked => self.install_unlocked += 1,
                Risk::UnstableFeatures(_) => self.unstable_features += 1,
                Risk::PlainDatabasePassword => self.plain_database_password += 1,
            }
        }
    }
}

/// A record whose disk crossed a threshold.
#[derive(Debug, Serialize)]
pub struct DiskLine {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: String,
    pub used_bytes: u64,
    pub total_bytes: Option<u64>,
    pub health: Health,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct CertLine {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(serialize_with = "serialize_rfc3339")]
    pub expires_at: i64,
    pub days_left: i64,
}

/// A disk that will reach its next level, and when (from its stored trend).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FillLine {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    #[serde(rename = "ref")]
    pub reference: String,
    pub level: Level,
    #[serde(serialize_with = "serialize_rfc3339")]
    pub at: i64,
    pub growth_bytes_per_day: i64,
}

/// The `n` enabled records among `records` whose disks reach their next level soonest, by
/// their stored trends (a level already reached is the health's to say, not listed here).
pub fn filling<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    trends: &HashMap<RecordKey, Trend>,
    n: usize,
) -> Vec<FillLine> {
    let mut lines: Vec<FillLine> = records
        .into_iter()
        .filter(|r| r.settings.enabled)
        .filter_map(|r| {
            let trend = trends.get(&r.key())?;
            let fc = forecast::project(trend, r.state.disk_total, &r.settings.thresholds())?;
            let (level, at) = fc.next_crossing()?;
            Some(FillLine {
                record_type: r.record_type,
                reference: r.reference().to_string(),
                level,
                at,
                growth_bytes_per_day: fc.fit.per_day.round() as i64,
            })
        })
        .collect();
    lines.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then_with(|| a.record_type.as_str().cmp(b.record_type.as_str()))
            .then_with(|| a.reference.cmp(&b.reference))
    });
    lines.truncate(n);
    lines
}

#[derive(Debug, Serialize)]
pub struct PassLine {
    pub kind: String,
    #[serde(serialize_with = "serialize_opt_rfc3339")]
    pub started_at: Option<i64>,
    pub age_seconds: Option<i64>,
    pub duration_ms: Option<i64>,
    pub polled: Option<i64>,
    /// Older than the staleness limit (or never ran) while records wait: cron has stopped.
    pub stale: bool,
    /// The last pass was stopped by a signal before it checked every record.
    pub interrupted: bool,
}

/// How far ahead of now a pass may have started before its time is taken for a clock that
/// stepped back.
const CLOCK_SLACK: i64 = 60;

/// The fleet from every record (hosts, then instances) and the last passes. A pass older than
/// `stale` means cron has stopped; `certs` caps the certificate list; `connectivity_check` is
/// what passes try before they blame this machine's network.
pub fn summarize(
    records: [&[Record]; 2],
    passes: &[PassInfo],
    now: i64,
    stale: Duration,
    certs: usize,
    connectivity_check: Vec<String>,
) -> FleetStatus {
    let mut fleet = FleetStatus {
        connectivity_check,
        ..FleetStatus::default()
    };
    let mut cert_lines = Vec::new();
    for (rt, records) in RecordType::ALL.into_iter().zip(records) {
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
                    maintenance_until: r.maintenance.as_ref().map(|m| m.until),
                });
            }
            if let Some(security) = r.state.security {
                fleet.risky.add(&security.risks());
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
        let name = rt.pass_name();
        let last = passes.iter().find(|p| p.kind == name);
        let age = last.map(|p| now - p.started_at);
        let has_records = records.iter().any(|r| r.settings.enabled);
        fleet.passes.push(PassLine {
            kind: name.to_string(),
            started_at: last.map(|p| p.started_at),
            age_seconds: age,
            duration_ms: last.and_then(|p| p.duration_ms),
            polled: last.map(|p| p.polled),
            // A start more than a minute ahead of now is a clock stepped back since: how long
            // ago it really was cannot be told, so it does not vouch for cron either.
            stale: has_records
                && age.is_none_or(|a| a > stale.as_secs() as i64 || a < -CLOCK_SLACK),
            interrupted: last.is_some_and(|p| p.interrupted),
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

/// Refs a page was asked for that name nothing.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Unknown {
    /// From `only`: neither a host nor an instance.
    pub records: Vec<String>,
    /// From `hosts`: not a host.
    pub hosts: Vec<String>,
}

impl Unknown {
    /// `no host or instance named 'x'; no host named 'y' (see …)`: what a command says.
    pub fn message(&self) -> String {
        let quoted = |refs: &[String]| {
            refs.iter()
                .map(|r| format!("'{r}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.records.is_empty() {
            parts.push(format!(
                "no host or instance named {}",
                quoted(&self.records)
            ));
        }
        if !self.hosts.is_empty() {
            parts.push(format!("no host named {}", quoted(&self.hosts)));
        }
        format!(
            "{} (see `webhost host list`, `webhost instance list`)",
            parts.join("; ")
        )
    }
}

/// The records one page is made of: those `only` names (a host, an instance, or both when they
/// share the ref), and each host of `hosts` with its instances; all of them when both lists are
/// empty. The store's order is kept.
pub fn select(
    hosts: Vec<Record>,
    instances: Vec<Record>,
    only: &[String],
    of_hosts: &[String],
) -> Result<(Vec<Record>, Vec<Record>), Unknown> {
    if only.is_empty() && of_hosts.is_empty() {
        return Ok((hosts, instances));
    }
    let named = |r: &Record| only.iter().any(|o| o == r.reference());
    let is_host = |h: &str| of_hosts.iter().any(|o| o == h);
    let mut unknown = Unknown::default();
    for o in only {
        let exists = hosts.iter().chain(&instances).any(|r| r.reference() == o);
        if !exists && !unknown.records.contains(o) {
            unknown.records.push(o.clone());
        }
    }
    for h in of_hosts {
        if !hosts.iter().any(|r| r.reference() == h) && !unknown.hosts.contains(h) {
            unknown.hosts.push(h.clone());
        }
    }
    if unknown != Unknown::default() {
        return Err(unknown);
    }
    let hosts = hosts
        .into_iter()
        .filter(|r| named(r) || is_host(r.reference()))
        .collect();
    let instances = instances
        .into_iter()
        .filter(|r| named(r) || r.host_ref.as_deref().is_some_and(is_host))
        .collect();
    Ok((hosts, instances))
}

#[cfg(test)]
mod tests {
    use super::super::model::{ApiKind, Settings, State};
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn record(rt: RecordType, reference: &str, state: State) -> Record {
        Record {
            id: 1,
            record_type: rt,
            settings: Settings::new(reference, ApiKind::ServerObserverV1),
            created_at: 0,
            host_ref: None,
            discovered: false,
            missing: false,
            has_token: false,
            maintenance: None,
            state,
        }
    }

    #[test]
    fn counts_problems_disks_and_stale_passes() {
        let full = State {
            status: Some(Status::Online),
            disk_used: Some(95),
            disk_total: Some(100),
            ..State::default()
        };
        let down = State {
            status: Some(Status::Offline),
            message: Some("refused".into()),
            status_since: Some(NOW - 60),
            ..State::default()
        };
        let hosts = [record(RecordType::Host, "srv", full)];
        let instances = [record(RecordType::Instance, "shop", down)];
        let passes = [PassInfo {
            kind: "update-hosts".into(),
            started_at: NOW - 600,
            duration_ms: Some(1200),
            polled: 1,
            interrupted: false,
        }];
        let f = summarize(
            [&hosts, &instances],
            &passes,
            NOW,
            Duration::from_secs(1800),
            5,
            Vec::new(),
        );
        assert_eq!(f.counts[0].by_health.get("critical"), Some(&1));
        assert_eq!(f.not_online.len(), 1);
        assert_eq!(f.not_online[0].reference, "shop");
        assert_eq!(f.disks.len(), 1);
        assert_eq!(f.disks[0].reason, "disk 95% used (threshold 90%)");
        assert!(!f.passes[0].stale, "the host pass ran 10 minutes ago");
        assert!(
            f.passes[1].stale,
            "instances wait, and their pass never ran"
        );
    }

    #[test]
    fn a_page_selects_records_and_hosts_with_their_instances() {
        let on = |reference: &str, host: Option<&str>| Record {
            host_ref: host.map(str::to_string),
            ..record(RecordType::Instance, reference, State::default())
        };
        let hosts = vec![
            record(RecordType::Host, "srv1", State::default()),
            record(RecordType::Host, "srv2", State::default()),
        ];
        let instances = vec![
            on("a", Some("srv1")),
            on("b", Some("srv2")),
            on("srv2", None),
        ];
        let refs = |(h, i): (Vec<Record>, Vec<Record>)| {
            let names = |v: Vec<Record>| -> Vec<String> {
                v.iter().map(|r| r.reference().to_string()).collect()
            };
            (names(h), names(i))
        };
        let strings = |v: &[&str]| -> Vec<String> { v.iter().map(|s| s.to_string()).collect() };
        let pick = |only: &[&str], of: &[&str]| {
            select(
                hosts.clone(),
                instances.clone(),
                &strings(only),
                &strings(of),
            )
        };
        assert_eq!(
            refs(pick(&[], &[]).expect("all")),
            (strings(&["srv1", "srv2"]), strings(&["a", "b", "srv2"]))
        );
        assert_eq!(
            refs(pick(&["b"], &[]).expect("one")),
            (vec![], strings(&["b"]))
        );
        // A ref both a host and an instance bear names both; --host brings the instances.
        assert_eq!(
            refs(pick(&["srv2"], &["srv1"]).expect("both")),
            (strings(&["srv1", "srv2"]), strings(&["a", "srv2"]))
        );
        assert_eq!(
            pick(&["nope", "a", "nope"], &["a", "srv1"]).map(refs),
            Err(Unknown {
                records: strings(&["nope"]),
                hosts: strings(&["a"]),
            })
        );
    }
}
