//! The service layer's error: what went wrong with a validated query, in terms a caller can
//! act on. Mapped to gRPC statuses in one place (`crate::status`).

use crate::domain::access::Denied;
use crate::domain::validation::Violation;
use crate::import::ImportError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Invalid request fields; `reason` is the ErrorInfo reason.
    #[error("invalid argument: {}", describe(.violations))]
    Invalid {
        reason: &'static str,
        violations: Vec<Violation>,
    },
    /// `resource` (a resource name such as `orgUnits/X`) does not exist.
    #[error("{resource} not found")]
    NotFound { resource: String },
    /// `resource` lies outside the caller's org-unit scope, or does not exist and the caller
    /// is scoped: the same answer for both.
    #[error("{resource} is outside the credential's org-unit scope")]
    OutsideScope { resource: String },
    /// A scoped caller may not do this at all; the message says what.
    #[error("{message}")]
    Refused { message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Import(#[from] ImportError),
}

fn describe(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ServiceError {
    pub fn invalid(violations: Vec<Violation>) -> Self {
        Self::Invalid {
            reason: "INVALID_ARGUMENT",
            violations,
        }
    }

    pub fn not_found(resource: impl Into<String>) -> Self {
        Self::NotFound {
            resource: resource.into(),
        }
    }

    /// A unit the grant could not read, named as `resource`.
    pub fn denied(denied: Denied, resource: impl Into<String>) -> Self {
        let resource = resource.into();
        match denied {
            Denied::Unknown => Self::NotFound { resource },
            Denied::Outside => Self::OutsideScope { resource },
        }
    }
}

impl From<Violation> for ServiceError {
    fn from(violation: Violation) -> Self {
        Self::invalid(vec![violation])
    }
}

impl From<Vec<Violation>> for ServiceError {
    fn from(violations: Vec<Violation>) -> Self {
        Self::invalid(violations)
    }
}
