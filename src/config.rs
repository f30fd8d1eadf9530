//! Command line and environment: every flag can also be set through its variable.

use crate::store::PoolSize;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::num::NonZeroU32;
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
    /// Connections each pool may open (the read database's pool has its own as many).
    /// Default: a SQLite file 8; PostgreSQL and MySQL two per core of this machine, 4 to 16.
    #[arg(long, env = "UPPSIKT_DATABASE_POOL_SIZE",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub database_pool_size: Option<u32>,
}

impl DatabaseArgs {
    pub fn pool_size(&self) -> PoolSize {
        self.database_pool_size
            .and_then(NonZeroU32::new)
            .map_or_else(PoolSize::default, PoolSize::of)
    }
}

#[derive(Debug, Subcommand)]
// Parsed once at start: the size of the `serve` variant costs nothing.
#[allow(clippy::large_enum_variant)]
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
        /// Send the API's reads to this database (a streaming replica of the primary);
        /// imports still write to --database-url.
        #[arg(long, env = "UPPSIKT_READ_DATABASE_URL")]
        read_database_url: Option<String>,
        /// A browser origin allowed to call the API (CORS), e.g. https://portal.example.se;
        /// repeatable; `*` allows any. Default: same-origin only.
        #[arg(
            long = "cors-origin",
            env = "UPPSIKT_CORS_ORIGINS",
            value_delimiter = ','
        )]
        cors_origins: Vec<String>,
        #[command(flatten)]
        access: AccessArgs,
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
    /// Import files as one all-or-nothing import: record files (docs/data-format.md), a
    /// SIE 4 ledger export with its mapping (docs/sie4-import.md), or a List's CSV/XLSX
    /// export (docs/spreadsheet-import.md).
    Import {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Validate and count, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Apply at most once: a repeat with the same id returns the first result.
        #[arg(long)]
        request_id: Option<String>,
        /// The files' format: records, sie4, csv or xlsx; default: from the file names
        /// (.csv, .xlsx, .se/.si/.sie, else records).
        #[arg(long, value_parser = ["records", "sie4", "csv", "xlsx"])]
        format: Option<String>,
        /// For SIE 4: the mapping from the ledger to units and categories (TOML).
        #[arg(long)]
        mapping: Option<PathBuf>,
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
    /// Print a unit's report (the /report page) to PDF with headless Chromium.
    Report {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The unit's code, e.g. HSN.
        #[arg(long)]
        unit: String,
        /// The fiscal year.
        #[arg(long)]
        year: i32,
        /// First month of the span.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=12))]
        from: u8,
        /// Last month of the span.
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u8).range(1..=12))]
        to: u8,
        /// The data as it stood at this instant (RFC 3339) or the end of this day (ISO date).
        #[arg(long)]
        as_of: Option<String>,
        /// The PDF file to write.
        #[arg(long)]
        pdf: PathBuf,
        /// A running server's base URL (e.g. http://127.0.0.1:50051); default: a server
        /// started here on --database-url for the print.
        #[arg(long)]
        url: Option<String>,
        /// A bearer token for a server that needs one.
        #[arg(long, env = "UPPSIKT_TOKEN")]
        token: Option<String>,
        /// Load the demo data set first when the database holds no data yet (without --url).
        #[arg(long)]
        demo: bool,
        /// The browser; default chromium (or chromium-browser, google-chrome) on PATH.
        #[arg(long, env = "UPPSIKT_CHROMIUM")]
        chromium: Option<PathBuf>,
    },
    /// Print the OpenAPI description of the HTTP/JSON forms (what GET /openapi.json serves).
    Openapi {
        /// 3.1, or 2.0 (Swagger) for importers that read no other version, such as Power
        /// Automate's custom connectors.
        #[arg(long, default_value = "3.1", value_parser = ["3.1", "2.0"])]
        version: String,
        /// The API's base URL, e.g. https://uppsikt.example.se; default none (3.1: `/`).
        #[arg(long)]
        server: Option<String>,
    },
}

/// Who may call, over what, and how much (docs/operations.md, "Access").
#[derive(Debug, Args, Clone)]
pub struct AccessArgs {
    /// The auth file (TOML): API tokens, JWT settings, rate limits.
    #[arg(long, env = "UPPSIKT_AUTH_FILE")]
    pub auth_file: Option<PathBuf>,
    /// Serve without authentication on a non-loopback address (never in production).
    #[arg(long, env = "UPPSIKT_INSECURE_NO_AUTH")]
    pub insecure_no_auth: bool,
    /// The server's certificate chain (PEM); with --tls-key, serves TLS only.
    #[arg(long, env = "UPPSIKT_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The server's private key (PEM).
    #[arg(long, env = "UPPSIKT_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// CA certificates (PEM) for client certificates; when given, clients must present one.
    #[arg(long, env = "UPPSIKT_TLS_CLIENT_CA", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
    /// Deadline of every call but Import (e.g. 30s, 500ms); a client's shorter one wins.
    #[arg(long, env = "UPPSIKT_CALL_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub call_timeout: std::time::Duration,
    /// Deadline of one Import stream (e.g. 1h).
    #[arg(long, env = "UPPSIKT_IMPORT_TIMEOUT", default_value = "1h", value_parser = parse_duration)]
    pub import_timeout: std::time::Duration,
    /// Calls served at once; more are refused with RESOURCE_EXHAUSTED.
    #[arg(long, env = "UPPSIKT_MAX_CONCURRENT_CALLS", default_value_t = 256)]
    pub max_concurrent_calls: usize,
    /// Records one import may hold.
    #[arg(long, env = "UPPSIKT_MAX_IMPORT_RECORDS", default_value_t = 10_000_000)]
    pub max_import_records: u64,
}

/// `30s`, `500ms`, `2m`, `1h` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    use std::time::Duration;
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let amount: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 30s or 500ms"))?;
    let duration = match unit {
        "" | "s" => Duration::from_secs(amount),
        "ms" => Duration::from_millis(amount),
        "m" => Duration::from_secs(amount * 60),
        "h" => Duration::from_secs(amount * 3600),
        _ => return Err(format!("{text:?}: the unit must be ms, s, m or h")),
    };
    if duration.is_zero() {
        return Err("a duration must be more than 0".to_owned());
    }
    Ok(duration)
}
