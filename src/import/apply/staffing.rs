//! Staffing kinds: profession groups (definitions), headcounts and positions (snapshots at
//! a date), worked hours, hired staff and sick leave (spans that must not overlap).

use super::ImportContext;
use super::fact::StoredFact;
use crate::domain::codes::{OrgUnitCode, ProfessionCode};
use crate::domain::period::MonthSpan;
use crate::domain::staffing::{
    Headcount, HiredStaff, Position, ProfessionGroup, SickLeave, SickLeaveAgeBand, SickLeaveGender,
    SickLeaveLength, WorkedHours,
};
use crate::domain::validation::Violation;
use crate::store::entities::{
    headcount, hired_staff, position, profession_group, sick_leave, worked_hours,
};
use crate::store::staffing_rows::*;
use chrono::NaiveDate;

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
    type Key = ProfessionCode;
    type Series = ProfessionCode;

    fn key(&self) -> ProfessionCode {
        self.code.clone()
    }
    fn series(&self) -> ProfessionCode {
        self.code.clone()
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
        |g: &ProfessionGroup| g.code.to_string(),
        profession_group_from_row,
        profession_group_to_row
    );
}

impl StoredFact for Headcount {
    const KIND: &'static str = "headcount";
    type Key = (OrgUnitCode, NaiveDate, String);
    type Series = Self::Key;

    fn key(&self) -> Self::Key {
        (
            self.org_unit.clone(),
            self.date,
            self.employee_group.clone(),
        )
    }
    fn series(&self) -> Self::Key {
        self.key()
    }
    fn span(&self) -> Option<MonthSpan> {
        None
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
        |h: &Headcount| h.org_unit.to_string(),
        headcount_from_row,
        headcount_to_row
    );
}

impl StoredFact for WorkedHours {
    const KIND: &'static str = "worked_hours";
    type Key = (OrgUnitCode, ProfessionCode, MonthSpan);
    type Series = (OrgUnitCode, ProfessionCode, i32);

    fn key(&self) -> Self::Key {
        (self.org_unit.clone(), self.profession.clone(), self.span)
    }
    fn series(&self) -> Self::Series {
        (
            self.org_unit.clone(),
            self.profession.clone(),
            self.span.fiscal_year,
        )
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
    crate::fact_io!(
        worked_hours,
        OrgUnitCode,
        |w: &WorkedHours| w.org_unit.to_string(),
        worked_hours_from_row,
        worked_hours_to_row
    );
}

impl StoredFact for HiredStaff {
    const KIND: &'static str = "hired_staff";
    type Key = (OrgUnitCode, ProfessionCode, MonthSpan);
    type Series = (OrgUnitCode, ProfessionCode, i32);

    fn key(&self) -> Self::Key {
        (self.org_unit.clone(), self.profession.clone(), self.span)
    }
    fn series(&self) -> Self::Series {
        (
            self.org_unit.clone(),
            self.profession.clone(),
            self.span.fiscal_year,
        )
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
        |h: &HiredStaff| h.org_unit.to_string(),
        hired_staff_from_row,
        hired_staff_to_row
    );
}

impl StoredFact for SickLeave {
    const KIND: &'static str = "sick_leave";
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
    fn series(&self) -> Self::Series {
        (
            self.org_unit.clone(),
            self.gender,
            self.age_band,
            self.length,
            self.span.fiscal_year,
        )
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
        |s: &SickLeave| s.org_unit.to_string(),
        sick_leave_from_row,
        sick_leave_to_row
    );
}

impl StoredFact for Position {
    const KIND: &'static str = "position";
    type Key = (OrgUnitCode, NaiveDate, ProfessionCode);
    type Series = Self::Key;

    fn key(&self) -> Self::Key {
        (self.org_unit.clone(), self.date, self.profession.clone())
    }
    fn series(&self) -> Self::Key {
        self.key()
    }
    fn span(&self) -> Option<MonthSpan> {
        None
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
        |p: &Position| p.org_unit.to_string(),
        position_from_row,
        position_to_row
    );
}
