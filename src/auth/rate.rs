//! A per-credential rate limit shared by every connection: GCRA (a token bucket kept as one
//! instant per credential) under one mutex, keyed by the credential's name. tower's
//! `RateLimit` would count per connection clone, which a client defeats by reconnecting.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Requests per minute, with a burst of at most `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateSpec {
    pub per_minute: u32,
    pub burst: u32,
}

impl RateSpec {
    /// `burst` defaults to the per-minute figure: a credential may spend a minute's calls at
    /// once, then one every 60 s / `per_minute`.
    pub fn new(per_minute: u32, burst: Option<u32>) -> Option<Self> {
        (per_minute > 0).then(|| Self {
            per_minute,
            burst: burst.unwrap_or(per_minute).max(1),
        })
    }

    fn interval(self) -> Duration {
        Duration::from_secs(60) / self.per_minute
    }
}

/// Past this many tracked credentials, entries whose bucket is full again are dropped.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Default)]
pub struct RateLimiter {
    /// Per credential: the theoretical arrival time of the next call (GCRA's TAT).
    next: Mutex<HashMap<String, Instant>>,
}

impl RateLimiter {
    /// Counts one call by `name`; `Err` holds how long until one is allowed again.
    pub fn check(&self, name: &str, spec: RateSpec) -> Result<(), Duration> {
        self.check_at(name, spec, Instant::now())
    }

    fn check_at(&self, name: &str, spec: RateSpec, now: Instant) -> Result<(), Duration> {
        let interval = spec.interval();
        let tolerance = interval * (spec.burst - 1);
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        if next.len() > PRUNE_ABOVE {
            next.retain(|_, tat| *tat > now);
        }
        let tat = next.get(name).copied().unwrap_or(now).max(now);
        let earliest = tat.checked_sub(tolerance).unwrap_or(now);
        if earliest > now {
            return Err(earliest - now);
        }
        next.insert(name.to_owned(), tat + interval);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let limiter = RateLimiter::default();
        let spec = RateSpec::new(60, Some(3)).unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("a", spec, t0).is_ok());
        }
        let wait = limiter.check_at("a", spec, t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        // Another credential has its own bucket.
        assert!(limiter.check_at("b", spec, t0).is_ok());
        assert!(
            limiter
                .check_at("a", spec, t0 + Duration::from_secs(1))
                .is_ok()
        );
        assert!(
            limiter
                .check_at("a", spec, t0 + Duration::from_secs(1))
                .is_err()
        );
    }

    #[test]
    fn one_per_minute() {
        let limiter = RateLimiter::default();
        let spec = RateSpec::new(1, None).unwrap();
        let t0 = Instant::now();
        assert!(limiter.check_at("a", spec, t0).is_ok());
        assert_eq!(
            limiter.check_at("a", spec, t0 + Duration::from_secs(10)),
            Err(Duration::from_secs(50))
        );
        assert!(
            limiter
                .check_at("a", spec, t0 + Duration::from_secs(60))
                .is_ok()
        );
        assert!(RateSpec::new(0, None).is_none());
    }
}
