//! One backend's run: start the server, measure each RPC and its floor, print the tables.

use crate::baseline;
use crate::data::{REGION, Shape};
use crate::load::{Limit, ROUNDS, Stats, drive, in_turns};
use crate::procs::{ServerProcess, canned_arg};
use crate::report::{Goal, Row, print_goals, print_rows};
use crate::summaries::{self, Answer, Scope};
use crate::unread;
use futures::future::BoxFuture;
use prost::Message;
use sea_orm::DatabaseConnection;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tonic::client::Grpc;
use tonic::transport::{Channel, Endpoint};
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::budget_service_client::BudgetServiceClient;
use uppsikt::proto::v1::indicator_service_client::IndicatorServiceClient;
use uppsikt::proto::v1::investment_service_client::InvestmentServiceClient;
use uppsikt::proto::v1::organization_service_client::OrganizationServiceClient;
use uppsikt::proto::v1::staffing_service_client::StaffingServiceClient;
use uppsikt::store::Store;

/// A summary and its GROUP BY take turns call by call (one call a round, so the duration
/// never cuts a round short): the two sides' calls are warmed by the check that they agree.
const SUMMARY_REGION: Limit = Limit {
    calls: 20,
    duration: Duration::from_secs(20),
    warmup: 0,
};
const SUMMARY_DIVISION: Limit = Limit {
    calls: 200,
    duration: Duration::from_secs(10),
    warmup: 0,
};
const LIST: Limit = Limit {
    calls: 20_000,
    duration: Duration::from_secs(5),
    warmup: 2,
};
const GET: Limit = Limit {
    calls: 200_000,
    duration: Duration::from_secs(5),
    warmup: 5,
};
const CONCURRENCY: [usize; 3] = [1, 16, 64];
const GET_CLIENTS: usize = 64;

fn p50_ratio(a: &Stats, b: &Stats) -> f64 {
    a.p50.as_secs_f64() / b.p50.as_secs_f64()
}

/// One channel, so one HTTP/2 connection, per client.
async fn channels(addr: SocketAddr, count: usize) -> anyhow::Result<Vec<Channel>> {
    let endpoint = Endpoint::from_shared(format!("http://{addr}"))?.tcp_nodelay(true);
    let mut channels = Vec::with_capacity(count);
    for _ in 0..count {
        channels.push(endpoint.connect().await?);
    }
    Ok(channels)
}

fn status(s: tonic::Status) -> String {
    format!("{:?}: {}", s.code(), s.message())
}

fn summary_request(unit: &str, year: i32) -> pb::SummarizeBudgetRequest {
    pb::SummarizeBudgetRequest {
        org_unit: format!("orgUnits/{unit}"),
        fiscal_year: year,
        from_month: 1,
        to_month: 12,
        ..Default::default()
    }
}

/// The scopes ListBudgetLines is asked for: one department, or a division with its
/// descendants; call `n` asks for the n-th unit of the scope's list, so calls spread over
/// the data.
#[derive(Clone)]
struct ListScope {
    label: &'static str,
    names: Arc<Vec<String>>,
    subtrees: Arc<Vec<Vec<String>>>,
    descendants: bool,
}

impl ListScope {
    /// Each department alone, one after the other.
    fn one_unit(departments: Vec<String>) -> Self {
        Self {
            label: "one unit",
            subtrees: Arc::new(departments.iter().map(|d| vec![d.clone()]).collect()),
            names: Arc::new(departments),
            descendants: false,
        }
    }

    fn request(&self, n: usize) -> pb::ListBudgetLinesRequest {
        pb::ListBudgetLinesRequest {
            org_unit: format!("orgUnits/{}", self.names[n % self.names.len()]),
            include_descendants: self.descendants,
            page_size: 100,
            ..Default::default()
        }
    }

    fn units(&self, n: usize) -> &[String] {
        &self.subtrees[n % self.subtrees.len()]
    }
}

struct Run {
    rows: Vec<Row>,
    goals: Vec<Goal>,
}

impl Run {
    fn push(&mut self, what: String, stats: Stats, server: Option<&ServerProcess>) -> Stats {
        self.rows.push(Row {
            what,
            stats: stats.clone(),
            server_peak: server.map(ServerProcess::peak_mib),
        });
        stats
    }
}

/// Measures SummarizeBudget for `units` (the subtree of `unit`) against the GROUP BY.
async fn summary(
    run: &mut Run,
    server: &ServerProcess,
    db: &DatabaseConnection,
    (label, unit, units): (&str, &str, Vec<String>),
    limit: Limit,
) -> anyhow::Result<()> {
    let year = Shape::LAST_YEAR;
    let units = Arc::new(units);
    let client = BudgetServiceClient::new(channels(server.addr, 1).await?.remove(0));

    // The two must agree before their times are compared.
    let answer = client
        .clone()
        .summarize_budget(summary_request(unit, year))
        .await?
        .into_inner();
    let rows = baseline::summary_sql(db, &units, year)
        .await
        .map_err(anyhow::Error::msg)?;
    let sql_actual: i64 = rows
        .iter()
        .filter(|r| r.1 == "actual" && r.2 == year)
        .map(|r| r.5)
        .sum();
    let server_actual = answer
        .totals
        .and_then(|t| t.net_cost)
        .and_then(|f| f.actual_sek);
    if server_actual != Some(sql_actual) {
        println!(
            "WARNING SummarizeBudget {label}: net cost actual {server_actual:?} but the GROUP BY sums to {sql_actual}"
        );
    }

    let request = summary_request(unit, year);
    let floor_units = units.clone();
    let turns = in_turns(
        limit,
        limit.calls as u32,
        |round| {
            let (client, request) = (client.clone(), request.clone());
            async move {
                Ok(drive(vec![client], round, move |mut c, _| {
                    let request = request.clone();
                    async move {
                        c.summarize_budget(request).await.map_err(status)?;
                        Ok(())
                    }
                })
                .await)
            }
        },
        |round| {
            let (db, units) = (db.clone(), floor_units.clone());
            async move {
                Ok(drive(vec![db], round, move |db, _| {
                    let units = units.clone();
                    async move {
                        baseline::summary_sql(&db, &units, year).await?;
                        Ok(())
                    }
                })
                .await)
            }
        },
    )
    .await?;
    let served = run.push(
        format!("SummarizeBudget {label}"),
        turns.a.clone(),
        Some(server),
    );
    let floor = run.push(
        format!("hand-written GROUP BY, {label} ({} units)", units.len()),
        turns.b.clone(),
        None,
    );
    run.goals.push(Goal::at_most(
        format!(
            "SummarizeBudget {label}: p50 ÷ GROUP BY p50 (rounds: {})",
            turns.per_round(p50_ratio)
        ),
        p50_ratio(&served, &floor),
        "×",
        1.5,
    ));
    Ok(())
}

/// Measures ListBudgetLines for `scope` at 1, 16 and 64 clients against the same SELECT
/// plus encoding, run at the same concurrency; with `bare` (a directory for its log), also
/// a bare tonic server answering the server's first page from memory: what the transport
/// alone costs.
async fn list(
    run: &mut Run,
    server: &ServerProcess,
    db: &DatabaseConnection,
    scope: ListScope,
    bare: Option<&Path>,
) -> anyhow::Result<()> {
    let probe = BudgetServiceClient::new(channels(server.addr, 1).await?.remove(0));
    let page = probe
        .clone()
        .list_budget_lines(scope.request(0))
        .await?
        .into_inner();
    let served: Vec<i64> = page.budget_lines.iter().map(|l| l.amount_sek).collect();
    let bare = match bare {
        Some(dir) => Some(ServerProcess::start(
            &["bare-pages", &canned_arg(&page)],
            &dir.join("bare-pages.log"),
        )?),
        None => None,
    };
    let rows = baseline::page_sql(db, scope.units(0))
        .await
        .map_err(anyhow::Error::msg)?;
    let (encoded, floor) = baseline::encode_page(&rows).map_err(anyhow::Error::msg)?;
    if served != floor {
        println!(
            "WARNING ListBudgetLines {}: the server's first page differs from the SELECT's",
            scope.label
        );
    }
    // Encoding alone, in process: part of the floor below.
    let encode = drive(
        vec![Arc::new(rows)],
        Limit {
            calls: 2000,
            duration: Duration::from_secs(2),
            warmup: 10,
        },
        |rows, _| async move { baseline::encode_page(&rows).map(|_| ()) },
    )
    .await;
    run.push(
        format!(
            "encode a page of 100 lines ({} bytes), {}",
            encoded.len(),
            scope.label
        ),
        encode,
        None,
    );

    for clients in CONCURRENCY {
        let turns = in_turns(
            LIST,
            ROUNDS,
            |round| list_load(server.addr, clients, scope.clone(), round),
            |round| {
                let scope = scope.clone();
                async move { Ok(floor_load(db, clients, scope, round).await) }
            },
        )
        .await?;
        let served = run.push(
            format!("ListBudgetLines {}", scope.label),
            turns.a.clone(),
            Some(server),
        );
        let floor = run.push(
            format!("same SELECT … LIMIT 101 + encode, {}", scope.label),
            turns.b.clone(),
            None,
        );
        if let Some(bare) = &bare {
            let stats = list_load(bare.addr, clients, scope.clone(), LIST).await?;
            run.push(
                format!("bare tonic answering the page from memory, {}", scope.label),
                stats,
                Some(bare),
            );
        }
        run.goals.push(Goal::at_most(
            format!(
                "ListBudgetLines {}, {clients} client{}: p50 ÷ (SELECT + encode) p50 (rounds: {})",
                scope.label,
                if clients == 1 { "" } else { "s" },
                turns.per_round(p50_ratio)
            ),
            p50_ratio(&served, &floor),
            "×",
            2.0,
        ));
        if clients == 1 {
            run.goals.push(Goal::at_most(
                format!("ListBudgetLines {}, 1 client: p50", scope.label),
                served.p50_ms(),
                " ms",
                5.0,
            ));
        }
    }
    Ok(())
}

/// Measures GetOrgUnit at 64 clients against a bare tonic server answering a canned unit
/// of the same encoded size (the real server's own answer).
async fn get(
    run: &mut Run,
    server: &ServerProcess,
    departments: Arc<Vec<String>>,
    dir: &Path,
) -> anyhow::Result<f64> {
    let mut probe = OrganizationServiceClient::new(channels(server.addr, 1).await?.remove(0));
    let canned = probe
        .get_org_unit(get_request(&departments, 0))
        .await?
        .into_inner();
    let bare = ServerProcess::start(&["bare-serve", &canned_arg(&canned)], &dir.join("bare.log"))?;

    let turns = in_turns(
        GET,
        ROUNDS,
        |round| get_load(server.addr, GET_CLIENTS, departments.clone(), round),
        |round| get_load(bare.addr, GET_CLIENTS, departments.clone(), round),
    )
    .await?;
    let size = canned.encoded_len();
    let measured = [
        run.push(
            format!("GetOrgUnit, uppsikt ({size} bytes)"),
            turns.a.clone(),
            Some(server),
        ),
        run.push(
            format!("GetOrgUnit, bare tonic, canned ({size} bytes)"),
            turns.b.clone(),
            Some(&bare),
        ),
    ];
    let rate_ratio = |a: &Stats, b: &Stats| a.rate() / b.rate();
    run.goals.push(Goal::at_least(
        format!(
            "GetOrgUnit, 64 clients: calls/s ÷ bare tonic calls/s (rounds: {})",
            turns.per_round(rate_ratio)
        ),
        rate_ratio(&measured[0], &measured[1]),
        "×",
        0.5,
    ));
    run.goals.push(Goal::at_most(
        "GetOrgUnit, 64 clients: p99",
        measured[0].p99_ms(),
        " ms",
        10.0,
    ));
    Ok(bare.stop())
}

/// GetOrgUnit for department `n` (cycling).
fn get_request(departments: &[String], n: usize) -> pb::GetOrgUnitRequest {
    pb::GetOrgUnitRequest {
        name: format!("orgUnits/{}", departments[n % departments.len()]),
        ..Default::default()
    }
}

/// GetOrgUnit from `clients` clients, each with a connection of its own, one department
/// after another.
async fn get_load(
    addr: SocketAddr,
    clients: usize,
    departments: Arc<Vec<String>>,
    limit: Limit,
) -> anyhow::Result<Stats> {
    let clients = channels(addr, clients)
        .await?
        .into_iter()
        .map(OrganizationServiceClient::new)
        .collect();
    Ok(drive(clients, limit, move |mut c, n| {
        let request = get_request(&departments, n);
        async move {
            c.get_org_unit(request).await.map_err(status)?;
            Ok(())
        }
    })
    .await)
}

/// Everything for one backend at `url`, which holds the generated data; with `summaries_only`,
/// the summaries alone (no list pages, no GetOrgUnit).
pub async fn backend(
    label: &str,
    url: &str,
    shape: Shape,
    dir: &Path,
    summaries_only: bool,
) -> anyhow::Result<()> {
    let log = dir.join(format!("server-{}.log", label.to_lowercase()));
    let server = ServerProcess::start(&["serve", url], &log)?;
    // After the server has migrated: the floors use the same kind of connection.
    let store = Store::connect(url).await?;
    let db = store.db().clone();
    let mut run = Run {
        rows: Vec::new(),
        goals: Vec::new(),
    };
    let divisions: Vec<String> = (0..24).map(|d| shape.division(d)).collect();
    let division_trees: Vec<Vec<String>> = (0..24).map(|d| shape.division_subtree(d)).collect();
    let departments = shape.departments();

    summary(
        &mut run,
        &server,
        &db,
        ("region", REGION, shape.region_subtree()),
        SUMMARY_REGION,
    )
    .await?;
    summary(
        &mut run,
        &server,
        &db,
        ("division", &divisions[0], division_trees[0].clone()),
        SUMMARY_DIVISION,
    )
    .await?;
    fact_summaries(&mut run, &server, &db, shape).await?;
    let bare_peak = if summaries_only {
        None
    } else {
        list(
            &mut run,
            &server,
            &db,
            ListScope::one_unit(departments.clone()),
            Some(dir),
        )
        .await?;
        let division_scope = ListScope {
            label: "division + descendants",
            names: Arc::new(divisions),
            subtrees: Arc::new(division_trees),
            descendants: true,
        };
        list(&mut run, &server, &db, division_scope, None).await?;
        Some(get(&mut run, &server, Arc::new(departments), dir).await?)
    };

    let peak = server.stop();
    store.close().await?;
    run.goals.push(Goal::at_most(
        "server peak RSS through all of it",
        peak,
        " MiB",
        100.0,
    ));
    print_rows(label, &run.rows);
    println!();
    let bare = bare_peak.map_or_else(String::new, |p| format!("; bare tonic server {p:.1} MiB"));
    println!(
        "{label}: server peak RSS (VmHWM) {peak:.1} MiB{bare}; server log {}",
        log.display()
    );
    print_goals(label, &run.goals);
    Ok(())
}

/// The floor of ListBudgetLines for `scope`: the same SELECT plus encoding, from `clients`
/// tasks sharing the pool of `db`.
async fn floor_load(
    db: &DatabaseConnection,
    clients: usize,
    scope: ListScope,
    limit: Limit,
) -> Stats {
    drive(vec![db.clone(); clients], limit, move |db, n| {
        let scope = scope.clone();
        async move {
            let rows = baseline::page_sql(&db, scope.units(n)).await?;
            baseline::encode_page(&rows)?;
            Ok(())
        }
    })
    .await
}

/// ListBudgetLines for `scope` from `clients` clients, each with a connection of its own;
/// each call's lines are received but not decoded (see `unread`), and it fails unless a
/// full first page came (one with a next page token: every scope has more than 100 lines).
async fn list_load(
    addr: SocketAddr,
    clients: usize,
    scope: ListScope,
    limit: Limit,
) -> anyhow::Result<Stats> {
    let list_clients: Vec<Grpc<Channel>> = channels(addr, clients)
        .await?
        .into_iter()
        .map(Grpc::new)
        .collect();
    Ok(drive(list_clients, limit, move |mut c, n| {
        let request = scope.request(n);
        async move {
            let page = unread::list_budget_lines(&mut c, request)
                .await
                .map_err(status)?;
            if page.next_page_token.is_empty() {
                return Err("a first page without a next page token".to_owned());
            }
            Ok(())
        }
    })
    .await)
}

/// One department at a time, as the `pages` and `floor` probes ask.
fn probe_scope() -> ListScope {
    ListScope::one_unit(Shape::default().departments())
}

fn probe_limit(seconds: u64) -> Limit {
    Limit {
        calls: usize::MAX,
        duration: Duration::from_secs(seconds),
        warmup: 2,
    }
}

fn print_probe(stats: &Stats) {
    println!(
        "{} calls, {} errors, {:.0} calls/s, p50 {:.3} ms, p99 {:.3} ms, {}–{} calls per client",
        stats.calls,
        stats.errors,
        stats.rate(),
        stats.p50_ms(),
        stats.p99_ms(),
        stats.calls_per_client.0,
        stats.calls_per_client.1
    );
}

/// `query_bench pages ADDR --clients N --seconds S`: ListBudgetLines for one department at
/// a time against a server already running (one started with `serve`), for profiling it.
pub async fn pages_only(addr: &str, clients: usize, seconds: u64) -> anyhow::Result<()> {
    let stats = list_load(addr.parse()?, clients, probe_scope(), probe_limit(seconds)).await?;
    print_probe(&stats);
    Ok(())
}

/// `query_bench gets ADDR --clients N --seconds S`: GetOrgUnit against a server already
/// running, for profiling it.
pub async fn gets_only(addr: &str, clients: usize, seconds: u64) -> anyhow::Result<()> {
    let departments = Arc::new(Shape::default().departments());
    let stats = get_load(addr.parse()?, clients, departments, probe_limit(seconds)).await?;
    print_probe(&stats);
    Ok(())
}

/// `query_bench floor URL --clients N --seconds S`: the floor of the same pages (the SELECT
/// plus encoding) in this process, on the kind of connection the server uses.
pub async fn floor_only(url: &str, clients: usize, seconds: u64) -> anyhow::Result<()> {
    let store = Store::connect(url).await?;
    let stats = floor_load(store.db(), clients, probe_scope(), probe_limit(seconds)).await;
    print_probe(&stats);
    store.close().await?;
    Ok(())
}

/// A call of one side of a summary comparison: the answer when `check` is set (for the
/// comparison), else only the work the side does (timed).
type Side<C> = fn(C, Arc<Scope>, i32, bool) -> BoxFuture<'static, Result<Answer, String>>;

fn staffing_api(
    channel: Channel,
    scope: Arc<Scope>,
    year: i32,
    check: bool,
) -> BoxFuture<'static, Result<Answer, String>> {
    Box::pin(async move {
        let response = StaffingServiceClient::new(channel)
            .summarize_staffing(summaries::staffing_request(&scope.root, year))
            .await
            .map_err(status)?
            .into_inner();
        Ok(if check {
            summaries::staffing_answer(&response)
        } else {
            Answer::new()
        })
    })
}

fn investments_api(
    channel: Channel,
    scope: Arc<Scope>,
    year: i32,
    check: bool,
) -> BoxFuture<'static, Result<Answer, String>> {
    Box::pin(async move {
        let response = InvestmentServiceClient::new(channel)
            .summarize_investments(summaries::investments_request(&scope.root, year))
            .await
            .map_err(status)?
            .into_inner();
        Ok(if check {
            summaries::investments_answer(&response)
        } else {
            Answer::new()
        })
    })
}

fn indicators_api(
    channel: Channel,
    scope: Arc<Scope>,
    year: i32,
    check: bool,
) -> BoxFuture<'static, Result<Answer, String>> {
    Box::pin(async move {
        let response = IndicatorServiceClient::new(channel)
            .summarize_indicators(summaries::indicators_request(&scope.root, year))
            .await
            .map_err(status)?
            .into_inner();
        Ok(if check {
            summaries::indicators_answer(&response)
        } else {
            Answer::new()
        })
    })
}

fn staffing_floor(
    db: DatabaseConnection,
    scope: Arc<Scope>,
    year: i32,
    _: bool,
) -> BoxFuture<'static, Result<Answer, String>> {
    Box::pin(async move { summaries::staffing_sql(&db, &scope, year).await })
}

fn investments_floor(
    db: DatabaseConnection,
    scope: Arc<Scope>,
    year: i32,
    _: bool,
) -> BoxFuture<'static, Result<Answer, String>> {
    Box::pin(async move { summaries::investments_sql(&db, &scope, year).await })
}

fn indicators_floor(
    db: DatabaseConnection,
    scope: Arc<Scope>,
    year: i32,
    _: bool,
) -> BoxFuture<'static, Result<Answer, String>> {
    Box::pin(async move { summaries::indicators_sql(&db, &scope, year).await })
}

/// One summary RPC against its hand-written SQL for `scope`: the two answers must agree
/// figure by figure (the run fails when they do not), then they take turns call by call.
#[allow(clippy::too_many_arguments)]
async fn fact_summary(
    run: &mut Run,
    server: &ServerProcess,
    db: &DatabaseConnection,
    (rpc, label, scope): (&str, &str, Scope),
    limit: Limit,
    api: Side<Channel>,
    floor: Side<DatabaseConnection>,
) -> anyhow::Result<()> {
    let year = Shape::LAST_YEAR;
    let scope = Arc::new(scope);
    let channel = channels(server.addr, 1).await?.remove(0);
    let served = api(channel.clone(), scope.clone(), year, true)
        .await
        .map_err(anyhow::Error::msg)?;
    let by_hand = floor(db.clone(), scope.clone(), year, true)
        .await
        .map_err(anyhow::Error::msg)?;
    let differences = summaries::differences(&served, &by_hand, 20);
    anyhow::ensure!(
        differences.is_empty(),
        "{rpc} {label}: the API's figures differ from the hand-written SQL's ({} figures from the API, {} from SQL); first differences:\n  {}",
        served.len(),
        by_hand.len(),
        differences.join("\n  ")
    );
    println!(
        "{rpc} {label}: the API's {} figures equal the hand-written SQL's",
        served.len()
    );

    let turns = in_turns(
        limit,
        limit.calls as u32,
        |round| {
            let (channel, scope) = (channel.clone(), scope.clone());
            async move {
                Ok(drive(vec![channel], round, move |c, _| {
                    let scope = scope.clone();
                    async move { api(c, scope, year, false).await.map(|_| ()) }
                })
                .await)
            }
        },
        |round| {
            let (db, scope) = (db.clone(), scope.clone());
            async move {
                Ok(drive(vec![db], round, move |db, _| {
                    let scope = scope.clone();
                    async move { floor(db, scope, year, false).await.map(|_| ()) }
                })
                .await)
            }
        },
    )
    .await?;
    let served = run.push(format!("{rpc} {label}"), turns.a.clone(), Some(server));
    let floor = run.push(
        format!(
            "hand-written SQL, {rpc} {label} ({} units)",
            scope.units.len()
        ),
        turns.b.clone(),
        None,
    );
    run.goals.push(Goal::at_most(
        format!(
            "{rpc} {label}: p50 ÷ hand-written SQL p50 (rounds: {})",
            turns.per_round(p50_ratio)
        ),
        p50_ratio(&served, &floor),
        "×",
        1.5,
    ));
    Ok(())
}

/// SummarizeStaffing, SummarizeInvestments and SummarizeIndicators for the region and a
/// division, each against its hand-written SQL.
async fn fact_summaries(
    run: &mut Run,
    server: &ServerProcess,
    db: &DatabaseConnection,
    shape: Shape,
) -> anyhow::Result<()> {
    let sides: [(&str, Side<Channel>, Side<DatabaseConnection>); 3] = [
        ("SummarizeStaffing", staffing_api, staffing_floor),
        ("SummarizeInvestments", investments_api, investments_floor),
        ("SummarizeIndicators", indicators_api, indicators_floor),
    ];
    for (rpc, api, floor) in sides {
        for (label, scope, limit) in [
            ("region", Scope::region(&shape), SUMMARY_REGION),
            ("division", Scope::division(&shape, 0), SUMMARY_DIVISION),
        ] {
            fact_summary(run, server, db, (rpc, label, scope), limit, api, floor).await?;
        }
    }
    Ok(())
}

/// The fixed cost of a summary on small data: on the demo data set, the same unit and span
/// (HSN, Jan–Apr 2025) asked of SummarizeBudget, SummarizeStaffing, SummarizeInvestments and
/// SummarizeIndicators in turns, call by call, from one client; each summary's p50 beside
/// SummarizeBudget's.
pub async fn demo_cost(addr: SocketAddr, seconds: u64) -> anyhow::Result<()> {
    let channel = channels(addr, 1).await?.remove(0);
    let (unit, year, from, to) = ("orgUnits/HSN", 2025, 1, 4);
    let budget = pb::SummarizeBudgetRequest {
        org_unit: unit.into(),
        fiscal_year: year,
        from_month: from,
        to_month: to,
        ..Default::default()
    };
    let limit = Limit {
        calls: usize::MAX,
        duration: Duration::from_secs(seconds),
        warmup: 20,
    };
    type Call = fn(Channel) -> BoxFuture<'static, Result<(), String>>;
    let others: [(&str, Call); 3] = [
        ("SummarizeStaffing", |c| {
            Box::pin(async move {
                let request = pb::SummarizeStaffingRequest {
                    org_unit: "orgUnits/HSN".into(),
                    fiscal_year: 2025,
                    from_month: 1,
                    to_month: 4,
                    ..Default::default()
                };
                StaffingServiceClient::new(c)
                    .summarize_staffing(request)
                    .await
                    .map(|_| ())
                    .map_err(status)
            })
        }),
        ("SummarizeInvestments", |c| {
            Box::pin(async move {
                let request = pb::SummarizeInvestmentsRequest {
                    org_unit: "orgUnits/HSN".into(),
                    fiscal_year: 2025,
                    from_month: 1,
                    to_month: 4,
                    ..Default::default()
                };
                InvestmentServiceClient::new(c)
                    .summarize_investments(request)
                    .await
                    .map(|_| ())
                    .map_err(status)
            })
        }),
        ("SummarizeIndicators", |c| {
            Box::pin(async move {
                let request = pb::SummarizeIndicatorsRequest {
                    org_unit: "orgUnits/HSN".into(),
                    fiscal_year: 2025,
                    ..Default::default()
                };
                IndicatorServiceClient::new(c)
                    .summarize_indicators(request)
                    .await
                    .map(|_| ())
                    .map_err(status)
            })
        }),
    ];
    println!();
    println!("Demo data, HSN Jan–Apr 2025 (2025 for indicators), one client, in turns:");
    println!();
    println!("| call | calls | p50 ms | p99 ms | p50 ÷ SummarizeBudget p50 |");
    println!("|---|---:|---:|---:|---:|");
    for (rpc, call) in others {
        let turns = in_turns(
            limit,
            ROUNDS,
            |round| {
                let (channel, request) = (channel.clone(), budget.clone());
                async move {
                    Ok(drive(vec![channel], round, move |c, _| {
                        let request = request.clone();
                        async move {
                            BudgetServiceClient::new(c)
                                .summarize_budget(request)
                                .await
                                .map(|_| ())
                                .map_err(status)
                        }
                    })
                    .await)
                }
            },
            |round| {
                let channel = channel.clone();
                async move { Ok(drive(vec![channel], round, move |c, _| call(c)).await) }
            },
        )
        .await?;
        for (what, stats) in [("SummarizeBudget", &turns.a), (rpc, &turns.b)] {
            if let Some(e) = &stats.first_error {
                anyhow::bail!("{what} on the demo data failed: {e}");
            }
        }
        println!(
            "| SummarizeBudget (beside {rpc}) | {} | {:.3} | {:.3} | 1 |",
            turns.a.calls,
            turns.a.p50_ms(),
            turns.a.p99_ms()
        );
        println!(
            "| {rpc} | {} | {:.3} | {:.3} | {:.2} (rounds: {}) |",
            turns.b.calls,
            turns.b.p50_ms(),
            turns.b.p99_ms(),
            p50_ratio(&turns.b, &turns.a),
            turns.per_round(|budget, other| p50_ratio(other, budget))
        );
    }
    Ok(())
}
