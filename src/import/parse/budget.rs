//! Organisation units, account categories and budget lines.

use super::{fact_source, span};
use crate::domain::budget::BudgetLine;
use crate::domain::category::{Category, Direction};
use crate::domain::codes::{CategoryCode, OrgUnitCode};
use crate::domain::org::{OrgUnit, OrgUnitKind, parse_date};
use crate::domain::provenance::Source;
use crate::domain::scenario::Scenario;
use crate::domain::validation::Violation;
use crate::import::fields::FieldReader;
use crate::import::record::Record;

pub fn org_unit(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let code = fields.parsed("code", OrgUnitCode::parse);
    let name = fields.required("name");
    let kind = fields.parsed("kind", OrgUnitKind::parse);
    let parent = fields.parsed_optional("parent", OrgUnitCode::parse).ok()?;
    let valid_from = fields.parsed("valid_from", parse_date);
    let valid_to = fields.parsed_optional("valid_to", parse_date).ok()?;
    let (code, valid_from) = (code?, valid_from?);
    if valid_to.is_some_and(|to| to <= valid_from) {
        fields
            .violations
            .push(Violation::new("valid_to", "must be after valid_from"));
        return None;
    }
    if parent.as_ref() == Some(&code) {
        fields
            .violations
            .push(Violation::new("parent", "a unit cannot be its own parent"));
        return None;
    }
    Some(Record::OrgUnit(
        OrgUnit {
            code,
            name: name?,
            kind: kind?,
            parent,
            valid_from,
            valid_to,
        },
        source?,
    ))
}

pub fn category(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let code = fields.parsed("code", CategoryCode::parse);
    let name = fields.required("name");
    let direction = fields.parsed("direction", Direction::parse);
    let parent = fields.parsed_optional("parent", CategoryCode::parse).ok()?;
    let order = fields.integer("order");
    let order =
        fields
            .violations
            .check(order.and_then(|o| i32::try_from(o).ok()).ok_or_else(|| {
                Violation::new("order", "must be a whole number within ±2 147 483 647")
            }));
    Some(Record::Category(
        Category {
            code: code?,
            name: name?,
            direction: direction?,
            parent,
            display_order: order?,
        },
        source?,
    ))
}

pub fn budget_line(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let category = fields.parsed("category", CategoryCode::parse);
    let span = span(fields);
    let scenario = fields.parsed("scenario", Scenario::parse);
    let amount = fields.money("amount", true).ok().flatten();
    Some(Record::BudgetLine(
        BudgetLine {
            org_unit: org_unit?,
            category: category?,
            span: span?,
            scenario: scenario?,
            amount_sek: amount?,
        },
        source?,
    ))
}
