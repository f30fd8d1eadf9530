//! On PostgreSQL the list-order indexes end with the row id, the last column of every list
//! order. SQLite and InnoDB append the row id (the primary key) to every index themselves, so
//! there a keyset page is already an index range scan; PostgreSQL keeps equal keys in heap
//! order, so it sorted every page by id (an Incremental Sort). With the id in the index a
//! page is a plain index scan: on the query bench's data, one unit's first page took
//! PostgreSQL 153–162 µs of CPU after this migration against 214–233 µs before (`pgbench`,
//! 20 000 pages, three runs each).

use super::m20261129_000007_list_order_indexes::ORDERS as STAFFING_ORDERS;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// ListBudgetLines' order without the id (`ix_budget_lines_list_order`, foundation).
const BUDGET_ORDER: IndexColumns = (
    "budget_lines",
    "ix_budget_lines_list_order",
    &[
        "org_unit_code",
        "category_code",
        "fiscal_year",
        "scenario",
        "from_month",
    ],
);

/// A table, one of its indexes and the index's columns.
pub(crate) type IndexColumns = (&'static str, &'static str, &'static [&'static str]);

/// On PostgreSQL, replaces each of `indexes` with one over its columns followed by `tail`.
pub(crate) async fn recreate_on_postgres(
    manager: &SchemaManager<'_>,
    indexes: impl IntoIterator<Item = &IndexColumns>,
    tail: &[&str],
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for (table, name, columns) in indexes {
        let columns = columns.iter().chain(tail).copied().collect::<Vec<_>>();
        db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        db.execute_unprepared(&format!(
            "CREATE INDEX {name} ON {table} ({})",
            columns.join(", ")
        ))
        .await?;
    }
    Ok(())
}

/// Every list-order index this migration extends.
fn list_orders() -> impl Iterator<Item = &'static IndexColumns> {
    std::iter::once(&BUDGET_ORDER).chain(STAFFING_ORDERS)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        recreate_on_postgres(manager, list_orders(), &["id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        recreate_on_postgres(manager, list_orders(), &[]).await
    }
}
