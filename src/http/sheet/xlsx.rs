//! Tables as an XLSX workbook (rust_xlsxwriter): a worksheet per table, the header in bold
//! and frozen, money and other figures as numeric cells (money with a thousands format),
//! exact decimals as numbers when the number holds them exactly, ISO dates as date cells.
//!
//! Memory stays bounded however long a List is: each worksheet is written in "constant
//! memory" mode (a row at a time to a temporary file), and the finished workbook is zipped
//! straight into the response body. The workbook's bytes can only start once its last row
//! is written (a zip is finished then); the response's head goes out before that.

use super::cell::{Cell, ColumnKind};
use super::table::{Row, Table};
use bytes::Bytes;
use http_body::Frame;
use http_body_util::StreamBody;
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use std::str::FromStr;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::body::Body;
use tonic::{Code, Status};

/// Rows a worksheet holds, the header included.
const MAX_ROWS: u32 = 1_048_576;
/// The largest integer a spreadsheet number (an IEEE 754 double) holds exactly.
const MAX_EXACT: i64 = 1 << 53;
/// Bytes of the zipped workbook sent per chunk.
const CHUNK: usize = 64 * 1024;

pub struct Book {
    workbook: Workbook,
    /// Each worksheet's next row.
    next_rows: Vec<u32>,
    money: Format,
    date: Format,
}

fn internal(error: XlsxError) -> Status {
    Status::internal(format!("writing the workbook: {error}"))
}

impl Book {
    pub fn new() -> Self {
        Self {
            workbook: Workbook::new(),
            next_rows: Vec::new(),
            money: Format::new().set_num_format("#,##0"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        }
    }

    /// Adds a worksheet for `table` with its header; returns its index.
    pub fn add(&mut self, table: &Table) -> Result<usize, Status> {
        let index = self.next_rows.len();
        let sheet = self
            .workbook
            .add_worksheet_with_constant_memory()
            .map_err(internal)?;
        sheet.set_name(sheet_name(&table.name)).map_err(internal)?;
        let bold = Format::new().set_bold();
        for (col, column) in table.columns.iter().enumerate() {
            let col = column_number(col)?;
            let width = column.name.chars().count().clamp(10, 40) as f64 + 2.0;
            sheet.set_column_width(col, width).map_err(internal)?;
            sheet
                .write_string_with_format(0, col, &column.name, &bold)
                .map_err(internal)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(internal)?;
        self.next_rows.push(1);
        Ok(index)
    }

    /// Appends rows to the worksheet at `index`.
    pub fn append(&mut self, index: usize, table: &Table, rows: &[Row]) -> Result<(), Status> {
        let first = self.next_rows[index];
        if u64::from(first) + rows.len() as u64 > u64::from(MAX_ROWS) {
            return Err(Status::new(
                Code::ResourceExhausted,
                format!(
                    "{} has more rows than a worksheet holds ({} with the header); ask for CSV or narrow the filters",
                    table.name, MAX_ROWS
                ),
            ));
        }
        let sheet = self
            .workbook
            .worksheet_from_index(index)
            .map_err(internal)?;
        for (offset, row) in rows.iter().enumerate() {
            let number = first + offset as u32;
            for (col, (cell, column)) in row.iter().zip(&table.columns).enumerate() {
                let col = column_number(col)?;
                write_cell(
                    sheet,
                    number,
                    col,
                    cell,
                    column.kind,
                    &self.money,
                    &self.date,
                )
                .map_err(internal)?;
            }
        }
        self.next_rows[index] = first + rows.len() as u32;
        Ok(())
    }

    /// The workbook as a streamed body, zipped on a blocking thread.
    pub fn into_body(self) -> Body {
        let (sender, body) = channel_body();
        self.save(sender);
        body
    }

    /// Zips the workbook into `sender` on a blocking thread.
    pub fn save(mut self, sender: Sender) {
        tokio::task::spawn_blocking(move || {
            let mut writer = ChannelWriter {
                sender: sender.clone(),
                buffer: Vec::with_capacity(CHUNK),
            };
            let saved = self
                .workbook
                .save_to_writer(&mut writer)
                .map_err(std::io::Error::other)
                .and_then(|()| writer.flush_chunk());
            if let Err(error) = saved {
                tracing::warn!(%error, "writing the workbook failed; the body ends with an error");
                let _ = sender.blocking_send(Err(error));
            }
        });
    }
}

/// Where the workbook's bytes go: the response body's end of a channel.
pub type Sender = tokio::sync::mpsc::Sender<std::io::Result<Bytes>>;

/// A body fed through the returned sender; an error sent ends it with that error.
pub fn channel_body() -> (Sender, Body) {
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    let frames = ReceiverStream::new(receiver).map(|chunk| chunk.map(Frame::data));
    (sender, Body::new(StreamBody::new(frames)))
}

fn column_number(col: usize) -> Result<u16, Status> {
    u16::try_from(col).map_err(|_| Status::internal("more columns than a worksheet holds"))
}

/// Excel's sheet names: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    name.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    kind: ColumnKind,
    money: &Format,
    date: &Format,
) -> Result<(), XlsxError> {
    let integer = |sheet: &mut rust_xlsxwriter::Worksheet, n: i64| {
        if n.abs() > MAX_EXACT {
            // Beyond a double's exact integers: text, never a rounded figure.
            sheet.write_string(row, col, n.to_string()).map(|_| ())
        } else if kind == ColumnKind::Money {
            sheet
                .write_number_with_format(row, col, n as f64, money)
                .map(|_| ())
        } else {
            sheet.write_number(row, col, n as f64).map(|_| ())
        }
    };
    match cell {
        Cell::Empty => Ok(()),
        Cell::Text(text) => sheet.write_string(row, col, text).map(|_| ()),
        Cell::Int(n) => integer(sheet, *n),
        Cell::Uint(n) => match i64::try_from(*n) {
            Ok(n) => integer(sheet, n),
            Err(_) => sheet.write_string(row, col, n.to_string()).map(|_| ()),
        },
        Cell::Float(n) if n.is_finite() => sheet.write_number(row, col, *n).map(|_| ()),
        Cell::Float(n) => sheet.write_string(row, col, n.to_string()).map(|_| ()),
        Cell::Decimal(text) => match exact_number(text) {
            Some(n) => sheet.write_number(row, col, n).map(|_| ()),
            None => sheet.write_string(row, col, text).map(|_| ()),
        },
        Cell::Date(text) => match ExcelDateTime::parse_from_str(text) {
            Ok(day) => sheet
                .write_datetime_with_format(row, col, &day, date)
                .map(|_| ()),
            Err(_) => sheet.write_string(row, col, text).map(|_| ()),
        },
        Cell::Bool(b) => sheet.write_boolean(row, col, *b).map(|_| ()),
    }
}

/// The double of a decimal text when it holds exactly the decimal's value (the spreadsheet
/// then shows the same figure); `None` otherwise, and the cell stays text.
pub fn exact_number(text: &str) -> Option<f64> {
    let decimal = Decimal::from_str(text).ok()?;
    let number: f64 = text.parse().ok()?;
    let back = Decimal::from_str(&number.to_string()).ok()?;
    (back == decimal && number.is_finite()).then_some(number)
}

/// Hands the zipped bytes to the response body in chunks.
struct ChannelWriter {
    sender: Sender,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn flush_chunk(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("the client went away"))
    }
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.flush_chunk()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_numbers_only_when_exact() {
        assert_eq!(exact_number("2875.85"), Some(2875.85));
        assert_eq!(exact_number("-30.78"), Some(-30.78));
        assert_eq!(exact_number("118.30"), Some(118.3));
        // More digits than a double holds stay text.
        assert_eq!(exact_number("12345678901234567.89"), None);
        assert_eq!(exact_number("not a number"), None);
    }
}
