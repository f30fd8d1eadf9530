//! How long calls wait for a database connection. sqlx counts no waiting tasks, but it can
//! report each acquire's wait as a tracing event (target `sqlx::pool::acquire`, field
//! `acquired_after_secs`); the store's pool turns those events on (store::connect) and `record` puts them
//! in one histogram, shared by every server in the process.

use prometheus_client::metrics::histogram::Histogram;
use std::sync::LazyLock;
use tracing::field::{Field, Visit};

/// sqlx's target for acquire events.
pub const TARGET: &str = "sqlx::pool::acquire";

/// Seconds from asking the pool for a connection to getting one: 100 µs (an idle
/// connection) to the 30 s acquire timeout.
pub static ACQUIRE_SECONDS: LazyLock<Histogram> = LazyLock::new(|| {
    Histogram::new([
        0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0,
    ])
});

/// Records `event` in `ACQUIRE_SECONDS` when it is one of sqlx's acquire events; `false`
/// for any other event. The log layer calls this (see `telemetry::log_layer`).
pub fn record(event: &tracing::Event<'_>) -> bool {
    if event.metadata().target() != TARGET {
        return false;
    }
    let mut visitor = Seconds(None);
    event.record(&mut visitor);
    if let Some(seconds) = visitor.0 {
        ACQUIRE_SECONDS.observe(seconds);
    }
    true
}

struct Seconds(Option<f64>);

impl Visit for Seconds {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "acquired_after_secs" {
            self.0 = Some(value);
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}
