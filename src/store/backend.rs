//! Which database the store speaks to: what the few statements that differ by dialect branch on.

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

impl From<sea_orm::DatabaseBackend> for Backend {
    fn from(backend: sea_orm::DatabaseBackend) -> Self {
        match backend {
            sea_orm::DatabaseBackend::Postgres => Backend::Postgres,
            sea_orm::DatabaseBackend::MySql => Backend::MySql,
            _ => Backend::Sqlite,
        }
    }
}
