//! Indicators (key: code), their targets (key: code, year), their outcomes (key: code,
//! span) and assignments (key: code). Outcome spans may overlap: a share or an index is
//! reported cumulatively (Jan–Apr, Jan–Aug, Jan–Dec) and does not add up like money.

use super::ImportContext;
use super::fact::StoredFact;
use crate::domain::codes::{AssignmentCode, IndicatorCode, OrgUnitCode};
use crate::domain::indicator::{Assignment, Indicator, IndicatorOutcome, IndicatorTarget};
use crate::domain::period::MonthSpan;
use crate::domain::validation::Violation;
use crate::store::entities::{assignment, indicator, indicator_outcome, indicator_target};
use crate::store::indicator_rows::{
    assignment_from_row, assignment_to_row, indicator_from_row, indicator_to_row, outcome_from_row,
    outcome_to_row, target_from_row, target_to_row,
};

fn known_unit(ctx: &ImportContext, unit: &OrgUnitCode) -> Vec<Violation> {
    if ctx.knows_unit(unit) {
        Vec::new()
    } else {
        vec![Violation::new(
            "org_unit",
            format!("unknown org unit {unit}"),
        )]
    }
}

fn known_indicator(ctx: &ImportContext, code: &IndicatorCode) -> Vec<Violation> {
    if ctx.indicators.contains(code) {
        Vec::new()
    } else {
        vec![Violation::new(
            "indicator",
            format!("unknown indicator {code}"),
        )]
    }
}

impl StoredFact for Indicator {
    const KIND: &'static str = "indicator";
    type Key = IndicatorCode;
    type Series = IndicatorCode;

    fn key(&self) -> IndicatorCode {
        self.code.clone()
    }

    fn series(&self) -> IndicatorCode {
        self.code.clone()
    }

    fn span(&self) -> Option<MonthSpan> {
        None
    }

    fn key_field() -> &'static str {
        "code"
    }

    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        known_unit(ctx, &self.org_unit)
    }

    fn define(&self, ctx: &mut ImportContext) {
        ctx.indicators.insert(self.code.clone());
    }

    crate::fact_io!(
        indicator,
        IndicatorCode,
        |i: &Indicator| i.code.to_string(),
        indicator_from_row,
        indicator_to_row
    );
}

impl StoredFact for IndicatorTarget {
    const KIND: &'static str = "indicator_target";
    type Key = (IndicatorCode, i32);
    type Series = (IndicatorCode, i32);

    fn key(&self) -> Self::Key {
        (self.indicator.clone(), self.fiscal_year)
    }

    fn series(&self) -> Self::Series {
        self.key()
    }

    fn span(&self) -> Option<MonthSpan> {
        None
    }

    fn key_field() -> &'static str {
        "fiscal_year"
    }

    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        known_indicator(ctx, &self.indicator)
    }

    crate::fact_io!(
        indicator_target,
        IndicatorCode,
        |t: &IndicatorTarget| t.indicator.to_string(),
        target_from_row,
        target_to_row
    );
}

impl StoredFact for IndicatorOutcome {
    const KIND: &'static str = "indicator_outcome";
    type Key = (IndicatorCode, MonthSpan);
    type Series = (IndicatorCode, i32);

    fn key(&self) -> Self::Key {
        (self.indicator.clone(), self.span)
    }

    fn series(&self) -> Self::Series {
        (self.indicator.clone(), self.span.fiscal_year)
    }

    fn span(&self) -> Option<MonthSpan> {
        None
    }

    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        known_indicator(ctx, &self.indicator)
    }

    crate::fact_io!(
        indicator_outcome,
        IndicatorCode,
        |o: &IndicatorOutcome| o.indicator.to_string(),
        outcome_from_row,
        outcome_to_row
    );
}

impl StoredFact for Assignment {
    const KIND: &'static str = "assignment";
    type Key = AssignmentCode;
    type Series = AssignmentCode;

    fn key(&self) -> AssignmentCode {
        self.code.clone()
    }

    fn series(&self) -> AssignmentCode {
        self.code.clone()
    }

    fn span(&self) -> Option<MonthSpan> {
        None
    }

    fn key_field() -> &'static str {
        "code"
    }

    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        known_unit(ctx, &self.org_unit)
    }

    crate::fact_io!(
        assignment,
        AssignmentCode,
        |a: &Assignment| a.code.to_string(),
        assignment_from_row,
        assignment_to_row
    );
}
