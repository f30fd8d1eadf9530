//! The HTTP/JSON forms described in OpenAPI, generated from the descriptor set like the
//! forms themselves: `GET /openapi.json` (and `uppsikt openapi`).
//! - OpenAPI 3.1: every unary RPC as `POST` with a JSON body; every read (Get, List,
//!   Summarize) also as `GET` with its request fields as query parameters by proto name and
//!   JSON, CSV or XLSX answers; the Connect error JSON for every error status.
//! - Swagger 2.0 (`?version=2.0`, `--version 2.0`): the `POST` forms alone, for importers
//!   that read no other version (Power Automate's custom connectors).
//!
//! Streaming RPCs (Import) are left out: OpenAPI has no form for enveloped streams.

mod schema;

use super::comments;
use super::connect_error::connect_code;
use super::methods::{self, Method, MethodKind};
use super::sheet;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response};
use http_body_util::Full;
use prost_reflect::{FieldDescriptor, Kind};
use schema::{Schemas, Version, describe};
use serde_json::{Map, Value, json};
use tonic::Code;
use tonic::body::Body;

pub use schema::Version as DocumentVersion;

/// Where the document is served.
pub const PATH: &str = "/openapi.json";

const ERROR_SCHEMA: &str = "ConnectError";

/// Where the API is reached: an absolute base URL, or the host and scheme a request came in
/// with.
#[derive(Debug, Clone, Default)]
pub struct Server {
    pub scheme: Option<String>,
    pub host: Option<String>,
}

impl Server {
    /// From a base URL such as `https://uppsikt.example.se`.
    pub fn from_url(url: &str) -> Option<Self> {
        let (scheme, rest) = url.split_once("://")?;
        let host = rest.split('/').next().filter(|h| !h.is_empty())?;
        Some(Self {
            scheme: Some(scheme.to_owned()),
            host: Some(host.to_owned()),
        })
    }

    /// From a request: the `Host` header and the scheme a proxy or the URI names.
    fn from_request(uri: &http::Uri, headers: &HeaderMap) -> Self {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(',').next().unwrap_or(v).trim().to_owned())
        };
        Self {
            scheme: header("x-forwarded-proto").or_else(|| uri.scheme_str().map(str::to_owned)),
            host: header("host").or_else(|| uri.authority().map(|a| a.to_string())),
        }
    }
}

/// The document.
pub fn document(version: Version, server: &Server) -> Value {
    let mut schemas = Schemas::new(version);
    let mut paths = Map::new();
    for method in methods::api() {
        if method.kind == MethodKind::Streaming {
            continue;
        }
        let mut item = Map::new();
        item.insert("post".into(), post(method, &mut schemas, version));
        if method.kind == MethodKind::Read && version == Version::OpenApi31 {
            item.insert("get".into(), get(method, &mut schemas));
        }
        paths.insert(method.path.clone(), Value::Object(item));
    }
    let tags: Vec<Value> = crate::proto::POOL
        .services()
        .filter(|s| s.package_name() == "uppsikt.v1")
        .map(|s| json!({ "name": s.name(), "description": comments::service(&s) }))
        .collect();
    let info = json!({
        "title": "Uppsikt API (uppsikt.v1)",
        "version": env!("CARGO_PKG_VERSION"),
        "description": DESCRIPTION,
    });
    match version {
        Version::OpenApi31 => {
            let url = match (&server.scheme, &server.host) {
                (Some(scheme), Some(host)) => format!("{scheme}://{host}"),
                _ => "/".to_owned(),
            };
            json!({
                "openapi": "3.1.0",
                "info": info,
                "servers": [{ "url": url }],
                "tags": tags,
                "security": [{ "bearerAuth": [] }],
                "paths": paths,
                "components": {
                    "schemas": schemas.definitions,
                    "securitySchemes": {
                        "bearerAuth": {
                            "type": "http",
                            "scheme": "bearer",
                            "description": AUTH,
                        }
                    },
                },
            })
        }
        Version::Swagger2 => {
            let mut document = json!({
                "swagger": "2.0",
                "info": info,
                "basePath": "/",
                "schemes": server.scheme.as_ref().map_or_else(|| vec!["https".to_owned(), "http".to_owned()], |s| vec![s.clone()]),
                "consumes": ["application/json"],
                "produces": ["application/json"],
                "tags": tags,
                "securityDefinitions": {
                    "bearerAuth": {
                        "type": "apiKey",
                        "in": "header",
                        "name": "Authorization",
                        "description": format!("{AUTH} Give it as `Bearer <token>`."),
                    }
                },
                "security": [{ "bearerAuth": [] }],
                "paths": paths,
                "definitions": schemas.definitions,
            });
            if let Some(host) = &server.host {
                document["host"] = Value::String(host.clone());
            }
            document
        }
    }
}

const DESCRIPTION: &str = "A Swedish region's follow-up data (budget lines, investments, staffing, indicators) \
over HTTP/JSON, the Connect protocol's unary form: POST the request message as JSON to \
/{package}.{Service}/{Method}. Reads (Get, List, Summarize) also answer GET with the request's \
fields as query parameters, as JSON, CSV (format=csv, dialect=excel for Swedish Excel) or XLSX \
(format=xlsx). The proto3 JSON mapping throughout: int64 (money in whole kronor, `_sek`) as \
decimal strings, exact decimals as decimal strings (\"2875.85\"), dates as ISO strings, enums by \
name. Errors are Connect error objects with the gRPC code's name. The same API is served over \
gRPC (with reflection) and gRPC-Web on the same address.";

const AUTH: &str =
    "A static token from the server's auth file, or a JWT from the region's identity provider.";

/// `SummarizeBudget` as `Summarize budget`.
fn summary(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn operation_id(method: &Method) -> String {
    format!(
        "{}_{}",
        method.descriptor.parent_service().name(),
        method.name
    )
}

fn post(method: &Method, schemas: &mut Schemas, version: Version) -> Value {
    let input = schemas.message(&method.input);
    let output = schemas.message(&method.output);
    let mut operation = json!({
        "operationId": operation_id(method),
        "summary": summary(&method.name),
        "description": comments::method(&method.descriptor),
        "tags": [method.descriptor.parent_service().name()],
    });
    match version {
        Version::OpenApi31 => {
            operation["requestBody"] = json!({
                "required": true,
                "content": { "application/json": { "schema": input } },
            });
            let mut responses = errors(schemas);
            responses.insert(
                "200".into(),
                json!({
                    "description": format!("The {}.", method.output.name()),
                    "content": { "application/json": { "schema": output } },
                }),
            );
            operation["responses"] = Value::Object(responses);
        }
        Version::Swagger2 => {
            let error = schemas.named(ERROR_SCHEMA, |_| error_schema());
            operation["parameters"] = json!([{
                "name": "body",
                "in": "body",
                "required": true,
                "schema": input,
            }]);
            operation["responses"] = json!({
                "200": { "description": format!("The {}.", method.output.name()), "schema": output },
                "default": { "description": "A Connect error.", "schema": error },
            });
        }
    }
    operation
}

fn get(method: &Method, schemas: &mut Schemas) -> Value {
    let mut parameters: Vec<Value> = Vec::new();
    for field in method.input.fields() {
        query_parameters(&field, field.name(), schemas, &mut parameters);
    }
    let tables = sheet::table_names(method);
    parameters.extend([
        json!({
            "name": "format", "in": "query", "required": false,
            "description": "The answer's format: JSON (the default), CSV, or an XLSX workbook. `Accept: text/csv` or the XLSX media type chooses too.",
            "schema": { "type": "string", "enum": ["json", "csv", "xlsx"] },
        }),
        json!({
            "name": "dialect", "in": "query", "required": false,
            "description": "With format=csv: `rfc4180` (the default: `,`, `.` as decimal mark, for programs) or `excel` (a byte order mark, `;` and decimal commas: opens into columns in Excel with Swedish settings).",
            "schema": { "type": "string", "enum": ["rfc4180", "excel"] },
        }),
        json!({
            "name": "table", "in": "query", "required": false,
            "description": "With format=csv or xlsx: the table to write. A CSV holds one table (default the first), a workbook every table as a worksheet.",
            "schema": { "type": "string", "enum": tables },
        }),
    ]);
    let output = schemas.message(&method.output);
    let download = json!({
        "description": "`attachment` with a file name of the method and its main filters.",
        "schema": { "type": "string" },
    });
    let mut responses = errors(schemas);
    responses.insert(
        "200".into(),
        json!({
            "description": format!("The {}, as JSON or a spreadsheet.", method.output.name()),
            "headers": { "Content-Disposition": download },
            "content": {
                "application/json": { "schema": output },
                "text/csv": { "schema": { "type": "string" } },
                sheet::XLSX: { "schema": { "type": "string", "format": "binary" } },
            },
        }),
    );
    json!({
        "operationId": format!("{}_Get", operation_id(method)),
        "summary": format!("{} (GET)", summary(&method.name)),
        "description": comments::method(&method.descriptor),
        "tags": [method.descriptor.parent_service().name()],
        "parameters": parameters,
        "responses": responses,
    })
}

/// The query parameters of a request field: itself, or a nested message's fields by dotted
/// names. Repeated messages and maps cannot be given as parameters.
fn query_parameters(
    field: &FieldDescriptor,
    name: &str,
    schemas: &mut Schemas,
    out: &mut Vec<Value>,
) {
    if field.is_map() {
        return;
    }
    if let Kind::Message(message) = field.kind()
        && !super::query::is_scalar_message(&message)
    {
        if !field.is_list() {
            for nested in message.fields() {
                query_parameters(&nested, &format!("{name}.{}", nested.name()), schemas, out);
            }
        }
        return;
    }
    let mut parameter = json!({
        "name": name,
        "in": "query",
        "required": false,
        "schema": schemas.field(field),
    });
    describe(&mut parameter, &comments::field(field), Version::OpenApi31);
    if field.is_list() {
        parameter["style"] = json!("form");
        parameter["explode"] = json!(true);
    }
    out.push(parameter);
}

/// A response per HTTP status a Connect error can have, with the codes that give it.
fn errors(schemas: &mut Schemas) -> Map<String, Value> {
    let error = schemas.named(ERROR_SCHEMA, |_| error_schema());
    let mut by_status: std::collections::BTreeMap<u16, Vec<&str>> = Default::default();
    for code in error_codes() {
        let (name, status) = connect_code(code);
        by_status.entry(status.as_u16()).or_default().push(name);
    }
    by_status
        .into_iter()
        .map(|(status, codes)| {
            (
                status.to_string(),
                json!({
                    "description": format!("A Connect error: {}.", codes.join(", ")),
                    "content": { "application/json": { "schema": error.clone() } },
                }),
            )
        })
        .collect()
}

fn error_codes() -> impl Iterator<Item = Code> {
    (1..=16).map(Code::from_i32)
}

/// The Connect error JSON (connectrpc.com/docs/protocol), with this API's details.
fn error_schema() -> Value {
    let codes: Vec<&str> = error_codes().map(|c| connect_code(c).0).collect();
    let statuses: Vec<String> = error_codes()
        .map(|c| {
            let (name, status) = connect_code(c);
            format!("{name} {}", status.as_u16())
        })
        .collect();
    json!({
        "type": "object",
        "description": format!(
            "An error: the gRPC code's name and the HTTP status it is answered with ({}). Every error carries a google.rpc.ErrorInfo (domain `uppsikt`, an UPPER_SNAKE reason); an invalid argument a google.rpc.BadRequest naming the field.",
            statuses.join(", ")
        ),
        "required": ["code"],
        "properties": {
            "code": { "type": "string", "enum": codes },
            "message": { "type": "string", "description": "What went wrong, in English." },
            "details": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": { "type": "string", "description": "The detail's message type, e.g. google.rpc.BadRequest." },
                        "value": { "type": "string", "description": "The detail message, base64 (unpadded)." },
                        "debug": { "type": "object", "description": "The detail in JSON: ErrorInfo's reason, domain and metadata; BadRequest's fieldViolations." },
                    },
                },
            },
        },
    })
}

/// `GET /openapi.json[?version=2.0]`.
pub(crate) fn response(uri: &http::Uri, headers: &HeaderMap) -> Response<Body> {
    let version = match uri.query().unwrap_or("") {
        q if q.split('&').any(|p| p == "version=2.0") => Version::Swagger2,
        _ => Version::OpenApi31,
    };
    let document = document(version, &Server::from_request(uri, headers));
    let bytes = serde_json::to_vec(&document).unwrap_or_default();
    let mut response = Response::new(Body::new(Full::new(Bytes::from(bytes))));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests;
