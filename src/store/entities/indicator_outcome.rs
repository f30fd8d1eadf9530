use sea_orm::entity::prelude::*;

/// An indicator's outcome for (year, month span), as recorded at a time.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_outcomes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub indicator_code: String,
    pub fiscal_year: i32,
    pub from_month: i16,
    pub to_month: i16,
    /// The value scaled by 10 000; `None` for a text-only outcome.
    pub value_scaled: Option<i64>,
    /// The outcome as printed when it is text ("Ja", "Pågående").
    pub outcome_text: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub source_document: String,
    pub source_table: Option<String>,
    pub import_id: i64,
    pub recorded_at: i64,
    pub superseded_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
