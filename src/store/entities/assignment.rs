use crate::store::positional::by_position;
use sea_orm::entity::prelude::*;

by_position! {
    /// An assignment (uppdrag) for a year with its status and comment, as recorded at a time.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "assignments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The stable id of `assignments/{code}`.
        pub assignment_code: String,
        pub org_unit_code: String,
        pub goal_area: String,
        pub fiscal_year: i32,
        #[sea_orm(column_type = "Text")]
        pub text: String,
        pub decided_by: Option<String>,
        /// The status as printed.
        pub status: Option<String>,
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
