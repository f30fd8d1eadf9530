//! Staffing facts: headcounts, worked hours, hired staff, sick leave and positions.

use super::codes::{OrgUnitCode, ProfessionCode};
use super::decimal::ExactDecimal;
use super::period::MonthSpan;
use super::validation::Violation;
use crate::labelled_enum;
use chrono::NaiveDate;

/// A profession group; groups are data, with a parent ("varav läkare primärvården").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfessionGroup {
    pub code: ProfessionCode,
    pub name: String,
    pub parent: Option<ProfessionCode>,
    pub display_order: i32,
}

/// The employee group a headcount counts: `monthly_salaried` or a named subset code.
pub fn parse_employee_group(value: &str, field: &str) -> Result<String, Violation> {
    let valid = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(value.to_owned())
    } else {
        Err(Violation::new(
            field,
            format!(
                "{value:?} is not an employee group code: a-z, 0-9 and _, e.g. monthly_salaried"
            ),
        ))
    }
}

/// Headcount at a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headcount {
    pub org_unit: OrgUnitCode,
    pub date: NaiveDate,
    pub employee_group: String,
    pub total: i64,
    pub women: Option<i64>,
    pub men: Option<i64>,
    pub unknown: Option<i64>,
}

/// Hours worked in a span by a profession group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkedHours {
    pub org_unit: OrgUnitCode,
    pub span: MonthSpan,
    pub profession: ProfessionCode,
    pub hours: ExactDecimal,
}

/// Hired staff (inhyrd bemanning) in a span for a profession group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiredStaff {
    pub org_unit: OrgUnitCode,
    pub span: MonthSpan,
    pub profession: ProfessionCode,
    pub cost_sek: Option<i64>,
    pub forecast_sek: Option<i64>,
    pub personnel_cost_sek: Option<i64>,
    pub hours_requested: Option<ExactDecimal>,
    pub hours_filled: Option<ExactDecimal>,
}

labelled_enum!(SickLeaveGender, "a gender" { All = "all", Women = "women", Men = "men" });
labelled_enum!(
    SickLeaveAgeBand, "an age band" { All = "all", Under30 = "0-29", From30To49 = "30-49", From50 = "50-" }
);
labelled_enum!(
    /// Short 1–14 days, medium 15–59, long 60+.
    SickLeaveLength, "a sick-leave length" { All = "all", Short = "short", Medium = "medium", Long = "long" }
);

/// Sick leave as a percentage of ordinary hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SickLeave {
    pub org_unit: OrgUnitCode,
    pub span: MonthSpan,
    pub gender: SickLeaveGender,
    pub age_band: SickLeaveAgeBand,
    pub length: SickLeaveLength,
    pub rate_percent: ExactDecimal,
}

/// Positions (befattningar) of a profession in an area at a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub org_unit: OrgUnitCode,
    pub date: NaiveDate,
    pub profession: ProfessionCode,
    pub fte_budget: ExactDecimal,
    pub fte_needed: Option<ExactDecimal>,
    pub fte_available_now: Option<ExactDecimal>,
    pub fte_available_in_3_months: Option<ExactDecimal>,
    pub fte_hired: Option<ExactDecimal>,
}
