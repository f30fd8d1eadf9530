//! Envelopes, the framing gRPC, gRPC-Web and Connect streaming share: a flag byte, a 4-byte
//! big-endian length, the payload. The flags tell them apart: 0x01 a compressed message,
//! 0x02 Connect's end of stream, 0x80 gRPC-Web's trailers.

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// The message is compressed (all three protocols).
pub const COMPRESSED: u8 = 0x01;
/// Connect: the last envelope of a response, holding the end-of-stream JSON.
pub const CONNECT_END_STREAM: u8 = 0x02;
/// gRPC-Web: the last envelope of a response, holding the trailers as HTTP/1 header lines.
pub const GRPC_WEB_TRAILERS: u8 = 0x80;

const HEADER_LEN: usize = 5;

/// One envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub flags: u8,
    pub payload: Bytes,
}

/// An envelope larger than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    pub length: usize,
    pub limit: usize,
}

/// Cuts a byte stream, fed in chunks of any size, into envelopes.
#[derive(Debug)]
pub struct Decoder {
    buffer: BytesMut,
    limit: usize,
}

impl Decoder {
    /// A decoder refusing envelopes whose payload is over `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            buffer: BytesMut::new(),
            limit,
        }
    }

    pub fn push(&mut self, chunk: &[u8]) {
        self.buffer.extend_from_slice(chunk);
    }

    /// The next whole envelope, if the bytes so far hold one.
    pub fn next_envelope(&mut self) -> Result<Option<Envelope>, TooLarge> {
        if self.buffer.len() < HEADER_LEN {
            return Ok(None);
        }
        let length = u32::from_be_bytes(self.buffer[1..HEADER_LEN].try_into().expect("4 bytes"));
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        if length > self.limit {
            return Err(TooLarge {
                length,
                limit: self.limit,
            });
        }
        if self.buffer.len() < HEADER_LEN + length {
            return Ok(None);
        }
        let flags = self.buffer.get_u8();
        self.buffer.advance(4);
        let payload = self.buffer.split_to(length).freeze();
        Ok(Some(Envelope { flags, payload }))
    }

    /// Whether bytes of an unfinished envelope are left: at the end of a body, a message cut
    /// short.
    pub fn has_partial(&self) -> bool {
        !self.buffer.is_empty()
    }
}

/// An envelope's bytes.
pub fn encode(flags: u8, payload: &[u8]) -> Bytes {
    let length = u32::try_from(payload.len()).expect("payloads are bounded by the message limit");
    let mut frame = BytesMut::with_capacity(HEADER_LEN + payload.len());
    frame.put_u8(flags);
    frame.put_u32(length);
    frame.put_slice(payload);
    frame.freeze()
}

/// Decodes gRPC-Web text (base64), fed in chunks cut anywhere. Senders may encode each
/// envelope apart, so padding can stand inside the stream, at the end of a 4-character
/// group.
#[derive(Debug, Default)]
pub struct Base64Decoder {
    pending: Vec<u8>,
}

impl Base64Decoder {
    /// The bytes the whole 4-character groups so far decode to; an error for text that is
    /// not base64.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
        use base64::Engine;
        use base64::engine::general_purpose::STANDARD;
        self.pending
            .extend(chunk.iter().copied().filter(|b| !b.is_ascii_whitespace()));
        let whole = self.pending.len() / 4 * 4;
        let mut out = Vec::with_capacity(whole / 4 * 3);
        // Runs between padded groups decode at once; each padded group closes a run.
        let mut start = 0;
        for group in (0..whole).step_by(4) {
            if self.pending[group + 3] == b'=' {
                STANDARD.decode_vec(&self.pending[start..group + 4], &mut out)?;
                start = group + 4;
            }
        }
        STANDARD.decode_vec(&self.pending[start..whole], &mut out)?;
        self.pending.drain(..whole);
        Ok(out)
    }

    /// Whether characters of an unfinished group are left.
    pub fn has_partial(&self) -> bool {
        !self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_split_across_chunks_come_out_whole() {
        let mut bytes = encode(0, b"first").to_vec();
        bytes.extend_from_slice(&encode(CONNECT_END_STREAM, b"{}"));
        let mut decoder = Decoder::new(1024);
        let mut found = Vec::new();
        for byte in bytes {
            decoder.push(&[byte]);
            while let Some(envelope) = decoder.next_envelope().expect("within the limit") {
                found.push(envelope);
            }
        }
        assert!(!decoder.has_partial());
        assert_eq!(
            found,
            vec![
                Envelope {
                    flags: 0,
                    payload: Bytes::from_static(b"first")
                },
                Envelope {
                    flags: CONNECT_END_STREAM,
                    payload: Bytes::from_static(b"{}")
                },
            ]
        );
        let mut cut = Decoder::new(1024);
        cut.push(&encode(0, b"abc")[..6]);
        assert_eq!(cut.next_envelope(), Ok(None));
        assert!(cut.has_partial());
    }

    #[test]
    fn an_envelope_over_the_limit_is_refused_from_its_header() {
        let mut decoder = Decoder::new(4);
        decoder.push(&encode(0, b"12345")[..5]);
        assert_eq!(
            decoder.next_envelope(),
            Err(TooLarge {
                length: 5,
                limit: 4
            })
        );
    }

    #[test]
    fn base64_with_padding_inside_and_chunks_cut_anywhere() {
        use base64::Engine;
        let first = base64::engine::general_purpose::STANDARD.encode(encode(0, b"a"));
        let second = base64::engine::general_purpose::STANDARD.encode(encode(0, b"bc"));
        let text = format!("{first}{second}");
        let mut decoder = Base64Decoder::default();
        let mut out = Vec::new();
        for chunk in text.as_bytes().chunks(3) {
            out.extend(decoder.push(chunk).expect("base64"));
        }
        assert!(!decoder.has_partial());
        let mut expected = encode(0, b"a").to_vec();
        expected.extend_from_slice(&encode(0, b"bc"));
        assert_eq!(out, expected);
        assert!(Base64Decoder::default().push(b"!!!!").is_err());
    }
}
