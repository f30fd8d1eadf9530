//! StaffingService conversions: stored staffing facts and the staffing summary to their
//! proto messages, with the derived figures (FTE, hired share, position deviations,
//! changes) computed by the domain.

use super::convert;
use crate::domain::codes::{OrgUnitCode, ProfessionCode};
use crate::domain::decimal::ExactDecimal;
use crate::domain::provenance::Provenance;
use crate::domain::staffing::{
    Headcount, HiredStaff, Position, ProfessionGroup, SickLeave, SickLeaveAgeBand, SickLeaveGender,
    SickLeaveLength, WorkedHours,
};
use crate::domain::staffing_figures::{
    Compared, HiredStaffFigures, PositionColumns, PositionDeviations, format_exact, format_rounded,
    fte,
};
use crate::domain::staffing_summary::{
    HiredStaffRow, PositionRow, StaffingGroupSummary, WorkedHoursRow,
};
use crate::proto::v1 as pb;
use crate::store::staffing::Stored;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::codes::PROFESSION_GROUPS;
use crate::service::staffing::StaffingReport;

pub(super) fn profession_name(code: &ProfessionCode) -> String {
    super::convert::resource_name(PROFESSION_GROUPS, code.as_str())
}

/// A stored decimal as served: as imported, without trailing zeros; empty when absent.
pub(super) fn stored_decimal(value: Option<ExactDecimal>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

pub(super) fn rounded(value: Option<Decimal>) -> String {
    value.map(format_rounded).unwrap_or_default()
}

pub(super) fn exact(value: Option<Decimal>) -> String {
    value.map(format_exact).unwrap_or_default()
}

pub(super) fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

pub(super) fn group_to_proto(
    (g, provenance): &(ProfessionGroup, Provenance),
) -> pb::ProfessionGroup {
    pb::ProfessionGroup {
        name: profession_name(&g.code),
        code: g.code.to_string(),
        display_name: g.name.clone(),
        parent: g.parent.as_ref().map(profession_name).unwrap_or_default(),
        display_order: g.display_order,
        provenance: Some(convert::provenance(provenance)),
    }
}

impl From<&Stored<Headcount>> for pb::Headcount {
    fn from(s: &Stored<Headcount>) -> Self {
        let h = &s.value;
        pb::Headcount {
            org_unit: convert::org_unit_name(&h.org_unit),
            date: iso(h.date),
            employee_group: h.employee_group.clone(),
            total: h.total,
            women: h.women,
            men: h.men,
            unknown: h.unknown,
            provenance: Some(convert::provenance(&s.provenance)),
        }
    }
}

impl From<&Stored<WorkedHours>> for pb::WorkedHours {
    fn from(s: &Stored<WorkedHours>) -> Self {
        let w = &s.value;
        pb::WorkedHours {
            org_unit: convert::org_unit_name(&w.org_unit),
            span: Some(convert::span(w.span)),
            profession: profession_name(&w.profession),
            hours: w.hours.to_string(),
            fte: format_rounded(fte(w.hours, w.span)),
            provenance: Some(convert::provenance(&s.provenance)),
        }
    }
}

impl From<&Stored<HiredStaff>> for pb::HiredStaff {
    fn from(s: &Stored<HiredStaff>) -> Self {
        let h = &s.value;
        let figures = HiredStaffFigures::of(h);
        pb::HiredStaff {
            org_unit: convert::org_unit_name(&h.org_unit),
            span: Some(convert::span(h.span)),
            profession: profession_name(&h.profession),
            cost_sek: h.cost_sek,
            forecast_sek: h.forecast_sek,
            personnel_cost_sek: h.personnel_cost_sek,
            hours_requested: stored_decimal(h.hours_requested),
            hours_filled: stored_decimal(h.hours_filled),
            fte_requested: rounded(figures.fte_requested),
            fte_filled: rounded(figures.fte_filled),
            hired_share_percent: rounded(figures.hired_share_percent),
            provenance: Some(convert::provenance(&s.provenance)),
        }
    }
}

pub(super) fn gender_to_proto(g: SickLeaveGender) -> pb::SickLeaveGender {
    match g {
        SickLeaveGender::All => pb::SickLeaveGender::All,
        SickLeaveGender::Women => pb::SickLeaveGender::Women,
        SickLeaveGender::Men => pb::SickLeaveGender::Men,
    }
}

pub(super) fn age_band_to_proto(a: SickLeaveAgeBand) -> pb::SickLeaveAgeBand {
    match a {
        SickLeaveAgeBand::All => pb::SickLeaveAgeBand::All,
        SickLeaveAgeBand::Under30 => pb::SickLeaveAgeBand::Under30,
        SickLeaveAgeBand::From30To49 => pb::SickLeaveAgeBand::From30To49,
        SickLeaveAgeBand::From50 => pb::SickLeaveAgeBand::From50,
    }
}

pub(super) fn length_to_proto(l: SickLeaveLength) -> pb::SickLeaveLength {
    match l {
        SickLeaveLength::All => pb::SickLeaveLength::All,
        SickLeaveLength::Short => pb::SickLeaveLength::Short,
        SickLeaveLength::Medium => pb::SickLeaveLength::Medium,
        SickLeaveLength::Long => pb::SickLeaveLength::Long,
    }
}

impl From<&Stored<SickLeave>> for pb::SickLeave {
    fn from(s: &Stored<SickLeave>) -> Self {
        let l = &s.value;
        pb::SickLeave {
            org_unit: convert::org_unit_name(&l.org_unit),
            span: Some(convert::span(l.span)),
            gender: gender_to_proto(l.gender) as i32,
            age_band: age_band_to_proto(l.age_band) as i32,
            length: length_to_proto(l.length) as i32,
            rate_percent: l.rate_percent.to_string(),
            provenance: Some(convert::provenance(&s.provenance)),
        }
    }
}

impl From<&Stored<Position>> for pb::Position {
    fn from(s: &Stored<Position>) -> Self {
        let p = &s.value;
        pb::Position {
            org_unit: convert::org_unit_name(&p.org_unit),
            date: iso(p.date),
            profession: profession_name(&p.profession),
            fte_budget: p.fte_budget.to_string(),
            fte_needed: stored_decimal(p.fte_needed),
            fte_available_now: stored_decimal(p.fte_available_now),
            fte_available_in_3_months: stored_decimal(p.fte_available_in_3_months),
            fte_hired: stored_decimal(p.fte_hired),
            provenance: Some(convert::provenance(&s.provenance)),
            deviations: Some(deviations_to_proto(&PositionDeviations::of(
                &PositionColumns::of(p),
            ))),
        }
    }
}

fn deviations_to_proto(d: &PositionDeviations) -> pb::PositionDeviations {
    pb::PositionDeviations {
        budget_minus_available_now: exact(d.budget_minus_available_now),
        needed_minus_available_now: exact(d.needed_minus_available_now),
        available_now_minus_available_in_3_months: exact(
            d.available_now_minus_available_in_3_months,
        ),
        needed_minus_available_now_minus_hired: exact(d.needed_minus_available_now_minus_hired),
    }
}

// ---------------------------------------------------------------------------------------
// SummarizeStaffing

/// An exact compared figure (hours, hours requested): as summed, without trailing zeros.
fn exact_change(c: &Compared<Decimal>) -> pb::DecimalChange {
    pb::DecimalChange {
        value: exact(c.value),
        prior_year: exact(c.prior_year),
        change: exact(c.change()),
        change_percent: rounded(c.change_percent()),
    }
}

/// A rounded compared figure (FTE): each side with two decimals.
fn rounded_change(c: &Compared<Decimal>) -> pb::DecimalChange {
    pb::DecimalChange {
        value: rounded(c.value),
        prior_year: rounded(c.prior_year),
        change: rounded(c.change()),
        change_percent: rounded(c.change_percent()),
    }
}

fn money_change(c: &Compared<i64>) -> pb::MoneyChange {
    pb::MoneyChange {
        value_sek: c.value,
        prior_year_sek: c.prior_year,
        change_sek: c.change(),
        change_percent: rounded(c.change_percent()),
    }
}

fn count_change(c: &Compared<i64>) -> pb::CountChange {
    pb::CountChange {
        value: c.value,
        prior_year: c.prior_year,
        change: c.change(),
        change_percent: rounded(c.change_percent()),
    }
}

/// A rate and its change in percentage points; `show` formats a side.
fn rate_change(c: &Compared<Decimal>, show: fn(Option<Decimal>) -> String) -> pb::RateChange {
    pb::RateChange {
        value_percent: show(c.value),
        prior_year_percent: show(c.prior_year),
        change_points: show(c.change()),
    }
}

fn optional_profession(code: &Option<ProfessionCode>) -> String {
    code.as_ref().map(profession_name).unwrap_or_default()
}

fn worked_to_proto(r: &WorkedHoursRow) -> pb::WorkedHoursSummary {
    pb::WorkedHoursSummary {
        profession: optional_profession(&r.profession),
        hours: Some(exact_change(&r.hours)),
        fte: Some(rounded_change(&r.fte)),
    }
}

fn hired_to_proto(r: &HiredStaffRow) -> pb::HiredStaffSummary {
    pb::HiredStaffSummary {
        profession: optional_profession(&r.profession),
        cost: Some(money_change(&r.cost_sek)),
        forecast: Some(money_change(&r.forecast_sek)),
        personnel_cost: Some(money_change(&r.personnel_cost_sek)),
        hours_requested: Some(exact_change(&r.hours_requested)),
        hours_filled: Some(exact_change(&r.hours_filled)),
        hired_share: Some(rate_change(&r.hired_share_percent, rounded)),
        fte_requested: Some(rounded_change(&r.fte_requested)),
        fte_filled: Some(rounded_change(&r.fte_filled)),
        hours_unfilled: Some(exact_change(&r.hours_unfilled)),
    }
}

fn position_summary_to_proto(r: &PositionRow) -> pb::PositionSummary {
    let c = &r.columns;
    pb::PositionSummary {
        profession: optional_profession(&r.profession),
        fte_budget: exact(c.budget),
        fte_needed: exact(c.needed),
        fte_available_now: exact(c.available_now),
        fte_available_in_3_months: exact(c.available_in_3_months),
        fte_hired: exact(c.hired),
        deviations: Some(deviations_to_proto(&r.deviations)),
    }
}

/// One group's tables; `org_unit` is empty for the whole subtree.
fn staffing_group_to_proto(
    org_unit: Option<&OrgUnitCode>,
    g: &StaffingGroupSummary,
) -> pb::StaffingGroup {
    pb::StaffingGroup {
        org_unit: org_unit.map(convert::org_unit_name).unwrap_or_default(),
        worked_hours: g.worked_hours.iter().map(worked_to_proto).collect(),
        worked_hours_total: Some(worked_to_proto(&g.worked_hours_total)),
        hired_staff: g.hired_staff.iter().map(hired_to_proto).collect(),
        hired_staff_total: Some(hired_to_proto(&g.hired_staff_total)),
        headcounts: g
            .headcounts
            .iter()
            .map(|h| pb::HeadcountSummary {
                employee_group: h.employee_group.clone(),
                total: Some(count_change(&h.total)),
                women: Some(count_change(&h.women)),
                men: Some(count_change(&h.men)),
            })
            .collect(),
        sick_leave: g
            .sick_leave
            .iter()
            .map(|l| pb::SickLeaveSummary {
                gender: gender_to_proto(l.gender) as i32,
                age_band: age_band_to_proto(l.age_band) as i32,
                length: length_to_proto(l.length) as i32,
                rate: Some(rate_change(&l.rate, exact)),
            })
            .collect(),
        positions: g.positions.iter().map(position_summary_to_proto).collect(),
        positions_total: Some(position_summary_to_proto(&g.positions_total)),
    }
}

pub(super) fn staffing_report_to_proto(r: &StaffingReport) -> pb::SummarizeStaffingResponse {
    pb::SummarizeStaffingResponse {
        sources: convert::sources(&r.sources),
        org_unit: convert::org_unit_name(&r.unit),
        span: Some(convert::span(r.span)),
        prior_year_span: Some(convert::span(r.span.prior_year())),
        date: iso(r.date),
        prior_year_date: iso(r.prior_date),
        totals: Some(staffing_group_to_proto(None, &r.totals)),
        by_child_unit: r
            .by_child_unit
            .iter()
            .map(|(unit, summary)| staffing_group_to_proto(Some(unit), summary))
            .collect(),
        exact: r.is_exact(),
        inexact_spans: r
            .straddling
            .iter()
            .map(|(table, stored_span)| pb::InexactStaffingSpan {
                table: (*table).to_owned(),
                stored_span: Some(convert::span(*stored_span)),
            })
            .collect(),
        uncovered: r
            .uncovered
            .iter()
            .map(|(table, year, months)| pb::UncoveredStaffingMonths {
                table: (*table).to_owned(),
                fiscal_year: *year,
                months: months.iter().map(|m| i32::from(*m)).collect(),
            })
            .collect(),
    }
}
