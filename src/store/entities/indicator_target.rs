use sea_orm::entity::prelude::*;

/// An indicator's target for a year, as recorded at a time.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_targets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub indicator_code: String,
    pub fiscal_year: i32,
    /// The record-format comparator (`at_least`, `increase`, `text` …).
    pub comparator: String,
    /// The target value scaled by 10 000; `None` for text and prior-year targets.
    pub value_scaled: Option<i64>,
    pub unit: Option<String>,
    /// The target as printed.
    pub target_text: Option<String>,
    pub source_document: String,
    pub source_table: Option<String>,
    pub import_id: i64,
    pub recorded_at: i64,
    pub superseded_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
