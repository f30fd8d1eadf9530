//! ImportService: the Import RPC and the import log.
//!
//! The Import RPC goes through exactly the same implementation as `uppsikt import`: every
//! record is turned into the text format's `key=value` pairs and validated by
//! `import::parse::parse_record`, and the stream of entries is applied by `run_import`, in
//! one transaction. The import runs in a task of its own, so that a client that goes away
//! mid-stream ends it through a stream error and an explicit rollback, never by a future
//! dropped in the middle of a database call.
//!
//! tonic ends a request stream whose client cancelled (RST_STREAM CANCEL) as if it had ended
//! normally, which would commit the records received so far. `ImportServer` therefore watches
//! the request body itself, and the handler turns a body that failed into a stream error.

use super::caller;
use super::import_records::{record_pairs, retraction_pairs};
use super::import_stream;
use crate::domain::instant::Instant;
use crate::domain::provenance::Source;
use crate::domain::validation::Violation;
use crate::import::parse::{parse_record, parse_retraction};
use crate::import::place::Place;
use crate::import::record::Entry;
use crate::import::{
    ImportError, ImportOutcome, ImportRequest, Importer, KindCounts, RecordViolation, run_import_as,
};
use crate::proto::v1 as pb;
use crate::proto::v1::import_request::Content;
use crate::proto::v1::import_service_server::{ImportService, ImportServiceServer};
use crate::service::imports as service;
use crate::service::paging::PageRequest;
use crate::status::ApiError;
use crate::store::imports::StoredImport;
use crate::store::{Store, StoreError};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, OnceLock};
use tonic::codegen::{Context, Poll, Service, http};
use tonic::server::NamedService;
use tonic::service::AxumBody;
use tonic::{Request, Response, Status, Streaming};

/// The field that names the header in errors.
const HEADER: &str = "header";
/// The field that names a file's chunks in errors.
const CHUNK: &str = "chunk";
/// The reason of an invalid import request (as `ApiError` gives run_import's).
const INVALID_IMPORT_REQUEST: &str = "INVALID_IMPORT_REQUEST";

pub struct ImportApi {
    store: Store,
    max_records: u64,
}

impl ImportApi {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            max_records: u64::MAX,
        }
    }

    /// Refuses (RESOURCE_EXHAUSTED, nothing written) an import of more than `max` records.
    pub fn with_max_records(mut self, max: u64) -> Self {
        self.max_records = max;
        self
    }
}

/// Set when a request body failed (the client cancelled or the connection broke) before its
/// end; carried to the handler in the request's extensions.
#[derive(Clone, Default)]
struct BodyFailure(Arc<OnceLock<String>>);

impl BodyFailure {
    fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// The ImportService server with watched request bodies (see the module comment). Add this
/// to the router in place of the bare `ImportServiceServer`.
#[derive(Clone)]
pub struct ImportServer {
    inner: ImportServiceServer<ImportApi>,
}

impl ImportServer {
    pub fn new(inner: ImportServiceServer<ImportApi>) -> Self {
        Self { inner }
    }
}

impl NamedService for ImportServer {
    const NAME: &'static str = <ImportServiceServer<ImportApi> as NamedService>::NAME;
}

type BodyOf = tonic::body::Body;

impl Service<http::Request<BodyOf>> for ImportServer {
    type Response = <ImportServiceServer<ImportApi> as Service<http::Request<BodyOf>>>::Response;
    type Error = Infallible;
    type Future = <ImportServiceServer<ImportApi> as Service<http::Request<BodyOf>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Service::<http::Request<BodyOf>>::poll_ready(&mut self.inner, cx)
    }

    fn call(&mut self, request: http::Request<BodyOf>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        let failure = BodyFailure::default();
        parts.extensions.insert(failure.clone());
        let data = AxumBody::new(body)
            .into_data_stream()
            .inspect(move |chunk| {
                if let Err(error) = chunk {
                    let _ = failure.0.set(error.to_string());
                }
            });
        let body = BodyOf::new(AxumBody::from_stream(data));
        self.inner.call(http::Request::from_parts(parts, body))
    }
}

#[tonic::async_trait]
impl ImportService for ImportApi {
    async fn import(
        &self,
        request: Request<Streaming<pb::ImportRequest>>,
    ) -> Result<Response<pb::ImportResponse>, Status> {
        let principal = caller::principal(&request)?;
        let grant = principal.grant();
        let failure = request.extensions().get::<BodyFailure>().cloned();
        let mut messages = request.into_inner();
        let first = messages
            .message()
            .await
            .map_err(|status| ApiError::from(stream_error(&status)))?;
        let header = match first.and_then(|m| m.content) {
            Some(Content::Header(header)) => header,
            Some(Content::Record(_) | Content::Retract(_) | Content::Chunk(_)) | None => {
                return Err(invalid_header("is required: the first message must carry it").into());
            }
        };
        let source = header.source.unwrap_or_default();
        let mut request = ImportRequest {
            document: source.document,
            table: non_empty(source.table),
            system: non_empty(source.system),
            request_id: non_empty(header.request_id),
            dry_run: header.dry_run,
        };
        let current = Source {
            document: request.document.clone(),
            table: request.table.clone(),
        };
        let records = match header.file {
            None => entries(messages, current, failure),
            // A file's bytes in chunks (src/api/import_file.rs).
            Some(file) => {
                let file = super::import_file::from_chunks(
                    &request.document,
                    file,
                    chunks(messages, failure),
                )
                .await
                .map_err(import_error)?;
                request.system = request.system.or(file.system);
                file.entries
            }
        };
        // The record cap; what the records may touch is judged as they are applied.
        let (entries, _alive) = import_stream::bounded(records, self.max_records);
        let importer = Importer {
            name: principal.name.clone(),
            grant: grant.clone(),
        };

        let store = self.store.clone();
        // In the call's span: the import's database spans belong to the call's trace.
        let task = tokio::spawn(tracing::Instrument::in_current_span(async move {
            let result = run_import_as(&store, request, Some(&importer), entries, |read| {
                tracing::debug!(read, "import progress");
            })
            .await;
            if let Err(ImportError::Stream(reason)) = &result {
                tracing::info!(%reason, "import stream ended early: rolled back, nothing written");
            }
            result
        }));
        let outcome = task
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
            .map_err(import_error)?;
        if outcome.replayed {
            service::check_replay(&self.store, &grant, outcome.import_id).await?;
        }
        let mut reply = Response::new(response(&outcome));
        // For the metrics layer: imports and records written.
        reply.extensions_mut().insert(outcome);
        Ok(reply)
    }

    async fn list_imports(
        &self,
        request: Request<pb::ListImportsRequest>,
    ) -> Result<Response<pb::ListImportsResponse>, Status> {
        let caller = caller::grant(&request)?;
        let r = request.into_inner();
        let page = PageRequest::parse(r.page_size, &r.page_token).map_err(ApiError::from)?;
        let page = service::list(&self.store, &caller, &page).await?;
        let imports = page
            .rows
            .iter()
            .map(import_to_proto)
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiError::from)?;
        Ok(Response::new(pb::ListImportsResponse {
            imports,
            next_page_token: page.next_page_token,
        }))
    }
}

/// The records after the header as entries: each validated by `parse_record`, a bad one as
/// `InvalidRecords` (collected, the import goes on), a stream failure as `Stream` (the
/// import is rolled back), a repeated header as an invalid request. A stream that seems to
/// end but whose body failed ends with a `Stream` error too.
fn entries(
    messages: Streaming<pb::ImportRequest>,
    current: Source,
    failure: Option<BodyFailure>,
) -> BoxStream<'static, Result<Entry, ImportError>> {
    let end = ended_early(failure);
    messages
        .enumerate()
        .map(move |(position, message)| match message {
            Err(status) => Err(stream_error(&status)),
            Ok(pb::ImportRequest {
                content: Some(Content::Record(record)),
            }) => entry(position, record, &current, false),
            Ok(pb::ImportRequest {
                content:
                    Some(Content::Retract(pb::Retraction {
                        record: Some(record),
                    })),
            }) => entry(position, record, &current, true),
            Ok(pb::ImportRequest {
                content: Some(Content::Retract(pb::Retraction { record: None })),
            }) => Err(ImportError::InvalidRecords(vec![RecordViolation {
                position,
                location: None,
                field: "kind".to_owned(),
                description: "is required: a retraction names the kind and key of a record"
                    .to_owned(),
            }])),
            Ok(pb::ImportRequest {
                content: Some(Content::Chunk(_)),
            }) => Err(ImportError::InvalidRequest {
                field: CHUNK.to_owned(),
                description: "is only for a stream whose header names a file".to_owned(),
            }),
            Ok(pb::ImportRequest {
                content: Some(Content::Header(_)),
            }) => Err(ImportError::InvalidRequest {
                field: HEADER.to_owned(),
                description: format!(
                    "is repeated where records[{position}] should be: only the first message \
                     carries the header"
                ),
            }),
            Ok(pb::ImportRequest { content: None }) => {
                Err(ImportError::InvalidRecords(vec![RecordViolation {
                    position,
                    location: None,
                    field: "kind".to_owned(),
                    description: "is required: the message carries neither a header nor a record"
                        .to_owned(),
                }]))
            }
        })
        .chain(end)
        .boxed()
}

/// After the last message: a `Stream` error when the body failed before its end.
fn ended_early<T: Send + 'static>(
    failure: Option<BodyFailure>,
) -> impl futures::Stream<Item = Result<T, ImportError>> + Send {
    futures::stream::once(async move {
        failure.and_then(|f| {
            f.get().map(|reason| {
                Err(ImportError::Stream(format!(
                    "the request stream ended before its end: {reason}"
                )))
            })
        })
    })
    .filter_map(futures::future::ready)
}

/// The bytes of a file sent in `chunk` messages. Any other message is an invalid request;
/// a body that failed before its end ends the chunks with a stream error.
fn chunks(
    messages: Streaming<pb::ImportRequest>,
    failure: Option<BodyFailure>,
) -> BoxStream<'static, Result<bytes::Bytes, ImportError>> {
    let end = ended_early(failure);
    messages
        .map(|message| match message {
            Err(status) => Err(stream_error(&status)),
            Ok(pb::ImportRequest {
                content: Some(Content::Chunk(data)),
            }) => Ok(bytes::Bytes::from(data)),
            Ok(_) => Err(ImportError::InvalidRequest {
                field: CHUNK.to_owned(),
                description: "a stream whose header names a file carries only its chunks"
                    .to_owned(),
            }),
        })
        .chain(end)
        .boxed()
}

/// A record or (`retract`) a retraction, validated by the text format's parser.
fn entry(
    position: usize,
    record: pb::ImportRecord,
    current: &Source,
    retract: bool,
) -> Result<Entry, ImportError> {
    let place = |violation: Violation| RecordViolation {
        position,
        location: None,
        field: violation.field,
        description: violation.description,
    };
    let Some((kind, pairs)) = record_pairs(record) else {
        return Err(ImportError::InvalidRecords(vec![place(Violation::new(
            "kind",
            "is required: set one of the record kinds",
        ))]));
    };
    let parsed = if retract {
        parse_retraction(kind, retraction_pairs(kind, pairs), Some(current))
    } else {
        parse_record(kind, pairs.0, Some(current))
    };
    parsed
        .map(|record| Entry {
            place: Place {
                position,
                location: None,
            },
            record,
        })
        .map_err(|violations| {
            ImportError::InvalidRecords(violations.into_iter().map(place).collect())
        })
}

/// A client stream that failed (cancelled, disconnected, an undecodable message).
fn stream_error(status: &Status) -> ImportError {
    ImportError::Stream(format!("{:?}: {}", status.code(), status.message()))
}

fn invalid_header(description: &str) -> ApiError {
    ApiError::InvalidArgument {
        reason: INVALID_IMPORT_REQUEST,
        violations: vec![Violation::new(HEADER, description)],
    }
}

/// run_import names the request's fields as the CLI knows them (`source.document`,
/// `request_id`); over the API they are fields of the header.
fn import_error(error: ImportError) -> ApiError {
    match error {
        ImportError::InvalidRequest { field, description } if field != HEADER && field != CHUNK => {
            ImportError::InvalidRequest {
                field: format!("{HEADER}.{field}"),
                description,
            }
            .into()
        }
        other => other.into(),
    }
}

fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

pub(super) fn import_name(id: i64) -> String {
    format!("imports/{id}")
}

fn counts(counts: &BTreeMap<String, KindCounts>) -> Vec<pb::ImportCounts> {
    counts
        .iter()
        .map(|(kind, c)| pb::ImportCounts {
            kind: kind.clone(),
            inserted: to_i64(c.inserted),
            superseded: to_i64(c.superseded),
            unchanged: to_i64(c.unchanged),
            retracted: to_i64(c.retracted),
        })
        .collect()
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn response(outcome: &ImportOutcome) -> pb::ImportResponse {
    pb::ImportResponse {
        r#import: outcome.import_id.map(import_name).unwrap_or_default(),
        request_id: outcome.request_id.clone().unwrap_or_default(),
        dry_run: outcome.dry_run,
        replayed: outcome.replayed,
        recorded_at: Instant(outcome.recorded_at).to_rfc3339(),
        counts: counts(&outcome.counts),
        warnings: outcome
            .warnings
            .iter()
            .map(|w| pb::ImportWarning {
                position: to_i64(w.position as u64),
                location: w.location.clone().unwrap_or_default(),
                field: w.field.clone(),
                description: w.description.clone(),
            })
            .collect(),
        warning_count: to_i64(outcome.warning_count),
    }
}

fn import_to_proto(row: &StoredImport) -> Result<pb::Import, StoreError> {
    let outcome: ImportOutcome = serde_json::from_str(&row.result)
        .map_err(|e| StoreError::Corrupt(format!("import {} result: {e}", row.id)))?;
    Ok(pb::Import {
        name: import_name(row.id),
        request_id: row.request_id.clone().unwrap_or_default(),
        source: Some(pb::ImportSource {
            document: row.source_document.clone(),
            table: row.source_table.clone().unwrap_or_default(),
            system: row.source_system.clone().unwrap_or_default(),
        }),
        recorded_at: Instant(row.recorded_at).to_rfc3339(),
        counts: counts(&outcome.counts),
        warning_count: to_i64(outcome.warning_count),
        imported_by: row.imported_by.clone().unwrap_or_default(),
    })
}
