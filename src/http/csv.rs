//! Answers as CSV, derived from the message descriptors:
//! - a List: one row per element of the response's repeated message field, every page in one
//!   streamed body;
//! - a Summarize: the rows of its sections (see `walk`), with a `section` column;
//! - a Get: the resource as one row.
//!
//! A row's columns and cells are those of `crate::columns`, which the spreadsheet import
//! reads back.

use super::connect_error::gateway_status;
use super::grpc_call::{self, CallContext};
use super::methods::Method;
use crate::columns::{Cells, MAX_DEPTH, is_scalar_message, record};
use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body::Frame;
use http_body_util::{Full, StreamBody};
use prost::Message;
use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, ReflectMessage, Value,
};
use std::collections::HashMap;
use tonic::body::Body;
use tonic::{Code, Status};
use tower::Service;

/// Rows requested per page when a List is written as CSV.
const PAGE_SIZE: i32 = 1000;
/// The repeated message field holding a List's rows.
fn rows_field(output: &MessageDescriptor) -> Option<FieldDescriptor> {
    output
        .fields()
        .find(|f| f.is_list() && matches!(f.kind(), Kind::Message(_)))
}

/// A message that holds rows rather than being one: it has a repeated message field, or
/// only message fields (like a set of named totals).
fn is_container(descriptor: &MessageDescriptor) -> bool {
    let mut fields = descriptor.fields().peekable();
    if fields.peek().is_none() {
        return false;
    }
    let is_row_source = |f: &FieldDescriptor| matches!(f.kind(), Kind::Message(m) if !is_scalar_message(&m) && !f.is_map());
    descriptor
        .fields()
        .any(|f| f.is_list() && is_row_source(&f))
        || descriptor
            .fields()
            .all(|f| !f.is_list() && is_row_source(&f))
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The rows of a Summarize answer (with no message: one row per section, for the header).
///
/// The rule: every element of a repeated message field is a row, its section the field's
/// dotted path (`groups.categories`); in a message of only message fields (`totals`), each
/// field is a row (`totals.net_cost`). A row that itself holds rows (a group with its
/// categories) is not written; its other fields go onto its rows' cells, prefixed with its
/// section (`groups.org_unit`). The response's own fields echo the request and are left out.
fn walk(
    descriptor: &MessageDescriptor,
    message: Option<&DynamicMessage>,
    section: &str,
    context: &Cells,
    depth: usize,
    rows: &mut Vec<(String, Cells)>,
) {
    let only_messages = descriptor
        .fields()
        .all(|f| !f.is_list() && matches!(f.kind(), Kind::Message(_)));
    let mut context = context.clone();
    if !section.is_empty() && !only_messages {
        for field in descriptor.fields() {
            let holds_rows = matches!(field.kind(), Kind::Message(m)
                if !is_scalar_message(&m) && (field.is_list() || is_container(&m)));
            if !holds_rows {
                record_field(
                    descriptor,
                    &field,
                    message,
                    &format!("{section}."),
                    &mut context,
                );
            }
        }
    }
    for field in descriptor.fields() {
        let Kind::Message(nested) = field.kind() else {
            continue;
        };
        if is_scalar_message(&nested) || field.is_map() || depth >= MAX_DEPTH {
            continue;
        }
        let path = join(section, field.name());
        let value = message
            .filter(|m| m.has_field(&field))
            .map(|m| m.get_field(&field));
        if field.is_list() {
            let elements: Vec<Option<&DynamicMessage>> = match (&message, value.as_deref()) {
                (None, _) => vec![None],
                (Some(_), Some(Value::List(items))) => {
                    items.iter().map(|v| v.as_message()).collect()
                }
                (Some(_), _) => Vec::new(),
            };
            for element in elements {
                if is_container(&nested) {
                    walk(&nested, element, &path, &context, depth + 1, rows);
                } else {
                    let mut cells = context.clone();
                    record(&nested, element, "", depth + 1, &mut cells);
                    rows.push((path.clone(), cells));
                }
            }
        } else if is_container(&nested) {
            let inner = value.as_deref().and_then(Value::as_message);
            if message.is_none() || inner.is_some() {
                walk(&nested, inner, &path, &context, depth + 1, rows);
            }
        } else if only_messages {
            let inner = value.as_deref().and_then(Value::as_message);
            if message.is_none() || inner.is_some() {
                let mut cells = context.clone();
                record(&nested, inner, "", depth + 1, &mut cells);
                rows.push((path, cells));
            }
        }
    }
}

/// The cells of one field of a record, as `record` writes them.
fn record_field(
    descriptor: &MessageDescriptor,
    field: &FieldDescriptor,
    message: Option<&DynamicMessage>,
    prefix: &str,
    cells: &mut Cells,
) {
    // Reuse `record` on a one-field view by filtering its output by the field's prefix.
    let mut all = Cells::new();
    record(descriptor, message, prefix, 0, &mut all);
    let own = format!("{prefix}{}", field.name());
    cells.extend(
        all.into_iter()
            .filter(|(name, _)| name == &own || name.starts_with(&format!("{own}."))),
    );
}

/// Writes rows under a header, columns in order of first appearance.
struct Table {
    columns: Vec<String>,
    index: HashMap<String, usize>,
}

impl Table {
    fn new(names: impl IntoIterator<Item = String>) -> Self {
        let mut table = Self {
            columns: Vec::new(),
            index: HashMap::new(),
        };
        for name in names {
            if !table.index.contains_key(&name) {
                table.index.insert(name.clone(), table.columns.len());
                table.columns.push(name);
            }
        }
        table
    }

    fn header(&self) -> Vec<u8> {
        write_records(std::iter::once(self.columns.clone()))
    }

    fn rows(&self, rows: impl IntoIterator<Item = Cells>) -> Vec<u8> {
        write_records(rows.into_iter().map(|cells| {
            let mut record = vec![String::new(); self.columns.len()];
            for (name, value) in cells {
                if let Some(&i) = self.index.get(&name) {
                    record[i] = value;
                }
            }
            record
        }))
    }
}

fn write_records(records: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for record in records {
        // Writing into memory cannot fail.
        let _ = writer.write_record(&record);
    }
    writer.into_inner().unwrap_or_default()
}

fn csv_response(body: Body, file: &str) -> Response<Body> {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8; header=present"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{file}.csv\"")) {
        headers.insert(http::header::CONTENT_DISPOSITION, value);
    }
    response
}

fn decode(descriptor: &MessageDescriptor, answer: &[u8]) -> Result<DynamicMessage, Status> {
    DynamicMessage::decode(descriptor.clone(), answer)
        .map_err(|e| Status::internal(format!("decoding the answer: {e}")))
}

/// A Summarize as its section rows, a Get as one row.
pub fn single(method: &Method, answer: &[u8]) -> Result<Response<Body>, Status> {
    let message = decode(&method.output, answer)?;
    let (table, rows) = if is_container(&method.output) {
        let mut header = Vec::new();
        walk(&method.output, None, "", &Cells::new(), 0, &mut header);
        let mut rows = Vec::new();
        walk(
            &method.output,
            Some(&message),
            "",
            &Cells::new(),
            0,
            &mut rows,
        );
        let names = std::iter::once("section".to_owned()).chain(
            header
                .into_iter()
                .flat_map(|(_, cells)| cells.into_iter().map(|(n, _)| n)),
        );
        let rows: Vec<Cells> = rows
            .into_iter()
            .map(|(section, mut cells)| {
                cells.insert(0, ("section".to_owned(), section));
                cells
            })
            .collect();
        (Table::new(names), rows)
    } else {
        let mut header = Cells::new();
        record(&method.output, None, "", 0, &mut header);
        let mut cells = Cells::new();
        record(&method.output, Some(&message), "", 0, &mut cells);
        (Table::new(header.into_iter().map(|(n, _)| n)), vec![cells])
    };
    let mut bytes = table.header();
    bytes.extend(table.rows(rows));
    Ok(csv_response(
        Body::new(Full::new(Bytes::from(bytes))),
        &method.name,
    ))
}

/// How a List asks for the page after this one: which request field to set from which
/// field of the answer. A paged list (`page_token` from `next_page_token`) ends at an empty
/// token; a feed (`after` from `next_cursor`, a cursor that is never empty) ends at a page
/// without rows.
struct Continuation {
    request_field: FieldDescriptor,
    answer_field: &'static str,
    feed: bool,
}

impl Continuation {
    fn of(request: &MessageDescriptor) -> Option<Self> {
        let (request_field, answer_field, feed) = match request.get_field_by_name("page_token") {
            Some(field) => (field, "next_page_token", false),
            None => (request.get_field_by_name("after")?, "next_cursor", true),
        };
        Some(Self {
            request_field,
            answer_field,
            feed,
        })
    }

    /// What to ask for after `page`, which held `rows` rows; `None` after the last page.
    fn next(&self, page: &DynamicMessage, rows: usize) -> Option<String> {
        if self.feed && rows == 0 {
            return None;
        }
        page.get_field_by_name(self.answer_field)
            .and_then(|v| v.as_str().map(str::to_owned))
            .filter(|next| !next.is_empty())
    }
}

/// The rows of one List page and what to ask for next (`None`: this was the last page).
fn page_rows(
    table: &Table,
    field: &FieldDescriptor,
    element: &MessageDescriptor,
    continuation: Option<&Continuation>,
    page: &DynamicMessage,
) -> (Vec<u8>, Option<String>) {
    let value = page.get_field(field);
    let messages = value.as_list().unwrap_or_default();
    let rows: Vec<Cells> = messages
        .iter()
        .filter_map(Value::as_message)
        .map(|m| {
            let mut cells = Cells::new();
            record(element, Some(m), "", 0, &mut cells);
            cells
        })
        .collect();
    let next = continuation.and_then(|c| c.next(page, rows.len()));
    (table.rows(rows), next)
}

/// Every row of a List, following `next_page_token` (or a feed's `next_cursor`) through
/// every page, as one CSV body.
/// The first page is read before answering, so that a bad request gets its error; a later
/// page that fails ends the body with an error (the client sees a broken transfer, not a
/// silently short table).
pub async fn list<S, E>(
    service: S,
    method: &'static Method,
    mut request: DynamicMessage,
    context: CallContext,
) -> Result<Response<Body>, Status>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Clone + Send + 'static,
    S::Future: Send,
    E: Into<tower::BoxError> + 'static,
{
    let (Some(field), true) = (rows_field(&method.output), method.is_list()) else {
        return Err(gateway_status(
            Code::Unimplemented,
            "NO_ROWS",
            format!("{} has no rows to write as CSV", method.path),
        ));
    };
    let Kind::Message(element) = field.kind() else {
        unreachable!("rows_field returns message fields")
    };
    let pages_field = request.descriptor().get_field_by_name("page_size");
    if let Some(page_size) = &pages_field {
        // A negative size stays, so that it gets the same error as over gRPC.
        if request
            .get_field(page_size)
            .as_i32()
            .is_none_or(|size| size >= 0)
        {
            request.set_field(page_size, Value::I32(PAGE_SIZE));
        }
    }
    let continuation = Continuation::of(&request.descriptor());
    let mut header = Cells::new();
    record(&element, None, "", 0, &mut header);
    let table = Table::new(header.into_iter().map(|(n, _)| n));

    let first = grpc_call::unary(
        service.clone(),
        &method.path,
        request.encode_to_vec(),
        context.duplicate(),
    )
    .await?;
    let first = decode(&method.output, &first)?;
    let (rows, next_request) = page_rows(&table, &field, &element, continuation.as_ref(), &first);
    let mut start = table.header();
    start.extend(rows);

    let state = Pager {
        service,
        method,
        request,
        continuation,
        context,
        table,
        field,
        element,
        next: Some(Ok(Bytes::from(start))),
        next_request,
        failed: false,
    };
    // Each page is sent before the next is asked for: at most one page is held in memory.
    let stream = futures::stream::unfold(state, |mut pager| async move {
        let chunk = match pager.next.take() {
            Some(first) => first,
            None if pager.failed => return None,
            None => pager.fetch().await?,
        };
        pager.failed = chunk.is_err();
        Some((chunk.map(Frame::data), pager))
    });
    Ok(csv_response(
        Body::new(StreamBody::new(stream)),
        &method.name,
    ))
}

/// The state of a streamed List: the first chunk and what to ask for next.
struct Pager<S> {
    service: S,
    method: &'static Method,
    request: DynamicMessage,
    continuation: Option<Continuation>,
    context: CallContext,
    table: Table,
    field: FieldDescriptor,
    element: MessageDescriptor,
    /// The first page's chunk, read before answering.
    next: Option<Result<Bytes, Status>>,
    /// The page token or cursor of the next page; `None` after the last.
    next_request: Option<String>,
    /// A page failed: the body ended with its error.
    failed: bool,
}

impl<S, E> Pager<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Clone + Send + 'static,
    S::Future: Send,
    E: Into<tower::BoxError> + 'static,
{
    /// The next page's rows; `None` after the last page.
    async fn fetch(&mut self) -> Option<Result<Bytes, Status>> {
        let continuation = self.continuation.as_ref()?;
        let next = self.next_request.take()?;
        self.request
            .set_field(&continuation.request_field, Value::String(next));
        let answer = grpc_call::unary(
            self.service.clone(),
            &self.method.path,
            self.request.encode_to_vec(),
            self.context.duplicate(),
        )
        .await;
        let page = match answer.and_then(|a| decode(&self.method.output, &a)) {
            Ok(page) => page,
            Err(status) => {
                tracing::warn!(path = %self.method.path, %status, "a later CSV page failed; the body ends with an error");
                return Some(Err(status));
            }
        };
        let (rows, next) = page_rows(
            &self.table,
            &self.field,
            &self.element,
            Some(continuation),
            &page,
        );
        self.next_request = next;
        Some(Ok(Bytes::from(rows)))
    }
}
