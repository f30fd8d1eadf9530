//! The derived staffing figures, computed here and nowhere else: FTE from hours, the four
//! deviations of a positions table, the hired-staff share of personnel cost, and each
//! figure's change against the prior year (absolute, in percent or in percentage points).
//!
//! Rounded figures are computed in integer arithmetic on the stored scale, so that rounding
//! half away from zero is exact whatever the quotient's expansion.

use super::change::{change_percent, change_percent_of};
use super::decimal::{ExactDecimal, SCALE};
use super::period::MonthSpan;
use super::staffing::{HiredStaff, Position};
use rust_decimal::Decimal;

/// Hours per month of one full-time equivalent, as the reports use.
pub const HOURS_PER_FTE_MONTH: i64 = 165;

/// Decimals of a rounded derived figure (FTE, percentages).
pub const ROUNDED_DECIMALS: u32 = 2;

/// `numerator / denominator` rounded half away from zero to `ROUNDED_DECIMALS` decimals;
/// `None` when the denominator is zero. Both are integers, so the result is exact.
fn divide_rounded(numerator: i128, denominator: i128) -> Option<Decimal> {
    if denominator == 0 {
        return None;
    }
    let negative = (numerator < 0) != (denominator < 0);
    let (n, d) = (
        numerator.unsigned_abs() * 10_u128.pow(ROUNDED_DECIMALS),
        denominator.unsigned_abs(),
    );
    // Half away from zero on magnitudes: floor((2n + d) / 2d).
    let magnitude = (2 * n + d) / (2 * d);
    let magnitude = i64::try_from(magnitude).ok()?;
    let value = Decimal::new(magnitude, ROUNDED_DECIMALS);
    Some(if negative && magnitude != 0 {
        -value
    } else {
        value
    })
}

/// Full-time equivalents of `hours` worked in `span`: hours / (165 × months of the span),
/// rounded half away from zero to two decimals (always printed with two: "51.70").
pub fn fte(hours: ExactDecimal, span: MonthSpan) -> Decimal {
    let denominator =
        i128::from(HOURS_PER_FTE_MONTH) * i128::from(span.months()) * 10_i128.pow(SCALE);
    divide_rounded(i128::from(hours.to_scaled()), denominator)
        .expect("a span has at least one month")
}

/// The share of hired staff in the profession's personnel cost: |cost| / |personnel cost| ×
/// 100, in percent, rounded half away from zero to two decimals. `None` unless both are
/// reported and the personnel cost is not zero. Magnitudes, because the reports print
/// hired-staff cost positive and personnel cost negative.
pub fn hired_share_percent(
    cost_sek: Option<i64>,
    personnel_cost_sek: Option<i64>,
) -> Option<Decimal> {
    let cost = i128::from(cost_sek?).abs();
    let personnel = i128::from(personnel_cost_sek?).abs();
    divide_rounded(cost * 100, personnel)
}

/// The figures derived for a hired-staff record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HiredStaffFigures {
    pub fte_requested: Option<Decimal>,
    pub fte_filled: Option<Decimal>,
    pub hired_share_percent: Option<Decimal>,
}

impl HiredStaffFigures {
    pub fn of(h: &HiredStaff) -> Self {
        Self {
            fte_requested: h.hours_requested.map(|hours| fte(hours, h.span)),
            fte_filled: h.hours_filled.map(|hours| fte(hours, h.span)),
            hired_share_percent: hired_share_percent(h.cost_sek, h.personnel_cost_sek),
        }
    }
}

/// The FTE columns of a positions table: one record's, or sums over several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PositionColumns {
    pub budget: Option<Decimal>,
    pub needed: Option<Decimal>,
    pub available_now: Option<Decimal>,
    pub available_in_3_months: Option<Decimal>,
    pub hired: Option<Decimal>,
}

impl PositionColumns {
    pub fn of(p: &Position) -> Self {
        let value = |v: Option<ExactDecimal>| v.map(ExactDecimal::value);
        Self {
            budget: Some(p.fte_budget.value()),
            needed: value(p.fte_needed),
            available_now: value(p.fte_available_now),
            available_in_3_months: value(p.fte_available_in_3_months),
            hired: value(p.fte_hired),
        }
    }
}

impl PositionColumns {
    /// The column sums of two groups of records; a column is absent unless both report it.
    pub fn plus(&self, other: &PositionColumns) -> PositionColumns {
        let sum = |a: Option<Decimal>, b: Option<Decimal>| a?.checked_add(b?);
        PositionColumns {
            budget: sum(self.budget, other.budget),
            needed: sum(self.needed, other.needed),
            available_now: sum(self.available_now, other.available_now),
            available_in_3_months: sum(self.available_in_3_months, other.available_in_3_months),
            hired: sum(self.hired, other.hired),
        }
    }
}

/// The four deviations the reports print beside a positions table, positive meaning a
/// shortage; exact, each absent when one of its inputs is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PositionDeviations {
    /// Budget − available now: budgeted positions not filled now.
    pub budget_minus_available_now: Option<Decimal>,
    /// Need with today's bed structure − available now.
    pub needed_minus_available_now: Option<Decimal>,
    /// Available now − available in three months: the shortage growing over the quarter.
    pub available_now_minus_available_in_3_months: Option<Decimal>,
    /// Need − available now − hired: the need neither own nor hired staff meets.
    pub needed_minus_available_now_minus_hired: Option<Decimal>,
}

impl PositionDeviations {
    pub fn of(c: &PositionColumns) -> Self {
        // Decimal subtraction of four-decimal values is exact.
        let minus = |a: Option<Decimal>, b: Option<Decimal>| a?.checked_sub(b?);
        let needed_minus_available_now = minus(c.needed, c.available_now);
        Self {
            budget_minus_available_now: minus(c.budget, c.available_now),
            needed_minus_available_now,
            available_now_minus_available_in_3_months: minus(
                c.available_now,
                c.available_in_3_months,
            ),
            needed_minus_available_now_minus_hired: minus(needed_minus_available_now, c.hired),
        }
    }
}

/// A figure beside the same figure one year earlier; either may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Compared<T> {
    pub value: Option<T>,
    pub prior_year: Option<T>,
}

impl Compared<i64> {
    /// Adds a summed figure of one year; absent parts leave the sum as it is.
    pub fn add(&mut self, prior: bool, amount: Option<i64>) {
        let target = if prior {
            &mut self.prior_year
        } else {
            &mut self.value
        };
        if let Some(amount) = amount {
            *target = Some(target.unwrap_or(0).saturating_add(amount));
        }
    }

    pub fn absorb(&mut self, other: &Compared<i64>) {
        self.add(false, other.value);
        self.add(true, other.prior_year);
    }

    /// value − prior year.
    pub fn change(&self) -> Option<i64> {
        self.value?.checked_sub(self.prior_year?)
    }

    /// The change over the signed prior year, in percent (`change::change_percent_of`).
    pub fn change_percent(&self) -> Option<Decimal> {
        change_percent_of(self.value?, self.prior_year?)
    }

    /// Each year's `self − other`; absent for a year without both.
    pub fn minus(&self, other: &Compared<i64>) -> Compared<i64> {
        let minus = |a: Option<i64>, b: Option<i64>| a?.checked_sub(b?);
        Compared {
            value: minus(self.value, other.value),
            prior_year: minus(self.prior_year, other.prior_year),
        }
    }

    /// Both sides read as exact decimals stored scaled by 10 000.
    pub fn scaled(&self) -> Compared<Decimal> {
        let decimal = |v: Option<i64>| v.map(|v| ExactDecimal::from_scaled(v).value());
        Compared {
            value: decimal(self.value),
            prior_year: decimal(self.prior_year),
        }
    }
}

impl Compared<Decimal> {
    /// value − prior year, exact; for a rate, the change in percentage points.
    pub fn change(&self) -> Option<Decimal> {
        self.value?.checked_sub(self.prior_year?)
    }

    /// The change over the signed prior year, in percent (`change::change_percent`).
    pub fn change_percent(&self) -> Option<Decimal> {
        change_percent(self.change()?, self.prior_year?)
    }

    /// Applies a derivation to each side.
    pub fn map(&self, f: impl Fn(Decimal) -> Option<Decimal>) -> Compared<Decimal> {
        Compared {
            value: self.value.and_then(&f),
            prior_year: self.prior_year.and_then(&f),
        }
    }
}

/// FTE of summed hours (scaled by 10 000) of a span and the same span a year earlier: the
/// FTE of each year, rounded as `fte` rounds; the change is of the rounded figures.
pub fn fte_compared(hours: &Compared<i64>, span: MonthSpan) -> Compared<Decimal> {
    let of = |v: Option<i64>| v.map(|h| fte(ExactDecimal::from_scaled(h), span));
    Compared {
        value: of(hours.value),
        prior_year: of(hours.prior_year),
    }
}

/// The hired share of each year from costs summed over the figures reporting both.
pub fn hired_share_compared(cost: &Compared<i64>, personnel: &Compared<i64>) -> Compared<Decimal> {
    Compared {
        value: hired_share_percent(cost.value, personnel.value),
        prior_year: hired_share_percent(cost.prior_year, personnel.prior_year),
    }
}

/// A rounded derived figure as the API serves it: always two decimals, "51.70".
pub fn format_rounded(value: Decimal) -> String {
    let mut value = value;
    value.rescale(ROUNDED_DECIMALS);
    value.to_string()
}

/// An exact figure as the API serves it: no trailing zeros, never "-0", "2875.85".
pub fn format_exact(value: Decimal) -> String {
    let value = value.normalize();
    if value.is_zero() {
        "0".to_owned()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::{OrgUnitCode, ProfessionCode};

    fn dec(text: &str) -> ExactDecimal {
        ExactDecimal::parse(text, "test").unwrap()
    }

    fn span(from: u8, to: u8) -> MonthSpan {
        MonthSpan {
            fiscal_year: 2025,
            from,
            to,
        }
    }

    #[test]
    fn fte_is_hours_over_165_per_month_rounded_half_away_from_zero() {
        // 34 121 hours requested for physicians Jan–Apr 2025: 34121 / 660 = 51.698… → 51.70.
        assert_eq!(format_rounded(fte(dec("34121"), span(1, 4))), "51.70");
        // One month, exact: 165 hours is one FTE, printed with two decimals.
        assert_eq!(format_rounded(fte(dec("165"), span(3, 3))), "1.00");
        // A full year: 1980 hours per FTE.
        assert_eq!(format_rounded(fte(dec("5694283"), span(1, 12))), "2875.90");
        // Midpoints round away from zero: 1.65 h / 165 = 0.01; 0.825 h / 165 = 0.005 → 0.01.
        assert_eq!(format_rounded(fte(dec("0.825"), span(1, 1))), "0.01");
        assert_eq!(format_rounded(fte(dec("0.8249"), span(1, 1))), "0.00");
        assert_eq!(format_rounded(fte(dec("-0.825"), span(1, 1))), "-0.01");
        assert_eq!(format_rounded(fte(dec("0"), span(1, 4))), "0.00");
    }

    #[test]
    fn fte_rounding_is_exact_where_a_float_would_not_be() {
        // 2875.85 FTE × 165 × 12 = 5 694 183 hours exactly; 0.005 FTE more is the midpoint.
        assert_eq!(format_rounded(fte(dec("5694183"), span(1, 12))), "2875.85");
        assert_eq!(
            format_rounded(fte(dec("5694192.9"), span(1, 12))),
            "2875.86"
        );
        assert_eq!(
            format_rounded(fte(dec("5694192.8999"), span(1, 12))),
            "2875.85"
        );
    }

    #[test]
    fn hired_share_needs_both_costs_and_a_nonzero_personnel_cost() {
        // 47,1 mkr hired physicians of 309,06 mkr personnel cost: 15.2397… → 15.24 %.
        assert_eq!(
            hired_share_percent(Some(47_100_000), Some(-309_060_000)).map(format_rounded),
            Some("15.24".to_owned())
        );
        assert_eq!(
            hired_share_percent(Some(-1), Some(8)).map(format_rounded),
            Some("12.50".to_owned())
        );
        // 1 / 8000 × 100 = 0.0125 → 0.01; 1 / 200 × 100 = 0.5 exactly.
        assert_eq!(
            hired_share_percent(Some(1), Some(8000)).map(format_rounded),
            Some("0.01".to_owned())
        );
        assert_eq!(hired_share_percent(Some(1), Some(0)), None);
        assert_eq!(hired_share_percent(None, Some(100)), None);
        assert_eq!(hired_share_percent(Some(1), None), None);
        // Extreme values do not overflow.
        assert!(hired_share_percent(Some(i64::MIN), Some(i64::MIN)).is_some());
    }

    fn hired(requested: Option<&str>, cost: Option<i64>, personnel: Option<i64>) -> HiredStaff {
        HiredStaff {
            org_unit: OrgUnitCode::from_stored("HSN".into()),
            span: span(1, 4),
            profession: ProfessionCode::from_stored("LAKARE".into()),
            cost_sek: cost,
            forecast_sek: None,
            personnel_cost_sek: personnel,
            hours_requested: requested.map(dec),
            hours_filled: None,
        }
    }

    #[test]
    fn hired_staff_figures_are_absent_when_their_inputs_are() {
        let figures = HiredStaffFigures::of(&hired(Some("34121"), Some(47_100_000), None));
        assert_eq!(
            figures.fte_requested.map(format_rounded).as_deref(),
            Some("51.70")
        );
        assert_eq!(figures.fte_filled, None);
        assert_eq!(figures.hired_share_percent, None);
        assert_eq!(
            HiredStaffFigures::of(&hired(None, None, None)),
            HiredStaffFigures::default()
        );
    }

    fn position(
        budget: &str,
        needed: Option<&str>,
        now: Option<&str>,
        in_3: Option<&str>,
    ) -> Position {
        Position {
            org_unit: OrgUnitCode::from_stored("HSN".into()),
            date: chrono::NaiveDate::from_ymd_opt(2025, 4, 30).unwrap(),
            profession: ProfessionCode::from_stored("SJUKSKOTERSKOR".into()),
            fte_budget: dec(budget),
            fte_needed: needed.map(dec),
            fte_available_now: now.map(dec),
            fte_available_in_3_months: in_3.map(dec),
            fte_hired: None,
        }
    }

    fn deviations(p: &Position) -> PositionDeviations {
        PositionDeviations::of(&PositionColumns::of(p))
    }

    #[test]
    fn position_deviations_are_positive_for_a_shortage_and_exact() {
        let mut p = position(
            "2875.85",
            Some("2901.1234"),
            Some("2850.5"),
            Some("2901.1234"),
        );
        p.fte_hired = Some(dec("12.25"));
        let d = deviations(&p);
        let f = |v: Option<Decimal>| v.map(format_exact);
        assert_eq!(f(d.budget_minus_available_now).as_deref(), Some("25.35"));
        assert_eq!(f(d.needed_minus_available_now).as_deref(), Some("50.6234"));
        assert_eq!(
            f(d.available_now_minus_available_in_3_months).as_deref(),
            Some("-50.6234"),
            "more available in three months: negative, no shortage"
        );
        assert_eq!(
            f(d.needed_minus_available_now_minus_hired).as_deref(),
            Some("38.3734")
        );
    }

    #[test]
    fn a_deviation_is_absent_when_an_input_is() {
        let d = deviations(&position("12.5", None, Some("10"), None));
        assert_eq!(
            d.budget_minus_available_now.map(format_exact).as_deref(),
            Some("2.5")
        );
        assert_eq!(d.needed_minus_available_now, None);
        assert_eq!(d.available_now_minus_available_in_3_months, None);
        assert_eq!(d.needed_minus_available_now_minus_hired, None);
        let d = deviations(&position("12.5", Some("14"), Some("14"), None));
        assert_eq!(
            d.needed_minus_available_now.map(format_exact).as_deref(),
            Some("0")
        );
        assert_eq!(d.needed_minus_available_now_minus_hired, None, "no hired");
    }

    #[test]
    fn exact_figures_print_without_trailing_zeros_or_negative_zero() {
        assert_eq!(format_exact(Decimal::new(28_758_500, 4)), "2875.85");
        assert_eq!(format_exact(Decimal::new(-0, 4)), "0");
        assert_eq!(format_exact(dec("1.5").value() - dec("1.5").value()), "0");
        assert_eq!(format_exact(Decimal::new(-15, 1)), "-1.5");
    }

    #[test]
    fn compared_figures_change_against_the_signed_prior_year() {
        // HSN hired staff Jan–Apr, total: 78,5 mkr against 113,4 mkr.
        let mut cost = Compared::default();
        cost.add(false, Some(78_500_000));
        cost.add(true, Some(113_400_000));
        cost.add(true, None);
        assert_eq!(cost.change(), Some(-34_900_000));
        assert_eq!(cost.change_percent(), Some(Decimal::new(-3078, 2)));
        // Hours scaled by 10 000: 78 120 against 74 852 hours.
        let hours = Compared {
            value: Some(781_200_000),
            prior_year: Some(748_520_000),
        };
        let decimal = hours.scaled();
        assert_eq!(decimal.change().map(format_exact).as_deref(), Some("3268"));
        assert_eq!(decimal.change_percent(), Some(Decimal::new(437, 2)));
        let fte = fte_compared(&hours, span(1, 4));
        assert_eq!(fte.value.map(format_rounded).as_deref(), Some("118.36"));
        assert_eq!(
            Compared::<i64> {
                value: Some(1),
                prior_year: None
            }
            .change(),
            None
        );
    }
}
