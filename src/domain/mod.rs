//! Validated domain types and the derived figures. Nothing here knows about gRPC or SQL.

pub mod access;
pub mod budget;
pub mod category;
pub mod change;
pub mod codes;
pub mod decimal;
pub mod indicator;
pub mod indicator_status;
pub mod instant;
pub mod investment;
pub mod investment_summary;
pub mod labels;
pub mod money;
pub mod org;
pub mod period;
pub mod provenance;
pub mod scenario;
pub mod staffing;
pub mod staffing_figures;
pub mod staffing_summary;
pub mod summary;
pub mod validation;
