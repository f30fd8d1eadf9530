//! Parsing the request fields every service shares. Each returns a violation naming the
//! field, so handlers can collect them all.

use crate::domain::codes::{CategoryCode, OrgUnitCode, parse_resource_name};
use crate::domain::instant::Instant;
use crate::domain::org::parse_date;
use crate::domain::period::{MonthSpan, parse_fiscal_year};
use crate::domain::scenario::Scenario;
use crate::domain::validation::Violation;
use crate::proto::v1 as pb;
use chrono::NaiveDate;

pub const ORG_UNITS: &str = "orgUnits";
pub const CATEGORIES: &str = "categories";

/// A required `orgUnits/{code}` name.
pub fn org_unit(value: &str, field: &str) -> Result<OrgUnitCode, Violation> {
    parse_resource_name(value, ORG_UNITS, field, OrgUnitCode::parse)
}

/// An optional `orgUnits/{code}` name (empty = none).
pub fn optional_org_unit(value: &str, field: &str) -> Result<Option<OrgUnitCode>, Violation> {
    if value.is_empty() {
        Ok(None)
    } else {
        org_unit(value, field).map(Some)
    }
}

pub fn optional_category(value: &str, field: &str) -> Result<Option<CategoryCode>, Violation> {
    if value.is_empty() {
        Ok(None)
    } else {
        parse_resource_name(value, CATEGORIES, field, CategoryCode::parse).map(Some)
    }
}

/// `as_of`: absent means now (decided by the caller).
pub fn as_of(value: Option<&prost_types::Timestamp>) -> Result<Option<Instant>, Violation> {
    value
        .map(|t| {
            if !(0..1_000_000_000).contains(&t.nanos) {
                return Err(Violation::new("as_of", "nanos must be 0–999 999 999"));
            }
            Instant::from_unix(t.seconds, t.nanos)
                .ok_or_else(|| Violation::new("as_of", "is out of range"))
        })
        .transpose()
}

/// The structure date of the tree; empty means the date of the read instant.
pub fn structure_date(value: &str, field: &str) -> Result<Option<NaiveDate>, Violation> {
    if value.is_empty() {
        Ok(None)
    } else {
        parse_date(value, field).map(Some)
    }
}

/// The tree a read asks about: the given structure date, else the (UTC) date of its read
/// instant. Tied to the instant, not to the clock, so every page of a paged read, which
/// pins its instant, sees one tree, also across midnight.
pub fn tree_date(structure_date: Option<NaiveDate>, as_of: Instant) -> NaiveDate {
    structure_date.unwrap_or_else(|| as_of.date())
}

/// The span of a Summarize request: the year is required, a month 0 means 1 (from) or 12
/// (to). Violations name `fiscal_year`, `from_month` or `to_month`.
pub fn summary_span(
    checks: &mut Checks,
    fiscal_year: i32,
    from_month: i32,
    to_month: i32,
) -> Option<MonthSpan> {
    let months = checks.take_all(month_range(from_month, to_month));
    if fiscal_year == 0 {
        return checks.take::<Option<MonthSpan>>(Err(Violation::new("fiscal_year", "is required")));
    }
    let (from, to) = months.unwrap_or((1, 12));
    checks.take_all(
        MonthSpan::parse(
            fiscal_year.into(),
            from.into(),
            to.into(),
            ["fiscal_year", "from_month", "to_month"],
        )
        .map(Some),
    )
}

/// An optional month filter: 0 means unbounded on that side.
pub fn month_range(from: i32, to: i32) -> Result<Option<(u8, u8)>, Vec<Violation>> {
    let mut violations = Vec::new();
    let mut check = |value: i32, field: &str| {
        if (0..=12).contains(&value) {
            value as u8
        } else {
            violations.push(Violation::new(
                field,
                format!("{value} is not a month 1–12"),
            ));
            0
        }
    };
    let (from, to) = (check(from, "from_month"), check(to, "to_month"));
    if !violations.is_empty() {
        return Err(violations);
    }
    match (from, to) {
        (0, 0) => Ok(None),
        (f, t) => {
            let (f, t) = (f.max(1), if t == 0 { 12 } else { t });
            if f > t {
                Err(vec![Violation::new(
                    "from_month",
                    format!("from_month {f} is after to_month {t}"),
                )])
            } else {
                Ok(Some((f, t)))
            }
        }
    }
}

/// A number that is not a value of the field's enum (`what` names the enum in words).
pub fn unknown_enum(field: &str, value: i32, what: &str) -> Violation {
    Violation::new(field, format!("{value} is not a known {what}"))
}

/// An optional fiscal year filter: 0 means every year.
pub fn optional_fiscal_year(value: i32, field: &str) -> Result<Option<i32>, Violation> {
    match value {
        0 => Ok(None),
        year => parse_fiscal_year(year.into(), field).map(Some),
    }
}

/// An optional scenario filter; an unknown enum number is an error.
pub fn scenario(value: i32, field: &str) -> Result<Option<Scenario>, Violation> {
    match pb::Scenario::try_from(value) {
        Ok(pb::Scenario::Unspecified) => Ok(None),
        Ok(pb::Scenario::Actual) => Ok(Some(Scenario::Actual)),
        Ok(pb::Scenario::Budget) => Ok(Some(Scenario::Budget)),
        Ok(pb::Scenario::Forecast) => Ok(Some(Scenario::Forecast)),
        Ok(pb::Scenario::Plan) => Ok(Some(Scenario::Plan)),
        Err(_) => Err(unknown_enum(field, value, "scenario")),
    }
}

/// Collects the results of several field checks; Err with every violation if any failed.
#[derive(Default)]
pub struct Checks(Vec<Violation>);

impl Checks {
    pub fn take<T: Default>(&mut self, result: Result<T, Violation>) -> T {
        result.unwrap_or_else(|v| {
            self.0.push(v);
            T::default()
        })
    }

    pub fn take_all<T: Default>(&mut self, result: Result<T, Vec<Violation>>) -> T {
        result.unwrap_or_else(|v| {
            self.0.extend(v);
            T::default()
        })
    }

    pub fn finish(self) -> Result<(), Vec<Violation>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}
