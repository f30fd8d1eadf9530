//! The sums the investment reports print, computed here and nowhere else: budget and outcome
//! per child unit, per funding category, per status, per (funding category, status), and the
//! grand totals, with the number of objects behind each sum.

use super::codes::{InvestmentId, OrgUnitCode};
use super::investment::{FundingCategory, InvestmentKind, InvestmentStatus};
use super::period::MonthSpan;
use std::collections::{BTreeMap, BTreeSet};

/// Summed budget and outcome of a group; a sum is `None` when no summed figure reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvestmentSums {
    pub budget_sek: Option<i64>,
    pub outcome_sek: Option<i64>,
    /// Objects with at least one summed figure.
    pub object_count: usize,
}

impl InvestmentSums {
    /// Adds a disjoint group: every object lies in exactly one cell (its unit, funding,
    /// status and kind are the object's own), so object counts add up.
    fn absorb(&mut self, other: &InvestmentSums) {
        for (target, value) in [
            (&mut self.budget_sek, other.budget_sek),
            (&mut self.outcome_sek, other.outcome_sek),
        ] {
            if let Some(value) = value {
                *target = Some(target.unwrap_or(0).saturating_add(value));
            }
        }
        self.object_count += other.object_count;
    }
}

/// The figures inside the asked span of the objects of one child unit (or the asked unit)
/// with one funding category, status and kind, summed by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvestmentCell {
    pub unit: OrgUnitCode,
    pub funding: FundingCategory,
    pub status: InvestmentStatus,
    pub kind: InvestmentKind,
    pub sums: InvestmentSums,
}

/// A stored figure left out because its span straddles the asked span.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InexactInvestmentSpan {
    pub investment: InvestmentId,
    pub stored_span: MonthSpan,
}

/// The sums of one summary; every group list holds only groups with some object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvestmentSummary {
    /// Ordered by unit code.
    pub by_child_unit: Vec<(OrgUnitCode, InvestmentSums)>,
    /// In the order of the funding categories.
    pub by_funding: Vec<(FundingCategory, InvestmentSums)>,
    /// In the order of the statuses.
    pub by_status: Vec<(InvestmentStatus, InvestmentSums)>,
    /// By funding category, then status.
    pub by_funding_status: Vec<((FundingCategory, InvestmentStatus), InvestmentSums)>,
    pub totals: InvestmentSums,
    /// Ordered by object id, then span.
    pub inexact_spans: Vec<InexactInvestmentSpan>,
    /// Months of the asked span that no summed figure covers (empty when nothing was summed).
    pub uncovered_months: Vec<u8>,
}

impl InvestmentSummary {
    /// True when the sums answer the asked span exactly: no figure touching it was left
    /// out, and the summed figures cover every asked month (Jan–Apr figures do not answer a
    /// question about the full year).
    pub fn is_exact(&self) -> bool {
        self.inexact_spans.is_empty() && self.uncovered_months.is_empty()
    }

    pub fn funding_status(
        &self,
        funding: FundingCategory,
        status: InvestmentStatus,
    ) -> Option<&InvestmentSums> {
        self.by_funding_status
            .iter()
            .find(|(key, _)| *key == (funding, status))
            .map(|(_, sums)| sums)
    }
}

/// A dimension the cells can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    ChildUnit,
    Funding,
    Status,
    Kind,
}

/// The key of a group: the values of the grouped dimensions, `None` for the others. Ordered
/// by unit code, then funding category, status and kind in their declared order.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct GroupKey {
    pub unit: Option<OrgUnitCode>,
    pub funding: Option<FundingCategory>,
    pub status: Option<InvestmentStatus>,
    pub kind: Option<InvestmentKind>,
}

impl GroupKey {
    fn of(cell: &InvestmentCell, dimensions: &[Dimension]) -> Self {
        let has = |d: Dimension| dimensions.contains(&d);
        Self {
            unit: has(Dimension::ChildUnit).then(|| cell.unit.clone()),
            funding: has(Dimension::Funding).then_some(cell.funding),
            status: has(Dimension::Status).then_some(cell.status),
            kind: has(Dimension::Kind).then_some(cell.kind),
        }
    }
}

/// The cells summed per combination of `dimensions` (any subset, in any order; no dimension
/// gives one group of everything), only groups with some cell, in key order. Every object
/// lies in exactly one cell, so object counts add up.
pub fn group(
    cells: &[InvestmentCell],
    dimensions: &[Dimension],
) -> Vec<(GroupKey, InvestmentSums)> {
    let mut groups: BTreeMap<GroupKey, InvestmentSums> = BTreeMap::new();
    for cell in cells {
        groups
            .entry(GroupKey::of(cell, dimensions))
            .or_default()
            .absorb(&cell.sums);
    }
    groups.into_iter().collect()
}

/// Rolls the cells up into the groups the reports print. `covered` holds the months of the
/// summed figures; `inexact` the figures left out because they straddle `span` (never
/// prorated).
pub fn summarize(
    span: MonthSpan,
    cells: &[InvestmentCell],
    covered: &BTreeSet<u8>,
    inexact: Vec<InexactInvestmentSpan>,
) -> InvestmentSummary {
    use Dimension::*;
    let totals = group(cells, &[])
        .into_iter()
        .next()
        .map(|(_, sums)| sums)
        .unwrap_or_default();
    let keyed = |dimensions: &[Dimension]| group(cells, dimensions).into_iter();
    let uncovered_months = if covered.is_empty() {
        Vec::new()
    } else {
        (span.from..=span.to)
            .filter(|m| !covered.contains(m))
            .collect()
    };
    let mut inexact_spans = inexact;
    inexact_spans.sort();
    inexact_spans.dedup();

    InvestmentSummary {
        by_child_unit: keyed(&[ChildUnit])
            .filter_map(|(k, sums)| Some((k.unit?, sums)))
            .collect(),
        by_funding: keyed(&[Funding])
            .filter_map(|(k, sums)| Some((k.funding?, sums)))
            .collect(),
        by_status: keyed(&[Status])
            .filter_map(|(k, sums)| Some((k.status?, sums)))
            .collect(),
        by_funding_status: keyed(&[Funding, Status])
            .filter_map(|(k, sums)| Some(((k.funding?, k.status?), sums)))
            .collect(),
        totals,
        inexact_spans,
        uncovered_months,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FundingCategory::*;
    use InvestmentStatus::*;

    fn span(year: i32, from: u8, to: u8) -> MonthSpan {
        MonthSpan {
            fiscal_year: year,
            from,
            to,
        }
    }

    fn cell(
        unit: &str,
        funding: FundingCategory,
        status: InvestmentStatus,
        budget: Option<i64>,
        outcome: Option<i64>,
        objects: usize,
    ) -> InvestmentCell {
        InvestmentCell {
            unit: OrgUnitCode::from_stored(unit.into()),
            funding,
            status,
            kind: InvestmentKind::New,
            sums: InvestmentSums {
                budget_sek: budget,
                outcome_sek: outcome,
                object_count: objects,
            },
        }
    }

    #[test]
    fn cells_roll_up_per_unit_funding_status_and_in_total() {
        let cells = [
            cell("A", Frame, Ongoing, Some(300), Some(30), 2),
            cell("B", CarriedOver, Completed, Some(50), None, 1),
            cell("ROOT", Unforeseen, Ongoing, None, Some(7), 1),
        ];
        let covered = (1..=12).collect();
        let summary = summarize(span(2025, 1, 12), &cells, &covered, Vec::new());
        assert_eq!(
            summary.totals,
            InvestmentSums {
                budget_sek: Some(350),
                outcome_sek: Some(37),
                object_count: 4
            }
        );
        let units: Vec<(&str, Option<i64>, usize)> = summary
            .by_child_unit
            .iter()
            .map(|(u, s)| (u.as_str(), s.budget_sek, s.object_count))
            .collect();
        assert_eq!(
            units,
            [("A", Some(300), 2), ("B", Some(50), 1), ("ROOT", None, 1)]
        );
        let funding: Vec<FundingCategory> = summary.by_funding.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            funding,
            [Frame, Unforeseen, CarriedOver],
            "enum order, empty groups left out"
        );
        let statuses: Vec<InvestmentStatus> = summary.by_status.iter().map(|(s, _)| *s).collect();
        assert_eq!(statuses, [Ongoing, Completed]);
        let carried = summary
            .funding_status(CarriedOver, Completed)
            .expect("carried over");
        assert_eq!(carried.outcome_sek, None, "no figure reports an outcome");
        assert!(summary.funding_status(Frame, Completed).is_none());
        assert!(summary.is_exact());
    }

    #[test]
    fn straddling_figures_and_uncovered_months_make_it_inexact() {
        let cells = [cell("A", Frame, Ongoing, Some(100), Some(10), 1)];
        let covered = (1..=4).collect();
        let summary = summarize(span(2025, 1, 12), &cells, &covered, Vec::new());
        assert_eq!(summary.uncovered_months, (5..=12).collect::<Vec<u8>>());
        assert!(!summary.is_exact(), "Jan–Apr does not answer the full year");

        let straddling = InexactInvestmentSpan {
            investment: InvestmentId::from_stored("a".into()),
            stored_span: span(2025, 5, 8),
        };
        let summary = summarize(
            span(2025, 1, 6),
            &cells,
            &(1..=6).collect(),
            vec![straddling.clone(), straddling.clone()],
        );
        assert_eq!(summary.inexact_spans, [straddling], "listed once");
        assert!(!summary.is_exact());
    }

    #[test]
    fn nothing_to_sum_gives_empty_groups_and_absent_sums() {
        let summary = summarize(span(2025, 1, 12), &[], &BTreeSet::new(), Vec::new());
        assert_eq!(summary, InvestmentSummary::default());
        assert!(summary.is_exact());
    }

    #[test]
    fn any_combination_of_dimensions_groups_the_cells() {
        let mut reinvestment = cell("B", Frame, Planned, Some(49_891), None, 27);
        reinvestment.kind = InvestmentKind::Reinvestment;
        let cells = [
            cell("A", Frame, Planned, Some(9_000), None, 16),
            cell("B", Frame, Planned, Some(104), None, 1),
            reinvestment,
        ];
        let by_kind = group(&cells, &[Dimension::Kind]);
        let kinds: Vec<(Option<InvestmentKind>, Option<i64>, usize)> = by_kind
            .iter()
            .map(|(k, s)| (k.kind, s.budget_sek, s.object_count))
            .collect();
        assert_eq!(
            kinds,
            [
                (Some(InvestmentKind::New), Some(9_104), 17),
                (Some(InvestmentKind::Reinvestment), Some(49_891), 27)
            ]
        );
        let by_unit_kind = group(&cells, &[Dimension::Kind, Dimension::ChildUnit]);
        assert_eq!(by_unit_kind.len(), 3);
        assert_eq!(
            by_unit_kind[0].0.unit.as_ref().map(|u| u.as_str()),
            Some("A")
        );
        assert_eq!(by_unit_kind[0].0.funding, None, "not a grouped dimension");
        let all = group(&cells, &[]);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].1.object_count, 44);
    }
}
