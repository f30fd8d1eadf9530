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

impl Provenance {
    /// Whether the fact was the current one at `at`: recorded by then and not yet superseded.
    pub fn is_current_at(&self, at: Instant) -> bool {
        self.recorded_at <= at && self.superseded_at.is_none_or(|s| s > at)
    }
}

/// The document and table a record says it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub document: String,
    pub table: Option<String>,
}
