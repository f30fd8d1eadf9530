//! The import log as a caller may read it. A scoped caller sees only imports by credentials
//! whose scope lies inside its own (in today's tree): such an import can only have touched
//! units inside the caller's scope.

use super::error::ServiceError;
use super::listing::Page;
use super::paging::{self, PageRequest};
use crate::domain::access::{Grant, OrgScope};
use crate::domain::instant::Instant;
use crate::domain::org::OrgTree;
use crate::store::imports::{self, StoredImport};
use crate::store::{Store, StoreError};

/// Whether an import logged with `importer_scope` (`None`: an unscoped credential or the
/// command line) may be shown to `grant` in `tree`.
fn visible(grant: &Grant, tree: &OrgTree, importer_scope: Option<&str>) -> bool {
    match grant.scope() {
        None => true,
        Some(scope) => importer_scope.is_some_and(|stored| {
            let importer = OrgScope::from_stored(stored);
            !importer.roots().is_empty() && scope.contains_scope(tree, &importer)
        }),
    }
}

/// Up to `limit` imports `grant` may see, newest first, before `before_id`: for a scoped
/// grant, rows are read in chunks and filtered until the page is full.
async fn visible_imports(
    store: &Store,
    grant: &Grant,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<StoredImport>, StoreError> {
    if grant.scope().is_none() {
        return imports::list(store.db(), before_id, limit).await;
    }
    let now = Instant::now();
    let tree = store.org_tree(now.date(), now).await?;
    let chunk = limit.max(100);
    let mut before = before_id;
    let mut found = Vec::new();
    loop {
        let rows = imports::list(store.db(), before, chunk).await?;
        let exhausted = (rows.len() as u64) < chunk;
        before = rows.last().map(|r| r.id);
        found.extend(
            rows.into_iter()
                .filter(|r| visible(grant, &tree, r.importer_scope.as_deref())),
        );
        if found.len() as u64 >= limit || exhausted {
            found.truncate(limit as usize);
            return Ok(found);
        }
    }
}

/// One page of the import log, newest first.
pub async fn list(
    store: &Store,
    grant: &Grant,
    page: &PageRequest,
) -> Result<Page<StoredImport>, ServiceError> {
    let filters = paging::fingerprint(grant, &"imports");
    let (as_of, after) = paging::start::<i64>(&page.token, filters, None)?;
    let rows = visible_imports(store, grant, after, page.size + 1).await?;
    let (rows, next_page_token) = paging::finish(rows, page.size, filters, as_of, |r| r.id);
    Ok(Page {
        rows,
        next_page_token,
        as_of,
    })
}

/// A scoped caller that repeats another credential's request id must not learn that
/// import's result: the replay is refused unless the import is one it may list.
pub async fn check_replay(
    store: &Store,
    grant: &Grant,
    import_id: Option<i64>,
) -> Result<(), ServiceError> {
    if grant.scope().is_none() {
        return Ok(());
    }
    let shown = match import_id {
        Some(id) => visible_imports(store, grant, Some(id + 1), 1)
            .await?
            .first()
            .is_some_and(|row| row.id == id),
        None => false,
    };
    if shown {
        Ok(())
    } else {
        Err(ServiceError::Refused {
            message: "request_id was used by an import outside the credential's scope".to_owned(),
        })
    }
}
