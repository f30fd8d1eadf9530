//! What the text of a string field is when it is not free text: an exact decimal
//! ("2875.85"), an ISO date ("2025-04-30") or an RFC 3339 instant. The contract keeps these
//! as strings (API.md); this registry says which fields they are, for the spreadsheet cells
//! (numbers, dates) and the OpenAPI schemas (patterns, formats). Its tests hold it against
//! the descriptor set: every entry is a string field, and every string field whose comment
//! speaks of a decimal, an ISO date, RFC 3339, percent or FTE is in it.

use prost_reflect::{FieldDescriptor, Kind};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The format of a string field's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Free text, codes and resource names.
    Plain,
    /// An exact decimal with `.` as decimal mark: "2875.85", "-30.78".
    Decimal,
    /// An ISO 8601 calendar date: "2025-04-30".
    Date,
    /// An RFC 3339 instant: "2025-05-23T12:00:00.123456Z".
    Instant,
}

/// The fields, by name within `uppsikt.v1`.
const DECIMALS: &[&str] = &[
    "Figures.change_percent",
    "WorkedHours.hours",
    "WorkedHours.fte",
    "HiredStaff.hours_requested",
    "HiredStaff.hours_filled",
    "HiredStaff.fte_requested",
    "HiredStaff.fte_filled",
    "HiredStaff.hired_share_percent",
    "SickLeave.rate_percent",
    "Position.fte_budget",
    "Position.fte_needed",
    "Position.fte_available_now",
    "Position.fte_available_in_3_months",
    "Position.fte_hired",
    "PositionDeviations.budget_minus_available_now",
    "PositionDeviations.needed_minus_available_now",
    "PositionDeviations.available_now_minus_available_in_3_months",
    "PositionDeviations.needed_minus_available_now_minus_hired",
    "DecimalChange.value",
    "DecimalChange.prior_year",
    "DecimalChange.change",
    "DecimalChange.change_percent",
    "MoneyChange.change_percent",
    "CountChange.change_percent",
    "RateChange.value_percent",
    "RateChange.prior_year_percent",
    "RateChange.change_points",
    "PositionSummary.fte_budget",
    "PositionSummary.fte_needed",
    "PositionSummary.fte_available_now",
    "PositionSummary.fte_available_in_3_months",
    "PositionSummary.fte_hired",
    "IndicatorTarget.value",
    "IndicatorOutcome.value",
    "WorkedHoursRecord.hours",
    "HiredStaffRecord.hours_requested",
    "HiredStaffRecord.hours_filled",
    "SickLeaveRecord.rate_percent",
    "PositionRecord.fte_budget",
    "PositionRecord.fte_needed",
    "PositionRecord.fte_available_now",
    "PositionRecord.fte_available_in_3_months",
    "PositionRecord.fte_hired",
    "IndicatorTargetRecord.value",
    "IndicatorOutcomeRecord.value",
];

const DATES: &[&str] = &[
    "OrgUnit.valid_from",
    "OrgUnit.valid_to",
    "Headcount.date",
    "Position.date",
    "SummarizeStaffingResponse.date",
    "SummarizeStaffingResponse.prior_year_date",
    "OrgUnitRecord.valid_from",
    "OrgUnitRecord.valid_to",
    "HeadcountRecord.date",
    "PositionRecord.date",
    "ListBudgetLinesRequest.structure_date",
    "SummarizeBudgetRequest.structure_date",
    "ListIndicatorsRequest.structure_date",
    "SummarizeIndicatorsRequest.structure_date",
    "ListAssignmentsRequest.structure_date",
    "ListInvestmentsRequest.structure_date",
    "SummarizeInvestmentsRequest.structure_date",
    "GetOrgUnitRequest.structure_date",
    "ListOrgUnitsRequest.structure_date",
    "ListHeadcountsRequest.from_date",
    "ListHeadcountsRequest.to_date",
    "ListHeadcountsRequest.structure_date",
    "ListWorkedHoursRequest.structure_date",
    "ListHiredStaffRequest.structure_date",
    "ListSickLeaveRequest.structure_date",
    "ListPositionsRequest.from_date",
    "ListPositionsRequest.to_date",
    "ListPositionsRequest.structure_date",
    "SummarizeStaffingRequest.date",
    "SummarizeStaffingRequest.structure_date",
];

const INSTANTS: &[&str] = &[
    "Provenance.recorded_at",
    "Provenance.superseded_at",
    "Import.recorded_at",
    "ImportResponse.recorded_at",
];

/// The package the names above are in.
const PACKAGE: &str = "uppsikt.v1";

static REGISTRY: LazyLock<HashMap<String, TextFormat>> = LazyLock::new(|| {
    let lists = [
        (DECIMALS, TextFormat::Decimal),
        (DATES, TextFormat::Date),
        (INSTANTS, TextFormat::Instant),
    ];
    lists
        .into_iter()
        .flat_map(|(names, format)| {
            names
                .iter()
                .map(move |name| (format!("{PACKAGE}.{name}"), format))
        })
        .collect()
});

/// The format of `field`'s text; `Plain` for anything but a registered string field.
pub fn of(field: &FieldDescriptor) -> TextFormat {
    if field.kind() != Kind::String {
        return TextFormat::Plain;
    }
    REGISTRY
        .get(field.full_name())
        .copied()
        .unwrap_or(TextFormat::Plain)
}

/// Whether `field` holds money: whole kronor in an int64 whose name ends in `_sek`.
pub fn is_money(field: &FieldDescriptor) -> bool {
    field.kind() == Kind::Int64 && field.name().ends_with("_sek")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::comments;
    use crate::proto::POOL;

    #[test]
    fn every_entry_is_a_string_field_of_the_api() {
        for name in REGISTRY.keys() {
            let (message, field) = name.rsplit_once('.').expect("Message.field");
            let message = POOL
                .get_message_by_name(message)
                .unwrap_or_else(|| panic!("{name}: no such message"));
            let field = message
                .get_field_by_name(field)
                .unwrap_or_else(|| panic!("{name}: no such field"));
            assert_eq!(field.kind(), Kind::String, "{name}");
        }
    }

    #[test]
    fn every_string_field_described_as_a_decimal_date_or_instant_is_registered() {
        let mut checked = 0;
        for message in POOL.all_messages() {
            if message.package_name() != PACKAGE {
                continue;
            }
            for field in message.fields() {
                if field.kind() != Kind::String {
                    continue;
                }
                let comment = comments::field(&field).to_lowercase();
                let expected = if comment.contains("iso date") || comment.contains("iso 8601") {
                    Some(TextFormat::Date)
                } else if comment.contains("rfc 3339") {
                    Some(TextFormat::Instant)
                } else if comment
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|word| ["decimal", "decimals", "percent", "fte", "hours"].contains(&word))
                {
                    Some(TextFormat::Decimal)
                } else {
                    None
                };
                if let Some(expected) = expected {
                    checked += 1;
                    assert_eq!(of(&field), expected, "{}: {comment}", field.full_name());
                }
            }
        }
        assert!(checked > 40, "the comments were read ({checked} fields)");
    }
}
