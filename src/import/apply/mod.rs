//! Applying validated records inside the import's transaction, batch by batch. Each batch is
//! checked against the database as this transaction sees it, so records written by earlier
//! batches count: a key repeated later in the stream is a duplicate, a span overlapping one
//! written earlier is rejected, and memory stays bounded by the batch, not the stream.

mod budget;
mod categories;
pub mod fact;
mod investment;
mod org;
pub use org::ORG_UNIT_KIND;
mod staffing;

use super::error::RecordViolation;
use super::outcome::ImportOutcome;
use super::record::{Entry, Place, Record};
use crate::domain::category::Category;
use crate::domain::codes::{CategoryCode, InvestmentId, OrgUnitCode, ProfessionCode};
use crate::domain::provenance::Source;
use crate::domain::validation::Violation;
use crate::store::StoreError;
use crate::store::budget as budget_store;
use crate::store::entities::{investment as investment_entity, profession_group};
use crate::store::facts::current_values;
use crate::store::history::WriteMeta;
use fact::StoredFact;
use sea_orm::DatabaseTransaction;
use std::collections::{HashMap, HashSet};

/// At most this many violations are reported; the import is rejected either way.
pub const MAX_VIOLATIONS: usize = 1000;

/// State of one import while its batches are applied.
pub struct ImportContext {
    pub meta: WriteMeta,
    pub outcome: ImportOutcome,
    pub violations: Vec<RecordViolation>,
    org: org::OrgState,
    /// Current categories by code, this import's included (budget lines need directions).
    pub categories: HashMap<CategoryCode, Category>,
    /// Current profession group codes, this import's included.
    pub professions: HashSet<ProfessionCode>,
    /// Current investment ids, this import's included.
    pub investments: HashSet<InvestmentId>,
}

impl ImportContext {
    /// Loads what every batch is checked against: the (small) tree and category set.
    pub async fn load(txn: &DatabaseTransaction, meta: WriteMeta) -> Result<Self, StoreError> {
        Ok(Self {
            meta,
            outcome: ImportOutcome::default(),
            violations: Vec::new(),
            org: org::OrgState::load(txn).await?,
            categories: budget_store::categories(txn, meta.recorded_at)
                .await?
                .into_iter()
                .map(|s| (s.category.code.clone(), s.category))
                .collect(),
            professions: current_values::<profession_group::Entity>(
                txn,
                profession_group::Column::Code,
                profession_group::Column::SupersededAt,
            )
            .await?
            .into_iter()
            .map(ProfessionCode::from_stored)
            .collect(),
            investments: current_values::<investment_entity::Entity>(
                txn,
                investment_entity::Column::InvestmentId,
                investment_entity::Column::SupersededAt,
            )
            .await?
            .into_iter()
            .map(InvestmentId::from_stored)
            .collect(),
        })
    }

    pub fn reject(&mut self, place: &Place, violation: Violation) {
        if self.violations.len() < MAX_VIOLATIONS {
            self.violations.push(record_violation(place, violation));
        }
    }

    pub fn warn(&mut self, place: &Place, violation: Violation) {
        self.outcome.warn(record_violation(place, violation));
    }

    /// Once a record is rejected nothing more is written (the transaction will be rolled
    /// back), but later batches are still checked so that the caller learns every error.
    pub fn writing(&self) -> bool {
        self.violations.is_empty()
    }

    /// Applies one batch: definitions first (units, categories, profession groups,
    /// investment objects), then facts, so that facts may refer to definitions earlier in
    /// the stream.
    pub async fn apply_batch(
        &mut self,
        txn: &DatabaseTransaction,
        batch: Vec<Entry>,
    ) -> Result<(), StoreError> {
        let mut kinds = Kinds::default();
        for entry in batch {
            kinds.push(entry);
        }
        if !kinds.units.is_empty() {
            org::apply(self, txn, kinds.units).await?;
        }
        apply_kind(self, txn, kinds.categories).await?;
        apply_kind(self, txn, kinds.professions).await?;
        apply_kind(self, txn, kinds.investments).await?;
        apply_kind(self, txn, kinds.budget_lines).await?;
        apply_kind(self, txn, kinds.investment_figures).await?;
        apply_kind(self, txn, kinds.headcounts).await?;
        apply_kind(self, txn, kinds.worked_hours).await?;
        apply_kind(self, txn, kinds.hired_staff).await?;
        apply_kind(self, txn, kinds.sick_leave).await?;
        apply_kind(self, txn, kinds.positions).await?;
        Ok(())
    }

    pub fn category(&self, code: &CategoryCode) -> Option<&Category> {
        self.categories.get(code)
    }

    pub fn knows_unit(&self, code: &OrgUnitCode) -> bool {
        self.org.knows(code)
    }
}

async fn apply_kind<T: StoredFact>(
    ctx: &mut ImportContext,
    txn: &DatabaseTransaction,
    batch: Vec<(Place, T, Source)>,
) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    fact::apply(ctx, txn, batch).await
}

/// One batch split by kind, each in stream order.
#[derive(Default)]
struct Kinds {
    units: Vec<Entry>,
    categories: Vec<(Place, Category, Source)>,
    professions: Vec<(Place, crate::domain::staffing::ProfessionGroup, Source)>,
    investments: Vec<(Place, crate::domain::investment::Investment, Source)>,
    budget_lines: Vec<(Place, crate::domain::budget::BudgetLine, Source)>,
    investment_figures: Vec<(Place, crate::domain::investment::InvestmentFigures, Source)>,
    headcounts: Vec<(Place, crate::domain::staffing::Headcount, Source)>,
    worked_hours: Vec<(Place, crate::domain::staffing::WorkedHours, Source)>,
    hired_staff: Vec<(Place, crate::domain::staffing::HiredStaff, Source)>,
    sick_leave: Vec<(Place, crate::domain::staffing::SickLeave, Source)>,
    positions: Vec<(Place, crate::domain::staffing::Position, Source)>,
}

impl Kinds {
    fn push(&mut self, entry: Entry) {
        let Entry { place, record } = entry;
        match record {
            Record::OrgUnit(..) => self.units.push(Entry { place, record }),
            Record::Category(v, s) => self.categories.push((place, v, s)),
            Record::ProfessionGroup(v, s) => self.professions.push((place, v, s)),
            Record::Investment(v, s) => self.investments.push((place, v, s)),
            Record::BudgetLine(v, s) => self.budget_lines.push((place, v, s)),
            Record::InvestmentFigures(v, s) => self.investment_figures.push((place, v, s)),
            Record::Headcount(v, s) => self.headcounts.push((place, v, s)),
            Record::WorkedHours(v, s) => self.worked_hours.push((place, v, s)),
            Record::HiredStaff(v, s) => self.hired_staff.push((place, v, s)),
            Record::SickLeave(v, s) => self.sick_leave.push((place, v, s)),
            Record::Position(v, s) => self.positions.push((place, v, s)),
        }
    }
}

fn record_violation(place: &Place, violation: Violation) -> RecordViolation {
    RecordViolation {
        position: place.position,
        location: place.location.clone(),
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
