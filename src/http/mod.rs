//! Every protocol but native gRPC, on the gRPC listen address: the Connect protocol in full
//! (unary, GET and streaming; JSON and binary), gRPC with JSON messages, gRPC-Web (binary and
//! text; proto and JSON), reads by URL (`GET`, as JSON or CSV) and the explorer page; and
//! HTTP's own answers (404, 405 with `Allow`, 415 with `Accept-Post`, HEAD). CORS is
//! tower-http's. The forms are listed in `protocol` (docs/protocols.md describes them).
//!
//! Everything is derived from the embedded descriptor sets, not written per RPC: a request
//! is routed on its method, path and content type before anything runs (`route`), then
//! transcoded into a gRPC request and sent through the same service stack as a gRPC call
//! (`grpc_call`, `stream`), so every layer below this one (limits, authentication) applies,
//! and the layers above it (metrics, the call's log line) learn the code the client was
//! told (`answer`).

mod answer;
mod comments;
mod connect_error;
pub mod envelope;
mod explorer;
mod formats;
#[cfg(test)]
mod fuzz;
mod grpc_call;
pub mod methods;
pub mod openapi;
pub mod protocol;
pub mod query;
mod report;
mod route;
pub mod sheet;
mod stream;
mod transcode;

use crate::http::route::{Refusal, Route, Shape};
use futures::future::BoxFuture;
use http::{HeaderValue, Request, Response};
use std::task::{Context, Poll};
use std::time::Duration;
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
                .allow_methods([http::Method::GET, http::Method::HEAD, http::Method::POST])
                .allow_headers([
                    http::header::AUTHORIZATION,
                    http::header::CONTENT_TYPE,
                    http::header::ACCEPT,
                    header("connect-protocol-version"),
                    header("connect-timeout-ms"),
                    header("connect-content-encoding"),
                    header("connect-accept-encoding"),
                    header("grpc-timeout"),
                    header("grpc-accept-encoding"),
                    header("x-grpc-web"),
                    header("x-user-agent"),
                    header("x-request-id"),
                ])
                .expose_headers([
                    header("grpc-status"),
                    header("grpc-message"),
                    header("grpc-status-details-bin"),
                    header("x-request-id"),
                    http::header::ALLOW,
                    header("accept-post"),
                ])
                .max_age(Duration::from_secs(3600)),
        ))
    }
}

/// Answers every form but native gRPC, and the explorer page; passes native gRPC (and CORS
/// preflights, when CORS is on, are answered above) to the inner service unchanged.
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
        let route = route::route(&request);
        if let Route::Pass = route {
            return Box::pin(self.inner.call(request));
        }
        let head = request.method() == http::Method::HEAD;
        let inner = self.inner.clone();
        Box::pin(async move {
            let response = match route {
                Route::Pass => unreachable!("passed on above"),
                Route::Page(asset) => explorer::response(asset),
                Route::OpenApi => openapi::response(request.uri(), request.headers()),
                Route::Unary(method, codec) => {
                    transcode::unary(inner, method, codec, request).await
                }
                Route::Get(method) => transcode::get(inner, method, request).await,
                Route::Enveloped(method, form) => stream::call(inner, method, form, request).await,
                Route::Refuse(refusal) => refuse(refusal),
            };
            Ok(answer::finish(response, head))
        })
    }
}

fn refuse(Refusal { status, shape }: Refusal) -> Response<Body> {
    match shape {
        Shape::Protocol(form) => stream::refusal(form, &status),
        Shape::Http {
            status: http,
            header,
        } => {
            let mut response = connect_error::with_http_status(http, &status);
            if let Some((name, value)) = header
                && let Ok(value) = HeaderValue::from_str(&value)
            {
                response.headers_mut().insert(name, value);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    //! The HTTP forms reach whatever stands below this layer as a gRPC call, so that a layer
    //! there (authentication, limits, metrics) sees the JSON caller as it sees a gRPC one.

    use super::*;
    use bytes::{BufMut, Bytes, BytesMut};
    use http_body::Frame;
    use http_body_util::{BodyExt, Full, StreamBody};
    use prost::Message;
    use std::convert::Infallible;
    use tower::ServiceExt;

    /// Answers GetOrgUnit like the real stack does behind an authentication layer: without
    /// `authorization: Bearer good` a trailers-only UNAUTHENTICATED.
    async fn stand_in(request: Request<Body>) -> Result<Response<Body>, Infallible> {
        let headers = request.headers();
        assert_eq!(
            request.uri().path(),
            "/uppsikt.v1.OrganizationService/GetOrgUnit"
        );
        assert_eq!(headers["content-type"], "application/grpc");
        assert_eq!(
            crate::limits::grpc_timeout(headers),
            Some(std::time::Duration::from_millis(1500))
        );
        if headers.get("authorization").map(|v| v.as_bytes()) != Some(b"Bearer good") {
            let mut response = Response::new(Body::empty());
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("application/grpc"));
            response
                .headers_mut()
                .insert("grpc-status", HeaderValue::from_static("16"));
            response
                .headers_mut()
                .insert("grpc-message", HeaderValue::from_static("no%20token"));
            return Ok(response);
        }
        let body = request
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let asked = crate::proto::v1::GetOrgUnitRequest::decode(&body[5..]).expect("request");
        let unit = crate::proto::v1::OrgUnit {
            name: asked.name,
            code: "HSN".into(),
            ..Default::default()
        }
        .encode_to_vec();
        let mut frame = BytesMut::new();
        frame.put_u8(0);
        frame.put_u32(unit.len() as u32);
        frame.put_slice(&unit);
        let mut trailers = http::HeaderMap::new();
        trailers.insert("grpc-status", HeaderValue::from_static("0"));
        let frames: Vec<Result<Frame<Bytes>, Infallible>> = vec![
            Ok(Frame::data(frame.freeze())),
            Ok(Frame::trailers(trailers)),
        ];
        Ok(Response::new(Body::new(StreamBody::new(
            futures::stream::iter(frames),
        ))))
    }

    async fn post(authorization: Option<&str>) -> (http::StatusCode, serde_json::Value) {
        let service = HttpLayer.layer(tower::service_fn(stand_in));
        let mut request = Request::post("/uppsikt.v1.OrganizationService/GetOrgUnit")
            .header("content-type", "application/json")
            .header("connect-timeout-ms", "1500");
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let request = request
            .body(Body::new(Full::new(Bytes::from_static(
                br#"{"name":"orgUnits/HSN"}"#,
            ))))
            .expect("request");
        let response = service.oneshot(request).await.expect("infallible");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, serde_json::from_slice(&body).expect("JSON"))
    }

    #[tokio::test]
    async fn json_calls_pass_the_stack_below_with_their_credentials() {
        let (status, error) = post(None).await;
        assert_eq!(status, http::StatusCode::UNAUTHORIZED);
        assert_eq!(error["code"], "unauthenticated");
        assert_eq!(error["message"], "no token");

        let (status, unit) = post(Some("Bearer good")).await;
        assert_eq!(status, http::StatusCode::OK);
        assert_eq!(unit["name"], "orgUnits/HSN");
        assert_eq!(unit["code"], "HSN");
    }
}
