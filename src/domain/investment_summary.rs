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

/// Rolls the cells up into the groups the reports print. `covered` holds the months of the
/// summed figures; `inexact` the figures left out because they straddle `span` (never
/// prorated).
pub fn summarize(
    span: MonthSpan,
    cells: &[InvestmentCell],
    covered: &BTreeSet<u8>,
    inexact: Vec<InexactInvestmentSpan>,
) -> InvestmentSummary {
    let mut by_unit: BTreeMap<&OrgUnitCode, InvestmentSums> = BTreeMap::new();
    let mut by_funding: BTreeMap<FundingCategory, InvestmentSums> = BTreeMap::new();
    let mut by_status: BTreeMap<InvestmentStatus, InvestmentSums> = BTreeMap::new();
    let mut by_funding_status: BTreeMap<(FundingCategory, InvestmentStatus), InvestmentSums> =
        BTreeMap::new();
    let mut totals = InvestmentSums::default();
    for cell in cells {
        by_unit.entry(&cell.unit).or_default().absorb(&cell.sums);
        by_funding
            .entry(cell.funding)
            .or_default()
            .absorb(&cell.sums);
        by_status.entry(cell.status).or_default().absorb(&cell.sums);
        by_funding_status
            .entry((cell.funding, cell.status))
            .or_default()
            .absorb(&cell.sums);
        totals.absorb(&cell.sums);
    }
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
        by_child_unit: by_unit
            .into_iter()
            .map(|(unit, sums)| (unit.clone(), sums))
            .collect(),
        by_funding: by_funding.into_iter().collect(),
        by_status: by_status.into_iter().collect(),
        by_funding_status: by_funding_status.into_iter().collect(),
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
}
