//! Exact decimals (FTE, hours, percentages) stored as integers scaled by 10 000.

use super::validation::Violation;
use rust_decimal::Decimal;
use std::str::FromStr;

/// Stored scale: four decimals, e.g. 2875.85 is stored as 28 758 500.
pub const SCALE: u32 = 4;

/// An exact decimal with at most four decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExactDecimal(Decimal);

impl ExactDecimal {
    pub fn parse(text: &str, field: &str) -> Result<Self, Violation> {
        let value = Decimal::from_str(text).map_err(|_| {
            Violation::new(
                field,
                format!("{text:?} is not a decimal number such as 2875.85"),
            )
        })?;
        if value.normalize().scale() > SCALE {
            return Err(Violation::new(
                field,
                format!("{text} has more than {SCALE} decimals"),
            ));
        }
        Self::new(value).ok_or_else(|| Violation::new(field, format!("{text} is out of range")))
    }

    /// A value that fits the stored scale; `None` when it would not.
    pub fn new(value: Decimal) -> Option<Self> {
        let scaled = value.checked_mul(Decimal::from(10_i64.pow(SCALE)))?;
        i64::try_from(scaled.trunc()).ok()?;
        Some(Self(value))
    }

    pub fn from_scaled(scaled: i64) -> Self {
        Self(Decimal::new(scaled, SCALE))
    }

    pub fn to_scaled(self) -> i64 {
        let scaled = self.0 * Decimal::from(10_i64.pow(SCALE));
        i64::try_from(scaled.trunc()).expect("checked when constructed")
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

impl std::fmt::Display for ExactDecimal {
    /// Plain decimal notation without trailing zeros: "2875.85".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_stored_scale() {
        let fte = ExactDecimal::parse("2875.85", "fte").unwrap();
        assert_eq!(fte.to_scaled(), 28_758_500);
        assert_eq!(ExactDecimal::from_scaled(28_758_500).to_string(), "2875.85");
        assert!(ExactDecimal::parse("1.23456", "fte").is_err());
        assert!(ExactDecimal::parse("abc", "fte").is_err());
    }
}
