//! Record parsers of the text format, one file per data area; here the dispatch and what
//! every fact record shares (source, span).

mod budget;
mod indicator;
mod investment;
mod staffing;

pub use indicator::fiscal_year;

use super::fields::FieldReader;
use super::record::{Record, RetractKey, Retraction, key_fields};
use crate::domain::period::MonthSpan;
use crate::domain::provenance::Source;
use crate::domain::validation::{MAX_SHORT_TEXT, Violation};

/// Parses the fields of one record of `kind`; `source` is the current `source` line's.
pub fn parse_record(
    kind: &str,
    pairs: Vec<(String, String)>,
    source: Option<&Source>,
) -> Result<Record, Vec<Violation>> {
    let mut fields = FieldReader::new(pairs);
    let record = match kind {
        "org_unit" => budget::org_unit(&mut fields, source),
        "category" => budget::category(&mut fields, source),
        "budget_line" => budget::budget_line(&mut fields, source),
        "investment" => investment::investment(&mut fields, source),
        "investment_figure" => investment::figures(&mut fields, source),
        "profession_group" => staffing::profession_group(&mut fields, source),
        "headcount" => staffing::headcount(&mut fields, source),
        "worked_hours" => staffing::worked_hours(&mut fields, source),
        "hired_staff" => staffing::hired_staff(&mut fields, source),
        "sick_leave" => staffing::sick_leave(&mut fields, source),
        "position" => staffing::position(&mut fields, source),
        "indicator" => indicator::indicator(&mut fields, source),
        "indicator_target" => indicator::target(&mut fields, source),
        "indicator_outcome" => indicator::outcome(&mut fields, source),
        "assignment" => indicator::assignment(&mut fields, source),
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

/// Parses a retraction of `kind` (`retract <kind> key=value …`): the key fields only, plus
/// the optional `document`/`table` of the retraction's own source.
pub fn parse_retraction(
    kind: &str,
    pairs: Vec<(String, String)>,
    source: Option<&Source>,
) -> Result<Record, Vec<Violation>> {
    let Some(names) = key_fields(kind) else {
        return Err(vec![Violation::new(
            "kind",
            format!("{kind:?} is not a record kind (see docs/data-format.md)"),
        )]);
    };
    let text = names
        .iter()
        .filter_map(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(k, v)| format!("{k}={}", quote(v)))
        })
        .collect::<Vec<_>>()
        .join(" ");
    // Fields beyond the key and the source are named as such, not as unknown fields.
    let (pairs, extra): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(name, _)| {
        names.contains(&name.as_str()) || name == "document" || name == "table"
    });
    let mut fields = FieldReader::new(pairs);
    let source = fact_source(&mut fields, source);
    let key = RetractKey::parse(kind, &mut fields).flatten();
    let mut violations = fields.finish();
    for (name, _) in extra {
        violations.push(Violation::new(
            name,
            format!(
                "is not part of the key of {kind}: a retraction names only {}",
                names.join(", ")
            ),
        ));
    }
    match (key, source) {
        (Some(key), Some(source)) if violations.is_empty() => {
            Ok(Record::Retract(Retraction { key, text }, source))
        }
        _ if violations.is_empty() => Err(vec![Violation::new("kind", "invalid retraction")]),
        _ => Err(violations.into_vec()),
    }
}

pub fn fact_source(fields: &mut FieldReader, current: Option<&Source>) -> Option<Source> {
    let document = fields
        .optional_text("document", MAX_SHORT_TEXT)
        .ok()
        .flatten();
    let table = fields.optional_text("table", MAX_SHORT_TEXT).ok().flatten();
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

/// A display order: a whole number in i32.
pub fn order(fields: &mut FieldReader) -> Option<i32> {
    let order = fields.integer("order");
    fields.violations.check(
        order
            .and_then(|o| i32::try_from(o).ok())
            .ok_or_else(|| Violation::new("order", "must be a whole number within ±2 147 483 647")),
    )
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
