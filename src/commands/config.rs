//! `webhost config set|get|unset|list`.

use std::time::Duration;

use anyhow::Result;

use super::Context;
use crate::alert::Policy;
use crate::cli::{ConfigCommand, ConfigKey};
use crate::error::invalid;
use crate::exit_code::Exit;
use crate::store::Store;
use crate::time::parse_duration;

pub fn run(ctx: &Context, cmd: ConfigCommand) -> Result<Exit> {
    match cmd {
        ConfigCommand::Set { key, value } => {
            let text = encode(key, &value)?;
            ctx.open_store()?.config_set(key.as_str(), &text)?;
            ctx.out.note(format!("{} set", key.as_str()));
        }
        ConfigCommand::Get { key } => {
            let store = ctx.open_store()?;
            match store.config_get(key.as_str())? {
                Some(v) => ctx.out.config(&[(key.as_str().to_string(), v)])?,
                None => {
                    return Err(crate::error::Error::NotFound(format!(
                        "{} is not set",
                        key.as_str()
                    ))
                    .into());
                }
            }
        }
        ConfigCommand::Unset { key } => {
            if ctx.open_store()?.config_unset(key.as_str())? {
                ctx.out.note(format!("{} unset", key.as_str()));
            } else {
                ctx.out.note(format!("{} was not set", key.as_str()));
            }
        }
        ConfigCommand::List => ctx.out.config(&ctx.open_store()?.config_list()?)?,
    }
    Ok(Exit::Success)
}

/// Validates a value and turns it into its stored text.
fn encode(key: ConfigKey, value: &[String]) -> Result<String> {
    let single = || -> Result<&str> {
        match value {
            [one] => Ok(one.as_str()),
            _ => Err(invalid(format!("{} takes one value", key.as_str()))),
        }
    };
    match key {
        // A JSON array keeps arguments with spaces intact.
        ConfigKey::OnChange => Ok(serde_json::to_string(value)?),
        ConfigKey::FailureThreshold | ConfigKey::SuccessThreshold => {
            let v = single()?;
            match v.parse::<u32>() {
                Ok(n) if n >= 1 => Ok(n.to_string()),
                _ => Err(invalid(format!(
                    "{} must be a whole number of at least 1, not '{v}'",
                    key.as_str()
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

/// The hook command and alert policy of a pass: its options, else the stored settings.
/// None when no hook is configured.
pub fn hook_settings(
    store: &Store,
    on_change: Option<&Vec<String>>,
    failure: Option<u32>,
    success: Option<u32>,
    remind: Option<Duration>,
) -> Result<Option<(Vec<String>, Policy)>> {
    let command = match on_change {
        Some(c) => c.clone(),
        None => match store.config_get(ConfigKey::OnChange.as_str())? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|_| invalid("the stored on-change command is damaged: set it again"))?,
            None => return Ok(None),
        },
    };
    let number = |given: Option<u32>, key: ConfigKey| -> Result<u32> {
        Ok(match given {
            Some(n) => n,
            None => store
                .config_get(key.as_str())?
                .and_then(|v| v.parse().ok())
                .unwrap_or(1),
        })
    };
    let remind_every = match remind {
        Some(d) => Some(d),
        None => store
            .config_get(ConfigKey::RemindEvery.as_str())?
            .and_then(|v| parse_duration(&v).ok()),
    };
    Ok(Some((
        command,
        Policy {
            failure_threshold: number(failure, ConfigKey::FailureThreshold)?,
            success_threshold: number(success, ConfigKey::SuccessThreshold)?,
            remind_every,
        },
    )))
}
