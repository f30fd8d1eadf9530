//! Staffing kinds: profession groups (definitions), headcounts and positions (snapshots at
//! a date), worked hours, hired staff and sick leave (spans that must not overlap).

use super::ImportContext;
use super::fact::StoredFact;
use crate::domain::codes::{OrgUnitCode, ProfessionCode};
use crate::domain::org::parse_date;
use crate::domain::period::MonthSpan;
use crate::domain::staffing::parse_employee_group;
use crate::domain::staffing::{
    Headcount, HiredStaff, Position, ProfessionGroup, SickLeave, SickLeaveAgeBand, SickLeaveGender,
    SickLeaveLength, WorkedHours,
};
use crate::domain::validation::Violation;
use crate::import::fields::FieldReader;
use crate::import::parse::span;
use crate::store::entities::{
    headcount, hired_staff, position, profession_group, sick_leave, worked_hours,
};
use crate::store::staffing_rows::*;
use chrono::NaiveDate;

/// The key fields of worked hours and hired staff.
const UNIT_SPAN_PROFESSION: &[&str] = &[
    "org_unit",
    "fiscal_year",
    "from_month",
    "to_month",
    "profession",
];

/// The key, series, span and references of a kind keyed by (unit, profession, span):
/// worked hours and hired staff.
macro_rules! unit_span_profession_key {
    () => {
        const KEY_FIELDS: &'static [&'static str] = UNIT_SPAN_PROFESSION;
        type Key = (OrgUnitCode, ProfessionCode, MonthSpan);
        type Series = (OrgUnitCode, ProfessionCode, i32);

        fn key(&self) -> Self::Key {
            (self.org_unit.clone(), self.profession.clone(), self.span)
        }
        fn series_of(key: &Self::Key) -> Self::Series {
            (key.0.clone(), key.1.clone(), key.2.fiscal_year)
        }
        fn parse_key(fields: &mut FieldReader) -> Option<Self::Key> {
            unit_span_profession(fields)
        }
        fn owner(&self, _ctx: &ImportContext) -> Option<OrgUnitCode> {
            Some(self.org_unit.clone())
        }
        fn span(&self) -> Option<MonthSpan> {
            Some(self.span)
        }
        fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
            let mut problems = Vec::new();
            unit_known(ctx, &self.org_unit, &mut problems);
            profession_known(ctx, &self.profession, "profession", &mut problems);
            problems
        }
    };
}

fn unit_span_profession(
    fields: &mut FieldReader,
) -> Option<(OrgUnitCode, ProfessionCode, MonthSpan)> {
    let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
    let span = span(fields);
    let profession = fields.parsed("profession", ProfessionCode::parse);
    Some((org_unit?, profession?, span?))
}

fn unit_known(ctx: &ImportContext, unit: &OrgUnitCode, problems: &mut Vec<Violation>) {
    if !ctx.knows_unit(unit) {
        problems.push(Violation::new(
            "org_unit",
            format!("unknown org unit {unit}"),
        ));
    }
}

fn profession_known(
    ctx: &ImportContext,
    code: &ProfessionCode,
    field: &str,
    problems: &mut Vec<Violation>,
) {
    if !ctx.professions.contains(code) {
        problems.push(Violation::new(
            field,
            format!("unknown profession group {code}"),
        ));
    }
}

impl StoredFact for ProfessionGroup {
    const KIND: &'static str = "profession_group";
    const KEY_FIELDS: &'static [&'static str] = &["code"];
    type Key = ProfessionCode;
    type Series = ProfessionCode;

    fn key(&self) -> ProfessionCode {
        self.code.clone()
    }
    fn series_of(key: &ProfessionCode) -> ProfessionCode {
        key.clone()
    }
    fn parse_key(fields: &mut FieldReader) -> Option<ProfessionCode> {
        fields.parsed("code", ProfessionCode::parse)
    }
    fn owner(&self, _ctx: &ImportContext) -> Option<OrgUnitCode> {
        None
    }
    fn definition_code(key: &ProfessionCode) -> Option<String> {
        Some(key.to_string())
    }
    fn span(&self) -> Option<MonthSpan> {
        None
    }
    fn key_field() -> &'static str {
        "code"
    }
    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        let mut problems = Vec::new();
        if let Some(parent) = &self.parent {
            profession_known(ctx, parent, "parent", &mut problems);
        }
        problems
    }
    fn define(&self, ctx: &mut ImportContext) {
        ctx.professions.insert(self.code.clone());
    }
    fn tree_link(&self) -> Option<(String, Option<String>)> {
        Some((
            self.code.to_string(),
            self.parent.as_ref().map(ToString::to_string),
        ))
    }

    crate::fact_io!(
        profession_group,
        Code,
        |k| k.to_string(),
        profession_group_from_row,
        profession_group_to_row
    );
}

impl StoredFact for Headcount {
    const KIND: &'static str = "headcount";
    const KEY_FIELDS: &'static [&'static str] = &["org_unit", "date", "employee_group"];
    type Key = (OrgUnitCode, NaiveDate, String);
    type Series = Self::Key;

    fn key(&self) -> Self::Key {
        (
            self.org_unit.clone(),
            self.date,
            self.employee_group.clone(),
        )
    }
    fn series_of(key: &Self::Key) -> Self::Key {
        key.clone()
    }
    fn span(&self) -> Option<MonthSpan> {
        None
    }
    fn parse_key(fields: &mut FieldReader) -> Option<Self::Key> {
        let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
        let date = fields.parsed("date", parse_date);
        let group = fields.parsed("employee_group", parse_employee_group);
        Some((org_unit?, date?, group?))
    }
    fn owner(&self, _ctx: &ImportContext) -> Option<OrgUnitCode> {
        Some(self.org_unit.clone())
    }
    fn key_field() -> &'static str {
        "date"
    }
    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        let mut problems = Vec::new();
        unit_known(ctx, &self.org_unit, &mut problems);
        problems
    }
    /// A split that does not add up is kept as reported and flagged.
    fn warnings(&self, _ctx: &ImportContext) -> Vec<Violation> {
        let parts = [self.women, self.men, self.unknown];
        if parts.iter().any(Option::is_some) {
            let sum: i64 = parts.iter().flatten().sum();
            if sum != self.total {
                return vec![Violation::new(
                    "total",
                    format!(
                        "women + men + unknown = {sum}, not the total {}; stored as reported",
                        self.total
                    ),
                )];
            }
        }
        Vec::new()
    }
    crate::fact_io!(
        headcount,
        OrgUnitCode,
        |k| k.0.to_string(),
        headcount_from_row,
        headcount_to_row
    );
}

impl StoredFact for WorkedHours {
    const KIND: &'static str = "worked_hours";
    unit_span_profession_key!();
    crate::fact_io!(
        worked_hours,
        OrgUnitCode,
        |k| k.0.to_string(),
        worked_hours_from_row,
        worked_hours_to_row
    );
}

impl StoredFact for HiredStaff {
    const KIND: &'static str = "hired_staff";
    unit_span_profession_key!();
    fn warnings(&self, _ctx: &ImportContext) -> Vec<Violation> {
        match (self.hours_filled, self.hours_requested) {
            (Some(filled), Some(requested))
                if filled.value() < rust_decimal::Decimal::ZERO
                    || requested.value() < rust_decimal::Decimal::ZERO =>
            {
                vec![Violation::new(
                    "hours_requested",
                    "negative hours are stored as reported",
                )]
            }
            _ => Vec::new(),
        }
    }
    crate::fact_io!(
        hired_staff,
        OrgUnitCode,
        |k| k.0.to_string(),
        hired_staff_from_row,
        hired_staff_to_row
    );
}

impl StoredFact for SickLeave {
    const KIND: &'static str = "sick_leave";
    const KEY_FIELDS: &'static [&'static str] = &[
        "org_unit",
        "fiscal_year",
        "from_month",
        "to_month",
        "gender",
        "age_band",
        "length",
    ];
    type Key = (
        OrgUnitCode,
        SickLeaveGender,
        SickLeaveAgeBand,
        SickLeaveLength,
        MonthSpan,
    );
    type Series = (
        OrgUnitCode,
        SickLeaveGender,
        SickLeaveAgeBand,
        SickLeaveLength,
        i32,
    );

    fn key(&self) -> Self::Key {
        (
            self.org_unit.clone(),
            self.gender,
            self.age_band,
            self.length,
            self.span,
        )
    }
    fn series_of(key: &Self::Key) -> Self::Series {
        (key.0.clone(), key.1, key.2, key.3, key.4.fiscal_year)
    }
    fn parse_key(fields: &mut FieldReader) -> Option<Self::Key> {
        let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
        let span = span(fields);
        let gender = fields.parsed("gender", SickLeaveGender::parse);
        let age_band = fields.parsed("age_band", SickLeaveAgeBand::parse);
        let length = fields.parsed("length", SickLeaveLength::parse);
        Some((org_unit?, gender?, age_band?, length?, span?))
    }
    fn owner(&self, _ctx: &ImportContext) -> Option<OrgUnitCode> {
        Some(self.org_unit.clone())
    }
    fn span(&self) -> Option<MonthSpan> {
        Some(self.span)
    }
    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        let mut problems = Vec::new();
        unit_known(ctx, &self.org_unit, &mut problems);
        problems
    }
    fn warnings(&self, _ctx: &ImportContext) -> Vec<Violation> {
        let rate = self.rate_percent.value();
        if rate < rust_decimal::Decimal::ZERO || rate > rust_decimal::Decimal::ONE_HUNDRED {
            vec![Violation::new(
                "rate_percent",
                "a rate outside 0–100 % is stored as reported",
            )]
        } else {
            Vec::new()
        }
    }
    crate::fact_io!(
        sick_leave,
        OrgUnitCode,
        |k| k.0.to_string(),
        sick_leave_from_row,
        sick_leave_to_row
    );
}

impl StoredFact for Position {
    const KIND: &'static str = "position";
    const KEY_FIELDS: &'static [&'static str] = &["org_unit", "date", "profession"];
    type Key = (OrgUnitCode, NaiveDate, ProfessionCode);
    type Series = Self::Key;

    fn key(&self) -> Self::Key {
        (self.org_unit.clone(), self.date, self.profession.clone())
    }
    fn series_of(key: &Self::Key) -> Self::Key {
        key.clone()
    }
    fn span(&self) -> Option<MonthSpan> {
        None
    }
    fn parse_key(fields: &mut FieldReader) -> Option<Self::Key> {
        let org_unit = fields.parsed("org_unit", OrgUnitCode::parse);
        let date = fields.parsed("date", parse_date);
        let profession = fields.parsed("profession", ProfessionCode::parse);
        Some((org_unit?, date?, profession?))
    }
    fn owner(&self, _ctx: &ImportContext) -> Option<OrgUnitCode> {
        Some(self.org_unit.clone())
    }
    fn key_field() -> &'static str {
        "date"
    }
    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        let mut problems = Vec::new();
        unit_known(ctx, &self.org_unit, &mut problems);
        profession_known(ctx, &self.profession, "profession", &mut problems);
        problems
    }
    crate::fact_io!(
        position,
        OrgUnitCode,
        |k| k.0.to_string(),
        position_from_row,
        position_to_row
    );
}
