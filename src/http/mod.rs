//! The API for clients that do not speak gRPC, on the gRPC listen address: the Connect
//! protocol's unary form (JSON or binary), reads by URL (`GET`, as JSON or CSV) and the
//! explorer page. gRPC-Web is tonic-web's layer; CORS is tower-http's.
//!
//! Everything is derived from the embedded descriptor set, not written per RPC: a request is
//! transcoded into a gRPC request and sent through the same service stack as a gRPC call
//! (`grpc_call`), so every layer below this one (authentication, limits, metrics) applies.

mod connect_error;
mod csv;
mod explorer;
mod grpc_call;
mod methods;
mod query;
mod transcode;

use crate::http::connect_error::gateway_status;
use crate::http::methods::{Method, MethodKind};
use futures::future::BoxFuture;
use http::{HeaderValue, Request, Response};
use std::task::{Context, Poll};
use std::time::Duration;
use tonic::Code;
use tonic::body::Body;
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Settings of the browser-facing protocols.
#[derive(Debug, Clone, Default)]
pub struct WebOptions {
    /// Origins allowed to call the API from a browser on another origin (CORS); `*` allows
    /// any. Empty: same-origin only (the explorer page needs nothing more).
    pub cors_origins: Vec<String>,
}

impl WebOptions {
    /// The CORS layer for the configured origins; `None` when none are configured.
    pub fn cors_layer(&self) -> anyhow::Result<Option<CorsLayer>> {
        if self.cors_origins.is_empty() {
            return Ok(None);
        }
        let origins = if self.cors_origins.iter().any(|o| o == "*") {
            AllowOrigin::any()
        } else {
            let values = self
                .cors_origins
                .iter()
                .map(|o| {
                    HeaderValue::from_str(o.trim_end_matches('/'))
                        .map_err(|_| anyhow::anyhow!("--cors-origin {o:?} is not a valid origin"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            AllowOrigin::list(values)
        };
        let header = http::HeaderName::from_static;
        Ok(Some(
            CorsLayer::new()
                .allow_origin(origins)
                .allow_methods([http::Method::GET, http::Method::POST])
                .allow_headers([
                    http::header::AUTHORIZATION,
                    http::header::CONTENT_TYPE,
                    http::header::ACCEPT,
                    header("connect-protocol-version"),
                    header("connect-timeout-ms"),
                    header("grpc-timeout"),
                    header("x-grpc-web"),
                    header("x-user-agent"),
                ])
                .expose_headers([
                    header("grpc-status"),
                    header("grpc-message"),
                    header("grpc-status-details-bin"),
                ])
                .max_age(Duration::from_secs(3600)),
        ))
    }
}

/// Answers the HTTP/JSON forms and the explorer page; passes every other request (gRPC,
/// gRPC-Web, CORS preflights) to the inner service unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpLayer;

impl<S> Layer<S> for HttpLayer {
    type Service = HttpService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HttpService { inner }
    }
}

/// The service built by [`HttpLayer`].
#[derive(Debug, Clone)]
pub struct HttpService<S> {
    inner: S,
}

/// What a request is, decided from its method, path and headers alone.
enum Route {
    Pass,
    Explorer(explorer::Asset),
    Unary(&'static Method),
    Get(&'static Method),
    /// A method of ours in a form this layer does not answer (e.g. a PUT, or streaming).
    Refuse(&'static Method, Code, &'static str),
}

fn route<B>(request: &Request<B>) -> Route {
    let path = request.uri().path();
    if request.method() == http::Method::GET
        && let Some(asset) = explorer::asset(path)
    {
        return Route::Explorer(asset);
    }
    let Some(method) = methods::find(path) else {
        return Route::Pass;
    };
    let content_type = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if request.method() == http::Method::GET {
        return match method.kind {
            MethodKind::Read => Route::Get(method),
            MethodKind::Unary => Route::Refuse(method, Code::Unimplemented, "GET_NOT_ALLOWED"),
            MethodKind::Streaming => {
                Route::Refuse(method, Code::Unimplemented, "STREAMING_NOT_SUPPORTED")
            }
        };
    }
    if request.method() == http::Method::POST && transcode::Codec::of(content_type).is_some() {
        return match method.kind {
            MethodKind::Streaming => {
                Route::Refuse(method, Code::Unimplemented, "STREAMING_NOT_SUPPORTED")
            }
            _ => Route::Unary(method),
        };
    }
    Route::Pass
}

impl<S, E> Service<Request<Body>> for HttpService<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Clone + Send + 'static,
    S::Future: Send + 'static,
    E: Into<tower::BoxError> + Send + 'static,
{
    type Response = Response<Body>;
    type Error = E;
    type Future = BoxFuture<'static, Result<Response<Body>, E>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), E>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        match route(&request) {
            Route::Pass => Box::pin(self.inner.call(request)),
            Route::Explorer(asset) => Box::pin(async move { Ok(explorer::response(asset)) }),
            Route::Refuse(method, code, reason) => {
                let message = match reason {
                    "GET_NOT_ALLOWED" => format!(
                        "{} is not a read; call it with POST and a JSON body",
                        method.path
                    ),
                    _ => format!(
                        "{} is a streaming RPC; call it over gRPC or gRPC-Web",
                        method.path
                    ),
                };
                let status = gateway_status(code, reason, message);
                Box::pin(async move { Ok(connect_error::response(&status)) })
            }
            Route::Unary(method) => {
                let inner = self.inner.clone();
                Box::pin(async move { Ok(transcode::unary(inner, method, request).await) })
            }
            Route::Get(method) => {
                let inner = self.inner.clone();
                Box::pin(async move { Ok(transcode::get(inner, method, request).await) })
            }
        }
    }
}
