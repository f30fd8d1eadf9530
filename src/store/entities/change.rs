use sea_orm::entity::prelude::*;

/// One entry of the change log: a fact an import inserted, superseded or retracted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    /// The feed position, increasing in commit order.
    #[sea_orm(primary_key)]
    pub id: i64,
    pub import_id: i64,
    pub recorded_at: i64,
    pub kind: String,
    pub action: String,
    /// The row of the kind's table: the value written, or the one retracted.
    pub row_id: i64,
    /// The unit the fact belongs to; `None` for region-wide definitions.
    pub org_unit_code: Option<String>,
    pub source_document: String,
    pub source_table: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
