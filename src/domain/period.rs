//! Fiscal years, months and month spans.

use super::validation::Violation;

/// Years the service accepts; wide enough for history and plan years, narrow enough to catch
/// typos such as `225`.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2200;

pub fn parse_fiscal_year(value: i64, field: &str) -> Result<i32, Violation> {
    if (FIRST_YEAR as i64..=LAST_YEAR as i64).contains(&value) {
        Ok(value as i32)
    } else {
        Err(Violation::new(
            field,
            format!("{value} is not a fiscal year between {FIRST_YEAR} and {LAST_YEAR}"),
        ))
    }
}

pub fn parse_month(value: i64, field: &str) -> Result<u8, Violation> {
    if (1..=12).contains(&value) {
        Ok(value as u8)
    } else {
        Err(Violation::new(
            field,
            format!("{value} is not a month 1–12"),
        ))
    }
}

/// A span of months of one fiscal year, both ends included; `from <= to` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MonthSpan {
    pub fiscal_year: i32,
    pub from: u8,
    pub to: u8,
}

impl MonthSpan {
    /// Validates the three parts; field names are the caller's (`from_month`, …).
    pub fn parse(
        fiscal_year: i64,
        from: i64,
        to: i64,
        fields: [&str; 3],
    ) -> Result<Self, Vec<Violation>> {
        let mut violations = Vec::new();
        let year = parse_fiscal_year(fiscal_year, fields[0]).map_err(|v| violations.push(v));
        let from_month = parse_month(from, fields[1]).map_err(|v| violations.push(v));
        let to_month = parse_month(to, fields[2]).map_err(|v| violations.push(v));
        if let (Ok(year), Ok(from), Ok(to)) = (year, from_month, to_month) {
            if from > to {
                return Err(vec![Violation::new(
                    fields[1],
                    format!("from_month {from} is after to_month {to}"),
                )]);
            }
            return Ok(Self {
                fiscal_year: year,
                from,
                to,
            });
        }
        Err(violations)
    }

    /// A span read back from storage, which was validated when written.
    pub fn from_stored(fiscal_year: i32, from: i16, to: i16) -> Self {
        Self {
            fiscal_year,
            from: from as u8,
            to: to as u8,
        }
    }

    pub fn months(self) -> u8 {
        self.to - self.from + 1
    }

    /// January to December: every stored span of the year lies inside it.
    pub fn is_whole_year(self) -> bool {
        self.from == 1 && self.to == 12
    }

    /// True when `other` lies entirely inside this span (same year).
    pub fn contains(self, other: MonthSpan) -> bool {
        self.fiscal_year == other.fiscal_year && self.from <= other.from && other.to <= self.to
    }

    /// True when the two spans share at least one month.
    pub fn overlaps(self, other: MonthSpan) -> bool {
        self.fiscal_year == other.fiscal_year && self.from <= other.to && other.from <= self.to
    }

    /// The span's last day: the default date of snapshot figures beside it ("per 30 april").
    pub fn last_day(self) -> chrono::NaiveDate {
        let (year, month) = if self.to == 12 {
            (self.fiscal_year + 1, 1)
        } else {
            (self.fiscal_year, u32::from(self.to) + 1)
        };
        chrono::NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|first| first.pred_opt())
            .expect("a validated span's year has dates")
    }

    /// The same months one year earlier (the prior-year comparison).
    pub fn prior_year(self) -> Self {
        Self {
            fiscal_year: self.fiscal_year - 1,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: [&str; 3] = ["fiscal_year", "from_month", "to_month"];

    #[test]
    fn rejects_reversed_and_out_of_range_months() {
        assert_eq!(
            MonthSpan::parse(2025, 5, 4, FIELDS).unwrap_err()[0].field,
            "from_month"
        );
        let errors = MonthSpan::parse(2025, 0, 13, FIELDS).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[1].field, "to_month");
    }

    #[test]
    fn containment_and_overlap() {
        let jan_apr = MonthSpan::parse(2025, 1, 4, FIELDS).unwrap();
        let jan_mar = MonthSpan::parse(2025, 1, 3, FIELDS).unwrap();
        let may = MonthSpan::parse(2025, 5, 5, FIELDS).unwrap();
        assert!(jan_apr.contains(jan_mar) && !jan_mar.contains(jan_apr));
        assert!(jan_apr.overlaps(jan_mar) && !jan_apr.overlaps(may));
        assert!(!jan_apr.overlaps(jan_apr.prior_year()));
        assert_eq!(jan_apr.months(), 4);
        assert_eq!(jan_apr.last_day().to_string(), "2025-04-30");
        let full_2024 = MonthSpan::parse(2024, 1, 12, FIELDS).unwrap();
        assert_eq!(full_2024.last_day().to_string(), "2024-12-31");
        let feb_2024 = MonthSpan::parse(2024, 2, 2, FIELDS).unwrap();
        assert_eq!(feb_2024.last_day().to_string(), "2024-02-29");
    }
}
