//! End-to-end tests: the built `webhost` binary on a temp database.

mod generated;
mod records;
mod store;
mod support;
