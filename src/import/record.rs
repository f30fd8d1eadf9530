//! Validated records of every kind the service stores.

use crate::domain::budget::BudgetLine;
use crate::domain::category::Category;
use crate::domain::indicator::{Assignment, Indicator, IndicatorOutcome, IndicatorTarget};
use crate::domain::investment::{Investment, InvestmentFigures};
use crate::domain::org::OrgUnit;
use crate::domain::provenance::Source;
use crate::domain::staffing::{
    Headcount, HiredStaff, Position, ProfessionGroup, SickLeave, WorkedHours,
};

/// One validated record with the source it came from.
#[derive(Debug, Clone)]
pub enum Record {
    OrgUnit(OrgUnit, Source),
    Category(Category, Source),
    ProfessionGroup(ProfessionGroup, Source),
    BudgetLine(BudgetLine, Source),
    Investment(Investment, Source),
    InvestmentFigures(InvestmentFigures, Source),
    Headcount(Headcount, Source),
    WorkedHours(WorkedHours, Source),
    HiredStaff(HiredStaff, Source),
    SickLeave(SickLeave, Source),
    Position(Position, Source),
    Indicator(Indicator, Source),
    IndicatorTarget(IndicatorTarget, Source),
    IndicatorOutcome(IndicatorOutcome, Source),
    Assignment(Assignment, Source),
}

/// Where a record stands: `position` counts records of the stream from 0; `location` is
/// `file:line` when it came from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub position: usize,
    pub location: Option<String>,
}

/// A record with its place in the stream.
#[derive(Debug, Clone)]
pub struct Entry {
    pub place: Place,
    pub record: Record,
}

/// What an import is: its source (the provenance of every fact without its own), an
/// optional request id for retries, and whether to write at all.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub document: String,
    pub table: Option<String>,
    pub system: Option<String>,
    pub request_id: Option<String>,
    pub dry_run: bool,
}
