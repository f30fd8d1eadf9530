//! Structured logs through tracing; level from `RUST_LOG` (default `info,sea_orm=warn`), format from
//! `UPPSIKT_LOG_FORMAT` (`text`, the default, or `json`). With `OTEL_EXPORTER_OTLP_ENDPOINT`
//! set, spans are also exported as OpenTelemetry traces (see `ops::otel`). Lines are written
//! by a thread of their own (every call logs one), never dropped, and in colour only on a
//! terminal.

use opentelemetry_sdk::trace::SdkTracerProvider;
use std::io::IsTerminal;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Flushes and stops the trace exporter when dropped (at the end of `main`).
#[must_use = "dropping the guard stops the trace export"]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
    /// Writes what is still buffered when dropped (after the provider, declared later).
    _log_writer: tracing_appender::non_blocking::WorkerGuard,
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
    // sea-orm's query spans are for traces; in logs they would only format each SQL text.
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sea_orm=warn"));
    let json = std::env::var("UPPSIKT_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    // A full buffer makes the caller wait rather than lose lines. The thread writes what
    // has queued up in one system call (it flushes whenever the queue runs empty).
    let (writer, log_writer) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stderr(),
        ));
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
