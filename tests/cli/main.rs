//! End-to-end tests: the built `webhost` binary on a temp database.

mod alerts;
mod crash;
mod demo;
mod deployment;
mod faults;
mod generated;
mod hostile;
mod hostile_files;
mod hostile_text;
mod integrations;
mod inventory;
mod local_state;
mod passes;
mod plugins;
mod reading;
mod records;
mod report;
mod server;
mod server_manager_scale;
mod store;
mod support;
mod terminal;
mod tls;
mod tls_server;
mod transfer;
mod usage;
