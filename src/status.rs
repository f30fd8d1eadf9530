//! The error a client receives, and its one mapping to gRPC statuses: canonical codes,
//! ErrorInfo (domain `uppsikt`) on every error, BadRequest naming each invalid field.
//! Database messages are logged here and never sent. Every transport and middleware (the
//! handlers, authentication, limits, the HTTP forms) answers through it.

use crate::domain::validation::Violation;
use crate::import::ImportError;
use crate::service::ServiceError;
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
    /// Overload or a lost database: worth a retry with backoff. `cause` is what the client
    /// is told (never a database message), `retry_after` when to try again if known.
    #[error("service unavailable: {cause}")]
    Unavailable {
        cause: String,
        retry_after: Option<std::time::Duration>,
        #[source]
        source: anyhow::Error,
    },
    /// The client went away or cancelled: nothing to report as a failure of ours.
    #[error("cancelled by the client")]
    Cancelled(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
    /// An internal error with what a client may be told of it (how far an import came).
    #[error("internal error: {context}")]
    InternalIn {
        context: String,
        #[source]
        source: anyhow::Error,
    },
    /// No credential, or one that is not valid (src/auth).
    #[error("unauthenticated: {message}")]
    Unauthenticated {
        reason: &'static str,
        message: String,
    },
    /// A valid credential without the role or org-unit scope the call needs.
    #[error("permission denied: {message}")]
    PermissionDenied {
        reason: &'static str,
        message: String,
    },
    /// The call's deadline (the server's or the client's shorter one) passed.
    #[error("deadline exceeded: {message}")]
    DeadlineExceeded { message: String },
    /// A limit: concurrent calls, the credential's rate, the records of one import.
    #[error("resource exhausted: {message}")]
    ResourceExhausted {
        reason: &'static str,
        message: String,
        retry_after: Option<std::time::Duration>,
    },
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
            StoreError::Unavailable(_) => Self::Unavailable {
                cause: error.cause(),
                retry_after: None,
                source: error.into(),
            },
            StoreError::TimedOut(_) => {
                tracing::warn!(%error, "database statement timed out");
                Self::DeadlineExceeded {
                    message: "the query ran past the database's time limit".to_owned(),
                }
            }
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
                        // A file's record is named by its line (`huvudbok.se:57.saldo`).
                        let field = match &r.location {
                            Some(location) => format!("{location}.{}", r.field),
                            None => format!("records[{}].{}", r.position, r.field),
                        };
                        Violation::new(field, r.description)
                    })
                    .collect(),
            },
            ImportError::Stream(message) => Self::Cancelled(message),
            ImportError::OutOfScope {
                position,
                description,
            } => Self::PermissionDenied {
                reason: "OUTSIDE_SCOPE",
                message: format!("records[{position}]: {description}; nothing was imported"),
            },
            ImportError::TooLarge { limit } => Self::ResourceExhausted {
                reason: "IMPORT_TOO_LARGE",
                message: format!(
                    "an import holds at most {limit} records; split it: nothing was imported"
                ),
                retry_after: None,
            },
            ImportError::Store(error) => error.into(),
            ImportError::Interrupted { .. } => {
                // The message names the cause and the record reached, never the database's
                // words (those are logged, from the source).
                let message = error.to_string();
                let ImportError::Interrupted { error: cause, .. } = error else {
                    unreachable!("matched above");
                };
                match cause {
                    StoreError::Unavailable(_) => Self::Unavailable {
                        cause: message,
                        retry_after: None,
                        source: cause.into(),
                    },
                    StoreError::TimedOut(_) => {
                        tracing::warn!(error = %cause, "an import's statement timed out");
                        Self::DeadlineExceeded { message }
                    }
                    StoreError::Database(_) | StoreError::Corrupt(_) => Self::InternalIn {
                        context: message,
                        source: cause.into(),
                    },
                }
            }
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid { reason, violations } => {
                Self::InvalidArgument { reason, violations }
            }
            ServiceError::NotFound { resource } => Self::NotFound { resource },
            ServiceError::OutsideScope { resource } => Self::PermissionDenied {
                reason: "OUTSIDE_SCOPE",
                message: format!("{resource} is outside the credential's org-unit scope"),
            },
            ServiceError::Refused { message } => Self::PermissionDenied {
                reason: "OUTSIDE_SCOPE",
                message,
            },
            ServiceError::Store(error) => error.into(),
            ServiceError::Import(error) => error.into(),
        }
    }
}

impl From<ServiceError> for Status {
    fn from(error: ServiceError) -> Self {
        ApiError::from(error).into()
    }
}

/// Error text travels in HTTP/2 trailers; echoed client input is cut so that no request
/// can make the error exceed the header-size limits.
const MAX_TEXT: usize = 300;
/// The violations sent stop at this many bytes of text; the message says how many there
/// were. The details travel base64-encoded in a trailer, and gRPC clients refuse trailers
/// past 8 KiB (grpcio's default), so the whole error stays well under that.
const MAX_VIOLATION_BYTES: usize = 3000;

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
                let mut sent = 0;
                for v in violations {
                    let (field, description) = (cut(&v.field), cut(&v.description));
                    sent += field.len() + description.len();
                    if sent > MAX_VIOLATION_BYTES {
                        break;
                    }
                    details.add_bad_request_violation(field, description);
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
            ApiError::Unavailable {
                cause,
                retry_after,
                source,
            } => {
                tracing::warn!(error = ?source, "database unavailable");
                let retry = match retry_after {
                    Some(delay) => {
                        details.set_retry_info(Some(*delay));
                        format!("retry in {} s", delay.as_secs_f64().ceil())
                    }
                    None => "retry with backoff".to_owned(),
                };
                (
                    Code::Unavailable,
                    "DATABASE_UNAVAILABLE",
                    cut(&format!("{cause}; {retry}")),
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
            ApiError::InternalIn { context, source } => {
                tracing::error!(error = ?source, %context, "internal error");
                (
                    Code::Internal,
                    "INTERNAL",
                    cut(&format!("internal error: {context}")),
                )
            }
            ApiError::Unauthenticated { reason, message } => {
                (Code::Unauthenticated, *reason, cut(message))
            }
            ApiError::PermissionDenied { reason, message } => {
                (Code::PermissionDenied, *reason, cut(message))
            }
            ApiError::DeadlineExceeded { message } => {
                (Code::DeadlineExceeded, "DEADLINE_EXCEEDED", cut(message))
            }
            ApiError::ResourceExhausted {
                reason,
                message,
                retry_after,
            } => {
                if let Some(delay) = retry_after {
                    details.set_retry_info(Some(*delay));
                }
                (Code::ResourceExhausted, *reason, cut(message))
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
