//! (b) PostgreSQL stopped and started while an import streams in and reads run: the import
//! fails UNAVAILABLE naming its cause with nothing written; readiness turns and turns back;
//! calls while the database is known away fail within a second; reads recover by
//! themselves. The cluster is started again whatever happens (`Restart`).

use crate::db::{self, Fresh};
use crate::server::{Server, readyz};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::import_record::Kind;

fn cluster(action: &str) -> anyhow::Result<()> {
    let version = std::fs::read_dir("/etc/postgresql")?
        .next()
        .ok_or_else(|| anyhow::anyhow!("no cluster in /etc/postgresql"))??
        .file_name();
    let status = Command::new("pg_ctlcluster")
        .arg("--skip-systemctl-redirect")
        .arg(&version)
        .args(["main", action])
        .status()?;
    anyhow::ensure!(status.success(), "pg_ctlcluster {action}: {status}");
    Ok(())
}

/// Starts the cluster when dropped, also on an error or a panic: other people's tests use it.
pub struct Restart;

impl Drop for Restart {
    fn drop(&mut self) {
        if let Err(error) = cluster("start") {
            eprintln!("could not start PostgreSQL again: {error:#}");
        }
    }
}

/// One call of the read load: when it started (since the cycle began), how long it took,
/// and its code.
#[derive(Clone, Copy)]
struct Call {
    started: Duration,
    took: Duration,
    code: tonic::Code,
}

/// When `/readyz` was asked (since the cycle began) and its status.
type Readyz = (Duration, Option<u16>);

pub struct Cycle {
    pub import_code: tonic::Code,
    pub import_message: String,
    /// From the stop command's return to the import's error.
    pub import_failed_after: Duration,
    pub import_written: db::Written,
    /// From the stop command's return to `/readyz` 503.
    pub not_ready_after: Option<Duration>,
    /// From the start command's return to `/readyz` 200.
    pub ready_after: Option<Duration>,
    /// From the start command's return to the first successful read that started after it.
    pub read_ok_after: Option<Duration>,
    /// Reads started while `/readyz` said 503 and the cluster was stopped: how many, the
    /// slowest, and how many were not UNAVAILABLE.
    pub known_down_calls: usize,
    pub known_down_slowest: Duration,
    pub known_down_other_codes: usize,
    /// Their codes, with how many of each.
    pub known_down_codes: Vec<(tonic::Code, usize)>,
    /// Reads running at some moment between the stop command's start and readiness
    /// noticing: how many, and the slowest.
    pub unnoticed_calls: usize,
    pub unnoticed_slowest: Duration,
    /// How long the stop command took.
    pub stop_took: Duration,
}

fn record(n: usize) -> pb::ImportRequest {
    let (month, scenario, category, year) =
        (n % 12 + 1, (n / 12) % 2, (n / 24) % 2 + 1, 1900 + n / 48);
    pb::ImportRequest {
        content: Some(pb::import_request::Content::Record(pb::ImportRecord {
            kind: Some(Kind::BudgetLine(pb::BudgetLineRecord {
                org_unit: "FROOT".to_owned(),
                category: format!("FC{category}"),
                fiscal_year: year as i32,
                from_month: month as i32,
                to_month: month as i32,
                scenario: if scenario == 0 {
                    pb::Scenario::Actual as i32
                } else {
                    pb::Scenario::Budget as i32
                },
                amount_sek: -(n as i64) - 1,
            })),
            ..Default::default()
        })),
    }
}

fn header(document: &str) -> pb::ImportRequest {
    pb::ImportRequest {
        content: Some(pb::import_request::Content::Header(pb::ImportHeader {
            source: Some(pb::ImportSource {
                document: document.to_owned(),
                ..Default::default()
            }),
            ..Default::default()
        })),
    }
}

/// `records` budget lines of FROOT, paced to last about `over`.
fn paced(
    document: String,
    records: usize,
    over: Duration,
) -> impl futures::Stream<Item = pb::ImportRequest> {
    let pause = over / (records / 100).max(1) as u32;
    futures::stream::unfold(0_usize, move |n| {
        let document = document.clone();
        async move {
            if n > records {
                return None;
            }
            if n == 0 {
                return Some((header(&document), 1));
            }
            if n % 100 == 0 {
                tokio::time::sleep(pause).await;
            }
            Some((record(n - 1), n + 1))
        }
    })
}

pub async fn run(fresh: &Fresh, cycles: usize, down_for: Duration) -> anyhow::Result<Vec<Cycle>> {
    crate::kill::base(&fresh.url)?;
    let server = Server::start(&fresh.url, &["--readiness-interval-ms", "5000"]).await?;
    let channel = server.channel().await?;
    let db = sea_orm::Database::connect(&fresh.url).await?;
    let mut results = Vec::new();
    for cycle in 0..cycles {
        let result = one_cycle(&server, &channel, &db, cycle, down_for).await;
        match result {
            Ok(result) => results.push(result),
            Err(error) => {
                server.kill();
                return Err(error);
            }
        }
    }
    server.kill();
    Ok(results)
}

async fn one_cycle(
    server: &Server,
    channel: &tonic::transport::Channel,
    db: &sea_orm::DatabaseConnection,
    cycle: usize,
    down_for: Duration,
) -> anyhow::Result<Cycle> {
    let began = Instant::now();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let calls: Arc<Mutex<Vec<Call>>> = Arc::default();
    let states: Arc<Mutex<Vec<Readyz>>> = Arc::default();
    let load = {
        let (stop, calls, channel) = (stop.clone(), calls.clone(), channel.clone());
        tokio::spawn(async move {
            let mut organization =
                pb::organization_service_client::OrganizationServiceClient::new(channel);
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let started = began.elapsed();
                let at = Instant::now();
                let answer = tokio::time::timeout(
                    Duration::from_secs(40),
                    organization.get_org_unit(pb::GetOrgUnitRequest {
                        name: "orgUnits/FROOT".to_owned(),
                        ..Default::default()
                    }),
                )
                .await;
                let code = match answer {
                    Ok(Ok(_)) => tonic::Code::Ok,
                    Ok(Err(status)) => status.code(),
                    Err(_) => tonic::Code::DeadlineExceeded,
                };
                calls.lock().expect("lock").push(Call {
                    started,
                    took: at.elapsed(),
                    code,
                });
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let readiness = {
        let (stop, states, admin) = (stop.clone(), states.clone(), server.admin);
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let status = readyz(admin).await;
                states.lock().expect("lock").push((began.elapsed(), status));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };

    let document = format!("fault-outage-{cycle}");
    let import = {
        let mut imports = pb::import_service_client::ImportServiceClient::new(channel.clone());
        let stream = paced(document.clone(), 20_000, Duration::from_secs(4));
        tokio::spawn(async move { imports.import(stream).await })
    };
    tokio::time::sleep(Duration::from_millis(800)).await;
    let restart = Restart;
    let stopping = began.elapsed();
    cluster("stop")?;
    let stopped = began.elapsed();
    let answer = import.await?;
    let import_failed_after = began.elapsed() - stopped;
    let (import_code, import_message) = match answer {
        Ok(response) => (
            tonic::Code::Ok,
            format!("committed: {:?}", response.into_inner().import),
        ),
        Err(status) => (status.code(), status.message().to_owned()),
    };
    let up_at = stopped + down_for;
    if let Some(wait) = up_at.checked_sub(began.elapsed()) {
        tokio::time::sleep(wait).await;
    }
    let starting = began.elapsed();
    drop(restart);
    let started = began.elapsed();
    // Until a read that began after the start succeeds, or 30 s.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let recovered = calls
            .lock()
            .expect("lock")
            .iter()
            .any(|c| c.started >= started && c.code == tonic::Code::Ok);
        let ready = states
            .lock()
            .expect("lock")
            .iter()
            .any(|(t, s)| *t >= started && *s == Some(200));
        if (recovered && ready) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = load.await;
    let _ = readiness.await;

    let calls = calls.lock().expect("lock").clone();
    let states = states.lock().expect("lock").clone();
    let not_ready_at = states
        .iter()
        .find(|(t, s)| *t >= stopped && *s == Some(503))
        .map(|(t, _)| *t);
    let ready_at = states
        .iter()
        .find(|(t, s)| *t >= started && *s == Some(200))
        .map(|(t, _)| *t);
    let read_ok_at = calls
        .iter()
        .find(|c| c.started >= started && c.code == tonic::Code::Ok)
        .map(|c| c.started + c.took);
    let known_down: Vec<&Call> = match (not_ready_at, ready_at) {
        (Some(from), Some(to)) => calls
            .iter()
            .filter(|c| c.started >= from && c.started < to.min(starting))
            .collect(),
        _ => Vec::new(),
    };
    let unnoticed: Vec<&Call> = calls
        .iter()
        .filter(|c| c.started + c.took >= stopping && not_ready_at.is_none_or(|t| c.started < t))
        .collect();
    let mut known_down_codes: Vec<(tonic::Code, usize)> = Vec::new();
    for call in &known_down {
        match known_down_codes
            .iter_mut()
            .find(|(code, _)| *code == call.code)
        {
            Some((_, n)) => *n += 1,
            None => known_down_codes.push((call.code, 1)),
        }
    }
    let written = db::written(db, &document, &document).await?;
    Ok(Cycle {
        import_code,
        import_message,
        import_failed_after,
        import_written: written,
        not_ready_after: not_ready_at.map(|t| t - stopped),
        ready_after: ready_at.map(|t| t - started),
        read_ok_after: read_ok_at.map(|t| t.saturating_sub(started)),
        known_down_calls: known_down.len(),
        known_down_slowest: known_down.iter().map(|c| c.took).max().unwrap_or_default(),
        known_down_other_codes: known_down
            .iter()
            .filter(|c| c.code != tonic::Code::Unavailable)
            .count(),
        known_down_codes,
        stop_took: stopped - stopping,
        unnoticed_calls: unnoticed.len(),
        unnoticed_slowest: unnoticed.iter().map(|c| c.took).max().unwrap_or_default(),
    })
}
