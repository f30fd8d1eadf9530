//! Any RPC of the API called by name with its request in the proto3 JSON mapping, over
//! gRPC, through tonic's generic client and the embedded descriptor set: tests that must
//! cover every RPC enumerate them from the descriptors and need no per-RPC code.

#![allow(dead_code)]

use bytes::{Buf, BufMut};
use prost::Message;
use prost_reflect::{DynamicMessage, MethodDescriptor};
use serde_json::Value;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::Channel;
use tonic::{Code, Status};
use uppsikt::proto::POOL;

/// Every RPC of the API's services (`uppsikt.v1`), from the descriptor set.
pub fn api_methods() -> Vec<MethodDescriptor> {
    POOL.services()
        .filter(|s| s.package_name() == "uppsikt.v1")
        .flat_map(|s| s.methods().collect::<Vec<_>>())
        .collect()
}

/// `Service/Method`, as the cases are keyed.
pub fn key(method: &MethodDescriptor) -> String {
    format!("{}/{}", method.parent_service().name(), method.name())
}

/// The gRPC path of `method`.
pub fn path(method: &MethodDescriptor) -> String {
    format!("/{}/{}", method.parent_service().full_name(), method.name())
}

/// Messages as raw bytes: the test encodes and decodes them with the descriptors.
#[derive(Clone, Copy, Default)]
struct RawCodec;

struct RawEncoder;
struct RawDecoder;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;

    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }

    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        let mut out = vec![0; src.remaining()];
        src.copy_to_slice(&mut out);
        Ok(Some(out))
    }
}

/// The message `json` as `method`'s request, encoded.
pub fn encode_request(method: &MethodDescriptor, json: &Value) -> Vec<u8> {
    let message = DynamicMessage::deserialize(method.input(), json)
        .unwrap_or_else(|e| panic!("{}: request {json}: {e}", key(method)));
    message.encode_to_vec()
}

/// `method`'s response `bytes` in the proto3 JSON mapping.
pub fn decode_response(method: &MethodDescriptor, bytes: &[u8]) -> Value {
    let message = DynamicMessage::decode(method.output(), bytes)
        .unwrap_or_else(|e| panic!("{}: response: {e}", key(method)));
    serde_json::to_value(&message).expect("a response serializes")
}

/// Calls `method` over gRPC as `token`: a unary request is one JSON message, a client
/// stream a JSON array of them.
pub async fn call(
    channel: &Channel,
    method: &MethodDescriptor,
    token: Option<&str>,
    request: &Value,
) -> Result<Value, Status> {
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready()
        .await
        .map_err(|e| Status::new(Code::Unavailable, e.to_string()))?;
    let path = path(method)
        .parse::<http::uri::PathAndQuery>()
        .expect("a path");
    let reply = if method.is_client_streaming() {
        let messages: Vec<Vec<u8>> = request
            .as_array()
            .expect("a client stream's request is a JSON array")
            .iter()
            .map(|m| encode_request(method, m))
            .collect();
        let stream = tokio_stream::iter(messages);
        grpc.client_streaming(with_token(stream, token), path, RawCodec)
            .await?
    } else {
        let message = encode_request(method, request);
        grpc.unary(with_token(message, token), path, RawCodec)
            .await?
    };
    Ok(decode_response(method, &reply.into_inner()))
}

fn with_token<T>(message: T, token: Option<&str>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Some(token) = token {
        request.metadata_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
    }
    request
}
