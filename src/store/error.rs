//! Storage errors. Database messages stay in logs; callers map these to codes a client can
//! act on: overload and lost connections are worth a retry, everything else is INTERNAL.

use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(DbErr),
    /// The database is overloaded or unreachable: no pooled connection in time, too many
    /// connections, busy or locked, a lock wait that timed out, a connection that broke.
    #[error("database unavailable: {0}")]
    Unavailable(DbErr),
    /// The database cancelled a statement that ran past its time limit.
    #[error("database statement timed out: {0}")]
    TimedOut(DbErr),
    /// A stored value that the code cannot read back, e.g. an unknown scenario string.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl From<DbErr> for StoreError {
    fn from(error: DbErr) -> Self {
        match classify(&error) {
            Class::Unavailable => Self::Unavailable(error),
            Class::TimedOut => Self::TimedOut(error),
            Class::Other => Self::Database(error),
        }
    }
}

/// A driver error as sea-orm reports it, so that it is classified as every other is.
pub(super) fn from_driver(error: sea_orm::sqlx::Error) -> StoreError {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(error))).into()
}

impl StoreError {
    /// Why the database could not serve, in words fit for a client: the kind of failure
    /// and the backend's code, never the database's message.
    pub fn cause(&self) -> String {
        let (Self::Unavailable(error) | Self::TimedOut(error) | Self::Database(error)) = self
        else {
            return "stored data could not be read back".to_owned();
        };
        if let DbErr::ConnectionAcquire(acquire) = error {
            return match acquire {
                ConnAcquireErr::Timeout => {
                    "no database connection became free within the pool's wait".to_owned()
                }
                ConnAcquireErr::ConnectionClosed => "the database closed the connection".to_owned(),
            };
        }
        let (DbErr::Conn(RuntimeErr::SqlxError(sqlx))
        | DbErr::Exec(RuntimeErr::SqlxError(sqlx))
        | DbErr::Query(RuntimeErr::SqlxError(sqlx))) = error
        else {
            return "the database failed".to_owned();
        };
        use sea_orm::sqlx::Error as Sqlx;
        match sqlx.as_ref() {
            Sqlx::PoolTimedOut => {
                "no database connection became free within the pool's wait".to_owned()
            }
            Sqlx::PoolClosed => "the server is closing its database connections".to_owned(),
            Sqlx::Io(io) => format!("the connection to the database failed ({})", io.kind()),
            Sqlx::Tls(_) => "the TLS connection to the database failed".to_owned(),
            Sqlx::Database(db) => {
                let code = db.code().unwrap_or_default();
                let what = match code.as_ref() {
                    "53300" | "1040" => "the database has too many connections",
                    "57P03" => "the database is starting up or shutting down",
                    "57P01" | "57P02" => "the database was shut down",
                    "55P03" | "1205" => "a lock wait on the database timed out",
                    "57014" | "3024" => "the statement ran past the database's time limit",
                    _ if matches!(self, Self::Unavailable(_)) => "the database is busy",
                    _ => "the database refused a statement",
                };
                format!("{what} (code {code})")
            }
            _ => "the database failed".to_owned(),
        }
    }
}

enum Class {
    Unavailable,
    TimedOut,
    Other,
}

/// Sorts a database error by what a client can do about it, from the driver's error kind
/// and the backends' documented codes.
fn classify(error: &DbErr) -> Class {
    let runtime = match error {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed) => {
            return Class::Unavailable;
        }
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return Class::Other,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return Class::Other;
    };
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::sqlx::sqlite::SqliteError;
    match sqlx.as_ref() {
        Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::Io(_) | Sqlx::Tls(_) => Class::Unavailable,
        Sqlx::Database(db) if db.try_downcast_ref::<SqliteError>().is_some() => {
            // SQLITE_BUSY and SQLITE_LOCKED, also as extended codes (low byte 5 or 6).
            match db
                .code()
                .and_then(|c| c.parse::<i32>().ok())
                .map(|c| c & 0xff)
            {
                Some(5 | 6) => Class::Unavailable,
                _ => Class::Other,
            }
        }
        Sqlx::Database(db) => match db.code().as_deref() {
            // PostgreSQL: too many connections, cannot connect now, admin shutdown,
            // lock not available; MySQL: too many connections, lock wait timeout.
            Some("53300" | "57P03" | "57P01" | "55P03" | "1040" | "1205") => Class::Unavailable,
            // PostgreSQL query_canceled (statement_timeout); MySQL max_execution_time.
            Some("57014" | "3024") => Class::TimedOut,
            _ => Class::Other,
        },
        _ => Class::Other,
    }
}
