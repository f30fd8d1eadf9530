//! Structured logs through tracing; level from `RUST_LOG` (default `info,sea_orm=warn`), format from
//! `UPPSIKT_LOG_FORMAT` (`text`, the default, or `json`). With `OTEL_EXPORTER_OTLP_ENDPOINT`
//! set, spans are also exported as OpenTelemetry traces (see `ops::otel`). Lines are written
//! in batches by a thread of their own (every call logs one; see `batch_writer`), never
//! dropped, and in colour only on a terminal.

mod batch_writer;
mod log_layer;

use crate::ops::pool_wait;
use batch_writer::BatchWriter;
use log_layer::LogLayer;

use opentelemetry_sdk::trace::SdkTracerProvider;
use std::io::IsTerminal;
use tracing::{Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::Filter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// Flushes and stops the trace exporter when dropped (at the end of `main`).
#[must_use = "dropping the guard stops the trace export"]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
    /// Writes what is still buffered when dropped (after the provider, declared later).
    _log_writer: batch_writer::WriterGuard,
}

impl TelemetryGuard {
    /// Exports the spans ended so far now rather than at the next batch.
    pub fn flush(&self) {
        if let Some(provider) = &self.provider
            && let Err(error) = provider.force_flush()
        {
            tracing::warn!(%error, "trace export failed");
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(error) = provider.shutdown()
        {
            eprintln!("trace export at shutdown failed: {error}");
        }
    }
}

/// Logs, and traces when the OpenTelemetry environment variables ask for them.
pub fn init() -> TelemetryGuard {
    let provider = if crate::ops::otel::configured() {
        match crate::ops::otel::provider(None) {
            Ok(provider) => Some(provider),
            Err(error) => {
                eprintln!("traces are off: cannot set up the OTLP exporter: {error:#}");
                None
            }
        }
    } else {
        None
    };
    init_with(provider)
}

/// Logs, and traces through `provider` when given (tests pass one aimed at their collector).
pub fn init_with(provider: Option<SdkTracerProvider>) -> TelemetryGuard {
    let json = std::env::var("UPPSIKT_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    // A full batch makes the caller wait rather than lose lines.
    let (writer, log_writer) = batch_writer::spawn(std::io::stderr());
    let log = Log {
        filter: log_filter(),
        json,
        ansi: std::io::stderr().is_terminal(),
        writer,
    };
    // A second init (tests) keeps the first subscriber.
    if subscriber(log, provider.as_ref()).try_init().is_ok() && provider.is_some() {
        crate::ops::otel::set_exporting();
    }
    TelemetryGuard {
        provider,
        _log_writer: log_writer,
    }
}

/// How the log is written.
struct Log {
    filter: LogFilter,
    json: bool,
    ansi: bool,
    writer: BatchWriter,
}

/// The subscriber: the log, and the trace export when there is a provider.
fn subscriber(log: Log, provider: Option<&SdkTracerProvider>) -> Box<dyn Subscriber + Send + Sync> {
    match provider {
        // Traces want other spans than the log, so each layer filters itself (a layer with
        // no filter would enable every callsite, and each of h2's trace spans would then be
        // made and dropped per frame).
        Some(provider) => Box::new(
            tracing_subscriber::registry()
                .with(log_layer(log.json, log.ansi, log.writer).with_filter(log.filter.per_layer()))
                .with(crate::ops::otel::layer(provider)),
        ),
        // The log alone: its filter is the subscriber's, and entering a span costs no lookup.
        None => Box::new(
            tracing_subscriber::registry()
                .with(log.filter.global())
                .with(log_layer(log.json, log.ansi, log.writer)),
        ),
    }
}

/// The fmt layer, text or JSON, writing through `writer`.
fn log_layer<S>(json: bool, ansi: bool, writer: BatchWriter) -> LogLayer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(ansi);
    LogLayer::new(if json {
        fmt.json().boxed()
    } else {
        fmt.boxed()
    })
}

/// The log's filter: static per-target levels, or `EnvFilter` for span and field directives.
/// Either also passes sqlx's pool-acquire events, which the log layer only counts.
enum LogFilter {
    Static(Box<Targets>),
    Dynamic(Box<EnvFilter>),
}

impl LogFilter {
    fn static_levels(targets: Targets) -> Self {
        Self::Static(Box::new(
            targets.with_target(pool_wait::TARGET, Level::TRACE),
        ))
    }

    fn dynamic(filter: EnvFilter) -> Self {
        let acquires = format!("{}=trace", pool_wait::TARGET)
            .parse()
            .expect("a target directive");
        Self::Dynamic(Box::new(filter.add_directive(acquires)))
    }

    fn per_layer(self) -> Box<dyn Filter<Registry> + Send + Sync> {
        match self {
            Self::Static(targets) => targets,
            Self::Dynamic(filter) => filter,
        }
    }

    fn global(self) -> Box<dyn Layer<Registry> + Send + Sync> {
        match self {
            Self::Static(targets) => targets,
            Self::Dynamic(filter) => filter,
        }
    }
}

const DEFAULT_DIRECTIVES: &str = "info,sea_orm=warn";

/// The log level per target from `RUST_LOG` (default `info,sea_orm=warn`: sea-orm's query
/// spans are for traces; in logs they would only format each SQL text). Plain per-target
/// levels, the usual case, need no per-span bookkeeping, so they get the static filter:
/// `EnvFilter` takes a lock on every span entry, and sqlx re-enters the call's span for
/// every row it reads. Span and field directives (`[rpc{method=…}]=debug`) get `EnvFilter`.
fn log_filter() -> LogFilter {
    let directives =
        std::env::var(EnvFilter::DEFAULT_ENV).unwrap_or_else(|_| DEFAULT_DIRECTIVES.to_owned());
    match per_target(&directives) {
        Some(targets) => LogFilter::static_levels(targets),
        None => match EnvFilter::try_new(&directives) {
            Ok(filter) => LogFilter::dynamic(filter),
            Err(error) => {
                eprintln!(
                    "RUST_LOG={directives:?} is not a log filter ({error}); using the default"
                );
                LogFilter::static_levels(per_target(DEFAULT_DIRECTIVES).expect("per-target levels"))
            }
        },
    }
}

/// `directives` as the static filter when they are plain per-target levels. `Targets` would
/// read `[rpc]=debug` as a target named "[rpc]", so anything with brackets is left out.
fn per_target(directives: &str) -> Option<Targets> {
    if directives.contains(['[', ']', '{', '}']) {
        return None;
    }
    directives.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use batch_writer::tests::Sink;
    use tracing::Level;

    /// The seconds of pool waits counted so far, in this process.
    fn acquire_seconds() -> f64 {
        let mut registry = prometheus_client::registry::Registry::default();
        registry.register("acquire", "waits", pool_wait::ACQUIRE_SECONDS.clone());
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("acquire_sum "))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("a sum in {text}"))
    }

    #[test]
    fn the_log_writes_its_levels_and_counts_pool_acquires_without_writing_them() {
        let written = Sink::default();
        let (writer, guard) = batch_writer::spawn(written.clone());
        let log = Log {
            filter: LogFilter::static_levels(per_target(DEFAULT_DIRECTIVES).unwrap()),
            json: false,
            ansi: false,
            writer,
        };
        let waited_before = acquire_seconds();
        tracing::subscriber::with_default(subscriber(log, None), || {
            let call = tracing::info_span!("rpc", method = "GetOrgUnit");
            let _entered = call.enter();
            tracing::info!(target: "uppsikt::api", "an info line");
            tracing::debug!(target: "uppsikt::api", "a debug line");
            tracing::trace!(target: "sqlx::pool::acquire", acquired_after_secs = 0.25, "acquired");
        });
        drop(guard);
        let waited = acquire_seconds() - waited_before;
        assert!(waited >= 0.25, "the acquire was counted: {waited}");
        let text = String::from_utf8(written.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("an info line"), "{text}");
        assert!(
            text.contains("method=\"GetOrgUnit\""),
            "the span's fields: {text}"
        );
        assert!(!text.contains("a debug line"), "{text}");
        assert!(
            !text.contains("acquired"),
            "acquires are counted, not logged: {text}"
        );
    }

    #[test]
    fn plain_levels_get_the_static_filter_and_span_or_field_directives_do_not() {
        let targets = per_target("info,sea_orm=warn,uppsikt::store=debug").unwrap();
        assert!(targets.would_enable("uppsikt::api", &Level::INFO));
        assert!(!targets.would_enable("sea_orm::query", &Level::INFO));
        assert!(targets.would_enable("uppsikt::store::listing", &Level::DEBUG));
        for dynamic in [
            "[rpc]=debug",
            "uppsikt[rpc{method=x}]=debug",
            "h2[{stream}]=trace",
        ] {
            assert!(per_target(dynamic).is_none(), "{dynamic}");
        }
        assert!(per_target("info,=oops").is_none());
    }
}
