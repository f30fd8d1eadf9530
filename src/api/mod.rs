//! gRPC transport: one file per service. A handler takes the caller's grant (`caller`),
//! turns the request into a validated query (`TryFrom`, collecting every invalid field),
//! makes one service call (`crate::service`) and converts the answer to proto; errors map
//! to statuses in one place (`crate::status`).

pub mod budget;
mod caller;
pub mod change;
pub mod convert;
pub mod import;
pub mod import_file;
pub mod import_records;
mod import_stream;
pub mod indicator;
mod indicator_convert;
pub mod investment;
pub mod organization;
pub mod request;
pub mod sheets;
pub mod staffing;
mod staffing_convert;

pub use crate::status::ApiError;
