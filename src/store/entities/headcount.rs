use crate::store::positional::by_position;
use sea_orm::entity::prelude::*;

by_position! {
    /// A headcount snapshot for (unit, date, employee group), as recorded at a time.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "headcounts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_unit_code: String,
        pub snapshot_date: Date,
        pub employee_group: String,
        pub total: i64,
        pub women: Option<i64>,
        pub men: Option<i64>,
        pub unknown: Option<i64>,
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
