//! The text format (docs/data-format.md): one record per line, `kind key=value …`, with
//! `source` lines setting the provenance of the records after them.

use super::error::RecordViolation;
use super::fields::FieldReader;
use super::record::{Entry, Record};
use crate::domain::category::{Category, Direction};
use crate::domain::codes::{CategoryCode, OrgUnitCode};
use crate::domain::org::{OrgUnit, OrgUnitKind, parse_date};
use crate::domain::period::MonthSpan;
use crate::domain::provenance::Source;
use crate::domain::scenario::Scenario;
use crate::domain::validation::Violation;
use crate::store::budget::NewBudgetLine;

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
            let table = fields.optional("table");
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
                    position,
                    location: Some(location.clone()),
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

fn parse_record(
    kind: &str,
    pairs: Vec<(String, String)>,
    source: Option<&Source>,
) -> Result<Record, Vec<Violation>> {
    let mut fields = FieldReader::new(pairs);
    let record = match kind {
        "org_unit" => org_unit(&mut fields, source),
        "category" => category(&mut fields, source),
        "budget_line" => budget_line(&mut fields, source),
        other => {
            return Err(vec![Violation::new(
                "kind",
                format!("{other:?} is not a record kind (see docs/data-format.md)"),
            )]);
        }
    };
    let violations = fields.finish();
    match record {
        Some(record) if violations.is_empty() => Ok(record),
        _ if violations.is_empty() => Err(vec![Violation::new("kind", "invalid record")]),
        _ => Err(violations.into_vec()),
    }
}

/// The record's own `document`/`table`, else the current `source` line's; a fact with no
/// document at all is an error.
pub fn fact_source(fields: &mut FieldReader, current: Option<&Source>) -> Option<Source> {
    let document = fields.optional("document");
    let table = fields.optional("table");
    match (document, current) {
        (Some(document), _) if !document.is_empty() => Some(Source { document, table }),
        (_, Some(current)) => Some(Source {
            document: current.document.clone(),
            table: table.or_else(|| current.table.clone()),
        }),
        _ => {
            fields.violations.push(Violation::new(
                "document",
                "is required: give document= or a source line before the record",
            ));
            None
        }
    }
}

/// `fiscal_year`, `from_month`, `to_month` into a span.
pub fn span(fields: &mut FieldReader) -> Option<MonthSpan> {
    let year = fields.integer("fiscal_year");
    let from = fields.integer("from_month");
    let to = fields.integer("to_month");
    match MonthSpan::parse(year?, from?, to?, ["fiscal_year", "from_month", "to_month"]) {
        Ok(span) => Some(span),
        Err(violations) => {
            for v in violations {
                fields.violations.push(v);
            }
            None
        }
    }
}

fn org_unit(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let code = fields.parsed("code", OrgUnitCode::parse);
    let name = fields.required("name");
    let kind = fields.parsed("kind", OrgUnitKind::parse);
    let parent = fields.parsed_optional("parent", OrgUnitCode::parse).ok()?;
    let valid_from = fields.parsed("valid_from", parse_date);
    let valid_to = fields.parsed_optional("valid_to", parse_date).ok()?;
    let (code, valid_from) = (code?, valid_from?);
    if valid_to.is_some_and(|to| to <= valid_from) {
        fields
            .violations
            .push(Violation::new("valid_to", "must be after valid_from"));
        return None;
    }
    if parent.as_ref() == Some(&code) {
        fields
            .violations
            .push(Violation::new("parent", "a unit cannot be its own parent"));
        return None;
    }
    Some(Record::OrgUnit(
        OrgUnit {
            code,
            name: name?,
            kind: kind?,
            parent,
            valid_from,
            valid_to,
        },
        source?,
    ))
}

fn category(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let code = fields.parsed("code", CategoryCode::parse);
    let name = fields.required("name");
    let direction = fields.parsed("direction", Direction::parse);
    let parent = fields.parsed_optional("parent", CategoryCode::parse).ok()?;
    let order = fields.integer("order");
    let order =
        fields
            .violations
            .check(order.and_then(|o| i32::try_from(o).ok()).ok_or_else(|| {
                Violation::new("order", "must be a whole number within ±2 147 483 647")
            }));
    Some(Record::Category(
        Category {
            code: code?,
            name: name?,
            direction: direction?,
            parent,
            display_order: order?,
        },
        source?,
    ))
}

fn budget_line(fields: &mut FieldReader, source: Option<&Source>) -> Option<Record> {
    let source = fact_source(fields, source);
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let category = fields.parsed("category", CategoryCode::parse);
    let span = span(fields);
    let scenario = fields.parsed("scenario", Scenario::parse);
    let amount = fields.money("amount", true).ok().flatten();
    Some(Record::BudgetLine(NewBudgetLine {
        org_unit: org_unit?,
        category: category?,
        span: span?,
        scenario: scenario?,
        amount_sek: amount?,
        source: source?,
    }))
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
        assert_eq!(entry.position, 7);
        let Record::BudgetLine(line) = entry.record else {
            panic!()
        };
        assert_eq!(line.amount_sek, -1_271_592_000);
        assert_eq!(line.source.table.as_deref(), Some("t"));
    }
}
