//! webhost: monitor a fleet of web hosts and their web-application instances from cron.
//!
//! Layers: `cli` (clap definitions) → `commands` (one file per subcommand) → `poll` (one pass)
//! → `probe` (HTTP and custom probes) / `store` (all SQL) / `output` (all printing).

pub mod alert;
pub mod cli;
pub mod commands;
pub mod error;
pub mod exit_code;
pub mod external;
pub mod health;
pub mod hook;
pub mod model;
pub mod output;
pub mod poll;
pub mod probe;
pub mod store;
pub mod time;
pub mod transfer;
pub mod uptime;
pub mod validate;
pub mod version;
