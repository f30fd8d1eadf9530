//! Where a stored fact came from and when it was recorded.

use super::instant::Instant;

/// Provenance and transaction time of a stored fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub document: String,
    pub table: Option<String>,
    pub import_id: i64,
    pub recorded_at: Instant,
    pub superseded_at: Option<Instant>,
}

/// The document and table a record says it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub document: String,
    pub table: Option<String>,
}
