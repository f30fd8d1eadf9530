//! Readiness: a background task checks that the database answers, and turns the gRPC
//! health statuses (the server's, `""`, and every `uppsikt.*` service) and `/readyz` to
//! NOT_SERVING when it does not, and back to SERVING when it does again.

use super::metrics::Metrics;
use crate::store::probe::Probed;
use crate::store::{Store, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

/// The readiness state as `/readyz` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Why not: the check's error, or that the server is shutting down.
    NotReady(String),
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        matches!(self, Self::Ready)
    }
}

/// How often and how patiently the database is checked.
#[derive(Debug, Clone, Copy)]
pub struct ReadinessOptions {
    pub interval: Duration,
    pub timeout: Duration,
}

impl Default for ReadinessOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(2),
        }
    }
}

/// Publishes readiness to gRPC health, `/readyz` (through the watch) and the metrics.
#[derive(Clone)]
pub struct ReadinessReporter {
    health: HealthReporter,
    services: Arc<Vec<String>>,
    state: watch::Sender<Readiness>,
    metrics: Arc<Metrics>,
    /// What gRPC health was last told; `None` before the first check.
    published: Arc<std::sync::Mutex<Option<bool>>>,
    /// Set on shutdown: from then on the server stays NOT_SERVING whatever a check says.
    draining: Arc<std::sync::atomic::AtomicBool>,
}

impl ReadinessReporter {
    pub fn new(health: HealthReporter, services: Vec<String>, metrics: Arc<Metrics>) -> Self {
        let (state, _) = watch::channel(Readiness::NotReady("not checked yet".to_owned()));
        Self {
            health,
            services: Arc::new(services),
            state,
            metrics,
            published: Arc::default(),
            draining: Arc::default(),
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<Readiness> {
        self.state.subscribe()
    }

    /// NOT_SERVING for good: the server is shutting down.
    pub async fn drain(&self) {
        self.draining
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.set(Readiness::NotReady("shutting down".to_owned()))
            .await;
    }

    /// Sets the state; logs and updates gRPC health only when readiness changes.
    async fn set(&self, readiness: Readiness) {
        if readiness.is_ready() && self.draining.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let ready = readiness.is_ready();
        self.metrics.set_ready(ready);
        self.state.send_replace(readiness.clone());
        {
            let mut published = self.published.lock().unwrap_or_else(|e| e.into_inner());
            if *published == Some(ready) {
                return;
            }
            *published = Some(ready);
        }
        match &readiness {
            Readiness::Ready => tracing::info!("ready: the database answers"),
            Readiness::NotReady(reason) => tracing::warn!(%reason, "not ready"),
        }
        let status = if ready {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        self.health.set_service_status("", status).await;
        for service in self.services.iter() {
            self.health.set_service_status(service, status).await;
        }
    }

    /// Checks the database once and publishes the result. A database that cannot be
    /// reached is also reported to the store (`store::availability`), so that calls fail at
    /// once while it is away.
    pub async fn check(&self, store: &Store, options: ReadinessOptions) {
        let unreachable = async {
            // The pool retries a refused connection until its timeout: when the probe is
            // slow, a connection of its own tells whether the database is there at all.
            tokio::time::sleep(UNREACHABLE_AFTER.min(options.timeout)).await;
            match store.connect_once().await {
                Err(error @ StoreError::Unavailable(_)) => Some(error),
                _ => std::future::pending().await,
            }
        };
        let result = tokio::select! {
            result = tokio::time::timeout(options.timeout, probe(store)) => match result {
                Ok(result) => result,
                Err(_) => Err(Failure {
                    reason: format!("the database did not answer within {:?}", options.timeout),
                    unreachable: None,
                }),
            },
            Some(error) = unreachable => Err(Failure {
                reason: format!("the database cannot be reached: {error}"),
                unreachable: Some(error.cause()),
            }),
        };
        match result {
            Ok(()) => {
                store.availability().reachable();
                self.set(Readiness::Ready).await;
            }
            Err(failure) => {
                match failure.unreachable {
                    Some(cause) => store.availability().unreachable(cause),
                    // Slow or broken, but there: calls get their own answers.
                    None => store.availability().reachable(),
                }
                self.metrics.readiness_failed();
                self.set(Readiness::NotReady(failure.reason)).await;
            }
        }
    }

    /// Checks every `interval` (at least every second while not ready, so that calls are
    /// let through again soon after the database is back), and soon after a call was
    /// answered UNAVAILABLE, until `stop` fires.
    pub async fn run(
        self,
        store: Store,
        options: ReadinessOptions,
        mut stop: watch::Receiver<bool>,
    ) {
        loop {
            let interval = if self.state.borrow().is_ready() {
                options.interval
            } else {
                options.interval.min(INTERVAL_WHILE_DOWN)
            };
            let last = tokio::time::Instant::now();
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                // A call was answered UNAVAILABLE: look now, but not more often than every
                // `SUSPICION_GAP`, so that a burst of failures is one check.
                () = store.availability().suspected() => {
                    tokio::select! {
                        () = tokio::time::sleep_until(last + SUSPICION_GAP) => {}
                        _ = stop.changed() => return,
                    }
                }
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            self.check(&store, options).await;
        }
    }
}

/// How long the probe may take before a connection of its own checks that the database is
/// there.
const UNREACHABLE_AFTER: Duration = Duration::from_millis(250);
/// The shortest pause between a check and one a failed call asks for.
const SUSPICION_GAP: Duration = Duration::from_millis(250);
/// The longest pause between checks while the database does not answer.
const INTERVAL_WHILE_DOWN: Duration = Duration::from_secs(1);

/// Why a check failed: the reason `/readyz` shows, and whether the database is unreachable
/// (with the cause a client may be told) rather than slow or broken.
struct Failure {
    reason: String,
    unreachable: Option<String>,
}

/// Reads the schema on the primary and the reader (`Store::probe_schema`). For a SQLite
/// file, also checks that the file is still there and readable: open connections keep
/// working on a deleted or moved file, whose writes would then be lost.
async fn probe(store: &Store) -> Result<(), Failure> {
    store.probe_schema().await.map_err(|(probed, error)| {
        let what = match probed {
            Probed::Primary => "the database does not answer",
            Probed::Reader => "the read database does not answer",
        };
        Failure {
            reason: format!("{what}: {error}"),
            unreachable: matches!(error, StoreError::Unavailable(_)).then(|| error.cause()),
        }
    })?;
    if let Some(path) = store.sqlite_file() {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Failure {
                reason: format!("the database file {} is gone: {e}", path.display()),
                unreachable: None,
            })?;
    }
    Ok(())
}
