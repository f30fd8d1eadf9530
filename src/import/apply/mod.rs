//! Applying validated records inside the import's transaction, batch by batch. Each batch is
//! checked against the database as this transaction sees it, so records written by earlier
//! batches count: a key repeated later in the stream is a duplicate, a span overlapping one
//! written earlier is rejected, and memory stays bounded by the batch, not the stream.

mod budget;
mod categories;
mod org;

use super::error::RecordViolation;
use super::outcome::ImportOutcome;
use super::record::{Entry, Record};
use crate::domain::validation::Violation;
use crate::store::StoreError;
use crate::store::history::WriteMeta;
use sea_orm::DatabaseTransaction;

/// At most this many violations are reported; the import is rejected either way.
pub const MAX_VIOLATIONS: usize = 1000;

/// State of one import while its batches are applied.
pub struct ImportContext {
    pub meta: WriteMeta,
    pub outcome: ImportOutcome,
    pub violations: Vec<RecordViolation>,
    org: org::OrgState,
    categories: categories::CategoryState,
}

impl ImportContext {
    /// Loads what every batch is checked against: the (small) tree and category set.
    pub async fn load(txn: &DatabaseTransaction, meta: WriteMeta) -> Result<Self, StoreError> {
        Ok(Self {
            meta,
            outcome: ImportOutcome::default(),
            violations: Vec::new(),
            org: org::OrgState::load(txn).await?,
            categories: categories::CategoryState::load(txn).await?,
        })
    }

    pub fn reject(&mut self, entry: &Entry, violation: Violation) {
        if self.violations.len() < MAX_VIOLATIONS {
            self.violations.push(record_violation(entry, violation));
        }
    }

    pub fn warn(&mut self, entry: &Entry, violation: Violation) {
        self.outcome.warn(record_violation(entry, violation));
    }

    /// Once a record is rejected nothing more is written (the transaction will be rolled
    /// back), but later batches are still checked so that the caller learns every error.
    pub fn writing(&self) -> bool {
        self.violations.is_empty()
    }

    /// Applies one batch: definitions first (units, categories), then facts, so that facts
    /// may refer to definitions earlier in the stream.
    pub async fn apply_batch(
        &mut self,
        txn: &DatabaseTransaction,
        batch: Vec<Entry>,
    ) -> Result<(), StoreError> {
        let (mut units, mut categories, mut lines) = (Vec::new(), Vec::new(), Vec::new());
        for entry in batch {
            match &entry.record {
                Record::OrgUnit(..) => units.push(entry),
                Record::Category(..) => categories.push(entry),
                Record::BudgetLine(_) => lines.push(entry),
            }
        }
        if !units.is_empty() {
            org::apply(self, txn, units).await?;
        }
        if !categories.is_empty() {
            categories::apply(self, txn, categories).await?;
        }
        if !lines.is_empty() {
            budget::apply(self, txn, lines).await?;
        }
        Ok(())
    }

    pub fn knows_unit(&self, code: &crate::domain::codes::OrgUnitCode) -> bool {
        self.org.knows(code)
    }
}

fn record_violation(entry: &Entry, violation: Violation) -> RecordViolation {
    RecordViolation {
        position: entry.position,
        location: entry.location.clone(),
        field: violation.field,
        description: violation.description,
    }
}

/// What a record does to the stored data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Insert,
    /// Replaces the current row with this id.
    Supersede(i64),
    Unchanged,
}

/// A current row of some kind: its id (0 for one written by this import) and whether this
/// import wrote it.
#[derive(Debug, Clone)]
pub struct Current<V> {
    pub id: i64,
    pub value: V,
    pub written_now: bool,
}

/// Classifies an incoming value against the current row with the same key. A key already
/// written by this import is a duplicate in the stream.
pub fn classify<V: PartialEq>(
    current: Option<&Current<V>>,
    incoming: &V,
) -> Result<Change, Violation> {
    match current {
        None => Ok(Change::Insert),
        Some(c) if c.written_now => Err(Violation::new(
            "key",
            "duplicates a record earlier in this import",
        )),
        Some(c) if &c.value == incoming => Ok(Change::Unchanged),
        Some(c) => Ok(Change::Supersede(c.id)),
    }
}
