//! Staffing: profession groups, headcounts, worked hours, hired staff, sick leave, positions.
//!
//! Hours, FTE and percentages are `BIGINT` scaled by 10 000 (columns ending `_scaled`).

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_foundation::{create_index, with_fact_columns};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Length of unit, profession-group and employee-group codes, as in the foundation.
const CODE_LEN: u32 = 64;
const TEXT_LEN: u32 = 255;

#[derive(DeriveIden, Clone, Copy)]
enum ProfessionGroups {
    Table,
    Id,
    Code,
    Name,
    ParentCode,
    DisplayOrder,
}

#[derive(DeriveIden, Clone, Copy)]
enum Headcounts {
    Table,
    Id,
    OrgUnitCode,
    SnapshotDate,
    EmployeeGroup,
    Total,
    Women,
    Men,
    Unknown,
}

#[derive(DeriveIden, Clone, Copy)]
enum WorkedHours {
    Table,
    Id,
    OrgUnitCode,
    FiscalYear,
    FromMonth,
    ToMonth,
    ProfessionCode,
    HoursScaled,
}

#[derive(DeriveIden, Clone, Copy)]
enum HiredStaff {
    Table,
    Id,
    OrgUnitCode,
    FiscalYear,
    FromMonth,
    ToMonth,
    ProfessionCode,
    CostSek,
    ForecastSek,
    PersonnelCostSek,
    HoursRequestedScaled,
    HoursFilledScaled,
}

#[derive(DeriveIden, Clone, Copy)]
enum SickLeave {
    Table,
    Id,
    OrgUnitCode,
    FiscalYear,
    FromMonth,
    ToMonth,
    Gender,
    AgeBand,
    Length,
    RateScaled,
}

#[derive(DeriveIden, Clone, Copy)]
enum Positions {
    Table,
    Id,
    OrgUnitCode,
    SnapshotDate,
    ProfessionCode,
    FteBudgetScaled,
    FteNeededScaled,
    FteAvailableNowScaled,
    // Spelled out: the derived snake case would run the digit into the word ("in3").
    #[sea_orm(iden = "fte_available_in_3_months_scaled")]
    FteAvailableIn3MonthsScaled,
    FteHiredScaled,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let profession_groups = Table::create()
            .table(ProfessionGroups::Table)
            .col(big_pk_auto(ProfessionGroups::Id))
            .col(string_len(ProfessionGroups::Code, CODE_LEN))
            .col(string_len(ProfessionGroups::Name, TEXT_LEN))
            .col(string_len_null(ProfessionGroups::ParentCode, CODE_LEN))
            .col(integer(ProfessionGroups::DisplayOrder))
            .to_owned();
        manager
            .create_table(with_fact_columns(
                profession_groups,
                ProfessionGroups::Table,
            ))
            .await?;
        create_index(
            manager,
            "ix_profession_groups_code",
            ProfessionGroups::Table,
            &[ProfessionGroups::Code],
        )
        .await?;

        let headcounts = Table::create()
            .table(Headcounts::Table)
            .col(big_pk_auto(Headcounts::Id))
            .col(string_len(Headcounts::OrgUnitCode, CODE_LEN))
            .col(date(Headcounts::SnapshotDate))
            .col(string_len(Headcounts::EmployeeGroup, CODE_LEN))
            .col(big_integer(Headcounts::Total))
            .col(big_integer_null(Headcounts::Women))
            .col(big_integer_null(Headcounts::Men))
            .col(big_integer_null(Headcounts::Unknown))
            .to_owned();
        manager
            .create_table(with_fact_columns(headcounts, Headcounts::Table))
            .await?;
        // Serves the unit and date-range filters and the key lookup of imports.
        create_index(
            manager,
            "ix_headcounts_unit_date",
            Headcounts::Table,
            &[
                Headcounts::OrgUnitCode,
                Headcounts::SnapshotDate,
                Headcounts::EmployeeGroup,
            ],
        )
        .await?;

        let worked_hours = Table::create()
            .table(WorkedHours::Table)
            .col(big_pk_auto(WorkedHours::Id))
            .col(string_len(WorkedHours::OrgUnitCode, CODE_LEN))
            .col(integer(WorkedHours::FiscalYear))
            .col(small_integer(WorkedHours::FromMonth))
            .col(small_integer(WorkedHours::ToMonth))
            .col(string_len(WorkedHours::ProfessionCode, CODE_LEN))
            .col(big_integer(WorkedHours::HoursScaled))
            .to_owned();
        manager
            .create_table(with_fact_columns(worked_hours, WorkedHours::Table))
            .await?;
        // Serves the unit and year filters and the key lookup of imports.
        create_index(
            manager,
            "ix_worked_hours_unit_year",
            WorkedHours::Table,
            &[
                WorkedHours::OrgUnitCode,
                WorkedHours::FiscalYear,
                WorkedHours::ProfessionCode,
            ],
        )
        .await?;

        let hired_staff = Table::create()
            .table(HiredStaff::Table)
            .col(big_pk_auto(HiredStaff::Id))
            .col(string_len(HiredStaff::OrgUnitCode, CODE_LEN))
            .col(integer(HiredStaff::FiscalYear))
            .col(small_integer(HiredStaff::FromMonth))
            .col(small_integer(HiredStaff::ToMonth))
            .col(string_len(HiredStaff::ProfessionCode, CODE_LEN))
            .col(big_integer_null(HiredStaff::CostSek))
            .col(big_integer_null(HiredStaff::ForecastSek))
            .col(big_integer_null(HiredStaff::PersonnelCostSek))
            .col(big_integer_null(HiredStaff::HoursRequestedScaled))
            .col(big_integer_null(HiredStaff::HoursFilledScaled))
            .to_owned();
        manager
            .create_table(with_fact_columns(hired_staff, HiredStaff::Table))
            .await?;
        create_index(
            manager,
            "ix_hired_staff_unit_year",
            HiredStaff::Table,
            &[
                HiredStaff::OrgUnitCode,
                HiredStaff::FiscalYear,
                HiredStaff::ProfessionCode,
            ],
        )
        .await?;

        let sick_leave = Table::create()
            .table(SickLeave::Table)
            .col(big_pk_auto(SickLeave::Id))
            .col(string_len(SickLeave::OrgUnitCode, CODE_LEN))
            .col(integer(SickLeave::FiscalYear))
            .col(small_integer(SickLeave::FromMonth))
            .col(small_integer(SickLeave::ToMonth))
            .col(string_len(SickLeave::Gender, 16))
            .col(string_len(SickLeave::AgeBand, 16))
            .col(string_len(SickLeave::Length, 16))
            .col(big_integer(SickLeave::RateScaled))
            .to_owned();
        manager
            .create_table(with_fact_columns(sick_leave, SickLeave::Table))
            .await?;
        create_index(
            manager,
            "ix_sick_leave_unit_year",
            SickLeave::Table,
            &[SickLeave::OrgUnitCode, SickLeave::FiscalYear],
        )
        .await?;

        let positions = Table::create()
            .table(Positions::Table)
            .col(big_pk_auto(Positions::Id))
            .col(string_len(Positions::OrgUnitCode, CODE_LEN))
            .col(date(Positions::SnapshotDate))
            .col(string_len(Positions::ProfessionCode, CODE_LEN))
            .col(big_integer(Positions::FteBudgetScaled))
            .col(big_integer_null(Positions::FteNeededScaled))
            .col(big_integer_null(Positions::FteAvailableNowScaled))
            .col(big_integer_null(Positions::FteAvailableIn3MonthsScaled))
            .col(big_integer_null(Positions::FteHiredScaled))
            .to_owned();
        manager
            .create_table(with_fact_columns(positions, Positions::Table))
            .await?;
        create_index(
            manager,
            "ix_positions_unit_date",
            Positions::Table,
            &[
                Positions::OrgUnitCode,
                Positions::SnapshotDate,
                Positions::ProfessionCode,
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Positions::Table.into_iden(),
            SickLeave::Table.into_iden(),
            HiredStaff::Table.into_iden(),
            WorkedHours::Table.into_iden(),
            Headcounts::Table.into_iden(),
            ProfessionGroups::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
