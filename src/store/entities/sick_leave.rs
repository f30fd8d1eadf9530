use crate::store::positional::by_position;
use sea_orm::entity::prelude::*;

by_position! {
    /// A sick-leave rate for (unit, year, month span, gender, age band, length), as recorded at a
    /// time. Gender, age band and length hold the record-format values (`all`, `women`, `0-29`,
    /// `short` …).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sick_leave")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_unit_code: String,
        pub fiscal_year: i32,
        pub from_month: i16,
        pub to_month: i16,
        pub gender: String,
        pub age_band: String,
        pub length: String,
        /// The rate in percent, scaled by 10 000.
        pub rate_scaled: i64,
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
