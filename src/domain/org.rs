//! The organisation tree at a structure date.

use super::codes::OrgUnitCode;
use super::validation::Violation;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgUnitKind {
    Region,
    Committee,
    Division,
    Area,
    Department,
    CostCentre,
}

impl OrgUnitKind {
    pub const ALL: [Self; 6] = [
        Self::Region,
        Self::Committee,
        Self::Division,
        Self::Area,
        Self::Department,
        Self::CostCentre,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Committee => "committee",
            Self::Division => "division",
            Self::Area => "area",
            Self::Department => "department",
            Self::CostCentre => "cost_centre",
        }
    }

    pub fn parse(value: &str, field: &str) -> Result<Self, Violation> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == value)
            .ok_or_else(|| {
                Violation::new(
                    field,
                    format!(
                        "{value:?} is not a unit kind: region, committee, division, area, department or cost_centre"
                    ),
                )
            })
    }
}

/// A unit's placement in the tree during `[valid_from, valid_to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUnit {
    pub code: OrgUnitCode,
    pub name: String,
    pub kind: OrgUnitKind,
    pub parent: Option<OrgUnitCode>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl OrgUnit {
    pub fn is_valid_at(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date < to)
    }
}

pub fn parse_date(value: &str, field: &str) -> Result<NaiveDate, Violation> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        Violation::new(
            field,
            format!("{value:?} is not an ISO date such as 2025-04-30"),
        )
    })
}

/// The units valid at one structure date, indexed for subtree questions.
#[derive(Debug, Default)]
pub struct OrgTree {
    units: BTreeMap<OrgUnitCode, OrgUnit>,
    children: HashMap<OrgUnitCode, Vec<OrgUnitCode>>,
}

impl OrgTree {
    /// Builds the tree from placements; those not valid at `date` are left out.
    pub fn at(date: NaiveDate, placements: impl IntoIterator<Item = OrgUnit>) -> Self {
        let mut tree = Self::default();
        for unit in placements.into_iter().filter(|u| u.is_valid_at(date)) {
            if let Some(parent) = &unit.parent {
                tree.children
                    .entry(parent.clone())
                    .or_default()
                    .push(unit.code.clone());
            }
            tree.units.insert(unit.code.clone(), unit);
        }
        for children in tree.children.values_mut() {
            children.sort();
        }
        tree
    }

    pub fn get(&self, code: &OrgUnitCode) -> Option<&OrgUnit> {
        self.units.get(code)
    }

    /// Every unit, ordered by code.
    pub fn units(&self) -> impl Iterator<Item = &OrgUnit> {
        self.units.values()
    }

    pub fn children(&self, code: &OrgUnitCode) -> &[OrgUnitCode] {
        self.children
            .get(code)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The unit and all its descendants, ordered by code. A cycle in bad data cannot loop:
    /// each unit is visited once.
    pub fn subtree(&self, root: &OrgUnitCode) -> Vec<OrgUnitCode> {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![root.clone()];
        while let Some(code) = stack.pop() {
            if seen.insert(code.clone()) {
                stack.extend(self.children(&code).iter().cloned());
            }
        }
        seen.into_iter().collect()
    }

    /// `root`'s subtree split by child: `root` alone, then each child with its subtree, in
    /// code order. The groups a per-child summary sums, one query each.
    pub fn child_groups(&self, root: &OrgUnitCode) -> Vec<(OrgUnitCode, Vec<OrgUnitCode>)> {
        std::iter::once((root.clone(), vec![root.clone()]))
            .chain(
                self.children(root)
                    .iter()
                    .map(|child| (child.clone(), self.subtree(child))),
            )
            .collect()
    }

    /// Maps every unit of `root`'s subtree to the child of `root` it lies under (`root`
    /// itself maps to `root`).
    pub fn child_of_root(&self, root: &OrgUnitCode) -> HashMap<OrgUnitCode, OrgUnitCode> {
        let mut mapping = HashMap::from([(root.clone(), root.clone())]);
        for child in self.children(root) {
            for unit in self.subtree(child) {
                mapping.entry(unit).or_insert_with(|| child.clone());
            }
        }
        mapping
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, parent: Option<&str>, from: &str, to: Option<&str>) -> OrgUnit {
        OrgUnit {
            code: OrgUnitCode::from_stored(code.into()),
            name: code.into(),
            kind: OrgUnitKind::Department,
            parent: parent.map(|p| OrgUnitCode::from_stored(p.into())),
            valid_from: parse_date(from, "f").unwrap(),
            valid_to: to.map(|t| parse_date(t, "t").unwrap()),
        }
    }

    #[test]
    fn a_moved_unit_belongs_to_its_parent_at_the_date() {
        let placements = vec![
            unit("R", None, "2020-01-01", None),
            unit("A", Some("R"), "2020-01-01", None),
            unit("B", Some("R"), "2020-01-01", None),
            unit("X", Some("A"), "2020-01-01", Some("2025-01-01")),
            unit("X", Some("B"), "2025-01-01", None),
        ];
        let code = |c: &str| OrgUnitCode::from_stored(c.into());
        let before = OrgTree::at(parse_date("2024-12-31", "d").unwrap(), placements.clone());
        let after = OrgTree::at(parse_date("2025-01-01", "d").unwrap(), placements);
        assert_eq!(before.subtree(&code("A")), vec![code("A"), code("X")]);
        assert_eq!(after.subtree(&code("A")), vec![code("A")]);
        assert_eq!(after.child_of_root(&code("R"))[&code("X")], code("B"));
    }
}
