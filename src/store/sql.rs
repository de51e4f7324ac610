//! How domain values go in and out of SQLite: each type converts here once, and the rule for
//! sizes and counters is the same everywhere: a value SQLite cannot hold, or that is negative
//! where it cannot be, is unknown (NULL).

use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};

use crate::domain::model::Threshold;
use crate::domain::model::{ApiKind, RecordType, Status};

/// The table of a record type.
pub(super) fn table(rt: RecordType) -> &'static str {
    match rt {
        RecordType::Host => "hosts",
        RecordType::Instance => "instances",
    }
}

/// The column of a history table that names a record of this type.
pub(super) fn owner_column(rt: RecordType) -> &'static str {
    match rt {
        RecordType::Host => "host_id",
        RecordType::Instance => "instance_id",
    }
}

/// A text column that holds one of a domain enum's names.
fn from_text<T: std::str::FromStr<Err = String>>(value: ValueRef<'_>) -> FromSqlResult<T> {
    value
        .as_str()?
        .parse()
        .map_err(|e: String| FromSqlError::Other(e.into()))
}

impl ToSql for Status {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Status {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        from_text(value)
    }
}

impl ToSql for ApiKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for ApiKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        from_text(value)
    }
}

/// A threshold is stored as it is written: `85%`, or a number of bytes.
impl ToSql for Threshold {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for Threshold {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        from_text(value)
    }
}

/// An unsigned quantity (bytes, milliseconds) as SQLite's signed integer: None when it does
/// not fit.
pub(super) fn to_int(v: Option<u64>) -> Option<i64> {
    v.and_then(|v| i64::try_from(v).ok())
}

/// A stored quantity back: None for NULL and for a negative value.
pub(super) fn from_int<T: TryFrom<i64>>(v: Option<i64>) -> Option<T> {
    v.and_then(|v| T::try_from(v).ok())
}
