//! Account categories: data, not an enum, since report sets differ between years.

use super::codes::CategoryCode;
use super::validation::Violation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Income,
    Cost,
    /// A figure reported only as a net (a budget frame, a unit's net result).
    Net,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Income => "income",
            Self::Cost => "cost",
            Self::Net => "net",
        }
    }

    pub fn parse(value: &str, field: &str) -> Result<Self, Violation> {
        match value {
            "income" => Ok(Self::Income),
            "cost" => Ok(Self::Cost),
            "net" => Ok(Self::Net),
            _ => Err(Violation::new(
                field,
                format!("{value:?} is not a direction: income, cost or net"),
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: CategoryCode,
    pub name: String,
    pub direction: Direction,
    pub parent: Option<CategoryCode>,
    pub display_order: i32,
}

impl Category {
    /// Only top-level income and cost categories enter the derived totals; sub-categories
    /// are "of which" detail and would count twice.
    pub fn counts_in_totals(&self) -> bool {
        self.parent.is_none() && matches!(self.direction, Direction::Income | Direction::Cost)
    }
}
