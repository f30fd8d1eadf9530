//! The fields of SIE records: their names as the standard gives them (for errors), and
//! reading them as numbers, account numbers, dates and amounts.

use super::lexer::Field;
use super::sums::{Kind, Month};
use crate::domain::period::FIRST_YEAR;
use chrono::NaiveDate;

/// A problem with a field: its name and what is wrong.
pub type Problem = (String, String);

/// `saldo` in kronor with öre, e.g. `-1000.50`.
pub fn kronor(ore: i128) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", ore.abs() / 100, ore.abs() % 100)
}

/// Packs a balance's identity into 64 bits: kind (1), month (12), account (24), object (24,
/// 0 for the account total).
pub fn pack(kind: Kind, (year, month): Month, account: u32, object: Option<u32>) -> u64 {
    let kind = u64::from(kind == Kind::Budget);
    let month = ((year - FIRST_YEAR) as u64 * 12 + u64::from(month) - 1) & 0xFFF;
    let account = u64::from(account) & 0xFF_FFFF;
    let object = object.map_or(0, |o| u64::from(o) + 1) & 0xFF_FFFF;
    (kind << 60) | (month << 48) | (account << 24) | object
}

pub fn dimension_is(text: &[u8], dimension: u32) -> bool {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse::<u32>().ok())
        == Some(dimension)
}

/// The label at the start of a line that could not be split (for naming its fields).
pub fn label_of(line: &[u8]) -> String {
    let line = line.trim_ascii_start();
    let end = line
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(line.len());
    String::from_utf8_lossy(&line[..end]).to_ascii_uppercase()
}

/// The SIE name of field `index` of `label`, as the standard names it.
pub fn field_name(label: &str, index: usize) -> String {
    let names: &[&str] = match label {
        "#PSALDO" | "#PBUDGET" => &[
            "årsnr",
            "period",
            "konto",
            "objektlista",
            "saldo",
            "kvantitet",
        ],
        "#RAR" => &["årsnr", "start", "slut"],
        "#OBJEKT" => &["dimensionsnr", "objektnr", "objektnamn"],
        "#KONTO" => &["kontonr", "kontonamn"],
        "#DIM" => &["dimensionsnr", "namn"],
        "#PROGRAM" => &["programnamn", "version"],
        "#GEN" => &["datum", "sign"],
        "#FORMAT" => &["PC8"],
        "#SIETYP" => &["typnr"],
        "#FNAMN" => &["företagsnamn"],
        "#KSUMMA" => &["kontrollsumma"],
        _ => &[],
    };
    names
        .get(index)
        .map_or_else(|| format!("fält {}", index + 1), |n| (*n).to_owned())
}

pub fn text<'a>(label: &str, fields: &'a [Field], index: usize) -> Result<&'a [u8], Problem> {
    match fields.get(index) {
        Some(Field::Text(value)) => Ok(value),
        Some(Field::Objects(_)) => Err((
            field_name(label, index),
            "is an object list where a value belongs".to_owned(),
        )),
        None => Err((field_name(label, index), "is missing".to_owned())),
    }
}

pub fn integer(label: &str, fields: &[Field], index: usize) -> Result<i64, Problem> {
    let value = text(label, fields, index)?;
    std::str::from_utf8(value)
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| {
            (
                field_name(label, index),
                format!("{:?} is not a whole number", String::from_utf8_lossy(value)),
            )
        })
}

pub fn account_number(label: &str, fields: &[Field], index: usize) -> Result<u64, Problem> {
    let value = text(label, fields, index)?;
    std::str::from_utf8(value)
        .ok()
        .filter(|v| !v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| {
            (
                field_name(label, index),
                format!(
                    "{:?} is not an account number (digits)",
                    String::from_utf8_lossy(value)
                ),
            )
        })
}

pub fn date(label: &str, fields: &[Field], index: usize) -> Result<NaiveDate, Problem> {
    let value = text(label, fields, index)?;
    std::str::from_utf8(value)
        .ok()
        .filter(|v| v.len() == 8)
        .and_then(|v| NaiveDate::parse_from_str(v, "%Y%m%d").ok())
        .ok_or_else(|| {
            (
                field_name(label, index),
                format!(
                    "{:?} is not a date YYYYMMDD",
                    String::from_utf8_lossy(value)
                ),
            )
        })
}
