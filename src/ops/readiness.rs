//! Readiness: a background task checks that the database answers, and turns the gRPC
//! health statuses (the server's, `""`, and every `uppsikt.*` service) and `/readyz` to
//! NOT_SERVING when it does not, and back to SERVING when it does again.

use super::metrics::Metrics;
use crate::store::{Backend, Store};
use sea_orm::{ConnectionTrait, Statement};
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

    /// Checks the database once and publishes the result.
    pub async fn check(&self, store: &Store, options: ReadinessOptions) {
        let result = match tokio::time::timeout(options.timeout, probe(store)).await {
            Ok(result) => result,
            Err(_) => Err(format!(
                "the database did not answer within {:?}",
                options.timeout
            )),
        };
        match result {
            Ok(()) => self.set(Readiness::Ready).await,
            Err(reason) => {
                self.metrics.readiness_failed();
                self.set(Readiness::NotReady(reason)).await;
            }
        }
    }

    /// Checks every `interval` until `stop` fires.
    pub async fn run(
        self,
        store: Store,
        options: ReadinessOptions,
        mut stop: watch::Receiver<bool>,
    ) {
        loop {
            tokio::select! {
                () = tokio::time::sleep(options.interval) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            self.check(&store, options).await;
        }
    }
}

/// Reads the migrations table on the primary and the reader: a bare `SELECT 1` would still succeed on a connection whose
/// database was dropped (MySQL) or whose schema is missing. For a SQLite file, also checks
/// that the file is still there and readable: open connections keep working on a deleted
/// or moved file, whose writes would then be lost.
async fn probe(store: &Store) -> Result<(), String> {
    let db = store.db();
    let statement = Statement::from_string(
        db.get_database_backend(),
        "SELECT 1 FROM seaql_migrations LIMIT 1",
    );
    db.query_one_raw(statement.clone())
        .await
        .map_err(|e| format!("the database does not answer: {e}"))?;
    // The API reads through the reader (a replica when configured, else the same pool).
    store
        .reader()
        .query_one_raw(statement)
        .await
        .map_err(|e| format!("the read database does not answer: {e}"))?;
    if store.backend() == Backend::Sqlite {
        let options = db.get_sqlite_connection_pool().connect_options();
        let path = options.get_filename();
        let in_memory = path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:");
        if !in_memory {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)
                .map_err(|e| format!("the database file {} is gone: {e}", path.display()))?;
        }
    }
    Ok(())
}
