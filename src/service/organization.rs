//! Organisation reads: one unit's placement, and units listed by parent, kind and date.

use super::error::ServiceError;
use super::listing::Page;
use super::paging::{self, PageRequest};
use super::read::{At, UnitFilter, reach_in, tree, unit_name};
use crate::domain::access::Grant;
use crate::domain::codes::OrgUnitCode;
use crate::domain::org::OrgUnitKind;
use crate::store::Store;
use crate::store::org::StoredOrgUnit;

/// GetOrgUnit, validated.
#[derive(Debug, Clone)]
pub struct UnitKey {
    pub code: OrgUnitCode,
    pub at: At,
}

/// The unit's placement in the tree at the structure date.
pub async fn get(
    store: &Store,
    grant: &Grant,
    key: &UnitKey,
) -> Result<StoredOrgUnit, ServiceError> {
    let (as_of, date) = key.at.resolve();
    let tree = tree(store, date, as_of).await?;
    let filter = UnitFilter {
        unit: Some(key.code.clone()),
        include_descendants: false,
    };
    let reach = reach_in(&tree, grant, &filter)?;
    store
        .placement(&reach, &key.code, date, as_of)
        .await?
        .ok_or_else(|| ServiceError::not_found(unit_name(&key.code)))
}

/// ListOrgUnits, validated.
#[derive(Debug, Clone)]
pub struct UnitQuery {
    /// The parent whose children (or, with descendants, whole subtree below it) are listed.
    pub parent: UnitFilter,
    pub kind: Option<OrgUnitKind>,
    pub at: At,
    pub page: PageRequest,
}

/// One page of units valid at the structure date, by code.
pub async fn list(
    store: &Store,
    grant: &Grant,
    query: &UnitQuery,
) -> Result<Page<StoredOrgUnit>, ServiceError> {
    let filters = paging::fingerprint(
        grant,
        &(
            "org_units",
            &query.parent.unit,
            query.parent.include_descendants,
            query.kind.map(|k| k.as_str()),
            query.at.structure_date,
            query.at.as_of,
        ),
    );
    let (as_of, after) = paging::start::<String>(&query.page.token, filters, query.at.as_of)?;
    let date = query.at.tree_date(as_of);
    let tree = tree(store, date, as_of).await?;
    // The parent's whole subtree is visible when the parent is; `members` picks from it.
    let below = UnitFilter {
        unit: query.parent.unit.clone(),
        include_descendants: true,
    };
    let reach = reach_in(&tree, grant, &below)?;
    // Below the parent: its children, or its whole subtree without it.
    let members: Option<Vec<OrgUnitCode>> = query.parent.unit.as_ref().map(|code| {
        if query.parent.include_descendants {
            tree.subtree(code)
                .into_iter()
                .filter(|c| c != code)
                .collect()
        } else {
            tree.children(code).to_vec()
        }
    });
    let rows: Vec<StoredOrgUnit> = store
        .placements_in(&reach, date, as_of)
        .await?
        .into_iter()
        .filter(|s| members.as_ref().is_none_or(|m| m.contains(&s.unit.code)))
        .filter(|s| query.kind.is_none_or(|k| s.unit.kind == k))
        .filter(|s| {
            after
                .as_ref()
                .is_none_or(|a| s.unit.code.as_str() > a.as_str())
        })
        .take(query.page.size as usize + 1)
        .collect();
    let (rows, next_page_token) = paging::finish(rows, query.page.size, filters, as_of, |s| {
        s.unit.code.to_string()
    });
    Ok(Page {
        rows,
        next_page_token,
        as_of,
    })
}
