//! Storage: sea-orm entities and the queries, one file per data area. Returns domain types;
//! callers never see rows or SQL.

pub mod budget;
pub mod connect;
pub mod entities;
pub mod error;
pub mod history;
pub mod imports;
pub mod keyset;
pub mod org;

pub use connect::{Backend, Store};
pub use error::StoreError;
