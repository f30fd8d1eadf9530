//! Uppsikt: a region's follow-up data (budget lines, investments, staffing) over gRPC.
//!
//! Layers: `api` (gRPC handlers: validate, call, map errors) → `domain` (validated types,
//! derived figures) and `import` (the one write path) → `store` (sea-orm entities, queries).

pub mod api;
pub mod auth;
pub mod changes;
pub mod config;
pub mod demo;
pub mod domain;
pub mod export;
pub mod fingerprint;
pub mod guard;
pub mod http;
pub mod import;
pub mod limits;
pub mod ops;
pub mod print;
pub mod proto;
pub mod serve_options;
pub mod server;
pub mod service;
pub mod status;
pub mod store;
pub mod telemetry;
pub mod tls;
