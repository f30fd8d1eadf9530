//! Portable schema migrations: the same DDL runs on SQLite, PostgreSQL and MySQL/MariaDB.
//!
//! Conventions shared by every table:
//! - codes are bounded `VARCHAR`s so that composite indexes fit MySQL's key-length limit;
//! - instants are `BIGINT` microseconds since the Unix epoch (exact and comparable everywhere);
//! - exact decimals are `BIGINT` scaled by 10 000 (SQLite has no decimal type);
//! - fact rows carry `recorded_at` / `superseded_at` (transaction time) and provenance.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_foundation;
mod m20261122_000002_investments;
mod m20261122_000003_staffing;
mod m20261129_000004_import_principal;
mod m20261129_000005_indicators;
mod m20261129_000006_concurrent_writes;
mod m20261129_000007_list_order_indexes;
mod m20261206_000008_change_log;
mod m20261207_000009_list_orders_end_with_id;
mod m20261208_000010_object_orders_end_with_id;
mod m20261209_000011_import_result_long_text;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_investments::Migration),
            Box::new(m20261122_000003_staffing::Migration),
            Box::new(m20261129_000004_import_principal::Migration),
            Box::new(m20261129_000005_indicators::Migration),
            Box::new(m20261129_000006_concurrent_writes::Migration),
            Box::new(m20261129_000007_list_order_indexes::Migration),
            Box::new(m20261206_000008_change_log::Migration),
            Box::new(m20261207_000009_list_orders_end_with_id::Migration),
            Box::new(m20261208_000010_object_orders_end_with_id::Migration),
            Box::new(m20261209_000011_import_result_long_text::Migration),
        ]
    }
}
