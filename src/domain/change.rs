//! The change against the prior year, derived one way for every area (budget, staffing):
//! the change divided by the *signed* prior-year figure, as the reports print it.

use rust_decimal::{Decimal, RoundingStrategy};

/// Decimals of a change in percent.
pub const PERCENT_DECIMALS: u32 = 2;

/// `change / prior × 100`, in percent, rounded half away from zero to two decimals; `None`
/// when the prior year is zero. The divisor keeps its sign, as the reports print it: a cost
/// that grows shows a positive percentage (personnel costs −965 403 against −917 452:
/// "5,2 %"), a headcount that grows from 606 to 629 shows "3,80 %".
pub fn change_percent(change: Decimal, prior: Decimal) -> Option<Decimal> {
    if prior.is_zero() {
        return None;
    }
    let percent = change
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(prior)?;
    Some(percent.round_dp_with_strategy(PERCENT_DECIMALS, RoundingStrategy::MidpointAwayFromZero))
}

/// `change_percent` of whole numbers (kronor, counts): `current − prior` over `prior`.
pub fn change_percent_of(current: i64, prior: i64) -> Option<Decimal> {
    let change = current.checked_sub(prior)?;
    change_percent(Decimal::from(change), Decimal::from(prior))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divides_by_the_signed_prior_year() {
        assert_eq!(
            change_percent_of(-965_403, -917_452),
            Some(Decimal::new(523, 2))
        );
        assert_eq!(
            change_percent_of(39_684, 42_239),
            Some(Decimal::new(-605, 2))
        );
        assert_eq!(change_percent_of(629, 606), Some(Decimal::new(380, 2)));
        assert_eq!(change_percent_of(1, 0), None);
        // 78,5 mkr against 113,4 mkr hired staff: −30.776… → −30.78.
        assert_eq!(
            change_percent_of(78_500_000, 113_400_000),
            Some(Decimal::new(-3078, 2))
        );
    }

    #[test]
    fn rounds_half_away_from_zero() {
        // 1 / 8 = 12.5 %; 1 / 800 = 0.125 % → 0.13; −0.125 % → −0.13.
        assert_eq!(change_percent_of(9, 8), Some(Decimal::new(1250, 2)));
        assert_eq!(change_percent_of(801, 800), Some(Decimal::new(13, 2)));
        assert_eq!(change_percent_of(799, 800), Some(Decimal::new(-13, 2)));
    }
}
