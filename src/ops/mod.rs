//! Operations: what the people who run the service need, kept apart from the API.
//!
//! - per-call tower layers over plain `http` requests and responses, so they wrap any
//!   router: `request_id` (`x-request-id`), `tracing_layer` (a span per call, W3C trace
//!   context), `metrics` (calls, latency, imports, pool);
//! - `readiness`: a background database check behind gRPC health and `/readyz`;
//! - `admin`: the `--admin-listen` HTTP server (`/metrics`, `/livez`, `/readyz`);
//! - `otel`: OpenTelemetry traces over OTLP;
//! - `pool_wait`: how long calls wait for a database connection;
//! - `outage`: calls fail fast while the readiness check finds the database away.

pub mod admin;
pub mod call;
pub mod metrics;
pub mod otel;
pub mod outage;
pub mod pool_wait;
pub mod readiness;
pub mod request_id;
pub mod tracing_layer;

use call::Catalog;
use metrics::{Metrics, MetricsLayer};
use readiness::{ReadinessOptions, ReadinessReporter};
use request_id::RequestIdLayer;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic_health::server::HealthReporter;
use tracing_layer::TraceLayer;

use crate::store::Store;

/// The per-call layers, outermost first: the request id is set before the call's span is
/// made, and the span is open while the metrics layer times the call.
pub type CallLayers = tower::layer::util::Stack<
    MetricsLayer,
    tower::layer::util::Stack<
        TraceLayer,
        tower::layer::util::Stack<RequestIdLayer, tower::layer::util::Identity>,
    >,
>;

/// The running operations side of one server: metrics, the readiness task and the admin
/// listener. `stop` ends the tasks.
pub struct Ops {
    metrics: Arc<Metrics>,
    catalog: Catalog,
    readiness: ReadinessReporter,
    stop_checks: watch::Sender<bool>,
    stop_admin: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Ops {
    /// Checks the database once (so health is right from the first call), then starts the
    /// periodic check and, when given a listener, the admin server.
    pub async fn start(
        store: &Store,
        health: HealthReporter,
        readiness_options: ReadinessOptions,
        admin_listener: Option<Arc<std::net::TcpListener>>,
    ) -> anyhow::Result<Self> {
        let catalog = Catalog::from_descriptor_sets(&[
            crate::proto::FILE_DESCRIPTOR_SET,
            tonic_health::pb::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
        ])?;
        let metrics = Arc::new(Metrics::new(store));
        let readiness =
            ReadinessReporter::new(health, catalog.services_in("uppsikt."), metrics.clone());
        readiness.check(store, readiness_options).await;
        let (stop_checks, checks_stopped) = watch::channel(false);
        let (stop_admin, mut admin_stopped) = watch::channel(false);
        let mut tasks = vec![tokio::spawn(readiness.clone().run(
            store.clone(),
            readiness_options,
            checks_stopped,
        ))];
        if let Some(shared) = admin_listener {
            let listener = shared.try_clone()?;
            listener.set_nonblocking(true)?;
            let listener = TcpListener::from_std(listener)?;
            tracing::info!(address = %listener.local_addr()?, "admin endpoints: /metrics /livez /readyz");
            let shutdown = async move {
                let _ = admin_stopped.wait_for(|stop| *stop).await;
            };
            let server = admin::serve(listener, metrics.clone(), readiness.subscribe(), shutdown);
            tasks.push(tokio::spawn(async move {
                if let Err(error) = server.await {
                    tracing::error!(%error, "the admin server failed");
                }
            }));
        }
        Ok(Self {
            metrics,
            catalog,
            readiness,
            stop_checks,
            stop_admin,
            tasks,
        })
    }

    pub fn layers(&self) -> CallLayers {
        tower::ServiceBuilder::new()
            .layer(RequestIdLayer)
            .layer(TraceLayer::new(self.catalog.clone()))
            .layer(MetricsLayer::new(
                self.metrics.clone(),
                self.catalog.clone(),
            ))
            .into_inner()
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// On shutdown: NOT_SERVING at once, so load balancers stop sending new calls while
    /// running ones finish; the admin endpoints stay up until `stop`.
    pub async fn drain(&self) {
        let _ = self.stop_checks.send(true);
        self.readiness.drain().await;
    }

    /// Stops the readiness check and the admin server.
    pub async fn stop(self) {
        let _ = self.stop_checks.send(true);
        let _ = self.stop_admin.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
