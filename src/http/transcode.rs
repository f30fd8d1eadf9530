//! Connect unary calls (`POST`, JSON or binary) and reads by URL (`GET`, as JSON or a
//! spreadsheet, see `sheet`), transcoded to one in-process gRPC call each (a List as a
//! spreadsheet: one per page).

use super::connect_error::{self, gateway_status, invalid_field};
use super::grpc_call::{self, CallContext};
use super::methods::Method;
use super::protocol::Codec;
use super::query;
use super::sheet::{self, Format};
use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use prost::Message;
use prost_reflect::{DynamicMessage, MessageDescriptor, SerializeOptions};
use tonic::body::Body;
use tonic::{Code, Status};
use tower::Service;

/// The largest request body read, the gRPC services' own message limit.
const MAX_BODY_BYTES: usize = crate::limits::MAX_MESSAGE_BYTES;

/// `POST /uppsikt.v1.{Service}/{Method}` with a JSON or binary body.
pub async fn unary<S, E>(
    service: S,
    method: &'static Method,
    codec: Codec,
    request: Request<Body>,
) -> Response<Body>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Send,
    S::Future: Send,
    E: Into<tower::BoxError>,
{
    match unary_call(service, method, request, codec).await {
        Ok(answer) => encode_answer(method, &answer, codec),
        Err(status) => connect_error::response(&status),
    }
}

async fn unary_call<S, E>(
    service: S,
    method: &'static Method,
    request: Request<Body>,
    codec: Codec,
) -> Result<Bytes, Status>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Send,
    S::Future: Send,
    E: Into<tower::BoxError>,
{
    let (mut parts, body) = request.into_parts();
    if let Some(encoding) = parts.headers.get(http::header::CONTENT_ENCODING)
        && encoding.as_bytes() != b"identity"
    {
        return Err(gateway_status(
            Code::Unimplemented,
            "UNSUPPORTED_ENCODING",
            "compressed request bodies are not supported",
        ));
    }
    let context = CallContext::from_parts(&mut parts)?;
    let body = Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .map_err(|_| {
            gateway_status(
                Code::ResourceExhausted,
                "MESSAGE_TOO_LARGE",
                format!("the request body is not readable or larger than {MAX_BODY_BYTES} bytes"),
            )
        })?
        .to_bytes();
    let message = match codec {
        Codec::Proto => body.to_vec(),
        Codec::Json => from_json_bytes(&method.input, &body, "body")?.encode_to_vec(),
    };
    grpc_call::unary(service, &method.path, message, context).await
}

/// The request message from a JSON body (named `whole` in errors about all of it); an
/// empty body is the empty message.
fn from_json_bytes(
    input: &MessageDescriptor,
    body: &[u8],
    whole: &str,
) -> Result<DynamicMessage, Status> {
    parse_json(input, body, whole).map_err(|(field, why)| invalid_field(&field, why))
}

/// A message from its JSON form (an empty body is the empty message); an error names the
/// field where it occurred (its JSON path, or `whole` for the message as a whole: a
/// violation always names a field) and what is wrong.
pub fn parse_json(
    input: &MessageDescriptor,
    body: &[u8],
    whole: &str,
) -> Result<DynamicMessage, (String, String)> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(DynamicMessage::new(input.clone()));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let message = track_fields(input, &mut deserializer, whole)?;
    deserializer
        .end()
        .map_err(|e| (whole.to_owned(), format!("is not one JSON object: {e}")))?;
    Ok(message)
}

/// Reads a message in the proto3 JSON mapping; an error names the field where it occurred.
fn read_message<'de, D>(
    input: &MessageDescriptor,
    deserializer: D,
) -> Result<DynamicMessage, Status>
where
    D: serde::Deserializer<'de>,
    D::Error: std::fmt::Display,
{
    track_fields(input, deserializer, "query").map_err(|(field, why)| invalid_field(&field, why))
}

fn track_fields<'de, D>(
    input: &MessageDescriptor,
    deserializer: D,
    whole: &str,
) -> Result<DynamicMessage, (String, String)>
where
    D: serde::Deserializer<'de>,
    D::Error: std::fmt::Display,
{
    let mut track = serde_path_to_error::Track::new();
    let tracked = serde_path_to_error::Deserializer::new(deserializer, &mut track);
    DynamicMessage::deserialize(input.clone(), tracked).map_err(|error| {
        // The path ends in `?` where the error stands before a key (a cut-off object):
        // the field is then the object holding it, or the whole message.
        let path = track.path().to_string();
        let path = path.trim_end_matches('?').trim_end_matches('.');
        let field = if path.is_empty() {
            whole.to_owned()
        } else {
            path.to_owned()
        };
        (field, error.to_string())
    })
}

/// The JSON form of an answer, as the proto3 JSON mapping writes it.
pub fn to_json(output: &MessageDescriptor, answer: &[u8]) -> Result<serde_json::Value, Status> {
    let message = DynamicMessage::decode(output.clone(), answer)
        .map_err(|e| Status::internal(format!("decoding the answer: {e}")))?;
    message
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .map_err(|e| Status::internal(format!("writing the answer as JSON: {e}")))
}

fn encode_answer(method: &Method, answer: &Bytes, codec: Codec) -> Response<Body> {
    let (bytes, content_type) = match codec {
        Codec::Proto => (answer.clone(), "application/proto"),
        Codec::Json => match to_json(&method.output, answer) {
            Ok(json) => (Bytes::from(json.to_string()), "application/json"),
            Err(status) => return connect_error::response(&status),
        },
    };
    let mut response = Response::new(Body::new(Full::new(bytes)));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    response
}

/// `GET /uppsikt.v1.{Service}/{Method}?field=value&…` for a read.
pub async fn get<S, E>(
    service: S,
    method: &'static Method,
    request: Request<Body>,
) -> Response<Body>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Clone + Send + 'static,
    S::Future: Send,
    E: Into<tower::BoxError> + 'static,
{
    match get_call(service, method, request).await {
        Ok(response) => response,
        Err(status) => connect_error::response(&status),
    }
}

async fn get_call<S, E>(
    service: S,
    method: &'static Method,
    request: Request<Body>,
) -> Result<Response<Body>, Status>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Clone + Send + 'static,
    S::Future: Send,
    E: Into<tower::BoxError> + 'static,
{
    let (mut parts, _) = request.into_parts();
    let query = read_query(method, &parts.headers, parts.uri.query().unwrap_or(""))?;
    let context = CallContext::from_parts(&mut parts)?;
    match query {
        Query::Connect(codec, message) => {
            let answer = grpc_call::unary(service, &method.path, message, context).await?;
            Ok(encode_answer(method, &answer, codec))
        }
        Query::Fields(Format::Json, message) => {
            let answer =
                grpc_call::unary(service, &method.path, message.encode_to_vec(), context).await?;
            Ok(encode_answer(method, &answer, Codec::Json))
        }
        Query::Fields(Format::Sheet(answer), message) => {
            sheet::answer(service, method, message, context, answer).await
        }
    }
}

/// What a GET's query string asks for.
#[derive(Debug)]
pub(super) enum Query {
    /// A Connect GET: the encoded request and the answer's codec.
    Connect(Codec, Vec<u8>),
    /// A read by fields: the answer's format and the request.
    Fields(Format, DynamicMessage),
}

/// Reads a GET's query string (and its `Accept` header) into the request it asks for.
pub(super) fn read_query(
    method: &Method,
    headers: &http::HeaderMap,
    query: &str,
) -> Result<Query, Status> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if let Some(codec) = connect_get(method, &pairs)? {
        let message = connect_get_message(method, &pairs, codec)?;
        return Ok(Query::Connect(codec, message));
    }
    let format = sheet::negotiate(headers, &pairs)?;
    let json = query::to_json(
        &method.input,
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )
    .map_err(|(field, why)| invalid_field(&field, why))?;
    let message = read_message(&method.input, json)?;
    Ok(Query::Fields(format, message))
}

/// The codec of a Connect GET (`?encoding=json|proto&message=…[&base64=1]`, as Connect-Web
/// sends with `useHttpGet`), or `None` for a read by fields.
fn connect_get(method: &Method, pairs: &[(String, String)]) -> Result<Option<Codec>, Status> {
    let has = |name: &str| pairs.iter().any(|(k, _)| k == name);
    // A request message with fields of these names is read by fields.
    let own_field = ["encoding", "message"]
        .iter()
        .any(|n| method.input.get_field_by_name(n).is_some());
    if own_field || !(has("encoding") && has("message")) {
        return Ok(None);
    }
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if value("compression").is_some_and(|c| c != "identity") {
        return Err(gateway_status(
            Code::Unimplemented,
            "UNSUPPORTED_ENCODING",
            "compressed messages are not supported",
        ));
    }
    match value("encoding") {
        Some("json") => Ok(Some(Codec::Json)),
        Some("proto") => Ok(Some(Codec::Proto)),
        other => Err(invalid_field(
            "encoding",
            format!("{other:?} is not an encoding: json or proto"),
        )),
    }
}

/// The encoded request of a Connect GET.
fn connect_get_message(
    method: &Method,
    pairs: &[(String, String)],
    codec: Codec,
) -> Result<Vec<u8>, Status> {
    use base64::Engine;
    use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let text = value("message").unwrap_or("");
    let raw = if value("base64") == Some("1") || codec == Codec::Proto {
        let trimmed = text.trim_end_matches('=');
        URL_SAFE_NO_PAD
            .decode(trimmed)
            .or_else(|_| URL_SAFE.decode(text))
            .map_err(|_| invalid_field("message", "is not unpadded base64url"))?
    } else {
        text.as_bytes().to_vec()
    };
    Ok(match codec {
        Codec::Proto => raw,
        Codec::Json => from_json_bytes(&method.input, &raw, "message")?.encode_to_vec(),
    })
}
