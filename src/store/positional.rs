//! Rows decoded by position into an entity's model, for the list pages. sea-orm's derived
//! decoding looks every value's column up by name and formats an error for every NULL it
//! meets; on a page of 100 budget lines that was about a quarter of the server's CPU
//! (`perf`, 16 clients, PostgreSQL). Here the column kinds are read once per page, and each
//! value is decoded straight from the driver's row at its place in `E::find()`'s select
//! list, which is the entity's columns in declaration order.

use chrono::NaiveDate;
use sea_orm::sea_query::{ColumnType, Value};
use sea_orm::sqlx::{self, Decode, Row};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, IdenStatic, Iterable, QueryResult,
    TryIntoModel,
};

/// An entity whose model can be built from its active model with every column set (each
/// derived entity can).
pub trait Decoded: EntityTrait {
    fn model_of(active: Self::ActiveModel) -> Result<Self::Model, DbErr>;
}

impl<E: EntityTrait> Decoded for E
where
    E::ActiveModel: TryIntoModel<E::Model>,
{
    fn model_of(active: Self::ActiveModel) -> Result<Self::Model, DbErr> {
        active.try_into_model()
    }
}

/// The Rust type a column decodes to.
#[derive(Debug, Clone, Copy)]
enum Kind {
    SmallInt,
    Int,
    BigInt,
    Text,
    Date,
    Bool,
}

/// An entity's columns in select order, each with its kind.
pub struct Columns<E: Decoded> {
    columns: Vec<(E::Column, Kind)>,
}

impl<E: Decoded> Columns<E> {
    pub fn of() -> Result<Self, DbErr> {
        let columns = E::Column::iter()
            .map(|column| {
                let kind = match column.def().get_column_type() {
                    ColumnType::SmallInteger => Kind::SmallInt,
                    ColumnType::Integer => Kind::Int,
                    ColumnType::BigInteger => Kind::BigInt,
                    ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => Kind::Text,
                    ColumnType::Date => Kind::Date,
                    ColumnType::Boolean => Kind::Bool,
                    other => {
                        return Err(DbErr::Type(format!(
                            "column {} has type {other:?}, which rows are not decoded by position from",
                            column.as_str()
                        )));
                    }
                };
                Ok((column, kind))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { columns })
    }

    /// How many values of a row the model takes (the values after them are the caller's).
    pub fn count(&self) -> usize {
        self.columns.len()
    }

    /// The model in the first `count()` values of `row`.
    pub fn model(&self, row: &QueryResult) -> Result<E::Model, DbErr> {
        let mut active = <E::ActiveModel as ActiveModelTrait>::default();
        for (index, (column, kind)) in self.columns.iter().enumerate() {
            let value = match kind {
                Kind::SmallInt => Value::SmallInt(get(row, index)?),
                Kind::Int => Value::Int(get(row, index)?),
                Kind::BigInt => Value::BigInt(get(row, index)?),
                Kind::Text => Value::String(get(row, index)?),
                Kind::Date => Value::ChronoDate(get::<NaiveDate>(row, index)?),
                Kind::Bool => Value::Bool(get(row, index)?),
            };
            active.try_set(*column, value)?;
        }
        E::model_of(active)
    }
}

/// The value at `index` of `row`, NULL as `None`, decoded by whichever driver read it.
/// Without sqlx's type check, which compares the column's type with every type `T` accepts
/// on each value (about a tenth of a page's decoding): the entity fixes the column's type,
/// and a test (tests/storage.rs) compares every list's rows with sea-orm's checked decoding
/// on each backend, since a column of another type could decode to a wrong value.
pub fn get<T>(row: &QueryResult, index: usize) -> Result<Option<T>, DbErr>
where
    T: for<'r> Decode<'r, sqlx::Postgres>
        + for<'r> Decode<'r, sqlx::MySql>
        + for<'r> Decode<'r, sqlx::Sqlite>,
{
    let read = if let Some(row) = row.try_as_pg_row() {
        row.try_get_unchecked::<Option<T>, _>(index)
    } else if let Some(row) = row.try_as_sqlite_row() {
        row.try_get_unchecked::<Option<T>, _>(index)
    } else if let Some(row) = row.try_as_mysql_row() {
        row.try_get_unchecked::<Option<T>, _>(index)
    } else {
        return Err(DbErr::Type("a row from a driver other than sqlx".into()));
    };
    read.map_err(|error| DbErr::Type(format!("value {index} of a row: {error}")))
}
