//! Indicator, target, outcome and assignment rows ⇄ domain values, shared by the read
//! queries, the importer and the export.

use super::entities::{assignment, indicator, indicator_outcome, indicator_target};
use super::error::StoreError;
use super::history::{WriteMeta, provenance};
use crate::domain::codes::{AssignmentCode, IndicatorCode, OrgUnitCode};
use crate::domain::decimal::ExactDecimal;
use crate::domain::indicator::{
    Assignment, Comparator, Indicator, IndicatorOutcome, IndicatorTarget, UnitOfMeasure,
};
use crate::domain::period::MonthSpan;
use crate::domain::provenance::{Provenance, Source};
use sea_orm::Set;

fn corrupt(what: &str, id: &str, v: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} {id}: {v}"))
}

/// The provenance columns every fact row has.
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

/// The provenance and history columns every fact row is written with.
macro_rules! fact_columns {
    ($module:ident, $source:expr, $meta:expr, { $($field:ident: $value:expr),+ $(,)? }) => {
        $module::ActiveModel {
            $($field: Set($value),)+
            source_document: Set($source.document.clone()),
            source_table: Set($source.table.clone()),
            import_id: Set($meta.import_id),
            recorded_at: Set($meta.recorded_at.micros()),
            superseded_at: Set(None),
            ..Default::default()
        }
    };
}

pub(crate) fn indicator_from_row(
    row: indicator::Model,
) -> Result<(Indicator, Provenance), StoreError> {
    let unit = UnitOfMeasure::parse(&row.unit, "unit")
        .map_err(|v| corrupt("indicator", &row.indicator_code, v))?;
    let value = Indicator {
        code: IndicatorCode::from_stored(row.indicator_code),
        org_unit: OrgUnitCode::from_stored(row.org_unit_code),
        goal_area: row.goal_area,
        name: row.name,
        decided_by: row.decided_by,
        unit,
        external_id: row.external_id,
    };
    Ok((value, row_provenance!(row)))
}

pub(crate) fn indicator_to_row(
    i: &Indicator,
    source: &Source,
    meta: WriteMeta,
) -> indicator::ActiveModel {
    fact_columns!(indicator, source, meta, {
        indicator_code: i.code.to_string(),
        org_unit_code: i.org_unit.to_string(),
        goal_area: i.goal_area.clone(),
        name: i.name.clone(),
        decided_by: i.decided_by.clone(),
        unit: i.unit.as_str().to_owned(),
        external_id: i.external_id.clone(),
    })
}

pub(crate) fn target_from_row(
    row: indicator_target::Model,
) -> Result<(IndicatorTarget, Provenance), StoreError> {
    let code = row.indicator_code.clone();
    let comparator = Comparator::parse(&row.comparator, "comparator")
        .map_err(|v| corrupt("indicator target", &code, v))?;
    let unit = row
        .unit
        .as_deref()
        .map(|u| UnitOfMeasure::parse(u, "unit"))
        .transpose()
        .map_err(|v| corrupt("indicator target", &code, v))?;
    let value = IndicatorTarget {
        indicator: IndicatorCode::from_stored(row.indicator_code),
        fiscal_year: row.fiscal_year,
        comparator,
        value: row.value_scaled.map(ExactDecimal::from_scaled),
        unit,
        text: row.target_text,
    };
    Ok((value, row_provenance!(row)))
}

pub(crate) fn target_to_row(
    t: &IndicatorTarget,
    source: &Source,
    meta: WriteMeta,
) -> indicator_target::ActiveModel {
    fact_columns!(indicator_target, source, meta, {
        indicator_code: t.indicator.to_string(),
        fiscal_year: t.fiscal_year,
        comparator: t.comparator.as_str().to_owned(),
        value_scaled: t.value.map(ExactDecimal::to_scaled),
        unit: t.unit.map(|u| u.as_str().to_owned()),
        target_text: t.text.clone(),
    })
}

pub(crate) fn outcome_from_row(
    row: indicator_outcome::Model,
) -> Result<(IndicatorOutcome, Provenance), StoreError> {
    let value = IndicatorOutcome {
        indicator: IndicatorCode::from_stored(row.indicator_code),
        span: MonthSpan::from_stored(row.fiscal_year, row.from_month, row.to_month),
        value: row.value_scaled.map(ExactDecimal::from_scaled),
        text: row.outcome_text,
        comment: row.comment,
    };
    Ok((value, row_provenance!(row)))
}

pub(crate) fn outcome_to_row(
    o: &IndicatorOutcome,
    source: &Source,
    meta: WriteMeta,
) -> indicator_outcome::ActiveModel {
    fact_columns!(indicator_outcome, source, meta, {
        indicator_code: o.indicator.to_string(),
        fiscal_year: o.span.fiscal_year,
        from_month: i16::from(o.span.from),
        to_month: i16::from(o.span.to),
        value_scaled: o.value.map(ExactDecimal::to_scaled),
        outcome_text: o.text.clone(),
        comment: o.comment.clone(),
    })
}

pub(crate) fn assignment_from_row(
    row: assignment::Model,
) -> Result<(Assignment, Provenance), StoreError> {
    let value = Assignment {
        code: AssignmentCode::from_stored(row.assignment_code),
        org_unit: OrgUnitCode::from_stored(row.org_unit_code),
        goal_area: row.goal_area,
        fiscal_year: row.fiscal_year,
        text: row.text,
        decided_by: row.decided_by,
        status: row.status,
        comment: row.comment,
    };
    Ok((value, row_provenance!(row)))
}

pub(crate) fn assignment_to_row(
    a: &Assignment,
    source: &Source,
    meta: WriteMeta,
) -> assignment::ActiveModel {
    fact_columns!(assignment, source, meta, {
        assignment_code: a.code.to_string(),
        org_unit_code: a.org_unit.to_string(),
        goal_area: a.goal_area.clone(),
        fiscal_year: a.fiscal_year,
        text: a.text.clone(),
        decided_by: a.decided_by.clone(),
        status: a.status.clone(),
        comment: a.comment.clone(),
    })
}
