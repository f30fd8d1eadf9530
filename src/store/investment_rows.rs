//! Investment rows ⇄ domain values, shared by the read queries and the importer.

use super::entities::{investment, investment_figure};
use super::error::StoreError;
use super::history::{WriteMeta, provenance};
use crate::domain::codes::{InvestmentId, OrgUnitCode};
use crate::domain::investment::{
    FundingCategory, Investment, InvestmentFigures, InvestmentKind, InvestmentStatus,
};
use crate::domain::period::MonthSpan;
use crate::domain::provenance::{Provenance, Source};
use sea_orm::Set;

fn corrupt(what: &str, id: &str, v: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} {id}: {v}"))
}

pub(crate) fn investment_from_row(
    row: investment::Model,
) -> Result<(Investment, Provenance), StoreError> {
    let id = row.investment_id.clone();
    let investment = Investment {
        kind: InvestmentKind::parse(&row.kind, "kind")
            .map_err(|v| corrupt("investment", &id, v))?,
        funding: FundingCategory::parse(&row.funding, "funding")
            .map_err(|v| corrupt("investment", &id, v))?,
        status: InvestmentStatus::parse(&row.status, "status")
            .map_err(|v| corrupt("investment", &id, v))?,
        id: InvestmentId::from_stored(row.investment_id),
        org_unit: OrgUnitCode::from_stored(row.org_unit_code),
        name: row.name,
        decision: row.decision,
        decided_year: row.decided_year,
        total_budget_sek: row.total_budget_sek,
        planned_completion: row.planned_completion,
        procurement_contacted: row.procurement_contacted,
        comment: row.comment,
    };
    let provenance = provenance(
        row.source_document,
        row.source_table,
        row.import_id,
        row.recorded_at,
        row.superseded_at,
    );
    Ok((investment, provenance))
}

pub(crate) fn investment_to_row(
    i: &Investment,
    source: &Source,
    meta: WriteMeta,
) -> investment::ActiveModel {
    investment::ActiveModel {
        investment_id: Set(i.id.to_string()),
        org_unit_code: Set(i.org_unit.to_string()),
        name: Set(i.name.clone()),
        kind: Set(i.kind.as_str().to_owned()),
        funding: Set(i.funding.as_str().to_owned()),
        decision: Set(i.decision.clone()),
        decided_year: Set(i.decided_year),
        status: Set(i.status.as_str().to_owned()),
        total_budget_sek: Set(i.total_budget_sek),
        planned_completion: Set(i.planned_completion.clone()),
        procurement_contacted: Set(i.procurement_contacted),
        comment: Set(i.comment.clone()),
        source_document: Set(source.document.clone()),
        source_table: Set(source.table.clone()),
        import_id: Set(meta.import_id),
        recorded_at: Set(meta.recorded_at.micros()),
        superseded_at: Set(None),
        ..Default::default()
    }
}

pub(crate) fn figures_from_row(
    row: investment_figure::Model,
) -> Result<(InvestmentFigures, Provenance), StoreError> {
    let figures = InvestmentFigures {
        investment: InvestmentId::from_stored(row.investment_id),
        span: MonthSpan::from_stored(row.fiscal_year, row.from_month, row.to_month),
        budget_sek: row.budget_sek,
        outcome_sek: row.outcome_sek,
        outcome_since_start_sek: row.outcome_since_start_sek,
        forecast_sek: row.forecast_sek,
        carry_over_requested_sek: row.carry_over_requested_sek,
    };
    let provenance = provenance(
        row.source_document,
        row.source_table,
        row.import_id,
        row.recorded_at,
        row.superseded_at,
    );
    Ok((figures, provenance))
}

pub(crate) fn figures_to_row(
    f: &InvestmentFigures,
    source: &Source,
    meta: WriteMeta,
) -> investment_figure::ActiveModel {
    investment_figure::ActiveModel {
        investment_id: Set(f.investment.to_string()),
        fiscal_year: Set(f.span.fiscal_year),
        from_month: Set(i16::from(f.span.from)),
        to_month: Set(i16::from(f.span.to)),
        budget_sek: Set(f.budget_sek),
        outcome_sek: Set(f.outcome_sek),
        outcome_since_start_sek: Set(f.outcome_since_start_sek),
        forecast_sek: Set(f.forecast_sek),
        carry_over_requested_sek: Set(f.carry_over_requested_sek),
        source_document: Set(source.document.clone()),
        source_table: Set(source.table.clone()),
        import_id: Set(meta.import_id),
        recorded_at: Set(meta.recorded_at.micros()),
        superseded_at: Set(None),
        ..Default::default()
    }
}
