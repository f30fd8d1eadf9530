//! Who may see what. A credential carries a `Grant`: the org-unit subtrees it may read and
//! write, or the whole region. One read is answered in one tree (its structure date and
//! `as_of`); the `Reach` of the read is the units of that tree it may touch. The store's reads
//! of unit-owned facts take a `Reach` (or `UnitGroup`s cut from one), and only this module
//! makes them, from a grant and a tree: a read that skipped the scope does not compile.
//!
//! A scoped grant gets one answer for a unit outside it and a unit that does not exist
//! (`Denied::Outside`), so it cannot probe what exists.

use super::codes::OrgUnitCode;
use super::org::OrgTree;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The root units of a scoped credential: it may see and write their subtrees.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrgScope {
    roots: Vec<OrgUnitCode>,
}

impl OrgScope {
    pub fn new(mut roots: Vec<OrgUnitCode>) -> Self {
        roots.sort();
        roots.dedup();
        Self { roots }
    }

    pub fn roots(&self) -> &[OrgUnitCode] {
        &self.roots
    }

    /// Every unit of `tree` inside the scope, ordered by code.
    pub fn units(&self, tree: &OrgTree) -> BTreeSet<OrgUnitCode> {
        self.roots
            .iter()
            .filter(|root| tree.get(root).is_some())
            .flat_map(|root| tree.subtree(root))
            .collect()
    }

    /// Whether `code` is a unit of `tree` inside the scope (a root or below one). An unknown
    /// unit is not inside.
    pub fn covers(&self, tree: &OrgTree, code: &OrgUnitCode) -> bool {
        let mut current = tree.get(code);
        // Bounded by the tree's size, so bad data with a cycle cannot loop.
        for _ in 0..=tree.units().count() {
            let Some(unit) = current else {
                return false;
            };
            if self.roots.contains(&unit.code) {
                return true;
            }
            current = unit.parent.as_ref().and_then(|p| tree.get(p));
        }
        false
    }

    /// Whether every root of `other` lies inside this scope.
    pub fn contains_scope(&self, tree: &OrgTree, other: &OrgScope) -> bool {
        other.roots.iter().all(|root| self.covers(tree, root))
    }

    /// The roots as stored in the import log: codes joined by commas.
    pub fn to_stored(&self) -> String {
        self.roots
            .iter()
            .map(OrgUnitCode::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn from_stored(value: &str) -> Self {
        Self::new(
            value
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| OrgUnitCode::from_stored(c.to_owned()))
                .collect(),
        )
    }
}

/// What a credential may reach: the whole region, or the subtrees of a scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Grant {
    scope: Option<OrgScope>,
}

/// Why a unit cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// The tree does not hold the unit (told only to a grant of the whole region).
    Unknown,
    /// Outside the grant's scope, or unknown to a scoped grant: the same answer for both.
    Outside,
}

impl Grant {
    /// The whole region: an unscoped credential, or the operator at the command line.
    pub fn region() -> Self {
        Self { scope: None }
    }

    pub fn scoped(scope: OrgScope) -> Self {
        Self { scope: Some(scope) }
    }

    pub fn scope(&self) -> Option<&OrgScope> {
        self.scope.as_ref()
    }

    /// Whether `code` is a unit of `tree` this grant reaches.
    pub fn covers(&self, tree: &OrgTree, code: &OrgUnitCode) -> bool {
        match &self.scope {
            None => tree.get(code).is_some(),
            Some(scope) => scope.covers(tree, code),
        }
    }

    /// `unit` checked: known to the tree and inside the grant.
    fn check(&self, tree: &OrgTree, unit: &OrgUnitCode) -> Result<(), Denied> {
        match &self.scope {
            Some(scope) if !scope.covers(tree, unit) => Err(Denied::Outside),
            _ if tree.get(unit).is_none() => Err(Denied::Unknown),
            _ => Ok(()),
        }
    }

    /// The reach of a read filtered to `unit` (with its descendants when asked), or, without
    /// a unit, of every unit the grant covers in `tree`.
    pub fn reach(
        &self,
        tree: &OrgTree,
        unit: Option<&OrgUnitCode>,
        include_descendants: bool,
    ) -> Result<Reach, Denied> {
        let Some(unit) = unit else {
            return Ok(self.everything(tree));
        };
        self.check(tree, unit)?;
        let units = if include_descendants {
            tree.subtree(unit)
        } else {
            vec![unit.clone()]
        };
        Ok(Reach::of(Some(units)))
    }

    /// Every unit, for a grant of the whole region (no tree needed); `None` for a scoped one.
    pub fn unfiltered(&self) -> Option<Reach> {
        self.scope.is_none().then(|| Reach::of(None))
    }

    /// Everything the grant reaches in `tree`: reads by key (Get…) and unfiltered lists.
    pub fn everything(&self, tree: &OrgTree) -> Reach {
        Reach::of(
            self.scope
                .as_ref()
                .map(|scope| scope.units(tree).into_iter().collect()),
        )
    }

    /// A summary of `unit`'s subtree: the whole subtree as one group, checked like `reach`.
    pub fn subtree(&self, tree: &OrgTree, unit: &OrgUnitCode) -> Result<Subtree, Denied> {
        self.check(tree, unit)?;
        Ok(Subtree {
            root: unit.clone(),
            units: tree.subtree(unit),
            children: tree
                .children(unit)
                .iter()
                .map(|child| UnitGroup {
                    unit: child.clone(),
                    units: tree.subtree(child),
                })
                .collect(),
        })
    }
}

/// The units one read may touch; `None` inside: every unit (a grant of the whole region
/// without a unit filter).
#[derive(Clone, Debug)]
pub struct Reach {
    units: Option<Arc<[OrgUnitCode]>>,
}

impl Reach {
    fn of(units: Option<Vec<OrgUnitCode>>) -> Self {
        Self {
            units: units.map(|mut u| {
                u.sort();
                u.dedup();
                u.into()
            }),
        }
    }

    /// The units, ordered by code; `None`: every unit.
    pub fn units(&self) -> Option<&[OrgUnitCode]> {
        self.units.as_deref()
    }

    pub fn contains(&self, code: &OrgUnitCode) -> bool {
        self.units
            .as_ref()
            .is_none_or(|units| units.binary_search(code).is_ok())
    }
}

/// A unit and the units a summary sums for it (itself and its descendants, or itself alone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitGroup {
    unit: OrgUnitCode,
    units: Vec<OrgUnitCode>,
}

impl UnitGroup {
    pub fn unit(&self) -> &OrgUnitCode {
        &self.unit
    }

    /// Ordered by code.
    pub fn units(&self) -> &[OrgUnitCode] {
        &self.units
    }
}

/// A summary's unit with its subtree, checked against the grant.
#[derive(Clone, Debug)]
pub struct Subtree {
    root: OrgUnitCode,
    units: Vec<OrgUnitCode>,
    children: Vec<UnitGroup>,
}

impl Subtree {
    pub fn root(&self) -> &OrgUnitCode {
        &self.root
    }

    /// The whole subtree as one group.
    pub fn whole(&self) -> UnitGroup {
        UnitGroup {
            unit: self.root.clone(),
            units: self.units.clone(),
        }
    }

    /// The root alone, then each child with its subtree, in code order: what a per-child
    /// summary sums, one group each.
    pub fn child_groups(&self) -> Vec<UnitGroup> {
        std::iter::once(UnitGroup {
            unit: self.root.clone(),
            units: vec![self.root.clone()],
        })
        .chain(self.children.iter().cloned())
        .collect()
    }

    /// The whole subtree, then `child_groups`.
    pub fn whole_and_children(&self) -> Vec<UnitGroup> {
        std::iter::once(self.whole())
            .chain(self.child_groups())
            .collect()
    }

    /// The reach of the whole subtree.
    pub fn reach(&self) -> Reach {
        Reach::of(Some(self.units.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org::{OrgUnit, OrgUnitKind, parse_date};

    fn code(c: &str) -> OrgUnitCode {
        OrgUnitCode::from_stored(c.into())
    }

    fn tree() -> OrgTree {
        let unit = |c: &str, parent: Option<&str>| OrgUnit {
            code: code(c),
            name: c.into(),
            kind: OrgUnitKind::Department,
            parent: parent.map(code),
            valid_from: parse_date("2020-01-01", "f").unwrap(),
            valid_to: None,
        };
        OrgTree::at(
            parse_date("2025-01-01", "d").unwrap(),
            vec![
                unit("R", None),
                unit("RS", Some("R")),
                unit("RS1", Some("RS")),
                unit("HSN", Some("R")),
            ],
        )
    }

    #[test]
    fn a_scope_covers_its_subtrees_only() {
        let tree = tree();
        let scope = OrgScope::new(vec![code("RS")]);
        assert!(scope.covers(&tree, &code("RS")));
        assert!(scope.covers(&tree, &code("RS1")));
        assert!(!scope.covers(&tree, &code("R")));
        assert!(!scope.covers(&tree, &code("HSN")));
        assert!(!scope.covers(&tree, &code("NOPE")));
        assert_eq!(
            scope.units(&tree).into_iter().collect::<Vec<_>>(),
            vec![code("RS"), code("RS1")]
        );
        assert!(scope.contains_scope(&tree, &OrgScope::new(vec![code("RS1")])));
        assert!(!scope.contains_scope(&tree, &OrgScope::new(vec![code("R")])));
        assert_eq!(OrgScope::from_stored(&scope.to_stored()), scope);
    }

    #[test]
    fn a_scoped_grant_cannot_tell_unknown_from_outside() {
        let tree = tree();
        let rs = Grant::scoped(OrgScope::new(vec![code("RS")]));
        let err = |r: Result<Reach, Denied>| r.err();
        assert_eq!(
            err(rs.reach(&tree, Some(&code("HSN")), true)),
            Some(Denied::Outside)
        );
        assert_eq!(
            err(rs.reach(&tree, Some(&code("R")), false)),
            Some(Denied::Outside)
        );
        assert_eq!(
            err(rs.reach(&tree, Some(&code("NOPE")), false)),
            Some(Denied::Outside)
        );
        let region = Grant::region();
        assert_eq!(
            err(region.reach(&tree, Some(&code("NOPE")), false)),
            Some(Denied::Unknown)
        );
    }

    #[test]
    fn reaches_hold_only_what_the_grant_covers() {
        let tree = tree();
        let rs = Grant::scoped(OrgScope::new(vec![code("RS")]));
        let all = rs.reach(&tree, None, false).unwrap();
        assert_eq!(all.units(), Some(&[code("RS"), code("RS1")][..]));
        assert!(!all.contains(&code("HSN")));
        assert!(
            Grant::region()
                .reach(&tree, None, false)
                .unwrap()
                .units()
                .is_none()
        );
        let subtree = rs.subtree(&tree, &code("RS")).unwrap();
        assert_eq!(
            subtree
                .child_groups()
                .iter()
                .map(|g| (g.unit().as_str(), g.units().len()))
                .collect::<Vec<_>>(),
            vec![("RS", 1), ("RS1", 1)]
        );
        assert_eq!(subtree.whole().units().len(), 2);
        assert!(rs.subtree(&tree, &code("R")).is_err());
    }
}
