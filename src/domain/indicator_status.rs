//! The one place where an indicator's outcome is judged against its target, exactly (decimal
//! arithmetic, no floats), and where judgements are counted for SummarizeIndicators.
//!
//! For a year, the outcome judged is the year's latest (the span ending last; of two ending
//! together, the longer); the target is the year's target. "Increase/decrease on prior year" compares with the prior year's outcome
//! over the same months; without one it is not comparable rather than guessed. A bare value
//! or a text-only target is never compared.

use super::indicator::{Comparator, IndicatorOutcome, IndicatorTarget, UnitOfMeasure};
use std::collections::BTreeMap;

/// How an indicator stands against its target for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attainment {
    Met,
    NotMet,
    /// Target and outcome exist but cannot be compared (text, bare value, other unit, no
    /// prior-year outcome, no target).
    NotComparable,
    /// No outcome for the year yet.
    NoOutcomeYet,
}

impl Attainment {
    pub const ALL: [Attainment; 4] = [
        Self::Met,
        Self::NotMet,
        Self::NotComparable,
        Self::NoOutcomeYet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::NotMet => "not_met",
            Self::NotComparable => "not_comparable",
            Self::NoOutcomeYet => "no_outcome_yet",
        }
    }
}

/// The judgement for one indicator and year, with what it was based on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub fiscal_year: i32,
    pub status: Attainment,
    /// Why, in words: "4.07 is at least 4.01", "the target is text only".
    pub reason: String,
    pub target: Option<IndicatorTarget>,
    pub outcome: Option<IndicatorOutcome>,
    /// The prior-year outcome an increase/decrease target was compared with.
    pub prior_outcome: Option<IndicatorOutcome>,
}

/// The outcome judged for `year`: the one whose span ends last, of those the longest
/// (cumulative Jan–Apr before April alone).
pub fn latest_outcome(outcomes: &[IndicatorOutcome], year: i32) -> Option<&IndicatorOutcome> {
    outcomes
        .iter()
        .filter(|o| o.span.fiscal_year == year)
        .max_by_key(|o| (o.span.to, std::cmp::Reverse(o.span.from)))
}

/// Judges `year` for an indicator measured in `unit`, given all its targets and outcomes.
pub fn evaluate(
    unit: UnitOfMeasure,
    targets: &[IndicatorTarget],
    outcomes: &[IndicatorOutcome],
    year: i32,
) -> Evaluation {
    let target = targets.iter().find(|t| t.fiscal_year == year).cloned();
    let outcome = latest_outcome(outcomes, year).cloned();
    let prior = outcome.as_ref().and_then(|o| {
        let months = o.span.prior_year();
        outcomes.iter().find(|p| p.span == months).cloned()
    });
    let (status, reason) = judge(unit, target.as_ref(), outcome.as_ref(), prior.as_ref());
    let uses_prior = target
        .as_ref()
        .is_some_and(|t| matches!(t.comparator, Comparator::Increase | Comparator::Decrease));
    Evaluation {
        fiscal_year: year,
        status,
        reason,
        target,
        outcome,
        prior_outcome: if uses_prior { prior } else { None },
    }
}

/// The years an indicator has a target or an outcome in, ascending.
pub fn years(targets: &[IndicatorTarget], outcomes: &[IndicatorOutcome]) -> Vec<i32> {
    let mut years: Vec<i32> = targets
        .iter()
        .map(|t| t.fiscal_year)
        .chain(outcomes.iter().map(|o| o.span.fiscal_year))
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// The judgement itself.
pub fn judge(
    unit: UnitOfMeasure,
    target: Option<&IndicatorTarget>,
    outcome: Option<&IndicatorOutcome>,
    prior: Option<&IndicatorOutcome>,
) -> (Attainment, String) {
    use Attainment::*;
    let Some(outcome) = outcome.filter(|o| o.value.is_some() || o.text.is_some()) else {
        return (NoOutcomeYet, "no outcome for the year yet".into());
    };
    let Some(target) = target else {
        return (NotComparable, "no target for the year".into());
    };
    match target.comparator {
        Comparator::Text => return (NotComparable, "the target is text only".into()),
        Comparator::Bare => {
            return (
                NotComparable,
                "the target is a value without a stated direction".into(),
            );
        }
        _ => {}
    }
    let Some(value) = outcome.value else {
        return (NotComparable, "the outcome is text only".into());
    };
    if target.unit_or(unit) != unit {
        return (
            NotComparable,
            format!(
                "the target is in {}, the indicator in {}",
                target.unit_or(unit).as_str(),
                unit.as_str()
            ),
        );
    }
    let verdict = |met: bool, text: String| (if met { Met } else { NotMet }, text);
    match (target.comparator, target.value) {
        (Comparator::Increase | Comparator::Decrease, _) => {
            let Some(prior_value) = prior.and_then(|p| p.value) else {
                return (
                    NotComparable,
                    "no prior-year outcome over the same months to compare with".into(),
                );
            };
            if target.comparator == Comparator::Increase {
                verdict(
                    value > prior_value,
                    format!("{value} against {prior_value} the prior year"),
                )
            } else {
                verdict(
                    value < prior_value,
                    format!("{value} against {prior_value} the prior year"),
                )
            }
        }
        (comparator, Some(goal)) => {
            let (met, words) = match comparator {
                Comparator::AtLeast => (value >= goal, "at least"),
                Comparator::AtMost => (value <= goal, "at most"),
                Comparator::Above => (value > goal, "above"),
                Comparator::Below => (value < goal, "below"),
                _ => (value == goal, "equal to"),
            };
            let is = if met { "is" } else { "is not" };
            verdict(met, format!("{value} {is} {words} {goal}"))
        }
        (_, None) => (NotComparable, "the target has no value".into()),
    }
}

/// How many indicators stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttainmentCounts {
    pub met: u32,
    pub not_met: u32,
    pub not_comparable: u32,
    pub no_outcome_yet: u32,
}

impl AttainmentCounts {
    pub fn add(&mut self, status: Attainment) {
        match status {
            Attainment::Met => self.met += 1,
            Attainment::NotMet => self.not_met += 1,
            Attainment::NotComparable => self.not_comparable += 1,
            Attainment::NoOutcomeYet => self.no_outcome_yet += 1,
        }
    }

    pub fn total(&self) -> u32 {
        self.met + self.not_met + self.not_comparable + self.no_outcome_yet
    }
}

/// Counts per (goal area, org unit), per goal area, and in total.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttainmentSummary {
    pub by_goal_area_unit: BTreeMap<(String, String), AttainmentCounts>,
    pub by_goal_area: BTreeMap<String, AttainmentCounts>,
    pub totals: AttainmentCounts,
}

/// Counts `(goal area, unit, status)` judgements.
pub fn summarize<'a>(
    judged: impl IntoIterator<Item = (&'a str, &'a str, Attainment)>,
) -> AttainmentSummary {
    let mut summary = AttainmentSummary::default();
    for (area, unit, status) in judged {
        summary
            .by_goal_area_unit
            .entry((area.to_owned(), unit.to_owned()))
            .or_default()
            .add(status);
        summary
            .by_goal_area
            .entry(area.to_owned())
            .or_default()
            .add(status);
        summary.totals.add(status);
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::IndicatorCode;
    use crate::domain::decimal::ExactDecimal;
    use crate::domain::period::MonthSpan;

    fn code() -> IndicatorCode {
        IndicatorCode::parse("x", "indicator").unwrap()
    }

    fn target(comparator: Comparator, value: Option<&str>) -> IndicatorTarget {
        IndicatorTarget {
            indicator: code(),
            fiscal_year: 2025,
            comparator,
            value: value.map(|v| ExactDecimal::parse(v, "value").unwrap()),
            unit: None,
            text: None,
        }
    }

    fn outcome(year: i32, value: Option<&str>) -> IndicatorOutcome {
        IndicatorOutcome {
            indicator: code(),
            span: MonthSpan::parse(year.into(), 1, 4, ["y", "f", "t"]).unwrap(),
            value: value.map(|v| ExactDecimal::parse(v, "value").unwrap()),
            text: value.is_none().then(|| "Ja".to_owned()),
            comment: None,
        }
    }

    fn status(t: &IndicatorTarget, o: Option<&IndicatorOutcome>) -> Attainment {
        judge(UnitOfMeasure::Percent, Some(t), o, None).0
    }

    #[test]
    fn value_comparators_are_exact() {
        let at_least = target(Comparator::AtLeast, Some("4.01"));
        assert_eq!(
            status(&at_least, Some(&outcome(2025, Some("4.07")))),
            Attainment::Met
        );
        assert_eq!(
            status(&at_least, Some(&outcome(2025, Some("4.01")))),
            Attainment::Met
        );
        assert_eq!(
            status(&at_least, Some(&outcome(2025, Some("4.0099")))),
            Attainment::NotMet
        );
        let at_most = target(Comparator::AtMost, Some("5"));
        assert_eq!(
            status(&at_most, Some(&outcome(2025, Some("7.2")))),
            Attainment::NotMet
        );
        let below = target(Comparator::Below, Some("1.75"));
        assert_eq!(
            status(&below, Some(&outcome(2025, Some("1.75")))),
            Attainment::NotMet
        );
        assert_eq!(
            status(&below, Some(&outcome(2025, Some("0.61")))),
            Attainment::Met
        );
        let above = target(Comparator::Above, Some("75"));
        assert_eq!(
            status(&above, Some(&outcome(2025, Some("75")))),
            Attainment::NotMet
        );
    }

    #[test]
    fn text_bare_missing_and_other_units_are_not_guessed() {
        let text = target(Comparator::Text, None);
        assert_eq!(
            status(&text, Some(&outcome(2025, None))),
            Attainment::NotComparable
        );
        assert_eq!(status(&text, None), Attainment::NoOutcomeYet);
        let bare = target(Comparator::Bare, Some("95"));
        assert_eq!(
            status(&bare, Some(&outcome(2025, Some("99")))),
            Attainment::NotComparable
        );
        let at_least = target(Comparator::AtLeast, Some("1"));
        assert_eq!(
            status(&at_least, Some(&outcome(2025, None))),
            Attainment::NotComparable
        );
        let mut other_unit = at_least.clone();
        other_unit.unit = Some(UnitOfMeasure::Count);
        assert_eq!(
            status(&other_unit, Some(&outcome(2025, Some("2")))),
            Attainment::NotComparable
        );
        assert_eq!(
            judge(
                UnitOfMeasure::Percent,
                None,
                Some(&outcome(2025, Some("2"))),
                None
            )
            .0,
            Attainment::NotComparable
        );
    }

    #[test]
    fn increase_compares_with_the_prior_year_over_the_same_months() {
        let targets = [target(Comparator::Increase, None)];
        let rising = [outcome(2024, Some("59")), outcome(2025, Some("64.3"))];
        let e = evaluate(UnitOfMeasure::Percent, &targets, &rising, 2025);
        assert_eq!(e.status, Attainment::Met);
        assert_eq!(e.prior_outcome.unwrap().span.fiscal_year, 2024);
        let flat = [outcome(2024, Some("64.3")), outcome(2025, Some("64.3"))];
        assert_eq!(
            evaluate(UnitOfMeasure::Percent, &targets, &flat, 2025).status,
            Attainment::NotMet
        );
        let alone = [outcome(2025, Some("64.3"))];
        assert_eq!(
            evaluate(UnitOfMeasure::Percent, &targets, &alone, 2025).status,
            Attainment::NotComparable
        );
        let decrease = [target(Comparator::Decrease, None)];
        let falling = [outcome(2024, Some("2")), outcome(2025, Some("1.5"))];
        assert_eq!(
            evaluate(UnitOfMeasure::Percent, &decrease, &falling, 2025).status,
            Attainment::Met
        );
    }

    #[test]
    fn counts_per_goal_area_and_unit() {
        let summary = summarize([
            ("A", "HSN", Attainment::Met),
            ("A", "HSN", Attainment::NotMet),
            ("B", "HSN", Attainment::NoOutcomeYet),
        ]);
        assert_eq!(summary.by_goal_area["A"].total(), 2);
        assert_eq!(summary.by_goal_area["B"].no_outcome_yet, 1);
        assert_eq!(summary.totals.met, 1);
    }
}
