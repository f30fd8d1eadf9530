//! What the soak measures: every call's latency and code, by call and by minute, and the
//! server's resident memory sampled from /proc.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Default)]
struct PerCall {
    micros: Vec<u32>,
    failures: BTreeMap<String, usize>,
}

#[derive(Default, Clone, Copy)]
struct PerMinute {
    calls: usize,
    failures: usize,
    /// The slowest call begun in the minute, and which.
    slowest: (u32, &'static str),
}

pub struct Recorder {
    start: Instant,
    calls: Mutex<BTreeMap<&'static str, PerCall>>,
    minutes: Mutex<Vec<PerMinute>>,
}

impl Recorder {
    pub fn new(start: Instant, minutes: usize) -> Self {
        Self {
            start,
            calls: Mutex::default(),
            minutes: Mutex::new(vec![PerMinute::default(); minutes + 1]),
        }
    }

    pub fn record(&self, call: &'static str, began: Instant, outcome: Result<(), String>) {
        let micros = began.elapsed().as_micros().min(u32::MAX as u128) as u32;
        let failed = outcome.is_err();
        {
            let mut calls = self.calls.lock().expect("lock");
            let entry = calls.entry(call).or_default();
            entry.micros.push(micros);
            if let Err(code) = outcome {
                *entry.failures.entry(code).or_default() += 1;
            }
        }
        let minute = (began - self.start).as_secs() as usize / 60;
        let mut minutes = self.minutes.lock().expect("lock");
        let last = minutes.len() - 1;
        let slot = &mut minutes[minute.min(last)];
        slot.calls += 1;
        slot.failures += usize::from(failed);
        slot.slowest = slot.slowest.max((micros, call));
    }
}

/// VmRSS of a process every `every`, on a thread of its own until stopped.
pub struct RssSampler {
    stop: std::sync::Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<(Duration, u64)>>,
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl RssSampler {
    pub fn spawn(pid: u32, start: Instant, every: Duration) -> Self {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !flag.load(Ordering::SeqCst) {
                if let Some(kib) = rss_kib(pid) {
                    samples.push((start.elapsed(), kib));
                }
                std::thread::sleep(every);
            }
            samples
        });
        Self { stop, thread }
    }

    pub async fn stop(self) -> Vec<(Duration, u64)> {
        self.stop.store(true, Ordering::SeqCst);
        tokio::task::spawn_blocking(move || self.thread.join().expect("sampler"))
            .await
            .expect("join")
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Markdown tables: calls by RPC, the minutes, and what the RSS did after the warm-up.
pub fn report(recorder: &Recorder, rss: &[(Duration, u64)], clients: usize, minutes: u64) {
    let calls = recorder.calls.lock().expect("lock");
    let total: usize = calls.values().map(|c| c.micros.len()).sum();
    let failed: usize = calls
        .values()
        .map(|c| c.failures.values().sum::<usize>())
        .sum();
    println!("\n{clients} clients, {minutes} min: {total} calls, {failed} failed\n");
    println!("| call | calls | p50 ms | p99 ms | max ms | failures |");
    println!("|---|---:|---:|---:|---:|---|");
    for (name, call) in calls.iter() {
        let mut sorted = call.micros.clone();
        sorted.sort_unstable();
        let failures = if call.failures.is_empty() {
            "0".to_owned()
        } else {
            call.failures
                .iter()
                .map(|(code, n)| format!("{n} {code}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.1} | {failures} |",
            sorted.len(),
            percentile(&sorted, 50.0),
            percentile(&sorted, 99.0),
            percentile(&sorted, 100.0),
        );
    }
    let per_minute = recorder.minutes.lock().expect("lock");
    println!(
        "\n| minute | calls | failed | slowest call (ms) | server RSS at its end (MiB) | max in it (MiB) |"
    );
    println!("|---:|---:|---:|---|---:|---:|");
    for (m, slot) in per_minute.iter().enumerate().take(minutes as usize) {
        let within: Vec<u64> = rss
            .iter()
            .filter(|(t, _)| t.as_secs() / 60 == m as u64)
            .map(|(_, k)| *k)
            .collect();
        println!(
            "| {} | {} | {} | {} {:.1} | {:.1} | {:.1} |",
            m + 1,
            slot.calls,
            slot.failures,
            slot.slowest.1,
            slot.slowest.0 as f64 / 1000.0,
            within.last().copied().map_or(0.0, mib),
            within.iter().copied().max().map_or(0.0, mib)
        );
    }
    // Warm-up: the first two minutes (pools filled, caches and allocator arenas grown).
    let after: Vec<u64> = rss
        .iter()
        .filter(|(t, _)| t.as_secs() >= 120)
        .map(|(_, k)| *k)
        .collect();
    if let (Some(first), Some(last), Some(max), Some(min)) = (
        after.first(),
        after.last(),
        after.iter().max(),
        after.iter().min(),
    ) {
        println!(
            "\nRSS after the warm-up (from 2:00): first {:.1} MiB, last {:.1} MiB, min {:.1}, max {:.1} ({} samples every 5 s); peak over the run {:.1} MiB",
            mib(*first),
            mib(*last),
            mib(*min),
            mib(*max),
            after.len(),
            mib(rss.iter().map(|(_, k)| *k).max().unwrap_or(0))
        );
    }
}
