//! One file per subcommand; each turns arguments into calls of `store`, `poll` and `output`.

mod changes;
mod check;
mod completions;
mod config;
mod export;
mod history;
mod host;
mod import;
mod instance;
mod man;
mod metrics;
mod modules;
mod prune;
mod record;
mod report;
mod status;
mod update;
mod versions;

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::cli::{Cli, Command};
use crate::exit_code::Exit;
use crate::model::RecordType;
use crate::output::Output;
use crate::store::Store;

/// What every command gets: where the database is and how to print.
pub struct Context {
    pub db: PathBuf,
    pub out: Output,
}

impl Context {
    pub fn open_store(&self) -> Result<Store> {
        Store::open(&self.db)
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Exit> {
    let out = Output::new(cli.json, cli.quiet, cli.verbose, cli.color);
    let db = match cli.db {
        Some(p) => p,
        None => default_db()?,
    };
    let ctx = Context { db, out };
    match cli.command {
        Command::Host(cmd) => host::run(&ctx, cmd),
        Command::Instance(cmd) => instance::run(&ctx, cmd),
        Command::UpdateHosts(a) => update::run(&ctx, RecordType::Host, &a),
        Command::UpdateInstances(a) => update::run(&ctx, RecordType::Instance, &a),
        Command::Modules(a) => modules::run(&ctx, &a),
        Command::Versions => versions::run(&ctx),
        Command::Status(a) => status::run(&ctx, &a),
        Command::History(a) => history::run(&ctx, &a),
        Command::Changes(a) => changes::run(&ctx, &a),
        Command::Prune(a) => prune::run(&ctx, &a),
        Command::Export(a) => export::run(&ctx, &a),
        Command::Import(a) => import::run(&ctx, &a),
        Command::Check(a) => check::run(&ctx, &a),
        Command::Metrics(a) => metrics::run(&ctx, &a),
        Command::Report(a) => report::run(&ctx, &a),
        Command::Config(c) => config::run(&ctx, c),
        Command::Completions { shell } => completions::run(&ctx, shell),
        Command::Man => man::run(&ctx),
    }
}

/// `$XDG_DATA_HOME/webhost/webhost.db`, else `~/.local/share/webhost/webhost.db`.
fn default_db() -> Result<PathBuf> {
    let nonempty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let data = nonempty("XDG_DATA_HOME")
        .or_else(|| nonempty("HOME").map(|h| h.join(".local/share")))
        .context(
            "cannot find a place for the database: set --db, WEBHOST_DB, XDG_DATA_HOME or HOME",
        )?;
    Ok(data.join("webhost").join("webhost.db"))
}
