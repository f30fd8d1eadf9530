use crate::store::positional::by_position;
use sea_orm::entity::prelude::*;

by_position! {
    /// Hired-staff figures for (unit, year, month span, profession group), as recorded at a time.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "hired_staff")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_unit_code: String,
        pub fiscal_year: i32,
        pub from_month: i16,
        pub to_month: i16,
        pub profession_code: String,
        pub cost_sek: Option<i64>,
        pub forecast_sek: Option<i64>,
        pub personnel_cost_sek: Option<i64>,
        /// Hours requested scaled by 10 000.
        pub hours_requested_scaled: Option<i64>,
        /// Hours filled scaled by 10 000.
        pub hours_filled_scaled: Option<i64>,
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
