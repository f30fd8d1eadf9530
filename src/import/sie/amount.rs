//! Amounts as SIE writes them (`-1000.00`: a decimal point, at most two decimals) read
//! exactly into öre, and the one rounding to whole kronor that a budget line needs.

/// An amount in öre; `Err` says what is wrong with the text.
pub fn parse_ore(text: &[u8]) -> Result<i64, String> {
    let shown = || String::from_utf8_lossy(text).into_owned();
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, &digits[digits.len()..]),
    };
    let all_digits = |part: &[u8]| part.iter().all(u8::is_ascii_digit);
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(format!(
            "{:?} is not an amount (digits with a decimal point, e.g. -1000.00)",
            shown()
        ));
    }
    if fraction.len() > 2 {
        return Err(format!(
            "{:?} has more than two decimals: SIE amounts are kronor and öre",
            shown()
        ));
    }
    let mut ore: i64 = 0;
    for &digit in whole {
        ore = ore
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(digit - b'0')))
            .ok_or_else(|| format!("{:?} is too large", shown()))?;
    }
    let mut cents = 0;
    for (i, &digit) in fraction.iter().enumerate() {
        cents += i64::from(digit - b'0') * if i == 0 { 10 } else { 1 };
    }
    let ore = ore
        .checked_mul(100)
        .and_then(|v| v.checked_add(cents))
        .ok_or_else(|| format!("{:?} is too large", shown()))?;
    Ok(if negative { -ore } else { ore })
}

/// A quantity (kvantitet): any decimal number; only checked, never summed.
pub fn check_quantity(text: &[u8]) -> Result<(), String> {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    let mut parts = digits.splitn(2, |&b| b == b'.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next().unwrap_or_default();
    if whole.is_empty() || !whole.iter().chain(fraction).all(u8::is_ascii_digit) {
        return Err(format!(
            "{:?} is not a number",
            String::from_utf8_lossy(text)
        ));
    }
    Ok(())
}

/// A sum of öre as whole kronor, rounded once, half away from zero (−1 234.50 → −1 235).
pub fn round_to_kronor(ore: i128) -> Option<i64> {
    let kronor = ore / 100;
    let rest = ore % 100;
    let rounded = if rest >= 50 {
        kronor + 1
    } else if rest <= -50 {
        kronor - 1
    } else {
        kronor
    };
    i64::try_from(rounded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_ore() {
        assert_eq!(parse_ore(b"-1000.00"), Ok(-100_000));
        assert_eq!(parse_ore(b"1234.5"), Ok(123_450));
        assert_eq!(parse_ore(b"17"), Ok(1700));
        assert_eq!(parse_ore(b"-0.05"), Ok(-5));
        assert_eq!(parse_ore(b"+3."), Ok(300));
        for bad in [
            &b""[..],
            b"-",
            b"1,50",
            b"1.234",
            b"12x",
            b".5",
            b"1e3",
            b"99999999999999999999",
        ] {
            assert!(
                parse_ore(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn one_rounding_half_away_from_zero() {
        assert_eq!(round_to_kronor(-123_450), Some(-1235));
        assert_eq!(round_to_kronor(123_449), Some(1234));
        assert_eq!(round_to_kronor(50), Some(1));
        assert_eq!(round_to_kronor(-49), Some(0));
        assert_eq!(round_to_kronor(0), Some(0));
    }

    #[test]
    fn quantities() {
        assert!(check_quantity(b"12.125").is_ok());
        assert!(check_quantity(b"-3").is_ok());
        assert!(check_quantity(b"x").is_err());
    }
}
