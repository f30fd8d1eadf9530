//! One tracing span per call, carrying the method and request id, so every log line inside
//! the call shows them, and one log line per call when its response ends. When traces are
//! exported, the span is named `package.Service/Method`, has OpenTelemetry's RPC attributes
//! and the call's status, and is a child of the caller's W3C trace context (`traceparent`)
//! when it sent one. Health checks are logged but not exported.

use super::call::{Catalog, Finish, code_name};
use super::request_id::RequestId;
use futures::future::BoxFuture;
use http::{HeaderMap, Request, Response};
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use std::task::{Context, Poll};
use std::time::Instant;
use tonic::Code;
use tower::{Layer, Service};
use tracing::Instrument;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The service that load balancers and orchestrators probe.
const PROBE_SERVICE: &str = "grpc.health.v1.Health";

#[derive(Debug, Clone)]
pub struct TraceLayer {
    catalog: Catalog,
}

impl TraceLayer {
    pub fn new(catalog: Catalog) -> Self {
        Self { catalog }
    }
}

impl<S> Layer<S> for TraceLayer {
    type Service = TraceService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TraceService {
            inner,
            catalog: self.catalog.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TraceService<S> {
    inner: S,
    catalog: Catalog,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for TraceService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: std::fmt::Display,
{
    type Response = Response<super::call::ObservedBody<ResBody>>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let method = self.catalog.method(request.uri().path());
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId::of(&request));
        let name = if method.is_known() {
            format!("{}/{}", method.service, method.method)
        } else {
            super::call::UNKNOWN.to_owned()
        };
        let span = if method.service == PROBE_SERVICE {
            // Health checks come every few seconds from each probe: logged, not exported.
            tracing::info_span!(
                target: super::otel::PROBE_TARGET,
                "rpc",
                method = %name,
                request_id = %request_id.0,
                credential = Empty,
            )
        } else if super::otel::exporting() {
            let span = tracing::info_span!(
                "rpc",
                otel.name = %name,
                otel.kind = "server",
                otel.status_code = Empty,
                rpc.system = "grpc",
                rpc.service = %method.service,
                rpc.method = %method.method,
                rpc.grpc.status_code = Empty,
                request_id = %request_id.0,
                // Set by the authentication layer inside this one: who called.
                credential = Empty,
            );
            let parent = TraceContextPropagator::new().extract(&Headers(request.headers()));
            if parent.span().span_context().is_valid() {
                let _ = span.set_parent(parent);
            }
            span
        } else {
            // For logs alone: OpenTelemetry's attributes would only repeat the method (and
            // the status, which `call finished` carries), and every field is formatted per
            // call, a cost that a call as cheap as GetOrgUnit notices.
            tracing::info_span!(
                "rpc",
                method = %name,
                request_id = %request_id.0,
                credential = Empty,
            )
        };
        let started = Instant::now();
        // One `call finished` line however the call ends, also when it is dropped before
        // its answer (the client reset the stream, the connection broke).
        let finish = Finish::new(Box::new({
            let span = span.clone();
            move |code| finish(&span, code, started)
        }));
        let future = {
            let _entered = span.enter();
            self.inner.call(request)
        };
        Box::pin(
            async move {
                match future.await {
                    Ok(response) => Ok(finish.observe(response)),
                    Err(error) => {
                        tracing::warn!(%error, "call failed before a response");
                        finish.now(Code::Unknown);
                        Err(error)
                    }
                }
            }
            .instrument(span),
        )
    }
}

/// Records the status on an exported span (OpenTelemetry marks only server faults as
/// errors) and logs the call.
fn finish(span: &tracing::Span, code: Code, started: Instant) {
    if super::otel::exporting() {
        record_status(span, code);
    }
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(parent: span, code = code_name(code), elapsed_ms, "call finished");
}

/// The status fields only the exported span has.
fn record_status(span: &tracing::Span, code: Code) {
    span.record("rpc.grpc.status_code", code as i64);
    let server_fault = matches!(
        code,
        Code::Unknown
            | Code::DeadlineExceeded
            | Code::Unimplemented
            | Code::Internal
            | Code::Unavailable
            | Code::DataLoss
    );
    if server_fault {
        span.record("otel.status_code", "ERROR");
    }
}

/// Reads W3C trace-context headers from an HTTP header map.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    //! One `call finished` line per call, however it ends, with the code its client was told.

    use super::*;
    use crate::ops::call::Outcome;
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use std::convert::Infallible;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;

    /// Log output kept in memory.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Lines {
        fn finished(&self) -> Vec<String> {
            String::from_utf8(self.0.lock().expect("lock").clone())
                .expect("UTF-8")
                .lines()
                .filter(|line| line.contains("call finished"))
                .map(str::to_owned)
                .collect()
        }
    }

    fn layer() -> TraceLayer {
        TraceLayer::new(
            Catalog::from_descriptor_sets(&[crate::proto::FILE_DESCRIPTOR_SET]).expect("catalog"),
        )
    }

    fn request() -> Request<()> {
        Request::post("/uppsikt.v1.OrganizationService/GetOrgUnit")
            .body(())
            .expect("request")
    }

    fn logging() -> (Lines, tracing::subscriber::DefaultGuard) {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (lines, tracing::subscriber::set_default(subscriber))
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_call_dropped_before_its_answer_is_logged_once_as_cancelled() {
        let (lines, _guard) = logging();
        let never = tower::service_fn(|_: Request<()>| {
            futures::future::pending::<Result<Response<Full<Bytes>>, Infallible>>()
        });
        let call = layer().layer(never).oneshot(request());
        let cut = tokio::time::timeout(std::time::Duration::from_millis(10), call).await;
        assert!(cut.is_err(), "the call never answers");
        let finished = lines.finished();
        assert_eq!(finished.len(), 1, "{finished:?}");
        assert!(finished[0].contains("code=\"CANCELLED\""), "{finished:?}");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_edges_outcome_is_the_code_logged() {
        let (lines, _guard) = logging();
        let answered = tower::service_fn(|_: Request<()>| async {
            // An answer whose head says nothing in gRPC terms (as gRPC-Web's does not).
            let mut response = Response::new(Full::new(Bytes::from_static(b"\x80...")));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/grpc-web+proto"),
            );
            response
                .extensions_mut()
                .insert(Outcome::settled(Code::NotFound));
            Ok::<_, Infallible>(response)
        });
        let response = layer()
            .layer(answered)
            .oneshot(request())
            .await
            .expect("answer");
        assert!(lines.finished().is_empty(), "not before the body has ended");
        response.into_body().collect().await.expect("body");
        let finished = lines.finished();
        assert_eq!(finished.len(), 1, "{finished:?}");
        assert!(finished[0].contains("code=\"NOT_FOUND\""), "{finished:?}");
    }
}
