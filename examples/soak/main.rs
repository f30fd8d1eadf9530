//! Soak: `--clients` clients make mixed reads for `--minutes` against one `uppsikt serve`
//! while an import lands every `--import-every` seconds; reports each call's latency
//! percentiles and codes, and the server's RSS minute by minute. Not a test: it runs for
//! minutes on the real binary (target/<profile>/uppsikt, built first). See docs/faults.md.
//!
//!   cargo build --release --bin uppsikt --example soak
//!   UPPSIKT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//!     target/release/examples/soak [--clients 64] [--minutes 10] [--import-every 30]
//!     [--import-lines 10000]
//!
//! The database is a fresh one on the server UPPSIKT_TEST_POSTGRES_URL names (else a SQLite
//! file), dropped after the run. The server loads the demo data; the harness then imports a
//! generated division (200 departments, two years of budget lines) through the Import RPC.

#[path = "../support/args.rs"]
mod args;
mod calls;
mod data;
#[path = "../support/database.rs"]
mod database;
#[path = "../support/fresh_db.rs"]
mod fresh_db;
#[path = "../support/rng.rs"]
mod rng;
#[path = "../support/server.rs"]
mod server;
mod stats;

use args::option;
use calls::{CALLS, Client, Names};
pub use rng::Rng;
use stats::{Recorder, RssSampler};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uppsikt::proto::v1 as pb;

/// The `$name` field of every item of every page of a list from `$client.$method`, its
/// request `$request` with the given fields, the largest pages and the page token.
macro_rules! all_pages {
    ($client:expr, $method:ident, $request:ident { $($field:ident: $value:expr),* }, $items:ident.$name:ident) => {{
        let (mut client, mut names, mut token) = ($client, Vec::new(), String::new());
        loop {
            let request = pb::$request {
                $($field: $value,)*
                page_size: 1000,
                page_token: token.clone(),
                ..Default::default()
            };
            let page = client.$method(request).await?.into_inner();
            names.extend(page.$items.into_iter().map(|i| i.$name));
            if page.next_page_token.is_empty() {
                break names;
            }
            token = page.next_page_token;
        }
    }};
}

async fn names(channel: tonic::transport::Channel) -> anyhow::Result<(Names, Vec<String>)> {
    use pb::{
        budget_service_client::BudgetServiceClient as Budget,
        indicator_service_client::IndicatorServiceClient as Indicators,
        investment_service_client::InvestmentServiceClient as Investments,
        organization_service_client::OrganizationServiceClient as Org,
        staffing_service_client::StaffingServiceClient as Staffing,
    };
    let root = || "orgUnits/RJH".to_owned();
    let units = all_pages!(
        Org::new(channel.clone()),
        list_org_units,
        ListOrgUnitsRequest {
            org_unit: root(),
            include_descendants: true
        },
        org_units.name
    );
    let codes = all_pages!(
        Budget::new(channel.clone()),
        list_categories,
        ListCategoriesRequest {},
        categories.code
    );
    let investment_names = all_pages!(
        Investments::new(channel.clone()),
        list_investments,
        ListInvestmentsRequest {
            org_unit: root(),
            include_descendants: true
        },
        investments.name
    );
    let indicator_names = all_pages!(
        Indicators::new(channel.clone()),
        list_indicators,
        ListIndicatorsRequest {
            org_unit: root(),
            include_descendants: true
        },
        indicators.name
    );
    let professions = all_pages!(
        Staffing::new(channel),
        list_profession_groups,
        ListProfessionGroupsRequest {},
        profession_groups.name
    );
    let names = Names {
        categories: codes.iter().map(|c| format!("categories/{c}")).collect(),
        units,
        investments: investment_names,
        indicators: indicator_names,
        professions,
    };
    Ok((names, codes))
}

async fn import(
    channel: tonic::transport::Channel,
    messages: Vec<pb::ImportRequest>,
) -> Result<pb::ImportResponse, tonic::Status> {
    let mut client = pb::import_service_client::ImportServiceClient::new(channel)
        .max_decoding_message_size(64 << 20);
    client
        .import(futures::stream::iter(messages))
        .await
        .map(tonic::Response::into_inner)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let clients = option(&args, "--clients", 64)? as usize;
    let minutes = option(&args, "--minutes", 10)?;
    let import_every = Duration::from_secs(option(&args, "--import-every", 30)?);
    let import_lines = option(&args, "--import-lines", 10_000)? as usize;
    let seed = option(&args, "--seed", 0x50a4)?;
    anyhow::ensure!(
        server::uppsikt_binary().exists(),
        "{} is missing: cargo build --bin uppsikt first",
        server::uppsikt_binary().display()
    );
    let fresh = match std::env::var("UPPSIKT_TEST_POSTGRES_URL") {
        Ok(url) => fresh_db::Fresh::server("postgres", &url, "soak").await?,
        Err(_) => fresh_db::Fresh::sqlite()?,
    };
    let outcome = run(&fresh, clients, minutes, import_every, import_lines, seed).await;
    fresh.drop_database().await;
    outcome
}

async fn run(
    fresh: &fresh_db::Fresh,
    clients: usize,
    minutes: u64,
    import_every: Duration,
    import_lines: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let server = server::Server::start(&fresh.url, &["--demo"]).await?;
    let pid = server.child.id();
    println!(
        "binary {}, {} database, server pid {pid}",
        server::uppsikt_binary().display(),
        fresh.label
    );
    let (names, mut codes) = names(server.channel().await?).await?;
    // Twenty categories are volume enough; the lines stay in step with the demo's own.
    codes.truncate(20);
    let started = Instant::now();
    let base = data::base(&codes);
    let sent = base.len() - 1;
    let base = import(server.channel().await?, base).await?;
    println!(
        "base import {}: {sent} records in {:.1} s ({} units, {} categories, {} investments, {} indicators, {} profession groups in the mix)",
        base.import,
        started.elapsed().as_secs_f64(),
        names.units.len() + 1 + data::DEPARTMENTS,
        names.categories.len(),
        names.investments.len(),
        names.indicators.len(),
        names.professions.len()
    );
    let names = Arc::new(Names {
        units: names
            .units
            .into_iter()
            .chain(std::iter::once("orgUnits/SOAK".to_owned()))
            .chain((0..data::DEPARTMENTS).map(|d| format!("orgUnits/SOAK-D{d:03}")))
            .collect(),
        ..names
    });

    let duration = Duration::from_secs(minutes * 60);
    let start = Instant::now();
    let recorder = Arc::new(Recorder::new(start, minutes as usize + 1));
    let sampler = RssSampler::spawn(pid, start, Duration::from_secs(5));
    let total_weight: u32 = CALLS.iter().map(|(_, w)| w).sum();
    let mut tasks = Vec::new();
    for n in 0..clients {
        let (names, recorder) = (names.clone(), recorder.clone());
        let mut client = Client::connect(server.api).await?;
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng((seed ^ (n as u64 + 1).wrapping_mul(0x9E37_79B9)).max(1));
            while start.elapsed() < duration {
                let mut draw = (rng.unit() * total_weight as f64) as u32;
                let which = CALLS
                    .iter()
                    .position(|(_, w)| {
                        let hit = draw < *w;
                        draw = draw.saturating_sub(*w);
                        hit
                    })
                    .unwrap_or(0);
                let began = Instant::now();
                let outcome = client.call(which, &names, &mut rng).await;
                recorder.record(CALLS[which].0, began, outcome);
            }
        }));
    }
    let importer = {
        let (recorder, channel, codes) = (recorder.clone(), server.channel().await?, codes.clone());
        tokio::spawn(async move {
            let mut round = 1;
            let mut tick = tokio::time::interval(import_every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            while start.elapsed() + import_every / 2 < duration {
                tick.tick().await;
                let began = Instant::now();
                let outcome = import(channel.clone(), data::round(&codes, round, import_lines))
                    .await
                    .map(drop)
                    .map_err(|s| format!("{:?}: {}", s.code(), s.message()));
                recorder.record("Import", began, outcome);
                round += 1;
            }
        })
    };
    for task in tasks {
        task.await?;
    }
    importer.await?;
    let rss = sampler.stop().await;
    println!(
        "\n/readyz after the load: {:?}",
        server::readyz(server.admin).await
    );
    server.kill();
    stats::report(&recorder, &rss, clients, minutes);
    Ok(())
}
