//! Coalesced reads of a version number. Calls that arrive while a read is in flight share
//! the next read, which starts after they arrived, so each still sees every write committed
//! before it arrived (through any instance), at about one query per round trip however
//! many calls run at once.

use super::error::StoreError;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use tokio::sync::watch;

pub struct VersionGate {
    /// Reads started so far. A read numbered above the count a call saw on arrival started
    /// after the call arrived.
    started: AtomicU64,
    /// Whether a read is in flight (at most one is).
    reading: AtomicBool,
    /// The newest finished read: its number and the version it saw (`None` before any).
    finished: watch::Sender<(u64, Option<i64>)>,
}

impl Default for VersionGate {
    fn default() -> Self {
        Self {
            started: AtomicU64::new(0),
            reading: AtomicBool::new(false),
            finished: watch::Sender::new((0, None)),
        }
    }
}

/// The turn of the one call that reads; ending it (also by cancellation) wakes the others,
/// so one of them reads if they still need a newer answer.
struct Turn<'a>(&'a VersionGate);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.0.reading.store(false, Ordering::SeqCst);
        self.0.finished.send_modify(|_| {});
    }
}

impl VersionGate {
    /// A version at least as new as the database's when this call arrived; `read` queries it.
    pub async fn version<F, Fut>(&self, read: F) -> Result<i64, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<i64, StoreError>>,
    {
        let mut finished = self.finished.subscribe();
        let arrival = self.started.load(Ordering::SeqCst);
        loop {
            if let (number, Some(version)) = *finished.borrow_and_update()
                && number > arrival
            {
                return Ok(version);
            }
            if self
                .reading
                .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                let _turn = Turn(self);
                // With other calls waiting (under load), let the calls already runnable
                // arrive first, so that they share this read rather than wait for the next:
                // fewer reads for the same calls, and the slowest calls served sooner.
                // Alone, a yield would only add a scheduler pass to the call.
                // Every call inside holds one receiver until it returns or is cancelled.
                if self.finished.receiver_count() > 1 {
                    tokio::task::yield_now().await;
                }
                // A read may have finished between the check above and taking the turn.
                if let (number, Some(version)) = *self.finished.borrow()
                    && number > arrival
                {
                    return Ok(version);
                }
                let number = self.started.fetch_add(1, Ordering::SeqCst) + 1;
                let version = read().await?;
                self.finished.send_if_modified(|newest| {
                    let newer = number > newest.0;
                    if newer {
                        *newest = (number, Some(version));
                    }
                    newer
                });
                return Ok(version);
            }
            // Woken by every finished read and every ended turn; the sender lives in self.
            let _ = finished.changed().await;
        }
    }
}

/// The calls inside a stretch of code, so that each can tell on entry whether it is alone:
/// a call with company can wait for the gate's shared read where a lone call would rather
/// read the version itself, without a second round trip.
#[derive(Default)]
pub struct InFlight(AtomicUsize);

/// One call inside; leaving (also by cancellation) drops it from the count.
pub struct Inside<'a> {
    count: &'a AtomicUsize,
    alone: bool,
}

impl InFlight {
    pub fn enter(&self) -> Inside<'_> {
        let before = self.0.fetch_add(1, Ordering::SeqCst);
        Inside {
            count: &self.0,
            alone: before == 0,
        }
    }
}

impl Inside<'_> {
    /// Whether no other call was inside when this one entered.
    pub fn alone(&self) -> bool {
        self.alone
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicI64;

    #[tokio::test]
    async fn concurrent_calls_share_reads_and_never_see_an_older_version() {
        let gate = Arc::new(VersionGate::default());
        let database = Arc::new(AtomicI64::new(0));
        let reads = Arc::new(AtomicU64::new(0));
        let mut calls = Vec::new();
        for _ in 0..64 {
            let (gate, database, reads) = (gate.clone(), database.clone(), reads.clone());
            calls.push(tokio::spawn(async move {
                for _ in 0..20 {
                    let before = database.fetch_add(1, Ordering::SeqCst) + 1;
                    let seen = gate
                        .version(|| async {
                            reads.fetch_add(1, Ordering::SeqCst);
                            tokio::task::yield_now().await;
                            Ok(database.load(Ordering::SeqCst))
                        })
                        .await
                        .unwrap();
                    assert!(seen >= before, "saw {seen}, wrote {before} before asking");
                }
            }));
        }
        for call in calls {
            call.await.unwrap();
        }
        let reads = reads.load(Ordering::SeqCst);
        assert!(reads < 64 * 20, "{reads} reads for {} calls", 64 * 20);
    }

    #[test]
    fn a_call_is_alone_only_when_no_other_is_inside() {
        let in_flight = InFlight::default();
        let first = in_flight.enter();
        let second = in_flight.enter();
        assert!(first.alone());
        assert!(!second.alone());
        drop(first);
        drop(second);
        assert!(in_flight.enter().alone());
    }

    #[tokio::test]
    async fn a_failed_or_cancelled_read_lets_the_next_call_read() {
        let gate = VersionGate::default();
        let failed = gate
            .version(|| async { Err(StoreError::Corrupt("down".into())) })
            .await;
        assert!(failed.is_err());
        let cancelled = tokio::time::timeout(
            std::time::Duration::from_millis(10),
            gate.version(std::future::pending),
        )
        .await;
        assert!(cancelled.is_err());
        assert_eq!(gate.version(|| async { Ok(7) }).await.unwrap(), 7);
    }
}
