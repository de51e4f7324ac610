//! `webhost config set|get|unset|list`.

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::config::ConfigKey;
use crate::domain::error::not_found;

/// What `config` was asked to do.
#[derive(Debug, Clone)]
pub enum Action {
    Set(ConfigKey, Vec<String>),
    Get(ConfigKey),
    Unset(ConfigKey),
    List,
}

pub fn run(ctx: &Context, action: &Action) -> Result<Outcome> {
    match action {
        Action::Set(key, value) => {
            let text = key.encode(value)?;
            ctx.create_store()?.config_set(*key, &text)?;
            ctx.out.note(format!("{} set", key.as_str()));
        }
        Action::Get(key) => {
            let store = ctx.read_store()?;
            match store.config_get(*key)? {
                Some(v) => ctx.out.config(&[(key.as_str().to_string(), v)])?,
                None => return Err(not_found(format!("{} is not set", key.as_str()))),
            }
        }
        Action::Unset(key) => {
            if ctx.write_store()?.config_unset(*key)? {
                ctx.out.note(format!("{} unset", key.as_str()));
            } else {
                ctx.out.note(format!("{} was not set", key.as_str()));
            }
        }
        Action::List => ctx.out.config(&ctx.read_store()?.config_list()?)?,
    }
    Ok(Outcome::Done)
}
