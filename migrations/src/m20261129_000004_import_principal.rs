//! Who imported: the credential's name and, for a credential limited to org units, its
//! scope (the roots, comma-separated), so that the import log can name the importer and a
//! scoped reader sees only imports made within its scope. Both are NULL for imports made
//! before this migration and by the command line.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Imports {
    Table,
    ImportedBy,
    ImporterScope,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Imports::Table)
                    .add_column(string_len_null(Imports::ImportedBy, 255))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Imports::Table)
                    .add_column(text_null(Imports::ImporterScope))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Imports::ImporterScope, Imports::ImportedBy] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Imports::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
