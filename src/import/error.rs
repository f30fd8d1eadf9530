//! Why an import was rejected. A rejected import has written nothing.

use crate::store::StoreError;

/// One bad record: its position in the stream, where it came from, and the field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordViolation {
    pub position: usize,
    pub location: Option<String>,
    pub field: String,
    pub description: String,
}

impl std::fmt::Display for RecordViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{location}: {}: {}", self.field, self.description),
            None => write!(
                f,
                "records[{}].{}: {}",
                self.position, self.field, self.description
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The request itself (not a record) is invalid, e.g. a missing source document.
    #[error("invalid import request: {field}: {description}")]
    InvalidRequest { field: String, description: String },
    /// One or more records are malformed or inconsistent with the stored data.
    #[error("{} invalid record(s), first: {}", .0.len(), .0[0])]
    InvalidRecords(Vec<RecordViolation>),
    /// The stream of records ended with an error (e.g. the client went away).
    #[error("the record stream failed: {0}")]
    Stream(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Store(StoreError::from(error))
    }
}
