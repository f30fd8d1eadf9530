//! The import log's stored result (the outcome with up to 1 000 warnings) outgrows MySQL's
//! `TEXT` (64 KiB) on a large import that warns often; `LONGTEXT` holds it. SQLite's and
//! PostgreSQL's `text` have no such bound, so only MySQL changes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::MySql {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE imports MODIFY result LONGTEXT NOT NULL")
            .await
            .map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::MySql {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE imports MODIFY result TEXT NOT NULL")
            .await
            .map(drop)
    }
}
