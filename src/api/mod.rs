//! gRPC transport: one file per service. Handlers validate the request at the boundary,
//! call the domain and storage, and map errors in one place (`error`).

pub mod budget;
pub mod change;
pub mod convert;
pub mod error;
pub mod import;
pub mod import_file;
pub mod import_records;
pub mod indicator;
mod indicator_convert;
pub mod investment;
mod listing;
pub mod organization;
pub mod paging;
pub mod request;
pub mod scope;
pub mod sheets;
pub mod staffing;
mod staffing_convert;

pub use error::ApiError;
