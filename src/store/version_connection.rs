//! The connection the org version is read on: one connection taken out of the reader pool
//! and kept. The version gate lets one read run at a time, so one connection serves them
//! all, and a read on it is one plain statement: on PostgreSQL and MySQL one round trip,
//! where a read through the pool is two (sqlx pings every connection it takes back), and
//! on SQLite one hop to its worker thread without sea-orm's and the pool's bookkeeping
//! (every call reads the version, so for a call as cheap as GetOrgUnit that read is a large
//! part of its work).
//! A SQLite pool of one connection is read through instead, so the database keeps the one
//! connection it was given: a database in memory always has one, and sqlx opens it in
//! shared-cache mode, where a second connection meets table locks that the busy timeout
//! does not wait out.

use super::error::{StoreError, from_driver};
use super::write_lock::{ORG_VERSION_READ, org_version};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::Mutex;
use tracing::Instrument;

enum Kept {
    Sqlite(sqlx::SqliteConnection),
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
        if is_sqlite_of_one_connection(db) {
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
            Some(Kept::Sqlite(connection)) => drop(connection.close().await),
            Some(Kept::Postgres(connection)) => drop(connection.close().await),
            Some(Kept::MySql(connection)) => drop(connection.close().await),
            None => {}
        }
    }
}

/// A connection taken out of `pool` for good (each driver's pool is its own type).
macro_rules! detached {
    ($pool:expr) => {
        $pool.acquire().await.map_err(from_driver)?.detach()
    };
}

/// The version read on `connection` (each driver's connection is its own type).
macro_rules! version_on {
    ($connection:expr) => {
        sqlx::query_scalar(ORG_VERSION_READ)
            .fetch_one($connection)
            .await
    };
}

impl Kept {
    async fn take(db: &DatabaseConnection) -> Result<Self, StoreError> {
        Ok(match db.get_database_backend() {
            DbBackend::Sqlite => Self::Sqlite(detached!(db.get_sqlite_connection_pool())),
            DbBackend::Postgres => Self::Postgres(detached!(db.get_postgres_connection_pool())),
            _ => Self::MySql(detached!(db.get_mysql_connection_pool())),
        })
    }

    async fn version(&mut self) -> Result<i64, StoreError> {
        let span = statement_span(self.backend());
        let read = async {
            match self {
                Self::Sqlite(connection) => version_on!(connection),
                Self::Postgres(connection) => version_on!(connection),
                Self::MySql(connection) => version_on!(connection),
            }
        };
        let result = read.instrument(span.clone()).await;
        match &result {
            Ok(_) => span.record("otel.status_code", "OK"),
            Err(error) => span
                .record("otel.status_code", "ERROR")
                .record("exception.message", tracing::field::display(error)),
        };
        result.map_err(from_driver)
    }

    fn backend(&self) -> DbBackend {
        match self {
            Self::Sqlite(_) => DbBackend::Sqlite,
            Self::Postgres(_) => DbBackend::Postgres,
            Self::MySql(_) => DbBackend::MySql,
        }
    }
}

/// The span of a version read on the kept connection, with the fields sea-orm gives its
/// own statements' spans (feature `tracing-spans`): sqlx alone makes none, and a call's
/// trace should show every statement it ran. Under sea-orm's target, so that logs and
/// traces filter it as they filter sea-orm's.
fn statement_span(backend: DbBackend) -> tracing::Span {
    tracing::info_span!(
        target: "sea_orm::org_version",
        "sea_orm.query_one",
        otel.kind = "client",
        db.system = match backend {
            DbBackend::Postgres => "postgresql",
            DbBackend::Sqlite => "sqlite",
            _ => "mysql",
        },
        db.operation = "SELECT",
        db.statement = ORG_VERSION_READ,
        otel.status_code = tracing::field::Empty,
        exception.message = tracing::field::Empty,
    )
}

/// Whether `db` is a SQLite pool of one connection (a database in memory always is).
fn is_sqlite_of_one_connection(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
        && db
            .get_sqlite_connection_pool()
            .options()
            .get_max_connections()
            <= 1
}
