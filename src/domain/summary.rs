//! The derived figures of a budget summary, computed here and nowhere else: sums per
//! category, deviation, change, change %, and the statement totals (summa intäkter,
//! summa bruttokostnader, summa verksamhetens nettokostnader).

use super::category::{Category, Direction};
use super::change::change_percent_of;
use super::codes::{CategoryCode, OrgUnitCode};
use super::period::MonthSpan;
use super::scenario::Scenario;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A stored line as the summary needs it.
#[derive(Debug, Clone)]
pub struct SummaryLine {
    pub org_unit: OrgUnitCode,
    pub category: CategoryCode,
    pub scenario: Scenario,
    pub span: MonthSpan,
    pub amount_sek: i64,
}

/// How lines are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Category,
    /// By the child of the asked unit each line's unit lies under.
    ChildUnit,
    /// By the stored month span.
    Month,
}

/// The key of one group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupKey {
    All,
    Unit(OrgUnitCode),
    Months { from: u8, to: u8 },
}

/// Actual, budget and prior-year actual of the asked span, and the full-year forecast and
/// budget, with what is derived from them. `None` means no stored line answers that figure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub actual: Option<i64>,
    pub budget: Option<i64>,
    pub prior_year_actual: Option<i64>,
    forecast: YearSum,
    full_year_budget: YearSum,
}

/// A figure of the whole year, summed over lines of any span, with the months they cover.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct YearSum {
    sum: Option<i64>,
    /// Bit `m − 1` set when month `m` is covered.
    months: u16,
}

const ALL_MONTHS: u16 = (1 << 12) - 1;

impl YearSum {
    /// One stored line: its months add to the coverage.
    fn add(&mut self, span: MonthSpan, amount: i64) {
        self.sum = Some(self.sum.unwrap_or(0).saturating_add(amount));
        for month in span.from..=span.to {
            self.months |= 1 << (month - 1);
        }
    }

    /// Another group's sum: the result covers the year only when every part does.
    fn absorb(&mut self, other: &YearSum) {
        let Some(value) = other.sum else {
            return;
        };
        self.months = match self.sum {
            Some(_) => self.months & other.months,
            None => other.months,
        };
        self.sum = Some(self.sum.unwrap_or(0).saturating_add(value));
    }

    /// The sum when its lines cover all twelve months.
    fn full_year(&self) -> Option<i64> {
        self.sum.filter(|_| self.months == ALL_MONTHS)
    }
}

impl Figures {
    /// Avvikelse: actual minus budget (positive is better than budget).
    pub fn deviation(&self) -> Option<i64> {
        self.actual?.checked_sub(self.budget?)
    }

    /// Förändring: actual minus the prior year's actual.
    pub fn change(&self) -> Option<i64> {
        self.actual?.checked_sub(self.prior_year_actual?)
    }

    /// The relative change of the figure itself, change / signed prior year, in percent
    /// (`change::change_percent_of`); `None` when the prior year is absent or zero.
    pub fn change_percent(&self) -> Option<Decimal> {
        change_percent_of(self.actual?, self.prior_year_actual?)
    }

    /// Prognos helår: the year's forecast lines, when they cover all twelve months.
    pub fn forecast(&self) -> Option<i64> {
        self.forecast.full_year()
    }

    /// Budget helår: the year's budget lines, when they cover all twelve months.
    pub fn full_year_budget(&self) -> Option<i64> {
        self.full_year_budget.full_year()
    }

    /// Prognosavvikelse: the full-year forecast minus the full-year budget.
    pub fn forecast_deviation(&self) -> Option<i64> {
        self.forecast()?.checked_sub(self.full_year_budget()?)
    }

    /// True when no figure is answered (a row only partly covered by full-year lines).
    fn is_empty(&self) -> bool {
        self.actual.is_none()
            && self.budget.is_none()
            && self.prior_year_actual.is_none()
            && self.forecast().is_none()
            && self.full_year_budget().is_none()
    }

    fn add(&mut self, slot: Slot, amount: i64) {
        let target = match slot {
            Slot::Actual => &mut self.actual,
            Slot::Budget => &mut self.budget,
            Slot::PriorYear => &mut self.prior_year_actual,
        };
        *target = Some(target.unwrap_or(0).saturating_add(amount));
    }

    fn add_year(&mut self, slot: YearSlot, span: MonthSpan, amount: i64) {
        match slot {
            YearSlot::Forecast => self.forecast.add(span, amount),
            YearSlot::FullYearBudget => self.full_year_budget.add(span, amount),
        }
    }

    fn absorb(&mut self, other: &Figures) {
        for (slot, value) in [
            (Slot::Actual, other.actual),
            (Slot::Budget, other.budget),
            (Slot::PriorYear, other.prior_year_actual),
        ] {
            if let Some(value) = value {
                self.add(slot, value);
            }
        }
        self.forecast.absorb(&other.forecast);
        self.full_year_budget.absorb(&other.full_year_budget);
    }
}

/// The full-year figures, summed over the year's lines whatever span is asked.
#[derive(Debug, Clone, Copy)]
enum YearSlot {
    Forecast,
    FullYearBudget,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Actual,
    Budget,
    PriorYear,
}

/// The statement totals of a group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatementTotals {
    pub income: Figures,
    pub gross_cost: Figures,
    /// Income plus gross cost.
    pub net_cost: Figures,
}

impl StatementTotals {
    fn from_rows(rows: &[(Category, Figures)]) -> Self {
        let mut totals = Self::default();
        for (category, figures) in rows.iter().filter(|(c, _)| c.counts_in_totals()) {
            match category.direction {
                Direction::Income => totals.income.absorb(figures),
                Direction::Cost => totals.gross_cost.absorb(figures),
                Direction::Net => unreachable!("net categories never count in totals"),
            }
            totals.net_cost.absorb(figures);
        }
        totals
    }
}

#[derive(Debug, Clone)]
pub struct SummaryGroup {
    pub key: GroupKey,
    /// Rows in display order (then code), only categories with some figure.
    pub rows: Vec<(Category, Figures)>,
    pub totals: StatementTotals,
}

/// A stored line left out because its span straddles the asked span.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InexactSpan {
    pub org_unit: OrgUnitCode,
    pub category: CategoryCode,
    pub scenario: Scenario,
    pub stored_span: MonthSpan,
    /// Whether the line's category counts in the statement totals.
    pub affects_totals: bool,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub span: MonthSpan,
    pub groups: Vec<SummaryGroup>,
    pub totals: StatementTotals,
    pub inexact_spans: Vec<InexactSpan>,
    /// Per figure, the months of the asked span that no included line covers (only for
    /// figures that have some line).
    pub uncovered_months: BTreeMap<&'static str, Vec<u8>>,
}

impl Summary {
    /// True when the statement totals answer the asked span exactly: no line of a category
    /// that counts in them straddles the span, and every figure with data covers every asked
    /// month. Left-out net or sub-category lines are still listed in `inexact_spans`.
    pub fn is_exact(&self) -> bool {
        !self.inexact_spans.iter().any(|s| s.affects_totals)
            && self.uncovered_months.values().all(Vec::is_empty)
    }
}

/// What one summary is asked for.
pub struct SummaryRequest<'a> {
    pub span: MonthSpan,
    pub grouping: Grouping,
    /// For child-unit grouping: each unit of the subtree mapped to its group unit.
    pub unit_groups: &'a HashMap<OrgUnitCode, OrgUnitCode>,
    pub categories: &'a HashMap<CategoryCode, Category>,
}

/// Sums `lines` (of the asked year and the year before) into the summary.
pub fn summarize(request: &SummaryRequest<'_>, lines: &[SummaryLine]) -> Summary {
    let span = request.span;
    let prior = span.prior_year();
    let mut cells: BTreeMap<GroupKey, HashMap<CategoryCode, Figures>> = BTreeMap::new();
    let mut inexact = BTreeSet::new();
    let mut covered: HashMap<&'static str, BTreeSet<u8>> = HashMap::new();

    for line in lines {
        let Some(category) = request.categories.get(&line.category) else {
            continue;
        };
        let key = match request.grouping {
            Grouping::Category => GroupKey::All,
            Grouping::ChildUnit => match request.unit_groups.get(&line.org_unit) {
                Some(unit) => GroupKey::Unit(unit.clone()),
                None => continue,
            },
            Grouping::Month => GroupKey::Months {
                from: line.span.from,
                to: line.span.to,
            },
        };
        // A forecast is of the full year, and so is the budget it is compared with: both are
        // summed whatever span is asked (not per stored span, so not with month grouping).
        let year_slot = match line.scenario {
            _ if line.span.fiscal_year != span.fiscal_year => None,
            Scenario::Forecast => Some(YearSlot::Forecast),
            Scenario::Budget => Some(YearSlot::FullYearBudget),
            _ => None,
        };
        if let Some(year_slot) = year_slot
            && request.grouping != Grouping::Month
        {
            cells
                .entry(key.clone())
                .or_default()
                .entry(category.code.clone())
                .or_default()
                .add_year(year_slot, line.span, line.amount_sek);
        }
        let (slot, asked, label) = match (line.scenario, line.span.fiscal_year) {
            (Scenario::Actual, y) if y == span.fiscal_year => (Slot::Actual, span, "actual"),
            (Scenario::Budget, y) if y == span.fiscal_year => (Slot::Budget, span, "budget"),
            (Scenario::Actual, y) if y == prior.fiscal_year => {
                (Slot::PriorYear, prior, "prior_year_actual")
            }
            _ => continue,
        };
        if !asked.overlaps(line.span) {
            continue;
        }
        if !asked.contains(line.span) {
            inexact.insert(InexactSpan {
                org_unit: line.org_unit.clone(),
                category: line.category.clone(),
                scenario: line.scenario,
                stored_span: line.span,
                affects_totals: category.counts_in_totals(),
            });
            continue;
        }
        covered
            .entry(label)
            .or_default()
            .extend(line.span.from..=line.span.to);
        cells
            .entry(key)
            .or_default()
            .entry(category.code.clone())
            .or_default()
            .add(slot, line.amount_sek);
    }

    let mut all_rows: HashMap<CategoryCode, Figures> = HashMap::new();
    let groups: Vec<SummaryGroup> = cells
        .into_iter()
        .map(|(key, by_category)| {
            for (code, figures) in &by_category {
                all_rows.entry(code.clone()).or_default().absorb(figures);
            }
            let rows = ordered_rows(request.categories, by_category);
            let totals = StatementTotals::from_rows(&rows);
            SummaryGroup { key, rows, totals }
        })
        .collect();
    let totals = StatementTotals::from_rows(&ordered_rows(request.categories, all_rows));

    let uncovered_months = covered
        .into_iter()
        .map(|(label, months)| {
            let missing = (span.from..=span.to)
                .filter(|m| !months.contains(m))
                .collect();
            (label, missing)
        })
        .collect();

    Summary {
        span,
        groups,
        totals,
        inexact_spans: inexact.into_iter().collect(),
        uncovered_months,
    }
}

fn ordered_rows(
    categories: &HashMap<CategoryCode, Category>,
    by_category: HashMap<CategoryCode, Figures>,
) -> Vec<(Category, Figures)> {
    let mut rows: Vec<(Category, Figures)> = by_category
        .into_iter()
        .filter(|(_, figures)| !figures.is_empty())
        .filter_map(|(code, figures)| categories.get(&code).map(|c| (c.clone(), figures)))
        .collect();
    rows.sort_by(|(a, _), (b, _)| (a.display_order, &a.code).cmp(&(b.display_order, &b.code)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(code: &str, direction: Direction, parent: Option<&str>) -> Category {
        Category {
            code: CategoryCode::from_stored(code.into()),
            name: code.into(),
            direction,
            parent: parent.map(|p| CategoryCode::from_stored(p.into())),
            display_order: 0,
        }
    }

    fn line(
        category: &str,
        scenario: Scenario,
        year: i32,
        from: u8,
        to: u8,
        amount: i64,
    ) -> SummaryLine {
        SummaryLine {
            org_unit: OrgUnitCode::from_stored("U".into()),
            category: CategoryCode::from_stored(category.into()),
            scenario,
            span: MonthSpan {
                fiscal_year: year,
                from,
                to,
            },
            amount_sek: amount,
        }
    }

    fn request<'a>(
        span: MonthSpan,
        categories: &'a HashMap<CategoryCode, Category>,
        units: &'a HashMap<OrgUnitCode, OrgUnitCode>,
    ) -> SummaryRequest<'a> {
        SummaryRequest {
            span,
            grouping: Grouping::Category,
            unit_groups: units,
            categories,
        }
    }

    fn categories() -> HashMap<CategoryCode, Category> {
        [
            category("INC", Direction::Income, None),
            category("COST", Direction::Cost, None),
            category("SUB", Direction::Cost, Some("COST")),
            category("FRAME", Direction::Net, None),
        ]
        .into_iter()
        .map(|c| (c.code.clone(), c))
        .collect()
    }

    #[test]
    fn totals_count_top_level_income_and_cost_once() {
        let cats = categories();
        let units = HashMap::new();
        let span = MonthSpan {
            fiscal_year: 2025,
            from: 1,
            to: 4,
        };
        let lines = [
            line("INC", Scenario::Actual, 2025, 1, 4, 100),
            line("COST", Scenario::Actual, 2025, 1, 4, -300),
            line("SUB", Scenario::Actual, 2025, 1, 4, -50),
            line("FRAME", Scenario::Actual, 2025, 1, 4, -999),
            line("INC", Scenario::Budget, 2025, 1, 4, 90),
            line("COST", Scenario::Budget, 2025, 1, 4, -250),
            line("INC", Scenario::Actual, 2024, 1, 4, 80),
            line("COST", Scenario::Actual, 2024, 1, 4, -280),
        ];
        let summary = summarize(&request(span, &cats, &units), &lines);
        let net = summary.totals.net_cost;
        assert_eq!(net.actual, Some(-200));
        assert_eq!(net.budget, Some(-160));
        assert_eq!(net.deviation(), Some(-40));
        assert_eq!(net.change(), Some(0));
        assert_eq!(
            summary.totals.income.change_percent(),
            Some(Decimal::new(2500, 2))
        );
        assert_eq!(summary.groups[0].rows.len(), 4);
        assert!(summary.is_exact());
    }

    #[test]
    fn a_straddling_span_is_reported_not_guessed() {
        let cats = categories();
        let units = HashMap::new();
        let jan_mar = MonthSpan {
            fiscal_year: 2025,
            from: 1,
            to: 3,
        };
        let lines = [line("INC", Scenario::Actual, 2025, 1, 4, 100)];
        let summary = summarize(&request(jan_mar, &cats, &units), &lines);
        assert!(!summary.is_exact());
        assert_eq!(summary.inexact_spans.len(), 1);
        assert_eq!(summary.totals.income.actual, None);

        let full_year = MonthSpan {
            fiscal_year: 2025,
            from: 1,
            to: 12,
        };
        let summary = summarize(&request(full_year, &cats, &units), &lines);
        assert!(!summary.is_exact(), "Jan–Apr cannot answer Jan–Dec");
        assert_eq!(
            summary.uncovered_months["actual"],
            (5..=12).collect::<Vec<u8>>()
        );
    }

    #[test]
    fn change_percent_rounds_half_away_from_zero() {
        let f = Figures {
            actual: Some(-965_403),
            prior_year_actual: Some(-917_452),
            ..Figures::default()
        };
        assert_eq!(f.change_percent(), Some(Decimal::new(523, 2)));
        let income = Figures {
            actual: Some(39_684),
            prior_year_actual: Some(42_239),
            ..Figures::default()
        };
        assert_eq!(income.change_percent(), Some(Decimal::new(-605, 2)));
        let zero = Figures {
            actual: Some(1),
            prior_year_actual: Some(0),
            ..Figures::default()
        };
        assert_eq!(zero.change_percent(), None);
    }

    #[test]
    fn the_full_year_forecast_and_budget_answer_any_asked_span() {
        let cats = categories();
        let units = HashMap::new();
        let lines = [
            line("FRAME", Scenario::Forecast, 2025, 1, 12, -3_658),
            line("FRAME", Scenario::Budget, 2025, 1, 12, -3_158),
            line("COST", Scenario::Budget, 2025, 1, 4, -100),
            line("COST", Scenario::Budget, 2025, 5, 12, -200),
            line("COST", Scenario::Forecast, 2025, 1, 4, -120),
            line("INC", Scenario::Forecast, 2024, 1, 12, 5),
        ];
        let jan_apr = MonthSpan {
            fiscal_year: 2025,
            from: 1,
            to: 4,
        };
        let summary = summarize(&request(jan_apr, &cats, &units), &lines);
        let row = |code: &str| {
            summary.groups[0]
                .rows
                .iter()
                .find(|(c, _)| c.code.as_str() == code)
                .map(|(_, f)| *f)
        };
        let frame = row("FRAME").expect("frame");
        assert_eq!(frame.forecast(), Some(-3_658));
        assert_eq!(frame.full_year_budget(), Some(-3_158));
        assert_eq!(frame.forecast_deviation(), Some(-500));
        assert_eq!(frame.budget, None, "a full-year line straddles Jan–Apr");
        let cost = row("COST").expect("cost");
        assert_eq!(cost.budget, Some(-100));
        assert_eq!(cost.full_year_budget(), Some(-300));
        assert_eq!(
            cost.forecast(),
            None,
            "a Jan–Apr forecast is not a full year"
        );
        assert_eq!(cost.forecast_deviation(), None);
        assert_eq!(row("INC"), None, "another year's forecast");
        assert_eq!(summary.totals.gross_cost.full_year_budget(), Some(-300));
        assert_eq!(summary.totals.gross_cost.forecast(), None);
    }
}
