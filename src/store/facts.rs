//! Generic writes shared by every fact table: load the current rows an import batch can
//! touch, insert new rows in chunks.

use super::error::StoreError;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Value};

/// The current (not superseded) rows whose `column` is one of `values`; chunked to stay
/// under bind-parameter limits.
pub async fn current_rows<E, V>(
    db: &impl ConnectionTrait,
    column: E::Column,
    superseded_at: E::Column,
    values: &[V],
) -> Result<Vec<E::Model>, StoreError>
where
    E: EntityTrait,
    V: Into<Value> + Clone,
{
    let mut rows = Vec::new();
    for chunk in values.chunks(500) {
        rows.extend(
            E::find()
                .filter(superseded_at.is_null())
                .filter(column.is_in(chunk.iter().cloned()))
                .all(db)
                .await?,
        );
    }
    Ok(rows)
}

/// The distinct values of `column` over current rows (e.g. the codes that exist now).
pub async fn current_values<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: E::Column,
    superseded_at: E::Column,
) -> Result<Vec<String>, StoreError> {
    use sea_orm::QuerySelect;
    Ok(E::find()
        .select_only()
        .column(column)
        .distinct()
        .filter(superseded_at.is_null())
        .into_tuple::<String>()
        .all(db)
        .await?)
}

/// One page of the rows current at `as_of`, in id order after `after_id`: lets an export
/// walk a large table in bounded memory.
pub async fn rows_at<E: EntityTrait>(
    db: &impl ConnectionTrait,
    columns: [E::Column; 3],
    as_of: crate::domain::instant::Instant,
    after_id: i64,
    limit: u64,
) -> Result<Vec<E::Model>, StoreError> {
    use sea_orm::{QueryOrder, QuerySelect};
    let [id, recorded_at, superseded_at] = columns;
    Ok(E::find()
        .filter(super::history::current_at(
            recorded_at,
            superseded_at,
            as_of,
        ))
        .filter(id.gt(after_id))
        .order_by_asc(id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The rows with the given ids, in id order; chunked to stay under bind-parameter limits.
pub async fn rows_by_id<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    ids: &[i64],
) -> Result<Vec<E::Model>, StoreError> {
    use sea_orm::QueryOrder;
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            E::find()
                .filter(id.is_in(chunk.iter().copied()))
                .order_by_asc(id)
                .all(db)
                .await?,
        );
    }
    Ok(rows)
}

/// The highest id of a table, 0 when it is empty.
pub async fn max_id<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
) -> Result<i64, StoreError> {
    use sea_orm::{QueryOrder, QuerySelect};
    let max: Option<i64> = E::find()
        .select_only()
        .column(id)
        .order_by_desc(id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.unwrap_or(0))
}

/// The distinct `(a, b)` values over current rows (e.g. each investment id and its unit).
pub async fn current_pairs<E: EntityTrait>(
    db: &impl ConnectionTrait,
    [a, b]: [E::Column; 2],
    superseded_at: E::Column,
) -> Result<Vec<(String, String)>, StoreError> {
    use sea_orm::QuerySelect;
    Ok(E::find()
        .select_only()
        .column(a)
        .column(b)
        .distinct()
        .filter(superseded_at.is_null())
        .into_tuple::<(String, String)>()
        .all(db)
        .await?)
}
