//! Profession groups and the five staffing kinds.

use super::{fact_source, order, span};
use crate::domain::codes::{OrgUnitCode, ProfessionCode};
use crate::domain::decimal::ExactDecimal;
use crate::domain::org::parse_date;
use crate::domain::provenance::Source;
use crate::domain::staffing::{
    Headcount, HiredStaff, Position, ProfessionGroup, SickLeave, SickLeaveAgeBand, SickLeaveGender,
    SickLeaveLength, WorkedHours, parse_employee_group,
};
use crate::domain::validation::Violation;
use crate::import::fields::FieldReader;
use crate::import::record::Record;

pub fn profession_group(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let code = fields.parsed("code", ProfessionCode::parse);
    let name = fields.required("name");
    let parent = fields
        .parsed_optional("parent", ProfessionCode::parse)
        .ok()?;
    let order = order(fields);
    Some(Record::ProfessionGroup(
        ProfessionGroup {
            code: code?,
            name: name?,
            parent,
            display_order: order?,
        },
        source?,
    ))
}

/// A head count: a whole number, not negative.
fn count(fields: &mut FieldReader, name: &str) -> Result<Option<i64>, ()> {
    match fields.optional_count::<i64>(name) {
        Ok(Some(n)) if n < 0 => {
            fields
                .violations
                .push(Violation::new(name, format!("{n} is negative")));
            Err(())
        }
        Ok(value) => Ok(value),
        Err(_) => Err(()),
    }
}

pub fn headcount(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let date = fields.parsed("date", parse_date);
    let group = fields.parsed("employee_group", parse_employee_group);
    let total = count(fields, "total");
    if matches!(total, Ok(None)) {
        fields
            .violations
            .push(Violation::new("total", "is required"));
    }
    let women = count(fields, "women");
    let men = count(fields, "men");
    let unknown = count(fields, "unknown");
    Some(Record::Headcount(
        Headcount {
            org_unit: org_unit?,
            date: date?,
            employee_group: group?,
            total: total.ok()??,
            women: women.ok()?,
            men: men.ok()?,
            unknown: unknown.ok()?,
        },
        source?,
    ))
}

pub fn worked_hours(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let span = span(fields);
    let profession = fields.parsed("profession", ProfessionCode::parse);
    let hours = fields.parsed("hours", ExactDecimal::parse);
    Some(Record::WorkedHours(
        WorkedHours {
            org_unit: org_unit?,
            span: span?,
            profession: profession?,
            hours: hours?,
        },
        source?,
    ))
}

pub fn hired_staff(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let span = span(fields);
    let profession = fields.parsed("profession", ProfessionCode::parse);
    let cost = fields.money("cost", false);
    let forecast = fields.money("forecast", false);
    let personnel_cost = fields.money("personnel_cost", false);
    let requested = fields.optional_decimal("hours_requested");
    let filled = fields.optional_decimal("hours_filled");
    Some(Record::HiredStaff(
        HiredStaff {
            org_unit: org_unit?,
            span: span?,
            profession: profession?,
            cost_sek: cost.ok()?,
            forecast_sek: forecast.ok()?,
            personnel_cost_sek: personnel_cost.ok()?,
            hours_requested: requested.ok()?,
            hours_filled: filled.ok()?,
        },
        source?,
    ))
}

pub fn sick_leave(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let span = span(fields);
    let gender = fields.parsed("gender", SickLeaveGender::parse);
    let age_band = fields.parsed("age_band", SickLeaveAgeBand::parse);
    let length = fields.parsed("length", SickLeaveLength::parse);
    let rate = fields.parsed("rate_percent", ExactDecimal::parse);
    Some(Record::SickLeave(
        SickLeave {
            org_unit: org_unit?,
            span: span?,
            gender: gender?,
            age_band: age_band?,
            length: length?,
            rate_percent: rate?,
        },
        source?,
    ))
}

pub fn position(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let date = fields.parsed("date", parse_date);
    let profession = fields.parsed("profession", ProfessionCode::parse);
    let budget = fields.parsed("fte_budget", ExactDecimal::parse);
    let needed = fields.optional_decimal("fte_needed");
    let now = fields.optional_decimal("fte_available_now");
    let later = fields.optional_decimal("fte_available_in_3_months");
    let hired = fields.optional_decimal("fte_hired");
    Some(Record::Position(
        Position {
            org_unit: org_unit?,
            date: date?,
            profession: profession?,
            fte_budget: budget?,
            fte_needed: needed.ok()?,
            fte_available_now: now.ok()?,
            fte_available_in_3_months: later.ok()?,
            fte_hired: hired.ok()?,
        },
        source?,
    ))
}
