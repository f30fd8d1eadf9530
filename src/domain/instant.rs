//! Transaction time: when a fact was recorded and superseded, in microseconds since the epoch.

use chrono::{DateTime, SecondsFormat, Utc};

/// An instant of transaction time. Stored as BIGINT microseconds: exact and comparable on
/// every database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub i64);

impl Instant {
    pub fn now() -> Self {
        Self(Utc::now().timestamp_micros())
    }

    pub fn from_unix(seconds: i64, nanos: i32) -> Option<Self> {
        let micros = seconds.checked_mul(1_000_000)?;
        micros.checked_add(i64::from(nanos) / 1000).map(Self)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    /// The calendar date (UTC) of this instant.
    pub fn date(self) -> chrono::NaiveDate {
        DateTime::<Utc>::from_timestamp_micros(self.0)
            .map(|t| t.date_naive())
            .unwrap_or_default()
    }

    /// RFC 3339 with microseconds, for display.
    pub fn to_rfc3339(self) -> String {
        DateTime::<Utc>::from_timestamp_micros(self.0)
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true))
            .unwrap_or_default()
    }
}
