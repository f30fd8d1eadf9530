//! The one tower layer shape of the call guards (authentication, limits, the outage gate):
//! a guard says what it does with a call and its inner service; the Layer and Service
//! plumbing, and how a refusal becomes a response, are written once here.

use crate::status::ApiError;
use futures::future::BoxFuture;
use std::task::{Context, Poll};
use tower_service::Service;

/// The service a guard hands a call on to.
pub trait Inner<ReqBody, ResBody>:
    Service<http::Request<ReqBody>, Response = http::Response<ResBody>, Future: Send + 'static>
    + Send
    + 'static
{
}

impl<S, ReqBody, ResBody> Inner<ReqBody, ResBody> for S where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>, Future: Send + 'static>
        + Send
        + 'static
{
}

/// What a guard does with one call: refuse it, or hand it to `inner` (and shape the answer).
pub trait Guard: Clone + Send + Sync + 'static {
    fn guard<S: Inner<Q, R>, Q: Send + 'static, R: Default + Send + 'static>(
        &self,
        request: http::Request<Q>,
        inner: S,
    ) -> BoxFuture<'static, Result<http::Response<R>, S::Error>>;
}

/// A guard as a tower layer.
#[derive(Clone)]
pub struct GuardLayer<G>(pub G);

impl<G: Clone, S> tower_layer::Layer<S> for GuardLayer<G> {
    type Service = Guarded<G, S>;

    fn layer(&self, inner: S) -> Self::Service {
        Guarded {
            guard: self.0.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct Guarded<G, S> {
    guard: G,
    inner: S,
}

impl<G, S, ReqBody, ResBody> Service<http::Request<ReqBody>> for Guarded<G, S>
where
    G: Guard,
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        // The clone that was made ready serves this call (tower's usual swap).
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        self.guard.guard(request, inner)
    }
}

/// A refusal as a gRPC response (trailers-only), through the API's one error mapping.
pub fn refusal<B: Default>(error: ApiError) -> http::Response<B> {
    tonic::Status::from(error).into_http()
}
