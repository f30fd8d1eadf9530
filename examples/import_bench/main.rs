//! Import benchmark: `uppsikt import` of a generated ledger (1 008 000 budget lines by
//! default, see `data.rs`) beside the database's own bulk load of the same rows into the same
//! table with the same indexes, in the same run, each in a process of its own:
//! - SQLite: the sqlite3 shell's `.import` into a temporary table, then `INSERT … SELECT`, in
//!   one transaction;
//! - PostgreSQL: psql's `\copy` (COPY FROM STDIN);
//! - MariaDB: multi-row `INSERT`s of 1 000 rows through the mariadb client, in one
//!   transaction.
//!
//! The import does everything an import does (validation, references, overlaps,
//! supersession, the change log, one transaction); the bulk load only writes rows. Reports
//! seconds, rows per second, the ratio, and the import's peak RSS.
//!
//!   cargo build --release && cargo run --release --example import_bench
//!   cargo run --release --example import_bench -- --departments 96      # a fifth of it
//!
//! PostgreSQL and MariaDB are measured when UPPSIKT_TEST_POSTGRES_URL and
//! UPPSIKT_TEST_MYSQL_URL are set (fresh databases, dropped afterwards).

#[path = "../support/args.rs"]
mod args;
mod bulk;
mod data;
mod process;

use args::option;
use data::Shape;
use std::path::PathBuf;
use std::time::Instant;

/// target/release: where this example and the `uppsikt` binary live.
fn release_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    exe.ancestors()
        .nth(2)
        .map(PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("cannot place {}", exe.display()))
}

struct Row {
    backend: &'static str,
    what: &'static str,
    seconds: f64,
    peak_mib: Option<f64>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shape = Shape {
        departments: option(&args, "--departments", 480)?,
        years: option(&args, "--years", 5)?,
        categories: option(&args, "--categories", 20)?,
    };
    let release = release_dir()?;
    let uppsikt = release.join("uppsikt");
    anyhow::ensure!(
        uppsikt.exists(),
        "{} is missing: run `cargo build --release` first",
        uppsikt.display()
    );
    let work = release.parent().unwrap_or(&release).join("import_bench");
    let started = Instant::now();
    let files = data::write(&work, shape)?;
    let lines = shape.lines();
    println!(
        "{lines} budget lines ({} departments × {} years × {} categories), files ready in {:.1} s",
        shape.departments,
        shape.years,
        shape.categories,
        started.elapsed().as_secs_f64()
    );

    let mut backends = vec![bulk::Backend::Sqlite];
    if let Ok(url) = std::env::var("UPPSIKT_TEST_POSTGRES_URL") {
        backends.push(bulk::Backend::Postgres(url));
    }
    if let Ok(url) = std::env::var("UPPSIKT_TEST_MYSQL_URL") {
        backends.push(bulk::Backend::Mariadb(url));
    }
    let mut rows = Vec::new();
    for backend in backends {
        // The bulk load first, then the import, each into a fresh database that holds the
        // schema and the definitions.
        let target = bulk::prepare(&backend, &work, &uppsikt, &files).await?;
        let seconds = bulk::load(&backend, &target, &files, &work)?;
        rows.push(Row {
            backend: backend.name(),
            what: backend.bulk_name(),
            seconds,
            peak_mib: None,
        });
        bulk::drop_target(&backend, target).await?;

        let target = bulk::prepare(&backend, &work, &uppsikt, &files).await?;
        let run = process::run(&uppsikt, &["import", "--database-url", &target.url])
            .arg_path(&files.records)
            .finish()?;
        anyhow::ensure!(run.success, "uppsikt import failed:\n{}", run.stderr);
        let written = bulk::count_lines(&backend, &target).await?;
        anyhow::ensure!(
            written == lines as i64,
            "{} lines stored, expected {lines}",
            written
        );
        rows.push(Row {
            backend: backend.name(),
            what: "uppsikt import",
            seconds: run.seconds,
            peak_mib: Some(run.peak_mib),
        });
        bulk::drop_target(&backend, target).await?;
    }

    println!();
    println!(
        "| backend | load | seconds | lines/s | import ÷ bulk load | peak RSS |\n|---|---|---:|---:|---:|---:|"
    );
    for pair in rows.chunks(2) {
        let [bulk, import] = pair else { continue };
        for row in [bulk, import] {
            let ratio = if row.what == "uppsikt import" {
                format!("{:.2}×", bulk.seconds / import.seconds)
            } else {
                String::new()
            };
            println!(
                "| {} | {} | {:.1} | {:.0} | {} | {} |",
                row.backend,
                row.what,
                row.seconds,
                lines as f64 / row.seconds,
                ratio,
                row.peak_mib
                    .map(|m| format!("{m:.0} MiB"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}
