//! Import benchmark: one million budget lines generated on the fly, imported through the
//! real write path (validation, overlap checks, one transaction), against a baseline that
//! inserts the same rows with bare `insert_many` and no checks. Reports rows per second and
//! peak memory (VmHWM); each measurement runs in a process of its own so peaks don't mix.
//!
//!   cargo run --release --example import_bench                       # all runs, a table
//!   cargo run --release --example import_bench -- --lines 200000      # fewer lines
//!   cargo run --release --example import_bench -- run sqlite import 1000000   # one run
//!
//! PostgreSQL is used when UPPSIKT_TEST_POSTGRES_URL is set (a fresh database is created
//! and dropped), as in the tests.

use sea_orm::{ConnectionTrait, Database, Set, TransactionTrait};
use std::process::Command;
use std::time::Instant;
use uppsikt::store::Store;
use uppsikt::store::entities::budget_line;

#[path = "support/generated.rs"]
mod generated;
use generated::{definitions, line};

async fn run_one(url: &str, mode: &str, lines: usize) -> f64 {
    let store = Store::open(url).await.expect("open");
    definitions(&store, lines).await;
    let started = Instant::now();
    match mode {
        "import" => generated::import(&store, lines).await,
        "baseline" => {
            let txn = store.db().begin().await.expect("begin");
            let mut n = 0;
            while n < lines {
                let chunk: Vec<budget_line::ActiveModel> = (n..(n + 1000).min(lines))
                    .map(|i| {
                        let l = line(i);
                        budget_line::ActiveModel {
                            org_unit_code: Set(l.org_unit.to_string()),
                            category_code: Set(l.category.to_string()),
                            fiscal_year: Set(l.span.fiscal_year),
                            from_month: Set(i16::from(l.span.from)),
                            to_month: Set(i16::from(l.span.to)),
                            scenario: Set(l.scenario.as_str().to_owned()),
                            amount_sek: Set(l.amount_sek),
                            source_document: Set("bench".into()),
                            source_table: Set(None),
                            import_id: Set(1),
                            recorded_at: Set(1),
                            superseded_at: Set(None),
                            ..Default::default()
                        }
                    })
                    .collect();
                <budget_line::Entity as sea_orm::EntityTrait>::insert_many(chunk)
                    .exec_without_returning(&txn)
                    .await
                    .expect("insert");
                n += 1000;
            }
            txn.commit().await.expect("commit");
        }
        other => panic!("unknown mode {other}"),
    }
    started.elapsed().as_secs_f64()
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A fresh database for one run: a temp SQLite file, or a new PostgreSQL database.
async fn fresh(backend: &str) -> (String, Option<(String, String)>) {
    let name = format!("uppsikt_bench_{}", std::process::id());
    match backend {
        "sqlite" => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            let _ = std::fs::remove_file(&path);
            (format!("sqlite://{}?mode=rwc", path.display()), None)
        }
        "postgres" => {
            let admin =
                std::env::var("UPPSIKT_TEST_POSTGRES_URL").expect("UPPSIKT_TEST_POSTGRES_URL");
            let db = Database::connect(&admin).await.expect("admin");
            db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            (format!("{base}/{name}"), Some((admin, name)))
        }
        other => panic!("unknown backend {other}"),
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("run") {
        let (backend, mode, lines) = (&args[1], &args[2], args[3].parse().expect("lines"));
        let (url, cleanup) = fresh(backend).await;
        let seconds = run_one(&url, mode, lines).await;
        println!("{seconds} {}", peak_rss_mib());
        if let Some((admin, name)) = cleanup {
            let db = Database::connect(&admin).await.expect("admin");
            let _ = db
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                .await;
        } else {
            let _ = std::fs::remove_file(
                url.trim_start_matches("sqlite://")
                    .trim_end_matches("?mode=rwc"),
            );
        }
        return;
    }
    let lines: usize = match args.iter().position(|a| a == "--lines") {
        Some(i) => args[i + 1].parse().expect("--lines N"),
        None => 1_000_000,
    };
    let mut backends = vec!["sqlite"];
    if std::env::var("UPPSIKT_TEST_POSTGRES_URL").is_ok() {
        backends.push("postgres");
    }
    let exe = std::env::current_exe().expect("exe");
    println!(
        "{lines} budget lines per run; {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<9} {:<9} {:>9} {:>12} {:>14}",
        "backend", "mode", "seconds", "rows/s", "peak RSS MiB"
    );
    for backend in backends {
        let mut rates = Vec::new();
        for mode in ["baseline", "import"] {
            let out = Command::new(&exe)
                .args(["run", backend, mode, &lines.to_string()])
                .output()
                .expect("run");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let mut parts = text.split_whitespace();
            let seconds: f64 = parts.next().and_then(|s| s.parse().ok()).expect("seconds");
            let peak: f64 = parts
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(f64::NAN);
            let rate = lines as f64 / seconds;
            rates.push(rate);
            println!("{backend:<9} {mode:<9} {seconds:>9.1} {rate:>12.0} {peak:>14.1}");
        }
        println!(
            "{backend:<9} import runs at {:.2}× the baseline's rate",
            rates[1] / rates[0]
        );
    }
}
