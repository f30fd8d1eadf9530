//! The API's error type and its one mapping to gRPC statuses: canonical codes, ErrorInfo
//! (domain `uppsikt`) on every error, BadRequest naming each invalid field. Database
//! messages are logged here and never sent.

use crate::domain::validation::Violation;
use crate::import::ImportError;
use crate::store::StoreError;
use std::collections::HashMap;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

pub const ERROR_DOMAIN: &str = "uppsikt";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Invalid request fields; `reason` is the ErrorInfo reason.
    #[error("invalid argument: {}", describe(.violations))]
    InvalidArgument {
        reason: &'static str,
        violations: Vec<Violation>,
    },
    #[error("{resource} not found")]
    NotFound { resource: String },
    /// Overload or a lost database: worth a retry with backoff.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// The database gave up on a statement that ran too long.
    #[error("deadline exceeded")]
    DeadlineExceeded(#[source] anyhow::Error),
    /// The client went away or cancelled: nothing to report as a failure of ours.
    #[error("cancelled by the client")]
    Cancelled(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

fn describe(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ApiError {
    pub fn invalid(violations: Vec<Violation>) -> Self {
        Self::InvalidArgument {
            reason: "INVALID_ARGUMENT",
            violations,
        }
    }

    pub fn invalid_field(violation: Violation) -> Self {
        Self::invalid(vec![violation])
    }

    pub fn not_found(resource: impl Into<String>) -> Self {
        Self::NotFound {
            resource: resource.into(),
        }
    }
}

impl From<Violation> for ApiError {
    fn from(violation: Violation) -> Self {
        Self::invalid_field(violation)
    }
}

impl From<Vec<Violation>> for ApiError {
    fn from(violations: Vec<Violation>) -> Self {
        Self::invalid(violations)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(error.into()),
            StoreError::TimedOut(_) => Self::DeadlineExceeded(error.into()),
            StoreError::Database(_) | StoreError::Corrupt(_) => Self::Internal(error.into()),
        }
    }
}

impl From<ImportError> for ApiError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::InvalidRequest { field, description } => Self::InvalidArgument {
                reason: "INVALID_IMPORT_REQUEST",
                violations: vec![Violation::new(field, description)],
            },
            ImportError::InvalidRecords(records) => Self::InvalidArgument {
                reason: "INVALID_RECORDS",
                violations: records
                    .into_iter()
                    .map(|r| {
                        Violation::new(
                            format!("records[{}].{}", r.position, r.field),
                            r.description,
                        )
                    })
                    .collect(),
            },
            ImportError::Stream(message) => Self::Cancelled(message),
            ImportError::Store(error) => error.into(),
        }
    }
}

/// Error text travels in HTTP/2 trailers; echoed client input is cut so that no request
/// can make the error exceed the header-size limits.
const MAX_TEXT: usize = 300;
/// At most this many violations are sent; the message says how many there were.
const MAX_VIOLATIONS_SENT: usize = 100;

fn cut(text: &str) -> String {
    if text.len() <= MAX_TEXT {
        return text.to_owned();
    }
    let mut end = MAX_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

impl From<ApiError> for Status {
    fn from(error: ApiError) -> Self {
        let mut details = ErrorDetails::new();
        let (code, reason, message) = match &error {
            ApiError::InvalidArgument { reason, violations } => {
                for v in violations.iter().take(MAX_VIOLATIONS_SENT) {
                    details.add_bad_request_violation(cut(&v.field), cut(&v.description));
                }
                let message = match violations.len() {
                    1 => format!("invalid argument: {}", violations[0]),
                    n => format!("{n} invalid arguments, first: {}", violations[0]),
                };
                (Code::InvalidArgument, *reason, cut(&message))
            }
            ApiError::NotFound { resource } => (
                Code::NotFound,
                "RESOURCE_NOT_FOUND",
                cut(&format!("{resource} not found")),
            ),
            ApiError::Unavailable(source) => {
                tracing::warn!(error = ?source, "database unavailable");
                (
                    Code::Unavailable,
                    "DATABASE_UNAVAILABLE",
                    "the database is overloaded or unreachable; retry with backoff".to_owned(),
                )
            }
            ApiError::DeadlineExceeded(source) => {
                tracing::warn!(error = ?source, "database statement timed out");
                (
                    Code::DeadlineExceeded,
                    "DEADLINE_EXCEEDED",
                    "the query ran past its time limit".to_owned(),
                )
            }
            ApiError::Cancelled(reason) => {
                tracing::info!(%reason, "call ended by the client");
                (Code::Cancelled, "CANCELLED", cut(reason))
            }
            ApiError::Internal(source) => {
                tracing::error!(error = ?source, "internal error");
                (Code::Internal, "INTERNAL", "internal error".to_owned())
            }
        };
        let mut metadata = HashMap::new();
        if let ApiError::NotFound { resource } = &error {
            metadata.insert("resource".to_owned(), cut(resource));
        }
        details.set_error_info(reason, ERROR_DOMAIN, metadata);
        Status::with_error_details(code, message, details)
    }
}
