//! Storage errors. Database messages stay in logs; callers map these to an opaque INTERNAL.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// A stored value that the code cannot read back, e.g. an unknown scenario string.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}
