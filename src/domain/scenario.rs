//! Scenarios: what kind of figure a budget line holds.

use super::validation::Violation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scenario {
    Actual,
    Budget,
    Forecast,
    Plan,
}

impl Scenario {
    pub const ALL: [Scenario; 4] = [Self::Actual, Self::Budget, Self::Forecast, Self::Plan];

    /// The stored and written form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Actual => "actual",
            Self::Budget => "budget",
            Self::Forecast => "forecast",
            Self::Plan => "plan",
        }
    }

    pub fn parse(value: &str, field: &str) -> Result<Self, Violation> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| {
                Violation::new(
                    field,
                    format!("{value:?} is not a scenario: actual, budget, forecast or plan"),
                )
            })
    }
}
