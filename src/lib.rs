//! webhost: monitor a fleet of web hosts and their web-application instances from cron.
//!
//! Layers, each importing only those below it: `cli` (clap definitions) and `settings` (the
//! command line resolved) → `commands` (one file per subcommand) → `poll` (one pass) →
//! `probe` (HTTP and custom probes), `store` (all SQL) and `output` (all printing), all
//! standing on `domain` (types and rules, pure). `exit` holds the exit codes. `demo` is the
//! made-up fleet `webhost demo` serves itself (below `commands`, beside `probe`).

pub mod cli;
pub mod clock;
pub mod commands;
pub mod demo;
pub mod domain;
pub mod exec;
pub mod exit;
pub mod output;
pub mod poll;
pub mod probe;
pub mod receive;
pub mod settings;
pub mod signals;
pub mod store;
pub mod transfer;
