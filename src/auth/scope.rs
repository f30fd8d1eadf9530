//! The org-unit scope of a credential: the subtrees it may see and write. A scope is a set
//! of root units; which units lie under them is decided in the same tree (structure date,
//! `as_of`) the request itself is answered from.

use crate::domain::codes::OrgUnitCode;
use crate::domain::org::OrgTree;
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// unit is not inside, so a scoped caller cannot tell unknown from forbidden.
    pub fn covers(&self, tree: &OrgTree, code: &OrgUnitCode) -> bool {
        let mut current = tree.get(code);
        // The walk is bounded by the tree's size, so bad data with a cycle cannot loop.
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
}
