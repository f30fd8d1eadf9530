//! The change feed as a caller may read it: every inserted, superseded or retracted fact
//! after a position, of the kinds asked, of the units the caller reaches in today's tree
//! (and region-wide definitions).

use super::error::ServiceError;
use super::read::{UnitFilter, reach};
use crate::changes::{FeedChange, changes_after};
use crate::domain::access::Grant;
use crate::domain::instant::Instant;
use crate::store::Store;
use crate::store::changes::ChangeFilter;

/// ListChanges, validated.
#[derive(Debug, Clone)]
pub struct ChangeQuery {
    /// The feed position to continue after (0: the beginning).
    pub after: i64,
    pub size: u64,
    pub units: UnitFilter,
    /// `None`: every kind.
    pub kinds: Option<Vec<String>>,
}

pub async fn list(
    store: &Store,
    grant: &Grant,
    query: &ChangeQuery,
) -> Result<Vec<FeedChange>, ServiceError> {
    let now = Instant::now();
    let filter = ChangeFilter {
        kinds: query.kinds.clone(),
        reach: reach(store, grant, &query.units, now.date(), now).await?,
    };
    Ok(changes_after(store, query.after, &filter, query.size).await?)
}
