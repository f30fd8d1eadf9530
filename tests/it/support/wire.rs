//! A client for every form the server lists (`uppsikt::http::protocol::FORMS`), written
//! from the protocols' specifications rather than with the server's own code: it frames a
//! request in the form and reads back what that protocol's client would be told, the code
//! and the messages. The `match`es over `Transport` are exhaustive, so a form added to the
//! registry does not compile here until this client speaks it.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use prost_reflect::{
    DescriptorPool, DynamicMessage, MessageDescriptor, ReflectMessage, SerializeOptions,
};
use std::net::SocketAddr;
use tonic::Code;
use uppsikt::http::protocol::{Codec, Form, Transport};

/// An answer: head, whole body and trailers.
pub struct Exchange {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub trailers: HeaderMap,
}

/// What a client of the form is told.
#[derive(Debug)]
pub struct Told {
    pub code: Code,
    pub message: String,
    /// The answer's messages, as proto.
    pub messages: Vec<Vec<u8>>,
}

pub fn pool() -> DescriptorPool {
    DescriptorPool::decode(uppsikt::proto::FILE_DESCRIPTOR_SET).expect("descriptors")
}

/// Sends `request` over HTTP/2 (h2c) or HTTP/1.1.
pub async fn exchange(address: SocketAddr, http2: bool, request: Request<Full<Bytes>>) -> Exchange {
    let client = Client::builder(TokioExecutor::new())
        .http2_only(http2)
        .build_http::<Full<Bytes>>();
    let (mut parts, body) = request.into_parts();
    parts.uri = format!("http://{address}{}", parts.uri)
        .parse()
        .expect("URI");
    let response = client
        .request(Request::from_parts(parts, body))
        .await
        .expect("HTTP request");
    let (parts, body) = response.into_parts();
    let collected = body.collect().await.expect("body");
    Exchange {
        status: parts.status,
        headers: parts.headers,
        trailers: collected.trailers().cloned().unwrap_or_default(),
        body: collected.to_bytes(),
    }
}

/// Whether the form's requests go over HTTP/2 (gRPC needs it; the others use HTTP/1.1).
pub fn http2(form: Form) -> bool {
    match form.transport {
        Transport::Grpc => true,
        Transport::GrpcWeb
        | Transport::GrpcWebText
        | Transport::ConnectUnary
        | Transport::ConnectStream
        | Transport::ConnectGet
        | Transport::UrlRead => false,
    }
}

fn encode(message: &DynamicMessage, codec: Codec) -> Vec<u8> {
    match codec {
        Codec::Proto => prost::Message::encode_to_vec(message),
        Codec::Json => serde_json::to_vec(&json(message)).expect("JSON"),
    }
}

fn json(message: &DynamicMessage) -> serde_json::Value {
    message
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .expect("JSON")
}

pub fn envelope(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut bytes = vec![flags];
    bytes.extend((payload.len() as u32).to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// A request calling `path` with `messages` in `form` (a unary form sends the first).
pub fn request(form: Form, path: &str, messages: &[DynamicMessage]) -> Request<Full<Bytes>> {
    let enveloped = || -> Vec<u8> {
        messages
            .iter()
            .flat_map(|m| envelope(0, &encode(m, form.codec)))
            .collect()
    };
    let content_type = form.content_type();
    let post = |body: Vec<u8>| {
        let mut builder = Request::post(path).header("content-type", content_type.expect("POST"));
        builder = match form.transport {
            Transport::Grpc => builder.header("te", "trailers"),
            Transport::GrpcWeb | Transport::GrpcWebText => builder.header("x-grpc-web", "1"),
            Transport::ConnectUnary | Transport::ConnectStream => {
                builder.header("connect-protocol-version", "1")
            }
            Transport::ConnectGet | Transport::UrlRead => unreachable!("GET forms"),
        };
        builder.body(Full::new(Bytes::from(body))).expect("request")
    };
    match form.transport {
        Transport::Grpc | Transport::GrpcWeb | Transport::ConnectStream => post(enveloped()),
        Transport::GrpcWebText => post(STANDARD.encode(enveloped()).into_bytes()),
        Transport::ConnectUnary => post(encode(&messages[0], form.codec)),
        Transport::ConnectGet => {
            let (encoding, message) = match form.codec {
                Codec::Json => ("json", String::from_utf8(encode(&messages[0], Codec::Json))),
                Codec::Proto => (
                    "proto",
                    Ok(URL_SAFE_NO_PAD.encode(encode(&messages[0], Codec::Proto))),
                ),
            };
            let message: String =
                form_urlencoded::byte_serialize(message.expect("UTF-8").as_bytes()).collect();
            let base64 = if form.codec == Codec::Proto {
                "&base64=1"
            } else {
                ""
            };
            let uri = format!("{path}?connect=v1&encoding={encoding}&message={message}{base64}");
            Request::get(uri).body(Full::default()).expect("request")
        }
        Transport::UrlRead => {
            let fields = json(&messages[0]);
            let mut query = form_urlencoded::Serializer::new(String::new());
            for field in messages[0].descriptor().fields() {
                if let Some(value) = fields.get(field.json_name()) {
                    // A repeated field repeats its parameter.
                    let values = value
                        .as_array()
                        .cloned()
                        .unwrap_or_else(|| vec![value.clone()]);
                    for value in values {
                        let text = value
                            .as_str()
                            .map_or_else(|| value.to_string(), str::to_owned);
                        query.append_pair(field.name(), &text);
                    }
                }
            }
            let uri = format!("{path}?{}", query.finish());
            Request::get(uri).body(Full::default()).expect("request")
        }
    }
}

/// Envelopes of `bytes`: (flags, payload).
fn envelopes(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut found = Vec::new();
    while bytes.len() >= 5 {
        let length = u32::from_be_bytes(bytes[1..5].try_into().expect("4 bytes")) as usize;
        found.push((bytes[0], bytes[5..5 + length].to_vec()));
        bytes = &bytes[5 + length..];
    }
    assert!(bytes.is_empty(), "a cut envelope at the end");
    found
}

/// The code of a Connect error name (connectrpc.com/docs/protocol, "Error Codes").
fn connect_code(name: &str) -> Code {
    match name {
        "canceled" => Code::Cancelled,
        "unknown" => Code::Unknown,
        "invalid_argument" => Code::InvalidArgument,
        "deadline_exceeded" => Code::DeadlineExceeded,
        "not_found" => Code::NotFound,
        "already_exists" => Code::AlreadyExists,
        "permission_denied" => Code::PermissionDenied,
        "resource_exhausted" => Code::ResourceExhausted,
        "failed_precondition" => Code::FailedPrecondition,
        "aborted" => Code::Aborted,
        "out_of_range" => Code::OutOfRange,
        "unimplemented" => Code::Unimplemented,
        "internal" => Code::Internal,
        "unavailable" => Code::Unavailable,
        "data_loss" => Code::DataLoss,
        "unauthenticated" => Code::Unauthenticated,
        other => panic!("not a Connect code: {other}"),
    }
}

fn grpc_code(fields: &HeaderMap) -> Option<(Code, String)> {
    let code = fields
        .get("grpc-status")?
        .to_str()
        .ok()?
        .parse::<i32>()
        .ok()?;
    let message = fields
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_default();
    Some((Code::from_i32(code), message))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a client of `form` is told by `exchange`, the answer messages decoded from the
/// form's codec into proto by `output`.
pub fn told(form: Form, output: &MessageDescriptor, exchange: &Exchange) -> Told {
    let to_proto = |payload: &[u8]| -> Vec<u8> {
        match form.codec {
            Codec::Proto => payload.to_vec(),
            Codec::Json => {
                let mut deserializer = serde_json::Deserializer::from_slice(payload);
                let message = DynamicMessage::deserialize(output.clone(), &mut deserializer)
                    .unwrap_or_else(|e| {
                        panic!(
                            "{form:?}: the answer is not JSON of {}: {e}",
                            output.full_name()
                        )
                    });
                prost::Message::encode_to_vec(&message)
            }
        }
    };
    let expected_type = form.content_type();
    let connect_error = || -> Told {
        let error: serde_json::Value = serde_json::from_slice(&exchange.body)
            .unwrap_or_else(|e| panic!("{form:?}: a Connect error is JSON ({e})"));
        Told {
            code: connect_code(error["code"].as_str().expect("a code")),
            message: error["message"].as_str().unwrap_or("").to_owned(),
            messages: vec![],
        }
    };
    match form.transport {
        Transport::Grpc => {
            assert_eq!(
                exchange.headers["content-type"],
                expected_type.expect("POST")
            );
            let (code, message) = grpc_code(&exchange.headers)
                .or_else(|| grpc_code(&exchange.trailers))
                .unwrap_or_else(|| panic!("{form:?}: no grpc-status"));
            let messages = envelopes(&exchange.body)
                .into_iter()
                .map(|(_, p)| to_proto(&p))
                .collect();
            Told {
                code,
                message,
                messages,
            }
        }
        Transport::GrpcWeb | Transport::GrpcWebText => {
            assert_eq!(exchange.status, StatusCode::OK, "{form:?}");
            assert_eq!(
                exchange.headers["content-type"],
                expected_type.expect("POST")
            );
            let body = if form.transport == Transport::GrpcWebText {
                // Each frame may be encoded apart: decode 4-character groups.
                let text: Vec<u8> = exchange.body.to_vec();
                let mut bytes = Vec::new();
                for group in text.chunks(4) {
                    bytes.extend(STANDARD.decode(group).expect("base64"));
                }
                bytes
            } else {
                exchange.body.to_vec()
            };
            let mut messages = Vec::new();
            let mut status = grpc_code(&exchange.headers);
            for (flags, payload) in envelopes(&body) {
                if flags & 0x80 != 0 {
                    let mut fields = HeaderMap::new();
                    for line in String::from_utf8(payload)
                        .expect("trailer lines")
                        .split("\r\n")
                    {
                        if let Some((name, value)) = line.split_once(':') {
                            fields.append(
                                http::HeaderName::from_bytes(name.trim().as_bytes()).expect("name"),
                                value.trim().parse().expect("value"),
                            );
                        }
                    }
                    status = grpc_code(&fields);
                } else {
                    messages.push(to_proto(&payload));
                }
            }
            let (code, message) = status.unwrap_or_else(|| panic!("{form:?}: no grpc-status"));
            Told {
                code,
                message,
                messages,
            }
        }
        Transport::ConnectStream => {
            assert_eq!(exchange.status, StatusCode::OK, "{form:?}");
            assert_eq!(
                exchange.headers["content-type"],
                expected_type.expect("POST")
            );
            let mut messages = Vec::new();
            let mut end = None;
            for (flags, payload) in envelopes(&exchange.body) {
                if flags & 0x02 != 0 {
                    end =
                        Some(serde_json::from_slice::<serde_json::Value>(&payload).expect("JSON"));
                } else {
                    assert!(
                        end.is_none(),
                        "{form:?}: a message after the end of the stream"
                    );
                    messages.push(to_proto(&payload));
                }
            }
            let end = end.unwrap_or_else(|| panic!("{form:?}: no end-of-stream envelope"));
            match end.get("error") {
                None => Told {
                    code: Code::Ok,
                    message: String::new(),
                    messages,
                },
                Some(error) => Told {
                    code: connect_code(error["code"].as_str().expect("a code")),
                    message: error["message"].as_str().unwrap_or("").to_owned(),
                    messages,
                },
            }
        }
        Transport::ConnectUnary | Transport::ConnectGet | Transport::UrlRead => {
            if exchange.status != StatusCode::OK {
                return connect_error();
            }
            let content_type = match form.codec {
                Codec::Json => "application/json",
                Codec::Proto => "application/proto",
            };
            assert_eq!(exchange.headers["content-type"], content_type, "{form:?}");
            Told {
                code: Code::Ok,
                message: String::new(),
                messages: vec![to_proto(&exchange.body)],
            }
        }
    }
}
