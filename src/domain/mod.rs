//! Types and rules: pure, no I/O, no clap, no SQL, and nothing else of the crate. Every other
//! layer speaks in these types; the rules (health, alerts, discovery, inventory diffs, uptime)
//! are decided here and only carried out elsewhere.

pub mod advisory;
pub mod alert;
pub mod assertion;
pub mod check;
pub mod config;
pub mod discovery;
pub mod error;
pub mod fleet;
pub mod forecast;
pub mod health;
pub mod history;
pub mod inventory;
pub mod maintenance;
pub mod model;
pub mod pass;
pub mod poller;
pub mod push;
pub mod query;
pub mod secret;
pub mod sla;
pub mod units;
pub mod uptime;
pub mod url;
pub mod validate;
pub mod version;
