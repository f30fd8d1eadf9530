//! The derived staffing figures, computed here and nowhere else: FTE from hours, the
//! deviations between position columns, and the hired-staff share of personnel cost.
//!
//! Rounded figures are computed in integer arithmetic on the stored scale, so that rounding
//! half away from zero is exact whatever the quotient's expansion.

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

/// The deviations between a position record's columns, exact; each absent when one of its
/// inputs is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PositionDeviations {
    /// FTE needed − FTE by budget: positive when the bed structure needs more than is funded.
    pub needed_minus_budget: Option<Decimal>,
    /// FTE available now − FTE needed: negative is a shortage now.
    pub available_now_minus_needed: Option<Decimal>,
    /// FTE available in three months − FTE needed: negative is a shortage then.
    pub available_in_3_months_minus_needed: Option<Decimal>,
}

impl PositionDeviations {
    pub fn of(p: &Position) -> Self {
        // Decimal subtraction of two four-decimal values is exact.
        let minus = |a: Option<ExactDecimal>, b: Option<ExactDecimal>| -> Option<Decimal> {
            a?.value().checked_sub(b?.value())
        };
        Self {
            needed_minus_budget: minus(p.fte_needed, Some(p.fte_budget)),
            available_now_minus_needed: minus(p.fte_available_now, p.fte_needed),
            available_in_3_months_minus_needed: minus(p.fte_available_in_3_months, p.fte_needed),
        }
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

    #[test]
    fn position_deviations_are_exact() {
        let d = PositionDeviations::of(&position(
            "2875.85",
            Some("2901.1234"),
            Some("2850.5"),
            Some("2901.1234"),
        ));
        assert_eq!(
            d.needed_minus_budget.map(format_exact).as_deref(),
            Some("25.2734")
        );
        assert_eq!(
            d.available_now_minus_needed.map(format_exact).as_deref(),
            Some("-50.6234")
        );
        assert_eq!(
            d.available_in_3_months_minus_needed
                .map(format_exact)
                .as_deref(),
            Some("0")
        );
    }

    #[test]
    fn a_deviation_is_absent_when_an_input_is() {
        let d = PositionDeviations::of(&position("12.5", None, Some("10"), None));
        assert_eq!(d, PositionDeviations::default());
        let d = PositionDeviations::of(&position("12.5", Some("14"), None, None));
        assert_eq!(
            d.needed_minus_budget.map(format_exact).as_deref(),
            Some("1.5")
        );
        assert_eq!(d.available_now_minus_needed, None);
    }

    #[test]
    fn exact_figures_print_without_trailing_zeros_or_negative_zero() {
        assert_eq!(format_exact(Decimal::new(28_758_500, 4)), "2875.85");
        assert_eq!(format_exact(Decimal::new(-0, 4)), "0");
        assert_eq!(format_exact(dec("1.5").value() - dec("1.5").value()), "0");
        assert_eq!(format_exact(Decimal::new(-15, 1)), "-1.5");
    }
}
