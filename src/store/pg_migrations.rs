//! stub until the schema lands
pub const PG_MIGRATIONS: &[&str] = &[""];
