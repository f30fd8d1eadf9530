//! What a request is, decided from its method, path and `Content-Type` alone, before
//! anything runs: a form of an RPC the server serves, a page, or a refusal in the terms of
//! the protocol the client speaks (so a form the server does not serve never reaches a
//! handler).

use super::connect_error::gateway_status;
use super::explorer;
use super::methods::{self, Method, MethodKind};
use super::protocol::{self, Codec, Form, Requested, Transport};
use http::{HeaderName, Request, StatusCode};
use tonic::{Code, Status};

pub enum Route {
    /// Native gRPC: to the gRPC routes as it is (an unknown method gets their UNIMPLEMENTED).
    Pass,
    /// An explorer page or asset (GET and HEAD).
    Page(explorer::Asset),
    /// The OpenAPI description of the HTTP/JSON forms (GET and HEAD).
    OpenApi,
    /// Connect unary by POST.
    Unary(&'static Method, Codec),
    /// A read by GET or HEAD: Connect GET or by fields.
    Get(&'static Method),
    /// An enveloped form transcoded at the edge (gRPC+JSON, gRPC-Web, Connect streaming).
    Enveloped(&'static Method, Form),
    /// Refused before anything runs.
    Refuse(Refusal),
}

/// A refusal: the status the client is told and how.
pub struct Refusal {
    pub status: Status,
    pub shape: Shape,
}

/// How a refusal is written.
pub enum Shape {
    /// In the enveloped form's own terms (gRPC trailers-only, a Connect end of stream).
    Protocol(Form),
    /// A Connect error body under an HTTP status, with a header saying what would be
    /// accepted (`Allow`, `Accept-Post`).
    Http {
        status: StatusCode,
        header: Option<(HeaderName, String)>,
    },
}

/// The page file served at `path`: the explorer's or the report's.
fn page(path: &str) -> Option<explorer::Asset> {
    explorer::asset(path).or_else(|| super::report::asset(path))
}

pub fn route<B>(request: &Request<B>) -> Route {
    let path = request.uri().path();
    match *request.method() {
        http::Method::GET | http::Method::HEAD => get(path),
        http::Method::POST => {
            let content_type = request
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            post(path, protocol::requested(content_type))
        }
        ref other => match (methods::find(path), page(path)) {
            (Some(method), _) => not_allowed(path, other, allowed_for(method.kind)),
            (None, Some(_)) => not_allowed(path, other, "GET, HEAD"),
            (None, None) => not_found(path),
        },
    }
}

fn get(path: &str) -> Route {
    if let Some(asset) = page(path) {
        return Route::Page(asset);
    }
    if path == super::openapi::PATH {
        return Route::OpenApi;
    }
    match methods::find(path) {
        Some(method) if method.kind == MethodKind::Read => Route::Get(method),
        Some(method) => not_allowed(path, &http::Method::GET, allowed_for(method.kind)),
        None => not_found(path),
    }
}

fn post(path: &str, requested: Requested) -> Route {
    let found = methods::find(path);
    let form = match requested {
        Requested::Served(form) => form,
        Requested::UnknownCodec(transport) if transport.is_grpc_family() => {
            let status = gateway_status(
                Code::Unimplemented,
                "UNSUPPORTED_CODEC",
                format!(
                    "this server reads {} messages as proto or json only",
                    transport.name()
                ),
            );
            let form = Form {
                transport,
                codec: Codec::Proto,
            };
            return refuse(status, Shape::Protocol(form));
        }
        Requested::UnknownCodec(_) | Requested::Unknown => {
            return match (found, page(path)) {
                (Some(method), _) => unsupported_media_type(path, method.kind),
                (None, Some(_)) => not_allowed(path, &http::Method::POST, "GET, HEAD"),
                (None, None) => not_found(path),
            };
        }
    };
    if form.is_native() {
        return Route::Pass;
    }
    let Some(method) = found else {
        if form.transport.is_enveloped() {
            let status = gateway_status(
                Code::Unimplemented,
                "NO_SUCH_RPC",
                format!("{path} is not an RPC of this server"),
            );
            return refuse(status, Shape::Protocol(form));
        }
        return match page(path) {
            Some(_) => not_allowed(path, &http::Method::POST, "GET, HEAD"),
            None => not_found(path),
        };
    };
    if !form.transport.carries(method.kind) {
        return unsupported_media_type(path, method.kind);
    }
    match form.transport {
        Transport::ConnectUnary => Route::Unary(method, form.codec),
        _ => Route::Enveloped(method, form),
    }
}

fn refuse(status: Status, shape: Shape) -> Route {
    Route::Refuse(Refusal { status, shape })
}

/// The methods an RPC of `kind` answers.
fn allowed_for(kind: MethodKind) -> &'static str {
    match kind {
        MethodKind::Read => "GET, HEAD, POST",
        MethodKind::Unary | MethodKind::Streaming => "POST",
    }
}

/// 405 with `Allow`.
fn not_allowed(path: &str, method: &http::Method, allow: &'static str) -> Route {
    let status = gateway_status(
        Code::Unimplemented,
        "METHOD_NOT_ALLOWED",
        format!("{path} does not answer {method}; it answers {allow}"),
    );
    let header = (http::header::ALLOW, allow.to_owned());
    refuse(
        status,
        Shape::Http {
            status: StatusCode::METHOD_NOT_ALLOWED,
            header: Some(header),
        },
    )
}

/// 415 with `Accept-Post`: a POST in no form the RPC is served in.
fn unsupported_media_type(path: &str, kind: MethodKind) -> Route {
    let accepted = protocol::accepted_content_types(kind).join(", ");
    let why = if kind == MethodKind::Streaming {
        "it is a streaming RPC: call it over Connect streaming, gRPC or gRPC-Web"
    } else {
        "the Content-Type names no form this server reads"
    };
    let status = gateway_status(
        Code::Unimplemented,
        "UNSUPPORTED_MEDIA_TYPE",
        format!("{path} takes a POST as one of {accepted}; {why}"),
    );
    let header = (HeaderName::from_static("accept-post"), accepted);
    refuse(
        status,
        Shape::Http {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            header: Some(header),
        },
    )
}

/// 404: UNIMPLEMENTED for what looks like an RPC (as Connect clients read a 404), else
/// NOT_FOUND.
fn not_found(path: &str) -> Route {
    let status = if methods::looks_like_rpc(path) {
        gateway_status(
            Code::Unimplemented,
            "NO_SUCH_RPC",
            format!("{path} is not an RPC of this server"),
        )
    } else {
        gateway_status(
            Code::NotFound,
            "NO_SUCH_PATH",
            format!("{path} is neither a page nor an RPC of this server"),
        )
    };
    refuse(
        status,
        Shape::Http {
            status: StatusCode::NOT_FOUND,
            header: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, path: &str, content_type: Option<&str>) -> Request<()> {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        builder.body(()).expect("request")
    }

    fn http_refusal(route: Route) -> (StatusCode, Option<String>, Code) {
        match route {
            Route::Refuse(Refusal {
                status,
                shape:
                    Shape::Http {
                        status: http,
                        header,
                    },
            }) => (http, header.map(|(_, v)| v), status.code()),
            _ => panic!("not an HTTP refusal"),
        }
    }

    #[test]
    fn every_form_reaches_every_rpc_it_carries_and_no_other() {
        for method in methods::all() {
            for form in protocol::FORMS {
                let route = match form.content_type() {
                    Some(content_type) => route(&request("POST", &method.path, Some(content_type))),
                    None => route(&request("GET", &method.path, None)),
                };
                let served = form.transport.carries(method.kind);
                let reached = match route {
                    Route::Pass => form.is_native(),
                    Route::Unary(m, codec) => m.path == method.path && codec == form.codec,
                    Route::Get(m) => m.path == method.path && form.transport.is_get(),
                    Route::Enveloped(m, f) => m.path == method.path && f == form,
                    Route::Refuse(_) | Route::Page(_) | Route::OpenApi => false,
                };
                assert_eq!(reached, served, "{} over {form:?}", method.path);
            }
        }
    }

    #[test]
    fn refusals_say_what_would_be_accepted() {
        let import = "/uppsikt.v1.ImportService/Import";
        let (status, accept, code) =
            http_refusal(route(&request("POST", import, Some("application/json"))));
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(
            accept
                .expect("Accept-Post")
                .contains("application/connect+json")
        );
        assert_eq!(code, Code::Unimplemented);

        let (status, allow, _) = http_refusal(route(&request("GET", import, None)));
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(allow.as_deref(), Some("POST"));

        let read = "/uppsikt.v1.BudgetService/ListBudgetLines";
        let (status, allow, _) = http_refusal(route(&request("DELETE", read, None)));
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(allow.as_deref(), Some("GET, HEAD, POST"));
        let (status, _, _) = http_refusal(route(&request("POST", read, Some("text/plain"))));
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let (status, _, _) = http_refusal(route(&request("POST", read, None)));
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

        let (status, allow, _) = http_refusal(route(&request("PUT", "/", None)));
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(allow.as_deref(), Some("GET, HEAD"));

        let (status, _, code) = http_refusal(route(&request("GET", "/nowhere", None)));
        assert_eq!((status, code), (StatusCode::NOT_FOUND, Code::NotFound));
        let (status, _, code) = http_refusal(route(&request(
            "POST",
            "/uppsikt.v1.BudgetService/Nothing",
            Some("application/json"),
        )));
        assert_eq!((status, code), (StatusCode::NOT_FOUND, Code::Unimplemented));
    }

    #[test]
    fn enveloped_forms_refuse_in_their_own_terms() {
        for content_type in ["application/grpc+xml", "application/grpc-web+thrift"] {
            let route = route(&request(
                "POST",
                "/uppsikt.v1.BudgetService/ListCategories",
                Some(content_type),
            ));
            assert!(
                matches!(
                    route,
                    Route::Refuse(Refusal {
                        shape: Shape::Protocol(_),
                        ..
                    })
                ),
                "{content_type}"
            );
        }
        let unknown = route(&request(
            "POST",
            "/uppsikt.v1.BudgetService/Nothing",
            Some("application/connect+proto"),
        ));
        assert!(matches!(
            unknown,
            Route::Refuse(Refusal {
                shape: Shape::Protocol(_),
                ..
            })
        ));
        // Native gRPC to an unknown method is the gRPC routes' to answer.
        let native = route(&request(
            "POST",
            "/uppsikt.v1.BudgetService/Nothing",
            Some("application/grpc"),
        ));
        assert!(matches!(native, Route::Pass));
    }
}
