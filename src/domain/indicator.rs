//! Goal follow-up: indicators (kortsiktiga nyckeltal, mätetal, verksamhetsmål) with their
//! targets per year and outcomes per span, and assignments (uppdrag). Whether an outcome
//! meets its target is derived in `indicator_status`, nowhere else.

use super::codes::{AssignmentCode, IndicatorCode, OrgUnitCode};
use super::decimal::ExactDecimal;
use super::period::MonthSpan;
use super::validation::Violation;
use crate::labelled_enum;

labelled_enum!(
    /// What an indicator's values measure. Targets and outcomes compare only within one unit.
    UnitOfMeasure, "a unit of measure" {
        Percent = "percent",
        Index = "index",
        Count = "count",
        Days = "days",
        Hours = "hours",
        Minutes = "minutes",
        Kronor = "kronor",
        /// A plain number without a unit, e.g. "0,61 utlok/100 vpl".
        Number = "number",
        /// 1 for yes ("Ja"), 0 for no.
        YesNo = "yes_no",
        /// Outcomes are text only.
        Text = "text",
    }
);

labelled_enum!(
    /// How a target is stated.
    Comparator, "a comparator" {
        /// "Minst 4,01": the outcome is at least the value.
        AtLeast = "at_least",
        /// "Högst 5 %", "Max 5 %": at most the value.
        AtMost = "at_most",
        /// "ska överstiga": strictly above the value.
        Above = "above",
        /// "Lägre än 1,75", "Kortare än 10 minuter": strictly below the value.
        Below = "below",
        /// Exactly the value.
        Equal = "equal",
        /// "ska öka jämfört med föregående år": above the prior year's outcome.
        Increase = "increase",
        /// "ska minska jämfört med föregående år": below the prior year's outcome.
        Decrease = "decrease",
        /// A value printed without a comparator ("95 %"): its direction is not stated, so it
        /// is not compared.
        Bare = "bare",
        /// Only text ("Genomförd aktivitet", "Kompletteras efter årets slut").
        Text = "text",
    }
);

impl Comparator {
    /// Comparators that need a value to compare with.
    pub fn needs_value(self) -> bool {
        matches!(
            self,
            Self::AtLeast | Self::AtMost | Self::Above | Self::Below | Self::Equal | Self::Bare
        )
    }
}

/// An indicator definition. `name` is the text as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub code: IndicatorCode,
    pub org_unit: OrgUnitCode,
    /// The goal area (målområde, prioriterat mål) as printed.
    pub goal_area: String,
    pub name: String,
    /// Who decided the indicator, e.g. "Hälso- och sjukvårdsnämnden".
    pub decided_by: Option<String>,
    pub unit: UnitOfMeasure,
    /// An id in a national comparison, e.g. a Kolada KPI id ("N79003").
    pub external_id: Option<String>,
}

/// An indicator's target for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorTarget {
    pub indicator: IndicatorCode,
    pub fiscal_year: i32,
    pub comparator: Comparator,
    pub value: Option<ExactDecimal>,
    /// The value's unit when it differs from the indicator's (then it is not compared).
    pub unit: Option<UnitOfMeasure>,
    /// The target as printed ("Minst 88 %", "Kompletteras efter årets slut").
    pub text: Option<String>,
}

impl IndicatorTarget {
    /// Checks that the comparator, value and text fit together; `fields` name the value and
    /// text fields.
    pub fn validate(&self, fields: [&str; 3]) -> Result<(), Violation> {
        let [comparator, value, text] = fields;
        match (self.comparator, self.value) {
            (c, None) if c.needs_value() => Err(Violation::new(
                value,
                format!("is required for comparator {}", c.as_str()),
            )),
            (Comparator::Text, Some(_)) => Err(Violation::new(
                value,
                "is not allowed with comparator text: give the target as text",
            )),
            (Comparator::Text, None) if self.text.is_none() => {
                Err(Violation::new(text, "is required for comparator text"))
            }
            (Comparator::Increase | Comparator::Decrease, Some(_)) => Err(Violation::new(
                comparator,
                "increase and decrease compare with the prior year's outcome and take no value",
            )),
            _ => Ok(()),
        }
    }

    /// The unit the value is stated in.
    pub fn unit_or(&self, indicator: UnitOfMeasure) -> UnitOfMeasure {
        self.unit.unwrap_or(indicator)
    }
}

/// An indicator's outcome for one span: a value, a text as printed ("Ja", "Pågående"), or
/// both, with the report's comment. Neither value nor text is an outcome not yet reported,
/// kept for its comment (why there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorOutcome {
    pub indicator: IndicatorCode,
    pub span: MonthSpan,
    pub value: Option<ExactDecimal>,
    pub text: Option<String>,
    pub comment: Option<String>,
}

/// An assignment (uppdrag) for one year, with its status and comment as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub code: AssignmentCode,
    pub org_unit: OrgUnitCode,
    pub goal_area: String,
    pub fiscal_year: i32,
    pub text: String,
    pub decided_by: Option<String>,
    pub status: Option<String>,
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(comparator: Comparator, value: Option<&str>, text: Option<&str>) -> IndicatorTarget {
        IndicatorTarget {
            indicator: IndicatorCode::parse("x", "indicator").unwrap(),
            fiscal_year: 2025,
            comparator,
            value: value.map(|v| ExactDecimal::parse(v, "value").unwrap()),
            unit: None,
            text: text.map(str::to_owned),
        }
    }

    const FIELDS: [&str; 3] = ["comparator", "value", "text"];

    #[test]
    fn comparator_value_and_text_must_fit() {
        assert!(
            target(Comparator::AtLeast, Some("4.01"), None)
                .validate(FIELDS)
                .is_ok()
        );
        assert_eq!(
            target(Comparator::AtLeast, None, Some("Minst"))
                .validate(FIELDS)
                .unwrap_err()
                .field,
            "value"
        );
        assert_eq!(
            target(Comparator::Text, None, None)
                .validate(FIELDS)
                .unwrap_err()
                .field,
            "text"
        );
        assert_eq!(
            target(Comparator::Increase, Some("1"), None)
                .validate(FIELDS)
                .unwrap_err()
                .field,
            "comparator"
        );
        assert!(
            target(Comparator::Increase, None, None)
                .validate(FIELDS)
                .is_ok()
        );
    }
}
