//! One file per API kind: each builds its requests and reads the answers with pure parsers
//! tested on the fixtures. What the JSON kinds share is here.

pub mod custom;
pub mod ping;
pub mod server_manager;
pub mod server_observer;

use std::time::Instant;

use serde_json::Value;

use crate::domain::assertion::Assertions;
use crate::domain::model::{NoAnswer, Reading, Status};
use crate::probe::answer::{self, AnswerError};
use crate::probe::net::http::{self, Http};

/// Why a JSON kind got no document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DocError {
    /// No usable HTTP answer (transport failure, HTTP error status).
    Http { status: Status, message: String },
    /// An answer, but not a document.
    Answer(AnswerError),
}

impl DocError {
    pub(crate) fn status(&self) -> Status {
        match self {
            DocError::Http { status, .. } => *status,
            DocError::Answer(error) => error.status(),
        }
    }

    pub(crate) fn message(&self) -> String {
        match self {
            DocError::Http { message, .. } => message.clone(),
            DocError::Answer(error) => error.message(),
        }
    }
}

/// One GET of a JSON kind and what it gave.
pub(crate) struct Fetched {
    pub(crate) http_status: Option<u16>,
    pub(crate) response_ms: Option<u64>,
    pub(crate) document: Result<Value, DocError>,
    /// Set when nothing answered at all, and how.
    pub(crate) no_answer: Option<NoAnswer>,
}

impl Fetched {
    /// The reading of a record whose check ended on this fetch's error.
    pub(crate) fn failed(&self, error: &DocError) -> Reading {
        Reading {
            no_answer: self.no_answer,
            ..Reading::with_http(
                error.status(),
                error.message(),
                self.http_status,
                self.response_ms,
            )
        }
    }
}

/// GETs a JSON document, applying the HTTP status rules shared by the JSON kinds.
/// `deadline` is the end of the whole check the fetch is part of, if it has one.
pub(crate) fn fetch_document(
    http: &Http,
    url: &str,
    verify: http::Verify<'_>,
    signed: bool,
    deadline: Option<Instant>,
    assertions: &Assertions,
) -> Fetched {
    let options = http::Options {
        verify,
        signed,
        discard_body: false,
        deadline,
        method: None,
        headers: &[],
    };
    let answer = match http.get(url, options) {
        Ok(answer) => answer,
        Err(failure) => {
            return Fetched {
                http_status: failure.http_status,
                response_ms: Some(failure.elapsed_ms),
                document: Err(DocError::Http {
                    status: failure.status,
                    message: failure.message,
                }),
                no_answer: failure.no_answer,
            };
        }
    };
    let code = answer.status;
    let http_error = |status: Status, message: String| Err(DocError::Http { status, message });
    // The record's own assertions first: answered, but not as it should (a 200 that is a
    // maintenance page, a redirect where none belongs) is an error with the reason.
    let asserted = (!assertions.expect_status.is_empty())
        .then(|| assertions.judge_status(code))
        .flatten()
        .or_else(|| assertions.judge_body(&answer.body));
    if let Some(why) = asserted {
        return Fetched {
            http_status: Some(code),
            response_ms: Some(answer.elapsed_ms),
            document: http_error(Status::Error, format!("{}: {why}", http::status_text(code))),
            no_answer: None,
        };
    }
    let document = match code {
        200..=299 => answer::parse_json(&answer.body).map_err(DocError::Answer),
        500..=599 => {
            let status = http::status_text(code);
            let message = match answer::first_line(&answer.body) {
                // A proxy's error page whose heading only repeats the status adds nothing.
                Some(line) if !status.ends_with(line.as_str()) => format!("{status}: {line}"),
                _ => status,
            };
            http_error(Status::Offline, message)
        }
        403 => http_error(
            Status::Error,
            format!(
                "{}: reachable, but this poller's address is not allowed (IP allow-list?)",
                http::status_text(code)
            ),
        ),
        400..=499 => http_error(Status::Error, http::status_text(code)),
        _ => http_error(
            Status::Error,
            format!("{} (no document)", http::status_text(code)),
        ),
    };
    Fetched {
        http_status: Some(code),
        response_ms: Some(answer.elapsed_ms),
        document,
        no_answer: None,
    }
}
