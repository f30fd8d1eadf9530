//! Read benchmark at a region's scale (issues 8 and 39): about a million budget lines, with
//! staffing (all five kinds), investments and indicators of the same 480 departments, the
//! real server in a process of its own, and every RPC measured beside its floor in the same
//! run — SummarizeBudget against the hand-written GROUP BY; SummarizeStaffing,
//! SummarizeInvestments and SummarizeIndicators each against hand-written SQL that gives the
//! same answer (compared figure by figure first: the run fails when they differ);
//! ListBudgetLines against the same SELECT plus proto encoding (and, for reference, a bare
//! tonic server answering the same page from memory), GetOrgUnit against a bare tonic
//! server with a canned answer — with p50/p99, calls/s and the server's peak RSS, and the
//! goals met or not.
//!
//!   cargo run --release --example query_bench
//!   cargo run --release --example query_bench -- --fact-years 5     # the full scale
//!   cargo run --release --example query_bench -- --summaries-only   # no list pages, no gets
//!   cargo run --release --example query_bench -- --departments 96 --years 2   # smaller
//!   cargo run --release --example query_bench -- --regenerate                # new data
//!   query_bench serve URL   then   query_bench pages ADDR --clients 16         # to profile
//!   query_bench floor URL --clients 16         # the same pages' floor, in this process
//!   query_bench gets ADDR --clients 64         # GetOrgUnit against a running server
//!   query_bench generate URL                       # the default data into an empty database
//!   query_bench demo-cost ADDR --seconds 10        # the demo's summaries on a running server
//!                                                  # (e.g. `uppsikt serve --demo`)
//!
//! The SQLite data is generated once through the real import path and cached in
//! target/query_bench/ (keyed by the shape); PostgreSQL is measured too when
//! UPPSIKT_TEST_POSTGRES_URL is set (a fresh database, generated, then dropped).

#[path = "../support/args.rs"]
mod args;
mod baseline;
mod data;
#[path = "../support/database.rs"]
mod database;
mod facts;
mod load;
mod measure;
mod procs;
mod report;
mod summaries;
mod unread;

use args::option;
use data::Shape;
use std::path::PathBuf;

/// The server binary's allocator (src/main.rs), so that the server measured here, its floors
/// and the bare tonic servers all allocate alike.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// target/query_bench, next to the build output this binary runs from.
fn work_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(|t| t.join("query_bench")))
        .unwrap_or_else(|| std::env::temp_dir().join("query_bench"))
}

/// The fixed cost of the summaries on small data: the demo data set, freshly loaded into a
/// SQLite file, served by a child process.
async fn demo_cost(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let file = dir.join("demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let server = procs::ServerProcess::start(&["serve-demo", &url], &dir.join("server-demo.log"))?;
    measure::demo_cost(server.addr, 10).await?;
    let peak = server.stop();
    println!("demo server peak RSS (VmHWM) {peak:.1} MiB");
    Ok(())
}

/// The machine a run's figures come from: cores, CPU model and memory.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {cpu}, {memory_gib:.0} GiB")
}

fn main() -> anyhow::Result<()> {
    // As the server binary does (src/main.rs): one malloc arena, set before any thread.
    uppsikt::store::share_one_arena();
    tokio::runtime::Runtime::new()?.block_on(bench_main())
}

async fn bench_main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => return procs::serve(&args[1]).await,
        Some("serve-demo") => return procs::serve_demo(&args[1]).await,
        Some("demo-cost") => {
            let seconds = option(&args, "--seconds", 10)? as u64;
            return measure::demo_cost(args[1].parse()?, seconds).await;
        }
        Some("bare-serve") => return procs::bare_serve(&args[1]).await,
        Some("bare-pages") => return procs::bare_pages(&args[1]).await,
        Some("generate") => return data::generate(&args[1], Shape::default()).await,
        Some(probe @ ("pages" | "floor" | "gets")) => {
            let (target, clients, seconds) = (
                &args[1],
                option(&args, "--clients", 1)?,
                option(&args, "--seconds", 10)? as u64,
            );
            return match probe {
                "pages" => measure::pages_only(target, clients, seconds).await,
                "gets" => measure::gets_only(target, clients, seconds).await,
                _ => measure::floor_only(target, clients, seconds).await,
            };
        }
        _ => {}
    }
    let default = Shape::default();
    let shape = Shape {
        departments: option(&args, "--departments", default.departments)?,
        categories: option(&args, "--categories", default.categories)?,
        years: option(&args, "--years", default.years)?,
        fact_years: option(&args, "--fact-years", default.fact_years)?,
    };
    anyhow::ensure!(
        shape.departments >= 24 && shape.categories >= 2 && shape.years >= 2,
        "at least 24 departments, 2 categories and 2 years"
    );
    anyhow::ensure!(
        (2..=shape.years).contains(&shape.fact_years),
        "--fact-years from 2 to --years"
    );
    let regenerate = args.iter().any(|a| a == "--regenerate");
    let summaries_only = args.iter().any(|a| a == "--summaries-only");
    let dir = work_dir();

    println!(
        "query_bench: {} budget lines ({} departments × {} categories × {} years × 12 months × actual/budget); {}",
        shape.lines(),
        shape.departments,
        shape.categories,
        shape.years,
        machine()
    );
    println!(
        "  and for {} years ({}–{}{}): {} staffing rows ({} departments × {} profession groups × 12 months: worked hours, hired staff, headcounts, positions; sick leave of every unit per month and year), {} investment objects with a figure per year, {} indicators with a target per year and outcomes per tertial",
        shape.fact_years,
        shape.fact_first_year(),
        Shape::LAST_YEAR,
        if shape.fact_years < shape.years {
            format!("; the issue's scale is --fact-years {}", shape.years)
        } else {
            String::new()
        },
        shape.staffing_rows(),
        shape.departments,
        facts::PROFESSIONS.len(),
        shape.investment_objects(),
        shape.indicator_count(),
    );
    demo_cost(&dir).await?;
    let path = data::sqlite_cached(&dir, shape, regenerate).await?;
    measure::backend(
        "SQLite",
        &format!("sqlite://{}?mode=rwc", path.display()),
        shape,
        &dir,
        summaries_only,
    )
    .await?;

    if let Ok(admin) = std::env::var("UPPSIKT_TEST_POSTGRES_URL") {
        let name = format!("uppsikt_query_bench_{}", std::process::id());
        let result = async {
            let url = data::postgres_fresh(&admin, &name, shape).await?;
            measure::backend("PostgreSQL", &url, shape, &dir, summaries_only).await
        }
        .await;
        data::drop_postgres(&admin, &name).await;
        result?;
    }
    Ok(())
}
