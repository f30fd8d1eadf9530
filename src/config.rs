//! Command line and environment: every flag can also be set through its variable.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The default database: a SQLite file in the working directory, created when missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://uppsikt.db?mode=rwc";

#[derive(Debug, Parser)]
#[command(
    name = "uppsikt",
    version,
    about = "A region's follow-up data over gRPC"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://FILE?mode=rwc, postgres://…, mysql://…
    #[arg(long, env = "UPPSIKT_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the gRPC API (creates the schema when missing).
    Serve {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Address to listen on.
        #[arg(long, env = "UPPSIKT_LISTEN", default_value = "127.0.0.1:50051")]
        listen: SocketAddr,
        /// Load the demo data set when the database holds no data yet.
        #[arg(long, env = "UPPSIKT_DEMO")]
        demo: bool,
        /// Address for /metrics, /livez and /readyz (HTTP); off when not given.
        #[arg(long, env = "UPPSIKT_ADMIN_LISTEN")]
        admin_listen: Option<SocketAddr>,
        /// Milliseconds between the readiness checks of the database.
        #[arg(long, env = "UPPSIKT_READINESS_INTERVAL_MS", default_value_t = 5000,
              value_parser = clap::value_parser!(u64).range(10..))]
        readiness_interval_ms: u64,
    },
    /// Create or update the schema, then exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Load the demo data set (idempotent: a second load changes nothing).
    LoadDemo {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Import record files (docs/data-format.md) as one all-or-nothing import.
    Import {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Validate and count, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Apply at most once: a repeat with the same id returns the first result.
        #[arg(long)]
        request_id: Option<String>,
        /// Files to import, in order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write the data (as it stands now, or at --as-of) in the record format.
    Export {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The instant to export as of, RFC 3339 (e.g. 2025-05-23T12:00:00Z); default now.
        #[arg(long)]
        as_of: Option<String>,
        /// File to write; default standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}
