//! Opening the database: SQLite in WAL mode with a pool of readers, or PostgreSQL/MySQL.

use super::error::StoreError;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// Which database a URL speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            Some(Self::MySql)
        } else {
            None
        }
    }
}

/// The database handle shared by the services and the importer.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    backend: Backend,
    /// One writer at a time: SQLite allows a single writer anyway, and serialising imports
    /// keeps supersession times strictly increasing.
    write_lock: Arc<Mutex<()>>,
}

impl Store {
    /// Connects; for SQLite creates the file when missing. Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let backend = Backend::of_url(url).ok_or_else(|| {
            StoreError::Database(sea_orm::DbErr::Custom(format!(
                "unsupported database URL {url:?}: use sqlite:, postgres:// or mysql://"
            )))
        })?;
        let url = match backend {
            Backend::MySql => url.replacen("mariadb://", "mysql://", 1),
            _ => url.to_owned(),
        };
        let mut options = ConnectOptions::new(url.clone());
        options
            .sqlx_logging(false)
            // Traces show each query's SQL (placeholders, never the values).
            .record_stmt_in_spans(true)
            .acquire_timeout(Duration::from_secs(30));
        crate::ops::pool_wait::time_acquires(&mut options);
        if backend == Backend::Sqlite {
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            // An in-memory database lives in one connection; a file gets a pool of readers
            // so that concurrent reads do not queue behind one connection.
            options.max_connections(if in_memory { 1 } else { 8 });
            options.min_connections(1);
            options.map_sqlx_sqlite_opts(|opts| {
                opts.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
            });
        } else {
            options.max_connections(16).min_connections(1);
        }
        let db = Database::connect(options).await?;
        Ok(Self {
            db,
            backend,
            write_lock: Arc::new(Mutex::new(())),
        })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Held for the whole of a write transaction.
    pub async fn lock_writes(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.write_lock.lock().await
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        Ok(())
    }
}
