//! Investment objects and their figures.

use super::{fact_source, span};
use crate::domain::codes::{InvestmentId, OrgUnitCode};
use crate::domain::investment::{
    FundingCategory, Investment, InvestmentFigures, InvestmentKind, InvestmentStatus,
};
use crate::domain::period::parse_fiscal_year;
use crate::domain::provenance::Source;
use crate::domain::validation::{MAX_LONG_TEXT, MAX_SHORT_TEXT, Violation};
use crate::import::fields::FieldReader;
use crate::import::record::Record;

pub fn investment(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let id = fields.parsed("id", InvestmentId::parse);
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let name = fields.required("name");
    let kind = fields.parsed("kind", InvestmentKind::parse);
    let funding = fields.parsed("funding", FundingCategory::parse);
    let status = fields.parsed("status", InvestmentStatus::parse);
    let decision = fields.optional_text("decision", MAX_SHORT_TEXT).ok()?;
    let decided_year = fields
        .parsed_optional("decided_year", |v, f| {
            let year = crate::import::fields::parse_integer(v, f)?;
            parse_fiscal_year(year, f)
        })
        .ok()?;
    let total_budget = fields.money("total_budget", false).ok()?;
    let planned_completion = fields
        .optional_text("planned_completion", MAX_LONG_TEXT)
        .ok()?;
    let procurement_contacted = fields.optional_bool("procurement_contacted").ok()?;
    let comment = fields.optional_text("comment", MAX_LONG_TEXT).ok()?;
    Some(Record::Investment(
        Investment {
            id: id?,
            org_unit: org_unit?,
            name: name?,
            kind: kind?,
            funding: funding?,
            decision,
            decided_year,
            status: status?,
            total_budget_sek: total_budget,
            planned_completion,
            procurement_contacted,
            comment,
        },
        source?,
    ))
}

pub fn figures(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let investment = fields.parsed("investment", InvestmentId::parse);
    let span = span(fields);
    let budget = fields.money("budget", false);
    let outcome = fields.money("outcome", false);
    let since_start = fields.money("outcome_since_start", false);
    let forecast = fields.money("forecast", false);
    let carry_over = fields.money("carry_over_requested", false);
    let figures = InvestmentFigures {
        investment: investment?,
        span: span?,
        budget_sek: budget.ok()?,
        outcome_sek: outcome.ok()?,
        outcome_since_start_sek: since_start.ok()?,
        forecast_sek: forecast.ok()?,
        carry_over_requested_sek: carry_over.ok()?,
    };
    if figures.is_empty() {
        fields.violations.push(Violation::new(
            "budget_sek",
            "give at least one of budget, outcome, outcome_since_start, forecast, carry_over_requested",
        ));
        return None;
    }
    Some(Record::InvestmentFigures(figures, source?))
}
