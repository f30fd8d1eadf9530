//! `x-request-id`: taken from the request when the client sent a usable one, generated
//! otherwise, set on the request for the layers and handlers inside, and returned on the
//! response, so one id ties a client's call to the server's log lines.

use futures::future::BoxFuture;
use http::{HeaderValue, Request, Response};
use std::task::{Context, Poll};
use tower::{Layer, Service};

pub const HEADER: &str = "x-request-id";
/// Longer ids are replaced: they would bloat every log line.
const MAX_LEN: usize = 128;

/// The call's request id, also in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The request's id, or a new UUID when it has none or one that is not printable ASCII.
    pub fn of<B>(request: &Request<B>) -> Self {
        let sent = request
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| {
                !v.is_empty() && v.len() <= MAX_LEN && v.bytes().all(|b| b.is_ascii_graphic())
            });
        match sent {
            Some(id) => Self(id.to_owned()),
            None => Self(uuid::Uuid::new_v4().to_string()),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RequestIdLayer;

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestIdService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestIdService { inner }
    }
}

#[derive(Debug, Clone)]
pub struct RequestIdService<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequestIdService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let id = RequestId::of(&request);
        // Checked above (or a UUID): always a valid header value.
        let value = HeaderValue::from_str(&id.0).expect("printable ASCII");
        request.headers_mut().insert(HEADER, value.clone());
        request.extensions_mut().insert(id);
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            // Never indexed by HPACK: each call's id is new, so an indexed one only fills
            // the connection's header table with ids that are never sent again, and h2
            // compares each new id with every one there, on every response.
            let mut value = value;
            value.set_sensitive(true);
            response.headers_mut().insert(HEADER, value);
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_usable_id_and_replaces_others() {
        let with = Request::builder()
            .header(HEADER, "abc-123")
            .body(())
            .unwrap();
        assert_eq!(RequestId::of(&with).0, "abc-123");
        let spaced = Request::builder().header(HEADER, "a b").body(()).unwrap();
        assert_ne!(RequestId::of(&spaced).0, "a b");
        let without = Request::builder().body(()).unwrap();
        let generated = RequestId::of(&without).0;
        assert_eq!(generated.len(), 36, "a UUID: {generated}");
    }
}
