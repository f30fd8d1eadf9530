//! Storage: sea-orm entities and the queries, one file per data area. Returns domain types;
//! callers never see rows or SQL.

pub mod aggregate;
pub mod availability;
pub mod budget;
pub mod bulk;
pub mod changes;
pub mod connect;
pub mod entities;
pub mod error;
pub mod facts;
mod heap;
pub mod history;
pub mod imports;
pub mod indicator;
pub mod indicator_rows;
pub mod investment;
pub mod investment_rows;
pub mod keyset;
pub mod listing;
pub mod org;
pub mod org_cache;
pub mod positional;
pub mod references;
pub mod sources;
pub mod staffing;
pub mod staffing_rows;
pub mod staffing_summary;
pub mod version_connection;
pub mod version_gate;
pub mod write_lock;

pub use connect::{Backend, PoolSize, Store};
pub use error::StoreError;
pub use heap::share_one_arena;
