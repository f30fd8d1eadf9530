//! The operations side over a real server: `/metrics` counts the calls made, the imports
//! and the pool; `x-request-id` comes back; readiness (gRPC health and `/readyz`) turns
//! NOT_SERVING when the database goes away and SERVING when it is back; a pooled connection
//! the database closed while idle is replaced without a failed call.

use crate::common;

use common::{TestApp, TestDatabase, for_each_backend};
use sea_orm::{ConnectionTrait, Database};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use uppsikt::ops::readiness::ReadinessOptions;
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::import_record::Kind;
use uppsikt::proto::v1::import_request::Content;
use uppsikt::server::ServeOptions;

/// Readiness checks this often in these tests, so that a change shows within a second.
const CHECK_EVERY: Duration = Duration::from_millis(200);

/// A server with its admin listener; returns the admin address too.
async fn start(database: TestDatabase, demo: bool) -> (TestApp, SocketAddr) {
    start_checking_every(database, demo, CHECK_EVERY).await
}

/// `start` with readiness checked every `interval`.
async fn start_checking_every(
    database: TestDatabase,
    demo: bool,
    interval: Duration,
) -> (TestApp, SocketAddr) {
    let admin = std::net::TcpListener::bind("127.0.0.1:0").expect("bind admin");
    let admin_address = admin.local_addr().expect("admin address");
    let options = ServeOptions {
        admin_listener: Some(std::sync::Arc::new(admin)),
        readiness: ReadinessOptions {
            interval,
            timeout: Duration::from_secs(2),
        },
        ..Default::default()
    };
    let app = TestApp::start_with(database, options).await;
    if demo {
        uppsikt::demo::load(&app.store)
            .await
            .unwrap_or_else(|e| panic!("{}: demo load: {e}", app.label));
    }
    (app, admin_address)
}

/// A plain HTTP/1.1 GET: (status, body).
async fn get(address: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect admin");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {response}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The value of the sample whose name and labels are exactly `series`.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let (name, value) = line.rsplit_once(' ')?;
        (name == series).then(|| value.parse().expect("a number"))
    })
}

fn summary_request() -> pb::SummarizeBudgetRequest {
    pb::SummarizeBudgetRequest {
        org_unit: "orgUnits/HSN".to_owned(),
        fiscal_year: 2025,
        from_month: 1,
        to_month: 4,
        ..Default::default()
    }
}

fn import_messages(request_id: &str) -> Vec<pb::ImportRequest> {
    let record = |kind| pb::ImportRequest {
        content: Some(Content::Record(pb::ImportRecord {
            kind: Some(kind),
            ..Default::default()
        })),
    };
    vec![
        pb::ImportRequest {
            content: Some(Content::Header(pb::ImportHeader {
                source: Some(pb::ImportSource {
                    document: "ops-test".to_owned(),
                    ..Default::default()
                }),
                request_id: request_id.to_owned(),
                dry_run: false,
                file: None,
            })),
        },
        record(Kind::BudgetLine(pb::BudgetLineRecord {
            org_unit: "HSN".to_owned(),
            category: "PERSONALKOSTNADER".to_owned(),
            fiscal_year: 2031,
            from_month: 1,
            to_month: 1,
            scenario: pb::Scenario::Budget as i32,
            amount_sek: -1_000,
        })),
        record(Kind::BudgetLine(pb::BudgetLineRecord {
            org_unit: "HSN".to_owned(),
            category: "PERSONALKOSTNADER".to_owned(),
            fiscal_year: 2031,
            from_month: 2,
            to_month: 2,
            scenario: pb::Scenario::Budget as i32,
            amount_sek: -2_000,
        })),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_calls_codes_imports_and_the_pool() {
    for database in TestDatabase::all().await {
        let (app, admin) = start(database, true).await;
        let label = app.label;
        for _ in 0..3 {
            let summary = app
                .budget()
                .summarize_budget(summary_request())
                .await
                .unwrap_or_else(|e| panic!("{label}: summary: {e:?}"))
                .into_inner();
            // The report's HSN net cost Jan–Apr 2025: −1 271 592 tkr (lines add to −1 271 593).
            let net = summary.totals.expect("totals").net_cost.expect("net cost");
            assert_eq!(net.actual_sek, Some(-1_271_593_000), "{label}");
        }
        let unknown = app
            .organization()
            .get_org_unit(pb::GetOrgUnitRequest {
                name: "orgUnits/NO-SUCH-UNIT".to_owned(),
                ..Default::default()
            })
            .await
            .expect_err("an unknown unit");
        assert_eq!(unknown.code(), tonic::Code::NotFound, "{label}");
        let bad = app
            .budget()
            .summarize_budget(pb::SummarizeBudgetRequest {
                from_month: 13,
                ..summary_request()
            })
            .await
            .expect_err("month 13");
        assert_eq!(bad.code(), tonic::Code::InvalidArgument, "{label}");
        app.imports()
            .import(tokio_stream::iter(import_messages("ops-1")))
            .await
            .unwrap_or_else(|e| panic!("{label}: import: {e:?}"));
        // The same request id again: replayed, nothing written.
        app.imports()
            .import(tokio_stream::iter(import_messages("ops-1")))
            .await
            .unwrap_or_else(|e| panic!("{label}: replay: {e:?}"));

        let (status, metrics) = get(admin, "/metrics").await;
        assert_eq!(status, 200, "{label}: {metrics}");
        let budget = r#"grpc_service="uppsikt.v1.BudgetService",grpc_method="SummarizeBudget""#;
        let expect = |series: String, value: f64| {
            assert_eq!(
                sample(&metrics, &series),
                Some(value),
                "{label}: {series} in\n{metrics}"
            );
        };
        expect(format!("grpc_server_started_total{{{budget}}}"), 4.0);
        expect(
            format!(r#"grpc_server_handled_total{{{budget},grpc_code="OK"}}"#),
            3.0,
        );
        expect(
            format!(r#"grpc_server_handled_total{{{budget},grpc_code="INVALID_ARGUMENT"}}"#),
            1.0,
        );
        expect(
            r#"grpc_server_handled_total{grpc_service="uppsikt.v1.OrganizationService",grpc_method="GetOrgUnit",grpc_code="NOT_FOUND"}"#.to_owned(),
            1.0,
        );
        expect(
            format!("grpc_server_handling_seconds_count{{{budget}}}"),
            4.0,
        );
        expect(
            format!(r#"grpc_server_handling_seconds_bucket{{le="+Inf",{budget}}}"#),
            4.0,
        );
        expect(
            r#"grpc_server_handled_total{grpc_service="uppsikt.v1.ImportService",grpc_method="Import",grpc_code="OK"}"#.to_owned(),
            2.0,
        );
        expect(
            r#"uppsikt_imports_total{result="committed"}"#.to_owned(),
            1.0,
        );
        expect(
            r#"uppsikt_imports_total{result="replayed"}"#.to_owned(),
            1.0,
        );
        expect(
            r#"uppsikt_import_records_total{kind="budget_line",outcome="inserted"}"#.to_owned(),
            2.0,
        );
        expect("uppsikt_ready".to_owned(), 1.0);
        let max = if label == "sqlite" {
            8.0
        } else {
            default_server_pool() as f64
        };
        expect(
            r#"uppsikt_db_pool_max_connections{pool="primary"}"#.to_owned(),
            max,
        );
        let in_use = sample(
            &metrics,
            r#"uppsikt_db_pool_connections{pool="primary",state="in_use"}"#,
        )
        .unwrap_or_else(|| panic!("{label}: in_use in\n{metrics}"));
        let idle = sample(
            &metrics,
            r#"uppsikt_db_pool_connections{pool="primary",state="idle"}"#,
        )
        .unwrap_or_else(|| panic!("{label}: idle in\n{metrics}"));
        assert!(
            in_use >= 0.0 && idle >= 1.0 && in_use + idle <= max,
            "{label}: in_use {in_use}, idle {idle}, max {max}"
        );
        app.stop().await;
    }
}

/// The documented default for PostgreSQL and MySQL: two connections per core, 4 to 16.
fn default_server_pool() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (2 * cores).clamp(4, 16)
}

/// `uppsikt serve --database-pool-size 3`, the real binary: both its pools (the primary's
/// and the read database's) open at most 3 connections, as its /metrics shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_pool_size_bounds_every_pool() {
    for database in TestDatabase::all().await {
        let label = database.label;
        let admin = {
            // A free port for the admin listener (the binary does not print its address).
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            probe.local_addr().expect("address")
        };
        let server = std::process::Command::new(env!("CARGO_BIN_EXE_uppsikt"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database-pool-size",
                "3",
            ])
            .args(["--admin-listen", &admin.to_string()])
            .args(["--read-database-url", &database.url])
            .env("UPPSIKT_DATABASE_URL", &database.url)
            .env_remove("UPPSIKT_AUTH_FILE")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run uppsikt serve");
        let _stopped = KilledOnDrop(server);
        let mut waited = Duration::ZERO;
        while tokio::net::TcpStream::connect(admin).await.is_err() {
            assert!(
                waited < Duration::from_secs(60),
                "{label}: the admin listener never came up"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += Duration::from_millis(50);
        }
        let (status, metrics) = get(admin, "/metrics").await;
        assert_eq!(status, 200, "{label}: {metrics}");
        for pool in ["primary", "reader"] {
            let series = format!(r#"uppsikt_db_pool_max_connections{{pool="{pool}"}}"#);
            assert_eq!(
                sample(&metrics, &series),
                Some(3.0),
                "{label}: {series} in\n{metrics}"
            );
        }
    }
}

/// A child process stopped when the test leaves its scope, passing or failing.
struct KilledOnDrop(std::process::Child);

impl Drop for KilledOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_id_is_returned_and_generated_when_absent() {
    for_each_backend(false, async |app| {
        let mut sent = tonic::Request::new(pb::ListCategoriesRequest::default());
        sent.metadata_mut()
            .insert("x-request-id", "ops-test-42".parse().expect("ascii"));
        let response = app.budget().list_categories(sent).await.expect("list");
        assert_eq!(
            response
                .metadata()
                .get("x-request-id")
                .map(|v| v.to_str().unwrap()),
            Some("ops-test-42"),
            "{}",
            app.label
        );
        // Without one, a new id comes back, also on an error (a trailers-only response).
        let error = app
            .organization()
            .get_org_unit(pb::GetOrgUnitRequest {
                name: "orgUnits/NO-SUCH-UNIT".to_owned(),
                ..Default::default()
            })
            .await
            .expect_err("not found");
        let generated = error
            .metadata()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{}: an id on the error: {error:?}", app.label));
        assert!(uuid::Uuid::parse_str(generated).is_ok(), "{generated}");
    })
    .await;
}

/// gRPC health of the server (`""`) and of one service, and `/readyz`.
async fn readiness(app: &TestApp, admin: SocketAddr) -> (ServingStatus, ServingStatus, u16) {
    let health = HealthClient::new(app.channel.clone());
    let status = |service: &str| {
        let mut health = health.clone();
        let request = HealthCheckRequest {
            service: service.to_owned(),
        };
        async move {
            health
                .check(request)
                .await
                .expect("health check")
                .into_inner()
                .status()
        }
    };
    let server = status("").await;
    let budget = status("uppsikt.v1.BudgetService").await;
    let (http, _) = get(admin, "/readyz").await;
    (server, budget, http)
}

/// Waits up to 10 s for readiness to be `serving` everywhere.
async fn wait_for(app: &TestApp, admin: SocketAddr, serving: bool) {
    let want = if serving {
        (ServingStatus::Serving, ServingStatus::Serving, 200)
    } else {
        (ServingStatus::NotServing, ServingStatus::NotServing, 503)
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = readiness(app, admin).await;
        if now == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}: readiness stayed {now:?}, expected {want:?}",
            app.label
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_a_sqlite_file_that_goes_and_comes_back() {
    let database = TestDatabase::sqlite();
    let path = database
        .url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .expect("a path")
        .to_owned();
    let (app, admin) = start(database, false).await;
    wait_for(&app, admin, true).await;
    assert_eq!(get(admin, "/livez").await.0, 200);

    let moved = format!("{path}.moved");
    std::fs::rename(&path, &moved).expect("move the database file away");
    wait_for(&app, admin, false).await;
    let (_, body) = get(admin, "/readyz").await;
    assert!(body.contains("is gone"), "the reason: {body}");
    assert_eq!(get(admin, "/livez").await.0, 200, "alive while not ready");

    std::fs::rename(&moved, &path).expect("move the database file back");
    wait_for(&app, admin, true).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_a_postgres_database_that_is_dropped_and_recreated() {
    let Ok(url) = std::env::var(common::POSTGRES_ENV) else {
        eprintln!("skipped: {} is not set", common::POSTGRES_ENV);
        return;
    };
    let database = TestDatabase::all()
        .await
        .into_iter()
        .find(|d| d.label == "postgres")
        .expect("a postgres database");
    let database_url = database.url.clone();
    let (admin_url, name) = database.server_admin().expect("a server database");
    let (admin_url, name) = (admin_url.to_owned(), name.to_owned());
    let (app, admin) = start(database, false).await;
    wait_for(&app, admin, true).await;

    let postgres = Database::connect(&admin_url)
        .await
        .expect("admin connection");
    postgres
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await
        .expect("terminate connections");
    postgres
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .expect("drop the database");
    wait_for(&app, admin, false).await;
    // Calls fail meanwhile, as UNAVAILABLE or INTERNAL, never a hang.
    let during = tokio::time::timeout(
        Duration::from_secs(35),
        app.budget()
            .list_categories(pb::ListCategoriesRequest::default()),
    )
    .await
    .expect("an answer");
    assert!(during.is_err(), "no database, no categories: {during:?}");

    postgres
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the database again");
    uppsikt::store::Store::open(&database_url)
        .await
        .expect("migrate")
        .close()
        .await
        .expect("close");
    wait_for(&app, admin, true).await;
    postgres.close().await.ok();
    drop(url);
    app.stop().await;
}

/// Closes every connection the server has to database `name` from `admin_url`'s side, as a
/// database restart or an idle-connection reaper would; returns how many it closed.
async fn close_connections(admin_url: &str, name: &str) -> usize {
    let admin = Database::connect(admin_url)
        .await
        .expect("admin connection");
    let closed = match admin.get_database_backend() {
        sea_orm::DbBackend::Postgres => admin
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                ),
            ))
            .await
            .expect("terminate connections")
            .len(),
        backend => {
            let ids = admin
                .query_all_raw(sea_orm::Statement::from_string(
                    backend,
                    format!("SELECT id FROM information_schema.processlist WHERE db = '{name}'"),
                ))
                .await
                .expect("list connections");
            for row in &ids {
                let id: i64 = row.try_get_by_index(0).expect("a connection id");
                admin
                    .execute_unprepared(&format!("KILL {id}"))
                    .await
                    .expect("kill a connection");
            }
            ids.len()
        }
    };
    admin.close().await.ok();
    closed
}

/// The pool does not ping a connection on every checkout (an extra round trip per query),
/// only one idle for over 500 ms: a connection the database closed while it sat idle is
/// found dead on checkout and replaced, so the next call succeeds. The same holds for the
/// connection the org version is read on, which is kept out of the pool
/// (`store::version_connection`): GetOrgUnit reads the version on every call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_closed_while_idle_is_replaced_without_a_failed_call() {
    for database in TestDatabase::all().await {
        let Some((admin_url, name)) = database.server_admin() else {
            continue;
        };
        let (admin_url, name) = (admin_url.to_owned(), name.to_owned());
        // Readiness checks would find the closed connections first; here only calls may.
        let options = ServeOptions {
            readiness: ReadinessOptions {
                interval: Duration::from_secs(3600),
                timeout: Duration::from_secs(2),
            },
            ..Default::default()
        };
        let app = TestApp::start_with(database, options).await;
        uppsikt::demo::load(&app.store)
            .await
            .unwrap_or_else(|e| panic!("{}: demo load: {e}", app.label));
        let call = || async {
            app.budget()
                .list_categories(pb::ListCategoriesRequest::default())
                .await?;
            app.organization()
                .get_org_unit(pb::GetOrgUnitRequest {
                    name: "orgUnits/HSN".to_owned(),
                    ..Default::default()
                })
                .await
        };
        call()
            .await
            .unwrap_or_else(|s| panic!("{}: before: {s:?}", app.label));
        let closed = close_connections(&admin_url, &name).await;
        assert!(closed > 0, "{}: no connection to close", app.label);
        // Longer than the ping window, so every connection used before the close is pinged.
        tokio::time::sleep(Duration::from_millis(700)).await;
        call().await.unwrap_or_else(|s| {
            panic!(
                "{}: a call after {closed} connections were closed: {s:?}",
                app.label
            )
        });
        app.stop().await;
    }
}

/// A TCP relay to a database server that the test can take down (every relayed connection
/// cut, new ones refused) and bring back on the same port, as a database that stops and
/// starts looks to the server, without stopping the database other tests use.
struct Relay {
    address: SocketAddr,
    target: SocketAddr,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind relay");
        let relay = Self {
            address: listener.local_addr().expect("relay address"),
            target,
            tasks: Default::default(),
        };
        relay.serve(listener);
        relay
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let (target, tasks) = (self.target, self.tasks.clone());
        let accepting = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let piping = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().expect("lock").push(piping);
            }
        });
        self.tasks.lock().expect("lock").push(accepting);
    }

    /// Cuts every connection and refuses new ones.
    fn down(&self) {
        for task in self.tasks.lock().expect("lock").drain(..) {
            task.abort();
        }
    }

    async fn up(&self) {
        let listener = tokio::net::TcpListener::bind(self.address)
            .await
            .expect("bind the relay's port again");
        self.serve(listener);
    }
}

/// While the database is known to be away (the readiness check found it unreachable),
/// calls fail within a second with UNAVAILABLE, the cause and a retry hint (RetryInfo over
/// gRPC, Retry-After over HTTP) instead of waiting for the pool; when it is back, calls
/// succeed again without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_fail_fast_while_the_database_is_away_and_recover_by_themselves() {
    use tonic_types::StatusExt;
    for mut database in TestDatabase::all().await {
        if database.server_admin().is_none() {
            continue;
        }
        // The server reaches the database through the relay.
        let (prefix, rest) = database.url.split_once('@').expect("user@host in the URL");
        let (host, path) = rest.split_once('/').expect("host/database in the URL");
        let target: SocketAddr = tokio::net::lookup_host(host)
            .await
            .expect("resolve the database host")
            .find(SocketAddr::is_ipv4)
            .expect("an IPv4 address");
        let relay = Relay::start(target).await;
        database.url = format!("{prefix}@{}/{path}", relay.address);
        let (app, admin) = start(database, true).await;
        let label = app.label;
        let read = || {
            let mut organization = app.organization();
            async move {
                organization
                    .get_org_unit(pb::GetOrgUnitRequest {
                        name: "orgUnits/HSN".to_owned(),
                        ..Default::default()
                    })
                    .await
            }
        };
        read()
            .await
            .unwrap_or_else(|s| panic!("{label}: before: {s:?}"));

        relay.down();
        wait_for(&app, admin, false).await;
        let (_, reason) = get(admin, "/readyz").await;
        assert!(reason.starts_with("not ready: "), "{label}: {reason}");
        let started = std::time::Instant::now();
        let refused = read().await.expect_err("no database, no unit");
        let elapsed = started.elapsed();
        assert!(
            elapsed < Duration::from_secs(1),
            "{label}: refused after {elapsed:?}"
        );
        assert_eq!(
            refused.code(),
            tonic::Code::Unavailable,
            "{label}: {refused:?}"
        );
        assert!(
            refused.message().contains("unreachable") && refused.message().contains("retry in 1 s"),
            "{label}: the cause and when to retry: {}",
            refused.message()
        );
        let details = refused.get_error_details();
        assert_eq!(
            details.retry_info().and_then(|r| r.retry_delay),
            Some(Duration::from_secs(1)),
            "{label}: RetryInfo"
        );
        assert_eq!(
            details.error_info().map(|i| i.reason.as_str()),
            Some("DATABASE_UNAVAILABLE"),
            "{label}: ErrorInfo"
        );
        let started = std::time::Instant::now();
        let over_http = common::http_client::get(
            app.address,
            "/uppsikt.v1.OrganizationService/GetOrgUnit?name=orgUnits/HSN",
            &[],
        )
        .await;
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{label}: HTTP refused late"
        );
        assert_eq!(
            over_http.status,
            http::StatusCode::SERVICE_UNAVAILABLE,
            "{label}"
        );
        assert_eq!(
            over_http
                .headers
                .get(http::header::RETRY_AFTER)
                .map(|v| v.as_bytes()),
            Some(&b"1"[..]),
            "{label}: Retry-After"
        );
        assert_eq!(over_http.json()["code"], "unavailable", "{label}");

        relay.up().await;
        wait_for(&app, admin, true).await;
        read()
            .await
            .unwrap_or_else(|s| panic!("{label}: after the database is back: {s:?}"));
        app.stop().await;
    }
}

/// An import the database drops out of mid-way fails UNAVAILABLE naming the record it had
/// reached, in the request's terms rather than the database's, and leaves nothing written.
/// Its failure makes the readiness check look at once: with checks an hour apart, the
/// server knows the database is away within a second, and refuses reads at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_cut_by_the_database_names_the_record_it_reached() {
    for mut database in TestDatabase::all().await {
        if database.server_admin().is_none() {
            continue;
        }
        let (prefix, rest) = database.url.split_once('@').expect("user@host in the URL");
        let (host, path) = rest.split_once('/').expect("host/database in the URL");
        let target: SocketAddr = tokio::net::lookup_host(host)
            .await
            .expect("resolve the database host")
            .find(SocketAddr::is_ipv4)
            .expect("an IPv4 address");
        let relay = Relay::start(target).await;
        database.url = format!("{prefix}@{}/{path}", relay.address);
        let (app, admin) = start_checking_every(database, true, Duration::from_secs(3600)).await;
        let label = app.label;
        // Distinct valid keys, more than a batch: the months of 2030–2200 in each scenario.
        let per_scenario = (2200 - 2030 + 1) * 12;
        let scenarios = [
            pb::Scenario::Budget,
            pb::Scenario::Actual,
            pb::Scenario::Forecast,
            pb::Scenario::Plan,
        ];
        let line = |i: usize| {
            common::import_record(Kind::BudgetLine(pb::BudgetLineRecord {
                org_unit: "HSN".to_owned(),
                category: "PERSONALKOSTNADER".to_owned(),
                fiscal_year: 2030 + (i % per_scenario / 12) as i32,
                from_month: (i % 12) as i32 + 1,
                to_month: (i % 12) as i32 + 1,
                scenario: *scenarios
                    .get(i / per_scenario)
                    .expect("keys for a batch and one more") as i32,
                amount_sek: -1_000,
            }))
        };
        let batch = uppsikt::import::run::BATCH_SIZE;
        let (send, receive) = tokio::sync::mpsc::channel(batch + 2);
        let mut imports = app.imports();
        let call = tokio::spawn(async move {
            imports
                .import(tokio_stream::wrappers::ReceiverStream::new(receive))
                .await
        });
        send.send(common::import_header("cut-short"))
            .await
            .expect("header");
        for i in 0..batch {
            send.send(line(i)).await.expect("record");
        }
        // The first batch is written; the database goes while the import waits for more.
        tokio::time::sleep(Duration::from_secs(2)).await;
        relay.down();
        send.send(line(batch)).await.expect("record");
        drop(send);
        let status = call
            .await
            .expect("the call's task")
            .expect_err("an import without its database");
        assert_eq!(
            status.code(),
            tonic::Code::Unavailable,
            "{label}: {status:?}"
        );
        let message = status.message();
        assert!(
            message.contains(&format!("records[{batch}] (budget_line)"))
                && message.contains("nothing was imported"),
            "{label}: the record reached: {message}"
        );
        assert!(
            !message.contains("database error") && !message.contains("returned from database"),
            "{label}: the database's own words: {message}"
        );
        let failed = std::time::Instant::now();
        wait_for(&app, admin, false).await;
        let noticed = failed.elapsed();
        assert!(
            noticed < Duration::from_secs(2),
            "{label}: noticed after {noticed:?}"
        );
        let started = std::time::Instant::now();
        let refused = app
            .organization()
            .get_org_unit(pb::GetOrgUnitRequest {
                name: "orgUnits/HSN".to_owned(),
                ..Default::default()
            })
            .await
            .expect_err("no database, no unit");
        assert_eq!(
            refused.code(),
            tonic::Code::Unavailable,
            "{label}: {refused:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{label}: refused late"
        );

        relay.up().await;
        wait_for(&app, admin, true).await;
        // The cut was brief: a pooled connection used within the ping window before it
        // is handed out unpinged and may fail one call UNAVAILABLE; the client retries.
        let mut attempts = 0;
        let lines = loop {
            attempts += 1;
            let answer = app
                .budget()
                .list_budget_lines(pb::ListBudgetLinesRequest {
                    org_unit: "orgUnits/HSN".to_owned(),
                    fiscal_year: 2030,
                    ..Default::default()
                })
                .await;
            match answer {
                Ok(lines) => break lines.into_inner(),
                Err(s) if s.code() == tonic::Code::Unavailable && attempts < 5 => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(s) => panic!("{label}: lines after: {s:?}"),
            }
        };
        assert!(
            lines.budget_lines.is_empty(),
            "{label}: {:?}",
            lines.budget_lines
        );
        app.stop().await;
    }
}
