//! Parsing the request fields every service shares into the services' validated query
//! parts. Each check returns a violation naming the field, so a request's conversion
//! (`TryFrom`) collects them all.

pub use crate::domain::codes::{CATEGORIES, ORG_UNITS};
use crate::domain::codes::{CategoryCode, OrgUnitCode, parse_resource_name};
use crate::domain::instant::Instant;
use crate::domain::org::parse_date;
use crate::domain::period::{MonthSpan, parse_fiscal_year};
use crate::domain::scenario::Scenario;
use crate::domain::validation::Violation;
use crate::proto::v1 as pb;
use crate::service::ServiceError;
use crate::service::listing::ListQuery;
use crate::service::paging::PageRequest;
use crate::service::read::{At, SummaryScope, UnitFilter};
use chrono::NaiveDate;

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
    /// The value, or its type's default with the violation recorded.
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

    /// A required value: `None` with the violation recorded.
    pub fn need<T>(&mut self, result: Result<T, Violation>) -> Option<T> {
        result.map_err(|v| self.0.push(v)).ok()
    }

    pub fn finish(self) -> Result<(), Vec<Violation>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }

    /// `value` when every check passed; otherwise every violation. A required value is
    /// `None` only with its violation recorded.
    pub fn done<T>(self, value: Option<T>) -> Result<T, ServiceError> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(ServiceError::invalid(self.0)),
        }
    }
}

/// When a read is answered: `as_of` and the structure date.
pub fn at(
    checks: &mut Checks,
    structure_date_value: &str,
    as_of_value: Option<&prost_types::Timestamp>,
) -> At {
    At {
        structure_date: checks.take(structure_date(structure_date_value, "structure_date")),
        as_of: checks.take(as_of(as_of_value)),
    }
}

/// The request fields every fact list shares, as sent.
pub struct ListFields<'a> {
    pub org_unit: &'a str,
    pub include_descendants: bool,
    pub structure_date: &'a str,
    pub as_of: Option<&'a prost_types::Timestamp>,
    pub page_size: i32,
    pub page_token: &'a str,
}

/// The shared fields of a List request message `r` (every fact list names them alike).
macro_rules! list_fields {
    ($r:expr) => {
        $crate::api::request::ListFields {
            org_unit: &$r.org_unit,
            include_descendants: $r.include_descendants,
            structure_date: &$r.structure_date,
            as_of: $r.as_of.as_ref(),
            page_size: $r.page_size,
            page_token: &$r.page_token,
        }
    };
}
pub(crate) use list_fields;

/// A List query: the shared fields validated into `checks`, with the area's `filter`.
pub fn list_query<F>(checks: &mut Checks, fields: ListFields<'_>, filter: F) -> ListQuery<F> {
    ListQuery {
        units: UnitFilter {
            unit: checks.take(optional_org_unit(fields.org_unit, "org_unit")),
            include_descendants: fields.include_descendants,
        },
        at: at(checks, fields.structure_date, fields.as_of),
        page: checks.take(PageRequest::parse(fields.page_size, fields.page_token)),
        filter,
    }
}

/// The shape every Summarize shares: a required unit and year, months 0 meaning 1 (from)
/// or 12 (to), and when.
pub fn summary_scope(
    checks: &mut Checks,
    org_unit_value: &str,
    [fiscal_year, from_month, to_month]: [i32; 3],
    at: At,
) -> Option<SummaryScope> {
    let unit = checks.need(org_unit(org_unit_value, "org_unit"));
    let span = summary_span(checks, fiscal_year, from_month, to_month);
    Some(SummaryScope {
        unit: unit?,
        span: span?,
        at,
    })
}
