//! The organisation tree, cached: every placement ever recorded (current and superseded, so
//! any `as_of` can be answered from memory), reloaded when the database's org version moves.
//! The version is read through a `VersionGate` on every call, so an import through any
//! instance on the same database is seen by every other at once, while concurrent calls
//! share one read. Trees of the current data are kept per structure date.

use super::org::StoredOrgUnit;
use super::version_connection::VersionConnection;
use super::version_gate::{InFlight, VersionGate};
use crate::domain::codes::OrgUnitCode;
use crate::domain::instant::Instant;
use crate::domain::org::OrgTree;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many structure dates keep a built tree of the current data.
const TREES_KEPT: usize = 16;

#[derive(Default)]
pub struct OrgCache {
    pub(super) gate: VersionGate,
    /// Where the gate reads the version.
    pub(super) connection: VersionConnection,
    /// The reads checking a tree from `last_org_tree` right now.
    pub(super) tree_checks: InFlight,
    pub(super) loaded: Mutex<Option<(i64, Arc<History>)>>,
}

/// Every placement of one org version.
pub(super) struct History {
    /// Ordered by code and validity.
    pub(super) rows: Vec<StoredOrgUnit>,
    /// Indexes into `rows` per code.
    pub(super) by_code: HashMap<OrgUnitCode, Vec<usize>>,
    /// The latest recorded or superseded time: at or after it, what is current is what has
    /// no successor, whatever the instant.
    horizon: Instant,
    /// The placements without a successor.
    current: Arc<Vec<StoredOrgUnit>>,
    /// Trees of `current` by structure date.
    trees: Mutex<HashMap<NaiveDate, Arc<OrgTree>>>,
}

impl History {
    pub(super) fn new(rows: Vec<StoredOrgUnit>) -> Self {
        let mut by_code: HashMap<OrgUnitCode, Vec<usize>> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            by_code.entry(row.unit.code.clone()).or_default().push(i);
        }
        let horizon = rows
            .iter()
            .flat_map(|r| [Some(r.provenance.recorded_at), r.provenance.superseded_at])
            .flatten()
            .max()
            .unwrap_or(Instant(i64::MIN));
        let current = rows
            .iter()
            .filter(|r| r.provenance.superseded_at.is_none())
            .cloned()
            .collect();
        Self {
            rows,
            by_code,
            horizon,
            current: Arc::new(current),
            trees: Mutex::default(),
        }
    }

    pub(super) fn placements(&self, as_of: Instant) -> Arc<Vec<StoredOrgUnit>> {
        if as_of >= self.horizon {
            return self.current.clone();
        }
        Arc::new(
            self.rows
                .iter()
                .filter(|p| p.provenance.is_current_at(as_of))
                .cloned()
                .collect(),
        )
    }

    /// The tree at `date` as of `as_of`, with the placements it was built from (filtered
    /// once).
    pub(super) fn tree(
        &self,
        date: NaiveDate,
        as_of: Instant,
    ) -> (Arc<OrgTree>, Arc<Vec<StoredOrgUnit>>) {
        let placements = self.placements(as_of);
        let build = || Arc::new(OrgTree::at(date, placements.iter().map(|s| s.unit.clone())));
        if as_of < self.horizon {
            return (build(), placements);
        }
        let mut trees = self.trees.lock().expect("org tree memo lock");
        if let Some(tree) = trees.get(&date) {
            return (tree.clone(), placements);
        }
        if trees.len() >= TREES_KEPT {
            trees.clear();
        }
        let tree = build();
        trees.insert(date, tree.clone());
        (tree, placements)
    }
}

impl OrgCache {
    pub(super) async fn close(&self) {
        self.connection.close().await;
    }

    pub(super) fn get(&self, version: i64) -> Option<Arc<History>> {
        let loaded = self.loaded.lock().expect("org cache lock");
        loaded
            .as_ref()
            .filter(|(v, _)| *v == version)
            .map(|(_, history)| history.clone())
    }

    pub(super) fn put(&self, version: i64, history: Arc<History>) {
        *self.loaded.lock().expect("org cache lock") = Some((version, history));
    }
}
