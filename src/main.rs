//! The `uppsikt` binary: a thin CLI over the library.

use anyhow::Context;
use clap::Parser;
use uppsikt::api::import_file::{self, FileFormat};
use uppsikt::config::{Cli, Command, DatabaseArgs};
use uppsikt::domain::instant::Instant;
use uppsikt::import::{ImportError, ImportRequest, run_import};
use uppsikt::store::Store;
use uppsikt::{demo, export, server, telemetry};

/// jemalloc rather than glibc's malloc, which showed up large in the server's profiles: among
/// other things it consolidates its fast bins whenever a larger block is asked for while
/// they hold freed blocks, as tonic's encode buffer is on every response.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    // Before the runtime's threads exist, so that none takes a malloc arena of its own.
    uppsikt::store::share_one_arena();
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(cli_main()),
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn cli_main() -> std::process::ExitCode {
    let telemetry = telemetry::init();
    let code = match run(Cli::parse()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    };
    drop(telemetry);
    code
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    match cli.command {
        Command::Serve {
            database,
            listen,
            demo: with_demo,
            read_database_url,
            cors_origins,
            access,
            admin_listen,
            readiness_interval_ms,
        } => {
            // Before the database: a refused setup should not touch anything.
            let mut options = uppsikt::serve_options::serve_options(&access, listen).await?;
            options.web = uppsikt::http::WebOptions { cors_origins };
            let mut store = open(&database).await?;
            if let Some(read_url) = read_database_url {
                store = store
                    .with_reader(&read_url)
                    .await
                    .with_context(|| format!("cannot open the read database {read_url}"))?;
                tracing::info!("reads go to the read database");
            }
            if with_demo && demo::is_empty(&store).await? {
                let outcome = demo::load(&store).await.context("loading the demo data")?;
                tracing::info!(records = outcome.records(), "demo data loaded");
            }
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            let admin_listener = match admin_listen {
                Some(address) => Some(std::sync::Arc::new(
                    std::net::TcpListener::bind(address)
                        .with_context(|| format!("cannot listen on {address} (admin)"))?,
                )),
                None => None,
            };
            options.admin_listener = admin_listener;
            options.readiness = uppsikt::ops::readiness::ReadinessOptions {
                interval: std::time::Duration::from_millis(readiness_interval_ms),
                ..Default::default()
            };
            tracing::info!(address = %listener.local_addr()?, "serving uppsikt.v1");
            server::serve_with(store.clone(), listener, options, server::shutdown_signal()).await?;
            store.close().await?;
            tracing::info!("stopped");
        }
        Command::Migrate { database } => {
            open(&database).await?;
            println!("schema is up to date");
        }
        Command::LoadDemo { database } => {
            let store = open(&database).await?;
            let outcome = demo::load(&store).await.context("loading the demo data")?;
            print_outcome(&outcome);
        }
        Command::Import {
            database,
            dry_run,
            request_id,
            format,
            mapping,
            files,
        } => {
            let mapping = match &mapping {
                Some(path) => Some(
                    std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read the mapping {}", path.display()))?,
                ),
                None => None,
            };
            let format = format.as_deref().and_then(FileFormat::parse);
            // The import's own source names the files; each record keeps its own `source`.
            let mut document = files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            if document.chars().count() > 255 {
                document = format!("{} files, first {}", files.len(), files[0].display());
            }
            let file = match import_file::from_paths(files, format, mapping.as_deref()).await {
                Ok(file) => file,
                Err(error) => return report_import_error(error),
            };
            for note in &file.notes {
                eprintln!("{note}");
            }
            let store = open(&database).await?;
            let request = ImportRequest {
                document: uppsikt::import::sie::document_name(&document),
                table: None,
                system: Some(file.system.unwrap_or_else(|| "uppsikt import".to_owned())),
                request_id,
                dry_run,
            };
            // A line every two seconds on long runs; short imports stay quiet.
            let last = std::cell::Cell::new(std::time::Instant::now());
            let progress = |records: u64| {
                if last.get().elapsed() >= std::time::Duration::from_secs(2) {
                    eprintln!("… {records} records read");
                    last.set(std::time::Instant::now());
                }
            };
            match run_import(&store, request, file.entries, progress).await {
                Ok(outcome) => print_outcome(&outcome),
                Err(error) => return report_import_error(error),
            }
        }
        Command::Export {
            database,
            as_of,
            output,
        } => {
            let as_of = match as_of {
                None => Instant::now(),
                Some(text) => chrono::DateTime::parse_from_rfc3339(&text)
                    .map(|t| Instant(t.timestamp_micros()))
                    .with_context(|| format!("--as-of {text:?} is not an RFC 3339 instant"))?,
            };
            let store = open(&database).await?;
            let counts = match output {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    export::export(&store, as_of, std::io::BufWriter::new(file)).await?
                }
                None => {
                    export::export(
                        &store,
                        as_of,
                        std::io::BufWriter::new(std::io::stdout().lock()),
                    )
                    .await?
                }
            };
            for (kind, count) in counts {
                eprintln!("{kind:<20} {count:>8} exported");
            }
        }
        Command::Report {
            database,
            unit,
            year,
            from,
            to,
            as_of,
            pdf,
            url,
            token,
            demo: with_demo,
            chromium,
        } => {
            use uppsikt::print::{ReportPage, Server, find_chromium, print_report};
            let page = ReportPage {
                unit,
                year,
                from,
                to,
                as_of,
                token,
            };
            let Some(browser) = find_chromium(chromium.as_deref()) else {
                let looked = chromium.as_ref().map_or_else(
                    || "chromium on PATH".to_owned(),
                    |path| path.display().to_string(),
                );
                eprintln!(
                    "error: no Chromium found ({looked}), so no PDF was written: `uppsikt report \
                     --pdf` prints the report page with headless Chromium. Install it (Debian: \
                     apt-get install chromium) or name it with --chromium or UPPSIKT_CHROMIUM. \
                     Any browser prints the same page from a running server: {}",
                    page.url("http://HOST:PORT")
                );
                return Ok(std::process::ExitCode::FAILURE);
            };
            let server = match url {
                Some(base) => Server::Running(base),
                None => {
                    let store = open(&database).await?;
                    if with_demo && demo::is_empty(&store).await? {
                        demo::load(&store).await.context("loading the demo data")?;
                    }
                    Server::InProcess(store)
                }
            };
            print_report(browser, &page, server, pdf.clone()).await?;
            println!("wrote {}", pdf.display());
        }
        Command::Openapi { version, server } => {
            use uppsikt::http::openapi::{DocumentVersion, Server, document};
            let server = match server {
                Some(url) => Server::from_url(&url).with_context(|| {
                    format!("--server {url:?} is not a URL such as https://host")
                })?,
                None => Server::default(),
            };
            let version = match version.as_str() {
                "2.0" => DocumentVersion::Swagger2,
                _ => DocumentVersion::OpenApi31,
            };
            println!("{:#}", document(version, &server));
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn open(database: &DatabaseArgs) -> anyhow::Result<Store> {
    let url = &database.database_url;
    Store::open_with(url, database.pool_size())
        .await
        .with_context(|| format!("cannot open the database {url}"))
}

/// Every bad record, then failure; any other error is passed on.
fn report_import_error(error: ImportError) -> anyhow::Result<std::process::ExitCode> {
    match error {
        ImportError::InvalidRecords(violations) => {
            for violation in &violations {
                eprintln!("{violation}");
            }
            eprintln!(
                "{} invalid record(s): nothing was imported",
                violations.len()
            );
            Ok(std::process::ExitCode::FAILURE)
        }
        other => Err(other.into()),
    }
}

fn print_outcome(outcome: &uppsikt::import::ImportOutcome) {
    if outcome.replayed {
        println!(
            "already applied (request id {}): the first import's result",
            outcome.request_id.as_deref().unwrap_or("")
        );
    }
    if outcome.dry_run {
        println!("dry run: nothing was written");
    }
    for (kind, counts) in &outcome.counts {
        println!(
            "{kind:<20} inserted {:>8}  superseded {:>8}  unchanged {:>8}  retracted {:>8}",
            counts.inserted, counts.superseded, counts.unchanged, counts.retracted
        );
    }
    for warning in &outcome.warnings {
        println!("warning: {warning}");
    }
    if outcome.warning_count > outcome.warnings.len() as u64 {
        println!("… {} warnings in all", outcome.warning_count);
    }
}
