//! The foundation: the import log, the organisation tree, account categories and budget lines.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Length of unit and category codes; small enough for multi-column MySQL indexes.
const CODE_LEN: u32 = 64;
const TEXT_LEN: u32 = 255;

#[derive(DeriveIden, Clone, Copy)]
enum Imports {
    Table,
    Id,
    RequestId,
    SourceDocument,
    SourceTable,
    SourceSystem,
    RecordedAt,
    Result,
}

#[derive(DeriveIden, Clone, Copy)]
enum OrgUnits {
    Table,
    Id,
    Code,
    Name,
    Kind,
    ParentCode,
    ValidFrom,
    ValidTo,
}

#[derive(DeriveIden, Clone, Copy)]
enum Categories {
    Table,
    Id,
    Code,
    Name,
    Direction,
    ParentCode,
    DisplayOrder,
}

#[derive(DeriveIden, Clone, Copy)]
enum BudgetLines {
    Table,
    Id,
    OrgUnitCode,
    CategoryCode,
    FiscalYear,
    FromMonth,
    ToMonth,
    Scenario,
    AmountSek,
}

/// Provenance and transaction-time columns that every fact table carries.
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Fact {
    SourceDocument,
    SourceTable,
    ImportId,
    RecordedAt,
    SupersededAt,
}

/// Adds provenance and history columns, and the foreign key to the import that wrote the row.
pub(crate) fn with_fact_columns(
    mut table: TableCreateStatement,
    table_name: impl IntoIden + Clone + 'static,
) -> TableCreateStatement {
    table
        .col(string_len(Fact::SourceDocument, TEXT_LEN))
        .col(string_len_null(Fact::SourceTable, TEXT_LEN))
        .col(big_integer(Fact::ImportId))
        .col(big_integer(Fact::RecordedAt))
        .col(big_integer_null(Fact::SupersededAt))
        .foreign_key(
            ForeignKey::create()
                .from(table_name, Fact::ImportId)
                .to(Imports::Table, Imports::Id),
        );
    table
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Imports::Table)
                    .col(big_pk_auto(Imports::Id))
                    .col(string_len_null(Imports::RequestId, 128).unique_key())
                    .col(string_len(Imports::SourceDocument, TEXT_LEN))
                    .col(string_len_null(Imports::SourceTable, TEXT_LEN))
                    .col(string_len_null(Imports::SourceSystem, TEXT_LEN))
                    .col(big_integer(Imports::RecordedAt))
                    .col(text(Imports::Result))
                    .to_owned(),
            )
            .await?;

        let org_units = Table::create()
            .table(OrgUnits::Table)
            .col(big_pk_auto(OrgUnits::Id))
            .col(string_len(OrgUnits::Code, CODE_LEN))
            .col(string_len(OrgUnits::Name, TEXT_LEN))
            .col(string_len(OrgUnits::Kind, 16))
            .col(string_len_null(OrgUnits::ParentCode, CODE_LEN))
            .col(date(OrgUnits::ValidFrom))
            .col(date_null(OrgUnits::ValidTo))
            .to_owned();
        manager
            .create_table(with_fact_columns(org_units, OrgUnits::Table))
            .await?;
        create_index(
            manager,
            "ix_org_units_code",
            OrgUnits::Table,
            &[OrgUnits::Code],
        )
        .await?;
        create_index(
            manager,
            "ix_org_units_parent",
            OrgUnits::Table,
            &[OrgUnits::ParentCode],
        )
        .await?;

        let categories = Table::create()
            .table(Categories::Table)
            .col(big_pk_auto(Categories::Id))
            .col(string_len(Categories::Code, CODE_LEN))
            .col(string_len(Categories::Name, TEXT_LEN))
            .col(string_len(Categories::Direction, 8))
            .col(string_len_null(Categories::ParentCode, CODE_LEN))
            .col(integer(Categories::DisplayOrder))
            .to_owned();
        manager
            .create_table(with_fact_columns(categories, Categories::Table))
            .await?;
        create_index(
            manager,
            "ix_categories_code",
            Categories::Table,
            &[Categories::Code],
        )
        .await?;

        let budget_lines = Table::create()
            .table(BudgetLines::Table)
            .col(big_pk_auto(BudgetLines::Id))
            .col(string_len(BudgetLines::OrgUnitCode, CODE_LEN))
            .col(string_len(BudgetLines::CategoryCode, CODE_LEN))
            .col(integer(BudgetLines::FiscalYear))
            .col(small_integer(BudgetLines::FromMonth))
            .col(small_integer(BudgetLines::ToMonth))
            .col(string_len(BudgetLines::Scenario, 16))
            .col(big_integer(BudgetLines::AmountSek))
            .to_owned();
        manager
            .create_table(with_fact_columns(budget_lines, BudgetLines::Table))
            .await?;
        // Serves the year filter of summaries and lists (units come as an IN list) and the
        // key lookup of imports (unit, category, year, scenario).
        create_index(
            manager,
            "ix_budget_lines_year_unit",
            BudgetLines::Table,
            &[
                BudgetLines::FiscalYear,
                BudgetLines::OrgUnitCode,
                BudgetLines::CategoryCode,
                BudgetLines::Scenario,
            ],
        )
        .await?;
        // ListBudgetLines' order (and keyset pages): unit, category, year, scenario, month;
        // its prefix serves the unit filter.
        create_index(
            manager,
            "ix_budget_lines_list_order",
            BudgetLines::Table,
            &[
                BudgetLines::OrgUnitCode,
                BudgetLines::CategoryCode,
                BudgetLines::FiscalYear,
                BudgetLines::Scenario,
                BudgetLines::FromMonth,
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BudgetLines::Table.into_iden(),
            Categories::Table.into_iden(),
            OrgUnits::Table.into_iden(),
            Imports::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Creates a plain (non-unique) index over `columns`.
pub(crate) async fn create_index<T, C>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: &[C],
) -> Result<(), DbErr>
where
    T: IntoIden + Clone + 'static,
    C: IntoIden + Clone + 'static,
{
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column.clone());
    }
    manager.create_index(index.to_owned()).await
}
