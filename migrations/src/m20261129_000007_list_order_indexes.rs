//! Indexes in the documented order of each staffing list (unit first, as the list query
//! filters and sorts), so that a keyset page is an index range scan rather than a sort
//! (on PostgreSQL once `m20261207_000009` appends the row id).

use super::m20261122_000001_foundation::create_index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each table, its index name and columns: the list order without the row id.
pub(crate) const ORDERS: &[(&str, &str, &[&str])] = &[
    (
        "headcounts",
        "ix_headcounts_list_order",
        &["org_unit_code", "snapshot_date", "employee_group"],
    ),
    (
        "worked_hours",
        "ix_worked_hours_list_order",
        &[
            "org_unit_code",
            "profession_code",
            "fiscal_year",
            "from_month",
            "to_month",
        ],
    ),
    (
        "hired_staff",
        "ix_hired_staff_list_order",
        &[
            "org_unit_code",
            "profession_code",
            "fiscal_year",
            "from_month",
            "to_month",
        ],
    ),
    (
        "sick_leave",
        "ix_sick_leave_list_order",
        &[
            "org_unit_code",
            "fiscal_year",
            "from_month",
            "to_month",
            "gender",
            "age_band",
            "length",
        ],
    ),
    (
        "positions",
        "ix_positions_list_order",
        &["org_unit_code", "snapshot_date", "profession_code"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, columns) in ORDERS {
            let columns: Vec<Alias> = columns.iter().map(|c| Alias::new(*c)).collect();
            create_index(manager, name, Alias::new(*table), &columns).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, _) in ORDERS {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
