//! What an import did: counts per record kind and warnings on data that looks inconsistent.

use super::error::RecordViolation;
use std::collections::BTreeMap;

/// Per record kind: new keys, corrections that superseded an older value, records
/// identical to the current value (which write nothing), and retractions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KindCounts {
    pub inserted: u64,
    pub superseded: u64,
    pub unchanged: u64,
    /// Absent in results stored before retractions existed.
    #[serde(default)]
    pub retracted: u64,
}

/// At most this many warnings are kept; `warning_count` has them all.
pub const MAX_WARNINGS: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportOutcome {
    /// The logged import; `None` for a dry run.
    pub import_id: Option<i64>,
    pub request_id: Option<String>,
    pub dry_run: bool,
    /// The import's transaction time, microseconds since the epoch.
    pub recorded_at: i64,
    pub counts: BTreeMap<String, KindCounts>,
    pub warnings: Vec<RecordViolation>,
    pub warning_count: u64,
    /// True when this is the stored result of an earlier import with the same request id.
    #[serde(default)]
    pub replayed: bool,
}

impl ImportOutcome {
    pub fn count(&mut self, kind: &str) -> &mut KindCounts {
        self.counts.entry(kind.to_owned()).or_default()
    }

    pub fn warn(&mut self, warning: RecordViolation) {
        self.warning_count += 1;
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(warning);
        }
    }

    pub fn records(&self) -> u64 {
        self.counts
            .values()
            .map(|c| c.inserted + c.superseded + c.unchanged + c.retracted)
            .sum()
    }
}
