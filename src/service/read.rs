//! What every read shares: the instant and tree it is answered in, and the units the caller
//! may reach there (`domain::access`). Every service resolves its reach through here, so the
//! scope is applied in one place.

use super::error::ServiceError;
use crate::domain::access::{Grant, Reach, Subtree};
use crate::domain::codes::{ORG_UNITS, OrgUnitCode, resource_name};
use crate::domain::instant::Instant;
use crate::domain::org::OrgTree;
use crate::domain::period::MonthSpan;
use crate::store::Store;
use chrono::NaiveDate;
use std::sync::Arc;

/// When a read is answered, as asked: `as_of` (absent: now) and the structure date of the
/// tree (absent: the date of the read instant).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct At {
    pub as_of: Option<Instant>,
    pub structure_date: Option<NaiveDate>,
}

impl At {
    /// The read instant and tree date. The date is tied to the instant, not to the clock, so
    /// every page of a paged read, which pins its instant, sees one tree, also across
    /// midnight.
    pub fn resolve(self) -> (Instant, NaiveDate) {
        let as_of = self.as_of.unwrap_or_else(Instant::now);
        (as_of, self.tree_date(as_of))
    }

    /// The tree date for a read instant fixed elsewhere (a page token's).
    pub fn tree_date(self, as_of: Instant) -> NaiveDate {
        self.structure_date.unwrap_or_else(|| as_of.date())
    }
}

/// An org-unit filter as asked: a unit (and its descendants when asked), or none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct UnitFilter {
    pub unit: Option<OrgUnitCode>,
    pub include_descendants: bool,
}

/// The resource name of a unit, as errors name it.
pub fn unit_name(code: &OrgUnitCode) -> String {
    resource_name(ORG_UNITS, code.as_str())
}

/// The tree at `date` as it stood at `as_of`.
pub async fn tree(
    store: &Store,
    date: NaiveDate,
    as_of: Instant,
) -> Result<Arc<OrgTree>, ServiceError> {
    Ok(store.org_tree(date, as_of).await?)
}

/// The reach of `filter` for `grant` in `tree`: NOT_FOUND for a unit the tree does not hold,
/// OUTSIDE_SCOPE for one outside a scoped grant (or unknown to it).
pub fn reach_in(tree: &OrgTree, grant: &Grant, filter: &UnitFilter) -> Result<Reach, ServiceError> {
    grant
        .reach(tree, filter.unit.as_ref(), filter.include_descendants)
        .map_err(|denied| {
            ServiceError::denied(
                denied,
                filter.unit.as_ref().map(unit_name).unwrap_or_default(),
            )
        })
}

/// `reach_in` the tree at `date`, loaded only when needed.
pub async fn reach(
    store: &Store,
    grant: &Grant,
    filter: &UnitFilter,
    date: NaiveDate,
    as_of: Instant,
) -> Result<Reach, ServiceError> {
    if filter.unit.is_none()
        && let Some(reach) = grant.unfiltered()
    {
        return Ok(reach);
    }
    reach_in(&*tree(store, date, as_of).await?, grant, filter)
}

/// Everything `grant` reaches in the tree of `as_of`'s date: reads by key (Get…).
pub async fn reach_by_key(
    store: &Store,
    grant: &Grant,
    as_of: Instant,
) -> Result<Reach, ServiceError> {
    reach(store, grant, &UnitFilter::default(), as_of.date(), as_of).await
}

/// The shape every Summarize shares: a unit, a span of one year, and when.
#[derive(Debug, Clone)]
pub struct SummaryScope {
    pub unit: OrgUnitCode,
    pub span: MonthSpan,
    pub at: At,
}

/// A Summarize's prologue done: its instant, tree and the unit's subtree, checked against
/// the grant.
pub struct Summary {
    pub as_of: Instant,
    pub tree: Arc<OrgTree>,
    pub subtree: Subtree,
}

/// Opens a Summarize: resolves when, loads the tree and checks the unit.
pub async fn open_summary(
    store: &Store,
    grant: &Grant,
    scope: &SummaryScope,
) -> Result<Summary, ServiceError> {
    let (as_of, date) = scope.at.resolve();
    let tree = tree(store, date, as_of).await?;
    let subtree = grant
        .subtree(&tree, &scope.unit)
        .map_err(|denied| ServiceError::denied(denied, unit_name(&scope.unit)))?;
    Ok(Summary {
        as_of,
        tree,
        subtree,
    })
}
