//! Concurrent load: `clients` tokio tasks, each with its own client (its own channel, so its
//! own HTTP/2 connection, or a clone of a database pool), calling until a fixed number of
//! calls or a fixed duration is reached, whichever comes first.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

/// When a measurement stops: after `calls` calls or after `duration`, whichever is first.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub calls: usize,
    pub duration: Duration,
    /// Untimed calls per client before the clock starts (connections, caches).
    pub warmup: usize,
}

/// The outcome of one measurement.
#[derive(Debug, Clone)]
pub struct Stats {
    pub clients: usize,
    pub calls: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub seconds: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// The fewest and the most calls one client made: how evenly the clients were served.
    pub calls_per_client: (usize, usize),
    /// Every call's latency, sorted: rounds measured apart are pooled from these.
    latencies: Arc<Vec<Duration>>,
}

impl Stats {
    pub fn rate(&self) -> f64 {
        self.calls as f64 / self.seconds
    }

    pub fn p50_ms(&self) -> f64 {
        self.p50.as_secs_f64() * 1000.0
    }

    pub fn p99_ms(&self) -> f64 {
        self.p99.as_secs_f64() * 1000.0
    }

    /// One measurement made of several rounds of the same load: their calls pooled, so the
    /// percentiles are those of every call of every round; the fewest and most calls one
    /// client made in any round.
    pub fn pooled(rounds: &[Stats]) -> Stats {
        let mut latencies: Vec<Duration> = rounds
            .iter()
            .flat_map(|r| r.latencies.iter().copied())
            .collect();
        latencies.sort_unstable();
        Stats {
            clients: rounds.first().map_or(0, |r| r.clients),
            calls: latencies.len(),
            errors: rounds.iter().map(|r| r.errors).sum(),
            first_error: rounds.iter().find_map(|r| r.first_error.clone()),
            seconds: rounds.iter().map(|r| r.seconds).sum(),
            p50: percentile(&latencies, 50.0),
            p99: percentile(&latencies, 99.0),
            calls_per_client: rounds.iter().fold((usize::MAX, 0), |(fewest, most), r| {
                (
                    fewest.min(r.calls_per_client.0),
                    most.max(r.calls_per_client.1),
                )
            }),
            latencies: Arc::new(latencies),
        }
    }
}

impl Limit {
    /// The same limit shared out over `rounds` rounds (the warm-up is each round's own).
    pub fn per_round(self, rounds: u32) -> Limit {
        Limit {
            calls: self.calls.div_ceil(rounds as usize),
            duration: self.duration / rounds,
            warmup: self.warmup,
        }
    }
}

/// Nearest-rank percentile of sorted latencies.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs `call(client, n)` from one task per client; `n` numbers the calls so that callers
/// can vary the request (another unit per call).
pub async fn drive<C, F, Fut>(clients: Vec<C>, limit: Limit, call: F) -> Stats
where
    C: Clone + Send + 'static,
    F: Fn(C, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let count = clients.len();
    let call = Arc::new(call);
    let tickets = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(count + 1));
    // Set by whichever party passes the barrier first: the clock starts once every client
    // has warmed up.
    let start = Arc::new(OnceLock::new());
    let mut tasks = Vec::with_capacity(count);
    for (i, client) in clients.into_iter().enumerate() {
        let (call, tickets, barrier, start) = (
            call.clone(),
            tickets.clone(),
            barrier.clone(),
            start.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            for w in 0..limit.warmup {
                if let Err(e) = call(client.clone(), i * 1000 + w).await {
                    errors.push(e);
                }
            }
            barrier.wait().await;
            let started = *start.get_or_init(Instant::now);
            let mut latencies = Vec::new();
            loop {
                let n = tickets.fetch_add(1, Ordering::Relaxed);
                if n >= limit.calls || started.elapsed() >= limit.duration {
                    break;
                }
                let t = Instant::now();
                let result = call(client.clone(), n).await;
                latencies.push(t.elapsed());
                if let Err(e) = result {
                    errors.push(e);
                }
            }
            (latencies, errors, Instant::now())
        }));
    }
    barrier.wait().await;
    let started = *start.get_or_init(Instant::now);
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    let mut finished = started;
    let mut calls_per_client = (usize::MAX, 0);
    for task in tasks {
        let (l, e, end) = task.await.expect("load task");
        calls_per_client = (
            calls_per_client.0.min(l.len()),
            calls_per_client.1.max(l.len()),
        );
        latencies.extend(l);
        errors.extend(e);
        finished = finished.max(end);
    }
    latencies.sort_unstable();
    Stats {
        clients: count,
        calls: latencies.len(),
        errors: errors.len(),
        first_error: errors.into_iter().next(),
        seconds: (finished - started).as_secs_f64(),
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
        calls_per_client,
        latencies: Arc::new(latencies),
    }
}

/// How many rounds each side of a comparison under load takes, in turns: ten rounds of
/// half a second, so that a slower stretch of a few seconds on a shared host falls on both
/// sides. With a few long rounds, one such stretch could fall on one side's round alone and
/// carry the pooled ratio with it.
pub const ROUNDS: u32 = 10;

/// Up to this many rounds, every round's ratio is printed; past it, their spread.
const ROUNDS_PRINTED: usize = 5;

/// Both sides of a comparison: each side's calls pooled, and each round's pair.
pub struct Turns {
    pub a: Stats,
    pub b: Stats,
    pub rounds: Vec<(Stats, Stats)>,
}

impl Turns {
    /// Each round's `ratio(a, b)`, for printing beside the pooled one; of many rounds,
    /// the lowest, the quartiles and the highest.
    pub fn per_round(&self, ratio: impl Fn(&Stats, &Stats) -> f64) -> String {
        let mut ratios: Vec<f64> = self.rounds.iter().map(|(a, b)| ratio(a, b)).collect();
        if ratios.len() <= ROUNDS_PRINTED {
            return ratios
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(", ");
        }
        ratios.sort_unstable_by(f64::total_cmp);
        let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
        format!(
            "{} pairs: min {:.2}, quartiles {:.2} {:.2} {:.2}, max {:.2}",
            ratios.len(),
            at(0.0),
            at(0.25),
            at(0.5),
            at(0.75),
            at(1.0)
        )
    }
}

/// Measures two sides of a comparison in turns: `rounds` rounds of `a`, then `b`, each with
/// its share of `limit`, so that a stretch when this shared machine is slower falls on both
/// sides rather than on one.
pub async fn in_turns<A, FA, B, FB>(
    limit: Limit,
    rounds: u32,
    mut a: A,
    mut b: B,
) -> anyhow::Result<Turns>
where
    A: FnMut(Limit) -> FA,
    FA: Future<Output = anyhow::Result<Stats>>,
    B: FnMut(Limit) -> FB,
    FB: Future<Output = anyhow::Result<Stats>>,
{
    let round = limit.per_round(rounds);
    let mut pairs = Vec::with_capacity(rounds as usize);
    for _ in 0..rounds {
        let first = a(round).await?;
        let second = b(round).await?;
        pairs.push((first, second));
    }
    let (a, b): (Vec<Stats>, Vec<Stats>) = pairs.iter().cloned().unzip();
    Ok(Turns {
        a: Stats::pooled(&a),
        b: Stats::pooled(&b),
        rounds: pairs,
    })
}
