//! Services: a validated query in, domain values out. Between the transports (gRPC handlers,
//! the HTTP forms) and storage: each read resolves what the caller may reach
//! (`read`, from `domain::access`) and hands it to the store, whose reads of unit-owned
//! facts require it.

pub mod budget;
pub mod changes;
mod error;
pub mod imports;
pub mod indicator;
pub mod investment;
pub mod listing;
pub mod organization;
pub mod paging;
pub mod read;
pub mod staffing;

pub use error::ServiceError;
