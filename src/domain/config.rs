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
    /// Records checked at once in a pass.
    pub const JOBS: u16 = 16;
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
}

/// The settings `webhost config` stores; the pass options of the same name override them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKey {
    OnChange,
    FailureThreshold,
    SuccessThreshold,
    RemindEvery,
}

impl ConfigKey {
    pub const ALL: [ConfigKey; 4] = [
        ConfigKey::OnChange,
        ConfigKey::FailureThreshold,
        ConfigKey::SuccessThreshold,
        ConfigKey::RemindEvery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConfigKey::OnChange => "on-change",
            ConfigKey::FailureThreshold => "failure-threshold",
            ConfigKey::SuccessThreshold => "success-threshold",
            ConfigKey::RemindEvery => "remind-every",
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
            ConfigKey::FailureThreshold | ConfigKey::SuccessThreshold => {
                let v = single()?;
                match v.parse::<u32>() {
                    Ok(n) if n >= 1 => Ok(n.to_string()),
                    _ => Err(invalid(format!(
                        "{} must be a whole number of at least 1, not '{v}'",
                        self.as_str()
                    ))),
                }
            }
            ConfigKey::RemindEvery => {
                let v = single()?;
                parse_duration(v).map_err(invalid)?;
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

/// The change hook of a pass and the policy it alerts by.
#[derive(Debug, Clone, PartialEq)]
pub struct Hooks {
    pub command: Vec<String>,
    pub policy: Policy,
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
        assert_eq!(
            ConfigKey::OnChange
                .encode(&["/bin/x".into(), "-v".into()])
                .ok(),
            Some("[\"/bin/x\",\"-v\"]".into())
        );
    }
}
