//! The readiness check's look at the database: does each pool answer a read of the schema,
//! and is a SQLite file still where it was opened.

use super::{Backend, Store, StoreError};
use sea_orm::{ConnectionTrait, Statement};
use std::path::PathBuf;

/// Which connection a probe failed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probed {
    Primary,
    Reader,
}

impl Store {
    /// Reads the migrations table on the primary, then on the reader: a bare `SELECT 1`
    /// would still succeed on a connection whose database was dropped (MySQL) or whose schema
    /// is missing.
    pub async fn probe_schema(&self) -> Result<(), (Probed, StoreError)> {
        let statement = Statement::from_string(
            self.db().get_database_backend(),
            "SELECT 1 FROM seaql_migrations LIMIT 1",
        );
        self.db()
            .query_one_raw(statement.clone())
            .await
            .map_err(|e| (Probed::Primary, StoreError::from(e)))?;
        // The API reads through the reader (a replica when configured, else the same pool).
        self.reader()
            .query_one_raw(statement)
            .await
            .map_err(|e| (Probed::Reader, StoreError::from(e)))?;
        Ok(())
    }

    /// The SQLite file the pool opened; `None` in memory or on a server database.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        if self.backend() != Backend::Sqlite {
            return None;
        }
        let options = self.db().get_sqlite_connection_pool().connect_options();
        let path = options.get_filename();
        let in_memory = path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:");
        (!in_memory).then(|| path.to_path_buf())
    }
}
