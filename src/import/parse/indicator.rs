//! Indicators, their targets and outcomes, and assignments.

use super::{fact_source, span};
use crate::domain::codes::{AssignmentCode, IndicatorCode, OrgUnitCode};
use crate::domain::decimal::ExactDecimal;
use crate::domain::indicator::{
    Assignment, Comparator, Indicator, IndicatorOutcome, IndicatorTarget, UnitOfMeasure,
};
use crate::domain::period::parse_fiscal_year;
use crate::domain::provenance::Source;
use crate::domain::validation::{MAX_LONG_TEXT, MAX_SHORT_TEXT, Violation};
use crate::import::fields::{FieldReader, parse_integer};
use crate::import::record::Record;

/// A required text of at most `MAX_LONG_TEXT` characters (names and assignment texts as
/// printed can be long).
fn long_text(fields: &mut FieldReader, name: &str) -> Option<String> {
    match fields.optional_text(name, MAX_LONG_TEXT) {
        Ok(Some(text)) => Some(text),
        Ok(None) => {
            fields.violations.push(Violation::new(name, "is required"));
            None
        }
        Err(_) => None,
    }
}

pub fn fiscal_year(fields: &mut FieldReader) -> Option<i32> {
    fields.parsed("fiscal_year", |v, f| {
        parse_fiscal_year(parse_integer(v, f)?, f)
    })
}

pub fn indicator(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let code = fields.parsed("code", IndicatorCode::parse);
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let goal_area = fields.required("goal_area");
    let name = long_text(fields, "name");
    let unit = fields.parsed("unit", UnitOfMeasure::parse);
    let decided_by = fields.optional_text("decided_by", MAX_SHORT_TEXT).ok()?;
    let external_id = fields.optional_text("external_id", 64).ok()?;
    Some(Record::Indicator(
        Indicator {
            code: code?,
            org_unit: org_unit?,
            goal_area: goal_area?,
            name: name?,
            decided_by,
            unit: unit?,
            external_id,
        },
        source?,
    ))
}

pub fn target(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let indicator = fields.parsed("indicator", IndicatorCode::parse);
    let year = fiscal_year(fields);
    let comparator = fields.parsed("comparator", Comparator::parse);
    let value = fields.optional_decimal("value");
    let unit = fields.parsed_optional("unit", UnitOfMeasure::parse);
    let text = fields.optional_text("text", MAX_SHORT_TEXT);
    let target = IndicatorTarget {
        indicator: indicator?,
        fiscal_year: year?,
        comparator: comparator?,
        value: value.ok()?,
        unit: unit.ok()?,
        text: text.ok()?,
    };
    fields
        .violations
        .check(target.validate(["comparator", "value", "text"]))?;
    Some(Record::IndicatorTarget(target, source?))
}

pub fn outcome(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let indicator = fields.parsed("indicator", IndicatorCode::parse);
    let span = span(fields);
    let value: Result<Option<ExactDecimal>, _> = fields.optional_decimal("value");
    let text = fields.optional_text("text", MAX_SHORT_TEXT);
    let comment = fields.optional_text("comment", MAX_LONG_TEXT);
    let outcome = IndicatorOutcome {
        indicator: indicator?,
        span: span?,
        value: value.ok()?,
        text: text.ok()?,
        comment: comment.ok()?,
    };
    if outcome.value.is_none() && outcome.text.is_none() && outcome.comment.is_none() {
        fields.violations.push(Violation::new(
            "value",
            "give value, text or both (or a comment on why there is none)",
        ));
        return None;
    }
    Some(Record::IndicatorOutcome(outcome, source?))
}

pub fn assignment(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let code = fields.parsed("code", AssignmentCode::parse);
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let goal_area = fields.required("goal_area");
    let year = fiscal_year(fields);
    let text = long_text(fields, "text");
    let decided_by = fields.optional_text("decided_by", MAX_SHORT_TEXT);
    let status = fields.optional_text("status", MAX_SHORT_TEXT);
    let comment = fields.optional_text("comment", MAX_LONG_TEXT);
    Some(Record::Assignment(
        Assignment {
            code: code?,
            org_unit: org_unit?,
            goal_area: goal_area?,
            fiscal_year: year?,
            text: text?,
            decided_by: decided_by.ok()?,
            status: status.ok()?,
            comment: comment.ok()?,
        },
        source?,
    ))
}
