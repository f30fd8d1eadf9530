//! Budget lines: one amount for (unit, category, year, month span, scenario).

use super::codes::{CategoryCode, OrgUnitCode};
use super::period::MonthSpan;
use super::scenario::Scenario;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    pub org_unit: OrgUnitCode,
    pub category: CategoryCode,
    pub span: MonthSpan,
    pub scenario: Scenario,
    pub amount_sek: i64,
}
