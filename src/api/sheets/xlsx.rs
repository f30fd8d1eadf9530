//! A workbook (XLSX, read with calamine) whose sheets each hold one List's rows with the
//! export's columns: the sheet's name or header says which List. Each cell is read back as
//! the text the CSV export writes for it, so both go through the same table reader.

use super::csv::server_columns_note;
use super::table::TableReader;
use crate::domain::provenance::Source;
use crate::import::error::{ImportError, RecordViolation};
use crate::import::record::Entry;
use calamine::{Data, Reader, Xlsx};

/// The entries of the workbook `bytes`, named `file`, sheet by sheet; empty sheets are
/// left out. `notes` says which columns were not imported.
pub fn entries(
    bytes: Vec<u8>,
    file: &str,
    start: usize,
    notes: &mut Vec<String>,
) -> Result<Vec<Result<Entry, ImportError>>, ImportError> {
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        ImportError::InvalidRecords(vec![RecordViolation {
            position: start,
            location: Some(file.to_owned()),
            field: "file".to_owned(),
            description: format!("is not an XLSX workbook: {e}"),
        }])
    })?;
    let mut results = Vec::new();
    let mut position = start;
    for (sheet, range) in workbook.worksheets() {
        let base = format!("{file}#{sheet}");
        let first_row = range.start().map_or(0, |(row, _)| row as usize);
        let mut rows = range.rows().enumerate();
        let Some((_, header)) = rows.next() else {
            continue;
        };
        let invalid = |row: usize, field: String, description: String| {
            ImportError::InvalidRecords(vec![RecordViolation {
                position,
                location: Some(format!("{base}:{}", first_row + row + 1)),
                field,
                description,
            }])
        };
        let header: Vec<String> = match header.iter().map(text).collect() {
            Ok(header) => header,
            Err(description) => return Err(invalid(0, "header".to_owned(), description)),
        };
        let source = Source {
            document: file.to_owned(),
            table: Some(sheet.clone()),
        };
        let mut table = TableReader::new(
            base.clone(),
            Some(&sheet),
            header.clone(),
            first_row + 1,
            source,
            position,
        )
        .map_err(|v| ImportError::InvalidRecords(vec![v]))?;
        notes.push(server_columns_note(&base, &table));
        for (i, row) in rows {
            let line = first_row + i + 1;
            let mut cells = Vec::with_capacity(header.len());
            let mut problems = Vec::new();
            for (column, cell) in header.iter().zip(row.iter()) {
                match text(cell) {
                    Ok(value) => cells.push(value),
                    Err(description) => problems.push(RecordViolation {
                        position: table.position(),
                        location: Some(format!("{base}:{line}")),
                        field: column.clone(),
                        description,
                    }),
                }
            }
            // A row narrower than the header (trailing empty cells) is padded.
            cells.resize(header.len(), String::new());
            if !problems.is_empty() {
                results.push(Err(ImportError::InvalidRecords(problems)));
                continue;
            }
            if cells.iter().all(String::is_empty) {
                continue;
            }
            match table.row(line, &cells) {
                Ok(entries) => results.extend(entries.into_iter().map(Ok)),
                Err(violations) => results.push(Err(ImportError::InvalidRecords(violations))),
            }
        }
        position = table.position();
    }
    Ok(results)
}

/// A cell as the CSV export's text: numbers as written (whole numbers without a decimal
/// point), booleans `true`/`false`, dates ISO 8601.
fn text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
            format!("{}", *f as i64)
        }
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(moment) => match moment.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.date().to_string(),
            Some(at) => at
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            None => return Err(format!("{moment} is not a date")),
        },
        Data::Error(error) => return Err(format!("the cell holds the error {error}")),
    })
}
