//! Prometheus metrics: calls by service, method and code with a latency histogram (the
//! names and labels of go-grpc-prometheus, which existing gRPC dashboards expect), imports
//! and the records they wrote, readiness, and the database pool, read when scraped.

use super::call::{Catalog, Finish, ObservedBody, code_name};
use crate::import::ImportOutcome;
use crate::store::{PoolSizes, Store};
use futures::future::BoxFuture;
use http::{Request, Response};
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;
use tower::{Layer, Service};

/// Latency buckets in seconds: 1 ms (a cached read) to 30 s (a large import).
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    grpc_service: String,
    grpc_method: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HandledLabels {
    grpc_service: String,
    grpc_method: String,
    grpc_code: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ImportLabels {
    result: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RecordLabels {
    kind: String,
    outcome: &'static str,
}

type LatencyFamily = Family<MethodLabels, Histogram, fn() -> Histogram>;

/// The server's metrics: one registry per server, so that servers in one process (tests)
/// count apart.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    started: Family<MethodLabels, Counter>,
    handled: Family<HandledLabels, Counter>,
    handling_seconds: LatencyFamily,
    imports: Family<ImportLabels, Counter>,
    import_records: Family<RecordLabels, Counter>,
    ready: Gauge,
    readiness_failures: Counter,
}

impl Metrics {
    pub fn new(store: &Store) -> Self {
        let mut registry = Registry::default();
        let started = Family::<MethodLabels, Counter>::default();
        registry.register(
            "grpc_server_started",
            "Calls started, by service and method",
            started.clone(),
        );
        let handled = Family::<HandledLabels, Counter>::default();
        registry.register(
            "grpc_server_handled",
            "Calls completed, by service, method and gRPC status code",
            handled.clone(),
        );
        let handling_seconds: LatencyFamily =
            Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        registry.register(
            "grpc_server_handling_seconds",
            "Time from a call's request to the end of its response, in seconds",
            handling_seconds.clone(),
        );
        let imports = Family::<ImportLabels, Counter>::default();
        registry.register(
            "uppsikt_imports",
            "Imports that succeeded, by result (committed, dry_run, replayed); failed imports \
             are grpc_server_handled_total{grpc_method=\"Import\",grpc_code!=\"OK\"}",
            imports.clone(),
        );
        let import_records = Family::<RecordLabels, Counter>::default();
        registry.register(
            "uppsikt_import_records",
            "Records of committed imports by kind and outcome; inserted and superseded ones \
             were written",
            import_records.clone(),
        );
        let ready = Gauge::default();
        registry.register(
            "uppsikt_ready",
            "1 when the last readiness check reached the database, else 0",
            ready.clone(),
        );
        let readiness_failures = Counter::default();
        registry.register(
            "uppsikt_readiness_check_failures",
            "Readiness checks that could not reach the database",
            readiness_failures.clone(),
        );
        registry.register(
            "uppsikt_db_pool_acquire_seconds",
            "Time calls waited for a database connection, in seconds (all servers of the process)",
            super::pool_wait::ACQUIRE_SECONDS.clone(),
        );
        registry.register_collector(Box::new(PoolCollector {
            store: store.clone(),
        }));
        Self {
            registry,
            started,
            handled,
            handling_seconds,
            imports,
            import_records,
            ready,
            readiness_failures,
        }
    }

    /// The text exposition (OpenMetrics, which Prometheus reads).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.set(i64::from(ready));
    }

    pub fn readiness_failed(&self) {
        self.readiness_failures.inc();
    }

    fn imported(&self, outcome: &ImportOutcome) {
        let result = if outcome.replayed {
            "replayed"
        } else if outcome.dry_run {
            "dry_run"
        } else {
            "committed"
        };
        self.imports.get_or_create(&ImportLabels { result }).inc();
        if result != "committed" {
            return;
        }
        for (kind, counts) in &outcome.counts {
            for (outcome, count) in [
                ("inserted", counts.inserted),
                ("superseded", counts.superseded),
                ("unchanged", counts.unchanged),
                ("retracted", counts.retracted),
            ] {
                self.import_records
                    .get_or_create(&RecordLabels {
                        kind: kind.clone(),
                        outcome,
                    })
                    .inc_by(count);
            }
        }
    }
}

/// The database pool as it is at scrape time: sqlx reports the pool's size and idle
/// connections (waiting is timed by `pool_wait`; sqlx counts no waiting tasks).
struct PoolCollector {
    store: Store,
}

impl std::fmt::Debug for PoolCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolCollector").finish_non_exhaustive()
    }
}

impl PoolCollector {
    fn pools(&self) -> Vec<(&'static str, PoolSizes)> {
        self.store.pool_sizes()
    }
}

impl prometheus_client::collector::Collector for PoolCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let pools = self.pools();
        let mut connections = encoder.encode_descriptor(
            "uppsikt_db_pool_connections",
            "Open database connections by pool and state: in_use (held by a query or \
             transaction) or idle",
            None,
            MetricType::Gauge,
        )?;
        for (pool, sizes) in &pools {
            for (state, value) in [("in_use", sizes.size - sizes.idle), ("idle", sizes.idle)] {
                let labels = [("pool", *pool), ("state", state)];
                ConstGauge::new(i64::from(value)).encode(connections.encode_family(&labels)?)?;
            }
        }
        let mut maximum = encoder.encode_descriptor(
            "uppsikt_db_pool_max_connections",
            "The pool's connection limit; calls wait for a connection when in_use reaches it",
            None,
            MetricType::Gauge,
        )?;
        for (pool, sizes) in &pools {
            let labels = [("pool", *pool)];
            ConstGauge::new(i64::from(sizes.max)).encode(maximum.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct MetricsLayer {
    metrics: Arc<Metrics>,
    catalog: Catalog,
}

impl MetricsLayer {
    pub fn new(metrics: Arc<Metrics>, catalog: Catalog) -> Self {
        Self { metrics, catalog }
    }
}

impl<S> Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MetricsService {
            inner,
            metrics: self.metrics.clone(),
            catalog: self.catalog.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MetricsService<S> {
    inner: S,
    metrics: Arc<Metrics>,
    catalog: Catalog,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for MetricsService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
{
    type Response = Response<ObservedBody<ResBody>>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let method = self.catalog.method(request.uri().path());
        let labels = MethodLabels {
            grpc_service: method.service,
            grpc_method: method.method,
        };
        self.metrics.started.get_or_create(&labels).inc();
        let started = Instant::now();
        let metrics = self.metrics.clone();
        // Counted once however the call ends, also when it is dropped before its answer.
        let finish = Finish::new(Box::new({
            let metrics = metrics.clone();
            move |code| metrics.finished(labels, code, started)
        }));
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = match future.await {
                Ok(response) => response,
                Err(error) => {
                    finish.now(tonic::Code::Unknown);
                    return Err(error);
                }
            };
            if let Some(outcome) = response.extensions().get::<ImportOutcome>() {
                metrics.imported(outcome);
            }
            Ok(finish.observe(response))
        })
    }
}

impl Metrics {
    fn finished(&self, labels: MethodLabels, code: tonic::Code, started: Instant) {
        self.handling_seconds
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
        self.handled
            .get_or_create(&HandledLabels {
                grpc_service: labels.grpc_service,
                grpc_method: labels.grpc_method,
                grpc_code: code_name(code),
            })
            .inc();
    }
}
