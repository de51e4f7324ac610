//! How domain values go in and out of SQLite: each type converts here once, and the rule for
//! sizes and counters is the same everywhere: a value SQLite cannot hold, or that is negative
//! where it cannot be, is unknown (NULL).

use super::db::{FromCol, Param, Value};

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
fn from_text<T: std::str::FromStr<Err = String>>(v: Value<'_>) -> Result<T, String> {
    match v {
        Value::Text(s) => s.parse(),
        _ => Err("expected text".to_owned()),
    }
}

impl Param for Status {
    fn value(&self) -> Value<'_> {
        Value::Text(self.as_str())
    }
}

impl FromCol for Status {
    fn from_col(v: Value<'_>) -> Result<Self, String> {
        from_text(v)
    }
}

impl Param for ApiKind {
    fn value(&self) -> Value<'_> {
        Value::Text(self.as_str())
    }
}

impl FromCol for ApiKind {
    fn from_col(v: Value<'_>) -> Result<Self, String> {
        from_text(v)
    }
}

/// A threshold is stored as it is written: `85%`, or a number of bytes. Its text is made when
/// bound, so it is bound through `threshold_text`.
pub(super) fn threshold_text(t: &Option<Threshold>) -> Option<String> {
    t.as_ref().map(Threshold::to_string)
}

impl FromCol for Threshold {
    fn from_col(v: Value<'_>) -> Result<Self, String> {
        from_text(v)
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
