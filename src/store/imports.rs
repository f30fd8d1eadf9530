//! The import log: one row per committed import.

use super::entities::import;
use super::error::StoreError;
use crate::domain::instant::Instant;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// A logged import as stored.
pub type StoredImport = import::Model;

pub async fn find_by_request_id(
    db: &impl ConnectionTrait,
    request_id: &str,
) -> Result<Option<StoredImport>, StoreError> {
    Ok(import::Entity::find()
        .filter(import::Column::RequestId.eq(request_id))
        .one(db)
        .await?)
}

/// Logs an import; its result is filled in by `set_result` once known.
pub async fn insert(
    db: &impl ConnectionTrait,
    request_id: Option<String>,
    document: String,
    table: Option<String>,
    system: Option<String>,
    recorded_at: Instant,
) -> Result<i64, StoreError> {
    let row = import::ActiveModel {
        request_id: Set(request_id),
        source_document: Set(document),
        source_table: Set(table),
        source_system: Set(system),
        recorded_at: Set(recorded_at.micros()),
        result: Set(String::new()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Names who imported: the credential and its org-unit scope (`None`: unscoped).
pub async fn set_importer(
    db: &impl ConnectionTrait,
    id: i64,
    imported_by: &str,
    scope: Option<String>,
) -> Result<(), StoreError> {
    import::Entity::update_many()
        .col_expr(import::Column::ImportedBy, Expr::value(imported_by))
        .col_expr(import::Column::ImporterScope, Expr::value(scope))
        .filter(import::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_result(
    db: &impl ConnectionTrait,
    id: i64,
    result: String,
) -> Result<(), StoreError> {
    import::Entity::update_many()
        .col_expr(import::Column::Result, Expr::value(result))
        .filter(import::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Imports newest first, after `before_id` when paging.
pub async fn list(
    db: &impl ConnectionTrait,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<StoredImport>, StoreError> {
    let mut query = import::Entity::find().order_by_desc(import::Column::Id);
    if let Some(id) = before_id {
        query = query.filter(import::Column::Id.lt(id));
    }
    Ok(query.limit(limit).all(db).await?)
}
