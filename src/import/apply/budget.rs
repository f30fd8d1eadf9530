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
use crate::import::fields::FieldReader;
use crate::import::parse::span;
use crate::store::StoreError;
use crate::store::budget as store;
use crate::store::entities::budget_line;
use crate::store::history::WriteMeta;
use sea_orm::DatabaseTransaction;
use std::collections::BTreeSet;

impl StoredFact for BudgetLine {
    const KIND: &'static str = "budget_line";
    const KEY_FIELDS: &'static [&'static str] = &[
        "org_unit",
        "category",
        "fiscal_year",
        "from_month",
        "to_month",
        "scenario",
    ];
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

    fn series_of(key: &Self::Key) -> Self::Series {
        (key.0.clone(), key.1.clone(), key.2, key.3.fiscal_year)
    }

    fn parse_key(fields: &mut FieldReader) -> Option<Self::Key> {
        let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
        let category = fields.parsed("category", CategoryCode::parse);
        let span = span(fields);
        let scenario = fields.parsed("scenario", Scenario::parse);
        Some((org_unit?, category?, scenario?, span?))
    }

    fn owner(&self, _ctx: &ImportContext) -> Option<OrgUnitCode> {
        Some(self.org_unit.clone())
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
        keys: &[&Self::Key],
    ) -> Result<Vec<(i64, Self, Instant)>, StoreError> {
        let series: BTreeSet<(String, String, i32)> = keys
            .iter()
            .map(|k| (k.0.to_string(), k.1.to_string(), k.3.fiscal_year))
            .collect();
        let series: Vec<(String, String, i32)> = series.into_iter().collect();
        Ok(store::current_lines_for(txn, &series)
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
    ) -> Result<i64, StoreError> {
        store::write_lines(txn, inserts, superseded, meta).await
    }

    fn row_log() -> Option<crate::store::changes::RowLog> {
        Some(store::LINE_LOG)
    }

    crate::fact_reads!(budget_line, budget_line_from_row);
}

/// A stored line as the importer and the export see it.
fn budget_line_from_row(
    row: crate::store::entities::budget_line::Model,
) -> Result<(BudgetLine, Provenance), StoreError> {
    store::line_to_domain(row).map(|l| {
        let line = BudgetLine {
            org_unit: l.org_unit,
            category: l.category,
            span: l.span,
            scenario: l.scenario,
            amount_sek: l.amount_sek,
        };
        (line, l.provenance)
    })
}
