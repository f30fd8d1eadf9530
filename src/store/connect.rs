//! Opening the database: SQLite in WAL mode with a pool of readers, or PostgreSQL/MySQL.

use super::availability::Availability;
use super::backend::Backend;
use super::error::StoreError;
use super::org_cache::OrgCache;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::SqliteConnection;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// How many connections a pool may hold: as configured, or sized to this machine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolSize(Option<NonZeroU32>);

impl PoolSize {
    pub fn of(connections: NonZeroU32) -> Self {
        Self(Some(connections))
    }

    /// The most connections a pool for `backend` opens. An in-memory SQLite database lives
    /// in one connection, whatever is configured. By default a SQLite file has 8 (readers
    /// beside WAL's one writer), and PostgreSQL or MySQL two per core of this machine, 4 to
    /// 16: a connection in use keeps a core busy, here decoding or on the database. Past
    /// that, more connections only move waiting queries from the pool's fair queue into the
    /// run queue of the cores, where the scheduler serves them unevenly: on two cores a pool
    /// of 16 served fewer pages per second than one of 4, and its slowest calls far later.
    pub fn connections(self, backend: Backend, in_memory: bool) -> u32 {
        match (backend, self.0) {
            (Backend::Sqlite, _) if in_memory => 1,
            (_, Some(given)) => given.get(),
            (Backend::Sqlite, None) => 8,
            (Backend::Postgres | Backend::MySql, None) => {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                (2 * cores as u32).clamp(4, 16)
            }
        }
    }
}

/// The database handle shared by the services and the importer. Writes are serialised by
/// the database itself (`write_lock`), so several instances may share one database.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Where the API reads: a replica when one is configured, else the same pool as `db`.
    reader: DatabaseConnection,
    backend: Backend,
    /// Applies to the read database's pool too.
    pool_size: PoolSize,
    org_cache: Arc<OrgCache>,
    availability: Arc<Availability>,
}

impl Store {
    /// Connects with pools sized to this machine; for SQLite creates the file when
    /// missing. Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, PoolSize::default()).await
    }

    /// Connects with pools of `pool_size`.
    pub async fn connect_with(url: &str, pool_size: PoolSize) -> Result<Self, StoreError> {
        let db = pool(url, pool_size).await?;
        Ok(Self {
            reader: db.clone(),
            backend: backend_of(url)?,
            pool_size,
            db,
            org_cache: Arc::default(),
            availability: Arc::default(),
        })
    }

    /// Reads go to `read_url` (e.g. a streaming replica of the same database), writes to
    /// the primary `url`.
    pub async fn with_reader(mut self, read_url: &str) -> Result<Self, StoreError> {
        if backend_of(read_url)? != self.backend {
            return Err(unsupported(format!(
                "the read database URL {read_url:?} is not the same kind of database as the primary"
            )));
        }
        self.reader = pool(read_url, self.pool_size).await?;
        Ok(self)
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, PoolSize::default()).await
    }

    /// Connects with pools of `pool_size` and brings the schema up to date.
    pub async fn open_with(url: &str, pool_size: PoolSize) -> Result<Self, StoreError> {
        let store = Self::connect_with(url, pool_size).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// The primary: writes, and reads that must see them (the importer, export).
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Where the API's reads go.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    pub(super) fn org_cache(&self) -> &OrgCache {
        &self.org_cache
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database is known to be away (reported by whoever checks it).
    pub fn availability(&self) -> &Availability {
        &self.availability
    }

    /// Opens one connection to the primary outside the pool and closes it: how the
    /// database answers a newcomer now, where the pool would quietly retry a refused
    /// connection until its acquire timeout.
    pub async fn connect_once(&self) -> Result<(), StoreError> {
        use super::error::from_driver;
        use sea_orm::sqlx::{ConnectOptions as _, Connection as _};
        macro_rules! once {
            ($pool:expr) => {{
                let connection = $pool
                    .connect_options()
                    .connect()
                    .await
                    .map_err(from_driver)?;
                connection.close().await.map_err(from_driver)
            }};
        }
        match self.backend {
            Backend::Sqlite => once!(self.db.get_sqlite_connection_pool()),
            Backend::Postgres => once!(self.db.get_postgres_connection_pool()),
            Backend::MySql => once!(self.db.get_mysql_connection_pool()),
        }
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.org_cache.close().await;
        self.reader.close().await?;
        self.db.close().await?;
        Ok(())
    }
}

fn unsupported(message: String) -> StoreError {
    StoreError::Database(sea_orm::DbErr::Custom(message))
}

fn backend_of(url: &str) -> Result<Backend, StoreError> {
    Backend::of_url(url).ok_or_else(|| {
        unsupported(format!(
            "unsupported database URL {url:?}: use sqlite:, postgres:// or mysql://"
        ))
    })
}

/// Rows a SQLite connection's thread may hand over before the reading task takes them: room
/// for the largest list page (1 000 rows, and one more that tells whether another follows).
const SQLITE_ROW_BUFFER: usize = 1024;

/// How long a pooled connection may sit idle before it is pinged on checkout.
const PING_AFTER_IDLE: Duration = Duration::from_millis(500);

/// A pool of `size` for `url`; SQLite in WAL mode.
async fn pool(url: &str, size: PoolSize) -> Result<DatabaseConnection, StoreError> {
    let backend = backend_of(url)?;
    let url = match backend {
        Backend::MySql => url.replacen("mariadb://", "mysql://", 1),
        _ => url.to_owned(),
    };
    let mut options = ConnectOptions::new(url.clone());
    options
        .sqlx_logging(false)
        // Traces show each query's SQL (placeholders, never the values).
        .record_stmt_in_spans(true)
        .acquire_timeout(Duration::from_secs(30))
        // Pinging a connection on every checkout costs each query an extra round trip;
        // one used within the window is known alive (HikariCP skips the check within
        // 500 ms alike), and one that broke since fails its query, which is then closed.
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE);
    options
        .map_sqlx_postgres_pool_opts(report_acquires)
        .map_sqlx_mysql_pool_opts(report_acquires)
        .map_sqlx_sqlite_pool_opts(|pool| {
            report_acquires(pool).after_connect(|conn, _| Box::pin(stable_plans(conn)))
        });
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    options
        .max_connections(size.connections(backend, in_memory))
        .min_connections(1);
    if backend == Backend::Sqlite {
        super::heap::share_one_arena();
        options.map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                // A connection's thread hands its rows over through a channel. At sqlx's 50
                // it may stop twice on a page of 101 rows until the call's task has drained
                // them, and each stop is a wake-up of either side: with room for a page of
                // the largest size it never waits.
                .row_buffer_size(SQLITE_ROW_BUFFER)
        });
    }
    if backend == Backend::Postgres {
        // A summary's straddling-unit key makes PostgreSQL expect ~100 000 groups for a
        // region (there are some 700): under the default 4 MB it sorts the region's lines
        // on disk instead of hashing them in memory, which is far slower.
        options.map_sqlx_postgres_opts(|opts| opts.options([("work_mem", "32MB")]));
    }
    Ok(Database::connect(options).await?)
}

/// Turns on SQLite's query planner stability guarantee for `conn`: one plan per statement,
/// whatever is bound. Without it, a statement whose planning looked at a bound value is
/// compiled again each time that value is bound, and since SQLite 3.4x `LIMIT ?` is such a
/// value: every list page and every `.one()` was re-prepared, on every call.
async fn stable_plans(conn: &mut SqliteConnection) -> Result<(), sea_orm::sqlx::Error> {
    use libsqlite3_sys::{SQLITE_DBCONFIG_ENABLE_QPSG, SQLITE_OK, sqlite3_db_config};
    use std::ffi::c_int;
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is this connection's open handle, held locked for the call; this option
    // takes an int (on) and an optional out-pointer for the new setting (none).
    let rc = unsafe {
        sqlite3_db_config(
            db,
            SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as c_int,
            std::ptr::null_mut::<c_int>(),
        )
    };
    if rc == SQLITE_OK {
        Ok(())
    } else {
        Err(sea_orm::sqlx::Error::Protocol(format!(
            "SQLite refused the query planner stability guarantee (code {rc})"
        )))
    }
}

/// Makes the pool report every acquire's wait as a TRACE event (target
/// `sqlx::pool::acquire`); `ops::pool_wait` turns those into a histogram.
fn report_acquires<DB: sea_orm::sqlx::Database>(
    pool: sea_orm::sqlx::pool::PoolOptions<DB>,
) -> sea_orm::sqlx::pool::PoolOptions<DB> {
    pool.acquire_time_level(log::LevelFilter::Trace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use libsqlite3_sys::{SQLITE_DBCONFIG_ENABLE_QPSG, SQLITE_OK, sqlite3_db_config};
    use std::ffi::c_int;

    #[tokio::test]
    async fn every_sqlite_connection_keeps_one_plan_per_statement() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("plans.db").display()
        );
        let db = pool(&url, PoolSize::default()).await.unwrap();
        // Several held at once, so that the pool opens more than its first.
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(db.get_sqlite_connection_pool().acquire().await.unwrap());
        }
        for conn in &mut held {
            let mut handle = conn.lock_handle().await.unwrap();
            let mut on: c_int = -1;
            // SAFETY: an open handle, locked; -1 asks for the setting without changing it.
            let rc = unsafe {
                sqlite3_db_config(
                    handle.as_raw_handle().as_ptr(),
                    SQLITE_DBCONFIG_ENABLE_QPSG,
                    -1 as c_int,
                    &mut on as *mut c_int,
                )
            };
            assert_eq!(rc, SQLITE_OK);
            assert_eq!(on, 1, "a pooled connection without QPSG");
        }
    }
}
