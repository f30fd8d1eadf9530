//! Staffing rows ⇄ domain values, shared by the read queries and the importer. Exact
//! decimals are stored scaled by 10 000 (domain::decimal).

use super::entities::{
    headcount, hired_staff, position, profession_group, sick_leave, worked_hours,
};
use super::error::StoreError;
use super::history::{WriteMeta, provenance};
use crate::domain::codes::{OrgUnitCode, ProfessionCode};
use crate::domain::decimal::ExactDecimal;
use crate::domain::period::MonthSpan;
use crate::domain::provenance::{Provenance, Source};
use crate::domain::staffing::{
    Headcount, HiredStaff, Position, ProfessionGroup, SickLeave, SickLeaveAgeBand, SickLeaveGender,
    SickLeaveLength, WorkedHours,
};
use sea_orm::Set;

/// The provenance columns every fact row has, in one tuple so each conversion stays short.
macro_rules! row_provenance {
    ($row:expr) => {
        provenance(
            $row.source_document,
            $row.source_table,
            $row.import_id,
            $row.recorded_at,
            $row.superseded_at,
        )
    };
}

/// Sets the provenance and history columns of a new row.
macro_rules! fact_columns {
    ($source:expr, $meta:expr) => {
        (
            Set($source.document.clone()),
            Set($source.table.clone()),
            Set($meta.import_id),
            Set($meta.recorded_at.micros()),
            Set(None),
        )
    };
}

fn scaled(value: Option<i64>) -> Option<ExactDecimal> {
    value.map(ExactDecimal::from_scaled)
}

fn to_scaled(value: Option<ExactDecimal>) -> Option<i64> {
    value.map(ExactDecimal::to_scaled)
}

fn unit(code: String) -> OrgUnitCode {
    OrgUnitCode::from_stored(code)
}

fn profession(code: String) -> ProfessionCode {
    ProfessionCode::from_stored(code)
}

pub(crate) fn profession_group_from_row(
    row: profession_group::Model,
) -> Result<(ProfessionGroup, Provenance), StoreError> {
    let group = ProfessionGroup {
        code: profession(row.code.clone()),
        name: row.name.clone(),
        parent: row.parent_code.clone().map(profession),
        display_order: row.display_order,
    };
    Ok((group, row_provenance!(row)))
}

pub(crate) fn profession_group_to_row(
    g: &ProfessionGroup,
    source: &Source,
    meta: WriteMeta,
) -> profession_group::ActiveModel {
    let (source_document, source_table, import_id, recorded_at, superseded_at) =
        fact_columns!(source, meta);
    profession_group::ActiveModel {
        code: Set(g.code.to_string()),
        name: Set(g.name.clone()),
        parent_code: Set(g.parent.as_ref().map(ToString::to_string)),
        display_order: Set(g.display_order),
        source_document,
        source_table,
        import_id,
        recorded_at,
        superseded_at,
        ..Default::default()
    }
}

pub(crate) fn headcount_from_row(
    row: headcount::Model,
) -> Result<(Headcount, Provenance), StoreError> {
    let value = Headcount {
        org_unit: unit(row.org_unit_code.clone()),
        date: row.snapshot_date,
        employee_group: row.employee_group.clone(),
        total: row.total,
        women: row.women,
        men: row.men,
        unknown: row.unknown,
    };
    Ok((value, row_provenance!(row)))
}

pub(crate) fn headcount_to_row(
    h: &Headcount,
    source: &Source,
    meta: WriteMeta,
) -> headcount::ActiveModel {
    let (source_document, source_table, import_id, recorded_at, superseded_at) =
        fact_columns!(source, meta);
    headcount::ActiveModel {
        org_unit_code: Set(h.org_unit.to_string()),
        snapshot_date: Set(h.date),
        employee_group: Set(h.employee_group.clone()),
        total: Set(h.total),
        women: Set(h.women),
        men: Set(h.men),
        unknown: Set(h.unknown),
        source_document,
        source_table,
        import_id,
        recorded_at,
        superseded_at,
        ..Default::default()
    }
}

pub(crate) fn worked_hours_from_row(
    row: worked_hours::Model,
) -> Result<(WorkedHours, Provenance), StoreError> {
    let value = WorkedHours {
        org_unit: unit(row.org_unit_code.clone()),
        span: MonthSpan::from_stored(row.fiscal_year, row.from_month, row.to_month),
        profession: profession(row.profession_code.clone()),
        hours: ExactDecimal::from_scaled(row.hours_scaled),
    };
    Ok((value, row_provenance!(row)))
}

pub(crate) fn worked_hours_to_row(
    w: &WorkedHours,
    source: &Source,
    meta: WriteMeta,
) -> worked_hours::ActiveModel {
    let (source_document, source_table, import_id, recorded_at, superseded_at) =
        fact_columns!(source, meta);
    worked_hours::ActiveModel {
        org_unit_code: Set(w.org_unit.to_string()),
        fiscal_year: Set(w.span.fiscal_year),
        from_month: Set(i16::from(w.span.from)),
        to_month: Set(i16::from(w.span.to)),
        profession_code: Set(w.profession.to_string()),
        hours_scaled: Set(w.hours.to_scaled()),
        source_document,
        source_table,
        import_id,
        recorded_at,
        superseded_at,
        ..Default::default()
    }
}

pub(crate) fn hired_staff_from_row(
    row: hired_staff::Model,
) -> Result<(HiredStaff, Provenance), StoreError> {
    let value = HiredStaff {
        org_unit: unit(row.org_unit_code.clone()),
        span: MonthSpan::from_stored(row.fiscal_year, row.from_month, row.to_month),
        profession: profession(row.profession_code.clone()),
        cost_sek: row.cost_sek,
        forecast_sek: row.forecast_sek,
        personnel_cost_sek: row.personnel_cost_sek,
        hours_requested: scaled(row.hours_requested_scaled),
        hours_filled: scaled(row.hours_filled_scaled),
    };
    Ok((value, row_provenance!(row)))
}

pub(crate) fn hired_staff_to_row(
    h: &HiredStaff,
    source: &Source,
    meta: WriteMeta,
) -> hired_staff::ActiveModel {
    let (source_document, source_table, import_id, recorded_at, superseded_at) =
        fact_columns!(source, meta);
    hired_staff::ActiveModel {
        org_unit_code: Set(h.org_unit.to_string()),
        fiscal_year: Set(h.span.fiscal_year),
        from_month: Set(i16::from(h.span.from)),
        to_month: Set(i16::from(h.span.to)),
        profession_code: Set(h.profession.to_string()),
        cost_sek: Set(h.cost_sek),
        forecast_sek: Set(h.forecast_sek),
        personnel_cost_sek: Set(h.personnel_cost_sek),
        hours_requested_scaled: Set(to_scaled(h.hours_requested)),
        hours_filled_scaled: Set(to_scaled(h.hours_filled)),
        source_document,
        source_table,
        import_id,
        recorded_at,
        superseded_at,
        ..Default::default()
    }
}

pub(crate) fn sick_leave_from_row(
    row: sick_leave::Model,
) -> Result<(SickLeave, Provenance), StoreError> {
    let corrupt = |v: crate::domain::validation::Violation| {
        StoreError::Corrupt(format!("sick_leave {}: {v}", row.id))
    };
    let value = SickLeave {
        org_unit: unit(row.org_unit_code.clone()),
        span: MonthSpan::from_stored(row.fiscal_year, row.from_month, row.to_month),
        gender: SickLeaveGender::parse(&row.gender, "gender").map_err(corrupt)?,
        age_band: SickLeaveAgeBand::parse(&row.age_band, "age_band").map_err(corrupt)?,
        length: SickLeaveLength::parse(&row.length, "length").map_err(corrupt)?,
        rate_percent: ExactDecimal::from_scaled(row.rate_scaled),
    };
    Ok((value, row_provenance!(row)))
}

pub(crate) fn sick_leave_to_row(
    s: &SickLeave,
    source: &Source,
    meta: WriteMeta,
) -> sick_leave::ActiveModel {
    let (source_document, source_table, import_id, recorded_at, superseded_at) =
        fact_columns!(source, meta);
    sick_leave::ActiveModel {
        org_unit_code: Set(s.org_unit.to_string()),
        fiscal_year: Set(s.span.fiscal_year),
        from_month: Set(i16::from(s.span.from)),
        to_month: Set(i16::from(s.span.to)),
        gender: Set(s.gender.as_str().to_owned()),
        age_band: Set(s.age_band.as_str().to_owned()),
        length: Set(s.length.as_str().to_owned()),
        rate_scaled: Set(s.rate_percent.to_scaled()),
        source_document,
        source_table,
        import_id,
        recorded_at,
        superseded_at,
        ..Default::default()
    }
}

pub(crate) fn position_from_row(
    row: position::Model,
) -> Result<(Position, Provenance), StoreError> {
    let value = Position {
        org_unit: unit(row.org_unit_code.clone()),
        date: row.snapshot_date,
        profession: profession(row.profession_code.clone()),
        fte_budget: ExactDecimal::from_scaled(row.fte_budget_scaled),
        fte_needed: scaled(row.fte_needed_scaled),
        fte_available_now: scaled(row.fte_available_now_scaled),
        fte_available_in_3_months: scaled(row.fte_available_in_3_months_scaled),
        fte_hired: scaled(row.fte_hired_scaled),
    };
    Ok((value, row_provenance!(row)))
}

pub(crate) fn position_to_row(
    p: &Position,
    source: &Source,
    meta: WriteMeta,
) -> position::ActiveModel {
    let (source_document, source_table, import_id, recorded_at, superseded_at) =
        fact_columns!(source, meta);
    position::ActiveModel {
        org_unit_code: Set(p.org_unit.to_string()),
        snapshot_date: Set(p.date),
        profession_code: Set(p.profession.to_string()),
        fte_budget_scaled: Set(p.fte_budget.to_scaled()),
        fte_needed_scaled: Set(to_scaled(p.fte_needed)),
        fte_available_now_scaled: Set(to_scaled(p.fte_available_now)),
        fte_available_in_3_months_scaled: Set(to_scaled(p.fte_available_in_3_months)),
        fte_hired_scaled: Set(to_scaled(p.fte_hired)),
        source_document,
        source_table,
        import_id,
        recorded_at,
        superseded_at,
        ..Default::default()
    }
}
