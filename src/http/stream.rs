//! The enveloped forms the gRPC routes do not read themselves (gRPC with JSON messages,
//! gRPC-Web binary and text, Connect streaming), transcoded at the edge into one in-process
//! gRPC call with proto messages, whatever the RPC's kind. The request's envelopes are
//! re-framed as they arrive (JSON read into the method's input message by its descriptor);
//! the answer's are written back in the client's form, its status last: gRPC trailers, a
//! gRPC-Web trailer envelope, or a Connect end-of-stream envelope.
//!
//! A request message that cannot be read fails the request stream the handler reads, so
//! the handler sees a broken stream (an import rolls back, nothing is written), and the
//! client is told what was wrong with the message rather than the handler's view of it.

use super::connect_error::{self, gateway_status, invalid_field, malformed_body};
use super::envelope::{self, Base64Decoder, Decoder, Envelope, TooLarge};
use super::grpc_call::{self, CallContext};
use super::methods::Method;
use super::protocol::{Codec, Form, Transport};
use super::transcode;
use crate::ops::call::Outcome;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use std::convert::Infallible;
use std::sync::{Arc, OnceLock};
use tonic::body::Body;
use tonic::{Code, Status};
use tower::{Service, ServiceExt};

/// The largest message read or written, the gRPC services' own limit.
const MAX_MESSAGE_BYTES: usize = crate::limits::MAX_MESSAGE_BYTES;

/// Headers of the gRPC answer that describe its framing, not the call: not passed on as
/// the client's metadata.
const NOT_METADATA: &[&str] = &[
    "content-type",
    "content-length",
    "grpc-status",
    "grpc-message",
    "grpc-status-details-bin",
    "grpc-encoding",
    "grpc-accept-encoding",
    "te",
    "trailer",
    "transfer-encoding",
];

/// What went wrong with the request stream, told to the client in place of the handler's
/// status.
#[derive(Clone, Default)]
struct Failure(Arc<OnceLock<Status>>);

/// Calls `method` with a request in `form`, an enveloped form other than native gRPC.
pub async fn call<S, E>(
    service: S,
    method: &'static Method,
    form: Form,
    request: Request<Body>,
) -> Response<Body>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Send,
    S::Future: Send,
    E: Into<tower::BoxError>,
{
    let (mut parts, body) = request.into_parts();
    if let Some(status) = compression_refused(form, &parts.headers) {
        return refusal(form, &status);
    }
    let context = match CallContext::from_parts(&mut parts) {
        Ok(context) => context,
        Err(status) => return refusal(form, &status),
    };
    let failure = Failure::default();
    let incoming = Incoming {
        body,
        decoder: Decoder::new(MAX_MESSAGE_BYTES),
        text: (form.transport == Transport::GrpcWebText).then(Base64Decoder::default),
        method,
        codec: form.codec,
        position: 0,
        failure: failure.clone(),
        done: false,
    };
    let frames = futures::stream::unfold(incoming, Incoming::next);
    let inner = match grpc_call::request(&method.path, Body::new(StreamBody::new(frames)), context)
    {
        Ok(inner) => inner,
        Err(status) => return refusal(form, &status),
    };
    match service.oneshot(inner).await {
        Ok(response) => answer(response, method, form, failure),
        Err(error) => refusal(form, &Status::from_error(error.into())),
    }
}

/// A request compressed as a whole or per message (`grpc-encoding`,
/// `connect-content-encoding`): not read.
fn compression_refused(form: Form, headers: &HeaderMap) -> Option<Status> {
    let header = match form.transport {
        Transport::ConnectStream => "connect-content-encoding",
        _ => "grpc-encoding",
    };
    let encoding = headers.get(header)?.to_str().unwrap_or("?");
    (encoding != "identity").then(|| {
        gateway_status(
            Code::Unimplemented,
            "UNSUPPORTED_ENCODING",
            format!("{header}: {encoding} is not supported; send messages uncompressed"),
        )
    })
}

/// The client's request body as the gRPC body the handler reads.
struct Incoming {
    body: Body,
    decoder: Decoder,
    /// gRPC-Web text: the base64 to decode first.
    text: Option<Base64Decoder>,
    method: &'static Method,
    codec: Codec,
    /// The 0-based position of the next message.
    position: usize,
    failure: Failure,
    done: bool,
}

impl Incoming {
    async fn next(mut self) -> Option<(Result<Frame<Bytes>, Status>, Self)> {
        loop {
            if self.done {
                return None;
            }
            match self.decoder.next_envelope() {
                Ok(Some(envelope)) => {
                    let frame = match self.message(envelope) {
                        Ok(message) => Ok(Frame::data(envelope::encode(0, &message))),
                        Err(status) => self.fail(status),
                    };
                    self.position += 1;
                    return Some((frame, self));
                }
                Ok(None) => {}
                Err(too_large) => {
                    let status = too_large_status("request", self.position, too_large);
                    return Some((self.fail(status), self));
                }
            }
            match self.body.frame().await {
                Some(Ok(frame)) => {
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    match self.text.as_mut().map(|text| text.push(&data)) {
                        None => self.decoder.push(&data),
                        Some(Ok(decoded)) => self.decoder.push(&decoded),
                        Some(Err(error)) => {
                            let status = malformed_body(format!(
                                "is not base64, as a gRPC-Web text body must be: {error}"
                            ));
                            return Some((self.fail(status), self));
                        }
                    }
                }
                Some(Err(error)) => {
                    let status = Status::cancelled(format!(
                        "the request stream broke before its end: {error}"
                    ));
                    return Some((self.fail(status), self));
                }
                None => {
                    let partial = self.decoder.has_partial()
                        || self.text.as_ref().is_some_and(Base64Decoder::has_partial);
                    if !partial {
                        return None;
                    }
                    let status = malformed_body(format!(
                        "ends inside message {} of the stream",
                        self.position
                    ));
                    return Some((self.fail(status), self));
                }
            }
        }
    }

    /// One request message as proto.
    fn message(&self, envelope: Envelope) -> Result<Vec<u8>, Status> {
        let position = self.position;
        if envelope.flags & envelope::COMPRESSED != 0 {
            return Err(gateway_status(
                Code::Unimplemented,
                "UNSUPPORTED_ENCODING",
                format!("message {position} of the stream is compressed; send it uncompressed"),
            ));
        }
        if envelope.flags != 0 {
            return Err(malformed_body(format!(
                "message {position} of the stream has flags {:#04x}, which no request message \
                 has",
                envelope.flags
            )));
        }
        match self.codec {
            Codec::Proto => Ok(envelope.payload.to_vec()),
            Codec::Json => transcode::parse_json(&self.method.input, &envelope.payload, "body")
                .map(|message| prost::Message::encode_to_vec(&message))
                .map_err(|(field, why)| {
                    invalid_field(
                        &field,
                        format!("in message {position} of the stream: {why}"),
                    )
                }),
        }
    }

    /// Ends the stream with `status`, kept for the answer.
    fn fail(&mut self, status: Status) -> Result<Frame<Bytes>, Status> {
        let _ = self.failure.0.set(status.clone());
        self.done = true;
        Err(status)
    }
}

fn too_large_status(which: &str, position: usize, too_large: TooLarge) -> Status {
    gateway_status(
        Code::ResourceExhausted,
        "MESSAGE_TOO_LARGE",
        format!(
            "{which} message {position} has {} bytes, over the limit of {}",
            too_large.length, too_large.limit
        ),
    )
}

/// The gRPC answer in the client's form.
fn answer(
    response: Response<Body>,
    method: &'static Method,
    form: Form,
    failure: Failure,
) -> Response<Body> {
    let (parts, body) = response.into_parts();
    // A trailers-only answer (an error before any message) has its status in the head.
    let head_status = parts
        .headers
        .contains_key("grpc-status")
        .then(|| Status::from_header_map(&parts.headers))
        .flatten();
    let outcome = Outcome::pending();
    let outgoing = Outgoing {
        body: head_status.is_none().then_some(body),
        head_status,
        decoder: Decoder::new(MAX_MESSAGE_BYTES),
        method,
        form,
        position: 0,
        failure,
        outcome: outcome.clone(),
        done: false,
    };
    let frames = futures::stream::unfold(outgoing, Outgoing::next);
    let mut response = head(form, Body::new(StreamBody::new(frames)));
    for (name, value) in metadata(&parts.headers).iter() {
        response.headers_mut().append(name, value.clone());
    }
    response.extensions_mut().insert(outcome);
    response
}

/// A refusal before any call, in the protocol's own terms: a trailers-only gRPC or gRPC-Web
/// answer, or a Connect stream holding only its end.
pub fn refusal(form: Form, status: &Status) -> Response<Body> {
    let end = end_frame(form, status, &HeaderMap::new());
    let frames = futures::stream::iter([Ok::<_, Infallible>(end)]);
    let mut response = head(form, Body::new(StreamBody::new(frames)));
    if form.transport.is_grpc_family() {
        // Trailers-only: the status also in the head, where every client looks first.
        let _ = status.add_header(response.headers_mut());
    }
    response
        .extensions_mut()
        .insert(Outcome::settled(status.code()));
    response
}

/// HTTP 200 with the form's content type: these protocols carry the status in the body
/// or the trailers.
fn head(form: Form, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    if let Some(content_type) = form.content_type() {
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(content_type),
        );
    }
    response
}

/// The call's metadata among `headers`.
fn metadata(headers: &HeaderMap) -> HeaderMap {
    let mut metadata = HeaderMap::new();
    for (name, value) in headers {
        if !NOT_METADATA.contains(&name.as_str()) {
            metadata.append(name.clone(), value.clone());
        }
    }
    metadata
}

/// The gRPC answer's body as the client's.
struct Outgoing {
    body: Option<Body>,
    head_status: Option<Status>,
    decoder: Decoder,
    method: &'static Method,
    form: Form,
    position: usize,
    failure: Failure,
    outcome: Outcome,
    done: bool,
}

impl Outgoing {
    async fn next(mut self) -> Option<(Result<Frame<Bytes>, Infallible>, Self)> {
        loop {
            if self.done {
                return None;
            }
            if let Some(status) = self.head_status.take() {
                let end = self.end(status, &HeaderMap::new());
                return Some((Ok(end), self));
            }
            match self.decoder.next_envelope() {
                Ok(Some(envelope)) => {
                    let frame = match self.message(envelope) {
                        Ok(frame) => frame,
                        Err(status) => self.end(status, &HeaderMap::new()),
                    };
                    self.position += 1;
                    return Some((Ok(frame), self));
                }
                Ok(None) => {}
                Err(too_large) => {
                    let status = too_large_status("answer", self.position, too_large);
                    let end = self.end(status, &HeaderMap::new());
                    return Some((Ok(end), self));
                }
            }
            let Some(body) = self.body.as_mut() else {
                let end = self.end(
                    Status::internal("the answer ended without a status"),
                    &HeaderMap::new(),
                );
                return Some((Ok(end), self));
            };
            let end = match body.frame().await {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => {
                        self.decoder.push(&data);
                        continue;
                    }
                    Err(frame) => {
                        let trailers = frame.into_trailers().unwrap_or_default();
                        let status = if self.decoder.has_partial() {
                            Status::internal("the answer ended inside a message")
                        } else {
                            Status::from_header_map(&trailers).unwrap_or_else(|| {
                                Status::internal("the answer's trailers carry no grpc-status")
                            })
                        };
                        self.end(status, &metadata(&trailers))
                    }
                },
                Some(Err(error)) => self.end(Status::from_error(error.into()), &HeaderMap::new()),
                None => self.end(
                    Status::internal("the answer ended without a status"),
                    &HeaderMap::new(),
                ),
            };
            return Some((Ok(end), self));
        }
    }

    /// One answer message in the client's form.
    fn message(&self, envelope: Envelope) -> Result<Frame<Bytes>, Status> {
        if envelope.flags != 0 {
            return Err(Status::internal(format!(
                "answer message {} has flags {:#04x}",
                self.position, envelope.flags
            )));
        }
        let payload = match self.form.codec {
            Codec::Proto => envelope.payload,
            Codec::Json => {
                let json = transcode::to_json(&self.method.output, &envelope.payload)?;
                Bytes::from(json.to_string())
            }
        };
        Ok(body_frame(self.form, envelope::encode(0, &payload)))
    }

    /// The last frame, with the status the client is told: the request stream's failure
    /// when there was one, else the handler's.
    fn end(&mut self, status: Status, trailers: &HeaderMap) -> Frame<Bytes> {
        self.done = true;
        self.body = None;
        let status = self.failure.0.get().cloned().unwrap_or(status);
        self.outcome.set(status.code());
        end_frame(self.form, &status, trailers)
    }
}

/// `status` and `trailers` as the last frame of an answer in `form`.
fn end_frame(form: Form, status: &Status, trailers: &HeaderMap) -> Frame<Bytes> {
    if form.transport == Transport::ConnectStream {
        let json = connect_error::end_of_stream(status, trailers);
        return Frame::data(envelope::encode(envelope::CONNECT_END_STREAM, &json));
    }
    let mut fields = trailers.clone();
    if status.add_header(&mut fields).is_err() {
        fields = grpc_status_only(status.code());
    }
    if form.transport == Transport::Grpc {
        return Frame::trailers(fields);
    }
    // gRPC-Web: the trailers as HTTP/1 header lines in an envelope of their own.
    let mut lines = Vec::new();
    for (name, value) in &fields {
        lines.extend_from_slice(name.as_str().as_bytes());
        lines.push(b':');
        lines.extend_from_slice(value.as_bytes());
        lines.extend_from_slice(b"\r\n");
    }
    body_frame(form, envelope::encode(envelope::GRPC_WEB_TRAILERS, &lines))
}

fn grpc_status_only(code: Code) -> HeaderMap {
    let mut fields = HeaderMap::new();
    fields.insert("grpc-status", HeaderValue::from(code as i32));
    fields
}

/// Bytes of the answer's body in `form` (gRPC-Web text: base64).
fn body_frame(form: Form, bytes: Bytes) -> Frame<Bytes> {
    if form.transport == Transport::GrpcWebText {
        use base64::Engine;
        let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
        return Frame::data(Bytes::from(text));
    }
    Frame::data(bytes)
}

#[cfg(test)]
#[path = "stream_fuzz.rs"]
mod fuzz;
