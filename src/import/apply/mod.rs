//! Applying validated records inside the import's transaction, batch by batch. Each batch is
//! checked against the database as this transaction sees it, so records written by earlier
//! batches count: a key repeated later in the stream is a duplicate, a span overlapping one
//! written earlier is rejected, and memory stays bounded by the batch, not the stream.

mod budget;
mod categories;
pub mod fact;
mod indicator;
mod investment;
mod org;
pub use org::ORG_UNIT_KIND;
mod scope;
pub use scope::ImportScope;
mod staffing;

use super::error::RecordViolation;
use super::outcome::ImportOutcome;
use super::place::Place;
use super::record::{Entry, Record, RetractKey, Retraction};
use crate::domain::category::Category;
use crate::domain::codes::{
    CategoryCode, IndicatorCode, InvestmentId, OrgUnitCode, ProfessionCode,
};
use crate::domain::org::OrgUnit;
use crate::domain::provenance::Source;
use crate::domain::validation::Violation;
use crate::store::StoreError;
use crate::store::budget as budget_store;
use crate::store::entities::{
    indicator as indicator_entity, investment as investment_entity, profession_group,
};
use crate::store::facts::{current_pairs, current_values};
use crate::store::history::WriteMeta;
use fact::Op;
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
    /// Current investment ids and their units, this import's included.
    pub investments: HashMap<InvestmentId, OrgUnitCode>,
    /// Current indicator codes and their units, this import's included.
    pub indicators: HashMap<IndicatorCode, OrgUnitCode>,
    /// Definitions this import retracted (kind, code): checked at its end, when nothing
    /// current may refer to them any more.
    pub retracted_definitions: Vec<(Place, &'static str, String)>,
    /// A scoped importer's scope (`None`: the whole region).
    scope: Option<ImportScope>,
    /// The first record the scope refused: it ends the import (OUTSIDE_SCOPE).
    pub denied: Option<(Place, String)>,
}

impl ImportContext {
    /// Loads what every batch is checked against: the (small) tree and category set.
    pub async fn load(
        txn: &DatabaseTransaction,
        meta: WriteMeta,
        scope: Option<ImportScope>,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            scope,
            denied: None,
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
            investments: current_pairs::<investment_entity::Entity>(
                txn,
                [
                    investment_entity::Column::InvestmentId,
                    investment_entity::Column::OrgUnitCode,
                ],
                investment_entity::Column::SupersededAt,
            )
            .await?
            .into_iter()
            .map(|(id, unit)| {
                (
                    InvestmentId::from_stored(id),
                    OrgUnitCode::from_stored(unit),
                )
            })
            .collect(),
            indicators: current_pairs::<indicator_entity::Entity>(
                txn,
                [
                    indicator_entity::Column::IndicatorCode,
                    indicator_entity::Column::OrgUnitCode,
                ],
                indicator_entity::Column::SupersededAt,
            )
            .await?
            .into_iter()
            .map(|(code, unit)| {
                (
                    IndicatorCode::from_stored(code),
                    OrgUnitCode::from_stored(unit),
                )
            })
            .collect(),
            retracted_definitions: Vec::new(),
        })
    }

    /// Adds the violations of records that could not be parsed, up to the limit.
    pub fn take_violations(&mut self, violations: Vec<RecordViolation>) {
        for violation in violations {
            if self.violations.len() < MAX_VIOLATIONS {
                self.violations.push(violation);
            }
        }
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
        self.violations.is_empty() && self.denied.is_none()
    }

    /// Whether the importer is limited to a scope.
    pub fn scoped(&self) -> bool {
        self.scope.is_some()
    }

    /// Records the first refusal of the scope.
    fn deny(&mut self, place: &Place, description: String) {
        if self.denied.is_none() {
            self.denied = Some((place.clone(), description));
        }
    }

    /// Whether the scope lets a record of `kind` touch a fact owned by `owner` (`None`: a
    /// region-wide definition, or nothing the import knows); else the refusal is recorded.
    /// Every cause gets the same words, so a scoped importer learns nothing from them.
    pub fn allows(&mut self, place: &Place, kind: &str, owner: Option<&OrgUnitCode>) -> bool {
        let allowed = match &self.scope {
            None => true,
            Some(scope) => scope.allows_owner(&self.org, owner),
        };
        if !allowed {
            self.deny(
                place,
                format!(
                    "a {kind} record that touches what lies outside the credential's org-unit \
                     scope (units, investments and indicators outside it or unknown, and \
                     region-wide definitions, are refused alike)"
                ),
            );
        }
        allowed
    }

    /// Whether the scope lets `unit` be placed (`retract`: withdrawn); else the refusal is
    /// recorded.
    pub fn allows_placement(&mut self, place: &Place, unit: &OrgUnit, retract: bool) -> bool {
        let allowed = match &self.scope {
            None => true,
            Some(scope) if retract => scope.allows_retraction(&self.org, unit),
            Some(scope) => scope.allows_placement(&self.org, unit),
        };
        if !allowed {
            self.deny(
                place,
                format!(
                    "a placement of org unit {} that touches units outside the credential's \
                     org-unit scope at some date it covers",
                    unit.code
                ),
            );
        }
        allowed
    }

    /// Applies one batch: definitions first (units, categories, profession groups,
    /// investment objects, indicators), then facts, so that facts may refer to definitions earlier in
    /// the stream.
    pub async fn apply_batch(
        &mut self,
        txn: &DatabaseTransaction,
        batch: Vec<Entry>,
    ) -> Result<(), StoreError> {
        let (units, facts): (Vec<Entry>, Vec<Entry>) = batch.into_iter().partition(|e| {
            matches!(
                e.record,
                Record::OrgUnit(..)
                    | Record::Retract(
                        Retraction {
                            key: RetractKey::OrgUnit(..),
                            ..
                        },
                        _
                    )
            )
        });
        if !units.is_empty() {
            org::apply(self, txn, units).await?;
        }
        apply_facts(self, txn, facts).await
    }

    pub fn category(&self, code: &CategoryCode) -> Option<&Category> {
        self.categories.get(code)
    }

    pub fn knows_unit(&self, code: &OrgUnitCode) -> bool {
        self.org.knows(code)
    }

    /// At the end of the import: a retracted definition (a unit's last placement, a
    /// category, a profession group, an investment, an indicator) must not be referred to
    /// by anything current, or the data (and every export of it) would hold dangling
    /// references. Rejects the retraction naming what still refers to it.
    pub async fn check_retracted_definitions(
        &mut self,
        txn: &DatabaseTransaction,
    ) -> Result<(), StoreError> {
        for (place, kind, code) in std::mem::take(&mut self.retracted_definitions) {
            if let Some(referrer) = crate::store::references::referrer(txn, kind, &code).await? {
                self.reject(
                    &place,
                    Violation::new(
                        "key",
                        format!(
                            "{kind} {code} cannot be retracted: current {referrer} still refer \
                             to it (retract or correct them first, in this import or an earlier one)"
                        ),
                    ),
                );
            }
        }
        Ok(())
    }
}

async fn apply_kind<T: StoredFact>(
    ctx: &mut ImportContext,
    txn: &DatabaseTransaction,
    batch: Vec<(Place, Op<T>, Source)>,
) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    fact::apply(ctx, txn, batch).await
}

/// Defines `apply_facts` from the kind registry (`import/kinds.rs`).
macro_rules! define_apply_facts {
    ($($variant:ident($ty:ty)),+ $(,)?) => {
        /// Applies a batch's fact records kind by kind, in registry order (definitions
        /// first), each kind in stream order.
        async fn apply_facts(
            ctx: &mut ImportContext,
            txn: &DatabaseTransaction,
            entries: Vec<Entry>,
        ) -> Result<(), StoreError> {
            let mut rest = entries;
            $(
                let (mine, others): (Vec<Entry>, Vec<Entry>) = rest
                    .into_iter()
                    .partition(|e| matches!(
                        e.record,
                        Record::$variant(..) | Record::Retract(Retraction { key: RetractKey::$variant(..), .. }, _)
                    ));
                rest = others;
                let batch: Vec<(Place, Op<$ty>, Source)> = mine
                    .into_iter()
                    .filter_map(|e| match e.record {
                        Record::$variant(value, source) => Some((e.place, Op::Put(value), source)),
                        Record::Retract(Retraction { key: RetractKey::$variant(key), text }, source) => {
                            Some((e.place, Op::Retract(key, text), source))
                        }
                        _ => None,
                    })
                    .collect();
                apply_kind(ctx, txn, batch).await?;
            )+
            debug_assert!(rest.is_empty(), "every fact kind is in the registry");
            drop(rest);
            Ok(())
        }
    };
}

crate::with_fact_kinds!(define_apply_facts);

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
