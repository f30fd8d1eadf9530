use crate::store::positional::by_position;
use sea_orm::entity::prelude::*;

by_position! {
    /// One amount for (unit, category, year, month span, scenario), as recorded at a time.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "budget_lines")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_unit_code: String,
        pub category_code: String,
        pub fiscal_year: i32,
        pub from_month: i16,
        pub to_month: i16,
        pub scenario: String,
        pub amount_sek: i64,
        pub source_document: String,
        pub source_table: Option<String>,
        pub import_id: i64,
        pub recorded_at: i64,
        pub superseded_at: Option<i64>,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
