//! Transaction-time reads: the rows that were current at an instant.

use crate::domain::instant::Instant;
use crate::domain::provenance::Provenance;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition};

/// Rows recorded at or before `at` and not superseded by then.
pub fn current_at<C: ColumnTrait>(recorded_at: C, superseded_at: C, at: Instant) -> Condition {
    Condition::all().add(recorded_at.lte(at.micros())).add(
        Condition::any()
            .add(superseded_at.is_null())
            .add(superseded_at.gt(at.micros())),
    )
}

/// Builds a fact's provenance from its stored columns.
pub fn provenance(
    document: String,
    table: Option<String>,
    import_id: i64,
    recorded_at: i64,
    superseded_at: Option<i64>,
) -> Provenance {
    Provenance {
        document,
        table,
        import_id,
        recorded_at: Instant(recorded_at),
        superseded_at: superseded_at.map(Instant),
    }
}

/// Marks rows as superseded at `at`; chunked to stay under bind-parameter limits.
pub async fn supersede<E: sea_orm::EntityTrait>(
    db: &impl sea_orm::ConnectionTrait,
    id_column: E::Column,
    superseded_column: E::Column,
    ids: &[i64],
    at: Instant,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::QueryFilter;
    for chunk in ids.chunks(1000) {
        E::update_many()
            .col_expr(superseded_column, Expr::value(at.micros()))
            .filter(id_column.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Rows per INSERT: keeps the bound parameters under SQLite's 32 766 (and PostgreSQL's
/// 65 535) for tables of up to 30 columns.
pub const INSERT_CHUNK: usize = 1000;

/// What every row an import writes shares: the import and its transaction time.
#[derive(Debug, Clone, Copy)]
pub struct WriteMeta {
    pub import_id: i64,
    pub recorded_at: Instant,
}
