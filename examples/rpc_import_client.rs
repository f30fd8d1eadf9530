//! The Rust (tonic) client of the RPC import benchmark (examples/rpc_import_bench/run.py
//! starts it), with the crate's own generated types (`uppsikt::proto::v1`):
//!
//!   cargo build --release --example rpc_import_client
//!   target/release/examples/rpc_import_client http://127.0.0.1:50051 LINES_FILE [--build-only]
//!
//! Streams the records of LINES_FILE (the record format; `source` and `budget_line` lines) to
//! ImportService/Import as typed messages, one record a message. A thread reads and parses the
//! file into a bounded channel, which tonic drains as HTTP/2 flow control lets it, so the
//! records never sit in memory at once. The first `source` line becomes the header; a later
//! one gives the records after it their own document and table. A line this client cannot
//! send ends the process before the stream ends, so nothing is committed.
//!
//! Prints one JSON line: seconds from the call's start to its response, the records sent, the
//! response's counts, and this process's peak RSS (VmHWM). --build-only parses the file and
//! builds and encodes every message without a server, to tell the client's own cost apart.

use prost::Message as _;
use std::io::BufRead as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::import_service_client::ImportServiceClient;

fn fail(message: String) -> ! {
    eprintln!("rpc_import_client: {message}");
    println!("{}", serde_json::json!({ "error": message }));
    std::process::exit(1)
}

/// The kind and key=value fields of one line; values may be double-quoted.
fn fields(line: &str) -> (String, Vec<(String, String)>) {
    let mut words = Vec::new();
    if !line.contains('"') {
        words.extend(line.split_whitespace().map(str::to_owned));
    } else {
        let (mut word, mut quoted, mut chars) = (String::new(), false, line.chars());
        while let Some(c) = chars.next() {
            match c {
                '\\' if quoted => word.extend(chars.next()),
                '"' => quoted = !quoted,
                ' ' if !quoted => {
                    if !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                }
                c => word.push(c),
            }
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    let mut words = words.into_iter();
    let kind = words.next().unwrap_or_default();
    let values = words
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => fail(format!("not key=value: {w:?} in {line:?}")),
        })
        .collect();
    (kind, values)
}

fn budget_line(
    values: Vec<(String, String)>,
    document: &str,
    table: &str,
    at: &str,
) -> pb::ImportRecord {
    let mut line = pb::BudgetLineRecord::default();
    let (mut own_document, mut own_table) = (None, None);
    let number = |v: &str| -> i64 {
        v.parse()
            .unwrap_or_else(|_| fail(format!("{at}: not a number: {v}")))
    };
    for (key, value) in values {
        match key.as_str() {
            "org_unit" => line.org_unit = value,
            "category" => line.category = value,
            "fiscal_year" => line.fiscal_year = number(&value) as i32,
            "from_month" => line.from_month = number(&value) as i32,
            "to_month" => line.to_month = number(&value) as i32,
            "amount_sek" => line.amount_sek = number(&value),
            "scenario" => {
                line.scenario = match value.as_str() {
                    "actual" => pb::Scenario::Actual,
                    "budget" => pb::Scenario::Budget,
                    "forecast" => pb::Scenario::Forecast,
                    "plan" => pb::Scenario::Plan,
                    other => fail(format!("{at}: scenario {other}")),
                } as i32
            }
            "document" => own_document = Some(value),
            "table" => own_table = Some(value),
            other => fail(format!("{at}: field {other} is not sent by this benchmark")),
        }
    }
    pb::ImportRecord {
        kind: Some(pb::import_record::Kind::BudgetLine(line)),
        document: own_document.unwrap_or_else(|| document.to_owned()),
        table: own_table.unwrap_or_else(|| table.to_owned()),
    }
}

/// Reads the file and hands each message to `send`, in order; returns the records sent.
fn read(path: &str, mut send: impl FnMut(pb::ImportRequest) -> bool) -> u64 {
    let file = std::fs::File::open(path).unwrap_or_else(|e| fail(format!("{path}: {e}")));
    let (mut header, mut document, mut table) =
        (None::<(String, String)>, String::new(), String::new());
    let mut sent = 0;
    for (number, line) in std::io::BufReader::with_capacity(1 << 20, file)
        .lines()
        .enumerate()
    {
        let line = line.unwrap_or_else(|e| fail(format!("{path}: {e}")));
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{path}:{}", number + 1);
        let (kind, values) = fields(line);
        let get = |values: &[(String, String)], k: &str| {
            values
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let message = match kind.as_str() {
            "source" => {
                let source = (get(&values, "document"), get(&values, "table"));
                match header.clone() {
                    None => {
                        header = Some(source.clone());
                        pb::import_request::Content::Header(pb::ImportHeader {
                            source: Some(pb::ImportSource {
                                document: source.0,
                                table: source.1,
                                system: "rpc_import_bench/rust".into(),
                            }),
                            ..Default::default()
                        })
                    }
                    Some(first) => {
                        (document, table) = if first == source {
                            Default::default()
                        } else {
                            source
                        };
                        continue;
                    }
                }
            }
            "budget_line" if header.is_some() => {
                sent += 1;
                pb::import_request::Content::Record(budget_line(values, &document, &table, &at))
            }
            "budget_line" => fail(format!("{at}: a record before any source line")),
            other => fail(format!(
                "{at}: kind {other}: this benchmark sends budget_line only"
            )),
        };
        if !send(pb::ImportRequest {
            content: Some(message),
        }) {
            fail("the stream ended before the file".into());
        }
    }
    sent
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        fail("usage: rpc_import_client URL LINES_FILE [--build-only]".into());
    }
    let (url, path) = (args[1].clone(), args[2].clone());
    let started = Instant::now();
    let mut result = if args[3..].iter().any(|a| a == "--build-only") {
        let mut bytes = 0u64;
        let sent = read(&path, |m| {
            bytes += m.encode_to_vec().len() as u64;
            true
        });
        serde_json::json!({ "seconds": started.elapsed().as_secs_f64(), "sent": sent, "bytes": bytes })
    } else {
        let mut client = ImportServiceClient::connect(url)
            .await
            .unwrap_or_else(|e| fail(format!("connect: {e}")))
            .max_decoding_message_size(64 << 20);
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        let sent = Arc::new(AtomicU64::new(0));
        let reader = {
            let sent = sent.clone();
            std::thread::spawn(move || {
                let n = read(&path, |m| tx.blocking_send(m).is_ok());
                sent.store(n, Ordering::SeqCst);
            })
        };
        let reply = client
            .import(ReceiverStream::new(rx))
            .await
            .unwrap_or_else(|s| fail(format!("{:?}: {}", s.code(), s.message())))
            .into_inner();
        let seconds = started.elapsed().as_secs_f64();
        reader
            .join()
            .unwrap_or_else(|_| fail("the reader panicked".into()));
        let counts: serde_json::Map<_, _> = reply
            .counts
            .iter()
            .map(|c| {
                (c.kind.clone(), serde_json::json!({
                    "inserted": c.inserted, "superseded": c.superseded, "unchanged": c.unchanged,
                }))
            })
            .collect();
        serde_json::json!({
            "seconds": seconds, "sent": sent.load(Ordering::SeqCst), "counts": counts,
            "import": reply.import,
        })
    };
    result["client_peak_rss_kib"] = peak_rss_kib().into();
    println!("{result}");
}
