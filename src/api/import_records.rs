//! The Import RPC's records as text-format `key=value` pairs, so that they go through the
//! same parser (and the same validation and field names) as `uppsikt import`; and back: a
//! stored record as the Import RPC's message (the change feed), built from the pairs the
//! text format writes, field by field of the same name.

use crate::domain::category::Direction;
use crate::domain::indicator::{Comparator, UnitOfMeasure};
use crate::domain::investment::{FundingCategory, InvestmentKind, InvestmentStatus};
use crate::domain::org::OrgUnitKind;
use crate::domain::provenance::Source;
use crate::domain::scenario::Scenario;
use crate::domain::staffing::{SickLeaveAgeBand, SickLeaveGender, SickLeaveLength};
use crate::domain::validation::Violation;
use crate::import::parse::parse_record;
use crate::import::record::Record;
use crate::import::text::{format_record, tokenize};
use crate::proto::v1 as pb;
use crate::proto::v1::import_record::Kind as RecordKind;
use crate::store::StoreError;
use prost_reflect::{DynamicMessage, Kind, Value};

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
        RecordKind::OrgUnit(r) => {
            p.text("code", r.code)
                .text("name", r.name)
                .label("kind", org_unit_kind(r.kind))
                .text("parent", r.parent)
                .text("valid_from", r.valid_from)
                .text("valid_to", r.valid_to);
            "org_unit"
        }
        RecordKind::Category(r) => {
            p.text("code", r.code)
                .text("name", r.name)
                .label("direction", direction(r.direction))
                .text("parent", r.parent)
                .number("order", r.order);
            "category"
        }
        RecordKind::ProfessionGroup(r) => {
            p.text("code", r.code)
                .text("name", r.name)
                .text("parent", r.parent)
                .number("order", r.order);
            "profession_group"
        }
        RecordKind::BudgetLine(r) => {
            p.text("org_unit", r.org_unit)
                .text("category", r.category)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .label("scenario", scenario(r.scenario))
                .number("amount_sek", r.amount_sek);
            "budget_line"
        }
        RecordKind::Investment(r) => {
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
        RecordKind::InvestmentFigure(r) => {
            p.text("investment", r.investment)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .optional("budget_sek", r.budget_sek)
                .optional("outcome_sek", r.outcome_sek)
                .optional("outcome_since_start_sek", r.outcome_since_start_sek)
                .optional("forecast_sek", r.forecast_sek)
                .optional("carry_over_requested_sek", r.carry_over_requested_sek);
            "investment_figure"
        }
        RecordKind::Headcount(r) => {
            p.text("org_unit", r.org_unit)
                .text("date", r.date)
                .text("employee_group", r.employee_group)
                .number("total", r.total)
                .optional("women", r.women)
                .optional("men", r.men)
                .optional("unknown", r.unknown);
            "headcount"
        }
        RecordKind::WorkedHours(r) => {
            p.text("org_unit", r.org_unit)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .text("profession", r.profession)
                .text("hours", r.hours);
            "worked_hours"
        }
        RecordKind::HiredStaff(r) => {
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
        RecordKind::SickLeave(r) => {
            p.text("org_unit", r.org_unit)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .label("gender", gender(r.gender))
                .label("age_band", age_band(r.age_band))
                .label("length", length(r.length))
                .text("rate_percent", r.rate_percent);
            "sick_leave"
        }
        RecordKind::Position(r) => {
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
        RecordKind::Indicator(r) => {
            p.text("code", r.code)
                .text("org_unit", r.org_unit)
                .text("goal_area", r.goal_area)
                .text("name", r.name)
                .label("unit", unit_of_measure(r.unit))
                .text("decided_by", r.decided_by)
                .text("external_id", r.external_id);
            "indicator"
        }
        RecordKind::IndicatorTarget(r) => {
            p.text("indicator", r.indicator)
                .number("fiscal_year", r.fiscal_year)
                .label("comparator", comparator(r.comparator))
                .text("value", r.value)
                .label("unit", unit_of_measure(r.unit))
                .text("text", r.text);
            "indicator_target"
        }
        RecordKind::IndicatorOutcome(r) => {
            p.text("indicator", r.indicator)
                .span(r.fiscal_year, r.from_month, r.to_month)
                .text("value", r.value)
                .text("text", r.text)
                .text("comment", r.comment);
            "indicator_outcome"
        }
        RecordKind::Assignment(r) => {
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

/// The pairs of a retraction: a proto3 number left at 0 outside the key is "not given"
/// (proto3 cannot tell 0 from absent), so it is dropped; anything else outside the key stays
/// and is rejected by the parser, naming the field.
pub(super) fn retraction_pairs(kind: &str, pairs: Pairs) -> Vec<(String, String)> {
    let key = crate::import::record::key_fields(kind).unwrap_or_default();
    pairs
        .0
        .into_iter()
        .filter(|(name, value)| value != "0" || key.contains(&name.as_str()))
        .collect()
}

/// A record as the Import RPC's message, with `source` as the record's own document and
/// table: the pairs the text format writes for it, each set on the field of the same name.
pub fn record_to_proto(record: &Record, source: &Source) -> Result<pb::ImportRecord, StoreError> {
    let corrupt =
        |what: String| StoreError::Corrupt(format!("{} as a proto: {what}", record.kind()));
    let (kind, pairs) = tokenize(&format_record(record)).map_err(|v| corrupt(v.to_string()))?;
    let outer = crate::proto::POOL
        .get_message_by_name("uppsikt.v1.ImportRecord")
        .ok_or_else(|| corrupt("ImportRecord is not in the descriptor set".into()))?;
    let kind_field = outer
        .get_field_by_name(&kind)
        .ok_or_else(|| corrupt(format!("ImportRecord has no field {kind}")))?;
    let Kind::Message(descriptor) = kind_field.kind() else {
        return Err(corrupt(format!("ImportRecord.{kind} is not a message")));
    };
    let mut message = DynamicMessage::new(descriptor.clone());
    for (name, text) in pairs {
        let field = descriptor
            .get_field_by_name(&name)
            .ok_or_else(|| corrupt(format!("no field {name}")))?;
        let bad = || corrupt(format!("{name}={text:?}"));
        let value = match field.kind() {
            Kind::String => Value::String(text),
            Kind::Int32 => Value::I32(text.parse().map_err(|_| bad())?),
            Kind::Int64 => Value::I64(text.parse().map_err(|_| bad())?),
            Kind::Bool => Value::Bool(text == "yes"),
            Kind::Enum(e) => Value::EnumNumber(
                e.values()
                    .map(|v| v.number())
                    .find(|n| enum_label(e.full_name(), *n) == Some(text.as_str()))
                    .ok_or_else(bad)?,
            ),
            _ => return Err(bad()),
        };
        message.set_field(&field, value);
    }
    let mut record = DynamicMessage::new(outer);
    record.set_field(&kind_field, Value::Message(message));
    let mut record: pb::ImportRecord = record.transcode_to().map_err(|e| corrupt(e.to_string()))?;
    record.document = source.document.clone();
    record.table = source.table.clone().unwrap_or_default();
    Ok(record)
}

/// An Import RPC record as a validated record, exactly as the Import RPC reads it (its
/// own document, or `default` when it names none).
pub fn record_from_proto(
    record: pb::ImportRecord,
    default: &Source,
) -> Result<Record, Vec<Violation>> {
    let Some((kind, pairs)) = record_pairs(record) else {
        return Err(vec![Violation::new("kind", "is required")]);
    };
    parse_record(kind, pairs.0, Some(default))
}

/// The text-format label of a number of the proto enum `full_name`.
fn enum_label(full_name: &str, number: i32) -> Option<&'static str> {
    let label: fn(i32) -> Result<Option<&'static str>, i32> =
        match full_name.strip_prefix("uppsikt.v1.")? {
            "OrgUnitKind" => org_unit_kind,
            "Direction" => direction,
            "Scenario" => scenario,
            "InvestmentKind" => investment_kind,
            "FundingCategory" => funding,
            "InvestmentStatus" => status,
            "SickLeaveGender" => gender,
            "SickLeaveAgeBand" => age_band,
            "SickLeaveLength" => length,
            "UnitOfMeasure" => unit_of_measure,
            "Comparator" => comparator,
            _ => return None,
        };
    label(number).ok().flatten()
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
