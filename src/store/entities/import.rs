use sea_orm::entity::prelude::*;

/// One committed import: the import log, and the key for request-id deduplication.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: Option<String>,
    pub source_document: String,
    pub source_table: Option<String>,
    pub source_system: Option<String>,
    /// Transaction time of every fact the import wrote, microseconds since the epoch.
    pub recorded_at: i64,
    /// The import's result (counts and warnings) as JSON, returned again on a retry.
    #[sea_orm(column_type = "Text")]
    pub result: String,
    /// The credential that imported (never its secret); NULL for the command line.
    pub imported_by: Option<String>,
    /// The importing credential's org-unit scope (roots, comma-separated); NULL: unscoped.
    #[sea_orm(column_type = "Text", nullable)]
    pub importer_scope: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
