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
    /// A record touches an org unit (or a region-wide definition) outside the importing
    /// credential's scope; the whole import is rejected.
    #[error("records[{position}] is outside the credential's scope: {description}")]
    OutOfScope {
        position: usize,
        description: String,
    },
    /// The import holds more records than the server accepts in one import.
    #[error("the import holds more than {limit} records")]
    TooLarge { limit: u64 },
    /// The database failed while the import ran: `stage` names how far through the input
    /// it had come (the database's own message stays in the source, for the log).
    #[error("{}: {} at {stage}; {}", .error.cause(), what(.error), stage.outcome())]
    Interrupted {
        /// Boxed: every `Result` of an import's stream carries this error's size.
        stage: Box<Stage>,
        #[source]
        error: StoreError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn what(error: &StoreError) -> &'static str {
    match error {
        StoreError::Unavailable(_) => "the import was cut",
        StoreError::TimedOut(_) => "the import ran past the database's time limit",
        _ => "the import failed",
    }
}

/// A record of the input, as an error names it: its position in the stream (from 0, as
/// record violations name it), its kind and, for a file, where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    pub position: usize,
    pub kind: &'static str,
    pub location: Option<String>,
}

impl std::fmt::Display for RecordRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "records[{}] ({}", self.position, self.kind)?;
        if let Some(location) = &self.location {
            write!(f, ", {location}")?;
        }
        write!(f, ")")
    }
}

/// How far an import had come when the database failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Opening the transaction, before any record was read.
    Start,
    /// Writing the batch of records `first` to `last`.
    Records { first: RecordRef, last: RecordRef },
    /// Checking and recording the import, after all of `records` were written.
    Finish { records: u64 },
    /// The commit itself: one cut short may have landed.
    Commit { records: u64 },
}

impl Stage {
    /// What became of the import.
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::Commit { .. } => {
                "it may have been committed: retry with the same request id, which replays a \
                 committed import's result, or look for it in the import log"
            }
            _ => "nothing was imported",
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Start => write!(f, "its start, before the first record"),
            Self::Records { first, last } if first == last => write!(f, "{last}"),
            Self::Records { first, last } => {
                write!(f, "{last}, in the batch from {first}")
            }
            Self::Finish { records } => write!(f, "its end, after all {records} records"),
            Self::Commit { records } => write!(f, "its commit, after all {records} records"),
        }
    }
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Store(StoreError::from(error))
    }
}
