//! The one read path of every List RPC over facts: the page token bound to every filter and
//! to the caller's scope, the reach resolved (`read`), one keyset page read
//! (`store::listing::list`), the next token. Each area adds only its filter type.

use super::error::ServiceError;
use super::paging::{self, PageRequest};
use super::read::{At, UnitFilter, reach, reach_in};
use crate::domain::access::Grant;
use crate::domain::instant::Instant;
use crate::domain::validation::Violation;
use crate::store::listing::{ListFilter, PageRows, RowKey, key_fits, list as read_page};
use crate::store::{Store, StoreError};
use chrono::NaiveDate;

/// A List request, validated: which units, when, which page, and the area's own filters.
#[derive(Debug, Clone)]
pub struct ListQuery<F> {
    pub units: UnitFilter,
    pub at: At,
    pub page: PageRequest,
    pub filter: F,
}

/// One page of a list.
pub struct Page<T> {
    pub rows: Vec<T>,
    pub next_page_token: String,
    /// The instant the page was read at (pinned by the first page).
    pub as_of: Instant,
}

/// Reads one page of `query` for `grant`; `name` names the list in its page tokens.
pub async fn list<F: ListFilter>(
    store: &Store,
    grant: &Grant,
    name: &'static str,
    query: &ListQuery<F>,
) -> Result<Page<F::Row>, ServiceError> {
    let fingerprint = paging::fingerprint(
        grant,
        &(
            name,
            &query.units.unit,
            query.units.include_descendants,
            query.at.structure_date,
            query.at.as_of,
            &query.filter,
        ),
    );
    let (as_of, after) = paging::start::<RowKey>(&query.page.token, fingerprint, query.at.as_of)?;
    if after
        .as_ref()
        .is_some_and(|key| !key_fits::<F::Entity>(key))
    {
        return Err(
            Violation::new("page_token", "is not a page token issued by this service").into(),
        );
    }
    let date = query.at.tree_date(as_of);
    let (after, size) = (after.as_ref(), query.page.size);
    let rows = if query.units.unit.is_none()
        && let Some(everything) = grant.unfiltered()
    {
        read_page(
            store.reader(),
            &everything,
            &query.filter,
            as_of,
            after,
            size,
            false,
        )
        .await?
    } else {
        match fast_read(store, grant, query, date, as_of, after).await? {
            Some(rows) => rows,
            None => {
                let reach = reach(store, grant, &query.units, date, as_of).await?;
                read_page(
                    store.reader(),
                    &reach,
                    &query.filter,
                    as_of,
                    after,
                    size,
                    false,
                )
                .await?
            }
        }
    };
    Ok(Page {
        next_page_token: rows
            .next
            .map(|key| paging::encode(fingerprint, as_of, &key))
            .unwrap_or_default(),
        rows: rows.rows,
        as_of,
    })
}

/// The page read with the reach taken from the tree loaded last, kept when the org version
/// of the page's snapshot is that tree's; `None` when there is no such tree, the tree
/// refused the filter, or the organisation moved since (the caller then resolves the reach
/// through the version gate). So a page never answers from a stale tree.
///
/// A lone read has its page query read the org version in the same snapshot: one query.
/// Beside other reads, the page query leaves it out, and the version is read through the
/// gate once the page is in: that read starts after the page's snapshot, and versions only
/// grow, so finding the tree's version there means the snapshot had it too. One point read
/// then serves every page waiting, where the subquery was planned and run in each.
async fn fast_read<F: ListFilter>(
    store: &Store,
    grant: &Grant,
    query: &ListQuery<F>,
    date: NaiveDate,
    as_of: Instant,
    after: Option<&RowKey>,
) -> Result<Option<PageRows<F::Row>>, StoreError> {
    let Some((version, tree)) = store.last_org_tree(date, as_of) else {
        return Ok(None);
    };
    let Ok(reach) = reach_in(&tree, grant, &query.units) else {
        return Ok(None);
    };
    let inside = store.enter_tree_check();
    let rows = read_page(
        store.reader(),
        &reach,
        &query.filter,
        as_of,
        after,
        query.page.size,
        inside.alone(),
    )
    .await?;
    let current = match rows.org_version {
        Some(read_version) => read_version == version,
        None => store.is_org_version(version).await?,
    };
    Ok(current.then_some(rows))
}
