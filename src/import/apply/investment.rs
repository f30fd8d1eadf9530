//! Investment objects (key: id) and their figures (key: id, year, span; spans of one object
//! must not overlap).

use super::ImportContext;
use super::fact::StoredFact;
use crate::domain::codes::InvestmentId;
use crate::domain::investment::{Investment, InvestmentFigures};
use crate::domain::period::MonthSpan;
use crate::domain::validation::Violation;
use crate::store::entities::{investment, investment_figure};
use crate::store::investment_rows::{
    figures_from_row, figures_to_row, investment_from_row, investment_to_row,
};

impl StoredFact for Investment {
    const KIND: &'static str = "investment";
    type Key = InvestmentId;
    type Series = InvestmentId;

    fn key(&self) -> InvestmentId {
        self.id.clone()
    }

    fn series(&self) -> InvestmentId {
        self.id.clone()
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
        ctx.investments.insert(self.id.clone());
    }

    crate::fact_io!(
        investment,
        InvestmentId,
        |i: &Investment| i.id.to_string(),
        investment_from_row,
        investment_to_row
    );
}

impl StoredFact for InvestmentFigures {
    const KIND: &'static str = "investment_figure";
    type Key = (InvestmentId, MonthSpan);
    type Series = (InvestmentId, i32);

    fn key(&self) -> Self::Key {
        (self.investment.clone(), self.span)
    }

    fn series(&self) -> Self::Series {
        (self.investment.clone(), self.span.fiscal_year)
    }

    fn span(&self) -> Option<MonthSpan> {
        Some(self.span)
    }

    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        if ctx.investments.contains(&self.investment) {
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
        |f: &InvestmentFigures| f.investment.to_string(),
        figures_from_row,
        figures_to_row
    );
}
