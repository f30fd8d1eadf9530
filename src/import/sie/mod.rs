//! SIE 4 (the Swedish standard for ledger exports) into budget lines: `#PSALDO` period
//! balances become actual, `#PBUDGET` period budgets budget, summed per org unit, category,
//! year and month through a mapping (docs/sie4-import.md). The file is read as a stream of
//! bytes; every problem names its line and field, and a file with any problem gives no
//! records at all.

mod amount;
mod checksum;
pub mod encoding;
mod fields;
mod lexer;
pub mod mapping;
mod output;
mod reader;
mod sums;

pub use encoding::Encoding;
pub use mapping::Mapping;
pub use reader::SieReader;

use super::error::ImportError;
use super::record::Entry;
use chrono::NaiveDate;
use tokio::io::AsyncReadExt;

/// Bytes read from a file at a time.
const CHUNK: usize = 256 * 1024;

/// What a SIE file holds, once read: its budget lines and what it says about itself.
#[derive(Debug)]
pub struct SieFile {
    /// The budget lines, in order of unit, category, month and scenario.
    pub lines: Vec<Entry>,
    /// `#PROGRAM`: the program and version that wrote the file.
    pub program: Option<String>,
    /// `#GEN`: the day the file was written.
    pub generated: Option<NaiveDate>,
    /// `#FNAMN`: the company (here: the region) whose ledger it is.
    pub company: Option<String>,
    /// The encoding the file was read in.
    pub encoding: Encoding,
    pub stats: SieStats,
}

impl SieFile {
    /// The system the import came from, for the import log: the program, when and for whom
    /// the file was written.
    pub fn system(&self) -> String {
        let mut system = match &self.program {
            Some(program) => format!("SIE 4 från {program}"),
            None => "SIE 4".to_owned(),
        };
        if let Some(day) = self.generated {
            system.push_str(&format!(", genererad {day}"));
        }
        if let Some(company) = &self.company {
            system.push_str(&format!(", {company}"));
        }
        system
            .chars()
            .take(crate::domain::validation::MAX_SHORT_TEXT)
            .collect()
    }
}

/// Counts of the balances read, so that what was not summed is said, not hidden.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SieStats {
    /// `#PSALDO` records read.
    pub psaldo: u64,
    /// `#PBUDGET` records read.
    pub pbudget: u64,
    /// Balances of one cost centre, summed into budget lines.
    pub summed: u64,
    /// Account totals over every object (`{}`), checked against the cost centres' sum.
    pub totals: u64,
    /// Balances of other dimensions or of object combinations: other cuts of the same
    /// bookings, not summed again.
    pub other_objects: u64,
    /// Balances of accounts the mapping skips (e.g. the balance sheet).
    pub skipped: u64,
    /// Account totals whose part without a cost centre went to `without_object`.
    pub without_object: u64,
    /// The file was UTF-8 or Windows-1252 rather than CP437.
    pub deviating_encoding: bool,
}

/// Reads the SIE file at `path` (named `name` in locations and provenance) with `mapping`.
pub async fn read_file(
    path: &std::path::Path,
    name: &str,
    mapping: Mapping,
) -> Result<SieFile, ImportError> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| ImportError::Stream(format!("cannot read {name}: {e}")))?;
    let mut reader = SieReader::new(name, mapping);
    let mut buffer = vec![0; CHUNK];
    loop {
        let read = file
            .read(&mut buffer)
            .await
            .map_err(|e| ImportError::Stream(format!("cannot read {name}: {e}")))?;
        if read == 0 {
            break;
        }
        reader.feed(&buffer[..read]);
    }
    reader.finish().map_err(ImportError::InvalidRecords)
}

/// A file name short enough for a source document (at most 255 characters: its end).
pub fn document_name(name: &str) -> String {
    let max = crate::domain::validation::MAX_SHORT_TEXT;
    let count = name.chars().count();
    name.chars().skip(count.saturating_sub(max)).collect()
}

#[cfg(test)]
mod tests;
