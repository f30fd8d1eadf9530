//! The counts the harness checks, queried directly.

pub use crate::fresh_db::Fresh;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

pub async fn count(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row for {sql}"))?;
    Ok(row.try_get_by_index(0)?)
}

/// What one import wrote: budget lines, org units and change-log entries of the facts whose
/// source document is `document`, and import-log rows whose document ends with `log_name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub lines: i64,
    pub units: i64,
    pub changes: i64,
    pub logged: i64,
}

impl Written {
    pub fn nothing(&self) -> bool {
        *self
            == Self {
                lines: 0,
                units: 0,
                changes: 0,
                logged: 0,
            }
    }
}

pub async fn written(
    db: &DatabaseConnection,
    document: &str,
    log_name: &str,
) -> anyhow::Result<Written> {
    Ok(Written {
        lines: count(
            db,
            &format!("SELECT COUNT(*) FROM budget_lines WHERE source_document = '{document}'"),
        )
        .await?,
        units: count(
            db,
            &format!("SELECT COUNT(*) FROM org_units WHERE source_document = '{document}'"),
        )
        .await?,
        changes: count(
            db,
            &format!("SELECT COUNT(*) FROM changes WHERE source_document = '{document}'"),
        )
        .await?,
        logged: count(
            db,
            &format!("SELECT COUNT(*) FROM imports WHERE source_document LIKE '%{log_name}'"),
        )
        .await?,
    })
}
