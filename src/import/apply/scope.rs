//! What a scoped importer may touch, judged inside the apply step where every record meets
//! the current rows it would supersede or retract: for every kind, the unit the record names
//! and the unit of the current record with its key come from the kind's one owner function
//! (`StoredFact::owner`); for an org-unit placement, the parent of the new placement and of
//! every placement it replaces, overlaps or retracts must lie inside the scope at every date
//! those placements cover.
//!
//! Facts are judged in the tree of the import's own day, as this import leaves it: a unit it
//! creates under a unit inside the scope is inside. A scoped importer gets one answer for a
//! unit outside and one that does not exist, and for a key held outside and one that names
//! nothing: OUTSIDE_SCOPE, the record named by its position and kind.

use super::Current;
use super::org::OrgState;
use crate::domain::access::OrgScope;
use crate::domain::codes::OrgUnitCode;
use crate::domain::org::OrgUnit;
use chrono::NaiveDate;

/// The scope of one import by a scoped credential.
pub struct ImportScope {
    scope: OrgScope,
    /// The import's day: the tree facts are judged in.
    today: NaiveDate,
}

impl ImportScope {
    pub fn new(scope: OrgScope, today: NaiveDate) -> Self {
        Self { scope, today }
    }

    /// Whether a fact owned by `owner` may be written or replaced (`None`: a region-wide
    /// definition, or a reference to nothing the import knows).
    pub fn allows_owner(&self, org: &OrgState, owner: Option<&OrgUnitCode>) -> bool {
        owner.is_some_and(|unit| inside_at(org, &self.scope, unit, self.today))
    }

    /// Whether `incoming` may be written as a placement of its unit, given the unit's current
    /// placements: the unit may not be one that exists only outside the scope today, the new
    /// parent must be inside throughout the new placement, and so must the parent of every
    /// current placement with its key or overlapping it.
    pub fn allows_placement(&self, org: &OrgState, incoming: &OrgUnit) -> bool {
        let current = org.placements(&incoming.code);
        if !current.is_empty() && !inside_at(org, &self.scope, &incoming.code, self.today) {
            // Outside today, or closed: a closed unit is the scope's only if all of its
            // history lay inside.
            let closed = current.iter().all(|p| !p.value.is_valid_at(self.today));
            if !(closed && self.placements_inside(org, current.iter())) {
                return false;
            }
        }
        let touched = current
            .iter()
            .filter(|p| p.value.valid_from == incoming.valid_from || overlaps(&p.value, incoming));
        self.parent_inside(org, incoming) && self.placements_inside(org, touched)
    }

    /// Whether the current placement `retracted` may be withdrawn.
    pub fn allows_retraction(&self, org: &OrgState, retracted: &OrgUnit) -> bool {
        self.parent_inside(org, retracted)
    }

    fn placements_inside<'a>(
        &self,
        org: &OrgState,
        mut placements: impl Iterator<Item = &'a Current<OrgUnit>>,
    ) -> bool {
        placements.all(|p| self.parent_inside(org, &p.value))
    }

    /// Whether `placement`'s parent lies inside the scope at every date it covers. A
    /// top-level placement (no parent) is never inside a scope.
    fn parent_inside(&self, org: &OrgState, placement: &OrgUnit) -> bool {
        let Some(parent) = &placement.parent else {
            return false;
        };
        org.boundaries(placement.valid_from, placement.valid_to)
            .into_iter()
            .all(|date| inside_at(org, &self.scope, parent, date))
    }
}

/// Whether `code` or one of its ancestors at `date` is a root of `scope`.
fn inside_at(org: &OrgState, scope: &OrgScope, code: &OrgUnitCode, date: NaiveDate) -> bool {
    let mut current = code.clone();
    // Bounded by the number of units, so bad data with a cycle cannot loop.
    for _ in 0..=org.unit_count() {
        if scope.roots().contains(&current) {
            return org.placement_at(&current, date).is_some();
        }
        match org
            .placement_at(&current, date)
            .and_then(|p| p.parent.clone())
        {
            Some(parent) => current = parent,
            None => return false,
        }
    }
    false
}

fn overlaps(a: &OrgUnit, b: &OrgUnit) -> bool {
    let end = |u: &OrgUnit| u.valid_to.unwrap_or(NaiveDate::MAX);
    a.valid_from < end(b) && b.valid_from < end(a)
}
