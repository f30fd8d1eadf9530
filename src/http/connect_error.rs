//! gRPC statuses as Connect protocol errors: the code's name, its HTTP status, the message,
//! and the `google.rpc.Status` details (ErrorInfo, BadRequest) as base64 values with their
//! JSON form under `debug`, so a client sees the same code and field violations as over gRPC.

use crate::ops::call::Outcome;
use crate::status::ERROR_DOMAIN;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use http::{HeaderValue, Response, StatusCode};
use prost::Message;
use serde_json::{Value, json};
use std::collections::HashMap;
use tonic::body::Body;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// `google.rpc.Status`, to take the details apart without losing their encoded bytes.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// A status raised by this layer itself, with ErrorInfo like every error of the API.
pub fn gateway_status(code: Code, reason: &str, message: impl Into<String>) -> Status {
    let mut details = ErrorDetails::new();
    details.set_error_info(reason, ERROR_DOMAIN, HashMap::new());
    Status::with_error_details(code, message, details)
}

/// An invalid request field found while transcoding, reported as the handlers do.
pub fn invalid_field(field: &str, description: impl Into<String>) -> Status {
    let violation = crate::domain::validation::Violation::new(field, description);
    crate::status::ApiError::invalid_field(violation).into()
}

/// A request body that cannot be cut into messages: INVALID_ARGUMENT (reason
/// MALFORMED_BODY) whose violation names the field `body`, like every invalid argument.
pub fn malformed_body(description: impl Into<String>) -> Status {
    crate::status::ApiError::InvalidArgument {
        reason: "MALFORMED_BODY",
        violations: vec![crate::domain::validation::Violation::new(
            "body",
            description,
        )],
    }
    .into()
}

/// The Connect name and HTTP status of a gRPC code (connectrpc.com/docs/protocol).
pub fn connect_code(code: Code) -> (&'static str, StatusCode) {
    match code {
        Code::Ok => ("ok", StatusCode::OK),
        Code::Cancelled => ("canceled", StatusCode::from_u16(499).expect("valid")),
        Code::Unknown => ("unknown", StatusCode::INTERNAL_SERVER_ERROR),
        Code::InvalidArgument => ("invalid_argument", StatusCode::BAD_REQUEST),
        Code::DeadlineExceeded => ("deadline_exceeded", StatusCode::GATEWAY_TIMEOUT),
        Code::NotFound => ("not_found", StatusCode::NOT_FOUND),
        Code::AlreadyExists => ("already_exists", StatusCode::CONFLICT),
        Code::PermissionDenied => ("permission_denied", StatusCode::FORBIDDEN),
        Code::ResourceExhausted => ("resource_exhausted", StatusCode::TOO_MANY_REQUESTS),
        Code::FailedPrecondition => ("failed_precondition", StatusCode::BAD_REQUEST),
        Code::Aborted => ("aborted", StatusCode::CONFLICT),
        Code::OutOfRange => ("out_of_range", StatusCode::BAD_REQUEST),
        Code::Unimplemented => ("unimplemented", StatusCode::NOT_IMPLEMENTED),
        Code::Internal => ("internal", StatusCode::INTERNAL_SERVER_ERROR),
        Code::Unavailable => ("unavailable", StatusCode::SERVICE_UNAVAILABLE),
        Code::DataLoss => ("data_loss", StatusCode::INTERNAL_SERVER_ERROR),
        Code::Unauthenticated => ("unauthenticated", StatusCode::UNAUTHORIZED),
    }
}

/// The Connect error JSON of `status`.
pub fn body(status: &Status) -> Value {
    let (code, _) = connect_code(status.code());
    let mut error = json!({ "code": code, "message": status.message() });
    let parsed = status.get_error_details();
    let details: Vec<Value> = RpcStatus::decode(status.details())
        .map(|s| s.details)
        .unwrap_or_default()
        .into_iter()
        .map(|any| {
            let kind = any.type_url.rsplit('/').next().unwrap_or("").to_owned();
            let mut detail = json!({
                "type": kind,
                "value": STANDARD_NO_PAD.encode(&any.value),
            });
            if let Some(debug) = debug(&kind, &parsed) {
                detail["debug"] = debug;
            }
            detail
        })
        .collect();
    if !details.is_empty() {
        error["details"] = Value::Array(details);
    }
    error
}

/// The JSON form of the details this API sends.
fn debug(kind: &str, details: &ErrorDetails) -> Option<Value> {
    match kind {
        "google.rpc.ErrorInfo" => details.error_info().map(|info| {
            json!({ "reason": info.reason, "domain": info.domain, "metadata": info.metadata })
        }),
        "google.rpc.RetryInfo" => details.retry_info().map(|info| {
            let delay = info.retry_delay.map_or(0.0, |d| d.as_secs_f64());
            json!({ "retryDelay": format!("{delay}s") })
        }),
        "google.rpc.BadRequest" => details.bad_request().map(|bad| {
            let violations: Vec<Value> = bad
                .field_violations
                .iter()
                .map(|v| json!({ "field": v.field, "description": v.description }))
                .collect();
            json!({ "fieldViolations": violations })
        }),
        _ => None,
    }
}

/// `status` as a Connect error response, with the HTTP status its code maps to.
pub fn response(status: &Status) -> Response<Body> {
    let (_, http_status) = connect_code(status.code());
    with_http_status(http_status, status)
}

/// `status` as a Connect error body under another HTTP status (404, 405, 415 for requests
/// refused by their path, method or content type); the code stays the one in the body.
pub fn with_http_status(http_status: StatusCode, status: &Status) -> Response<Body> {
    let bytes = serde_json::to_vec(&body(status)).unwrap_or_default();
    let mut response = Response::new(Body::new(http_body_util::Full::new(bytes::Bytes::from(
        bytes,
    ))));
    *response.status_mut() = http_status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    // RetryInfo's delay, for HTTP clients and proxies that know only the header (whole
    // seconds, rounded up).
    if let Some(delay) = status
        .get_error_details()
        .retry_info()
        .and_then(|info| info.retry_delay)
    {
        let seconds = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    // What the client was answered, for the metrics and the call's log line.
    response
        .extensions_mut()
        .insert(Outcome::settled(status.code()));
    response
}

/// The JSON of a Connect end-of-stream envelope: the error unless `status` is OK, and the
/// trailers as `metadata` (each name with its values).
pub fn end_of_stream(status: &Status, trailers: &http::HeaderMap) -> Vec<u8> {
    let mut end = serde_json::Map::new();
    if status.code() != Code::Ok {
        end.insert("error".to_owned(), body(status));
    }
    let mut metadata = serde_json::Map::new();
    for name in trailers.keys() {
        let values: Vec<Value> = trailers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| Value::String(v.to_owned()))
            .collect();
        metadata.insert(name.as_str().to_owned(), Value::Array(values));
    }
    if !metadata.is_empty() {
        end.insert("metadata".to_owned(), Value::Object(metadata));
    }
    serde_json::to_vec(&Value::Object(end)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_field_keeps_its_violation_and_reason() {
        let status = invalid_field("page_size", "-1 is negative");
        let error = body(&status);
        assert_eq!(error["code"], "invalid_argument");
        let details = error["details"].as_array().expect("details");
        let bad = details
            .iter()
            .find(|d| d["type"] == "google.rpc.BadRequest")
            .expect("BadRequest");
        assert_eq!(bad["debug"]["fieldViolations"][0]["field"], "page_size");
        let info = details
            .iter()
            .find(|d| d["type"] == "google.rpc.ErrorInfo")
            .expect("ErrorInfo");
        assert_eq!(info["debug"]["domain"], "uppsikt");
        assert_eq!(connect_code(status.code()).1, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn end_of_stream_carries_the_error_and_the_trailers() {
        let mut trailers = http::HeaderMap::new();
        trailers.append("x-note", HeaderValue::from_static("a"));
        trailers.append("x-note", HeaderValue::from_static("b"));
        let failed: Value = serde_json::from_slice(&end_of_stream(
            &gateway_status(Code::NotFound, "NO_SUCH_UNIT", "no unit NOPE"),
            &trailers,
        ))
        .expect("JSON");
        assert_eq!(failed["error"]["code"], "not_found");
        assert_eq!(failed["error"]["message"], "no unit NOPE");
        assert_eq!(failed["metadata"]["x-note"], serde_json::json!(["a", "b"]));
        let ok: Value =
            serde_json::from_slice(&end_of_stream(&Status::ok(""), &http::HeaderMap::new()))
                .expect("JSON");
        assert_eq!(ok, serde_json::json!({}));
    }
}
