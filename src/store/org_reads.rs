//! The store's reads of the organisation tree, answered from the `OrgCache` once the org
//! version is checked.

use super::connect::Store;
use super::error::StoreError;
use super::org::{StoredOrgUnit, all_placements};
use super::org_cache::History;
use super::version_gate::Inside;
use crate::domain::access::Reach;
use crate::domain::codes::OrgUnitCode;
use crate::domain::instant::Instant;
use crate::domain::org::OrgTree;
use chrono::NaiveDate;
use std::sync::Arc;

impl Store {
    /// Every placement of the current org version. The version is read before the rows, so
    /// a concurrent import can only make the rows newer than their version, which the next
    /// call then reloads.
    async fn org_history(&self) -> Result<Arc<History>, StoreError> {
        let cache = self.org_cache();
        let version = self.org_version_now().await?;
        if let Some(history) = cache.get(version) {
            return Ok(history);
        }
        // Boxed, as the version read below: a call rarely runs either, and inline their
        // futures would make every call's future (and each copy of it) some 18 kB.
        let rows = Box::pin(all_placements(self.reader())).await?;
        let history = Arc::new(History::new(rows));
        cache.put(version, history.clone());
        Ok(history)
    }

    /// The tree at `date` as of `as_of` from the history loaded last, and its org version,
    /// without a query (`None` before the first load): a guess that a caller checks against
    /// the org version its own query reads in the same snapshot (`listing::page`), or that
    /// `is_org_version` reads after it.
    pub fn last_org_tree(&self, date: NaiveDate, as_of: Instant) -> Option<(i64, Arc<OrgTree>)> {
        let loaded = self
            .org_cache()
            .loaded
            .lock()
            .expect("org cache lock")
            .clone();
        loaded.map(|(version, history)| (version, history.tree(date, as_of).0))
    }

    /// Enters a read that will check a tree from `last_org_tree`; whether it is alone tells
    /// if its query should read the org version itself or leave it to `is_org_version`,
    /// shared with the reads beside it.
    pub fn enter_tree_check(&self) -> Inside<'_> {
        self.org_cache().tree_checks.enter()
    }

    /// Whether `version` is the org version now (read through the gate, as every call's).
    pub async fn is_org_version(&self, version: i64) -> Result<bool, StoreError> {
        Ok(self.org_version_now().await? == version)
    }

    /// The org version, at least as new as when this call arrived: through the gate, on the
    /// version connection.
    async fn org_version_now(&self) -> Result<i64, StoreError> {
        let cache = self.org_cache();
        cache
            .gate
            .version(|| Box::pin(cache.connection.read(self.reader())))
            .await
    }

    /// The placements current at `as_of`, ordered by code and validity.
    pub async fn placements(&self, as_of: Instant) -> Result<Arc<Vec<StoredOrgUnit>>, StoreError> {
        Ok(self.org_history().await?.placements(as_of))
    }

    /// The tree at `date` as the data stood at `as_of`: what a read's reach is cut from.
    pub async fn org_tree(
        &self,
        date: NaiveDate,
        as_of: Instant,
    ) -> Result<Arc<OrgTree>, StoreError> {
        Ok(self.org_history().await?.tree(date, as_of).0)
    }

    /// The placements valid at `date`, as current at `as_of`, of the units in `reach`,
    /// ordered by code.
    pub async fn placements_in(
        &self,
        reach: &Reach,
        date: NaiveDate,
        as_of: Instant,
    ) -> Result<Vec<StoredOrgUnit>, StoreError> {
        let (_, placements) = self.org_history().await?.tree(date, as_of);
        Ok(placements
            .iter()
            .filter(|p| p.unit.is_valid_at(date) && reach.contains(&p.unit.code))
            .cloned()
            .collect())
    }

    /// The placement of `code` valid at `date`, as current at `as_of`; `None` also when
    /// `code` lies outside `reach`.
    pub async fn placement(
        &self,
        reach: &Reach,
        code: &OrgUnitCode,
        date: NaiveDate,
        as_of: Instant,
    ) -> Result<Option<StoredOrgUnit>, StoreError> {
        if !reach.contains(code) {
            return Ok(None);
        }
        let history = self.org_history().await?;
        Ok(history.by_code.get(code).and_then(|indexes| {
            indexes
                .iter()
                .map(|&i| &history.rows[i])
                .find(|p| p.provenance.is_current_at(as_of) && p.unit.is_valid_at(date))
                .cloned()
        }))
    }
}
