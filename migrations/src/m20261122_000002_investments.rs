//! Investments: investment objects and their figures per year and span.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_foundation::{create_index, with_fact_columns};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Length of investment ids (`a–z 0–9 -`, 1–63 characters).
const INVESTMENT_ID_LEN: u32 = 63;
/// Length of unit codes, as in the foundation.
const CODE_LEN: u32 = 64;
const TEXT_LEN: u32 = 255;
/// Length of the enum columns (kind, funding, status): `outside_frame` is the longest value.
const ENUM_LEN: u32 = 16;

#[derive(DeriveIden, Clone, Copy)]
enum Investments {
    Table,
    Id,
    InvestmentId,
    OrgUnitCode,
    Name,
    Kind,
    Funding,
    Decision,
    DecidedYear,
    Status,
    TotalBudgetSek,
    PlannedCompletion,
    ProcurementContacted,
    Comment,
}

#[derive(DeriveIden, Clone, Copy)]
enum InvestmentFigures {
    Table,
    Id,
    InvestmentId,
    FiscalYear,
    FromMonth,
    ToMonth,
    BudgetSek,
    OutcomeSek,
    OutcomeSinceStartSek,
    ForecastSek,
    CarryOverRequestedSek,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let investments = Table::create()
            .table(Investments::Table)
            .col(big_pk_auto(Investments::Id))
            .col(string_len(Investments::InvestmentId, INVESTMENT_ID_LEN))
            .col(string_len(Investments::OrgUnitCode, CODE_LEN))
            .col(string_len(Investments::Name, TEXT_LEN))
            .col(string_len(Investments::Kind, ENUM_LEN))
            .col(string_len(Investments::Funding, ENUM_LEN))
            .col(string_len_null(Investments::Decision, TEXT_LEN))
            .col(integer_null(Investments::DecidedYear))
            .col(string_len(Investments::Status, ENUM_LEN))
            .col(big_integer_null(Investments::TotalBudgetSek))
            .col(text_null(Investments::PlannedCompletion))
            .col(boolean_null(Investments::ProcurementContacted))
            .col(text_null(Investments::Comment))
            .to_owned();
        manager
            .create_table(with_fact_columns(investments, Investments::Table))
            .await?;
        // Serves GetInvestment, the key lookup of imports and the id order of ListInvestments.
        create_index(
            manager,
            "ix_investments_investment_id",
            Investments::Table,
            &[Investments::InvestmentId],
        )
        .await?;
        // Serves the unit filter of lists and summaries (units come as an IN list) and the
        // status filter.
        create_index(
            manager,
            "ix_investments_unit_status",
            Investments::Table,
            &[Investments::OrgUnitCode, Investments::Status],
        )
        .await?;

        let figures = Table::create()
            .table(InvestmentFigures::Table)
            .col(big_pk_auto(InvestmentFigures::Id))
            .col(string_len(
                InvestmentFigures::InvestmentId,
                INVESTMENT_ID_LEN,
            ))
            .col(integer(InvestmentFigures::FiscalYear))
            .col(small_integer(InvestmentFigures::FromMonth))
            .col(small_integer(InvestmentFigures::ToMonth))
            .col(big_integer_null(InvestmentFigures::BudgetSek))
            .col(big_integer_null(InvestmentFigures::OutcomeSek))
            .col(big_integer_null(InvestmentFigures::OutcomeSinceStartSek))
            .col(big_integer_null(InvestmentFigures::ForecastSek))
            .col(big_integer_null(InvestmentFigures::CarryOverRequestedSek))
            .to_owned();
        manager
            .create_table(with_fact_columns(figures, InvestmentFigures::Table))
            .await?;
        // Serves an object's figures (GetInvestment, lists) and the key lookup of imports
        // (investment, year, span).
        create_index(
            manager,
            "ix_investment_figures_investment_year",
            InvestmentFigures::Table,
            &[
                InvestmentFigures::InvestmentId,
                InvestmentFigures::FiscalYear,
            ],
        )
        .await?;
        // Serves the year filter of lists and summaries.
        create_index(
            manager,
            "ix_investment_figures_year",
            InvestmentFigures::Table,
            &[InvestmentFigures::FiscalYear],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            InvestmentFigures::Table.into_iden(),
            Investments::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
