//! A plain HTTP/1.1 client (hyper) for the HTTP/JSON, CSV and gRPC-Web forms, and the
//! proto3 JSON form of a gRPC answer to compare them with.

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};
use std::net::SocketAddr;

/// An answer: status, headers and the whole body.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).expect("UTF-8")
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Sends one request over HTTP/1.1 and reads the whole answer.
pub async fn send(
    address: SocketAddr,
    method: http::Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    send_with(false, address, method, path_and_query, headers, body).await
}

/// `send` over HTTP/2 without TLS (h2c, prior knowledge) when `http2`.
pub async fn send_with(
    http2: bool,
    address: SocketAddr,
    method: http::Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    let client = Client::builder(TokioExecutor::new())
        .http2_only(http2)
        .build_http::<Full<Bytes>>();
    let mut request = Request::builder()
        .method(method)
        .uri(format!("http://{address}{path_and_query}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Full::new(body.into())).expect("request");
    let response = client.request(request).await.expect("HTTP request");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// `POST path` with a JSON body, as a Connect client sends it.
pub async fn post_json(address: SocketAddr, path: &str, body: &serde_json::Value) -> Answer {
    send(
        address,
        http::Method::POST,
        path,
        &[
            ("content-type", "application/json"),
            ("connect-protocol-version", "1"),
        ],
        body.to_string(),
    )
    .await
}

/// `GET path_and_query` with extra headers.
pub async fn get(address: SocketAddr, path_and_query: &str, headers: &[(&str, &str)]) -> Answer {
    send(
        address,
        http::Method::GET,
        path_and_query,
        headers,
        Bytes::new(),
    )
    .await
}

/// A gRPC answer in the proto3 JSON mapping (prost-reflect, default options), the form the
/// HTTP/JSON answers must equal.
pub fn grpc_json<M: prost::Message>(message: &M, full_name: &str) -> serde_json::Value {
    let pool = DescriptorPool::decode(uppsikt::proto::FILE_DESCRIPTOR_SET).expect("pool");
    let descriptor = pool
        .get_message_by_name(full_name)
        .unwrap_or_else(|| panic!("no message {full_name}"));
    let dynamic =
        DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice()).expect("decode");
    dynamic
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .expect("JSON")
}

/// The field violations of a gRPC status as (field, description) pairs.
pub fn grpc_violations(status: &tonic::Status) -> Vec<(String, String)> {
    use tonic_types::StatusExt;
    status
        .get_error_details()
        .bad_request()
        .map(|b| {
            b.field_violations
                .iter()
                .map(|v| (v.field.clone(), v.description.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The field violations of a Connect error as (field, description) pairs.
pub fn connect_violations(error: &serde_json::Value) -> Vec<(String, String)> {
    error["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["type"] == "google.rpc.BadRequest")
        .flat_map(|d| {
            d["debug"]["fieldViolations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|v| {
            (
                v["field"].as_str().unwrap_or("").to_owned(),
                v["description"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}
