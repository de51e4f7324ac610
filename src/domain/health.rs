//! Nagios-style health: a record's status combined with its disk and certificate thresholds,
//! and the risky settings an instance's observer reports: no install lock is critical (anyone
//! who finds the wizard can reinstall over the data); experimental or development features
//! and a database password in clear are warnings.

use std::fmt;

use serde::Serialize;

use super::model::{Record, Risk, Security, State, Status, Threshold, Thresholds};
use super::units::{human_bytes, human_duration};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl Health {
    pub const ALL: [Health; 4] = [
        Health::Ok,
        Health::Warning,
        Health::Critical,
        Health::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Warning => "warning",
            Health::Critical => "critical",
            Health::Unknown => "unknown",
        }
    }

    /// Severity for "worst of": ok < unknown < warning < critical.
    fn rank(self) -> u8 {
        match self {
            Health::Ok => 0,
            Health::Unknown => 1,
            Health::Warning => 2,
            Health::Critical => 3,
        }
    }

    fn worst(self, other: Health) -> Health {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What health assessment sees of a record.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub status: Status,
    pub disk_used: Option<u64>,
    pub disk_total: Option<u64>,
    pub cert_expires_at: Option<i64>,
    pub security: Option<Security>,
}

/// A health and the reasons behind it, most severe first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub health: Health,
    pub reasons: Vec<String>,
}

impl State {
    /// What health assessment looks at.
    pub fn facts(&self) -> Facts {
        Facts {
            status: self.status(),
            disk_used: self.disk_used,
            disk_total: self.disk_total,
            cert_expires_at: self.cert_expires_at,
            security: self.security,
        }
    }
}

impl Record {
    /// Health from the status and the thresholds in force.
    pub fn health(&self, now: i64) -> Assessment {
        let mut a = assess(&self.state.facts(), &self.settings.thresholds(), now);
        slow_answer(
            &mut a,
            self.state.status(),
            self.state.response_ms,
            self.settings.assertions.max_response_ms,
        );
        a
    }
}

/// `--max-response`: an online record that answered slower than it is degraded (warning),
/// not down.
fn slow_answer(a: &mut Assessment, status: Status, response_ms: Option<u64>, max_ms: Option<u64>) {
    if let (Status::Online, Some(ms), Some(max)) = (status, response_ms, max_ms)
        && ms > max
    {
        a.health = a.health.worst(Health::Warning);
        a.reasons.push(format!(
            "answered in {} (over --max-response {})",
            human_duration(std::time::Duration::from_millis(ms)),
            human_duration(std::time::Duration::from_millis(max))
        ));
    }
}

/// A record's health: its status, worsened by the disk and certificate thresholds it crosses.
pub fn assess(f: &Facts, t: &Thresholds, now: i64) -> Assessment {
    let mut health = match f.status {
        Status::Online => Health::Ok,
        Status::Unknown => Health::Unknown,
        Status::Offline | Status::Error | Status::Missing | Status::Unreachable => Health::Critical,
    };
    let mut reasons = Vec::new();
    if health == Health::Critical {
        reasons.push(format!("status {}", f.status));
    }
    if let Some(used) = f.disk_used {
        let total = f.disk_total;
        let level = if t.disk_crit.crossed(used, total) == Some(true) {
            Some((Health::Critical, t.disk_crit))
        } else if t.disk_warn.crossed(used, total) == Some(true) {
            Some((Health::Warning, t.disk_warn))
        } else {
            None
        };
        if let Some((h, th)) = level {
            health = health.worst(h);
            reasons.push(match (th, total) {
                (Threshold::Percent(p), Some(total)) => format!(
                    "disk {:.0}% used (threshold {p}%)",
                    used as f64 * 100.0 / total as f64
                ),
                _ => format!(
                    "disk {} used (threshold {})",
                    human_bytes(used),
                    match th {
                        Threshold::Bytes(b) => human_bytes(b),
                        Threshold::Percent(p) => format!("{p}%"),
                    }
                ),
            });
        }
    }
    if let Some(expires) = f.cert_expires_at {
        let days = (expires - now).div_euclid(86_400);
        let level = if expires <= now || days < t.cert_crit_days {
            Some(Health::Critical)
        } else if days < t.cert_warn_days {
            Some(Health::Warning)
        } else {
            None
        };
        if let Some(h) = level {
            health = health.worst(h);
            reasons.push(if expires <= now {
                "TLS certificate expired".to_string()
            } else {
                format!("TLS certificate expires in {days} days")
            });
        }
    }
    for risk in f.security.map(|s| s.risks()).unwrap_or_default() {
        health = health.worst(risk_level(risk));
        reasons.push(risk.to_string());
    }
    Assessment { health, reasons }
}

/// The health a risky setting gives.
pub fn risk_level(risk: Risk) -> Health {
    match risk {
        Risk::InstallUnlocked => Health::Critical,
        Risk::UnstableFeatures(_) | Risk::PlainDatabasePassword => Health::Warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn facts(status: Status, used: Option<u64>, total: Option<u64>, cert: Option<i64>) -> Facts {
        Facts {
            status,
            disk_used: used,
            disk_total: total,
            cert_expires_at: cert,
            security: None,
        }
    }

    #[test]
    fn risky_settings() {
        let t = Thresholds::default();
        let mut f = facts(Status::Online, None, None, None);
        f.security = Some(Security {
            install_lock: Some(true),
            main_features_level: Some(0),
            database_pwd_encrypted: Some(true),
        });
        assert_eq!(assess(&f, &t, NOW).health, Health::Ok);
        f.security = Some(Security {
            install_lock: Some(true),
            main_features_level: Some(2),
            database_pwd_encrypted: Some(false),
        });
        let a = assess(&f, &t, NOW);
        assert_eq!(a.health, Health::Warning);
        assert_eq!(
            a.reasons,
            [
                "development features on (main_features_level 2)",
                "database password not encrypted"
            ]
        );
        f.security = Some(Security {
            install_lock: Some(false),
            ..Security::default()
        });
        let a = assess(&f, &t, NOW);
        assert_eq!(a.health, Health::Critical);
        assert_eq!(a.reasons, ["install wizard not locked (no install.lock)"]);
        // Keys the observer did not send are not risks.
        f.security = Some(Security::default());
        assert_eq!(assess(&f, &t, NOW).health, Health::Ok);
    }

    #[test]
    fn thresholds_parse() {
        assert_eq!("85%".parse(), Ok(Threshold::Percent(85.0)));
        assert_eq!("5G".parse(), Ok(Threshold::Bytes(5 << 30)));
        assert!("150%".parse::<Threshold>().is_err());
        assert!("lots".parse::<Threshold>().is_err());
    }

    #[test]
    fn status_alone() {
        let t = Thresholds::default();
        assert_eq!(
            assess(&facts(Status::Online, None, None, None), &t, NOW).health,
            Health::Ok
        );
        assert_eq!(
            assess(&facts(Status::Offline, None, None, None), &t, NOW).health,
            Health::Critical
        );
        assert_eq!(
            assess(&facts(Status::Unknown, None, None, None), &t, NOW).health,
            Health::Unknown
        );
    }

    #[test]
    fn disk_percent_needs_a_total() {
        let t = Thresholds::default();
        let warn = assess(&facts(Status::Online, Some(85), Some(100), None), &t, NOW);
        assert_eq!(warn.health, Health::Warning);
        assert_eq!(warn.reasons, ["disk 85% used (threshold 80%)"]);
        assert_eq!(
            assess(&facts(Status::Online, Some(95), Some(100), None), &t, NOW).health,
            Health::Critical
        );
        // An instance knows only its usage: a percentage cannot apply.
        assert_eq!(
            assess(&facts(Status::Online, Some(95), None, None), &t, NOW).health,
            Health::Ok
        );
        let bytes = Thresholds {
            disk_warn: Threshold::Bytes(1000),
            disk_crit: Threshold::Bytes(2000),
            ..t
        };
        assert_eq!(
            assess(&facts(Status::Online, Some(1500), None, None), &bytes, NOW).health,
            Health::Warning
        );
    }

    #[test]
    fn certificates() {
        let t = Thresholds::default();
        let day = 86_400;
        let h = |c| assess(&facts(Status::Online, None, None, Some(c)), &t, NOW).health;
        assert_eq!(h(NOW + 30 * day), Health::Ok);
        assert_eq!(h(NOW + 20 * day), Health::Warning);
        assert_eq!(h(NOW + 6 * day), Health::Critical);
        assert_eq!(h(NOW - 1), Health::Critical);
        // Offline and a certificate warning: the worst wins.
        let a = assess(
            &facts(Status::Offline, None, None, Some(NOW + 20 * day)),
            &t,
            NOW,
        );
        assert_eq!(a.health, Health::Critical);
        assert_eq!(a.reasons.len(), 2);
    }
}
