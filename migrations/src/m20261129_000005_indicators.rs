//! Goal follow-up: indicator definitions, their targets per year, their outcomes per span,
//! and assignments (uppdrag).

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_foundation::{create_index, with_fact_columns};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Length of indicator and assignment codes (`a–z 0–9 -`, 1–63 characters).
const ID_LEN: u32 = 63;
/// Length of unit codes, as in the foundation.
const CODE_LEN: u32 = 64;
const TEXT_LEN: u32 = 255;
/// Length of the enum columns (unit of measure, comparator).
const ENUM_LEN: u32 = 16;

#[derive(DeriveIden, Clone, Copy)]
enum Indicators {
    Table,
    Id,
    IndicatorCode,
    OrgUnitCode,
    GoalArea,
    Name,
    DecidedBy,
    Unit,
    ExternalId,
}

#[derive(DeriveIden, Clone, Copy)]
enum IndicatorTargets {
    Table,
    Id,
    IndicatorCode,
    FiscalYear,
    Comparator,
    /// Exact decimal scaled by 10 000, like the staffing tables.
    ValueScaled,
    Unit,
    TargetText,
}

#[derive(DeriveIden, Clone, Copy)]
enum IndicatorOutcomes {
    Table,
    Id,
    IndicatorCode,
    FiscalYear,
    FromMonth,
    ToMonth,
    ValueScaled,
    OutcomeText,
    Comment,
}

#[derive(DeriveIden, Clone, Copy)]
enum Assignments {
    Table,
    Id,
    AssignmentCode,
    OrgUnitCode,
    GoalArea,
    FiscalYear,
    Text,
    DecidedBy,
    Status,
    Comment,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let indicators = Table::create()
            .table(Indicators::Table)
            .col(big_pk_auto(Indicators::Id))
            .col(string_len(Indicators::IndicatorCode, ID_LEN))
            .col(string_len(Indicators::OrgUnitCode, CODE_LEN))
            .col(string_len(Indicators::GoalArea, TEXT_LEN))
            .col(text(Indicators::Name))
            .col(string_len_null(Indicators::DecidedBy, TEXT_LEN))
            .col(string_len(Indicators::Unit, ENUM_LEN))
            .col(string_len_null(Indicators::ExternalId, CODE_LEN))
            .to_owned();
        manager
            .create_table(with_fact_columns(indicators, Indicators::Table))
            .await?;
        // Serves GetIndicator, the key lookup of imports and the code order of lists.
        create_index(
            manager,
            "ix_indicators_code",
            Indicators::Table,
            &[Indicators::IndicatorCode],
        )
        .await?;
        // Serves the unit filter of lists and summaries (units come as an IN list).
        create_index(
            manager,
            "ix_indicators_unit",
            Indicators::Table,
            &[Indicators::OrgUnitCode],
        )
        .await?;

        let targets = Table::create()
            .table(IndicatorTargets::Table)
            .col(big_pk_auto(IndicatorTargets::Id))
            .col(string_len(IndicatorTargets::IndicatorCode, ID_LEN))
            .col(integer(IndicatorTargets::FiscalYear))
            .col(string_len(IndicatorTargets::Comparator, ENUM_LEN))
            .col(big_integer_null(IndicatorTargets::ValueScaled))
            .col(string_len_null(IndicatorTargets::Unit, ENUM_LEN))
            .col(string_len_null(IndicatorTargets::TargetText, TEXT_LEN))
            .to_owned();
        manager
            .create_table(with_fact_columns(targets, IndicatorTargets::Table))
            .await?;
        // Serves an indicator's targets (reads) and the key lookup of imports.
        create_index(
            manager,
            "ix_indicator_targets_code_year",
            IndicatorTargets::Table,
            &[
                IndicatorTargets::IndicatorCode,
                IndicatorTargets::FiscalYear,
            ],
        )
        .await?;

        let outcomes = Table::create()
            .table(IndicatorOutcomes::Table)
            .col(big_pk_auto(IndicatorOutcomes::Id))
            .col(string_len(IndicatorOutcomes::IndicatorCode, ID_LEN))
            .col(integer(IndicatorOutcomes::FiscalYear))
            .col(small_integer(IndicatorOutcomes::FromMonth))
            .col(small_integer(IndicatorOutcomes::ToMonth))
            .col(big_integer_null(IndicatorOutcomes::ValueScaled))
            .col(string_len_null(IndicatorOutcomes::OutcomeText, TEXT_LEN))
            .col(text_null(IndicatorOutcomes::Comment))
            .to_owned();
        manager
            .create_table(with_fact_columns(outcomes, IndicatorOutcomes::Table))
            .await?;
        // Serves an indicator's outcomes (reads) and the key lookup of imports.
        create_index(
            manager,
            "ix_indicator_outcomes_code_year",
            IndicatorOutcomes::Table,
            &[
                IndicatorOutcomes::IndicatorCode,
                IndicatorOutcomes::FiscalYear,
            ],
        )
        .await?;

        let assignments = Table::create()
            .table(Assignments::Table)
            .col(big_pk_auto(Assignments::Id))
            .col(string_len(Assignments::AssignmentCode, ID_LEN))
            .col(string_len(Assignments::OrgUnitCode, CODE_LEN))
            .col(string_len(Assignments::GoalArea, TEXT_LEN))
            .col(integer(Assignments::FiscalYear))
            .col(text(Assignments::Text))
            .col(string_len_null(Assignments::DecidedBy, TEXT_LEN))
            .col(string_len_null(Assignments::Status, TEXT_LEN))
            .col(text_null(Assignments::Comment))
            .to_owned();
        manager
            .create_table(with_fact_columns(assignments, Assignments::Table))
            .await?;
        // Serves the key lookup of imports and the code order of ListAssignments.
        create_index(
            manager,
            "ix_assignments_code",
            Assignments::Table,
            &[Assignments::AssignmentCode],
        )
        .await?;
        // Serves the unit and year filters of ListAssignments.
        create_index(
            manager,
            "ix_assignments_unit_year",
            Assignments::Table,
            &[Assignments::OrgUnitCode, Assignments::FiscalYear],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Assignments::Table.into_iden(),
            IndicatorOutcomes::Table.into_iden(),
            IndicatorTargets::Table.into_iden(),
            Indicators::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
