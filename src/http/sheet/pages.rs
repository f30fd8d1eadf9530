//! Every row of a List, page after page: `next_page_token` (or a feed's `next_cursor`) is
//! followed until the last page, one in-process gRPC call per page, each page's rows handed
//! on before the next is asked for, so a writer holds at most one page.

use super::record::{self, Naming};
use super::table::{Row, Table};
use crate::http::connect_error::gateway_status;
use crate::http::grpc_call::{self, CallContext};
use crate::http::methods::Method;
use http::{Request, Response};
use prost::Message;
use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, ReflectMessage, Value,
};
use tonic::body::Body;
use tonic::{Code, Status};
use tower::Service;

/// Rows requested per page.
const PAGE_SIZE: i32 = 1000;

/// The repeated message field holding a List's rows.
pub fn rows_field(output: &MessageDescriptor) -> Option<FieldDescriptor> {
    output
        .fields()
        .find(|f| f.is_list() && matches!(f.kind(), Kind::Message(_)))
}

/// The table of a List's rows: its records by dotted names, named after the rows' field.
pub fn table(method: &Method) -> Result<(Table, FieldDescriptor, MessageDescriptor), Status> {
    let (Some(field), true) = (rows_field(&method.output), method.is_list()) else {
        return Err(gateway_status(
            Code::Unimplemented,
            "NO_ROWS",
            format!("{} has no rows to write as a table", method.path),
        ));
    };
    let Kind::Message(element) = field.kind() else {
        unreachable!("rows_field returns message fields")
    };
    let mut header = Vec::new();
    record::record(&element, None, "", Naming::Dotted, 0, &mut header);
    Ok((Table::new(field.name(), header), field, element))
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

/// The pages of one List call.
pub struct Pages<S> {
    service: S,
    method: &'static Method,
    request: DynamicMessage,
    continuation: Option<Continuation>,
    context: CallContext,
    pub table: Table,
    field: FieldDescriptor,
    element: MessageDescriptor,
    /// The page token or cursor of the next page; `None` after the last.
    next: Option<String>,
    started: bool,
}

impl<S, E> Pages<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Clone + Send + 'static,
    S::Future: Send,
    E: Into<tower::BoxError> + 'static,
{
    pub fn new(
        service: S,
        method: &'static Method,
        mut request: DynamicMessage,
        context: CallContext,
    ) -> Result<Self, Status> {
        let (table, field, element) = table(method)?;
        if let Some(page_size) = request.descriptor().get_field_by_name("page_size") {
            // A negative size stays, so that it gets the same error as over gRPC.
            if request
                .get_field(&page_size)
                .as_i32()
                .is_none_or(|size| size >= 0)
            {
                request.set_field(&page_size, Value::I32(PAGE_SIZE));
            }
        }
        Ok(Self {
            service,
            method,
            continuation: Continuation::of(&request.descriptor()),
            request,
            context,
            table,
            field,
            element,
            next: None,
            started: false,
        })
    }

    /// The next page's rows; `None` after the last page.
    pub async fn next_page(&mut self) -> Option<Result<Vec<Row>, Status>> {
        if self.started {
            let continuation = self.continuation.as_ref()?;
            let next = self.next.take()?;
            self.request
                .set_field(&continuation.request_field, Value::String(next));
        }
        self.started = true;
        let answer = grpc_call::unary(
            self.service.clone(),
            &self.method.path,
            self.request.encode_to_vec(),
            self.context.duplicate(),
        )
        .await;
        let page = match answer.and_then(|a| decode(&self.method.output, &a)) {
            Ok(page) => page,
            Err(status) => return Some(Err(status)),
        };
        let value = page.get_field(&self.field);
        let rows: Vec<Row> = value
            .as_list()
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_message)
            .map(|m| {
                let mut cells = Vec::new();
                record::record(&self.element, Some(m), "", Naming::Dotted, 0, &mut cells);
                self.table.place(cells)
            })
            .collect();
        self.next = self
            .continuation
            .as_ref()
            .and_then(|c| c.next(&page, rows.len()));
        Some(Ok(rows))
    }

    pub fn path(&self) -> &str {
        &self.method.path
    }
}

pub fn decode(descriptor: &MessageDescriptor, answer: &[u8]) -> Result<DynamicMessage, Status> {
    DynamicMessage::decode(descriptor.clone(), answer)
        .map_err(|e| Status::internal(format!("decoding the answer: {e}")))
}
