//! Typed errors that callers branch on; everything else travels as `anyhow::Error`.

use crate::exit_code::Exit;

/// Errors whose kind decides the exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user asked for something invalid; nothing was written.
    #[error("{0}")]
    Invalid(String),
    /// The named record does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Another pass of the same kind is running.
    #[error("{0}")]
    Busy(String),
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Invalid(_) | Error::NotFound(_) => Exit::Usage,
            Error::Busy(_) => Exit::Busy,
        }
    }
}

/// Shorthand for an `Invalid` error wrapped for anyhow.
pub fn invalid(msg: impl Into<String>) -> anyhow::Error {
    Error::Invalid(msg.into()).into()
}

/// The exit code for any error reaching `main`.
pub fn exit_for(err: &anyhow::Error) -> Exit {
    err.chain()
        .find_map(|e| e.downcast_ref::<Error>())
        .map_or(Exit::Failure, Error::exit)
}
