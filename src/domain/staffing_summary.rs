//! The staffing tables the reports print, rolled up from the sums the database returns: per
//! profession group and in total (top-level groups only), the asked span beside the same
//! span a year earlier. The arithmetic of each derived figure lives in `staffing_figures`.

use super::codes::ProfessionCode;
use super::period::MonthSpan;
use super::staffing::{ProfessionGroup, SickLeaveAgeBand, SickLeaveGender, SickLeaveLength};
use super::staffing_figures::{
    Compared, PositionColumns, PositionDeviations, fte_compared, hired_share_compared,
};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// Worked hours of one profession group and year, summed (scaled by 10 000).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkedHoursCell {
    pub profession: ProfessionCode,
    pub prior: bool,
    pub hours_scaled: Option<i64>,
}

/// Hired-staff figures of one profession group and year, summed; hours scaled by 10 000.
/// The `*_where_both` sums take only the figures reporting both cost and personnel cost,
/// so the hired share compares like with like.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HiredStaffSums {
    pub cost_sek: Compared<i64>,
    pub forecast_sek: Compared<i64>,
    pub personnel_cost_sek: Compared<i64>,
    pub hours_requested_scaled: Compared<i64>,
    pub hours_filled_scaled: Compared<i64>,
    pub cost_where_both_sek: Compared<i64>,
    pub personnel_where_both_sek: Compared<i64>,
}

impl HiredStaffSums {
    fn absorb(&mut self, other: &HiredStaffSums) {
        self.cost_sek.absorb(&other.cost_sek);
        self.forecast_sek.absorb(&other.forecast_sek);
        self.personnel_cost_sek.absorb(&other.personnel_cost_sek);
        self.hours_requested_scaled
            .absorb(&other.hours_requested_scaled);
        self.hours_filled_scaled.absorb(&other.hours_filled_scaled);
        self.cost_where_both_sek.absorb(&other.cost_where_both_sek);
        self.personnel_where_both_sek
            .absorb(&other.personnel_where_both_sek);
    }
}

/// Headcount of one employee group at the date or a year earlier, summed over units; women
/// and men absent unless every summed snapshot splits by gender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadcountCell {
    pub employee_group: String,
    pub prior: bool,
    pub total: i64,
    pub women: Option<i64>,
    pub men: Option<i64>,
}

/// A sick-leave rate of one unit, band and year, scaled by 10 000.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SickLeaveCell {
    pub gender: SickLeaveGender,
    pub age_band: SickLeaveAgeBand,
    pub length: SickLeaveLength,
    pub prior: bool,
    pub rate: Decimal,
}

/// What the database returns for one group of units.
#[derive(Debug, Clone, Default)]
pub struct StaffingCells {
    pub worked_hours: Vec<WorkedHoursCell>,
    pub hired_staff: Vec<(ProfessionCode, HiredStaffSums)>,
    pub headcounts: Vec<HeadcountCell>,
    pub sick_leave: Vec<SickLeaveCell>,
    /// FTE columns summed per profession group; a column absent unless every summed
    /// record reports it.
    pub positions: Vec<(ProfessionCode, PositionColumns)>,
}

/// Worked hours and FTE of one profession group, or of all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkedHoursRow {
    pub profession: Option<ProfessionCode>,
    pub hours: Compared<Decimal>,
    pub fte: Compared<Decimal>,
}

/// Hired staff of one profession group, or of all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HiredStaffRow {
    pub profession: Option<ProfessionCode>,
    pub cost_sek: Compared<i64>,
    pub forecast_sek: Compared<i64>,
    pub personnel_cost_sek: Compared<i64>,
    pub hours_requested: Compared<Decimal>,
    pub hours_filled: Compared<Decimal>,
    /// Hours requested − hours filled (avvikelse avrop).
    pub hours_unfilled: Compared<Decimal>,
    pub fte_requested: Compared<Decimal>,
    pub fte_filled: Compared<Decimal>,
    pub hired_share_percent: Compared<Decimal>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadcountRow {
    pub employee_group: String,
    pub total: Compared<i64>,
    pub women: Compared<i64>,
    pub men: Compared<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SickLeaveRow {
    pub gender: SickLeaveGender,
    pub age_band: SickLeaveAgeBand,
    pub length: SickLeaveLength,
    /// Rates in percent; the change is in percentage points.
    pub rate: Compared<Decimal>,
}

/// Positions of one profession group, or of all, with the four deviations of the sums.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PositionRow {
    pub profession: Option<ProfessionCode>,
    pub columns: PositionColumns,
    pub deviations: PositionDeviations,
}

/// The tables of one group of units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffingGroupSummary {
    pub worked_hours: Vec<WorkedHoursRow>,
    pub worked_hours_total: WorkedHoursRow,
    pub hired_staff: Vec<HiredStaffRow>,
    pub hired_staff_total: HiredStaffRow,
    pub headcounts: Vec<HeadcountRow>,
    pub sick_leave: Vec<SickLeaveRow>,
    pub positions: Vec<PositionRow>,
    pub positions_total: PositionRow,
}

impl StaffingGroupSummary {
    /// True when no table holds a figure.
    pub fn is_empty(&self) -> bool {
        self.worked_hours.is_empty()
            && self.hired_staff.is_empty()
            && self.headcounts.is_empty()
            && self.sick_leave.is_empty()
            && self.positions.is_empty()
    }
}

/// The profession groups by code, for display order and the "of which" parents.
pub struct Professions<'a>(pub &'a HashMap<ProfessionCode, ProfessionGroup>);

impl Professions<'_> {
    /// Top-level groups add up to a total; "of which" sub-groups do not. A group unknown at
    /// `as_of` counts as top-level.
    fn in_total(&self, code: &ProfessionCode) -> bool {
        self.0.get(code).is_none_or(|g| g.parent.is_none())
    }

    fn order(&self, code: &ProfessionCode) -> (i32, ProfessionCode) {
        let order = self.0.get(code).map_or(i32::MAX, |g| g.display_order);
        (order, code.clone())
    }

    /// Rows keyed by profession in display order, then code.
    fn ordered<T>(&self, rows: HashMap<ProfessionCode, T>) -> Vec<(ProfessionCode, T)> {
        let mut rows: Vec<(ProfessionCode, T)> = rows.into_iter().collect();
        rows.sort_by_key(|(code, _)| self.order(code));
        rows
    }
}

/// Rolls one group's cells up into the tables the reports print.
pub fn summarize_group(
    cells: &StaffingCells,
    professions: &Professions<'_>,
    span: MonthSpan,
) -> StaffingGroupSummary {
    let (worked_hours, worked_hours_total) = worked_hours(cells, professions, span);
    let (hired_staff, hired_staff_total) = hired_staff(cells, professions, span);
    let (positions, positions_total) = positions(cells, professions);
    StaffingGroupSummary {
        worked_hours,
        worked_hours_total,
        hired_staff,
        hired_staff_total,
        headcounts: headcounts(cells),
        sick_leave: sick_leave(cells),
        positions,
        positions_total,
    }
}

fn worked_hours(
    cells: &StaffingCells,
    professions: &Professions<'_>,
    span: MonthSpan,
) -> (Vec<WorkedHoursRow>, WorkedHoursRow) {
    let mut by_profession: HashMap<ProfessionCode, Compared<i64>> = HashMap::new();
    for cell in &cells.worked_hours {
        by_profession
            .entry(cell.profession.clone())
            .or_default()
            .add(cell.prior, cell.hours_scaled);
    }
    let mut total = Compared::default();
    let row = |profession: Option<ProfessionCode>, hours: &Compared<i64>| WorkedHoursRow {
        profession,
        hours: hours.scaled(),
        fte: fte_compared(hours, span),
    };
    let rows = professions
        .ordered(by_profession)
        .into_iter()
        .map(|(code, hours)| {
            if professions.in_total(&code) {
                total.absorb(&hours);
            }
            row(Some(code), &hours)
        })
        .collect();
    (rows, row(None, &total))
}

fn hired_row(
    profession: Option<ProfessionCode>,
    s: &HiredStaffSums,
    span: MonthSpan,
) -> HiredStaffRow {
    HiredStaffRow {
        profession,
        cost_sek: s.cost_sek,
        forecast_sek: s.forecast_sek,
        personnel_cost_sek: s.personnel_cost_sek,
        hours_requested: s.hours_requested_scaled.scaled(),
        hours_filled: s.hours_filled_scaled.scaled(),
        hours_unfilled: s
            .hours_requested_scaled
            .minus(&s.hours_filled_scaled)
            .scaled(),
        fte_requested: fte_compared(&s.hours_requested_scaled, span),
        fte_filled: fte_compared(&s.hours_filled_scaled, span),
        hired_share_percent: hired_share_compared(
            &s.cost_where_both_sek,
            &s.personnel_where_both_sek,
        ),
    }
}

fn hired_staff(
    cells: &StaffingCells,
    professions: &Professions<'_>,
    span: MonthSpan,
) -> (Vec<HiredStaffRow>, HiredStaffRow) {
    let mut by_profession: HashMap<ProfessionCode, HiredStaffSums> = HashMap::new();
    for (code, sums) in &cells.hired_staff {
        by_profession.entry(code.clone()).or_default().absorb(sums);
    }
    let mut total = HiredStaffSums::default();
    let rows = professions
        .ordered(by_profession)
        .into_iter()
        .map(|(code, sums)| {
            if professions.in_total(&code) {
                total.absorb(&sums);
            }
            hired_row(Some(code), &sums, span)
        })
        .collect();
    (rows, hired_row(None, &total, span))
}

fn headcounts(cells: &StaffingCells) -> Vec<HeadcountRow> {
    let mut by_group: BTreeMap<&str, HeadcountRow> = BTreeMap::new();
    for cell in &cells.headcounts {
        let row = by_group
            .entry(&cell.employee_group)
            .or_insert_with(|| HeadcountRow {
                employee_group: cell.employee_group.clone(),
                ..HeadcountRow::default()
            });
        row.total.add(cell.prior, Some(cell.total));
        row.women.add(cell.prior, cell.women);
        row.men.add(cell.prior, cell.men);
    }
    by_group.into_values().collect()
}

fn sick_leave(cells: &StaffingCells) -> Vec<SickLeaveRow> {
    type Band = (SickLeaveGender, SickLeaveAgeBand, SickLeaveLength);
    let mut by_band: BTreeMap<(&str, &str, &str), (Band, Compared<Decimal>)> = BTreeMap::new();
    for cell in &cells.sick_leave {
        // Ordered by the stored labels, as ListSickLeave orders them.
        let key = (
            cell.gender.as_str(),
            cell.age_band.as_str(),
            cell.length.as_str(),
        );
        let (_, rate) = by_band.entry(key).or_insert_with(|| {
            (
                (cell.gender, cell.age_band, cell.length),
                Compared::default(),
            )
        });
        if cell.prior {
            rate.prior_year = Some(cell.rate);
        } else {
            rate.value = Some(cell.rate);
        }
    }
    by_band
        .into_values()
        .map(|((gender, age_band, length), rate)| SickLeaveRow {
            gender,
            age_band,
            length,
            rate,
        })
        .collect()
}

fn positions(
    cells: &StaffingCells,
    professions: &Professions<'_>,
) -> (Vec<PositionRow>, PositionRow) {
    let by_profession: HashMap<ProfessionCode, PositionColumns> =
        cells.positions.iter().cloned().collect();
    let row = |profession: Option<ProfessionCode>, columns: PositionColumns| PositionRow {
        profession,
        columns,
        deviations: PositionDeviations::of(&columns),
    };
    let mut total: Option<PositionColumns> = None;
    let rows = professions
        .ordered(by_profession)
        .into_iter()
        .map(|(code, columns)| {
            if professions.in_total(&code) {
                total = Some(match total {
                    None => columns,
                    Some(sum) => sum.plus(&columns),
                });
            }
            row(Some(code), columns)
        })
        .collect();
    (rows, row(None, total.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> ProfessionCode {
        ProfessionCode::from_stored(c.into())
    }

    fn groups() -> HashMap<ProfessionCode, ProfessionGroup> {
        [
            ("LAKARE", None, 20),
            ("LAKARE_PRIMARVARD", Some("LAKARE"), 21),
            ("SJUKSKOTERSKOR", None, 60),
            ("OVRIGA", None, 130),
        ]
        .into_iter()
        .map(|(c, parent, order)| {
            (
                code(c),
                ProfessionGroup {
                    code: code(c),
                    name: c.into(),
                    parent: parent.map(code),
                    display_order: order,
                },
            )
        })
        .collect()
    }

    fn span() -> MonthSpan {
        MonthSpan {
            fiscal_year: 2025,
            from: 1,
            to: 4,
        }
    }

    fn hired(
        c: &str,
        cost: (i64, i64),
        requested: Option<i64>,
    ) -> (ProfessionCode, HiredStaffSums) {
        let mut sums = HiredStaffSums::default();
        sums.cost_sek.add(false, Some(cost.0));
        sums.cost_sek.add(true, Some(cost.1));
        sums.hours_requested_scaled
            .add(false, requested.map(|h| h * 10_000));
        (code(c), sums)
    }

    #[test]
    fn totals_add_top_level_groups_only_in_display_order() {
        // HSN Jan–Apr 2025 against 2024, mkr as kronor.
        let cells = StaffingCells {
            hired_staff: vec![
                hired("OVRIGA", (1_300_000, 1_400_000), None),
                hired("SJUKSKOTERSKOR", (30_100_000, 51_100_000), Some(43_999)),
                hired("LAKARE_PRIMARVARD", (18_800_000, 19_600_000), Some(12_121)),
                hired("LAKARE", (47_100_000, 60_900_000), Some(34_121)),
            ],
            ..StaffingCells::default()
        };
        let groups = groups();
        let summary = summarize_group(&cells, &Professions(&groups), span());
        let order: Vec<&str> = summary
            .hired_staff
            .iter()
            .map(|r| r.profession.as_ref().unwrap().as_str())
            .collect();
        assert_eq!(
            order,
            ["LAKARE", "LAKARE_PRIMARVARD", "SJUKSKOTERSKOR", "OVRIGA"]
        );
        let total = &summary.hired_staff_total;
        assert_eq!(total.cost_sek.value, Some(78_500_000));
        assert_eq!(total.cost_sek.prior_year, Some(113_400_000));
        assert_eq!(
            total.hours_requested.value,
            Some(Decimal::from(78_120)),
            "34 121 + 43 999; primary care is 'of which'"
        );
        assert_eq!(total.hired_share_percent.value, None, "no personnel cost");
        assert!(summary.worked_hours.is_empty());
        assert_eq!(summary.worked_hours_total.hours.value, None);
    }

    #[test]
    fn position_totals_need_every_column_and_give_the_four_deviations() {
        let dec = |v: i64| Some(Decimal::from(v));
        let cells = StaffingCells {
            positions: vec![
                (
                    code("SJUKSKOTERSKOR"),
                    PositionColumns {
                        budget: dec(30),
                        needed: dec(32),
                        available_now: dec(27),
                        available_in_3_months: dec(25),
                        hired: dec(2),
                    },
                ),
                (
                    code("LAKARE"),
                    PositionColumns {
                        budget: dec(10),
                        needed: dec(10),
                        available_now: dec(9),
                        available_in_3_months: dec(9),
                        hired: None,
                    },
                ),
            ],
            ..StaffingCells::default()
        };
        let groups = groups();
        let summary = summarize_group(&cells, &Professions(&groups), span());
        let total = &summary.positions_total;
        assert_eq!(total.columns.budget, dec(40));
        assert_eq!(total.columns.hired, None, "one profession reports no hired");
        assert_eq!(total.deviations.budget_minus_available_now, dec(4));
        assert_eq!(total.deviations.needed_minus_available_now, dec(6));
        assert_eq!(
            total.deviations.available_now_minus_available_in_3_months,
            dec(2)
        );
        assert_eq!(
            total.deviations.needed_minus_available_now_minus_hired,
            None
        );
        let nurses = &summary.positions[1];
        assert_eq!(
            nurses.deviations.needed_minus_available_now_minus_hired,
            dec(3)
        );
    }
}
