//! OpenTelemetry traces over OTLP/gRPC. Configured by the standard environment variables
//! (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
//! `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_SERVICE_NAME`,
//! `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`…), which the SDK reads itself.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::sync::atomic::{AtomicBool, Ordering};
use tracing::subscriber::Interest;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{DynFilterFn, LevelFilter};
use tracing_subscriber::registry::LookupSpan;

static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Whether this process's subscriber exports traces: the calls' spans carry OpenTelemetry's
/// attributes only then (in logs alone they would repeat the method, formatted per call).
pub fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// Records that the subscriber installed exports traces.
pub fn set_exporting() {
    EXPORTING.store(true, Ordering::Relaxed);
}

/// Whether the environment asks for traces.
pub fn configured() -> bool {
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// A tracer provider exporting in batches over OTLP/gRPC, to `endpoint` or, when `None`, to
/// the endpoint the environment names. Must be called inside the tokio runtime (the gRPC
/// exporter's channel lives there).
pub fn provider(endpoint: Option<&str>) -> anyhow::Result<SdkTracerProvider> {
    let mut exporter = SpanExporter::builder().with_tonic();
    if let Some(endpoint) = endpoint {
        exporter = exporter.with_endpoint(endpoint);
    }
    let mut resource = Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name("uppsikt");
    }
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter.build()?)
        .with_resource(resource.build())
        .build())
}

/// The tracing layer that turns spans into OpenTelemetry spans: the calls' spans (see
/// `tracing_layer`) and the database spans sea-orm makes (`sea_orm.query_all` …, feature
/// `tracing-spans`) as their children. A database span outside any call (the readiness
/// probe every few seconds) would be a trace of its own, and probes' calls
/// (`PROBE_TARGET`) are not exported at all: a collector would otherwise hold mostly
/// health checks.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl Layer<S> + Send + Sync + 'static
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
{
    let targets = tracing_subscriber::filter::Targets::new()
        .with_target("uppsikt", tracing::Level::INFO)
        .with_target(PROBE_TARGET, LevelFilter::OFF)
        .with_target("sea_orm", tracing::Level::INFO);
    let by_callsite = targets.clone();
    let filter = DynFilterFn::new(move |metadata, cx| {
        if !targets.would_enable(metadata.target(), metadata.level()) {
            return false;
        }
        !(metadata.is_span() && metadata.target().starts_with("sea_orm"))
            || cx.lookup_current().is_some()
    })
    .with_callsite_filter(move |metadata| {
        if by_callsite.would_enable(metadata.target(), metadata.level()) {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    })
    .with_max_level_hint(LevelFilter::INFO);
    tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("uppsikt"))
        .with_filter(filter)
}

/// The target of the spans of calls that only probe the server (gRPC health), which are
/// logged but not exported.
pub const PROBE_TARGET: &str = "uppsikt::probe";
