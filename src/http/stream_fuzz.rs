//! Property-based fuzzing (issue 38, docs/fuzzing.md) of the request envelopes of the
//! enveloped forms (Connect streaming, gRPC-Web binary and text, gRPC with JSON): bodies
//! of made-up and damaged envelopes, cut into chunks anywhere, through `Incoming`.
//!
//! The rule asserted, message by message in order (a reference model of the framing):
//! a declared length over the limit is RESOURCE_EXHAUSTED; a body ending inside an
//! envelope, flags other than 0, text that is not base64 and JSON that is not the RPC's
//! input message are INVALID_ARGUMENT naming a field (`body`, or the JSON field); a
//! compressed message (flag 0x01) is UNIMPLEMENTED. Proto payloads pass through unread:
//! the handler's codec decodes them (a bad one is INTERNAL there, gRPC's own rule).

use super::{Failure, Incoming};
use crate::http::envelope::{self, Base64Decoder, Decoder};
use crate::http::fuzz::{METHODS, Outcome, apply, check_invalid, edit, json_body, run};
use crate::http::protocol::Codec;
use crate::http::transcode;
use bytes::Bytes;
use futures::StreamExt;
use http_body::Frame;
use http_body_util::StreamBody;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use prost::Message;
use std::convert::Infallible;
use tonic::Code;
use tonic::body::Body;

/// One envelope to send: flags, payload, and a declared length that may lie.
type Sent = (u8, Vec<u8>, Option<u32>);

fn frame(flags: u8, payload: &[u8], declared: Option<u32>) -> Vec<u8> {
    let mut bytes = envelope::encode(flags, payload).to_vec();
    if let Some(length) = declared {
        bytes[1..5].copy_from_slice(&length.to_be_bytes());
    }
    bytes
}

/// What reading `bytes` must give: the messages read before the first problem, and that
/// problem's code.
fn model(bytes: &[u8], limit: usize, codec: Codec, method: usize) -> (usize, Option<Code>) {
    let mut at = 0;
    let mut read = 0;
    loop {
        let rest = &bytes[at..];
        if rest.is_empty() {
            return (read, None);
        }
        if rest.len() < 5 {
            return (read, Some(Code::InvalidArgument));
        }
        let length = u32::from_be_bytes(rest[1..5].try_into().expect("4 bytes")) as usize;
        if length > limit {
            return (read, Some(Code::ResourceExhausted));
        }
        if rest.len() < 5 + length {
            return (read, Some(Code::InvalidArgument));
        }
        let (flags, payload) = (rest[0], &rest[5..5 + length]);
        if flags & envelope::COMPRESSED != 0 {
            return (read, Some(Code::Unimplemented));
        }
        if flags != 0 {
            return (read, Some(Code::InvalidArgument));
        }
        if codec == Codec::Json
            && transcode::parse_json(&METHODS[method].input, payload, "body").is_err()
        {
            return (read, Some(Code::InvalidArgument));
        }
        read += 1;
        at += 5 + length;
    }
}

/// Reads `chunks` as the request body: the frames the handler gets, and the failure kept
/// for the client.
fn read(
    method: usize,
    codec: Codec,
    text: bool,
    limit: usize,
    chunks: Vec<Vec<u8>>,
) -> (
    Vec<Result<Frame<Bytes>, tonic::Status>>,
    Option<tonic::Status>,
) {
    let frames = chunks
        .into_iter()
        .map(|c| Ok::<_, Infallible>(Frame::data(Bytes::from(c))));
    let failure = Failure::default();
    let incoming = Incoming {
        body: Body::new(StreamBody::new(futures::stream::iter(frames))),
        decoder: Decoder::new(limit),
        text: text.then(Base64Decoder::default),
        method: METHODS[method],
        codec,
        position: 0,
        failure: failure.clone(),
        done: false,
    };
    let out = futures::executor::block_on(
        futures::stream::unfold(incoming, Incoming::next).collect::<Vec<_>>(),
    );
    (out, failure.0.get().cloned())
}

#[derive(Debug, Clone)]
struct Case {
    method: usize,
    json: bool,
    text: bool,
    limit: usize,
    sent: Vec<Sent>,
    edits: Vec<crate::http::fuzz::Edit>,
    cuts: Vec<Index>,
}

fn case() -> impl Strategy<Value = Case> {
    (0..METHODS.len()).prop_flat_map(|method| {
        let payload = prop_oneof![
            4 => json_body(method),
            1 => prop::collection::vec(any::<u8>(), 0..64),
        ];
        let sent = (
            prop_oneof![8 => Just(0_u8), 1 => select(&[1_u8, 2, 3, 0x80, 0x81][..]), 1 => any::<u8>()],
            payload,
            prop_oneof![9 => Just(None), 1 => any::<u32>().prop_map(Some), 1 => (0..80_u32).prop_map(Some)],
        );
        (
            Just(method),
            any::<bool>(),
            any::<bool>(),
            select(&[8_usize, 64, 4 * 1024 * 1024][..]),
            prop::collection::vec(sent, 0..4),
            prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(edit(), 1..3)],
            prop::collection::vec(any::<Index>(), 0..4),
        )
            .prop_map(|(method, json, text, limit, sent, edits, cuts)| Case {
                method,
                json,
                text,
                limit,
                sent,
                edits,
                cuts,
            })
    })
}

fn check(case: Case) -> Outcome {
    use base64::Engine;
    let codec = if case.json { Codec::Json } else { Codec::Proto };
    let input = &METHODS[case.method].input;
    // Proto bodies carry the JSON's message encoded, when the JSON reads.
    let sent: Vec<Sent> = case
        .sent
        .iter()
        .map(|(flags, payload, declared)| {
            let payload = match (codec, transcode::parse_json(input, payload, "body")) {
                (Codec::Proto, Ok(message)) => message.encode_to_vec(),
                _ => payload.clone(),
            };
            (*flags, payload, *declared)
        })
        .collect();
    let raw: Vec<u8> = sent.iter().flat_map(|(f, p, d)| frame(*f, p, *d)).collect();
    // gRPC-Web text: each envelope encoded apart, so padding stands inside the stream.
    let mut body: Vec<u8> = if case.text {
        sent.iter()
            .flat_map(|(f, p, d)| {
                base64::engine::general_purpose::STANDARD
                    .encode(frame(*f, p, *d))
                    .into_bytes()
            })
            .collect()
    } else {
        raw.clone()
    };
    apply(&mut body, &case.edits);
    let mut cuts: Vec<usize> = case.cuts.iter().map(|c| c.index(body.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut from = 0;
    for cut in cuts {
        chunks.push(body[from..cut].to_vec());
        from = cut;
    }
    chunks.push(body[from..].to_vec());

    let (frames, failure) = read(case.method, codec, case.text, case.limit, chunks);
    let errors: Vec<&tonic::Status> = frames.iter().filter_map(|f| f.as_ref().err()).collect();
    prop_assert!(errors.len() <= 1, "the stream goes on after a failure");
    if let Some(error) = errors.first() {
        prop_assert!(
            frames.last().is_some_and(|f| f.is_err()),
            "a failure is last"
        );
        prop_assert_eq!(
            failure.as_ref().map(tonic::Status::code),
            Some(error.code())
        );
        match error.code() {
            Code::InvalidArgument => check_invalid(error)?,
            Code::ResourceExhausted | Code::Unimplemented => {}
            other => prop_assert!(false, "{:?}: {:?}", other, error),
        }
    } else {
        prop_assert!(failure.is_none());
    }
    // Every message passed on is one envelope of flags 0, holding a message of the input.
    let mut passed = Vec::new();
    for frame in frames.iter().filter_map(|f| f.as_ref().ok()) {
        let data = frame.data_ref().expect("data frames only");
        prop_assert!(data.len() >= 5 && data[0] == 0);
        prop_assert_eq!(
            u32::from_be_bytes(data[1..5].try_into().expect("4 bytes")) as usize,
            data.len() - 5
        );
        passed.push(data.slice(5..));
    }
    // Unedited bodies: exactly what the model says, text or binary alike.
    if case.edits.is_empty() {
        let (count, code) = model(&raw, case.limit, codec, case.method);
        prop_assert_eq!(passed.len(), count);
        prop_assert_eq!(errors.first().map(|e| e.code()), code, "{:?}", errors);
        // Proto payloads pass through as sent (when no length lied about them).
        if codec == Codec::Proto && sent.iter().all(|(_, _, declared)| declared.is_none()) {
            for (message, (_, payload, _)) in passed.iter().zip(&sent) {
                prop_assert_eq!(&message[..], &payload[..]);
            }
        }
    } else if !case.text {
        let (count, code) = model(&body, case.limit, codec, case.method);
        prop_assert_eq!(passed.len(), count);
        prop_assert_eq!(errors.first().map(|e| e.code()), code, "{:?}", errors);
    }
    Ok(())
}

#[test]
fn fuzz_request_envelopes() {
    run("http_envelopes", case(), check);
}
