//! Startup: services, reflection, health, limits, and a shutdown bounded in time.

use crate::api::budget::BudgetApi;
use crate::api::change::ChangeApi;
use crate::api::import::{ImportApi, ImportServer};
use crate::api::indicator::IndicatorApi;
use crate::api::investment::InvestmentApi;
use crate::api::organization::OrganizationApi;
use crate::api::staffing::StaffingApi;
use crate::auth::{AuthGuard, Authenticator};
use crate::guard::GuardLayer;
use crate::http::{HttpLayer, WebOptions};
use crate::limits::{LimitGuard, Limits, MAX_MESSAGE_BYTES};
use crate::proto::FILE_DESCRIPTOR_SET;
use crate::proto::v1::budget_service_server::BudgetServiceServer;
use crate::proto::v1::change_service_server::ChangeServiceServer;
use crate::proto::v1::import_service_server::ImportServiceServer;
use crate::proto::v1::indicator_service_server::IndicatorServiceServer;
use crate::proto::v1::investment_service_server::InvestmentServiceServer;
use crate::proto::v1::organization_service_server::OrganizationServiceServer;
use crate::proto::v1::staffing_service_server::StaffingServiceServer;
use crate::store::Store;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A stream's flow-control window: at 20 bytes a record, 3 277 buffered DATA frames cost
/// h2 about 0.8 MB of bookkeeping.
const STREAM_WINDOW: u32 = 64 * 1024;
/// The connection's window; h2 allows buffered frames half of it in bookkeeping (8 MiB),
/// room for ten import streams of the smallest records at once.
const CONNECTION_WINDOW: u32 = 16 * 1024 * 1024;
/// How long in-flight calls may run on after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves the API on `listener` until `shutdown` completes, then lets in-flight calls finish
/// for at most `SHUTDOWN_GRACE`; no authentication, no TLS, the default limits.
pub async fn serve(
    store: Store,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_with(store, listener, ServeOptions::default(), shutdown).await
}

/// Who may call (src/auth), over what (src/tls.rs), how much (src/limits.rs), from which
/// browser origins (src/http), and the operations side (src/ops).
#[derive(Clone)]
pub struct ServeOptions {
    pub auth: Arc<Authenticator>,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub limits: Limits,
    pub web: WebOptions,
    /// Serves `/metrics`, `/livez` and `/readyz` (`--admin-listen`) when given; shared so
    /// that the options stay `Clone` (each server takes a duplicate of the socket).
    pub admin_listener: Option<Arc<std::net::TcpListener>>,
    pub readiness: crate::ops::readiness::ReadinessOptions,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            auth: Arc::new(Authenticator::open()),
            tls: None,
            limits: Limits::default(),
            web: WebOptions::default(),
            admin_listener: None,
            readiness: Default::default(),
        }
    }
}

/// `serve` with the given options.
pub async fn serve_with(
    store: Store,
    listener: TcpListener,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<OrganizationServiceServer<OrganizationApi>>()
        .await;
    health.set_serving::<BudgetServiceServer<BudgetApi>>().await;
    health
        .set_serving::<StaffingServiceServer<StaffingApi>>()
        .await;
    health
        .set_serving::<InvestmentServiceServer<InvestmentApi>>()
        .await;
    health.set_serving::<ImportServiceServer<ImportApi>>().await;
    health
        .set_serving::<IndicatorServiceServer<IndicatorApi>>()
        .await;
    health.set_serving::<ChangeServiceServer<ChangeApi>>().await;
    // Readiness (a database check) decides the health statuses from here on.
    let ops = crate::ops::Ops::start(
        &store,
        health.clone(),
        options.readiness,
        options.admin_listener,
    )
    .await?;

    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;

    // Every service with the same message size bound.
    macro_rules! sized {
        ($server:expr) => {
            $server
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES)
        };
    }
    let organization = sized!(OrganizationServiceServer::new(OrganizationApi::new(
        store.clone()
    )));
    let budget = sized!(BudgetServiceServer::new(BudgetApi::new(store.clone())));
    let staffing = sized!(StaffingServiceServer::new(StaffingApi::new(store.clone())));
    let investment = sized!(InvestmentServiceServer::new(InvestmentApi::new(
        store.clone()
    )));
    let indicator = sized!(IndicatorServiceServer::new(IndicatorApi::new(
        store.clone()
    )));
    let change = sized!(ChangeServiceServer::new(ChangeApi::new(store.clone())));
    let import = ImportServer::new(sized!(ImportServiceServer::new(
        ImportApi::new(store.clone()).with_max_records(options.limits.max_import_records)
    )));

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let router = tonic::transport::Server::builder()
        .max_concurrent_streams(Some(256))
        // h2 closes a connection (ENHANCE_YOUR_CALM) whose buffered small DATA frames cost
        // more than half the connection window in bookkeeping. An import sends one small
        // frame per record and is read between database batches, so what one stream may
        // buffer (its window) must stay far below that: a small stream window, a large
        // connection window.
        .initial_stream_window_size(Some(STREAM_WINDOW))
        .initial_connection_window_size(Some(CONNECTION_WINDOW))
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        // Outermost: metrics, request id and the call's span, for every protocol.
        .layer(ops.layers())
        // HTTP/1.1 beside HTTP/2 (h2c): gRPC-Web, Connect, GET reads and the explorer page
        // share the address. Outermost first: CORS, then every form but native gRPC
        // (src/http), which refuses what it does not serve before anything runs and calls
        // the gRPC stack below in-process; below those, for every protocol alike, deadline
        // and concurrency (so their refusals reach a client in its own protocol), then who
        // calls (and their rate), then whether the database is there.
        .accept_http1(true)
        .layer(tower::util::option_layer(options.web.cors_layer()?))
        .layer(HttpLayer)
        .layer(GuardLayer(LimitGuard::new(options.limits)))
        .layer(GuardLayer(AuthGuard::new(options.auth)))
        // Innermost: a caller without access is told so even while the database is away.
        .layer(GuardLayer(crate::ops::outage::OutageGate::new(
            store.clone(),
        )))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(organization)
        .add_service(budget)
        .add_service(staffing)
        .add_service(investment)
        .add_service(indicator)
        .add_service(change)
        .add_service(import);
    // TCP_NODELAY is set on each accepted socket there (`serve_with_incoming*` ignores the
    // builder's flag; without it a response over one segment waits for the peer's delayed ACK).
    let incoming = crate::tls::incoming(listener, options.tls);
    let mut server = tokio::spawn(router.serve_with_incoming_shutdown(incoming, async {
        let _ = stop_rx.await;
    }));

    tokio::select! {
        result = &mut server => {
            ops.stop().await;
            return Ok(result??);
        }
        () = shutdown => tracing::info!("shutdown requested"),
    }
    ops.drain().await;
    let _ = stop_tx.send(());
    match tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await {
        Ok(result) => result??,
        Err(_) => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "calls still running after the grace period; stopping them");
            server.abort();
        }
    }
    ops.stop().await;
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
