//! (c) Two servers on one PostgreSQL database import the same keys while one of them is
//! killed again and again: the survivor's imports land whole, and the change feed read
//! through the API holds every committed import's changes once, in commit order, and
//! nothing of the imports the kills cut.

use crate::db::{self, Fresh};
use crate::server::Server;
use crate::{Rng, kill};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::import_record::Kind;

/// Records per import, all on the same keys in every import of both servers.
const RECORDS: usize = 3000;

pub struct Result {
    pub survivor_imports: usize,
    pub survivor_whole: usize,
    pub victim_committed: usize,
    pub victim_cut: usize,
    pub feed_entries: usize,
    pub log_rows: i64,
    pub duplicates: usize,
    pub out_of_order: usize,
    pub orphans: usize,
    pub mismatched_imports: usize,
}

fn import_stream(round: usize) -> impl futures::Stream<Item = pb::ImportRequest> {
    let header = pb::ImportRequest {
        content: Some(pb::import_request::Content::Header(pb::ImportHeader {
            source: Some(pb::ImportSource {
                document: format!("fault-instances-{round}"),
                ..Default::default()
            }),
            ..Default::default()
        })),
    };
    let records = (0..RECORDS).map(move |n| {
        let (month, scenario, year) = (n % 12 + 1, (n / 12) % 2, 1900 + n / 24);
        pb::ImportRequest {
            content: Some(pb::import_request::Content::Record(pb::ImportRecord {
                kind: Some(Kind::BudgetLine(pb::BudgetLineRecord {
                    org_unit: "FROOT".to_owned(),
                    category: "FC1".to_owned(),
                    fiscal_year: year as i32,
                    from_month: month as i32,
                    to_month: month as i32,
                    scenario: if scenario == 0 {
                        pb::Scenario::Actual as i32
                    } else {
                        pb::Scenario::Budget as i32
                    },
                    amount_sek: -((round * 100_000 + n) as i64) - 1,
                })),
                ..Default::default()
            })),
        }
    });
    futures::stream::iter(std::iter::once(header).chain(records))
}

/// Imports on `channel` until `stop`; each answer: the import's name, or the error.
async fn import_loop(
    channel: tonic::transport::Channel,
    first_round: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
    answers: Arc<Mutex<Vec<std::result::Result<String, tonic::Status>>>>,
) {
    let mut imports = pb::import_service_client::ImportServiceClient::new(channel);
    let mut round = first_round;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        let answer = imports
            .import(import_stream(round))
            .await
            .map(|r| r.into_inner().import);
        answers.lock().expect("lock").push(answer);
        round += 1;
    }
}

pub async fn run(fresh: &Fresh, kills: usize, rng: &mut Rng) -> anyhow::Result<Result> {
    kill::base(&fresh.url)?;
    let survivor = Server::start(&fresh.url, &["--readiness-interval-ms", "5000"]).await?;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let survivor_answers: Arc<Mutex<Vec<_>>> = Arc::default();
    let survivor_loop = tokio::spawn(import_loop(
        survivor.channel().await?,
        0,
        stop.clone(),
        survivor_answers.clone(),
    ));
    let mut victim_committed = 0;
    let mut victim_cut = 0;
    for kill in 0..kills {
        let victim = Server::start(&fresh.url, &["--readiness-interval-ms", "5000"]).await?;
        let victim_stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let answers: Arc<Mutex<Vec<_>>> = Arc::default();
        let victim_loop = tokio::spawn(import_loop(
            victim.channel().await?,
            1_000_000 + kill * 1000,
            victim_stop.clone(),
            answers.clone(),
        ));
        tokio::time::sleep(Duration::from_millis(300 + (rng.unit() * 2500.0) as u64)).await;
        // Stopped first, so that the loop ends with the import the kill cuts.
        victim_stop.store(true, std::sync::atomic::Ordering::SeqCst);
        victim.kill();
        let _ = victim_loop.await;
        for answer in answers.lock().expect("lock").iter() {
            match answer {
                Ok(_) => victim_committed += 1,
                Err(status) => {
                    eprintln!(
                        "killed server's import: {:?} {}",
                        status.code(),
                        status.message()
                    );
                    victim_cut += 1;
                }
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = survivor_loop.await;

    let db = sea_orm::Database::connect(&fresh.url).await?;
    let answers = std::mem::take(&mut *survivor_answers.lock().expect("lock"));
    let mut survivor_whole = 0;
    for answer in answers.iter() {
        match answer {
            Ok(name) => {
                let id = name.trim_start_matches("imports/");
                let rows = db::count(
                    &db,
                    &format!("SELECT COUNT(*) FROM budget_lines WHERE import_id = {id}"),
                )
                .await?;
                if rows == RECORDS as i64 {
                    survivor_whole += 1;
                } else {
                    eprintln!("survivor's {name}: {rows} rows of {RECORDS}");
                }
            }
            Err(status) => eprintln!("survivor's import failed: {status:?}"),
        }
    }

    // The feed, page by page through the API, as a mirror reads it.
    let mut changes =
        pb::change_service_client::ChangeServiceClient::new(survivor.channel().await?);
    let mut after = String::new();
    let mut feed = Vec::new();
    loop {
        let page = changes
            .list_changes(pb::ListChangesRequest {
                after: after.clone(),
                page_size: 1000,
                ..Default::default()
            })
            .await?
            .into_inner();
        if page.changes.is_empty() {
            break;
        }
        feed.extend(page.changes);
        after = page.next_cursor;
    }
    survivor.kill();
    let mut seen = HashSet::new();
    let mut duplicates = 0;
    let mut per_import: HashMap<String, i64> = HashMap::new();
    for change in &feed {
        let import = change
            .provenance
            .as_ref()
            .map(|p| p.import.clone())
            .unwrap_or_default();
        if !seen.insert((
            change.kind.clone(),
            change.key.clone(),
            import.clone(),
            change.action,
        )) {
            duplicates += 1;
        }
        *per_import.entry(import).or_default() += 1;
    }
    // Commit order: the change log's positions follow the imports' transaction times.
    let order = {
        use sea_orm::{ConnectionTrait, Statement};
        db.query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT recorded_at FROM changes ORDER BY id",
        ))
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<i64>(0))
        .collect::<std::result::Result<Vec<_>, _>>()?
    };
    let out_of_order = order.windows(2).filter(|w| w[1] < w[0]).count();
    let committed: HashSet<String> = {
        use sea_orm::{ConnectionTrait, Statement};
        db.query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM imports",
        ))
        .await?
        .iter()
        .map(|row| {
            row.try_get_by_index::<i64>(0)
                .map(|id| format!("imports/{id}"))
        })
        .collect::<std::result::Result<_, _>>()?
    };
    let orphans = per_import
        .keys()
        .filter(|import| !committed.contains(*import))
        .map(|import| per_import[import] as usize)
        .sum();
    let mut mismatched_imports = 0;
    for import in &committed {
        let id = import.trim_start_matches("imports/");
        let rows = db::count(
            &db,
            &format!(
                "SELECT (SELECT COUNT(*) FROM budget_lines WHERE import_id = {id}) + \
                 (SELECT COUNT(*) FROM org_units WHERE import_id = {id}) + \
                 (SELECT COUNT(*) FROM categories WHERE import_id = {id})"
            ),
        )
        .await?;
        if per_import.get(import).copied().unwrap_or(0) != rows {
            eprintln!(
                "{import}: {} feed entries, {rows} rows",
                per_import.get(import).copied().unwrap_or(0)
            );
            mismatched_imports += 1;
        }
    }
    let log_rows = db::count(&db, "SELECT COUNT(*) FROM changes").await?;
    db.close().await?;
    Ok(Result {
        survivor_imports: answers.len(),
        survivor_whole,
        victim_committed,
        victim_cut,
        feed_entries: feed.len(),
        log_rows,
        duplicates,
        out_of_order,
        orphans,
        mismatched_imports,
    })
}
