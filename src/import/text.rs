//! The text format (docs/data-format.md): one record per line, `kind key=value …`, with
//! `source` lines setting the provenance of the records after them.

use super::error::RecordViolation;
use super::fields::FieldReader;
use super::parse::parse_record;
use super::record::{Entry, Place};
use crate::domain::provenance::Source;
use crate::domain::validation::Violation;

/// Reads a file's lines into entries, keeping the current `source` between lines. Each
/// line is parsed on its own, so a large file streams through it.
pub struct TextReader {
    file: String,
    source: Option<Source>,
    position: usize,
}

impl TextReader {
    /// `file` names the file in locations (`file:line`); `start` is the stream position of
    /// the first record (several files can form one stream).
    pub fn new(file: impl Into<String>, start: usize) -> Self {
        Self {
            file: file.into(),
            source: None,
            position: start,
        }
    }

    /// The position the next record will get.
    pub fn position(&self) -> usize {
        self.position
    }

    /// Parses line `number` (1-based). `Ok(None)` for blank, comment and `source` lines.
    pub fn line(
        &mut self,
        number: usize,
        line: &str,
    ) -> Result<Option<Entry>, Vec<RecordViolation>> {
        let location = format!("{}:{number}", self.file);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(None);
        }
        let position = self.position;
        let violation = |v: Violation| RecordViolation {
            position,
            location: Some(location.clone()),
            field: v.field,
            description: v.description,
        };
        let (kind, pairs) = tokenize(trimmed).map_err(|v| vec![violation(v)])?;
        if kind == "source" {
            let mut fields = FieldReader::new(pairs);
            let document = fields.required("document");
            let table = fields
                .optional_text("table", crate::domain::validation::MAX_SHORT_TEXT)
                .ok()
                .flatten();
            let violations = fields.finish();
            if !violations.is_empty() {
                return Err(violations.into_vec().into_iter().map(violation).collect());
            }
            self.source = document.map(|document| Source { document, table });
            return Ok(None);
        }
        self.position += 1;
        parse_record(&kind, pairs, self.source.as_ref())
            .map(|record| {
                Some(Entry {
                    place: Place {
                        position,
                        location: Some(location.clone()),
                    },
                    record,
                })
            })
            .map_err(|violations| violations.into_iter().map(violation).collect())
    }
}

/// Splits `kind key=value key="quoted value" …`.
pub fn tokenize(line: &str) -> Result<(String, Vec<(String, String)>), Violation> {
    let mut chars = line.chars().peekable();
    let mut kind = String::new();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            break;
        }
        kind.push(c);
        chars.next();
    }
    let mut pairs = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(Violation::new(key, "expected key=value"));
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(c) => value.push(c),
                        None => return Err(Violation::new(key, "unterminated quoted value")),
                    },
                    Some(c) => value.push(c),
                    None => return Err(Violation::new(key, "unterminated quoted value")),
                }
            }
            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                return Err(Violation::new(
                    key,
                    "expected a space after the quoted value",
                ));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        pairs.push((key, value));
    }
    Ok((kind, pairs))
}

/// Quotes a value for writing when it needs it.
pub fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| !c.is_whitespace() && c != '"' && c != '=' && c != '#' && c != '\\');
    if plain {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_quoted_values() {
        let (kind, pairs) =
            tokenize(r#"org_unit code=HSN name="Hälso- och \"sjukvård\"" kind=committee"#).unwrap();
        assert_eq!(kind, "org_unit");
        assert_eq!(pairs[1], ("name".into(), "Hälso- och \"sjukvård\"".into()));
        assert_eq!(
            quote("Hälso- och \"sjukvård\""),
            r#""Hälso- och \"sjukvård\"""#
        );
        assert!(tokenize(r#"x name="open"#).is_err());
    }

    #[test]
    fn a_bad_line_names_file_line_and_field() {
        let mut reader = TextReader::new("f.txt", 0);
        reader.line(1, r#"source document="d""#).unwrap();
        let errors = reader
            .line(2, "budget_line org_unit=HSN category=X fiscal_year=2025 from_month=5 to_month=4 scenario=actual amount_tkr=1.2345 extra=1")
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["from_month", "amount_tkr", "extra"]);
        assert_eq!(errors[0].location.as_deref(), Some("f.txt:2"));
    }

    #[test]
    fn reads_a_budget_line_in_tkr() {
        let mut reader = TextReader::new("f.txt", 7);
        reader.line(1, r#"source document="d" table="t""#).unwrap();
        let entry = reader
            .line(2, "budget_line org_unit=HSN category=X fiscal_year=2025 from_month=1 to_month=4 scenario=actual amount_tkr=-1271592")
            .unwrap()
            .unwrap();
        assert_eq!(entry.place.position, 7);
        let crate::import::record::Record::BudgetLine(line, source) = entry.record else {
            panic!("a budget line")
        };
        assert_eq!(line.amount_sek, -1_271_592_000);
        assert_eq!(source.table.as_deref(), Some("t"));
    }
}
