//! Indicators (key: code), their targets (key: code, year), their outcomes (key: code,
//! span) and assignments (key: code). Outcome spans may overlap: a share or an index is
//! reported cumulatively (Jan–Apr, Jan–Aug, Jan–Dec) and does not add up like money.

use super::ImportContext;
use super::fact::StoredFact;
use crate::domain::codes::{AssignmentCode, IndicatorCode, OrgUnitCode};
use crate::domain::indicator::{Assignment, Indicator, IndicatorOutcome, IndicatorTarget};
use crate::domain::period::MonthSpan;
use crate::domain::validation::Violation;
use crate::import::fields::FieldReader;
use crate::import::parse::{fiscal_year, span};
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
    if ctx.indicators.contains_key(code) {
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
    const KEY_FIELDS: &'static [&'static str] = &["code"];
    type Key = IndicatorCode;
    type Series = IndicatorCode;

    fn key(&self) -> IndicatorCode {
        self.code.clone()
    }

    fn series_of(key: &IndicatorCode) -> IndicatorCode {
        key.clone()
    }

    fn parse_key(fields: &mut FieldReader) -> Option<IndicatorCode> {
        fields.parsed("code", IndicatorCode::parse)
    }

    fn owner(&self, _ctx: &ImportContext) -> Option<OrgUnitCode> {
        Some(self.org_unit.clone())
    }

    fn definition_code(key: &IndicatorCode) -> Option<String> {
        Some(key.to_string())
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
        ctx.indicators
            .insert(self.code.clone(), self.org_unit.clone());
    }

    crate::fact_io!(
        indicator,
        IndicatorCode,
        |k| k.to_string(),
        indicator_from_row,
        indicator_to_row
    );
}

impl StoredFact for IndicatorTarget {
    const KIND: &'static str = "indicator_target";
    const KEY_FIELDS: &'static [&'static str] = &["indicator", "fiscal_year"];
    type Key = (IndicatorCode, i32);
    type Series = (IndicatorCode, i32);

    fn key(&self) -> Self::Key {
        (self.indicator.clone(), self.fiscal_year)
    }

    fn series_of(key: &Self::Key) -> Self::Series {
        key.clone()
    }

    fn parse_key(fields: &mut FieldReader) -> Option<Self::Key> {
        let indicator = fields.parsed("indicator", IndicatorCode::parse);
        let year = fiscal_year(fields);
        Some((indicator?, year?))
    }

    fn owner(&self, ctx: &ImportContext) -> Option<OrgUnitCode> {
        ctx.indicators.get(&self.indicator).cloned()
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
        |k| k.0.to_string(),
        target_from_row,
        target_to_row
    );
}

impl StoredFact for IndicatorOutcome {
    const KIND: &'static str = "indicator_outcome";
    const KEY_FIELDS: &'static [&'static str] =
        &["indicator", "fiscal_year", "from_month", "to_month"];
    type Key = (IndicatorCode, MonthSpan);
    type Series = (IndicatorCode, i32);

    fn key(&self) -> Self::Key {
        (self.indicator.clone(), self.span)
    }

    fn series_of(key: &Self::Key) -> Self::Series {
        (key.0.clone(), key.1.fiscal_year)
    }

    fn parse_key(fields: &mut FieldReader) -> Option<Self::Key> {
        let indicator = fields.parsed("indicator", IndicatorCode::parse);
        let span = span(fields);
        Some((indicator?, span?))
    }

    fn owner(&self, ctx: &ImportContext) -> Option<OrgUnitCode> {
        ctx.indicators.get(&self.indicator).cloned()
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
        |k| k.0.to_string(),
        outcome_from_row,
        outcome_to_row
    );
}

impl StoredFact for Assignment {
    const KIND: &'static str = "assignment";
    const KEY_FIELDS: &'static [&'static str] = &["code"];
    type Key = AssignmentCode;
    type Series = AssignmentCode;

    fn key(&self) -> AssignmentCode {
        self.code.clone()
    }

    fn series_of(key: &AssignmentCode) -> AssignmentCode {
        key.clone()
    }

    fn parse_key(fields: &mut FieldReader) -> Option<AssignmentCode> {
        fields.parsed("code", AssignmentCode::parse)
    }

    fn owner(&self, _ctx: &ImportContext) -> Option<OrgUnitCode> {
        Some(self.org_unit.clone())
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
        |k| k.to_string(),
        assignment_from_row,
        assignment_to_row
    );
}
