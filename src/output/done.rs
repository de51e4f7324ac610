//! What a command that changes the database did, for `--json` (docs/schema/result.schema.json):
//! one object whose `action` is the command's verb in the past tense, with `type` and `ref` for
//! a record or `key` for a setting. `prune` and `import` print their own objects, in the same
//! spirit (an `action` each). Without `--json`, the line on stderr says it.

use anyhow::Result;
use serde::Serialize;

use super::Output;
use crate::domain::model::RecordType;

/// A command's result object.
#[derive(Debug, Serialize)]
pub struct Done<'a> {
    /// `added`, `edited`, `removed`, `forgotten`, `enabled`, `disabled`, `set`, `unset`.
    pub action: &'static str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub record_type: Option<RecordType>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<&'a str>,
    /// A setting's name (`config set|unset`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<&'a str>,
    /// `host remove --cascade`: the refs of the instances removed with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_instances: Option<&'a [String]>,
    /// `instance remove`: whether a tombstone keeps its host's discovery from adding it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tombstone: Option<bool>,
    /// `config unset`: whether the setting was set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was_set: Option<bool>,
}

impl<'a> Done<'a> {
    /// `action` done to the record `reference` of type `rt`.
    pub fn record(action: &'static str, rt: RecordType, reference: &'a str) -> Done<'a> {
        Done {
            record_type: Some(rt),
            reference: Some(reference),
            ..Done::new(action)
        }
    }

    /// `action` done to the setting `key`.
    pub fn setting(action: &'static str, key: &'a str) -> Done<'a> {
        Done {
            key: Some(key),
            ..Done::new(action)
        }
    }

    fn new(action: &'static str) -> Done<'a> {
        Done {
            action,
            record_type: None,
            reference: None,
            key: None,
            removed_instances: None,
            tombstone: None,
            was_set: None,
        }
    }
}

impl Output {
    /// What a command did: `note` on stderr (unless `--quiet`), and with `--json` the result
    /// object on stdout.
    pub fn done(&self, done: &Done, note: impl AsRef<str>) -> Result<()> {
        self.note(note);
        if self.json {
            return self.json(done);
        }
        Ok(())
    }
}
