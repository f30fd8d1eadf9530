//! Several instances on one database: a lock row that every import takes first (writes are
//! serialised by the database, not by one process) and that hands out transaction times,
//! and for every fact table a unique index that makes two current rows for one key
//! impossible.
//!
//! "Current" is `superseded_at IS NULL`. PostgreSQL and SQLite have partial unique indexes;
//! MySQL/MariaDB do not, so there a stored generated column is 1 for a current row and NULL
//! otherwise, and the unique index includes it (NULLs never collide in a unique index).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each fact table and the columns of its key (the importer's `StoredFact::key`).
const CURRENT_KEYS: &[(&str, &[&str])] = &[
    ("org_units", &["code", "valid_from"]),
    ("categories", &["code"]),
    (
        "budget_lines",
        &[
            "org_unit_code",
            "category_code",
            "scenario",
            "fiscal_year",
            "from_month",
            "to_month",
        ],
    ),
    ("investments", &["investment_id"]),
    (
        "investment_figures",
        &["investment_id", "fiscal_year", "from_month", "to_month"],
    ),
    ("profession_groups", &["code"]),
    (
        "headcounts",
        &["org_unit_code", "snapshot_date", "employee_group"],
    ),
    (
        "worked_hours",
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
        &[
            "org_unit_code",
            "gender",
            "age_band",
            "length",
            "fiscal_year",
            "from_month",
            "to_month",
        ],
    ),
    (
        "positions",
        &["org_unit_code", "snapshot_date", "profession_code"],
    ),
];

#[derive(DeriveIden)]
enum WriteLock {
    Table,
    Id,
    Sequence,
    LastRecordedAt,
    OrgVersion,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WriteLock::Table)
                    .col(
                        ColumnDef::new(WriteLock::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    // The number of the last committed import (also of rolled-back ones
                    // while they hold the lock).
                    .col(ColumnDef::new(WriteLock::Sequence).big_integer().not_null())
                    // The last transaction time handed out, microseconds.
                    .col(
                        ColumnDef::new(WriteLock::LastRecordedAt)
                            .big_integer()
                            .not_null(),
                    )
                    // The sequence of the last import that changed the organisation tree:
                    // what tree caches compare with.
                    .col(
                        ColumnDef::new(WriteLock::OrgVersion)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // Start after every transaction time already stored, so that a database written
        // before this migration keeps strictly increasing times.
        db.execute_unprepared(
            "INSERT INTO write_lock (id, sequence, last_recorded_at, org_version) \
             SELECT 1, COUNT(*), COALESCE(MAX(recorded_at), 0), 0 FROM imports",
        )
        .await?;

        let backend = manager.get_database_backend();
        for (table, columns) in CURRENT_KEYS {
            let name = format!("ux_{table}_current");
            let columns = columns.join(", ");
            match backend {
                DatabaseBackend::MySql => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE {table} ADD COLUMN current_row TINYINT \
                         AS (CASE WHEN superseded_at IS NULL THEN 1 ELSE NULL END) STORED"
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE UNIQUE INDEX {name} ON {table} ({columns}, current_row)"
                    ))
                    .await?;
                }
                _ => {
                    db.execute_unprepared(&format!(
                        "CREATE UNIQUE INDEX {name} ON {table} ({columns}) \
                         WHERE superseded_at IS NULL"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for (table, _) in CURRENT_KEYS {
            let name = format!("ux_{table}_current");
            match backend {
                DatabaseBackend::MySql => {
                    db.execute_unprepared(&format!("DROP INDEX {name} ON {table}"))
                        .await?;
                    db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN current_row"))
                        .await?;
                }
                _ => {
                    db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
                }
            }
        }
        manager
            .drop_table(Table::drop().table(WriteLock::Table).to_owned())
            .await
    }
}
