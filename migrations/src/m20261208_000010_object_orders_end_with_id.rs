//! On PostgreSQL the indexes that serve ListInvestments' and ListAssignments' order
//! (investment id or assignment code, then the row id) end with the row id, as migration
//! `m20261207_000009` did for the budget and staffing lists: SQLite and InnoDB append the
//! primary key to every index themselves, PostgreSQL sorts equal keys by id otherwise. The
//! same indexes serve the key lookups of GetInvestment, GetAssignment and imports, which
//! use their first column.

use super::m20261207_000009_list_orders_end_with_id::{IndexColumns, recreate_on_postgres};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OBJECT_ORDERS: [IndexColumns; 2] = [
    (
        "investments",
        "ix_investments_investment_id",
        &["investment_id"],
    ),
    ("assignments", "ix_assignments_code", &["assignment_code"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        recreate_on_postgres(manager, &OBJECT_ORDERS, &["id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        recreate_on_postgres(manager, &OBJECT_ORDERS, &[]).await
    }
}
