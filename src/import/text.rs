//! The text format (docs/data-format.md): one record per line, `kind key=value …`, with
//! `source` lines setting the provenance of the records after them.

use super::error::RecordViolation;
use super::fields::FieldReader;
pub use super::parse::quote;
use super::parse::{parse_record, parse_retraction};
use super::place::Place;
use super::record::{Entry, Record};
use crate::domain::provenance::Source;
use crate::domain::validation::Violation;

/// The word that starts a retraction line.
const RETRACT: &str = "retract";

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
        // `retract <kind> key=value …` withdraws a stored fact by its key.
        let retraction = trimmed
            .strip_prefix(RETRACT)
            .filter(|rest| rest.starts_with(char::is_whitespace));
        let (kind, pairs) = tokenize(retraction.map_or(trimmed, str::trim_start))
            .map_err(|v| vec![violation(v)])?;
        if retraction.is_none() && kind == "source" {
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
        let parsed = match retraction {
            Some(_) => parse_retraction(&kind, pairs, self.source.as_ref()),
            None => parse_record(&kind, pairs, self.source.as_ref()),
        };
        parsed
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
        // `=value`: a violation must name a field, and this one has no name.
        if key.is_empty() {
            return Err(Violation::new(
                "key",
                "a value without a key: write key=value",
            ));
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

/// Writes one record as a line of the text format (its source goes on `source` lines).
pub fn format_record(record: &Record) -> String {
    let mut line = LineWriter::new(record_kind(record));
    match record {
        Record::Retract(r, _) => {
            return format!("{RETRACT} {} {}", r.key.kind(), r.text);
        }
        Record::OrgUnit(u, _) => {
            line.field("code", u.code.as_str())
                .field("name", &u.name)
                .field("kind", u.kind.as_str())
                .optional("parent", u.parent.as_ref().map(|p| p.to_string()))
                .field("valid_from", &u.valid_from.to_string())
                .optional("valid_to", u.valid_to.map(|d| d.to_string()));
        }
        Record::Category(c, _) => {
            line.field("code", c.code.as_str())
                .field("name", &c.name)
                .field("direction", c.direction.as_str())
                .optional("parent", c.parent.as_ref().map(|p| p.to_string()))
                .field("order", &c.display_order.to_string());
        }
        Record::ProfessionGroup(g, _) => {
            line.field("code", g.code.as_str())
                .field("name", &g.name)
                .optional("parent", g.parent.as_ref().map(|p| p.to_string()))
                .field("order", &g.display_order.to_string());
        }
        Record::BudgetLine(l, _) => {
            line.field("org_unit", l.org_unit.as_str())
                .field("category", l.category.as_str())
                .span(l.span)
                .field("scenario", l.scenario.as_str())
                .field("amount_sek", &l.amount_sek.to_string());
        }
        Record::Investment(i, _) => {
            line.field("id", i.id.as_str())
                .field("org_unit", i.org_unit.as_str())
                .field("name", &i.name)
                .field("kind", i.kind.as_str())
                .field("funding", i.funding.as_str())
                .optional("decision", i.decision.clone())
                .optional("decided_year", i.decided_year.map(|y| y.to_string()))
                .field("status", i.status.as_str())
                .optional(
                    "total_budget_sek",
                    i.total_budget_sek.map(|v| v.to_string()),
                )
                .optional("planned_completion", i.planned_completion.clone())
                .optional(
                    "procurement_contacted",
                    i.procurement_contacted
                        .map(|b| if b { "yes" } else { "no" }.to_owned()),
                )
                .optional("comment", i.comment.clone());
        }
        Record::InvestmentFigures(f, _) => {
            line.field("investment", f.investment.as_str())
                .span(f.span)
                .number("budget_sek", f.budget_sek)
                .number("outcome_sek", f.outcome_sek)
                .number("outcome_since_start_sek", f.outcome_since_start_sek)
                .number("forecast_sek", f.forecast_sek)
                .number("carry_over_requested_sek", f.carry_over_requested_sek);
        }
        Record::Headcount(h, _) => {
            line.field("org_unit", h.org_unit.as_str())
                .field("date", &h.date.to_string())
                .field("employee_group", &h.employee_group)
                .field("total", &h.total.to_string())
                .number("women", h.women)
                .number("men", h.men)
                .number("unknown", h.unknown);
        }
        Record::WorkedHours(w, _) => {
            line.field("org_unit", w.org_unit.as_str())
                .span(w.span)
                .field("profession", w.profession.as_str())
                .field("hours", &w.hours.to_string());
        }
        Record::HiredStaff(h, _) => {
            line.field("org_unit", h.org_unit.as_str())
                .span(h.span)
                .field("profession", h.profession.as_str())
                .number("cost_sek", h.cost_sek)
                .number("forecast_sek", h.forecast_sek)
                .number("personnel_cost_sek", h.personnel_cost_sek)
                .optional("hours_requested", h.hours_requested.map(|d| d.to_string()))
                .optional("hours_filled", h.hours_filled.map(|d| d.to_string()));
        }
        Record::SickLeave(s, _) => {
            line.field("org_unit", s.org_unit.as_str())
                .span(s.span)
                .field("gender", s.gender.as_str())
                .field("age_band", s.age_band.as_str())
                .field("length", s.length.as_str())
                .field("rate_percent", &s.rate_percent.to_string());
        }
        Record::Position(p, _) => {
            line.field("org_unit", p.org_unit.as_str())
                .field("date", &p.date.to_string())
                .field("profession", p.profession.as_str())
                .field("fte_budget", &p.fte_budget.to_string())
                .optional("fte_needed", p.fte_needed.map(|d| d.to_string()))
                .optional(
                    "fte_available_now",
                    p.fte_available_now.map(|d| d.to_string()),
                )
                .optional(
                    "fte_available_in_3_months",
                    p.fte_available_in_3_months.map(|d| d.to_string()),
                )
                .optional("fte_hired", p.fte_hired.map(|d| d.to_string()));
        }
        Record::Indicator(i, _) => {
            line.field("code", i.code.as_str())
                .field("org_unit", i.org_unit.as_str())
                .field("goal_area", &i.goal_area)
                .field("name", &i.name)
                .field("unit", i.unit.as_str())
                .optional("decided_by", i.decided_by.clone())
                .optional("external_id", i.external_id.clone());
        }
        Record::IndicatorTarget(t, _) => {
            line.field("indicator", t.indicator.as_str())
                .field("fiscal_year", &t.fiscal_year.to_string())
                .field("comparator", t.comparator.as_str())
                .optional("value", t.value.map(|d| d.to_string()))
                .optional("unit", t.unit.map(|u| u.as_str().to_owned()))
                .optional("text", t.text.clone());
        }
        Record::IndicatorOutcome(o, _) => {
            line.field("indicator", o.indicator.as_str())
                .span(o.span)
                .optional("value", o.value.map(|d| d.to_string()))
                .optional("text", o.text.clone())
                .optional("comment", o.comment.clone());
        }
        Record::Assignment(a, _) => {
            line.field("code", a.code.as_str())
                .field("org_unit", a.org_unit.as_str())
                .field("goal_area", &a.goal_area)
                .field("fiscal_year", &a.fiscal_year.to_string())
                .field("text", &a.text)
                .optional("decided_by", a.decided_by.clone())
                .optional("status", a.status.clone())
                .optional("comment", a.comment.clone());
        }
    }
    line.finish()
}

/// The `source` line for a record's provenance.
pub fn format_source(source: &Source) -> String {
    let mut line = LineWriter::new("source");
    line.field("document", &source.document)
        .optional("table", source.table.clone());
    line.finish()
}

/// The record kind as the text format names it.
pub fn record_kind(record: &Record) -> &'static str {
    record.kind()
}

/// Builds one `kind key=value …` line.
struct LineWriter(String);

impl LineWriter {
    fn new(kind: &str) -> Self {
        Self(kind.to_owned())
    }

    fn field(&mut self, key: &str, value: &str) -> &mut Self {
        self.0.push(' ');
        self.0.push_str(key);
        self.0.push('=');
        self.0.push_str(&quote(value));
        self
    }

    fn optional(&mut self, key: &str, value: Option<String>) -> &mut Self {
        if let Some(value) = value {
            self.field(key, &value);
        }
        self
    }

    fn number(&mut self, key: &str, value: Option<i64>) -> &mut Self {
        self.optional(key, value.map(|v| v.to_string()))
    }

    fn span(&mut self, span: crate::domain::period::MonthSpan) -> &mut Self {
        self.field("fiscal_year", &span.fiscal_year.to_string())
            .field("from_month", &span.from.to_string())
            .field("to_month", &span.to.to_string())
    }

    fn finish(&mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_lines_read_back_identically() {
        let mut reader = TextReader::new("f.txt", 0);
        let lines = [
            r#"investment id=rs-2023-x org_unit=RS name="Ny \"HC\" Funäsdalen" kind=new funding=carried_over decision=RS/703/2021 decided_year=2022 status=ongoing total_budget_sek=5000000 planned_completion="Q2 2024" procurement_contacted=yes comment="a=b # c" document=d"#,
            "position org_unit=HSN date=2025-04-30 profession=LAKARE fte_budget=2875.85 fte_needed=0.0001 document=d",
        ];
        for line in lines {
            let entry = reader.line(1, line).unwrap().unwrap();
            let written = format_record(&entry.record);
            let again = reader
                .line(2, &format!("{written} document=d"))
                .unwrap()
                .unwrap();
            assert_eq!(format_record(&again.record), written);
        }
    }

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
