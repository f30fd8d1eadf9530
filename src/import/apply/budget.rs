//! Budget lines: key (unit, category, year, scenario, span); spans of a series must not
//! overlap.

use super::ImportContext;
use super::fact::StoredFact;
use crate::domain::budget::BudgetLine;
use crate::domain::category::Direction;
use crate::domain::codes::{CategoryCode, OrgUnitCode};
use crate::domain::instant::Instant;
use crate::domain::period::MonthSpan;
use crate::domain::provenance::{Provenance, Source};
use crate::domain::scenario::Scenario;
use crate::domain::validation::Violation;
use crate::store::StoreError;
use crate::store::budget as store;
use crate::store::facts::rows_at;
use crate::store::history::WriteMeta;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use std::collections::BTreeSet;

impl StoredFact for BudgetLine {
    const KIND: &'static str = "budget_line";
    type Key = (OrgUnitCode, CategoryCode, Scenario, MonthSpan);
    type Series = (OrgUnitCode, CategoryCode, Scenario, i32);

    fn key(&self) -> Self::Key {
        (
            self.org_unit.clone(),
            self.category.clone(),
            self.scenario,
            self.span,
        )
    }

    fn series(&self) -> Self::Series {
        (
            self.org_unit.clone(),
            self.category.clone(),
            self.scenario,
            self.span.fiscal_year,
        )
    }

    fn span(&self) -> Option<MonthSpan> {
        Some(self.span)
    }

    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        let mut problems = Vec::new();
        if !ctx.knows_unit(&self.org_unit) {
            problems.push(Violation::new(
                "org_unit",
                format!("unknown org unit {}", self.org_unit),
            ));
        }
        if ctx.category(&self.category).is_none() {
            problems.push(Violation::new(
                "category",
                format!("unknown category {}", self.category),
            ));
        }
        problems
    }

    /// Reported data is kept as reported; what merely looks odd is flagged.
    fn warnings(&self, ctx: &ImportContext) -> Vec<Violation> {
        match ctx.category(&self.category).map(|c| c.direction) {
            Some(Direction::Cost) if self.amount_sek > 0 => vec![Violation::new(
                "amount_sek",
                "a cost with a positive amount (a reversal?) is stored as reported",
            )],
            Some(Direction::Income) if self.amount_sek < 0 => vec![Violation::new(
                "amount_sek",
                "income with a negative amount is stored as reported",
            )],
            _ => Vec::new(),
        }
    }

    async fn load_current(
        txn: &DatabaseTransaction,
        batch: &[&Self],
    ) -> Result<Vec<(i64, Self, Instant)>, StoreError> {
        let units: BTreeSet<String> = batch.iter().map(|l| l.org_unit.to_string()).collect();
        let years: BTreeSet<i32> = batch.iter().map(|l| l.span.fiscal_year).collect();
        let units: Vec<String> = units.into_iter().collect();
        let years: Vec<i32> = years.into_iter().collect();
        Ok(store::current_lines_for(txn, &units, &years)
            .await?
            .into_iter()
            .map(|s| {
                let line = BudgetLine {
                    org_unit: s.org_unit,
                    category: s.category,
                    span: s.span,
                    scenario: s.scenario,
                    amount_sek: s.amount_sek,
                };
                (s.id, line, s.provenance.recorded_at)
            })
            .collect())
    }

    async fn write(
        txn: &DatabaseTransaction,
        inserts: &[(Self, Source)],
        superseded: &[i64],
        meta: WriteMeta,
    ) -> Result<(), StoreError> {
        store::write_lines(txn, inserts, superseded, meta).await
    }

    async fn export_page(
        db: &DatabaseConnection,
        as_of: Instant,
        after_id: i64,
        limit: u64,
    ) -> Result<Vec<(i64, Self, Provenance)>, StoreError> {
        use crate::store::entities::budget_line::{Column, Entity};
        rows_at::<Entity>(
            db,
            [Column::Id, Column::RecordedAt, Column::SupersededAt],
            as_of,
            after_id,
            limit,
        )
        .await?
        .into_iter()
        .map(|row| {
            let id = row.id;
            store::line_to_domain(row).map(|l| {
                let line = BudgetLine {
                    org_unit: l.org_unit,
                    category: l.category,
                    span: l.span,
                    scenario: l.scenario,
                    amount_sek: l.amount_sek,
                };
                (id, line, l.provenance)
            })
        })
        .collect()
    }
}
