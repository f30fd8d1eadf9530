//! A List's CSV export, edited or not, read back: comma-separated as the export writes it
//! (or semicolon-separated, as a spreadsheet in a Swedish locale saves it), UTF-8.

use super::table::TableReader;
use crate::domain::provenance::Source;
use crate::import::error::{ImportError, RecordViolation};
use crate::import::record::Entry;
use std::io::Read;

/// The entries of a CSV file named `file`; `notes` says which columns were not imported.
pub fn entries<R: Read + Send + 'static>(
    mut input: R,
    file: &str,
    start: usize,
    notes: &mut Vec<String>,
) -> Result<Box<dyn Iterator<Item = Result<Entry, ImportError>> + Send>, ImportError> {
    // The first line decides the separator; it is read here and put back in front.
    let mut first = Vec::new();
    let mut byte = [0_u8; 1];
    while input.read(&mut byte).map_err(|e| read_error(file, &e))? == 1 {
        first.push(byte[0]);
        if byte[0] == b'\n' {
            break;
        }
    }
    let commas = first.iter().filter(|&&b| b == b',').count();
    let semicolons = first.iter().filter(|&&b| b == b';').count();
    let delimiter = if semicolons > commas { b';' } else { b',' };
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(std::io::Cursor::new(first).chain(input));
    let invalid = |field: &str, line: u64, description: String| {
        ImportError::InvalidRecords(vec![RecordViolation {
            position: start,
            location: Some(format!("{file}:{line}")),
            field: field.to_owned(),
            description,
        }])
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| invalid("header", 1, cell_error(&e)))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    let source = Source {
        document: file.to_owned(),
        table: None,
    };
    let mut table = TableReader::new(file.to_owned(), None, header, 1, source, start)
        .map_err(|v| ImportError::InvalidRecords(vec![v]))?;
    table_source(&mut table);
    notes.push(server_columns_note(file, &table));
    let file = file.to_owned();
    let rows = reader.into_records().flat_map(move |row| {
        let results: Vec<Result<Entry, ImportError>> = match row {
            Ok(row) => {
                let line = row.position().map_or(0, |p| p.line()) as usize;
                let cells: Vec<String> = row.iter().map(str::to_owned).collect();
                match table.row(line, &cells) {
                    Ok(entries) => entries.into_iter().map(Ok).collect(),
                    Err(violations) => vec![Err(ImportError::InvalidRecords(violations))],
                }
            }
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                vec![Err(ImportError::InvalidRecords(vec![RecordViolation {
                    position: table.position(),
                    location: Some(format!("{file}:{line}")),
                    field: "row".to_owned(),
                    description: cell_error(&error),
                }]))]
            }
        };
        results
    });
    Ok(Box::new(rows))
}

/// Records of a CSV file name the List as their source table.
fn table_source(table: &mut TableReader) {
    let list = table.list().to_owned();
    table.set_table(list);
}

/// Which of the table's columns are the server's and were therefore not imported.
pub fn server_columns_note(name: &str, table: &TableReader) -> String {
    let columns = table.server_columns();
    if columns.is_empty() {
        format!("{name}: rows of {}, every column imported", table.list())
    } else {
        format!(
            "{name}: rows of {}; not imported (the server's own columns): {}",
            table.list(),
            columns.join(", ")
        )
    }
}

fn cell_error(error: &::csv::Error) -> String {
    match error.kind() {
        ::csv::ErrorKind::Utf8 { .. } => {
            "is not UTF-8 text: save the sheet as CSV UTF-8".to_owned()
        }
        _ => error.to_string(),
    }
}

fn read_error(file: &str, error: &std::io::Error) -> ImportError {
    ImportError::Stream(format!("cannot read {file}: {error}"))
}
