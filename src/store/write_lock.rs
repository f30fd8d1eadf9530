//! The lock every import takes first, held by the database for the whole transaction, so
//! that several instances on one database write one at a time; it also hands out the
//! transaction times, strictly increasing in commit order, from one source.

use super::backend::Backend;
use super::error::StoreError;
use crate::domain::instant::Instant;
use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement, Value};

/// What the lock hands the import that holds it.
#[derive(Debug, Clone, Copy)]
pub struct WriteTicket {
    /// The import's number in commit order.
    pub sequence: i64,
    /// The import's transaction time: the database's clock, but strictly after every
    /// earlier import's, so that `as_of` reads stay consistent if a clock steps back.
    pub recorded_at: Instant,
}

/// "Now" in microseconds as the database sees it. PostgreSQL and MySQL answer from the
/// database server's clock, the one clock every instance shares; SQLite lives on one machine,
/// so the process clock is that machine's clock.
fn now_expr(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
        Backend::MySql => "CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED)",
        Backend::Sqlite => "?",
    }
}

/// Takes the lock (waiting while another import holds it) and the next ticket. Must be
/// the first statement of the transaction: on SQLite it makes the transaction the writer
/// before it reads anything, on PostgreSQL/MySQL it locks the one row until commit.
pub async fn acquire(txn: &DatabaseTransaction) -> Result<WriteTicket, StoreError> {
    let db_backend = txn.get_database_backend();
    let backend = Backend::from(db_backend);
    let greatest = match backend {
        Backend::Sqlite => "MAX",
        Backend::Postgres | Backend::MySql => "GREATEST",
    };
    let sql = format!(
        "UPDATE write_lock SET sequence = sequence + 1, \
         last_recorded_at = {greatest}(last_recorded_at + 1, {now}) WHERE id = 1",
        now = now_expr(backend).replace('?', &placeholder(backend, 1)),
    );
    let values: Vec<Value> = match backend {
        Backend::Sqlite => vec![Instant::now().micros().into()],
        _ => Vec::new(),
    };
    let updated = txn
        .execute_raw(Statement::from_sql_and_values(db_backend, sql, values))
        .await?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Corrupt(
            "the write_lock row is missing: run the migrations".into(),
        ));
    }
    let row = txn
        .query_one_raw(Statement::from_string(
            db_backend,
            "SELECT sequence, last_recorded_at FROM write_lock WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt("the write_lock row is missing".into()))?;
    Ok(WriteTicket {
        sequence: row.try_get_by_index(0)?,
        recorded_at: Instant(row.try_get_by_index(1)?),
    })
}

/// Records that the import holding `ticket` changed the organisation tree, so that every
/// instance's tree cache reloads.
pub async fn mark_org_changed(
    txn: &DatabaseTransaction,
    ticket: WriteTicket,
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    let sql = format!(
        "UPDATE write_lock SET org_version = {} WHERE id = 1",
        placeholder(Backend::from(backend), 1)
    );
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [ticket.sequence.into()],
    ))
    .await?;
    Ok(())
}

/// The statement that reads the version of the organisation tree (one text for both
/// constants below).
macro_rules! org_version_select {
    () => {
        "SELECT org_version FROM write_lock WHERE id = 1"
    };
}

/// The version of the organisation tree, read on its own.
pub const ORG_VERSION_READ: &str = org_version_select!();

/// The version of the organisation tree, as a scalar subquery: a query that selects it
/// beside its rows reads both in one snapshot.
pub const ORG_VERSION_SQL: &str = concat!("(", org_version_select!(), ")");

/// The version of the organisation tree: a point read on the lock row (which readers never
/// wait for: the row lock only blocks writers).
pub async fn org_version(db: &impl ConnectionTrait) -> Result<i64, StoreError> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            ORG_VERSION_READ,
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt("the write_lock row is missing".into()))?;
    Ok(row.try_get_by_index(0)?)
}

fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Postgres => format!("${n}"),
        Backend::Sqlite | Backend::MySql => "?".to_owned(),
    }
}
