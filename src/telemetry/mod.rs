//! Structured logs through tracing; level from `RUST_LOG` (default `info,sea_orm=warn`), format from
//! `UPPSIKT_LOG_FORMAT` (`text`, the default, or `json`). With `OTEL_EXPORTER_OTLP_ENDPOINT`
//! set, spans are also exported as OpenTelemetry traces (see `ops::otel`). Lines are written
//! in batches by a thread of their own (every call logs one; see `batch_writer`), never
//! dropped, and in colour only on a terminal.

mod batch_writer;

use opentelemetry_sdk::trace::SdkTracerProvider;
use std::io::IsTerminal;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::Filter;
use tracing_subscriber::layer::SubscriberExt;
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
    let filter = log_filter();
    let json = std::env::var("UPPSIKT_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    // A full batch makes the caller wait rather than lose lines.
    let (writer, log_writer) = batch_writer::spawn(std::io::stderr());
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal());
    let fmt = if json {
        fmt.json().with_filter(filter).boxed()
    } else {
        fmt.with_filter(filter).boxed()
    };
    let registry = tracing_subscriber::registry()
        .with(fmt)
        .with(crate::ops::pool_wait::layer());
    // Every layer filters itself: a layer without a filter (an absent `Option` layer
    // counts as one) would enable every callsite, and each of h2's trace spans would then
    // be made and dropped per frame. A second init (tests) keeps the first subscriber.
    let _ = match &provider {
        Some(provider) => registry
            .with(crate::ops::otel::layer(provider))
            .try_init()
            .map(|()| crate::ops::otel::set_exporting()),
        None => registry.try_init(),
    };
    TelemetryGuard {
        provider,
        _log_writer: log_writer,
    }
}

const DEFAULT_DIRECTIVES: &str = "info,sea_orm=warn";

/// The log level per target from `RUST_LOG` (default `info,sea_orm=warn`: sea-orm's query
/// spans are for traces; in logs they would only format each SQL text). Plain per-target
/// levels, the usual case, need no per-span bookkeeping, so they get the static filter:
/// `EnvFilter` takes a lock on every span entry, and sqlx re-enters the call's span for
/// every row it reads. Span and field directives (`[rpc{method=…}]=debug`) get `EnvFilter`.
fn log_filter() -> Box<dyn Filter<Registry> + Send + Sync> {
    let directives =
        std::env::var(EnvFilter::DEFAULT_ENV).unwrap_or_else(|_| DEFAULT_DIRECTIVES.to_owned());
    match per_target(&directives) {
        Some(targets) => Box::new(targets),
        None => match EnvFilter::try_new(&directives) {
            Ok(filter) => Box::new(filter),
            Err(error) => {
                eprintln!(
                    "RUST_LOG={directives:?} is not a log filter ({error}); using the default"
                );
                Box::new(per_target(DEFAULT_DIRECTIVES).expect("per-target levels"))
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
    use super::per_target;
    use tracing::Level;

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
