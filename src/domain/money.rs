//! Money: whole kronor in i64. Reports print tkr and mkr; those convert exactly or not at all.

use super::validation::Violation;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The unit a printed amount is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyUnit {
    Kronor,
    Thousands,
    Millions,
}

impl MoneyUnit {
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Kronor => "sek",
            Self::Thousands => "tkr",
            Self::Millions => "mkr",
        }
    }

    fn factor(self) -> i64 {
        match self {
            Self::Kronor => 1,
            Self::Thousands => 1_000,
            Self::Millions => 1_000_000,
        }
    }
}

/// Parses a decimal amount in `unit` into whole kronor; rejects fractions of a krona.
pub fn parse_amount(text: &str, unit: MoneyUnit, field: &str) -> Result<i64, Violation> {
    let value = Decimal::from_str(text).map_err(|_| {
        Violation::new(
            field,
            format!("{text:?} is not a number (use . as decimal mark)"),
        )
    })?;
    let kronor = value
        .checked_mul(Decimal::from(unit.factor()))
        .ok_or_else(|| Violation::new(field, format!("{text} is out of range")))?;
    if !kronor.fract().is_zero() {
        return Err(Violation::new(
            field,
            format!("{text} {} is not a whole number of kronor", unit.suffix()),
        ));
    }
    i64::try_from(kronor).map_err(|_| Violation::new(field, format!("{text} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_printed_units_exactly() {
        assert_eq!(
            parse_amount("47.1", MoneyUnit::Millions, "f"),
            Ok(47_100_000)
        );
        assert_eq!(
            parse_amount("-1271592", MoneyUnit::Thousands, "f"),
            Ok(-1_271_592_000)
        );
        assert_eq!(
            parse_amount("-2898.3", MoneyUnit::Millions, "f"),
            Ok(-2_898_300_000)
        );
        assert_eq!(parse_amount("12", MoneyUnit::Kronor, "f"), Ok(12));
    }

    #[test]
    fn rejects_fractions_of_a_krona_and_garbage() {
        assert!(parse_amount("1.2345", MoneyUnit::Thousands, "f").is_err());
        assert!(parse_amount("0.5", MoneyUnit::Kronor, "f").is_err());
        assert!(parse_amount("1 200", MoneyUnit::Kronor, "f").is_err());
        assert!(parse_amount("99999999999999999999", MoneyUnit::Millions, "f").is_err());
    }
}
