//! The one list query every data area uses: the rows current at an instant, inside a unit
//! scope, matching the area's filter, one keyset page at a time in the table's order. The
//! order is plain stored columns ending with the row id, so an index serves it, and the page
//! key is read off the last row whatever the table.

use super::error::StoreError;
use super::history::current_at;
use super::keyset;
use super::positional::{self, ByPosition};
use super::write_lock::ORG_VERSION_SQL;
use crate::domain::access::Reach;
use crate::domain::instant::Instant;
use crate::domain::provenance::Provenance;
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Value,
};
use serde::{Deserialize, Serialize};

/// A listed fact with its row id (the last tie-breaker of every order) and where it came
/// from.
#[derive(Debug, Clone)]
pub struct Stored<T> {
    pub id: i64,
    pub value: T,
    pub provenance: Provenance,
}

/// One value of a page key, as it travels inside a page token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyPart {
    #[serde(rename = "i")]
    Int(i64),
    #[serde(rename = "s")]
    Text(String),
    #[serde(rename = "d")]
    Date(NaiveDate),
}

/// The sort key of a row: one part per order column.
pub type RowKey = Vec<KeyPart>;

impl KeyPart {
    fn of(value: Value) -> Result<Self, StoreError> {
        Ok(match value {
            Value::BigInt(Some(v)) => Self::Int(v),
            Value::Int(Some(v)) => Self::Int(v.into()),
            Value::SmallInt(Some(v)) => Self::Int(v.into()),
            Value::String(Some(v)) => Self::Text(v),
            Value::ChronoDate(Some(v)) => Self::Date(v),
            other => {
                return Err(StoreError::Corrupt(format!(
                    "a sort column holds {other:?}, which cannot be a page key"
                )));
            }
        })
    }

    fn value(&self) -> Value {
        match self {
            Self::Int(v) => Value::from(*v),
            Self::Text(v) => Value::from(v.clone()),
            Self::Date(v) => Value::from(*v),
        }
    }
}

/// Whether `key` has the shape of `E`'s page keys: one part per order column, an integer
/// for an integer column, text for a text column, a date for a date column. A key comes
/// back from the client inside a page token: one of another shape was not issued for this
/// list, and must be refused as such rather than reach the query.
pub fn key_fits<E: Listed>(key: &RowKey) -> bool {
    use sea_orm::sea_query::ColumnType as T;
    let order = E::order();
    key.len() == order.len()
        && order.iter().zip(key).all(|(column, part)| {
            match (column.def().get_column_type(), part) {
                (T::TinyInteger | T::SmallInteger | T::Integer | T::BigInteger, p) => {
                    matches!(p, KeyPart::Int(_))
                }
                (T::Char(_) | T::String(_) | T::Text, p) => matches!(p, KeyPart::Text(_)),
                (T::Date, p) => matches!(p, KeyPart::Date(_)),
                // Other column types are not refused here: the query reads them as given.
                _ => true,
            }
        })
}

/// A fact table that lists: which columns hold the unit and the transaction times, and the
/// documented order.
pub trait Listed: EntityTrait<Model: ByPosition> {
    /// The order of the list, ascending, ending with the row id (a total order).
    fn order() -> Vec<Self::Column>;
    fn unit_column() -> Self::Column;
    /// `recorded_at` and `superseded_at`.
    fn history_columns() -> (Self::Column, Self::Column);
}

/// The filters of one List RPC beyond the unit reach, validated: the table they read, the
/// stored value a row becomes, and their SQL at the read instant.
pub trait ListFilter: std::fmt::Debug + Send + Sync {
    type Entity: Listed;
    type Row: TryFrom<<Self::Entity as EntityTrait>::Model, Error = StoreError> + Send;
    fn condition(&self, as_of: Instant) -> Condition;
}

/// One page of `F`'s rows in `reach` (see `page`), as stored values.
pub async fn list<F: ListFilter>(
    db: &impl ConnectionTrait,
    reach: &Reach,
    filter: &F,
    as_of: Instant,
    after: Option<&RowKey>,
    size: u64,
    read_org_version: bool,
) -> Result<PageRows<F::Row>, StoreError> {
    let read = page::<F::Entity>(
        db,
        reach,
        filter.condition(as_of),
        as_of,
        after,
        size,
        read_org_version,
    )
    .await?;
    // Sized up front: collecting through `Result` would grow the vector by doubling.
    let mut rows = Vec::with_capacity(read.rows.len());
    for row in read.rows {
        rows.push(F::Row::try_from(row)?);
    }
    Ok(PageRows {
        rows,
        next: read.next,
        org_version: read.org_version,
    })
}

/// A page of rows; the key of its last row when more rows follow (the page token's key);
/// and the org version its query read in the same snapshot (`None` when not asked for, or
/// when the page is empty: no row carried it).
pub struct PageRows<M> {
    pub rows: Vec<M>,
    pub next: Option<RowKey>,
    pub org_version: Option<i64>,
}

const ORG_VERSION_COLUMN: &str = "org_version_read";

/// One page of at most `size` of `E`'s rows current at `as_of`, of the units in `reach`,
/// matching `filter`, after `after`; with the key to continue after when more follow (one
/// row more is read to know); with `read_org_version`, also the org version of the snapshot
/// the page was read in, so that a caller that chose `reach` from a cached tree can check
/// that tree was the snapshot's.
pub async fn page<E: Listed>(
    db: &impl ConnectionTrait,
    reach: &Reach,
    filter: Condition,
    as_of: Instant,
    after: Option<&RowKey>,
    size: u64,
    read_org_version: bool,
) -> Result<PageRows<E::Model>, StoreError> {
    let order = E::order();
    let (recorded_at, superseded_at) = E::history_columns();
    let mut condition = Condition::all()
        .add(current_at(recorded_at, superseded_at, as_of))
        .add(filter);
    if let Some(units) = reach.units() {
        condition =
            condition.add(E::unit_column().is_in(units.iter().map(|u| u.as_str().to_owned())));
    }
    if let Some(after) = after {
        if after.len() != order.len() {
            return Err(StoreError::Corrupt("a page key of the wrong length".into()));
        }
        let key: Vec<(E::Column, Value)> = order
            .iter()
            .zip(after)
            .map(|(column, part)| (*column, part.value()))
            .collect();
        condition = condition.add(keyset::after(&key));
    }
    let mut query = E::find().filter(condition);
    for column in &order {
        query = query.order_by_asc(*column);
    }
    if read_org_version {
        query = query.expr_as(Expr::cust(ORG_VERSION_SQL), ORG_VERSION_COLUMN);
    }
    let statement = query.limit(size + 1).build(db.get_database_backend());
    let read = db.query_all_raw(statement).await?;
    // The model's columns come first, then the org version.
    let org_version = match read.first() {
        Some(row) if read_org_version => Some(
            positional::get::<i64>(row, E::Model::COLUMNS)?.ok_or_else(|| {
                StoreError::Corrupt("the org version read beside a page is NULL".into())
            })?,
        ),
        _ => None,
    };
    let more = read.len() as u64 > size;
    // Sized up front: collecting through `Result` would grow the vector by doubling.
    let mut rows = Vec::with_capacity(read.len().min(size as usize));
    for row in read.iter().take(size as usize) {
        rows.push(E::Model::decode(row)?);
    }
    // Only the last row's key is needed: the next page starts after it.
    let next = match rows.last() {
        Some(last) if more => Some(
            order
                .iter()
                .map(|column| KeyPart::of(last.get(*column)))
                .collect::<Result<RowKey, _>>()?,
        ),
        _ => None,
    };
    Ok(PageRows {
        rows,
        next,
        org_version,
    })
}
