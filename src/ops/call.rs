//! What the per-call layers share: which method a request calls, and the code the call's
//! client was told: the protocol edge's `Outcome` when it set one (Connect, gRPC-Web, JSON,
//! CSV), else `grpc-status` in the response headers (trailers-only) or trailers. It is
//! reported exactly once per call (`Finish`): when the response body ends or is dropped, or
//! as CANCELLED when the call itself is dropped before it has a response.

use http::{HeaderMap, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use std::collections::HashSet;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};
use tonic::Code;

/// Label used for a path that names no known method, so unknown paths cannot grow the
/// metrics without bound.
pub const UNKNOWN: &str = "unknown";

/// The methods the server offers, as `/package.Service/Method` paths, read from the
/// descriptor sets it registers for reflection: services added later are known without
/// further wiring.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    methods: Arc<HashSet<String>>,
    services: Arc<Vec<String>>,
}

impl Catalog {
    pub fn from_descriptor_sets(sets: &[&[u8]]) -> Result<Self, prost::DecodeError> {
        use prost::Message;
        let mut methods = HashSet::new();
        let mut services = Vec::new();
        for set in sets {
            let set = prost_types::FileDescriptorSet::decode(*set)?;
            for file in set.file {
                let package = file.package.unwrap_or_default();
                for service in file.service {
                    let name = match package.as_str() {
                        "" => service.name().to_owned(),
                        package => format!("{package}.{}", service.name()),
                    };
                    for method in &service.method {
                        methods.insert(format!("/{name}/{}", method.name()));
                    }
                    if !services.contains(&name) {
                        services.push(name);
                    }
                }
            }
        }
        Ok(Self {
            methods: Arc::new(methods),
            services: Arc::new(services),
        })
    }

    /// Fully qualified names of the services whose package starts with `prefix`.
    pub fn services_in(&self, prefix: &str) -> Vec<String> {
        self.services
            .iter()
            .filter(|s| s.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// The (service, method) a path calls, or (`unknown`, `unknown`).
    pub fn method(&self, path: &str) -> Method {
        if self.methods.contains(path)
            && let Some((service, method)) = path.trim_start_matches('/').split_once('/')
        {
            return Method {
                service: service.to_owned(),
                method: method.to_owned(),
            };
        }
        Method {
            service: UNKNOWN.to_owned(),
            method: UNKNOWN.to_owned(),
        }
    }
}

/// One RPC's identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Method {
    pub service: String,
    pub method: String,
}

impl Method {
    pub fn is_known(&self) -> bool {
        self.service != UNKNOWN
    }
}

/// The canonical name of a gRPC code, as the gRPC docs and other servers' metrics spell it.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

fn grpc_status(headers: &HeaderMap) -> Option<Code> {
    let value = headers.get("grpc-status")?;
    Some(Code::from_bytes(value.as_bytes()))
}

/// The status a response's head already decides: `grpc-status` in the headers (a
/// trailers-only response), or, for a response that is not gRPC and carries no `Outcome`
/// (a CORS preflight), its HTTP status mapped as Connect clients map it. `None`: the
/// trailers will tell.
pub fn status_from_head<B>(response: &Response<B>) -> Option<Code> {
    if let Some(code) = grpc_status(response.headers()) {
        return Some(code);
    }
    let grpc = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    if grpc {
        return None;
    }
    Some(match response.status() {
        s if s.is_success() => Code::Ok,
        StatusCode::BAD_REQUEST => Code::InvalidArgument,
        StatusCode::UNAUTHORIZED => Code::Unauthenticated,
        StatusCode::FORBIDDEN => Code::PermissionDenied,
        StatusCode::NOT_FOUND => Code::Unimplemented,
        StatusCode::CONFLICT => Code::Aborted,
        StatusCode::PRECONDITION_FAILED => Code::FailedPrecondition,
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::TOO_MANY_REQUESTS => Code::ResourceExhausted,
        StatusCode::NOT_IMPLEMENTED => Code::Unimplemented,
        StatusCode::SERVICE_UNAVAILABLE => Code::Unavailable,
        StatusCode::GATEWAY_TIMEOUT => Code::DeadlineExceeded,
        s if s.is_client_error() => Code::InvalidArgument,
        _ => Code::Unknown,
    })
}

/// The code a protocol edge answered with, for answers whose head and trailers carry no
/// gRPC status (Connect, JSON, CSV, gRPC-Web's in-body trailers): put in the response's
/// extensions by the edge (src/http), set when it writes the end of the answer, and read by
/// the per-call layers when the body ends. It wins over anything read from the answer.
#[derive(Debug, Clone, Default)]
pub struct Outcome(Arc<OnceLock<Code>>);

impl Outcome {
    /// An outcome to be set when the answer's end is written.
    pub fn pending() -> Self {
        Self::default()
    }

    /// An outcome known when the answer's head is.
    pub fn settled(code: Code) -> Self {
        let outcome = Self::default();
        outcome.set(code);
        outcome
    }

    /// Sets the code; the first one set stays.
    pub fn set(&self, code: Code) {
        let _ = self.0.set(code);
    }

    pub fn get(&self) -> Option<Code> {
        self.0.get().copied()
    }
}

/// Told the call's status once, when the response body has ended (or is dropped).
pub type OnEnd = Box<dyn FnOnce(Code) + Send>;

/// Reports a call's end exactly once: when its answer's body ends, or, when the call is
/// dropped before it has an answer (the client reset the stream, the connection broke), as
/// CANCELLED. Made when the call starts, so that no call goes uncounted.
pub struct Finish(Option<OnEnd>);

impl Finish {
    pub fn new(on_end: OnEnd) -> Self {
        Self(Some(on_end))
    }

    /// The call ended without an answer, with `code`.
    pub fn now(mut self, code: Code) {
        if let Some(on_end) = self.0.take() {
            on_end(code);
        }
    }

    /// Wraps the answer's body, which reports the end from here on.
    pub fn observe<B>(mut self, response: Response<B>) -> Response<ObservedBody<B>> {
        let on_end = self.0.take().expect("a Finish reports once");
        let status = status_from_head(&response);
        let outcome = response.extensions().get::<Outcome>().cloned();
        response.map(|body| ObservedBody::new(body, status, outcome, on_end))
    }
}

impl Drop for Finish {
    fn drop(&mut self) {
        if let Some(on_end) = self.0.take() {
            on_end(Code::Cancelled);
        }
    }
}

pin_project_lite::pin_project! {
    /// A response body that reports the call's status when it ends: the edge's outcome,
    /// else the trailers' or head's status; a body dropped before its end is a call the
    /// client cancelled.
    pub struct ObservedBody<B> {
        #[pin]
        inner: B,
        status: Option<Code>,
        outcome: Option<Outcome>,
        on_end: Option<OnEnd>,
    }

    impl<B> PinnedDrop for ObservedBody<B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(on_end) = this.on_end.take() {
                let code = this.outcome.as_ref().and_then(Outcome::get).or(*this.status);
                on_end(code.unwrap_or(Code::Cancelled));
            }
        }
    }
}

impl<B> ObservedBody<B> {
    fn new(inner: B, status: Option<Code>, outcome: Option<Outcome>, on_end: OnEnd) -> Self {
        Self {
            inner,
            status,
            outcome,
            on_end: Some(on_end),
        }
    }
}

impl<B: Body> Body for ObservedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        match &frame {
            Some(Ok(frame)) => {
                if let Some(code) = frame.trailers_ref().and_then(grpc_status) {
                    *this.status = Some(code);
                }
            }
            Some(Err(_)) => {
                this.status.get_or_insert(Code::Internal);
            }
            None => {
                if let Some(on_end) = this.on_end.take() {
                    // A gRPC body that ended without a status is not a complete call.
                    let code = this
                        .outcome
                        .as_ref()
                        .and_then(Outcome::get)
                        .or(*this.status);
                    on_end(code.unwrap_or(Code::Unknown));
                }
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_status_of_grpc_and_other_responses() {
        let trailers_only = Response::builder()
            .header("content-type", "application/grpc")
            .header("grpc-status", "3")
            .body(())
            .unwrap();
        assert_eq!(
            status_from_head(&trailers_only),
            Some(Code::InvalidArgument)
        );
        let streaming = Response::builder()
            .header("content-type", "application/grpc+proto")
            .body(())
            .unwrap();
        assert_eq!(status_from_head(&streaming), None);
        let json_not_found = Response::builder()
            .status(404)
            .header("content-type", "application/json")
            .body(())
            .unwrap();
        assert_eq!(status_from_head(&json_not_found), Some(Code::Unimplemented));
    }

    #[test]
    fn a_call_is_reported_once_however_it_ends() {
        use http_body_util::{BodyExt, Full};
        use std::sync::Mutex;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = || -> OnEnd {
            let seen = Arc::clone(&seen);
            Box::new(move |code| seen.lock().expect("lock").push(code))
        };
        // Dropped before an answer (the client reset the stream).
        drop(Finish::new(record()));
        // An answer whose code the edge set, read to its end and dropped.
        let mut response = Response::builder()
            .header("content-type", "application/grpc-web+proto")
            .body(Full::new(bytes::Bytes::from_static(b"...")))
            .unwrap();
        response
            .extensions_mut()
            .insert(Outcome::settled(Code::NotFound));
        let observed = Finish::new(record()).observe(response);
        futures::executor::block_on(observed.into_body().collect()).expect("body");
        // An answer dropped before its end: CANCELLED.
        let unread = Response::builder()
            .header("content-type", "application/grpc")
            .body(Full::new(bytes::Bytes::from_static(b"...")))
            .unwrap();
        drop(Finish::new(record()).observe(unread));
        assert_eq!(
            *seen.lock().expect("lock"),
            vec![Code::Cancelled, Code::NotFound, Code::Cancelled]
        );
    }

    #[test]
    fn catalog_knows_registered_methods_only() {
        let catalog =
            Catalog::from_descriptor_sets(&[crate::proto::FILE_DESCRIPTOR_SET]).expect("decode");
        let known = catalog.method("/uppsikt.v1.BudgetService/SummarizeBudget");
        assert_eq!(known.service, "uppsikt.v1.BudgetService");
        assert_eq!(known.method, "SummarizeBudget");
        assert!(!catalog.method("/uppsikt.v1.BudgetService/Nope").is_known());
        assert!(
            catalog
                .services_in("uppsikt.")
                .contains(&"uppsikt.v1.ImportService".to_owned())
        );
    }
}
