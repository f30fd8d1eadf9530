//! Rows decoded by position into a listed entity's model, for the list pages. sea-orm's
//! derived decoding looks every value's column up by name and formats an error for every NULL
//! it meets. Building the model through its active model instead, value by value, still adds
//! a dynamic value per field on top of sqlx's own decoding, on every row of every page, where
//! reading it straight leaves little but that decoding (`perf`, PostgreSQL). Here a model is
//! read straight from the driver's row, field by field at its place in `E::find()`'s select
//! list: the entity's columns in declaration order, which is the order of the model's
//! fields, so both come from the one field list `by_position!` declares the model with.

use sea_orm::sqlx::{self, Decode, Row};
use sea_orm::{DbErr, QueryResult};

/// A model decoded from the first `COLUMNS` values of a row, in field order.
pub trait ByPosition: Sized {
    /// How many values of a row the model takes (the values after them are the caller's).
    const COLUMNS: usize;

    fn decode(row: &QueryResult) -> Result<Self, DbErr>;
}

/// Declares an entity's model, as `DeriveEntityModel` reads it, and its `ByPosition`
/// decoding from the same fields. Each value is decoded without sqlx's type check, which
/// compares the column's type with every type the field accepts on each value: the entity
/// fixes the column's type, and a test (tests/storage.rs) compares every list's rows with
/// sea-orm's checked decoding on each backend, since a column of another type could decode
/// to a wrong value.
macro_rules! by_position {
    (
        $(#[$meta:meta])*
        pub struct Model {
            $($(#[$field_meta:meta])* pub $field:ident: $type:ty,)+
        }
    ) => {
        $(#[$meta])*
        pub struct Model {
            $($(#[$field_meta])* pub $field: $type,)+
        }

        impl $crate::store::positional::ByPosition for Model {
            const COLUMNS: usize = [$(stringify!($field)),+].len();

            fn decode(row: &::sea_orm::QueryResult) -> Result<Self, ::sea_orm::DbErr> {
                fn read<R: ::sea_orm::sqlx::Row>(row: &R) -> Result<Model, ::sea_orm::sqlx::Error>
                where
                    usize: ::sea_orm::sqlx::ColumnIndex<R>,
                    $($type: for<'r> ::sea_orm::sqlx::Decode<'r, R::Database>,)+
                {
                    let mut next = 0;
                    let mut index = || {
                        next += 1;
                        next - 1
                    };
                    Ok(Model {
                        $($field: row.try_get_unchecked(index())?,)+
                    })
                }
                $crate::store::positional::on_driver(row, read, read, read)
            }
        }
    };
}
pub(crate) use by_position;

/// The reading for the driver whose row `row` holds (one of sqlx's three).
pub fn on_driver<T>(
    row: &QueryResult,
    postgres: impl FnOnce(&sqlx::postgres::PgRow) -> Result<T, sqlx::Error>,
    sqlite: impl FnOnce(&sqlx::sqlite::SqliteRow) -> Result<T, sqlx::Error>,
    mysql: impl FnOnce(&sqlx::mysql::MySqlRow) -> Result<T, sqlx::Error>,
) -> Result<T, DbErr> {
    let read = if let Some(row) = row.try_as_pg_row() {
        postgres(row)
    } else if let Some(row) = row.try_as_sqlite_row() {
        sqlite(row)
    } else if let Some(row) = row.try_as_mysql_row() {
        mysql(row)
    } else {
        return Err(DbErr::Type("a row from a driver other than sqlx".into()));
    };
    read.map_err(|error| DbErr::Type(format!("a row read by position: {error}")))
}

/// The value at `index` of `row`, NULL as `None`, unchecked as in `by_position!`.
pub fn get<T>(row: &QueryResult, index: usize) -> Result<Option<T>, DbErr>
where
    T: for<'r> Decode<'r, sqlx::Postgres>
        + for<'r> Decode<'r, sqlx::MySql>
        + for<'r> Decode<'r, sqlx::Sqlite>,
{
    on_driver(
        row,
        |row| row.try_get_unchecked(index),
        |row| row.try_get_unchecked(index),
        |row| row.try_get_unchecked(index),
    )
}
