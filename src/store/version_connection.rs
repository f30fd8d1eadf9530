//! The connection the org version is read on. On PostgreSQL and MySQL it is one connection
//! taken out of the reader pool and kept: the version gate lets one read run at a time, so
//! one connection serves them all, and a read on it is one round trip, where a read through
//! the pool is two (sqlx pings every connection it takes back) and the pool's bookkeeping.
//! SQLite reads through the pool: there is no round trip to save.

use super::error::StoreError;
use super::write_lock::{ORG_VERSION_READ, org_version};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{DatabaseConnection, DbBackend, DbErr, RuntimeErr};
use std::sync::Arc;
use tokio::sync::Mutex;

enum Kept {
    Postgres(sqlx::PgConnection),
    MySql(sqlx::MySqlConnection),
}

#[derive(Default)]
pub struct VersionConnection {
    kept: Mutex<Option<Kept>>,
}

impl VersionConnection {
    /// The org version now, read on the kept connection (one is taken from `db`'s pool when
    /// none is kept). A kept connection that fails, e.g. one the database closed while it
    /// sat idle, is dropped and the read is tried once more on a fresh one.
    pub async fn read(&self, db: &DatabaseConnection) -> Result<i64, StoreError> {
        if db.get_database_backend() == DbBackend::Sqlite {
            return org_version(db).await;
        }
        let mut kept = self.kept.lock().await;
        // Out of the slot while it reads: a read cancelled halfway drops the connection
        // instead of keeping one whose reply is still on its way.
        if let Some(mut connection) = kept.take()
            && let Ok(version) = connection.version().await
        {
            *kept = Some(connection);
            return Ok(version);
        }
        let mut connection = Kept::take(db).await?;
        let version = connection.version().await?;
        *kept = Some(connection);
        Ok(version)
    }

    /// Closes the kept connection, if any.
    pub async fn close(&self) {
        match self.kept.lock().await.take() {
            Some(Kept::Postgres(connection)) => drop(connection.close().await),
            Some(Kept::MySql(connection)) => drop(connection.close().await),
            None => {}
        }
    }
}

impl Kept {
    async fn take(db: &DatabaseConnection) -> Result<Self, StoreError> {
        Ok(match db.get_database_backend() {
            DbBackend::Postgres => Self::Postgres(
                db.get_postgres_connection_pool()
                    .acquire()
                    .await
                    .map_err(driver)?
                    .detach(),
            ),
            _ => Self::MySql(
                db.get_mysql_connection_pool()
                    .acquire()
                    .await
                    .map_err(driver)?
                    .detach(),
            ),
        })
    }

    async fn version(&mut self) -> Result<i64, StoreError> {
        match self {
            Self::Postgres(connection) => {
                sqlx::query_scalar(ORG_VERSION_READ)
                    .fetch_one(connection)
                    .await
            }
            Self::MySql(connection) => {
                sqlx::query_scalar(ORG_VERSION_READ)
                    .fetch_one(connection)
                    .await
            }
        }
        .map_err(driver)
    }
}

/// A driver error as sea-orm reports it, so that it is classified as every other is.
fn driver(error: sqlx::Error) -> StoreError {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(error))).into()
}
