//! An import of a file in one of the formats `uppsikt import` and the Import RPC read: the
//! record format (docs/data-format.md), SIE 4 from a ledger with a mapping
//! (docs/sie4-import.md), or a List's CSV or XLSX export (docs/spreadsheet-import.md). The
//! file's records then go through the one write path like any others.

use super::sheets;
use crate::import::error::{ImportError, RecordViolation};
use crate::import::files::file_entries;
use crate::import::record::Entry;
use crate::import::sie::{self, Mapping, SieFile, SieReader};
use crate::import::text::TextReader;
use crate::proto::v1 as pb;
use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};
use std::collections::VecDeque;
use std::path::PathBuf;

/// The most bytes of a spreadsheet sent in chunks (it is read whole).
pub const MAX_SHEET_BYTES: usize = 512 * 1024 * 1024;

/// The field of a file's problems that are not in a record.
const FILE: &str = "file";

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Records,
    Sie4,
    Csv,
    Xlsx,
}

impl FileFormat {
    /// The format named on the command line.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "records" => Some(Self::Records),
            "sie4" => Some(Self::Sie4),
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }

    /// The format a file's name says: `.csv`, `.xlsx`, `.se`/`.si`/`.sie` (SIE), else the
    /// record format.
    pub fn of_path(path: &std::path::Path) -> Self {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("csv") => Self::Csv,
            Some("xlsx") => Self::Xlsx,
            Some("se" | "si" | "sie") => Self::Sie4,
            _ => Self::Records,
        }
    }

    fn from_proto(value: i32) -> Result<Self, ImportError> {
        match pb::FileFormat::try_from(value) {
            Ok(pb::FileFormat::Records) => Ok(Self::Records),
            Ok(pb::FileFormat::Sie4) => Ok(Self::Sie4),
            Ok(pb::FileFormat::Csv) => Ok(Self::Csv),
            Ok(pb::FileFormat::Xlsx) => Ok(Self::Xlsx),
            Ok(pb::FileFormat::Unspecified) | Err(_) => Err(invalid(
                "file.format",
                "is required: FILE_FORMAT_RECORDS, _SIE4, _CSV or _XLSX",
            )),
        }
    }
}

/// A file's records, and what the import should know of it.
pub struct FileImport {
    pub entries: BoxStream<'static, Result<Entry, ImportError>>,
    /// The system the file says it came from (a SIE file's `#PROGRAM` and `#GEN`), for the
    /// import log when the request names none.
    pub system: Option<String>,
    /// What was read but not imported, and why (e.g. the server's own columns of a sheet).
    pub notes: Vec<String>,
}

fn invalid(field: &str, description: &str) -> ImportError {
    ImportError::InvalidRequest {
        field: field.to_owned(),
        description: description.to_owned(),
    }
}

fn mapping(
    format: FileFormat,
    text: Option<&str>,
    field: &str,
) -> Result<Option<Mapping>, ImportError> {
    match (format, text) {
        (FileFormat::Sie4, Some(text)) => Mapping::parse(text)
            .map(Some)
            .map_err(|v| invalid(&v.field.replacen("mapping", field, 1), &v.description)),
        (FileFormat::Sie4, None) => Err(invalid(
            field,
            "is required for SIE 4 (docs/sie4-import.md)",
        )),
        (_, Some(_)) => Err(invalid(field, "is only for SIE 4 files")),
        (_, None) => Ok(None),
    }
}

/// The records of files on disk, all of one format (`format`, or what their names say); a
/// SIE file comes alone, with the text of its mapping.
pub async fn from_paths(
    paths: Vec<PathBuf>,
    format: Option<FileFormat>,
    mapping_text: Option<&str>,
) -> Result<FileImport, ImportError> {
    let formats: Vec<FileFormat> = paths
        .iter()
        .map(|p| format.unwrap_or_else(|| FileFormat::of_path(p)))
        .collect();
    let Some(&first) = formats.first() else {
        return Err(invalid(FILE, "no file to import"));
    };
    if formats.iter().any(|f| *f != first) {
        return Err(invalid(
            FILE,
            "the files are of different formats: import each format on its own",
        ));
    }
    let mapping = mapping(first, mapping_text, "mapping")?;
    let name = |path: &PathBuf| path.display().to_string();
    let mut notes = Vec::new();
    let entries = match (first, mapping) {
        (FileFormat::Records, _) => file_entries(paths).boxed(),
        (FileFormat::Sie4, Some(mapping)) => {
            let [path] = paths.as_slice() else {
                return Err(invalid(FILE, "a SIE 4 import reads one file"));
            };
            let file = sie::read_file(path, &sie::document_name(&name(path)), mapping).await?;
            return Ok(sie_import(&name(path), file));
        }
        (FileFormat::Csv, _) => {
            let mut all: Vec<Box<dyn Iterator<Item = _> + Send>> = Vec::new();
            for path in &paths {
                let file = std::fs::File::open(path)
                    .map_err(|e| ImportError::Stream(format!("cannot read {}: {e}", name(path))))?;
                all.push(sheets::csv::entries(
                    std::io::BufReader::new(file),
                    &name(path),
                    0,
                    &mut notes,
                )?);
            }
            stream::iter(all.into_iter().flatten()).boxed()
        }
        (FileFormat::Xlsx, _) => {
            let mut all = Vec::new();
            for path in &paths {
                let bytes = tokio::fs::read(path)
                    .await
                    .map_err(|e| ImportError::Stream(format!("cannot read {}: {e}", name(path))))?;
                all.extend(sheets::xlsx::entries(bytes, &name(path), 0, &mut notes)?);
            }
            stream::iter(all).boxed()
        }
        (FileFormat::Sie4, None) => return Err(invalid("mapping", "is required for SIE 4")),
    };
    Ok(FileImport {
        entries,
        system: None,
        notes,
    })
}

/// The records of a file sent in `chunks`, named `document`, as the header's `file` says.
pub async fn from_chunks(
    document: &str,
    file: pb::ImportFile,
    mut chunks: BoxStream<'static, Result<Bytes, ImportError>>,
) -> Result<FileImport, ImportError> {
    let format = FileFormat::from_proto(file.format)?;
    let text = (!file.mapping.is_empty()).then_some(file.mapping.as_str());
    let mapping = mapping(format, text, "file.mapping")?;
    let mut notes = Vec::new();
    let entries = match (format, mapping) {
        (FileFormat::Records, _) => records_from_chunks(document, chunks),
        (FileFormat::Sie4, Some(mapping)) => {
            let mut reader = SieReader::new(document, mapping);
            while let Some(chunk) = chunks.next().await {
                reader.feed(&chunk?);
            }
            return reader
                .finish()
                .map(|file| sie_import(document, file))
                .map_err(ImportError::InvalidRecords);
        }
        (FileFormat::Sie4, None) => return Err(invalid("file.mapping", "is required for SIE 4")),
        (FileFormat::Csv | FileFormat::Xlsx, _) => {
            let mut bytes = Vec::new();
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk?;
                if bytes.len() + chunk.len() > MAX_SHEET_BYTES {
                    return Err(invalid(
                        "chunk",
                        &format!("the file is larger than {MAX_SHEET_BYTES} bytes: split it"),
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            if format == FileFormat::Csv {
                let rows =
                    sheets::csv::entries(std::io::Cursor::new(bytes), document, 0, &mut notes)?;
                stream::iter(rows).boxed()
            } else {
                stream::iter(sheets::xlsx::entries(bytes, document, 0, &mut notes)?).boxed()
            }
        }
    };
    Ok(FileImport {
        entries,
        system: None,
        notes,
    })
}

/// A read SIE file as an import: its budget lines, its program as the system, and a note
/// of what was read.
fn sie_import(name: &str, file: SieFile) -> FileImport {
    let s = &file.stats;
    let note = format!(
        "{name}: {} #PSALDO and {} #PBUDGET read ({}): {} cost-centre balances summed into {} budget \
         lines; {} account totals checked ({} with bookings without a cost centre); not \
         summed again: {} balances of other dimensions or object combinations; skipped by the \
         mapping: {} balances",
        s.psaldo,
        s.pbudget,
        file.encoding.name(),
        s.summed,
        file.lines.len(),
        s.totals,
        s.without_object,
        s.other_objects,
        s.skipped,
    );
    FileImport {
        system: Some(file.system()),
        notes: vec![note],
        entries: stream::iter(file.lines.into_iter().map(Ok)).boxed(),
    }
}

/// The record format sent in chunks, read line by line as the chunks arrive.
fn records_from_chunks(
    document: &str,
    chunks: BoxStream<'static, Result<Bytes, ImportError>>,
) -> BoxStream<'static, Result<Entry, ImportError>> {
    struct State {
        chunks: BoxStream<'static, Result<Bytes, ImportError>>,
        partial: Vec<u8>,
        reader: TextReader,
        number: usize,
        ready: VecDeque<Result<Entry, ImportError>>,
        done: bool,
        document: String,
    }
    impl State {
        fn line(&mut self, bytes: &[u8]) {
            self.number += 1;
            let parsed = match std::str::from_utf8(bytes) {
                Ok(line) => self.reader.line(self.number, line.trim_end_matches('\r')),
                Err(_) => Err(vec![RecordViolation {
                    position: self.reader.position(),
                    location: Some(format!("{}:{}", self.document, self.number)),
                    field: "line".to_owned(),
                    description: "is not UTF-8 text".to_owned(),
                }]),
            };
            match parsed {
                Ok(None) => {}
                Ok(Some(entry)) => self.ready.push_back(Ok(entry)),
                Err(violations) => self
                    .ready
                    .push_back(Err(ImportError::InvalidRecords(violations))),
            }
        }
    }
    let state = State {
        chunks,
        partial: Vec::new(),
        reader: TextReader::new(document, 0),
        number: 0,
        ready: VecDeque::new(),
        done: false,
        document: document.to_owned(),
    };
    stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.ready.pop_front() {
                return Some((item, state));
            }
            if state.done {
                return None;
            }
            match state.chunks.next().await {
                Some(Ok(chunk)) => {
                    let mut rest: &[u8] = &chunk;
                    while let Some(end) = rest.iter().position(|&b| b == b'\n') {
                        let mut line = std::mem::take(&mut state.partial);
                        line.extend_from_slice(&rest[..end]);
                        state.line(&line);
                        rest = &rest[end + 1..];
                    }
                    state.partial.extend_from_slice(rest);
                }
                Some(Err(error)) => {
                    state.done = true;
                    return Some((Err(error), state));
                }
                None => {
                    state.done = true;
                    if !state.partial.is_empty() {
                        let line = std::mem::take(&mut state.partial);
                        state.line(&line);
                    }
                }
            }
        }
    })
    .boxed()
}
