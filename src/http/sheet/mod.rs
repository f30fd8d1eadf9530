//! Reads as spreadsheets: `GET` of any Get, List or Summarize with `format=csv` or
//! `format=xlsx` (or `Accept: text/csv` / the XLSX media type). One flattening of the
//! answer into typed tables (`record`, `summary`, `table`), written by two writers (`csv`,
//! `xlsx`):
//! - a Get: one table, one row;
//! - a List: one table, a row per element, every page (`pages`);
//! - a Summarize: its tables (see `summary`); the CSV is one of them (`table=`, default the
//!   first), the workbook has them all as worksheets (or the one asked for).
//!
//! Both are attachments named after the method and its main filters (`filename`).

mod cell;
pub mod columns;
mod csv;
mod filename;
mod pages;
mod record;
mod summary;
mod table;
mod xlsx;

pub use csv::Dialect;

use super::connect_error::invalid_field;
use super::grpc_call::{self, CallContext};
use super::methods::Method;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body::Frame;
use http_body_util::{Full, StreamBody};
use prost::Message;
use prost_reflect::DynamicMessage;
use record::Naming;
use table::{Row, Table};
use tonic::Status;
use tonic::body::Body;
use tower::Service;

/// The XLSX media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The CSV media type as answered.
pub const CSV: &str = "text/csv; charset=utf-8; header=present";

/// Query parameters that steer a spreadsheet answer.
pub const PARAMETERS: &[&str] = &["format", "dialect", "table"];

/// How a GET read is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Json,
    Sheet(Sheet),
}

/// A spreadsheet answer: CSV in a dialect or XLSX, and the table asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub csv: Option<Dialect>,
    pub table: Option<String>,
}

/// The format from `format`, `dialect` and `table`, else from `Accept`.
pub fn negotiate(headers: &HeaderMap, pairs: &[(String, String)]) -> Result<Format, Status> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let accepts = |media: &str| {
        headers
            .get_all(http::header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|t| t.trim().starts_with(media)))
    };
    let format = match value("format") {
        Some(name @ ("json" | "csv" | "xlsx")) => name,
        Some(other) => {
            return Err(invalid_field(
                "format",
                format!("{other:?} is not a format: json, csv or xlsx"),
            ));
        }
        None if accepts("text/csv") => "csv",
        None if accepts(XLSX) => "xlsx",
        None => "json",
    };
    let dialect = match (value("dialect"), format) {
        (None, _) => Dialect::Rfc4180,
        (Some(name), "csv") => Dialect::parse(name).ok_or_else(|| {
            invalid_field(
                "dialect",
                format!("{name:?} is not a dialect: rfc4180 or excel"),
            )
        })?,
        (Some(_), _) => return Err(invalid_field("dialect", "is only for format=csv")),
    };
    let table = value("table").map(str::to_owned);
    Ok(match format {
        "json" if table.is_some() => {
            return Err(invalid_field("table", "is only for format=csv or xlsx"));
        }
        "json" => Format::Json,
        "csv" => Format::Sheet(Sheet {
            csv: Some(dialect),
            table,
        }),
        _ => Format::Sheet(Sheet { csv: None, table }),
    })
}

/// Answers a read as a spreadsheet.
pub async fn answer<S, E>(
    service: S,
    method: &'static Method,
    request: DynamicMessage,
    context: CallContext,
    sheet: Sheet,
) -> Result<Response<Body>, Status>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Clone + Send + 'static,
    S::Future: Send,
    E: Into<tower::BoxError> + 'static,
{
    // A table that does not exist is refused before anything is read.
    if let Some(name) = &sheet.table {
        let names = table_names(method);
        if !names.contains(name) {
            return Err(invalid_field(
                "table",
                format!(
                    "{name:?} is not a table of {}: {}",
                    method.name,
                    names.join(", ")
                ),
            ));
        }
    }
    if method.is_list() {
        return list(service, method, request, context, sheet).await;
    }
    let answer = grpc_call::unary(service, &method.path, request.encode_to_vec(), context).await?;
    let message = pages::decode(&method.output, &answer)?;
    let tables = if summary::is_container(&method.output) {
        let layout = summary::Layout::of(&method.output, &method.input);
        let mut rows: Vec<Vec<Row>> = vec![Vec::new(); layout.tables.len()];
        for (index, row) in layout.rows(&method.output, &method.input, &message) {
            rows[index].push(row);
        }
        layout.tables.into_iter().zip(rows).collect()
    } else {
        let mut header = Vec::new();
        record::record(&method.output, None, "", Naming::Dotted, 0, &mut header);
        let table = Table::new(summary::snake_case(method.output.name()), header);
        let mut cells = Vec::new();
        record::record(
            &method.output,
            Some(&message),
            "",
            Naming::Dotted,
            0,
            &mut cells,
        );
        let row = table.place(cells);
        vec![(table, vec![row])]
    };
    let chosen = choose(method, tables, sheet.table.as_deref())?;
    let default_table = chosen.len() > 1 || sheet.table.is_none();
    let table_name = (!default_table).then(|| chosen[0].0.name.as_str());
    match sheet.csv {
        Some(dialect) => {
            let (table, rows) = &chosen[0];
            let mut bytes = dialect.start(table);
            bytes.extend(dialect.rows(rows));
            let disposition = filename::disposition(&method.name, &request, table_name, "csv");
            Ok(response(
                Body::new(Full::new(Bytes::from(bytes))),
                CSV,
                disposition,
            ))
        }
        None => {
            let disposition = filename::disposition(&method.name, &request, table_name, "xlsx");
            let book = tokio::task::spawn_blocking(move || {
                let mut book = xlsx::Book::new();
                for (table, rows) in &chosen {
                    let index = book.add(table)?;
                    book.append(index, table, rows)?;
                }
                Ok::<_, Status>(book)
            })
            .await
            .map_err(|e| Status::internal(format!("writing the workbook: {e}")))??;
            Ok(response(book.into_body(), XLSX, disposition))
        }
    }
}

/// The tables to write: the one named, else every one for a workbook and the first for CSV.
fn choose(
    method: &Method,
    tables: Vec<(Table, Vec<Row>)>,
    name: Option<&str>,
) -> Result<Vec<(Table, Vec<Row>)>, Status> {
    let Some(name) = name else {
        return Ok(tables);
    };
    let chosen: Vec<_> = tables.into_iter().filter(|(t, _)| t.name == name).collect();
    if chosen.is_empty() {
        return Err(Status::internal(format!(
            "{} has no table {name}",
            method.name
        )));
    }
    Ok(chosen)
}

/// Every row of a List: CSV streamed page by page; XLSX written page by page to its
/// worksheet, the workbook sent after the last.
/// The first page is read before answering, so that a bad request gets its error. A later
/// page that fails ends the body with an error (a broken transfer, not a silently short
/// table).
async fn list<S, E>(
    service: S,
    method: &'static Method,
    request: DynamicMessage,
    context: CallContext,
    sheet: Sheet,
) -> Result<Response<Body>, Status>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = E> + Clone + Send + 'static,
    S::Future: Send,
    E: Into<tower::BoxError> + 'static,
{
    let mut pages = pages::Pages::new(service, method, request.clone(), context)?;
    let table_name = sheet.table.as_deref();
    let first = pages.next_page().await.unwrap_or_else(|| Ok(Vec::new()))?;
    match sheet.csv {
        Some(dialect) => {
            let mut start = dialect.start(&pages.table);
            start.extend(dialect.rows(&first));
            let disposition = filename::disposition(&method.name, &request, table_name, "csv");
            let state = (pages, Some(Bytes::from(start)), false);
            // Each page is sent before the next is asked for.
            let stream = futures::stream::unfold(
                state,
                move |(mut pages, first, failed)| async move {
                    if let Some(first) = first {
                        return Some((Ok(Frame::data(first)), (pages, None, false)));
                    }
                    if failed {
                        return None;
                    }
                    match pages.next_page().await? {
                        Ok(rows) => Some((
                            Ok(Frame::data(Bytes::from(dialect.rows(&rows)))),
                            (pages, None, false),
                        )),
                        Err(status) => {
                            tracing::warn!(path = %pages.path(), %status, "a later CSV page failed; the body ends with an error");
                            Some((Err(status), (pages, None, true)))
                        }
                    }
                },
            );
            Ok(response(
                Body::new(StreamBody::new(stream)),
                CSV,
                disposition,
            ))
        }
        None => {
            // The head goes out now (a long list outlasts the call's deadline); the pages are
            // written to the worksheet as they arrive, and the workbook follows the last.
            let (sender, body) = xlsx::channel_body();
            tokio::spawn(async move {
                let table = pages.table.clone();
                let written = async {
                    let mut book = xlsx::Book::new();
                    let index = book.add(&table)?;
                    let mut rows = first;
                    loop {
                        let sheet_table = table.clone();
                        book = tokio::task::spawn_blocking(move || {
                            book.append(index, &sheet_table, &rows).map(|()| book)
                        })
                        .await
                        .map_err(|e| Status::internal(format!("writing the workbook: {e}")))??;
                        if sender.is_closed() {
                            return Err(Status::cancelled("the client went away"));
                        }
                        match pages.next_page().await {
                            Some(page) => rows = page?,
                            None => return Ok(book),
                        }
                    }
                }
                .await;
                match written {
                    Ok(book) => book.save(sender),
                    Err(status) => {
                        tracing::warn!(path = %pages.path(), %status, "a later XLSX page failed; the body ends with an error");
                        let _ = sender
                            .send(Err(std::io::Error::other(status.to_string())))
                            .await;
                    }
                }
            });
            let disposition = filename::disposition(&method.name, &request, table_name, "xlsx");
            Ok(response(body, XLSX, disposition))
        }
    }
}

fn response(body: Body, content_type: &'static str, disposition: HeaderValue) -> Response<Body> {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    headers.insert(http::header::CONTENT_DISPOSITION, disposition);
    response
}

/// The names of a read's tables, for the OpenAPI description of `table`.
pub fn table_names(method: &Method) -> Vec<String> {
    if method.is_list() {
        return pages::rows_field(&method.output)
            .map(|f| vec![f.name().to_owned()])
            .unwrap_or_default();
    }
    if summary::is_container(&method.output) {
        return summary::Layout::of(&method.output, &method.input)
            .tables
            .into_iter()
            .map(|t| t.name)
            .collect();
    }
    vec![summary::snake_case(method.output.name())]
}
