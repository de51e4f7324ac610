//! Settings stored once in the database (`webhost config`), and how a pass's own options
//! override them: option, else stored setting, else the default.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Result;

use super::alert::Policy;
use super::error::invalid;
use super::units::parse_duration;

/// Every default of an option, written once: the command line shows them in `--help`, and
/// whatever reads an option left out falls back to the same value.
pub mod defaults {
    /// The mode of a database webhost creates: its owner's alone.
    pub const DB_MODE: &str = "0600";
    /// Records checked at once in a pass.
    pub const JOBS: u16 = 16;
    /// Requests a pass sends at once to one server-manager host's script.
    pub const PER_HOST_JOBS: u16 = 4;
    /// Limit for one check, from DNS to the last byte (and for `check --live`).
    pub const TIMEOUT: &str = "10s";
    /// Largest answer accepted, after decompression (a pass's, and `check --live`'s).
    pub const MAX_ANSWER_SIZE: &str = "8M";
    /// A pass older than this means cron has stopped (`status`, `report`).
    pub const STALE: &str = "30m";
    /// `check`: a stored check older than this is UNKNOWN.
    pub const MAX_AGE: &str = "15m";
    /// How far back `history`, `changes` and `report` look.
    pub const SINCE: &str = "7d";
    /// At most this many checks in `history`.
    pub const HISTORY_LIMIT: usize = 50;
    /// Certificates `status` lists, soonest to expire first.
    pub const CERTS: usize = 5;
    /// Disks `status` lists, soonest to reach their next level first.
    pub const FORECASTS: usize = 3;
    /// How long one run of the change hook may take.
    pub const HOOK_TIMEOUT: &str = "30s";
    /// More alerts than this for one hook in one delivery go to it as one JSON array.
    pub const HOOK_BATCH: usize = 20;
}

/// The settings `webhost config` stores; the pass options of the same name override them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKey {
    OnChange,
    FailureThreshold,
    SuccessThreshold,
    RemindEvery,
    HookBatch,
    ConnectivityCheck,
    CaFile,
    PollerMode,
    Quorum,
    ShareLease,
}

impl ConfigKey {
    pub const ALL: [ConfigKey; 10] = [
        ConfigKey::OnChange,
        ConfigKey::FailureThreshold,
        ConfigKey::SuccessThreshold,
        ConfigKey::RemindEvery,
        ConfigKey::HookBatch,
        ConfigKey::ConnectivityCheck,
        ConfigKey::CaFile,
        ConfigKey::PollerMode,
        ConfigKey::Quorum,
        ConfigKey::ShareLease,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConfigKey::OnChange => "on-change",
            ConfigKey::FailureThreshold => "failure-threshold",
            ConfigKey::SuccessThreshold => "success-threshold",
            ConfigKey::RemindEvery => "remind-every",
            ConfigKey::HookBatch => "hook-batch",
            ConfigKey::ConnectivityCheck => "connectivity-check",
            ConfigKey::CaFile => "ca-file",
            ConfigKey::PollerMode => "poller-mode",
            ConfigKey::Quorum => "quorum",
            ConfigKey::ShareLease => "share-lease",
        }
    }

    /// Checks a value given on the command line and turns it into its stored text.
    pub fn encode(self, value: &[String]) -> Result<String> {
        let single = || -> Result<&str> {
            match value {
                [one] => Ok(one.as_str()),
                _ => Err(invalid(format!("{} takes one value", self.as_str()))),
            }
        };
        match self {
            // A JSON array keeps arguments with spaces intact.
            ConfigKey::OnChange => Ok(serde_json::to_string(value)?),
            ConfigKey::ConnectivityCheck => {
                for target in value {
                    let port = target.rsplit_once(':').and_then(|(host, port)| {
                        (!host.is_empty())
                            .then(|| port.parse::<u16>().ok())
                            .flatten()
                    });
                    if port.is_none_or(|p| p == 0) {
                        return Err(invalid(format!(
                            "connectivity-check takes HOST:PORT targets (e.g. 9.9.9.9:53 or \
                             gateway.example:443), not '{target}'"
                        )));
                    }
                }
                Ok(serde_json::to_string(value)?)
            }
            ConfigKey::PollerMode => {
                let v = single()?;
                let mode: crate::domain::poller::Mode = v.parse().map_err(invalid)?;
                Ok(mode.as_str().to_string())
            }
            ConfigKey::FailureThreshold
            | ConfigKey::SuccessThreshold
            | ConfigKey::HookBatch
            | ConfigKey::Quorum => {
                let v = single()?;
                match v.parse::<u32>() {
                    Ok(n) if n >= 1 => Ok(n.to_string()),
                    _ => Err(invalid(format!(
                        "{} must be a whole number of at least 1, not '{v}'",
                        self.as_str()
                    ))),
                }
            }
            ConfigKey::RemindEvery | ConfigKey::ShareLease => {
                let v = single()?;
                parse_duration(v).map_err(invalid)?;
                Ok(v.to_string())
            }
            // Absolute: passes run from cron, in another working folder.
            ConfigKey::CaFile => {
                let v = single()?;
                if !v.starts_with('/') {
                    return Err(invalid(format!(
                        "ca-file takes an absolute path (passes run from cron, elsewhere), not '{v}'"
                    )));
                }
                Ok(v.to_string())
            }
        }
    }
}

impl FromStr for ConfigKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ConfigKey::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown setting '{s}'"))
    }
}

/// A pass's alert options, each None when not given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertOptions {
    pub on_change: Option<Vec<String>>,
    pub failure_threshold: Option<u32>,
    pub success_threshold: Option<u32>,
    pub remind_every: Option<Duration>,
}

/// The change hook of a pass, the policy it alerts by, and how many alerts it takes one by one.
#[derive(Debug, Clone, PartialEq)]
pub struct Hooks {
    pub command: Vec<String>,
    pub policy: Policy,
    pub batch: usize,
}

/// The connectivity check's targets (`HOST:PORT`), as stored; none when not configured.
pub fn connectivity_check(stored: &[(String, String)]) -> Vec<String> {
    stored
        .iter()
        .find(|(k, _)| k == ConfigKey::ConnectivityCheck.as_str())
        .and_then(|(_, v)| serde_json::from_str(v).ok())
        .unwrap_or_default()
}

/// How the pollers share the fleet: the stored setting, else `all`.
pub fn poller_mode(stored: &[(String, String)]) -> crate::domain::poller::Mode {
    stored
        .iter()
        .find(|(k, _)| k == ConfigKey::PollerMode.as_str())
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or_default()
}

/// How long a `share`-mode poller keeps the records it claimed: a little less than the time
/// between passes (`config set share-lease`), 4 minutes unless set.
pub fn share_lease(stored: &[(String, String)]) -> i64 {
    stored
        .iter()
        .find(|(k, _)| k == ConfigKey::ShareLease.as_str())
        .and_then(|(_, v)| parse_duration(v).ok())
        .map_or(240, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// How many pollers must see a record down (`config set quorum K`); None: a majority.
pub fn quorum(stored: &[(String, String)]) -> Option<u32> {
    stored
        .iter()
        .find(|(k, _)| k == ConfigKey::Quorum.as_str())
        .and_then(|(_, v)| v.parse().ok())
}

/// The CA file every HTTPS check trusts besides the machine's roots (a record's own
/// `--ca-file` replaces it); None when not configured.
pub fn ca_file(stored: &[(String, String)]) -> Option<String> {
    stored
        .iter()
        .find(|(k, _)| k == ConfigKey::CaFile.as_str())
        .map(|(_, v)| v.clone())
}

/// How many alerts a hook takes one by one before it gets them as one JSON array: the stored
/// setting, else the default. Delivery needs it even when this pass has no hook of its own
/// (alerts of earlier passes may wait).
pub fn hook_batch(stored: &[(String, String)]) -> usize {
    stored
        .iter()
        .find(|(k, _)| k == ConfigKey::HookBatch.as_str())
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(defaults::HOOK_BATCH)
}

/// The hook and policy in force: each option, else its stored setting (`stored` as `config
/// list` gives them), else the default. None when no hook is configured.
pub fn hooks(options: &AlertOptions, stored: &[(String, String)]) -> Result<Option<Hooks>> {
    let get = |key: ConfigKey| {
        stored
            .iter()
            .find(|(k, _)| k == key.as_str())
            .map(|(_, v)| v.as_str())
    };
    let command = match &options.on_change {
        Some(c) => c.clone(),
        None => match get(ConfigKey::OnChange) {
            Some(json) => serde_json::from_str(json)
                .map_err(|_| invalid("the stored on-change command is damaged: set it again"))?,
            None => return Ok(None),
        },
    };
    let defaults = Policy::default();
    let number = |given: Option<u32>, key: ConfigKey, default: u32| {
        given
            .or_else(|| get(key).and_then(|v| v.parse().ok()))
            .unwrap_or(default)
    };
    Ok(Some(Hooks {
        batch: hook_batch(stored),
        command,
        policy: Policy {
            failure_threshold: number(
                options.failure_threshold,
                ConfigKey::FailureThreshold,
                defaults.failure_threshold,
            ),
            success_threshold: number(
                options.success_threshold,
                ConfigKey::SuccessThreshold,
                defaults.success_threshold,
            ),
            remind_every: options
                .remind_every
                .or_else(|| get(ConfigKey::RemindEvery).and_then(|v| parse_duration(v).ok())),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn options_win_over_stored_settings_over_defaults() {
        assert_eq!(hooks(&AlertOptions::default(), &[]).ok(), Some(None));
        let saved = stored(&[
            ("on-change", "[\"/bin/notify\",\"a b\"]"),
            ("failure-threshold", "3"),
            ("remind-every", "6h"),
        ]);
        let h = hooks(&AlertOptions::default(), &saved)
            .expect("valid")
            .expect("a hook");
        assert_eq!(h.command, ["/bin/notify", "a b"]);
        assert_eq!(h.policy.failure_threshold, 3);
        assert_eq!(h.policy.success_threshold, 1, "the default");
        assert_eq!(h.policy.remind_every, Some(Duration::from_secs(6 * 3600)));
        let given = AlertOptions {
            failure_threshold: Some(5),
            ..AlertOptions::default()
        };
        let h = hooks(&given, &saved).expect("valid").expect("a hook");
        assert_eq!(h.policy.failure_threshold, 5);
        let damaged = stored(&[("on-change", "not json")]);
        assert!(hooks(&AlertOptions::default(), &damaged).is_err());
    }

    #[test]
    fn the_defaults_read_as_their_options_read_them() {
        use super::super::units::{parse_duration, parse_size};
        assert_eq!(parse_size(defaults::MAX_ANSWER_SIZE), Ok(8 << 20));
        for d in [
            defaults::TIMEOUT,
            defaults::STALE,
            defaults::MAX_AGE,
            defaults::SINCE,
        ] {
            assert!(parse_duration(d).is_ok(), "{d}");
        }
    }

    #[test]
    fn values_are_checked_before_they_are_stored() {
        let one = |v: &str| vec![v.to_string()];
        assert_eq!(
            ConfigKey::FailureThreshold.encode(&one("2")).ok(),
            Some("2".into())
        );
        assert!(ConfigKey::FailureThreshold.encode(&one("0")).is_err());
        assert!(ConfigKey::RemindEvery.encode(&one("soon")).is_err());
        assert!(ConfigKey::SuccessThreshold.encode(&[]).is_err());
        let targets = ConfigKey::ConnectivityCheck
            .encode(&["9.9.9.9:53".into(), "[::1]:443".into()])
            .expect("valid targets");
        assert_eq!(
            connectivity_check(&[("connectivity-check".into(), targets)]),
            ["9.9.9.9:53", "[::1]:443"]
        );
        for bad in ["9.9.9.9", ":53", "host:0", "host:http"] {
            assert!(
                ConfigKey::ConnectivityCheck.encode(&[bad.into()]).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            ConfigKey::OnChange
                .encode(&["/bin/x".into(), "-v".into()])
                .ok(),
            Some("[\"/bin/x\",\"-v\"]".into())
        );
    }
}
