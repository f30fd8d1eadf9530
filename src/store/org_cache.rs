//! The organisation tree, cached: every placement ever recorded (current and superseded, so
//! any `as_of` can be answered from memory), reloaded when the database's org version moves.
//! The version is one point read per call, so an import through any instance on the same
//! database is seen by every other at once.

use super::connect::Store;
use super::error::StoreError;
use super::org::{StoredOrgUnit, all_placements};
use super::write_lock::org_version;
use crate::domain::instant::Instant;
use crate::domain::org::OrgTree;
use chrono::NaiveDate;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct OrgCache {
    loaded: Mutex<Option<(i64, Arc<Vec<StoredOrgUnit>>)>>,
}

impl OrgCache {
    fn get(&self, version: i64) -> Option<Arc<Vec<StoredOrgUnit>>> {
        let loaded = self.loaded.lock().expect("org cache lock");
        loaded
            .as_ref()
            .filter(|(v, _)| *v == version)
            .map(|(_, rows)| rows.clone())
    }

    fn put(&self, version: i64, rows: Arc<Vec<StoredOrgUnit>>) {
        *self.loaded.lock().expect("org cache lock") = Some((version, rows));
    }
}

impl Store {
    /// Every placement ever recorded, ordered by code and validity. The version is read
    /// before the rows, so a concurrent import can only make the rows newer than their
    /// version, which the next call then reloads.
    async fn org_history(&self) -> Result<Arc<Vec<StoredOrgUnit>>, StoreError> {
        let version = org_version(self.reader()).await?;
        if let Some(rows) = self.org_cache().get(version) {
            return Ok(rows);
        }
        let rows = Arc::new(all_placements(self.reader()).await?);
        self.org_cache().put(version, rows.clone());
        Ok(rows)
    }

    /// The placements current at `as_of`, ordered by code and validity.
    pub async fn placements(&self, as_of: Instant) -> Result<Vec<StoredOrgUnit>, StoreError> {
        Ok(self
            .org_history()
            .await?
            .iter()
            .filter(|p| p.provenance.is_current_at(as_of))
            .cloned()
            .collect())
    }

    /// The tree at `date` as the data stood at `as_of`, with the placements it was built from.
    pub async fn org_tree(
        &self,
        date: NaiveDate,
        as_of: Instant,
    ) -> Result<(OrgTree, Vec<StoredOrgUnit>), StoreError> {
        let placements = self.placements(as_of).await?;
        let tree = OrgTree::at(date, placements.iter().map(|s| s.unit.clone()));
        Ok((tree, placements))
    }
}
