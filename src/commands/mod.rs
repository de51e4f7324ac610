//! One file per subcommand: each turns its arguments into calls of `store`, `poll` and the
//! domain's rules, and hands the results to `output`. The command line itself is parsed and
//! resolved above, in `settings`.

pub mod add;
pub mod advisories;
pub mod audit;
pub mod changes;
pub mod check;
pub mod completions;
pub mod config;
pub mod demo;
pub mod disks;
pub mod edit;
pub mod enable;
pub mod export;
pub mod history;
pub mod import;
pub mod list;
pub mod maintenance;
pub mod man;
pub mod metrics;
pub mod migrate;
pub mod modules;
pub mod prune;
pub mod receive;
pub mod remove;
pub mod report;
pub mod serve;
pub mod show;
pub mod sla;
pub mod status;
pub mod update;
pub mod versions;

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::clock::Clock;
use crate::domain::check::PluginState;
use crate::domain::error::{invalid, not_found};
use crate::domain::model::{Record, RecordType};
use crate::output::Output;
use crate::store::{Access, Store};

/// How a command ended, when it could run: the entry turns it into the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked (a pass completed, whatever the records' statuses).
    Done,
    /// `--fail-on-down`: a polled record is offline, error, missing or unreachable.
    Down,
    /// `check`: the plugin's verdict.
    Plugin(PluginState),
    /// A pass stopped by this signal (SIGINT, SIGTERM); what finished is stored.
    Interrupted(i32),
}

/// What every command gets: where the database is, the mode to create it with, how to print,
/// and what time it is.
pub struct Context {
    pub db: PathBuf,
    /// The mode of a database this run creates (the tokens' file is always 0600).
    pub db_mode: u32,
    /// This machine's name among the pollers of the database.
    pub poller: String,
    pub out: Output,
    pub clock: Clock,
}

impl Context {
    /// For the commands that add records: the database is created when missing.
    pub fn create_store(&self) -> Result<Store> {
        self.open(Access::Create { mode: self.db_mode })
    }

    /// For the commands that change what exists: a missing database is an error.
    pub fn write_store(&self) -> Result<Store> {
        self.open(Access::Write)
    }

    /// For the commands that only read: opened read-only, so a user who may read the database
    /// but not write it (Nagios, the web server) can; tokens are not read.
    pub fn read_store(&self) -> Result<Store> {
        self.open(Access::Read)
    }

    /// Reads, with the tokens: only their owner may.
    pub fn read_store_with_tokens(&self) -> Result<Store> {
        self.open(Access::ReadTokens)
    }

    fn open(&self, access: Access) -> Result<Store> {
        // `--db`, WEBHOST_DB and XDG_DATA_HOME all decide it: -v says which one won.
        self.out.detail(format!("database {}", self.db.display()));
        let mut store = Store::open(&self.db, access)?;
        store.set_poller(&self.poller);
        Ok(store)
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// Where an API token comes from. `Stdin` and `File` keep it out of `ps` and shell history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// The first line of standard input.
    Stdin,
    /// The first line of a file.
    File(PathBuf),
    /// Given on the command line.
    Given(String),
}

impl TokenSource {
    pub fn read(&self) -> Result<String> {
        let first_line = |text: &str| text.lines().next().unwrap_or("").trim().to_string();
        match self {
            TokenSource::Stdin => {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("cannot read the token from standard input")?;
                Ok(first_line(&line))
            }
            TokenSource::File(path) => std::fs::read_to_string(path)
                .map(|text| first_line(&text))
                .map_err(|e| invalid(format!("cannot read token file {}: {e}", path.display()))),
            TokenSource::Given(token) => Ok(token.clone()),
        }
    }
}

/// A ref that names a host or an instance, and which of the two when the user said so.
#[derive(Debug, Clone)]
pub struct Which {
    pub reference: String,
    pub record_type: Option<RecordType>,
}

impl Which {
    /// The record it names, asking for --host/--instance only when both exist.
    pub fn find(&self, store: &Store) -> Result<Record> {
        let reference = self.reference.as_str();
        if let Some(rt) = self.record_type {
            return store.get(rt, reference);
        }
        match (
            store.find(RecordType::Instance, reference)?,
            store.find(RecordType::Host, reference)?,
        ) {
            (Some(_), Some(_)) => Err(invalid(format!(
                "both a host and an instance are named '{reference}': add --host or --instance"
            ))),
            (Some(r), None) | (None, Some(r)) => Ok(r),
            (None, None) => Err(not_found(format!(
                "no host or instance named '{reference}'"
            ))),
        }
    }
}
