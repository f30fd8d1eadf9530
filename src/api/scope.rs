//! Resolving an org-unit filter to the units it covers, shared by every service, and the
//! caller's org-unit scope (src/auth): a scoped credential sees only units inside it.

use super::error::ApiError;
use crate::auth::OrgScope;
use crate::domain::codes::OrgUnitCode;
use crate::domain::instant::Instant;
use crate::domain::org::OrgTree;
use crate::store::Store;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// The units a filter covers in the tree at `date`: `None` without a filter (and without a
/// scope), the unit (and its descendants when asked) otherwise; NOT_FOUND names `name` for an
/// unknown unit. For a scoped caller, a unit outside the scope is PERMISSION_DENIED and no
/// filter means the units inside the scope, never "everything".
pub async fn units_in_scope(
    store: &Store,
    name: &str,
    code: Option<&OrgUnitCode>,
    include_descendants: bool,
    date: NaiveDate,
    as_of: Instant,
) -> Result<Option<Vec<OrgUnitCode>>, ApiError> {
    if !needs_tree(code) {
        return Ok(None);
    }
    let (tree, _) = store.org_tree(date, as_of).await?;
    units_in_tree(&tree, name, code, include_descendants)
}

/// Whether resolving a filter on `code` needs the tree: with a unit, or for a scoped caller.
pub fn needs_tree(code: Option<&OrgUnitCode>) -> bool {
    code.is_some() || crate::auth::current_scope().is_some()
}

/// `units_in_scope` in a given tree.
pub fn units_in_tree(
    tree: &OrgTree,
    name: &str,
    code: Option<&OrgUnitCode>,
    include_descendants: bool,
) -> Result<Option<Vec<OrgUnitCode>>, ApiError> {
    let Some(code) = code else {
        return Ok(visible_units(tree).map(|units| units.into_iter().collect()));
    };
    check_unit(tree, code, name)?;
    if tree.get(code).is_none() {
        return Err(ApiError::not_found(name));
    }
    Ok(Some(if include_descendants {
        tree.subtree(code)
    } else {
        vec![code.clone()]
    }))
}

/// The tree a Summarize reads at the structure date, with its unit checked: PERMISSION_DENIED
/// outside the caller's scope, NOT_FOUND naming `name` when the tree does not hold it.
pub async fn summary_tree(
    store: &Store,
    code: &OrgUnitCode,
    name: &str,
    date: NaiveDate,
    as_of: Instant,
) -> Result<std::sync::Arc<OrgTree>, ApiError> {
    let (tree, _) = store.org_tree(date, as_of).await?;
    check_unit(&tree, code, name)?;
    if tree.get(code).is_none() {
        return Err(ApiError::not_found(name));
    }
    Ok(tree)
}

/// PERMISSION_DENIED naming `name` unless the caller may see `code` in `tree`. A scoped
/// caller gets the same answer for an unknown unit, so it cannot probe what exists.
pub fn check_unit(tree: &OrgTree, code: &OrgUnitCode, name: &str) -> Result<(), ApiError> {
    match crate::auth::current_scope() {
        Some(scope) if !scope.covers(tree, code) => Err(outside(name)),
        _ => Ok(()),
    }
}

/// `check_unit` in the tree at `date`, loaded only for a scoped caller.
pub async fn check_unit_at(
    store: &Store,
    code: &OrgUnitCode,
    date: NaiveDate,
    as_of: Instant,
    name: &str,
) -> Result<(), ApiError> {
    if crate::auth::current_scope().is_none() {
        return Ok(());
    }
    let (tree, _) = store.org_tree(date, as_of).await?;
    check_unit(&tree, code, name)
}

/// The units of `tree` the caller may see; `None`: all.
pub fn visible_units(tree: &OrgTree) -> Option<BTreeSet<OrgUnitCode>> {
    crate::auth::current_scope().map(|scope: OrgScope| scope.units(tree))
}

pub fn outside(name: &str) -> ApiError {
    ApiError::PermissionDenied {
        reason: "OUTSIDE_SCOPE",
        message: format!("{name} is outside the credential's org-unit scope"),
    }
}

/// For GetInvestment: a scoped caller may see an investment of a unit inside its scope in
/// today's tree; an unknown one gets the same PERMISSION_DENIED as one outside.
pub async fn check_investment(
    store: &Store,
    stored: Option<&crate::store::investment::StoredInvestment>,
    name: &str,
    as_of: Instant,
) -> Result<(), ApiError> {
    if crate::auth::current_scope().is_none() {
        return Ok(());
    }
    let Some(stored) = stored else {
        return Err(outside(name));
    };
    let today = chrono::Utc::now().date_naive();
    check_unit_at(store, &stored.investment.org_unit, today, as_of, name).await
}
