//! Indicator and assignment domain values ⇄ proto messages.

use super::convert;
use super::request;
use crate::domain::codes::{AssignmentCode, IndicatorCode};
use crate::domain::indicator::{
    Assignment, Comparator, IndicatorOutcome, IndicatorTarget, UnitOfMeasure,
};
use crate::domain::indicator_status::{Attainment, AttainmentCounts, Evaluation};
use crate::domain::provenance::Provenance;
use crate::domain::validation::Violation;
use crate::proto::v1 as pb;
use crate::store::indicator::StoredIndicator;
use crate::store::listing::Stored;

pub use crate::domain::codes::{ASSIGNMENTS, INDICATORS};

pub fn indicator_name(code: &IndicatorCode) -> String {
    super::convert::resource_name(INDICATORS, code.as_str())
}

pub fn assignment_name(code: &AssignmentCode) -> String {
    super::convert::resource_name(ASSIGNMENTS, code.as_str())
}

pub fn unit(u: UnitOfMeasure) -> pb::UnitOfMeasure {
    match u {
        UnitOfMeasure::Percent => pb::UnitOfMeasure::Percent,
        UnitOfMeasure::Index => pb::UnitOfMeasure::Index,
        UnitOfMeasure::Count => pb::UnitOfMeasure::Count,
        UnitOfMeasure::Days => pb::UnitOfMeasure::Days,
        UnitOfMeasure::Hours => pb::UnitOfMeasure::Hours,
        UnitOfMeasure::Minutes => pb::UnitOfMeasure::Minutes,
        UnitOfMeasure::Kronor => pb::UnitOfMeasure::Kronor,
        UnitOfMeasure::Number => pb::UnitOfMeasure::Number,
        UnitOfMeasure::YesNo => pb::UnitOfMeasure::YesNo,
        UnitOfMeasure::Text => pb::UnitOfMeasure::Text,
    }
}

pub fn comparator(c: Comparator) -> pb::Comparator {
    match c {
        Comparator::AtLeast => pb::Comparator::AtLeast,
        Comparator::AtMost => pb::Comparator::AtMost,
        Comparator::Above => pb::Comparator::Above,
        Comparator::Below => pb::Comparator::Below,
        Comparator::Equal => pb::Comparator::Equal,
        Comparator::Increase => pb::Comparator::Increase,
        Comparator::Decrease => pb::Comparator::Decrease,
        Comparator::Bare => pb::Comparator::Bare,
        Comparator::Text => pb::Comparator::Text,
    }
}

pub fn status(s: Attainment) -> pb::IndicatorStatus {
    match s {
        Attainment::Met => pb::IndicatorStatus::Met,
        Attainment::NotMet => pb::IndicatorStatus::NotMet,
        Attainment::NotComparable => pb::IndicatorStatus::NotComparable,
        Attainment::NoOutcomeYet => pb::IndicatorStatus::NoOutcomeYet,
    }
}

/// A status filter; `Ok(None)` for unspecified, an error for an unknown number.
pub fn status_filter(value: i32, field: &str) -> Result<Option<Attainment>, Violation> {
    match pb::IndicatorStatus::try_from(value) {
        Ok(pb::IndicatorStatus::Unspecified) => Ok(None),
        Ok(pb::IndicatorStatus::Met) => Ok(Some(Attainment::Met)),
        Ok(pb::IndicatorStatus::NotMet) => Ok(Some(Attainment::NotMet)),
        Ok(pb::IndicatorStatus::NotComparable) => Ok(Some(Attainment::NotComparable)),
        Ok(pb::IndicatorStatus::NoOutcomeYet) => Ok(Some(Attainment::NoOutcomeYet)),
        Err(_) => Err(request::unknown_enum(field, value, "indicator status")),
    }
}

fn target(t: &IndicatorTarget, provenance: Option<&Provenance>) -> pb::IndicatorTarget {
    pb::IndicatorTarget {
        fiscal_year: t.fiscal_year,
        comparator: comparator(t.comparator) as i32,
        value: t.value.map(|v| v.to_string()).unwrap_or_default(),
        unit: t.unit.map_or(pb::UnitOfMeasure::Unspecified, unit) as i32,
        text: t.text.clone().unwrap_or_default(),
        provenance: provenance.map(convert::provenance),
    }
}

fn outcome(o: &IndicatorOutcome, provenance: Option<&Provenance>) -> pb::IndicatorOutcome {
    pb::IndicatorOutcome {
        span: Some(convert::span(o.span)),
        value: o.value.map(|v| v.to_string()).unwrap_or_default(),
        text: o.text.clone().unwrap_or_default(),
        comment: o.comment.clone().unwrap_or_default(),
        provenance: provenance.map(convert::provenance),
    }
}

/// An evaluation, with the provenance of the target and outcomes it used looked up in
/// `stored`.
fn evaluation(e: &Evaluation, stored: &StoredIndicator) -> pb::IndicatorEvaluation {
    let target_provenance =
        |t: &IndicatorTarget| stored.targets.iter().find(|(s, _)| s == t).map(|(_, p)| p);
    let outcome_provenance =
        |o: &IndicatorOutcome| stored.outcomes.iter().find(|(s, _)| s == o).map(|(_, p)| p);
    pb::IndicatorEvaluation {
        fiscal_year: e.fiscal_year,
        status: status(e.status) as i32,
        reason: e.reason.clone(),
        target: e.target.as_ref().map(|t| target(t, target_provenance(t))),
        outcome: e
            .outcome
            .as_ref()
            .map(|o| outcome(o, outcome_provenance(o))),
        prior_outcome: e
            .prior_outcome
            .as_ref()
            .map(|o| outcome(o, outcome_provenance(o))),
    }
}

/// An indicator with the targets and outcomes of `year` (every year when `None`) and the
/// given evaluations.
pub fn indicator(
    stored: &StoredIndicator,
    year: Option<i32>,
    evaluations: &[Evaluation],
) -> pb::Indicator {
    let i = &stored.indicator;
    let in_year = |y: i32| year.is_none_or(|year| year == y);
    pb::Indicator {
        name: indicator_name(&i.code),
        code: i.code.to_string(),
        org_unit: convert::org_unit_name(&i.org_unit),
        goal_area: i.goal_area.clone(),
        display_name: i.name.clone(),
        decided_by: i.decided_by.clone().unwrap_or_default(),
        unit: unit(i.unit) as i32,
        external_id: i.external_id.clone().unwrap_or_default(),
        provenance: Some(convert::provenance(&stored.provenance)),
        targets: stored
            .targets
            .iter()
            .filter(|(t, _)| in_year(t.fiscal_year))
            .map(|(t, p)| target(t, Some(p)))
            .collect(),
        outcomes: stored
            .outcomes
            .iter()
            .filter(|(o, _)| in_year(o.span.fiscal_year))
            .map(|(o, p)| outcome(o, Some(p)))
            .collect(),
        evaluations: evaluations.iter().map(|e| evaluation(e, stored)).collect(),
    }
}

pub fn counts(c: &AttainmentCounts) -> pb::IndicatorCounts {
    let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    pb::IndicatorCounts {
        met: n(c.met),
        not_met: n(c.not_met),
        not_comparable: n(c.not_comparable),
        no_outcome_yet: n(c.no_outcome_yet),
        total: n(c.total()),
    }
}

impl From<&Stored<Assignment>> for pb::Assignment {
    fn from(stored: &Stored<Assignment>) -> Self {
        let (a, provenance) = (&stored.value, &stored.provenance);
        pb::Assignment {
            name: assignment_name(&a.code),
            code: a.code.to_string(),
            org_unit: convert::org_unit_name(&a.org_unit),
            goal_area: a.goal_area.clone(),
            fiscal_year: a.fiscal_year,
            text: a.text.clone(),
            decided_by: a.decided_by.clone().unwrap_or_default(),
            status: a.status.clone().unwrap_or_default(),
            comment: a.comment.clone().unwrap_or_default(),
            provenance: Some(convert::provenance(provenance)),
        }
    }
}
