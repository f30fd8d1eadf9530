//! Whether the database is known to be away. Whoever checks it (the readiness probe)
//! reports here; calls look on entry, so that while the database is down they fail at once
//! instead of waiting out the pool's 30 s for a connection that cannot come.

use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The database is unreachable, since `since`, for `cause` (fit to tell a client: no
/// database message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    pub since: Instant,
    pub cause: String,
}

impl Outage {
    /// What a refused call is told.
    pub fn describe(&self) -> String {
        format!(
            "the database has been unreachable for {:.1} s: {}",
            self.since.elapsed().as_secs_f64(),
            self.cause
        )
    }
}

/// How long a client should wait before it retries a call refused for an outage: about
/// when the database is checked again.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

pub struct Availability {
    outage: watch::Sender<Option<Outage>>,
    /// A call met an unavailable database: whoever checks it should look now rather than
    /// at its next turn.
    suspicion: tokio::sync::Notify,
}

impl Default for Availability {
    fn default() -> Self {
        Self {
            outage: watch::Sender::new(None),
            suspicion: tokio::sync::Notify::new(),
        }
    }
}

impl Availability {
    /// Records that the database cannot be reached; an outage already known keeps its start.
    pub fn unreachable(&self, cause: String) {
        self.outage.send_if_modified(|outage| match outage {
            Some(known) if known.cause == cause => false,
            Some(known) => {
                known.cause = cause;
                true
            }
            None => {
                *outage = Some(Outage {
                    since: Instant::now(),
                    cause,
                });
                true
            }
        });
    }

    /// Records that the database answers again.
    pub fn reachable(&self) {
        self.outage
            .send_if_modified(|outage| outage.take().is_some());
    }

    /// The outage now, if any.
    pub fn outage(&self) -> Option<Outage> {
        self.outage.borrow().clone()
    }

    /// Reports that a call was answered UNAVAILABLE by the database; many reports before
    /// the checker wakes count as one.
    pub fn suspect(&self) {
        self.suspicion.notify_one();
    }

    /// Completes at the next `suspect` (or at once if one came since the last).
    pub async fn suspected(&self) {
        self.suspicion.notified().await;
    }

    /// Follows the outages: a call that started before one was known can end when it is.
    pub fn watch(&self) -> watch::Receiver<Option<Outage>> {
        self.outage.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_keeps_its_start_until_the_database_answers() {
        let availability = Availability::default();
        assert_eq!(availability.outage(), None);
        availability.unreachable("connection refused".to_owned());
        let first = availability.outage().expect("an outage");
        availability.unreachable("connection reset".to_owned());
        let second = availability.outage().expect("an outage");
        assert_eq!(second.since, first.since);
        assert_eq!(second.cause, "connection reset");
        availability.reachable();
        assert_eq!(availability.outage(), None);
    }

    #[tokio::test]
    async fn suspicions_before_the_checker_waits_wake_it_once() {
        let availability = Availability::default();
        availability.suspect();
        availability.suspect();
        let woken = tokio::time::timeout(Duration::from_millis(100), availability.suspected());
        assert!(woken.await.is_ok(), "a suspicion was kept for the checker");
        let again = tokio::time::timeout(Duration::from_millis(50), availability.suspected());
        assert!(again.await.is_err(), "two suspicions wake it once");
    }

    #[tokio::test]
    async fn a_watcher_learns_of_an_outage_that_begins_after_it_looked() {
        let availability = Availability::default();
        let mut watch = availability.watch();
        assert!(watch.borrow_and_update().is_none());
        availability.unreachable("connection refused".to_owned());
        let outage = watch.wait_for(Option::is_some).await.expect("sender alive");
        assert!(
            outage
                .as_ref()
                .is_some_and(|o| o.cause == "connection refused")
        );
    }
}
