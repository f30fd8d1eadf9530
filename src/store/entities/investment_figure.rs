use sea_orm::entity::prelude::*;

/// An investment object's figures for (year, month span), as recorded at a time. A `None`
/// figure was not reported.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "investment_figures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The object's stable id (`investments.investment_id`).
    pub investment_id: String,
    pub fiscal_year: i32,
    pub from_month: i16,
    pub to_month: i16,
    pub budget_sek: Option<i64>,
    pub outcome_sek: Option<i64>,
    pub outcome_since_start_sek: Option<i64>,
    pub forecast_sek: Option<i64>,
    pub carry_over_requested_sek: Option<i64>,
    pub source_document: String,
    pub source_table: Option<String>,
    pub import_id: i64,
    pub recorded_at: i64,
    pub superseded_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
