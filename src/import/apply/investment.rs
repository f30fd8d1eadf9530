//! Investment objects (key: id) and their figures (key: id, year, span; spans of one object
//! must not overlap).

use super::ImportContext;
use super::fact::StoredFact;
use crate::domain::codes::{InvestmentId, OrgUnitCode};
use crate::domain::investment::{Investment, InvestmentFigures};
use crate::domain::period::MonthSpan;
use crate::domain::validation::Violation;
use crate::import::fields::FieldReader;
use crate::import::parse::span;
use crate::store::entities::{investment, investment_figure};
use crate::store::investment_rows::{
    figures_from_row, figures_to_row, investment_from_row, investment_to_row,
};

impl StoredFact for Investment {
    const KIND: &'static str = "investment";
    const KEY_FIELDS: &'static [&'static str] = &["id"];
    type Key = InvestmentId;
    type Series = InvestmentId;

    fn key(&self) -> InvestmentId {
        self.id.clone()
    }

    fn series_of(key: &InvestmentId) -> InvestmentId {
        key.clone()
    }

    fn parse_key(fields: &mut FieldReader) -> Option<InvestmentId> {
        fields.parsed("id", InvestmentId::parse)
    }

    fn owner(&self, _ctx: &ImportContext) -> Option<OrgUnitCode> {
        Some(self.org_unit.clone())
    }

    fn definition_code(key: &InvestmentId) -> Option<String> {
        Some(key.to_string())
    }

    fn span(&self) -> Option<MonthSpan> {
        None
    }

    fn key_field() -> &'static str {
        "id"
    }

    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        if ctx.knows_unit(&self.org_unit) {
            Vec::new()
        } else {
            vec![Violation::new(
                "org_unit",
                format!("unknown org unit {}", self.org_unit),
            )]
        }
    }

    fn define(&self, ctx: &mut ImportContext) {
        ctx.investments
            .insert(self.id.clone(), self.org_unit.clone());
    }

    crate::fact_io!(
        investment,
        InvestmentId,
        |k| k.to_string(),
        investment_from_row,
        investment_to_row
    );
}

impl StoredFact for InvestmentFigures {
    const KIND: &'static str = "investment_figure";
    const KEY_FIELDS: &'static [&'static str] =
        &["investment", "fiscal_year", "from_month", "to_month"];
    type Key = (InvestmentId, MonthSpan);
    type Series = (InvestmentId, i32);

    fn key(&self) -> Self::Key {
        (self.investment.clone(), self.span)
    }

    fn series_of(key: &Self::Key) -> Self::Series {
        (key.0.clone(), key.1.fiscal_year)
    }

    fn parse_key(fields: &mut FieldReader) -> Option<Self::Key> {
        let investment = fields.parsed("investment", InvestmentId::parse);
        let span = span(fields);
        Some((investment?, span?))
    }

    fn owner(&self, ctx: &ImportContext) -> Option<OrgUnitCode> {
        ctx.investments.get(&self.investment).cloned()
    }

    fn span(&self) -> Option<MonthSpan> {
        Some(self.span)
    }

    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        if ctx.investments.contains_key(&self.investment) {
            Vec::new()
        } else {
            vec![Violation::new(
                "investment",
                format!("unknown investment {}", self.investment),
            )]
        }
    }

    crate::fact_io!(
        investment_figure,
        InvestmentId,
        |k| k.0.to_string(),
        figures_from_row,
        figures_to_row
    );
}
