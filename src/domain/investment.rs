//! Investment objects and their figures per year and span.

use super::codes::{InvestmentId, OrgUnitCode};
use super::period::MonthSpan;
use crate::labelled_enum;

labelled_enum!(
    /// New investment (nyinvestering) or reinvestment.
    InvestmentKind, "an investment kind" { New = "new", Reinvestment = "reinvestment" }
);

labelled_enum!(
    /// Which pot an investment is funded from.
    FundingCategory, "a funding category" {
        Frame = "frame",
        Unforeseen = "unforeseen",
        Extra = "extra",
        CarriedOver = "carried_over",
        OutsideFrame = "outside_frame",
    }
);

labelled_enum!(
    InvestmentStatus, "an investment status" {
        Planned = "planned",
        Ongoing = "ongoing",
        Completed = "completed",
        Cancelled = "cancelled",
    }
);

/// An investment object (its attributes; figures are separate, per year and span).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Investment {
    pub id: InvestmentId,
    pub org_unit: OrgUnitCode,
    pub name: String,
    pub kind: InvestmentKind,
    pub funding: FundingCategory,
    pub decision: Option<String>,
    pub decided_year: Option<i32>,
    pub status: InvestmentStatus,
    pub total_budget_sek: Option<i64>,
    pub planned_completion: Option<String>,
    pub procurement_contacted: Option<bool>,
    pub comment: Option<String>,
}

/// An object's figures for one year and span; `None` means not reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvestmentFigures {
    pub investment: InvestmentId,
    pub span: MonthSpan,
    pub budget_sek: Option<i64>,
    pub outcome_sek: Option<i64>,
    pub outcome_since_start_sek: Option<i64>,
    pub forecast_sek: Option<i64>,
    pub carry_over_requested_sek: Option<i64>,
}

impl InvestmentFigures {
    pub fn is_empty(&self) -> bool {
        self.budget_sek.is_none()
            && self.outcome_sek.is_none()
            && self.outcome_since_start_sek.is_none()
            && self.forecast_sek.is_none()
            && self.carry_over_requested_sek.is_none()
    }
}
