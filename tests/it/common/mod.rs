//! Test harness: each test runs against a fresh database on SQLite, and on PostgreSQL and
//! MariaDB when `UPPSIKT_TEST_POSTGRES_URL` / `UPPSIKT_TEST_MYSQL_URL` are set, through a
//! real server on 127.0.0.1:0 and the generated clients.

#![allow(dead_code)]

pub mod browser;
pub mod http_client;

use sea_orm::{ConnectionTrait, Database};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use tonic::transport::Channel;
use uppsikt::proto::v1::budget_service_client::BudgetServiceClient;
use uppsikt::proto::v1::change_service_client::ChangeServiceClient;
use uppsikt::proto::v1::import_service_client::ImportServiceClient;
use uppsikt::proto::v1::indicator_service_client::IndicatorServiceClient;
use uppsikt::proto::v1::investment_service_client::InvestmentServiceClient;
use uppsikt::proto::v1::organization_service_client::OrganizationServiceClient;
use uppsikt::proto::v1::staffing_service_client::StaffingServiceClient;
use uppsikt::store::Store;

pub const POSTGRES_ENV: &str = "UPPSIKT_TEST_POSTGRES_URL";
pub const MYSQL_ENV: &str = "UPPSIKT_TEST_MYSQL_URL";

/// A database created for one test and dropped after it.
pub struct TestDatabase {
    pub url: String,
    pub label: &'static str,
    admin_url: Option<String>,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    format!(
        "uppsikt_t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_micros() % 1_000_000
    )
}

impl TestDatabase {
    /// Every backend this run covers: SQLite always, the others when their URL is given.
    pub async fn all() -> Vec<TestDatabase> {
        let mut databases = vec![Self::sqlite()];
        if let Ok(url) = std::env::var(POSTGRES_ENV) {
            databases.push(Self::server("postgres", &url).await);
        }
        if let Ok(url) = std::env::var(MYSQL_ENV) {
            databases.push(Self::server("mariadb", &url).await);
        }
        databases
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        Self {
            url,
            label: "sqlite",
            admin_url: None,
            name: String::new(),
            _dir: Some(dir),
        }
    }

    async fn server(label: &'static str, admin_url: &str) -> Self {
        let name = unique_name();
        let admin = Database::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("{label}: cannot connect to {admin_url}: {e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("{label}: CREATE DATABASE {name}: {e}"));
        admin.close().await.ok();
        let (base, query) = match admin_url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (admin_url, String::new()),
        };
        let base = base.rsplit_once('/').map(|(b, _)| b).unwrap_or(base);
        Self {
            url: format!("{base}/{name}{query}"),
            label,
            admin_url: Some(admin_url.to_owned()),
            name,
            _dir: None,
        }
    }
}

impl TestDatabase {
    /// For a server database: the admin URL and the database's name.
    pub fn server_admin(&self) -> Option<(&str, &str)> {
        self.admin_url
            .as_deref()
            .map(|url| (url, self.name.as_str()))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(admin_url) = self.admin_url.clone() else {
            return;
        };
        let name = self.name.clone();
        // Drop cannot await; a short-lived runtime on its own thread drops the database.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Imports `tests/fixtures/{name}` as one import, as `uppsikt import` would.
pub async fn load_fixture(app: &TestApp, name: &str) -> uppsikt::import::ImportOutcome {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let request = uppsikt::import::ImportRequest {
        document: format!("tests/fixtures/{name}"),
        table: None,
        system: Some("tests".to_owned()),
        request_id: None,
        dry_run: false,
    };
    uppsikt::import::run_import(
        &app.store,
        request,
        Box::pin(uppsikt::import::files::file_entries(vec![path])),
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{}: import {name}: {e:?}", app.label))
}

/// A running server on its own fresh database.
pub struct TestApp {
    pub address: SocketAddr,
    pub store: Store,
    pub label: &'static str,
    pub channel: Channel,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _database: TestDatabase,
}

impl TestApp {
    pub async fn start(database: TestDatabase) -> Self {
        Self::start_with(database, uppsikt::server::ServeOptions::default()).await
    }

    /// A server with the given access options (auth file, TLS, limits). With TLS the
    /// plaintext `channel` connects lazily (and fails): tests build their own TLS channel.
    pub async fn start_with(
        database: TestDatabase,
        options: uppsikt::server::ServeOptions,
    ) -> Self {
        let tls = options.tls.is_some();
        let store = Store::open(&database.url)
            .await
            .unwrap_or_else(|e| panic!("{}: open {}: {e}", database.label, database.url));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(uppsikt::server::serve_with(
            store.clone(),
            listener,
            options,
            async {
                let _ = rx.await;
            },
        ));
        let endpoint = Channel::from_shared(format!("http://{address}")).expect("uri");
        let channel = if tls {
            endpoint.connect_lazy()
        } else {
            endpoint.connect().await.expect("connect")
        };
        Self {
            address,
            store,
            label: database.label,
            channel,
            shutdown: Some(tx),
            server: Some(server),
            _database: database,
        }
    }

    /// A server whose database holds the demo data set.
    pub async fn with_demo(database: TestDatabase) -> Self {
        let app = Self::start(database).await;
        uppsikt::demo::load(&app.store)
            .await
            .unwrap_or_else(|e| panic!("{}: demo load: {e}", app.label));
        app
    }

    pub fn database(&self) -> &TestDatabase {
        &self._database
    }

    pub fn organization(&self) -> OrganizationServiceClient<Channel> {
        OrganizationServiceClient::new(self.channel.clone())
    }

    pub fn budget(&self) -> BudgetServiceClient<Channel> {
        BudgetServiceClient::new(self.channel.clone())
    }

    pub fn staffing(&self) -> StaffingServiceClient<Channel> {
        StaffingServiceClient::new(self.channel.clone())
    }

    pub fn investments(&self) -> InvestmentServiceClient<Channel> {
        InvestmentServiceClient::new(self.channel.clone())
    }

    pub fn indicators(&self) -> IndicatorServiceClient<Channel> {
        IndicatorServiceClient::new(self.channel.clone())
    }

    pub fn imports(&self) -> ImportServiceClient<Channel> {
        ImportServiceClient::new(self.channel.clone())
    }

    pub fn changes(&self) -> ChangeServiceClient<Channel> {
        ChangeServiceClient::new(self.channel.clone())
    }

    /// Stops the server and starts a new one, with a new store, on the same database.
    pub async fn restart(mut self) -> Self {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
        self.store.clone().close().await.ok();
        Self::start(self._database).await
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
        self.store.clone().close().await.ok();
    }
}

/// Runs `test` once per backend, each with a fresh database and server.
pub async fn for_each_backend(demo: bool, test: impl AsyncFn(&TestApp)) {
    for database in TestDatabase::all().await {
        let app = if demo {
            TestApp::with_demo(database).await
        } else {
            TestApp::start(database).await
        };
        test(&app).await;
        app.stop().await;
    }
}

/// Asserts an error status: its code, ErrorInfo in domain `uppsikt`, and (for invalid
/// arguments) a BadRequest violation naming `field`.
pub fn assert_error(status: &tonic::Status, code: tonic::Code, field: Option<&str>) {
    use tonic_types::StatusExt;
    assert_eq!(status.code(), code, "{status:?}");
    let details = status.get_error_details();
    let info = details.error_info().expect("ErrorInfo on every error");
    assert_eq!(info.domain, "uppsikt");
    assert!(
        info.reason
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_'),
        "reason {} is UPPER_SNAKE",
        info.reason
    );
    if let Some(field) = field {
        let violations = &details.bad_request().expect("BadRequest").field_violations;
        assert!(
            violations.iter().any(|v| v.field == field),
            "a violation names {field}: {violations:?}"
        );
    }
}

/// Thousand kronor (as the reports print) to kronor.
pub const fn tkr(value: i64) -> i64 {
    value * 1000
}

/// Asserts `actual` kronor is within `tolerance_tkr` of the printed `printed_tkr`: printed
/// totals are sums of unrounded figures, so they differ from sums of printed lines by a few tkr.
#[track_caller]
pub fn assert_close(label: &str, actual: Option<i64>, printed_tkr: i64, tolerance_tkr: i64) {
    let actual = actual.unwrap_or_else(|| panic!("{label}: no figure"));
    let diff = (actual - tkr(printed_tkr)).abs();
    assert!(
        diff <= tkr(tolerance_tkr),
        "{label}: {actual} kr vs printed {printed_tkr} tkr (off by {diff} kr, tolerance {tolerance_tkr} tkr)"
    );
}

/// `message` with `authorization: Bearer <token>`.
pub fn bearer<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header value"),
    );
    request
}

/// The first message of an Import stream: the header, with `document` as its source.
pub fn import_header(document: &str) -> uppsikt::proto::v1::ImportRequest {
    use uppsikt::proto::v1 as pb;
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

/// Imports `bytes` as the file `file` names, sent in chunks of `chunk` bytes after `header`
/// (whose `file` it sets).
pub async fn import_file(
    app: &TestApp,
    mut header: uppsikt::proto::v1::ImportHeader,
    file: uppsikt::proto::v1::ImportFile,
    bytes: &[u8],
    chunk: usize,
) -> Result<uppsikt::proto::v1::ImportResponse, tonic::Status> {
    use uppsikt::proto::v1 as pb;
    header.file = Some(file);
    let mut messages = vec![pb::ImportRequest {
        content: Some(pb::import_request::Content::Header(header)),
    }];
    messages.extend(bytes.chunks(chunk).map(|chunk| pb::ImportRequest {
        content: Some(pb::import_request::Content::Chunk(chunk.to_vec())),
    }));
    app.imports()
        .import(futures::stream::iter(messages))
        .await
        .map(tonic::Response::into_inner)
}

/// A message of an Import stream that carries a record of `kind`.
pub fn import_record(
    kind: uppsikt::proto::v1::import_record::Kind,
) -> uppsikt::proto::v1::ImportRequest {
    use uppsikt::proto::v1 as pb;
    pb::ImportRequest {
        content: Some(pb::import_request::Content::Record(pb::ImportRecord {
            kind: Some(kind),
            ..Default::default()
        })),
    }
}

/// A second server on the database of a running `TestApp`, with its own store (pools,
/// tree cache): several instances on one database.
pub struct Instance {
    pub channel: Channel,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    pub store: Store,
}

impl Instance {
    pub async fn start(url: &str) -> Self {
        let store = Store::open(url).await.expect("second store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address: SocketAddr = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(uppsikt::server::serve(store.clone(), listener, async {
            let _ = stopped.await;
        }));
        let channel = Channel::from_shared(format!("http://{address}"))
            .expect("uri")
            .connect()
            .await
            .expect("connect");
        Self {
            channel,
            stop,
            server,
            store,
        }
    }

    pub async fn shut_down(self) {
        let _ = self.stop.send(());
        self.server.await.expect("task").expect("server");
        self.store.close().await.ok();
    }
}
