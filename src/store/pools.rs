//! The pools as sqlx sees them at this moment: what the metrics report.

use super::backend::Backend;
use super::connect::Store;
use sea_orm::DatabaseConnection;

/// One pool's (open, idle, max) connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSizes {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
    /// The address of the pool's shared options: tells whether the reader is a pool of its
    /// own.
    identity: usize,
}

macro_rules! sizes_of {
    ($pool:expr) => {{
        let pool = $pool;
        let size = pool.size();
        PoolSizes {
            size,
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX).min(size),
            max: pool.options().get_max_connections(),
            identity: std::sync::Arc::as_ptr(&pool.connect_options()) as usize,
        }
    }};
}

impl Store {
    /// The primary pool, and the reader's when reads go to a pool of their own.
    pub fn pool_sizes(&self) -> Vec<(&'static str, PoolSizes)> {
        let primary = sizes(self.backend(), self.db());
        let reader = sizes(self.backend(), self.reader());
        let mut pools = vec![("primary", primary)];
        if reader.identity != primary.identity {
            pools.push(("reader", reader));
        }
        pools
    }
}

fn sizes(backend: Backend, db: &DatabaseConnection) -> PoolSizes {
    match backend {
        Backend::Sqlite => sizes_of!(db.get_sqlite_connection_pool()),
        Backend::Postgres => sizes_of!(db.get_postgres_connection_pool()),
        Backend::MySql => sizes_of!(db.get_mysql_connection_pool()),
    }
}
