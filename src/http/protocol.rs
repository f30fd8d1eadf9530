//! The wire forms served on the one listen address, in one registry: which form a request's
//! method and `Content-Type` select, the `Content-Type` of its answer, and which RPCs a form
//! can carry. Routing (`route.rs`), the transcoders, the documentation's table and the
//! tests that go through every form all read it from here.

use super::methods::MethodKind;

/// How messages are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// The protobuf binary encoding.
    Proto,
    /// The proto3 JSON mapping.
    Json,
}

/// A protocol's way of carrying a call over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// gRPC over HTTP/2: enveloped messages, the status in HTTP trailers.
    Grpc,
    /// gRPC-Web: enveloped messages, the status in a trailer envelope (flag 0x80) at the
    /// end of the body; HTTP/1.1 or HTTP/2.
    GrpcWeb,
    /// gRPC-Web's text form: the gRPC-Web body in base64.
    GrpcWebText,
    /// Connect unary: one bare message in the body; an error is an HTTP status and a JSON
    /// body.
    ConnectUnary,
    /// Connect streaming: enveloped messages, the status in an end-of-stream envelope (flag
    /// 0x02) holding JSON; HTTP 200 even for errors.
    ConnectStream,
    /// Connect unary by GET (`?connect=v1&encoding=…&message=…`), for RPCs marked
    /// `idempotency_level = NO_SIDE_EFFECTS`.
    ConnectGet,
    /// A read by URL: the request's fields as query parameters, answered as JSON (or in the
    /// formats of `GET` reads, e.g. CSV), for RPCs marked NO_SIDE_EFFECTS.
    UrlRead,
}

impl Transport {
    /// Every transport, for documentation and tests.
    pub const ALL: [Transport; 7] = [
        Transport::Grpc,
        Transport::GrpcWeb,
        Transport::GrpcWebText,
        Transport::ConnectUnary,
        Transport::ConnectStream,
        Transport::ConnectGet,
        Transport::UrlRead,
    ];

    /// The name used in documentation and test output.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Grpc => "gRPC",
            Transport::GrpcWeb => "gRPC-Web",
            Transport::GrpcWebText => "gRPC-Web text",
            Transport::ConnectUnary => "Connect unary",
            Transport::ConnectStream => "Connect streaming",
            Transport::ConnectGet => "Connect GET",
            Transport::UrlRead => "GET by fields",
        }
    }

    /// Whether the request comes by GET (else POST).
    pub fn is_get(self) -> bool {
        matches!(self, Transport::ConnectGet | Transport::UrlRead)
    }

    /// Whether messages travel in envelopes (a flag byte and a 4-byte length), so that a
    /// stream of them, and so every kind of RPC, fits.
    pub fn is_enveloped(self) -> bool {
        matches!(
            self,
            Transport::Grpc
                | Transport::GrpcWeb
                | Transport::GrpcWebText
                | Transport::ConnectStream
        )
    }

    /// Whether the protocol reports errors in gRPC's terms (`grpc-status`), so a refusal is
    /// a trailers-only answer rather than a Connect error.
    pub fn is_grpc_family(self) -> bool {
        matches!(
            self,
            Transport::Grpc | Transport::GrpcWeb | Transport::GrpcWebText
        )
    }

    /// Whether an RPC of `kind` can be called this way.
    pub fn carries(self, kind: MethodKind) -> bool {
        match self {
            _ if self.is_enveloped() => true,
            Transport::ConnectUnary => kind != MethodKind::Streaming,
            Transport::ConnectGet | Transport::UrlRead => kind == MethodKind::Read,
            _ => false,
        }
    }

    /// The `Content-Type` prefix of the POST transports' family, before `+codec`.
    fn family(self) -> Option<&'static str> {
        match self {
            Transport::Grpc => Some("application/grpc"),
            Transport::GrpcWeb => Some("application/grpc-web"),
            Transport::GrpcWebText => Some("application/grpc-web-text"),
            Transport::ConnectStream => Some("application/connect"),
            Transport::ConnectUnary | Transport::ConnectGet | Transport::UrlRead => None,
        }
    }
}

/// One form: a transport with a codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Form {
    pub transport: Transport,
    pub codec: Codec,
}

/// Every form served, in the order the documentation lists them.
pub const FORMS: [Form; 13] = {
    const fn form(transport: Transport, codec: Codec) -> Form {
        Form { transport, codec }
    }
    use Codec::{Json, Proto};
    use Transport::*;
    [
        form(Grpc, Proto),
        form(Grpc, Json),
        form(GrpcWeb, Proto),
        form(GrpcWeb, Json),
        form(GrpcWebText, Proto),
        form(GrpcWebText, Json),
        form(ConnectUnary, Proto),
        form(ConnectUnary, Json),
        form(ConnectStream, Proto),
        form(ConnectStream, Json),
        form(ConnectGet, Proto),
        form(ConnectGet, Json),
        // CSV and the other formats of reads by URL are chosen by `format=` or `Accept`.
        form(UrlRead, Json),
    ]
};

impl Form {
    /// The `Content-Type` of a POST request in this form, and of its answer (`None` for
    /// the GET forms, whose answer is a Connect unary one).
    pub fn content_type(self) -> Option<&'static str> {
        use Codec::{Json, Proto};
        use Transport::*;
        Some(match (self.transport, self.codec) {
            (Grpc, Proto) => "application/grpc",
            (Grpc, Json) => "application/grpc+json",
            (GrpcWeb, Proto) => "application/grpc-web+proto",
            (GrpcWeb, Json) => "application/grpc-web+json",
            (GrpcWebText, Proto) => "application/grpc-web-text+proto",
            (GrpcWebText, Json) => "application/grpc-web-text+json",
            (ConnectUnary, Proto) => "application/proto",
            (ConnectUnary, Json) => "application/json",
            (ConnectStream, Proto) => "application/connect+proto",
            (ConnectStream, Json) => "application/connect+json",
            (ConnectGet | UrlRead, _) => return None,
        })
    }

    /// Whether the server hands this form to the gRPC routes as it comes (tonic decodes it).
    pub fn is_native(self) -> bool {
        self == Form {
            transport: Transport::Grpc,
            codec: Codec::Proto,
        }
    }
}

/// What a POST's `Content-Type` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// A form the server serves.
    Served(Form),
    /// A protocol the server speaks with a codec it does not (`application/grpc+xml`,
    /// `application/connect+cbor`): refused in that protocol's terms.
    UnknownCodec(Transport),
    /// No protocol the server speaks (or no `Content-Type`).
    Unknown,
}

/// The form a POST with `content_type` asks for. Parameters (`; charset=utf-8`) are
/// ignored; type names are case-insensitive.
pub fn requested(content_type: &str) -> Requested {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let served = |transport, codec| Requested::Served(Form { transport, codec });
    match essence.as_str() {
        "application/json" => return served(Transport::ConnectUnary, Codec::Json),
        "application/proto" => return served(Transport::ConnectUnary, Codec::Proto),
        _ => {}
    }
    // Longest family first: grpc-web-text before grpc-web before grpc.
    for transport in [
        Transport::GrpcWebText,
        Transport::GrpcWeb,
        Transport::Grpc,
        Transport::ConnectStream,
    ] {
        let family = transport.family().expect("POST transports have a family");
        let Some(rest) = essence.strip_prefix(family) else {
            continue;
        };
        return match rest {
            // Connect streaming names its codec always; gRPC's bare type means proto.
            "" if transport != Transport::ConnectStream => served(transport, Codec::Proto),
            "+proto" => served(transport, Codec::Proto),
            "+json" => served(transport, Codec::Json),
            _ if rest.starts_with('+') || rest.is_empty() => Requested::UnknownCodec(transport),
            _ => continue,
        };
    }
    Requested::Unknown
}

/// The `Content-Type`s a POST to an RPC of `kind` may have, for `Accept-Post`.
pub fn accepted_content_types(kind: MethodKind) -> Vec<&'static str> {
    FORMS
        .iter()
        .filter(|form| form.transport.carries(kind))
        .filter_map(|form| form.content_type())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_post_form_is_found_by_its_own_content_type() {
        for form in FORMS {
            let Some(content_type) = form.content_type() else {
                assert!(form.transport.is_get(), "{form:?}");
                continue;
            };
            assert_eq!(requested(content_type), Requested::Served(form));
            let with_charset = format!("{}; charset=utf-8", content_type.to_uppercase());
            assert_eq!(requested(&with_charset), Requested::Served(form));
        }
    }

    #[test]
    fn aliases_unknown_codecs_and_other_types() {
        let proto = |transport| {
            Requested::Served(Form {
                transport,
                codec: Codec::Proto,
            })
        };
        assert_eq!(requested("application/grpc+proto"), proto(Transport::Grpc));
        assert_eq!(requested("application/grpc-web"), proto(Transport::GrpcWeb));
        assert_eq!(
            requested("application/grpc-web-text"),
            proto(Transport::GrpcWebText)
        );
        assert_eq!(
            requested("application/grpc+xml"),
            Requested::UnknownCodec(Transport::Grpc)
        );
        assert_eq!(
            requested("application/connect+cbor"),
            Requested::UnknownCodec(Transport::ConnectStream)
        );
        assert_eq!(
            requested("application/connect"),
            Requested::UnknownCodec(Transport::ConnectStream)
        );
        assert_eq!(requested("application/grpcx"), Requested::Unknown);
        assert_eq!(requested("text/plain"), Requested::Unknown);
        assert_eq!(requested(""), Requested::Unknown);
    }

    #[test]
    fn the_documentation_lists_every_form() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/protocols.md");
        let doc = std::fs::read_to_string(path).expect("docs/protocols.md");
        for form in FORMS {
            if let Some(content_type) = form.content_type() {
                assert!(doc.contains(&format!("`{content_type}`")), "{content_type}");
            }
        }
        for transport in Transport::ALL {
            let row = format!("| {} |", transport.name());
            assert!(doc.contains(&row), "{row}");
        }
    }

    #[test]
    fn streaming_rpcs_take_only_enveloped_forms() {
        let streaming = accepted_content_types(MethodKind::Streaming);
        assert!(streaming.contains(&"application/connect+json"));
        assert!(!streaming.contains(&"application/json"));
        let read = accepted_content_types(MethodKind::Read);
        assert!(read.contains(&"application/json"));
        assert!(read.contains(&"application/grpc-web+json"));
    }
}
