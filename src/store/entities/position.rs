use crate::store::positional::by_position;
use sea_orm::entity::prelude::*;

by_position! {
    /// Position FTE for (unit, date, profession group), as recorded at a time. FTE columns are
    /// scaled by 10 000.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "positions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_unit_code: String,
        pub snapshot_date: Date,
        pub profession_code: String,
        pub fte_budget_scaled: i64,
        pub fte_needed_scaled: Option<i64>,
        pub fte_available_now_scaled: Option<i64>,
        #[sea_orm(column_name = "fte_available_in_3_months_scaled")]
        pub fte_available_in_3_months_scaled: Option<i64>,
        pub fte_hired_scaled: Option<i64>,
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
