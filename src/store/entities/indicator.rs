use sea_orm::entity::prelude::*;

/// An indicator definition (name as printed, goal area, unit, unit of measure …), as
/// recorded at a time.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "indicators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The stable id of `indicators/{code}`; one row per recorded version.
    pub indicator_code: String,
    pub org_unit_code: String,
    pub goal_area: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub decided_by: Option<String>,
    /// The record-format unit of measure (`percent`, `index` …).
    pub unit: String,
    pub external_id: Option<String>,
    pub source_document: String,
    pub source_table: Option<String>,
    pub import_id: i64,
    pub recorded_at: i64,
    pub superseded_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
