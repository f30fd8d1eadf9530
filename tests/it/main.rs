//! The integration tests, one binary: each module drives the real server (or the real CLI)
//! through clients, on SQLite and, given their URLs, on PostgreSQL and MariaDB.
//! One binary links the crate once instead of once per file.

mod common;
mod support {
    pub mod access;
    pub mod cases;
    pub mod rpc;
    pub mod wire;
}

mod access;
mod architecture;
mod auth;
mod budget;
mod changes;
mod cli;
mod connect;
mod errors;
mod explorer;
mod export;
mod http;
mod import;
mod indicators;
mod instances;
mod investments;
mod limits;
mod ops;
mod ops_traces;
mod organization;
mod report;
mod scope;
mod sheet_import;
mod sheets;
mod sie;
mod staffing;
mod staffing_summary;
mod storage;
mod summary_sources;
mod tls;
