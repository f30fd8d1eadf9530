//! The sums the investment reports print, computed here and nowhere else: budget and outcome
//! per child unit, per funding category, per status, per (funding category, status), and the
//! grand totals, with the number of objects behind each sum.

use super::codes::{InvestmentId, OrgUnitCode};
use super::investment::{FundingCategory, Investment, InvestmentFigures, InvestmentStatus};
use super::period::MonthSpan;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Summed budget and outcome of a group; a sum is `None` when no summed figure reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvestmentSums {
    pub budget_sek: Option<i64>,
    pub outcome_sek: Option<i64>,
    /// Objects with at least one summed figure.
    pub object_count: usize,
}

/// Accumulates a group; objects are counted once however many of their figures are summed.
#[derive(Debug, Default)]
struct Accumulator<'a> {
    budget_sek: Option<i64>,
    outcome_sek: Option<i64>,
    objects: BTreeSet<&'a InvestmentId>,
}

impl<'a> Accumulator<'a> {
    fn add(&mut self, figures: &'a InvestmentFigures) {
        for (target, value) in [
            (&mut self.budget_sek, figures.budget_sek),
            (&mut self.outcome_sek, figures.outcome_sek),
        ] {
            if let Some(value) = value {
                *target = Some(target.unwrap_or(0).saturating_add(value));
            }
        }
        self.objects.insert(&figures.investment);
    }

    fn sums(&self) -> InvestmentSums {
        InvestmentSums {
            budget_sek: self.budget_sek,
            outcome_sek: self.outcome_sek,
            object_count: self.objects.len(),
        }
    }
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

/// An object with its stored figures (any years and spans).
#[derive(Debug, Clone)]
pub struct SummaryObject {
    pub investment: Investment,
    pub figures: Vec<InvestmentFigures>,
}

/// Sums the figures of `objects` whose span lies inside `span`. `unit_groups` maps every unit
/// of the asked subtree to its child-unit group (the asked unit to itself); objects of units
/// outside it are not part of the subtree and are ignored. A figure that shares months with
/// `span` without lying inside it is left out and listed, never prorated.
pub fn summarize(
    span: MonthSpan,
    unit_groups: &HashMap<OrgUnitCode, OrgUnitCode>,
    objects: &[SummaryObject],
) -> InvestmentSummary {
    let mut by_unit: BTreeMap<&OrgUnitCode, Accumulator> = BTreeMap::new();
    let mut by_funding: BTreeMap<FundingCategory, Accumulator> = BTreeMap::new();
    let mut by_status: BTreeMap<InvestmentStatus, Accumulator> = BTreeMap::new();
    let mut by_funding_status: BTreeMap<(FundingCategory, InvestmentStatus), Accumulator> =
        BTreeMap::new();
    let mut totals = Accumulator::default();
    let mut inexact = BTreeSet::new();
    let mut covered = BTreeSet::new();

    for object in objects {
        let investment = &object.investment;
        let Some(unit) = unit_groups.get(&investment.org_unit) else {
            continue;
        };
        for figures in &object.figures {
            if !span.overlaps(figures.span) {
                continue;
            }
            if !span.contains(figures.span) {
                inexact.insert(InexactInvestmentSpan {
                    investment: investment.id.clone(),
                    stored_span: figures.span,
                });
                continue;
            }
            by_unit.entry(unit).or_default().add(figures);
            by_funding
                .entry(investment.funding)
                .or_default()
                .add(figures);
            by_status.entry(investment.status).or_default().add(figures);
            by_funding_status
                .entry((investment.funding, investment.status))
                .or_default()
                .add(figures);
            totals.add(figures);
            covered.extend(figures.span.from..=figures.span.to);
        }
    }
    let uncovered_months = if covered.is_empty() {
        Vec::new()
    } else {
        (span.from..=span.to)
            .filter(|m| !covered.contains(m))
            .collect()
    };

    InvestmentSummary {
        by_child_unit: by_unit
            .into_iter()
            .map(|(unit, acc)| (unit.clone(), acc.sums()))
            .collect(),
        by_funding: by_funding.into_iter().map(|(k, a)| (k, a.sums())).collect(),
        by_status: by_status.into_iter().map(|(k, a)| (k, a.sums())).collect(),
        by_funding_status: by_funding_status
            .into_iter()
            .map(|(k, a)| (k, a.sums()))
            .collect(),
        totals: totals.sums(),
        inexact_spans: inexact.into_iter().collect(),
        uncovered_months,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::investment::InvestmentKind;

    fn span(year: i32, from: u8, to: u8) -> MonthSpan {
        MonthSpan {
            fiscal_year: year,
            from,
            to,
        }
    }

    fn figures(
        id: &str,
        span: MonthSpan,
        budget: Option<i64>,
        outcome: Option<i64>,
    ) -> InvestmentFigures {
        InvestmentFigures {
            investment: InvestmentId::from_stored(id.into()),
            span,
            budget_sek: budget,
            outcome_sek: outcome,
            outcome_since_start_sek: None,
            forecast_sek: None,
            carry_over_requested_sek: None,
        }
    }

    fn object(
        id: &str,
        unit: &str,
        funding: FundingCategory,
        status: InvestmentStatus,
        figures: Vec<InvestmentFigures>,
    ) -> SummaryObject {
        SummaryObject {
            investment: Investment {
                id: InvestmentId::from_stored(id.into()),
                org_unit: OrgUnitCode::from_stored(unit.into()),
                name: id.into(),
                kind: InvestmentKind::New,
                funding,
                decision: None,
                decided_year: None,
                status,
                total_budget_sek: None,
                planned_completion: None,
                procurement_contacted: None,
                comment: None,
            },
            figures,
        }
    }

    fn code(value: &str) -> OrgUnitCode {
        OrgUnitCode::from_stored(value.into())
    }

    /// ROOT with children A (and its child A1) and B.
    fn groups() -> HashMap<OrgUnitCode, OrgUnitCode> {
        [("ROOT", "ROOT"), ("A", "A"), ("A1", "A"), ("B", "B")]
            .into_iter()
            .map(|(unit, group)| (code(unit), code(group)))
            .collect()
    }

    #[test]
    fn sums_per_unit_funding_status_and_in_total() {
        use FundingCategory::*;
        use InvestmentStatus::*;
        let year = span(2025, 1, 12);
        let objects = [
            object(
                "a",
                "A",
                Frame,
                Ongoing,
                vec![figures("a", span(2025, 1, 4), Some(100), Some(10))],
            ),
            object(
                "a1",
                "A1",
                Frame,
                Ongoing,
                vec![figures("a1", span(2025, 1, 4), Some(200), Some(20))],
            ),
            object(
                "b",
                "B",
                CarriedOver,
                Completed,
                vec![figures("b", span(2025, 1, 12), Some(50), None)],
            ),
            object(
                "r",
                "ROOT",
                Unforeseen,
                Ongoing,
                vec![figures("r", span(2025, 5, 8), None, Some(7))],
            ),
            object(
                "other-year",
                "B",
                Frame,
                Ongoing,
                vec![figures("other-year", span(2024, 1, 12), Some(1), Some(1))],
            ),
            object(
                "outside",
                "ELSEWHERE",
                Frame,
                Ongoing,
                vec![figures("outside", span(2025, 1, 12), Some(9), Some(9))],
            ),
        ];
        let summary = summarize(year, &groups(), &objects);

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
        let frame_ongoing = summary
            .funding_status(Frame, Ongoing)
            .expect("frame, ongoing");
        assert_eq!(frame_ongoing.budget_sek, Some(300));
        assert_eq!(frame_ongoing.outcome_sek, Some(30));
        let carried = summary
            .funding_status(CarriedOver, Completed)
            .expect("carried over");
        assert_eq!(carried.outcome_sek, None, "no figure reports an outcome");
        assert!(summary.funding_status(Frame, Completed).is_none());
        assert!(summary.is_exact());
    }

    #[test]
    fn an_object_counts_once_over_several_figures() {
        let objects = [object(
            "a",
            "A",
            FundingCategory::Frame,
            InvestmentStatus::Ongoing,
            vec![
                figures("a", span(2025, 1, 4), Some(100), Some(10)),
                figures("a", span(2025, 5, 8), None, Some(5)),
            ],
        )];
        let summary = summarize(span(2025, 1, 12), &groups(), &objects);
        assert_eq!(
            summary.totals,
            InvestmentSums {
                budget_sek: Some(100),
                outcome_sek: Some(15),
                object_count: 1
            }
        );
    }

    #[test]
    fn a_straddling_figure_is_listed_not_prorated() {
        let objects = [object(
            "a",
            "A",
            FundingCategory::Frame,
            InvestmentStatus::Ongoing,
            vec![
                figures("a", span(2025, 1, 4), Some(100), Some(10)),
                figures("a", span(2025, 5, 8), Some(1), Some(5)),
            ],
        )];
        let summary = summarize(span(2025, 1, 6), &groups(), &objects);
        assert!(!summary.is_exact());
        assert_eq!(
            summary.inexact_spans,
            [InexactInvestmentSpan {
                investment: InvestmentId::from_stored("a".into()),
                stored_span: span(2025, 5, 8),
            }]
        );
        assert_eq!(summary.totals.budget_sek, Some(100));
        assert_eq!(summary.totals.outcome_sek, Some(10));

        // Jan–Mar cannot be answered by a Jan–Apr figure: nothing is summed.
        let summary = summarize(span(2025, 1, 3), &groups(), &objects);
        assert_eq!(summary.totals, InvestmentSums::default());
        assert!(summary.by_funding.is_empty());
        assert_eq!(summary.inexact_spans.len(), 1);
    }

    #[test]
    fn figures_that_do_not_cover_the_asked_months_are_not_exact() {
        let objects = [object(
            "a",
            "A",
            FundingCategory::Frame,
            InvestmentStatus::Ongoing,
            vec![figures("a", span(2025, 1, 4), Some(100), Some(10))],
        )];
        let summary = summarize(span(2025, 1, 12), &groups(), &objects);
        assert_eq!(summary.totals.budget_sek, Some(100));
        assert_eq!(summary.uncovered_months, (5..=12).collect::<Vec<u8>>());
        assert!(!summary.is_exact(), "Jan–Apr does not answer the full year");
        assert!(summarize(span(2025, 1, 4), &groups(), &objects).is_exact());
    }

    #[test]
    fn nothing_to_sum_gives_empty_groups_and_absent_sums() {
        let summary = summarize(span(2025, 1, 12), &groups(), &[]);
        assert_eq!(summary, InvestmentSummary::default());
        assert!(summary.is_exact());
    }
}
