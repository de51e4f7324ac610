//! The errors of the domain's rules that callers branch on: what the user asked for is invalid,
//! or names nothing. Everything else travels as `anyhow::Error`.

/// A rule refused the input; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user asked for something invalid.
    #[error("{0}")]
    Invalid(String),
    /// The named record does not exist.
    #[error("{0}")]
    NotFound(String),
}

/// Shorthand for an `Invalid` error wrapped for anyhow.
pub fn invalid(msg: impl Into<String>) -> anyhow::Error {
    Error::Invalid(msg.into()).into()
}

/// Shorthand for a `NotFound` error wrapped for anyhow.
pub fn not_found(msg: impl Into<String>) -> anyhow::Error {
    Error::NotFound(msg.into()).into()
}
