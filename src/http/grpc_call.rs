//! One unary gRPC call made in-process through the server's own service stack: the request
//! framed as gRPC (a flag byte, a 4-byte length, the message), the answer's frame and
//! `grpc-status` (with its `google.rpc.Status` details) read back.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full};
use std::time::Duration;
use tonic::body::Body;
use tonic::{Code, Status};
use tower::{Service, ServiceExt};

/// Request headers that describe the HTTP exchange itself and must not reach the gRPC call;
/// every other header (authorization, tracing context, …) is forwarded as metadata.
const NOT_FORWARDED: &[&str] = &[
    "accept",
    "accept-encoding",
    "connection",
    "content-encoding",
    "content-length",
    "content-type",
    "host",
    "keep-alive",
    "te",
    "transfer-encoding",
    "upgrade",
    "grpc-timeout",
    "grpc-encoding",
    "grpc-accept-encoding",
];

/// What a call needs from the HTTP request besides the message.
pub struct CallContext {
    pub headers: HeaderMap,
    pub extensions: http::Extensions,
    /// The client's deadline (`connect-timeout-ms`, or gRPC-Web's `grpc-timeout`), if it
    /// gave one.
    pub timeout: Option<Duration>,
}

impl CallContext {
    /// Takes the forwardable headers, the extensions (peer address, TLS info, request id)
    /// and the deadline from an HTTP request.
    pub fn from_parts(parts: &mut http::request::Parts) -> Result<Self, Status> {
        let mut headers = HeaderMap::new();
        for (name, value) in &parts.headers {
            let name_str = name.as_str();
            if NOT_FORWARDED.contains(&name_str) || name_str.starts_with("connect-") {
                continue;
            }
            headers.append(name.clone(), value.clone());
        }
        let timeout = match parts.headers.get("connect-timeout-ms") {
            None => crate::limits::grpc_timeout(&parts.headers),
            Some(value) => {
                let millis = value
                    .to_str()
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok())
                    .filter(|v| v.to_string().len() <= 10)
                    .ok_or_else(|| {
                        super::connect_error::gateway_status(
                            Code::InvalidArgument,
                            "INVALID_TIMEOUT",
                            "connect-timeout-ms must be a positive integer of at most 10 digits",
                        )
                    })?;
                Some(Duration::from_millis(millis))
            }
        };
        Ok(Self {
            headers,
            extensions: std::mem::take(&mut parts.extensions),
            timeout,
        })
    }

    /// A copy for another call of the same HTTP request (CSV pages).
    pub fn duplicate(&self) -> Self {
        Self {
            headers: self.headers.clone(),
            extensions: self.extensions.clone(),
            timeout: self.timeout,
        }
    }
}

/// A gRPC request for `path` with `body` (enveloped proto messages), as a gRPC client
/// would send it: HTTP/2, `application/grpc`, the client's deadline as `grpc-timeout`, and
/// the HTTP request's other headers and extensions.
pub fn request(path: &str, body: Body, context: CallContext) -> Result<Request<Body>, Status> {
    let mut request = Request::builder()
        .method(http::Method::POST)
        .uri(path)
        .version(http::Version::HTTP_2)
        .body(body)
        .map_err(|e| Status::internal(format!("building the call: {e}")))?;
    *request.headers_mut() = context.headers;
    let headers = request.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    headers.insert(http::header::TE, HeaderValue::from_static("trailers"));
    if let Some(limit) = context.timeout {
        // gRPC's own deadline header: the limits below and the handler see the client's.
        headers.insert("grpc-timeout", grpc_timeout_value(limit));
    }
    *request.extensions_mut() = context.extensions;
    Ok(request)
}

/// `limit` as a `grpc-timeout` value: the finest unit whose count fits its 8 digits.
fn grpc_timeout_value(limit: Duration) -> HeaderValue {
    const MAX: u128 = 99_999_999;
    let units = [
        (limit.as_nanos(), 'n'),
        (limit.as_micros(), 'u'),
        (limit.as_millis(), 'm'),
        (u128::from(limit.as_secs()), 'S'),
        (u128::from(limit.as_secs() / 60), 'M'),
    ];
    let (count, unit) = units
        .into_iter()
        .find(|(count, _)| *count <= MAX)
        .unwrap_or((u128::from(limit.as_secs() / 3600).min(MAX), 'H'));
    HeaderValue::from_str(&format!("{count}{unit}")).expect("digits and a letter")
}

/// Calls `path` on `service` with the encoded `message`; the encoded answer or the status.
pub async fn unary<S, E>(
    service: S,
    path: &str,
    message: Vec<u8>,
    context: CallContext,
) -> Result<Bytes, Status>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Send,
    S::Future: Send,
    E: Into<tower::BoxError>,
{
    let timeout = context.timeout;
    let call = call(service, path, message, context);
    match timeout {
        None => call.await,
        Some(limit) => tokio::time::timeout(limit, call)
            .await
            .unwrap_or_else(|_| Err(Status::deadline_exceeded("the deadline was exceeded"))),
    }
}

async fn call<S, E>(
    service: S,
    path: &str,
    message: Vec<u8>,
    context: CallContext,
) -> Result<Bytes, Status>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Send,
    S::Future: Send,
    E: Into<tower::BoxError>,
{
    let length = u32::try_from(message.len())
        .map_err(|_| Status::resource_exhausted("the request message is too large"))?;
    let mut frame = BytesMut::with_capacity(5 + message.len());
    frame.put_u8(0);
    frame.put_u32(length);
    frame.put_slice(&message);
    let request = request(path, Body::new(Full::new(frame.freeze())), context)?;

    let response = service
        .oneshot(request)
        .await
        .map_err(|e| Status::from_error(e.into()))?;
    if let Some(status) = Status::from_header_map(response.headers()) {
        // A trailers-only answer: an error without a body.
        return if status.code() == Code::Ok {
            Err(Status::internal("an empty answer"))
        } else {
            Err(status)
        };
    }
    let collected = response
        .into_body()
        .collect()
        .await
        .map_err(|e| Status::from_error(e.into()))?;
    let trailers = collected.trailers().cloned().unwrap_or_default();
    let status = Status::from_header_map(&trailers)
        .unwrap_or_else(|| Status::internal("the answer carried no grpc-status"));
    if status.code() != Code::Ok {
        return Err(status);
    }
    let mut body = collected.to_bytes();
    if body.len() < 5 {
        return Err(Status::internal("the answer carried no message"));
    }
    let compressed = body.get_u8();
    let length = body.get_u32() as usize;
    if compressed != 0 || body.len() != length {
        return Err(Status::internal(
            "the answer is not one uncompressed message",
        ));
    }
    Ok(body)
}
