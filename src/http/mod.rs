//! The API for clients that do not speak gRPC, on the gRPC listen address: the Connect
//! protocol's unary form (JSON or binary), reads by URL (`GET`, as JSON or CSV) and the
//! explorer page. gRPC-Web is tonic-web's layer; CORS is tower-http's.
//!
//! Everything is derived from the embedded descriptor set, not written per RPC: a request is
//! transcoded into a gRPC request and sent through the same service stack as a gRPC call
//! (`grpc_call`), so every layer below this one (authentication, limits, metrics) applies.

mod comments;
mod connect_error;
mod explorer;
mod formats;
mod grpc_call;
mod methods;
pub mod openapi;
mod query;
mod sheet;
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
    /// The OpenAPI description of these forms.
    OpenApi,
    Unary(&'static Method),
    Get(&'static Method),
    /// A request in an HTTP form this layer does not answer: a streaming RPC, GET of a
    /// write, or an RPC the API does not have. The code, the ErrorInfo reason and a message.
    Refuse(Code, &'static str, String),
}

fn route<B>(request: &Request<B>) -> Route {
    let path = request.uri().path();
    let get = request.method() == http::Method::GET;
    if get && let Some(asset) = explorer::asset(path) {
        return Route::Explorer(asset);
    }
    if get && path == openapi::PATH {
        return Route::OpenApi;
    }
    let content_type = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let unary_post =
        request.method() == http::Method::POST && transcode::Codec::of(content_type).is_some();
    let Some(method) = methods::find(path) else {
        if (get || unary_post) && path.starts_with("/uppsikt.") {
            let message = format!("{path} is not an RPC of this API");
            return Route::Refuse(Code::Unimplemented, "NO_SUCH_RPC", message);
        }
        return Route::Pass;
    };
    let streaming = || {
        let message = format!(
            "{} is a streaming RPC; call it over gRPC or gRPC-Web",
            method.path
        );
        Route::Refuse(Code::Unimplemented, "STREAMING_NOT_SUPPORTED", message)
    };
    if get {
        return match method.kind {
            MethodKind::Read => Route::Get(method),
            MethodKind::Unary => {
                let message = format!(
                    "{} is not a read; call it with POST and a JSON body",
                    method.path
                );
                Route::Refuse(Code::Unimplemented, "GET_NOT_ALLOWED", message)
            }
            MethodKind::Streaming => streaming(),
        };
    }
    if unary_post {
        return match method.kind {
            MethodKind::Streaming => streaming(),
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
            Route::OpenApi => {
                let response = openapi::response(request.uri(), request.headers());
                Box::pin(async move { Ok(response) })
            }
            Route::Refuse(code, reason, message) => {
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
        assert_eq!(headers["grpc-timeout"], "1500m");
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
