//! Log lines gathered in memory and written by a thread of their own. A line costs its
//! caller a copy under a lock; only the first line into an empty batch wakes the writer,
//! which then lingers a few milliseconds so that the lines after it go out in the same
//! system call. Waking a writer per line (a channel per line, as `tracing-appender` does)
//! would cost every call a thread wake-up and a system call of its own for its
//! `call finished` line. A full batch makes callers wait: lines are never dropped.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use tracing_subscriber::fmt::MakeWriter;

/// How long the writer gathers lines after the first one wakes it: also the most a line
/// waits before it is written.
const LINGER: Duration = Duration::from_millis(5);
/// A batch this large makes the next caller wait until the writer has taken it.
const LIMIT: usize = 1 << 20;

#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    batch: Mutex<Batch>,
    /// The batch got its first line, or the guard closed it.
    filled: Condvar,
    /// The writer took the batch.
    taken: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Batch> {
        // A thread that panicked while holding the lock left whole lines behind: keep them.
        self.batch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The `MakeWriter` the fmt layer writes its lines through.
#[derive(Clone)]
pub struct BatchWriter {
    shared: Arc<Shared>,
}

/// Writes what is still gathered and stops the writer thread when dropped.
#[must_use = "dropping the guard stops the log writer"]
pub struct WriterGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// A writer of lines into `out` and the guard that ends it.
pub fn spawn(out: impl Write + Send + 'static) -> (BatchWriter, WriterGuard) {
    let shared = Arc::new(Shared::default());
    let writer_shared = Arc::clone(&shared);
    let thread = std::thread::Builder::new()
        .name("log-writer".into())
        .spawn(move || write_batches(&writer_shared, out))
        .expect("the log writer thread starts");
    (
        BatchWriter {
            shared: Arc::clone(&shared),
        },
        WriterGuard {
            shared,
            thread: Some(thread),
        },
    )
}

fn write_batches(shared: &Shared, mut out: impl Write) {
    let mut spare = Vec::new();
    loop {
        let mut batch = shared.lock();
        while batch.bytes.is_empty() && !batch.closed {
            batch = shared
                .filled
                .wait(batch)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        if batch.bytes.is_empty() {
            return; // closed, and everything written
        }
        if !batch.closed {
            drop(batch);
            std::thread::sleep(LINGER);
            batch = shared.lock();
        }
        std::mem::swap(&mut batch.bytes, &mut spare);
        drop(batch);
        shared.taken.notify_all();
        // Nowhere to report a failed write of the log itself; the next batch tries again.
        let _ = out.write_all(&spare).and_then(|()| out.flush());
        spare.clear();
    }
}

impl Drop for WriterGuard {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.filled.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Write for &BatchWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut batch = self.shared.lock();
        while batch.bytes.len() >= LIMIT && !batch.closed {
            batch = self
                .shared
                .taken
                .wait(batch)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        let first = batch.bytes.is_empty();
        batch.bytes.extend_from_slice(bytes);
        drop(batch);
        if first {
            self.shared.filled.notify_one();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchWriter {
    type Writer = &'a BatchWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// An `out` a test can read after the writer has stopped (the telemetry tests too).
    #[derive(Clone, Default)]
    pub(in crate::telemetry) struct Sink(pub(in crate::telemetry) Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_from_every_thread_is_written_whole_by_the_time_the_guard_drops() {
        let sink = Sink::default();
        let (writer, guard) = spawn(sink.clone());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..5000 {
                        (&writer)
                            .write_all(format!("thread {t} line {i}\n").as_bytes())
                            .unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        drop(guard);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 20_000);
        for t in 0..4 {
            let own: Vec<&str> = lines
                .iter()
                .copied()
                .filter(|l| l.starts_with(&format!("thread {t} ")))
                .collect();
            let expected: Vec<String> = (0..5000).map(|i| format!("thread {t} line {i}")).collect();
            assert_eq!(own, expected, "thread {t}'s lines, in its order");
        }
    }

    #[test]
    fn a_line_is_written_within_the_linger_without_more_lines_or_a_drop() {
        let sink = Sink::default();
        let (writer, _guard) = spawn(sink.clone());
        (&writer).write_all(b"alone\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while sink.0.lock().unwrap().is_empty() {
            assert!(std::time::Instant::now() < deadline, "never written");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(sink.0.lock().unwrap().as_slice(), b"alone\n");
    }
}
