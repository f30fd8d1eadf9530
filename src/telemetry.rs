//! Structured logs through tracing; level from `RUST_LOG` (default `info`), format from
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
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("UPPSIKT_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    // A full buffer makes the caller wait rather than lose lines.
    let (writer, log_writer) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stderr());
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal());
    let fmt = if json {
        fmt.json().with_filter(filter).boxed()
    } else {
        fmt.with_filter(filter).boxed()
    };
    let otel = provider.as_ref().map(crate::ops::otel::layer);
    // A second init (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(fmt)
        .with(otel)
        .with(crate::ops::pool_wait::layer())
        .try_init();
    TelemetryGuard {
        provider,
        _log_writer: log_writer,
    }
}
