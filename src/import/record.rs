//! Validated records of every kind the service stores.

use crate::domain::category::Category;
use crate::domain::org::OrgUnit;
use crate::domain::provenance::Source;
use crate::store::budget::NewBudgetLine;

/// One validated record.
#[derive(Debug, Clone)]
pub enum Record {
    OrgUnit(OrgUnit, Source),
    Category(Category, Source),
    BudgetLine(NewBudgetLine),
}

impl Record {
    /// The record kind as the text format and the counts name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::OrgUnit(..) => "org_unit",
            Self::Category(..) => "category",
            Self::BudgetLine(_) => "budget_line",
        }
    }
}

/// A record with its place in the stream: `position` counts records from 0; `location` is
/// `file:line` when it came from a file.
#[derive(Debug, Clone)]
pub struct Entry {
    pub position: usize,
    pub location: Option<String>,
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
