//! Transaction time: when a fact was recorded and superseded, in microseconds since the epoch.

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};

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

    /// RFC 3339 with microseconds, for display, as chrono writes it
    /// (`2026-12-07T04:25:19.123456Z`). Years 0–9999 are written digit by digit: every
    /// listed row carries one or two of these, and chrono's general formatter was a large
    /// part of a list page's conversion.
    pub fn to_rfc3339(self) -> String {
        let Some(t) = DateTime::<Utc>::from_timestamp_micros(self.0) else {
            return String::new();
        };
        // The naive value once: each field of the DateTime would convert it again.
        let n = t.naive_utc();
        let Some(year) = u32::try_from(n.year()).ok().filter(|year| *year <= 9999) else {
            return t.to_rfc3339_opts(SecondsFormat::Micros, true);
        };
        let mut text = *b"0000-00-00T00:00:00.000000Z";
        let fields = [
            (0, 4, year),
            (5, 2, n.month()),
            (8, 2, n.day()),
            (11, 2, n.hour()),
            (14, 2, n.minute()),
            (17, 2, n.second()),
            (20, 6, n.nanosecond() / 1000),
        ];
        for (at, width, mut value) in fields {
            for digit in text[at..at + width].iter_mut().rev() {
                *digit = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        // ASCII throughout: borrowed, then copied once.
        String::from_utf8_lossy(&text).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_chronos_own_text() {
        let chrono_text = |micros: i64| {
            DateTime::<Utc>::from_timestamp_micros(micros)
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true))
                .unwrap_or_default()
        };
        let mut samples = vec![
            0,
            -1,
            1,
            999_999,
            1_000_000,
            1_796_534_719_123_456,
            // 0000-01-01, 9999-12-31T23:59:59.999999 and the years around them.
            -62_167_219_200_000_000,
            -62_167_219_200_000_001,
            253_402_300_799_999_999,
            253_402_300_800_000_000,
            i64::MIN,
            i64::MAX,
        ];
        // A spread over the years 0–9999, with every digit position moving.
        let mut micros: i64 = -62_167_219_200_000_000;
        while micros < 253_402_300_800_000_000 {
            samples.push(micros);
            micros += 3_155_760_123_456_789 / 7;
        }
        for micros in samples {
            assert_eq!(
                Instant(micros).to_rfc3339(),
                chrono_text(micros),
                "{micros}"
            );
        }
    }
}
