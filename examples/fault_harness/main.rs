//! Fault harness: what a crash or a lost database does to imports and calls, measured on
//! the real binary (`target/{debug,release}/uppsikt`, built first). Not a test: it stops
//! PostgreSQL and kills processes, and runs for minutes. See docs/faults.md.
//!
//!   cargo build --bin uppsikt && cargo run --example fault_harness -- [--trials 100]
//!       [--lines 6000] [--cycles 3] [--down-secs 8] [--kills 10] [--parts a,b,c]
//!
//! (a) `kill -9` of `uppsikt import` at random moments, `--trials` per backend: SQLite (a
//!     file), and PostgreSQL and MariaDB when UPPSIKT_TEST_POSTGRES_URL /
//!     UPPSIKT_TEST_MYSQL_URL are set, each on a fresh database;
//! (b) PostgreSQL stopped and started mid-import and mid-load, `--cycles` times (needs
//!     pg_ctlcluster; started again whatever happens);
//! (c) two servers on one PostgreSQL database importing the same keys while one is killed
//!     `--kills` times.

#[path = "../support/args.rs"]
mod args;
#[path = "../support/database.rs"]
mod database;
mod db;
#[path = "../support/fresh_db.rs"]
mod fresh_db;
mod instances;
mod kill;
mod outage;
#[path = "../support/rng.rs"]
mod rng;
#[path = "../support/server.rs"]
mod server;

use args::option;
pub use rng::Rng;
pub use server::uppsikt_binary;
use std::time::Duration;

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

fn maybe(d: Option<Duration>) -> String {
    d.map_or_else(|| "never".to_owned(), secs)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let trials = option(&args, "--trials", 100)? as usize;
    let lines = option(&args, "--lines", 6000)? as usize;
    let cycles = option(&args, "--cycles", 3)? as usize;
    let down = Duration::from_secs(option(&args, "--down-secs", 8)?);
    let kills = option(&args, "--kills", 10)? as usize;
    let seed = option(&args, "--seed", 0x5eed_fa17)?;
    let parts = args
        .iter()
        .position(|a| a == "--parts")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "a,b,c".to_owned());
    anyhow::ensure!(
        uppsikt_binary().exists(),
        "{} is missing: cargo build --bin uppsikt first",
        uppsikt_binary().display()
    );
    let postgres = std::env::var("UPPSIKT_TEST_POSTGRES_URL").ok();
    let mysql = std::env::var("UPPSIKT_TEST_MYSQL_URL").ok();
    let mut rng = Rng(seed.max(1));
    println!("binary {}, seed {seed}", uppsikt_binary().display());

    if parts.contains('a') {
        let mut databases = vec![db::Fresh::sqlite()?];
        if let Some(url) = &postgres {
            databases.push(db::Fresh::server("postgres", url, "fault_a").await?);
        }
        if let Some(url) = &mysql {
            databases.push(db::Fresh::server("mariadb", url, "fault_a").await?);
        }
        println!("\n(a) kill -9 of `uppsikt import` ({lines} budget lines and 1 org unit each)");
        println!(
            "backend | kills | full import (s) | none there | all there (of which finished first) | partial"
        );
        for fresh in &databases {
            let outcome = kill::run(fresh, trials, lines, &mut rng).await;
            fresh.drop_database().await;
            let outcome = outcome?;
            println!(
                "{} | {} | {} | {} | {} ({}) | {}",
                outcome.label,
                outcome.trials,
                secs(outcome.full_import),
                outcome.none,
                outcome.all,
                outcome.finished_first,
                outcome.partial.len()
            );
            for (trial, seen) in &outcome.partial {
                println!("  partial: trial {trial}: {seen:?}");
            }
        }
    }

    if parts.contains('b') {
        let Some(url) = &postgres else {
            anyhow::bail!("(b) needs UPPSIKT_TEST_POSTGRES_URL");
        };
        let fresh = db::Fresh::server("postgres", url, "fault_b").await?;
        println!(
            "\n(b) PostgreSQL stopped {}s mid-import and mid-load, readiness every 5 s",
            down.as_secs()
        );
        let results = outage::run(&fresh, cycles, down).await;
        // The cluster is up again here (outage::Restart); the database can be dropped.
        fresh.drop_database().await;
        for (i, c) in results?.iter().enumerate() {
            println!("cycle {}:", i + 1);
            println!(
                "  import: {:?} {:.2}s after the stop: {:?}; written after: {:?}",
                c.import_code,
                c.import_failed_after.as_secs_f64(),
                c.import_message,
                c.import_written
            );
            println!(
                "  readiness 503 {}s after the stop; 200 {}s after the start; first good read {}s after the start",
                maybe(c.not_ready_after),
                maybe(c.ready_after),
                maybe(c.read_ok_after)
            );
            println!(
                "  reads started while known down: {}, slowest {}s, not UNAVAILABLE {} (codes {:?})",
                c.known_down_calls,
                secs(c.known_down_slowest),
                c.known_down_other_codes,
                c.known_down_codes
            );
            println!(
                "  reads running between the stop (command took {}s) and readiness noticing: {}, slowest {}s",
                secs(c.stop_took),
                c.unnoticed_calls,
                secs(c.unnoticed_slowest)
            );
        }
    }

    if parts.contains('c') {
        let Some(url) = &postgres else {
            anyhow::bail!("(c) needs UPPSIKT_TEST_POSTGRES_URL");
        };
        let fresh = db::Fresh::server("postgres", url, "fault_c").await?;
        println!("\n(c) two servers on one PostgreSQL database, one killed {kills} times");
        let result = instances::run(&fresh, kills, &mut rng).await;
        fresh.drop_database().await;
        let r = result?;
        println!(
            "  survivor's imports: {} of {} committed whole; killed server's imports: {} committed, {} cut by the kills",
            r.survivor_whole, r.survivor_imports, r.victim_committed, r.victim_cut
        );
        println!(
            "  change feed: {} entries read through ListChanges, change log {} rows; duplicates {}, out of order {}, entries of no committed import {}, committed imports whose entries differ from their rows {}",
            r.feed_entries,
            r.log_rows,
            r.duplicates,
            r.out_of_order,
            r.orphans,
            r.mismatched_imports
        );
    }
    Ok(())
}
