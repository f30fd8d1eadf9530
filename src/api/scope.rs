//! Resolving an org-unit filter to the units it covers, shared by every service.

use super::error::ApiError;
use crate::domain::codes::OrgUnitCode;
use crate::domain::instant::Instant;
use crate::store::Store;
use chrono::NaiveDate;

/// The units a filter covers in the tree at `date`: `None` without a filter, the unit (and
/// its descendants when asked) otherwise; NOT_FOUND names `name` for an unknown unit.
pub async fn units_in_scope(
    store: &Store,
    name: &str,
    code: Option<&OrgUnitCode>,
    include_descendants: bool,
    date: NaiveDate,
    as_of: Instant,
) -> Result<Option<Vec<OrgUnitCode>>, ApiError> {
    let Some(code) = code else {
        return Ok(None);
    };
    let (tree, _) = store.org_tree(date, as_of).await?;
    if tree.get(code).is_none() {
        return Err(ApiError::not_found(name));
    }
    Ok(Some(if include_descendants {
        tree.subtree(code)
    } else {
        vec![code.clone()]
    }))
}
