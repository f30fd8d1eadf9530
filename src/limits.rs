//! Resource limits on every call except health and reflection (OWASP API4): a deadline
//! answered DEADLINE_EXCEEDED, and a bound on concurrent calls answered RESOURCE_EXHAUSTED
//! at once (load shedding: a call is never queued behind others).
//!
//! The deadline is the server's (`call_timeout`, or `import_timeout` for the Import stream,
//! which may rightly take long) or the client's `grpc-timeout` when that is shorter. tonic's
//! own timeout also watches `grpc-timeout` but answers CANCELLED; this layer sits inside it
//! and aims a little earlier (`client_margin`), so the client gets DEADLINE_EXCEEDED.

use crate::auth::policy::{Requirement, requirement};
use crate::guard::{Guard, Inner, refusal};
use crate::status::ApiError;
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

const IMPORT_PATH: &str = "/uppsikt.v1.ImportService/Import";

/// Largest request or response message, so no client can make the server buffer without
/// bound (tonic's default decoding limit is 4 MiB; imports stream many small messages).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// How much earlier than the client's deadline this layer answers: a tenth of it, between
/// 5 and 50 ms, so a busy machine still answers before tonic's own timer (same deadline).
fn client_margin(client: Duration) -> Duration {
    (client / 10).clamp(Duration::from_millis(5), Duration::from_millis(50))
}

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub call_timeout: Duration,
    pub import_timeout: Duration,
    pub max_concurrent_calls: usize,
    pub max_import_records: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            call_timeout: Duration::from_secs(30),
            import_timeout: Duration::from_secs(3600),
            max_concurrent_calls: 256,
            max_import_records: 10_000_000,
        }
    }
}

/// The limits, a `guard::Guard` (`GuardLayer(LimitGuard::new(limits))`).
#[derive(Clone)]
pub struct LimitGuard {
    limits: Limits,
    permits: Arc<Semaphore>,
}

impl LimitGuard {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            permits: Arc::new(Semaphore::new(limits.max_concurrent_calls.max(1))),
        }
    }
}

/// The client's `grpc-timeout` (an integer of at most 8 digits and a unit, H M S m u n).
pub fn grpc_timeout(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount * 3600),
        "M" => Duration::from_secs(amount * 60),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

impl Guard for LimitGuard {
    fn guard<S: Inner<Q, R>, Q: Send + 'static, R: Default + Send + 'static>(
        &self,
        request: http::Request<Q>,
        mut inner: S,
    ) -> BoxFuture<'static, Result<http::Response<R>, S::Error>> {
        let path = request.uri().path().to_owned();
        if requirement(&path) == Requirement::Open {
            return Box::pin(inner.call(request));
        }
        let limits = self.limits;
        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            tracing::warn!(%path, limit = limits.max_concurrent_calls, "call shed: too many concurrent calls");
            return Box::pin(async move {
                Ok(refusal(ApiError::ResourceExhausted {
                    reason: "TOO_MANY_CALLS",
                    message: format!(
                        "the server is at its limit of {} concurrent calls; retry shortly",
                        limits.max_concurrent_calls
                    ),
                    retry_after: Some(Duration::from_secs(1)),
                }))
            });
        };
        let server = if path == IMPORT_PATH {
            limits.import_timeout
        } else {
            limits.call_timeout
        };
        let deadline = match grpc_timeout(request.headers()) {
            Some(client) if client.saturating_sub(client_margin(client)) < server => {
                client.saturating_sub(client_margin(client))
            }
            _ => server,
        };
        // Counted from now, not from the first poll: tonic's own timer starts at `call` too,
        // and a layer above may poll later.
        let expires = tokio::time::Instant::now() + deadline;
        Box::pin(async move {
            let result = tokio::time::timeout_at(expires, inner.call(request)).await;
            drop(permit);
            match result {
                Ok(response) => response,
                Err(_) => {
                    tracing::info!(%path, ?deadline, "deadline exceeded");
                    Ok(refusal(ApiError::DeadlineExceeded {
                        message: format!("the call's deadline of {deadline:?} passed"),
                    }))
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse() {
        let mut headers = http::HeaderMap::new();
        for (text, expected) in [
            ("100m", Some(Duration::from_millis(100))),
            ("2S", Some(Duration::from_secs(2))),
            ("1H", Some(Duration::from_secs(3600))),
            ("5u", Some(Duration::from_micros(5))),
            ("123456789S", None),
            ("S", None),
            ("10x", None),
        ] {
            headers.insert("grpc-timeout", text.parse().unwrap());
            assert_eq!(grpc_timeout(&headers), expected, "{text}");
        }
    }
}
