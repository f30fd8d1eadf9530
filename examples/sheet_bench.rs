//! Spreadsheet benchmark: a List of every budget line as CSV and as XLSX from the real
//! server, for growing numbers of lines. Reports the seconds to the first byte and to the
//! last, the bytes, and how far the process's peak memory (VmHWM, reset before the download)
//! rose above its resident memory then. Bounded memory shows as a rise that does not grow
//! with the lines. Each measurement runs in a process of its own.
//!
//!   cargo run --release --example sheet_bench                          # all runs, a table
//!   cargo run --release --example sheet_bench -- --lines 20000,200000  # other sizes
//!   cargo run --release --example sheet_bench -- run xlsx 200000       # one run

#[path = "support/generated.rs"]
mod generated;

use generated::definitions;
use http_body_util::BodyExt;
use std::process::Command;
use std::time::Instant;
use uppsikt::store::Store;

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}

async fn run_one(format: &str, lines: usize) -> (f64, f64, u64, f64) {
    let path = std::env::temp_dir().join(format!("uppsikt_sheet_bench_{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let store = Store::open(&url).await.expect("open");
    definitions(&store, lines).await;
    generated::import(&store, lines).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(uppsikt::server::serve_with(
        store.clone(),
        listener,
        uppsikt::server::ServeOptions::default(),
        async {
            let _ = stopped.await;
        },
    ));
    // The peak from here on: 5 resets VmHWM to the resident memory now.
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak");
    let before = status_kib("VmRSS:");
    let started = Instant::now();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<bytes::Bytes>>();
    let response = client
        .get(
            format!("http://{address}/uppsikt.v1.BudgetService/ListBudgetLines?format={format}")
                .parse()
                .expect("URI"),
        )
        .await
        .expect("GET");
    assert!(response.status().is_success(), "{}", response.status());
    let mut body = response.into_body();
    let (mut bytes, mut first) = (0u64, None);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.expect("body").into_data() {
            first.get_or_insert_with(|| started.elapsed().as_secs_f64());
            bytes += data.len() as u64;
        }
    }
    let total = started.elapsed().as_secs_f64();
    let rise = status_kib("VmHWM:").saturating_sub(before) as f64 / 1024.0;
    let _ = stop.send(());
    let _ = server.await;
    store.close().await.ok();
    let _ = std::fs::remove_file(&path);
    (first.unwrap_or(total), total, bytes, rise)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("run") {
        let (format, lines) = (&args[1], args[2].parse().expect("lines"));
        let (first, total, bytes, rise) = run_one(format, lines).await;
        println!("{first} {total} {bytes} {rise}");
        return;
    }
    let sizes: Vec<usize> = match args.iter().position(|a| a == "--lines") {
        Some(i) => args[i + 1]
            .split(',')
            .map(|n| n.parse().expect("--lines N,M"))
            .collect(),
        None => vec![20_000, 200_000],
    };
    let exe = std::env::current_exe().expect("exe");
    println!(
        "{:<6} {:>8} {:>12} {:>10} {:>12} {:>16}",
        "format", "lines", "first byte s", "last s", "MB", "peak rise MiB"
    );
    for lines in sizes {
        for format in ["csv", "xlsx"] {
            let out = Command::new(&exe)
                .args(["run", format, &lines.to_string()])
                .output()
                .expect("run");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let v: Vec<f64> = text
                .split_whitespace()
                .map(|s| s.parse().expect("number"))
                .collect();
            println!(
                "{format:<6} {lines:>8} {:>12.2} {:>10.2} {:>12.1} {:>16.1}",
                v[0],
                v[1],
                v[2] / 1e6,
                v[3]
            );
        }
    }
}
