//! The one read path of every List RPC over facts: the shared request fields (unit filter,
//! structure date, `as_of`, paging) validated once, the page token bound to every filter,
//! the unit scope resolved, one keyset page read (`store::listing::page`), the next token.
//! Each service adds only its own filters and its conversions.

use super::error::ApiError;
use super::paging;
use super::request::{self, Checks};
use super::scope::{needs_tree, units_in_scope, units_in_tree};
use crate::domain::codes::OrgUnitCode;
use crate::domain::instant::Instant;
use crate::store::listing::{Listed, PageRows, RowKey, page};
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use sea_orm::Condition;

/// The request fields every fact list shares, as sent.
pub struct ListFields<'a> {
    pub org_unit: &'a str,
    pub include_descendants: bool,
    pub structure_date: &'a str,
    pub as_of: Option<&'a prost_types::Timestamp>,
    pub page_size: i32,
    pub page_token: &'a str,
}

/// The shared fields of a List request message `r` (every fact list names them alike).
macro_rules! list_fields {
    ($r:expr) => {
        $crate::api::listing::ListFields {
            org_unit: &$r.org_unit,
            include_descendants: $r.include_descendants,
            structure_date: &$r.structure_date,
            as_of: $r.as_of.as_ref(),
            page_size: $r.page_size,
            page_token: &$r.page_token,
        }
    };
}
pub(crate) use list_fields;

/// The shared fields, validated.
#[derive(Debug)]
pub struct ListScope {
    org_unit_name: String,
    unit: Option<OrgUnitCode>,
    include_descendants: bool,
    /// `None`: the date of the read instant (see `request::tree_date`).
    structure_date: Option<NaiveDate>,
    as_of: Option<Instant>,
    size: u64,
    token: String,
}

impl ListScope {
    /// Validates the shared fields into `checks`; `None` only when one was invalid.
    pub fn parse(checks: &mut Checks, fields: ListFields<'_>) -> Self {
        Self {
            org_unit_name: fields.org_unit.to_owned(),
            unit: checks.take(request::optional_org_unit(fields.org_unit, "org_unit")),
            include_descendants: fields.include_descendants,
            structure_date: checks.take(request::structure_date(
                fields.structure_date,
                "structure_date",
            )),
            as_of: checks.take(request::as_of(fields.as_of)),
            size: checks.take(paging::page_size(fields.page_size)),
            token: fields.page_token.to_owned(),
        }
    }
}

/// One page of a list.
pub struct Page<M> {
    pub rows: Vec<M>,
    pub next_page_token: String,
    /// The instant the page was read at (pinned by the first page).
    pub as_of: Instant,
}

impl<M> Page<M> {
    /// The page's rows as stored values `D`, then as their proto messages `P`.
    pub fn convert<D, P>(self) -> Result<(Vec<P>, String), ApiError>
    where
        D: TryFrom<M, Error = StoreError>,
        P: for<'a> From<&'a D>,
    {
        // Sized up front: collecting through `Result` would grow the vector by doubling.
        let mut rows = Vec::with_capacity(self.rows.len());
        for row in self.rows {
            rows.push(P::from(&D::try_from(row)?));
        }
        Ok((rows, self.next_page_token))
    }
}

/// Reads one page of `E` for `scope` and the area's own `filters` (their Debug form binds
/// the page token; `condition` turns them into SQL at the read instant).
pub async fn list<E: Listed>(
    store: &Store,
    name: &'static str,
    scope: ListScope,
    filters: &impl std::fmt::Debug,
    condition: impl FnOnce(Instant) -> Condition,
) -> Result<Page<E::Model>, ApiError> {
    let fingerprint = paging::fingerprint(&(
        name,
        &scope.unit,
        scope.include_descendants,
        scope.structure_date,
        scope.as_of,
        filters,
    ));
    let (as_of, after) =
        paging::start::<RowKey>(&scope.token, fingerprint, scope.as_of).map_err(ApiError::from)?;
    let date = request::tree_date(scope.structure_date, as_of);
    let (condition, after_key, size) = (condition(as_of), after.as_ref(), scope.size);
    let read = |units: Option<Vec<OrgUnitCode>>, read_org_version: bool| {
        let filter = condition.clone();
        async move {
            page::<E>(
                store.reader(),
                units.as_deref(),
                filter,
                as_of,
                after_key,
                size,
                read_org_version,
            )
            .await
        }
    };
    let rows = if !needs_tree(scope.unit.as_ref()) {
        read(None, false).await?
    } else {
        match fast_read(store, &scope, date, as_of, &read).await? {
            Some(rows) => rows,
            None => {
                let units = units_in_scope(
                    store,
                    &scope.org_unit_name,
                    scope.unit.as_ref(),
                    scope.include_descendants,
                    date,
                    as_of,
                )
                .await?;
                read(units, false).await?
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

/// The page read with the units of the tree loaded last, kept when the org version of the
/// page's snapshot is that tree's; `None` when there is no such tree, the tree refused the
/// filter, or the organisation moved since (the caller then resolves the units through the
/// version gate). So a page never answers from a stale tree.
///
/// A lone read has its page query read the org version in the same snapshot: one query.
/// Beside other reads, the page query leaves it out, and the version is read through the
/// gate once the page is in: that read starts after the page's snapshot, and versions only
/// grow, so finding the tree's version there means the snapshot had it too. One point read
/// then serves every page waiting, where the subquery was planned and run in each (about
/// 40 µs of a PostgreSQL backend's CPU per page).
async fn fast_read<M, F, Fut>(
    store: &Store,
    scope: &ListScope,
    date: NaiveDate,
    as_of: Instant,
    read: &F,
) -> Result<Option<PageRows<M>>, ApiError>
where
    F: Fn(Option<Vec<OrgUnitCode>>, bool) -> Fut,
    Fut: std::future::Future<Output = Result<PageRows<M>, StoreError>>,
{
    let Some((version, tree)) = store.last_org_tree(date, as_of) else {
        return Ok(None);
    };
    let Ok(units) = units_in_tree(
        &tree,
        &scope.org_unit_name,
        scope.unit.as_ref(),
        scope.include_descendants,
    ) else {
        return Ok(None);
    };
    let inside = store.enter_tree_check();
    let rows = read(units, inside.alone()).await?;
    let current = match rows.org_version {
        Some(read_version) => read_version == version,
        None => store.is_org_version(version).await?,
    };
    Ok(current.then_some(rows))
}
