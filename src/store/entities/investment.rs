use crate::store::positional::by_position;
use sea_orm::entity::prelude::*;

by_position! {
    /// An investment object (unit, name, kind, funding, status …), as recorded at a time.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "investments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The stable id of `investments/{id}`; one row per recorded version.
        pub investment_id: String,
        pub org_unit_code: String,
        /// Benämning, as printed.
        pub name: String,
        /// `new` or `reinvestment`.
        pub kind: String,
        /// `frame`, `unforeseen`, `extra`, `carried_over` or `outside_frame`.
        pub funding: String,
        pub decision: Option<String>,
        pub decided_year: Option<i32>,
        /// `planned`, `ongoing`, `completed` or `cancelled`.
        pub status: String,
        pub total_budget_sek: Option<i64>,
        #[sea_orm(column_type = "Text", nullable)]
        pub planned_completion: Option<String>,
        pub procurement_contacted: Option<bool>,
        #[sea_orm(column_type = "Text", nullable)]
        pub comment: Option<String>,
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
