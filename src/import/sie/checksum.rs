//! `#KSUMMA` (SIE 4C): an empty `#KSUMMA` opens the checksum, a `#KSUMMA value` closes it;
//! the value is the CRC-32 (ISO 3309, as zlib's) of the records between the two, each
//! counted as its label and field contents (no spaces, quotes or braces), in the file's
//! own bytes. A file that opens a checksum and never closes it was cut short. A PC8 file
//! re-saved as UTF-8 keeps its content but not its bytes: its checksum is also tried on the
//! content as CP437 bytes.

use super::encoding::utf8_as_cp437;
use super::lexer::{Field, checksum_bytes};

/// Where the checksum stands.
#[derive(Default)]
pub enum Checksum {
    /// No `#KSUMMA` yet: nothing to check.
    #[default]
    Absent,
    /// Opened on this line; the CRC of the records since then, in the file's bytes and (while
    /// every record is UTF-8 that CP437 can hold) as CP437.
    Open {
        line: usize,
        crc: crc32fast::Hasher,
        as_pc8: Option<crc32fast::Hasher>,
    },
    /// Closed on this line, and checked.
    Closed { line: usize },
}

/// A problem with the checksum: the field and what is wrong.
pub type Problem = (&'static str, String);

impl Checksum {
    /// Counts a record other than `#KSUMMA`. `Err` for a record after the closing one.
    pub fn record(
        &mut self,
        label: &str,
        fields: &[Field],
        buffer: &mut Vec<u8>,
    ) -> Result<(), Problem> {
        match self {
            Self::Absent => Ok(()),
            Self::Open { crc, as_pc8, .. } => {
                buffer.clear();
                checksum_bytes(label, fields, buffer);
                crc.update(buffer);
                if let Some(pc8) = as_pc8 {
                    if buffer.is_ascii() {
                        pc8.update(buffer);
                    } else {
                        match utf8_as_cp437(buffer) {
                            Some(bytes) => pc8.update(&bytes),
                            None => *as_pc8 = None,
                        }
                    }
                }
                Ok(())
            }
            Self::Closed { line } => Err((
                "etikett",
                format!("follows the closing #KSUMMA of line {line}: the checksum must come last"),
            )),
        }
    }

    /// A `#KSUMMA` record on `line`.
    pub fn ksumma(&mut self, line: usize, fields: &[Field]) -> Result<(), Problem> {
        match (std::mem::take(self), fields) {
            (Self::Absent, []) => {
                *self = Self::Open {
                    line,
                    crc: crc32fast::Hasher::new(),
                    as_pc8: Some(crc32fast::Hasher::new()),
                };
                Ok(())
            }
            (Self::Open { crc, as_pc8, .. }, [Field::Text(value)]) => {
                *self = Self::Closed { line };
                let computed = crc.finalize();
                let as_pc8 = as_pc8.map(crc32fast::Hasher::finalize);
                let declared = std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse::<i64>().ok())
                    .filter(|v| (-(1_i64 << 31)..(1_i64 << 32)).contains(v))
                    .ok_or_else(|| {
                        (
                            "kontrollsumma",
                            format!(
                                "{:?} is not a 32-bit checksum",
                                String::from_utf8_lossy(value)
                            ),
                        )
                    })?;
                // Writers differ in whether they print it signed or unsigned.
                let declared_crc = declared.rem_euclid(1 << 32) as u32;
                if declared_crc == computed || Some(declared_crc) == as_pc8 {
                    Ok(())
                } else {
                    Err((
                        "kontrollsumma",
                        format!(
                            "{declared} does not match the file's content (CRC-32 {computed}): \
                             the file was changed or damaged after it was written"
                        ),
                    ))
                }
            }
            (Self::Absent, _) => Err((
                "kontrollsumma",
                "closes a checksum that no empty #KSUMMA opened".to_owned(),
            )),
            (open @ Self::Open { .. }, _) => {
                *self = open;
                Err((
                    "kontrollsumma",
                    "the closing #KSUMMA holds exactly one value, the checksum".to_owned(),
                ))
            }
            (closed @ Self::Closed { .. }, _) => {
                *self = closed;
                Err((
                    "etikett",
                    "a second checksum after the closing #KSUMMA".to_owned(),
                ))
            }
        }
    }

    /// At the end of the file: `Err` when a checksum was opened and never closed.
    pub fn finish(&self) -> Result<(), Problem> {
        match self {
            Self::Open { line, .. } => Err((
                "kontrollsumma",
                format!(
                    "the #KSUMMA of line {line} is never closed: the file ends early (cut short?)"
                ),
            )),
            _ => Ok(()),
        }
    }
}
