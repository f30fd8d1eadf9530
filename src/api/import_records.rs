//! The Import RPC's records as text-format `key=value` pairs, so that they go through the
//! same parser (and the same validation and field names) as `uppsikt import`.

use crate::domain::category::Direction;
use crate::domain::indicator::{Comparator, UnitOfMeasure};
use crate::domain::investment::{FundingCategory, InvestmentKind, InvestmentStatus};
use crate::domain::org::OrgUnitKind;
use crate::domain::scenario::Scenario;
use crate::domain::staffing::{SickLeaveAgeBand, SickLeaveGender, SickLeaveLength};
use crate::proto::v1 as pb;
use crate::proto::v1::import_record::Kind;

/// A record's fields as text-format `key=value` pairs. An empty string and an absent
/// optional are left out (the field is not given); an enum's unspecified value too, and an
/// unknown enum number is passed as its number, which the parser rejects naming the field.
#[derive(Default)]
pub(super) struct Pairs(pub(super) Vec<(String, String)>);

impl Pairs {
    fn text(&mut self, key: &str, value: String) -> &mut Self {
        if !value.is_empty() {
            self.0.push((key.to_owned(), value));
        }
        self
    }

    fn number(&mut self, key: &str, value: impl ToString) -> &mut Self {
        self.0.push((key.to_owned(), value.to_string()));
        self
    }

    fn optional(&mut self, key: &str, value: Option<impl ToString>) -> &mut Self {
        if let Some(value) = value {
            self.number(key, value);
        }
        self
    }

    fn label(&mut self, key: &str, value: Result<Option<&'static str>, i32>) -> &mut Self {
        match value {
            Ok(Some(label)) => self.text(key, label.to_owned()),
            Ok(None) => self,
            Err(number) => self.number(key, number),
        }
    }

    fn span(&mut self, fiscal_year: i32, from_month: i32, to_month: i32) -> &mut Self {
        self.number("fiscal_year", fiscal_year)
            .number("from_month", from_month)
            .number("to_month", to_month)
    }
}

/// The text-format kind and fields of a record; `None` when no kind is set.
pub(super) fn record_pairs(record: pb::ImportRecord) -> Option<(&'static str, Pairs)> {
    let mut p = Pairs::default();
    p.text("document", record.document)
        .text("table", record.table);
    let kind = match record.kind? {
        Kind::OrgUnit(r) => {
            p.text("code", r.code)
                .text("name", r.name)
                .label("kind", org_unit_kind(r.kind))
                .text("parent", r.parent)
                .text("valid_from", r.valid_from)
                .text("valid_to", r.valid_to);
            "org_unit"
        }
        Kind::Category(r) => {
            p.text("code", r.code)
                .text("name", r.name)
                .label("direction", direction(r.direction))
                .text("parent", r.parent)
                .number("order", r.order);
            "category"
        }
        Kind::ProfessionGroup(r) => {
            p.text("code", r.code)
                .text("name", r.name)
                .text("parent", r.parent)
                .number("order", r.order);
            "profession_group"
        }
        Kind::BudgetLine(r) => {
            p.text("org_unit", r.org_unit)
                .text("category", r.category)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .label("scenario", scenario(r.scenario))
                .number("amount_sek", r.amount_sek);
            "budget_line"
        }
        Kind::Investment(r) => {
            p.text("id", r.id)
                .text("org_unit", r.org_unit)
                .text("name", r.name)
                .label("kind", investment_kind(r.kind))
                .label("funding", funding(r.funding))
                .text("decision", r.decision)
                .optional("decided_year", r.decided_year)
                .label("status", status(r.status))
                .optional("total_budget_sek", r.total_budget_sek)
                .text("planned_completion", r.planned_completion)
                .optional(
                    "procurement_contacted",
                    r.procurement_contacted
                        .map(|yes| if yes { "yes" } else { "no" }),
                )
                .text("comment", r.comment);
            "investment"
        }
        Kind::InvestmentFigure(r) => {
            p.text("investment", r.investment)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .optional("budget_sek", r.budget_sek)
                .optional("outcome_sek", r.outcome_sek)
                .optional("outcome_since_start_sek", r.outcome_since_start_sek)
                .optional("forecast_sek", r.forecast_sek)
                .optional("carry_over_requested_sek", r.carry_over_requested_sek);
            "investment_figure"
        }
        Kind::Headcount(r) => {
            p.text("org_unit", r.org_unit)
                .text("date", r.date)
                .text("employee_group", r.employee_group)
                .number("total", r.total)
                .optional("women", r.women)
                .optional("men", r.men)
                .optional("unknown", r.unknown);
            "headcount"
        }
        Kind::WorkedHours(r) => {
            p.text("org_unit", r.org_unit)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .text("profession", r.profession)
                .text("hours", r.hours);
            "worked_hours"
        }
        Kind::HiredStaff(r) => {
            p.text("org_unit", r.org_unit)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .text("profession", r.profession)
                .optional("cost_sek", r.cost_sek)
                .optional("forecast_sek", r.forecast_sek)
                .text("hours_requested", r.hours_requested)
                .text("hours_filled", r.hours_filled)
                .optional("personnel_cost_sek", r.personnel_cost_sek);
            "hired_staff"
        }
        Kind::SickLeave(r) => {
            p.text("org_unit", r.org_unit)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .label("gender", gender(r.gender))
                .label("age_band", age_band(r.age_band))
                .label("length", length(r.length))
                .text("rate_percent", r.rate_percent);
            "sick_leave"
        }
        Kind::Position(r) => {
            p.text("org_unit", r.org_unit)
                .text("date", r.date)
                .text("profession", r.profession)
                .text("fte_budget", r.fte_budget)
                .text("fte_needed", r.fte_needed)
                .text("fte_available_now", r.fte_available_now)
                .text("fte_available_in_3_months", r.fte_available_in_3_months)
                .text("fte_hired", r.fte_hired);
            "position"
        }
        Kind::Indicator(r) => {
            p.text("code", r.code)
                .text("org_unit", r.org_unit)
                .text("goal_area", r.goal_area)
                .text("name", r.name)
                .label("unit", unit_of_measure(r.unit))
                .text("decided_by", r.decided_by)
                .text("external_id", r.external_id);
            "indicator"
        }
        Kind::IndicatorTarget(r) => {
            p.text("indicator", r.indicator)
                .number("fiscal_year", r.fiscal_year)
                .label("comparator", comparator(r.comparator))
                .text("value", r.value)
                .label("unit", unit_of_measure(r.unit))
                .text("text", r.text);
            "indicator_target"
        }
        Kind::IndicatorOutcome(r) => {
            p.text("indicator", r.indicator)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .text("value", r.value)
                .text("text", r.text)
                .text("comment", r.comment);
            "indicator_outcome"
        }
        Kind::Assignment(r) => {
            p.text("code", r.code)
                .text("org_unit", r.org_unit)
                .text("goal_area", r.goal_area)
                .number("fiscal_year", r.fiscal_year)
                .text("text", r.text)
                .text("decided_by", r.decided_by)
                .text("status", r.status)
                .text("comment", r.comment);
            "assignment"
        }
    };
    Some((kind, p))
}

/// A proto enum value as its text-format label: `Ok(None)` for unspecified, `Err(number)`
/// for a number the proto does not define.
macro_rules! labels {
    ($(fn $name:ident($proto:ty) { $($variant:ident => $label:expr),+ $(,)? })+) => {
        $(
            fn $name(value: i32) -> Result<Option<&'static str>, i32> {
                match <$proto>::try_from(value) {
                    Ok(<$proto>::Unspecified) => Ok(None),
                    $(Ok(<$proto>::$variant) => Ok(Some($label.as_str())),)+
                    Err(_) => Err(value),
                }
            }
        )+
    };
}

labels! {
    fn org_unit_kind(pb::OrgUnitKind) {
        Region => OrgUnitKind::Region,
        Committee => OrgUnitKind::Committee,
        Division => OrgUnitKind::Division,
        Area => OrgUnitKind::Area,
        Department => OrgUnitKind::Department,
        CostCentre => OrgUnitKind::CostCentre,
    }
    fn direction(pb::Direction) {
        Income => Direction::Income,
        Cost => Direction::Cost,
        Net => Direction::Net,
    }
    fn scenario(pb::Scenario) {
        Actual => Scenario::Actual,
        Budget => Scenario::Budget,
        Forecast => Scenario::Forecast,
        Plan => Scenario::Plan,
    }
    fn investment_kind(pb::InvestmentKind) {
        New => InvestmentKind::New,
        Reinvestment => InvestmentKind::Reinvestment,
    }
    fn funding(pb::FundingCategory) {
        Frame => FundingCategory::Frame,
        Unforeseen => FundingCategory::Unforeseen,
        Extra => FundingCategory::Extra,
        CarriedOver => FundingCategory::CarriedOver,
        OutsideFrame => FundingCategory::OutsideFrame,
    }
    fn status(pb::InvestmentStatus) {
        Planned => InvestmentStatus::Planned,
        Ongoing => InvestmentStatus::Ongoing,
        Completed => InvestmentStatus::Completed,
        Cancelled => InvestmentStatus::Cancelled,
    }
    fn gender(pb::SickLeaveGender) {
        All => SickLeaveGender::All,
        Women => SickLeaveGender::Women,
        Men => SickLeaveGender::Men,
    }
    fn age_band(pb::SickLeaveAgeBand) {
        All => SickLeaveAgeBand::All,
        Under30 => SickLeaveAgeBand::Under30,
        From30To49 => SickLeaveAgeBand::From30To49,
        From50 => SickLeaveAgeBand::From50,
    }
    fn unit_of_measure(pb::UnitOfMeasure) {
        Percent => UnitOfMeasure::Percent,
        Index => UnitOfMeasure::Index,
        Count => UnitOfMeasure::Count,
        Days => UnitOfMeasure::Days,
        Hours => UnitOfMeasure::Hours,
        Minutes => UnitOfMeasure::Minutes,
        Kronor => UnitOfMeasure::Kronor,
        Number => UnitOfMeasure::Number,
        YesNo => UnitOfMeasure::YesNo,
        Text => UnitOfMeasure::Text,
    }
    fn comparator(pb::Comparator) {
        AtLeast => Comparator::AtLeast,
        AtMost => Comparator::AtMost,
        Above => Comparator::Above,
        Below => Comparator::Below,
        Equal => Comparator::Equal,
        Increase => Comparator::Increase,
        Decrease => Comparator::Decrease,
        Bare => Comparator::Bare,
        Text => Comparator::Text,
    }
    fn length(pb::SickLeaveLength) {
        All => SickLeaveLength::All,
        Short => SickLeaveLength::Short,
        Medium => SickLeaveLength::Medium,
        Long => SickLeaveLength::Long,
    }
}
