//! The mapping from a region's ledger to Uppsikt (TOML, docs/sie4-import.md): which SIE
//! dimension holds the cost centres, which object is which org unit (a table, a rule, or
//! both), which account ranges make up which category, the sign convention, and optional
//! catch-alls. Validated once when read, so the reader only meets valid codes.

use super::encoding::Encoding;
use crate::domain::codes::{CategoryCode, OrgUnitCode};
use crate::domain::validation::Violation;
use std::collections::BTreeMap;

/// The field that names the mapping in errors.
pub const MAPPING: &str = "mapping";
/// The placeholder for the object id in a unit rule.
const ID: &str = "{id}";

/// How the ledger's sign becomes the reports' sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// Reports = −ledger: SIE books debit positive, so income (credit) is negative in the
    /// file, while the reports print income positive and costs negative.
    Negate,
    /// The file's amounts are already signed as the reports print them.
    AsIs,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    sign: Sign,
    encoding: Option<Encoding>,
    cost_centres: CostCentresFile,
    accounts: AccountsFile,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CostCentresFile {
    dimension: u32,
    #[serde(default)]
    units: BTreeMap<String, String>,
    unit_rule: Option<String>,
    other: Option<String>,
    without_object: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    #[serde(default)]
    ranges: Vec<RangeFile>,
    other: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeFile {
    from: u64,
    to: u64,
    category: Option<String>,
    skip: Option<String>,
}

/// What an account range holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountTarget {
    Category(CategoryCode),
    /// Accounts that are not budget lines (e.g. the balance sheet), with the mapping's reason.
    Skip(String),
}

/// How one object or account resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved<T> {
    Mapped(T),
    Unmapped(String),
}

/// A validated mapping.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub sign: Sign,
    pub encoding: Option<Encoding>,
    /// The SIE dimension number of the cost centres (1 is Kostnadsställe in SIE).
    pub dimension: u32,
    units: BTreeMap<String, OrgUnitCode>,
    unit_rule: Option<String>,
    other_unit: Option<OrgUnitCode>,
    /// Where bookings without a cost centre go: the part of an account's total (`{}`) that
    /// its cost-centre balances do not hold.
    pub without_object: Option<OrgUnitCode>,
    ranges: Vec<(u64, u64, AccountTarget)>,
    other_category: Option<CategoryCode>,
}

impl Mapping {
    /// Reads and validates a mapping; the violation names the mapping's field.
    pub fn parse(text: &str) -> Result<Self, Violation> {
        let file: MappingFile = toml::from_str(text).map_err(|e| {
            Violation::new(
                MAPPING,
                format!("is not a valid mapping: {}", e.to_string().trim()),
            )
        })?;
        let unit =
            |value: &str, field: String| OrgUnitCode::parse(value, &format!("{MAPPING}.{field}"));
        let category =
            |value: &str, field: String| CategoryCode::parse(value, &format!("{MAPPING}.{field}"));
        let centres = file.cost_centres;
        let mut units = BTreeMap::new();
        for (object, code) in &centres.units {
            units.insert(
                object.clone(),
                unit(code, format!("cost_centres.units.{object:?}"))?,
            );
        }
        if let Some(rule) = &centres.unit_rule {
            if !rule.contains(ID) {
                return Err(Violation::new(
                    format!("{MAPPING}.cost_centres.unit_rule"),
                    format!("{rule:?} does not use {ID}, the object id"),
                ));
            }
            if centres.other.is_some() {
                return Err(Violation::new(
                    format!("{MAPPING}.cost_centres.other"),
                    "is never used: unit_rule gives every object a unit",
                ));
            }
        }
        let other_unit = centres
            .other
            .as_deref()
            .map(|v| unit(v, "cost_centres.other".into()))
            .transpose()?;
        let without_object = centres
            .without_object
            .as_deref()
            .map(|v| unit(v, "cost_centres.without_object".into()))
            .transpose()?;
        let mut ranges: Vec<(u64, u64, AccountTarget)> = Vec::new();
        for (i, range) in file.accounts.ranges.iter().enumerate() {
            let field = format!("accounts.ranges[{i}]");
            if range.from > range.to {
                return Err(Violation::new(
                    format!("{MAPPING}.{field}.to"),
                    format!("{} is before from = {}", range.to, range.from),
                ));
            }
            let target = match (&range.category, &range.skip) {
                (Some(code), None) => {
                    AccountTarget::Category(category(code, format!("{field}.category"))?)
                }
                (None, Some(reason)) if !reason.trim().is_empty() => {
                    AccountTarget::Skip(reason.clone())
                }
                _ => {
                    return Err(Violation::new(
                        format!("{MAPPING}.{field}"),
                        "needs either category = \"CODE\" or skip = \"why these accounts are no budget lines\"",
                    ));
                }
            };
            if let Some((j, _)) = ranges
                .iter()
                .enumerate()
                .find(|(_, (from, to, _))| range.from <= *to && *from <= range.to)
            {
                return Err(Violation::new(
                    format!("{MAPPING}.{field}"),
                    format!(
                        "accounts {}–{} overlap accounts.ranges[{j}]",
                        range.from, range.to
                    ),
                ));
            }
            ranges.push((range.from, range.to, target));
        }
        let other_category = file
            .accounts
            .other
            .as_deref()
            .map(|v| category(v, "accounts.other".into()))
            .transpose()?;
        Ok(Self {
            sign: file.sign,
            encoding: file.encoding,
            dimension: centres.dimension,
            units,
            unit_rule: centres.unit_rule,
            other_unit,
            without_object,
            ranges,
            other_category,
        })
    }

    /// The unit of cost-centre object `id`: the table, else the rule, else the catch-all.
    pub fn unit(&self, id: &str) -> Resolved<OrgUnitCode> {
        if let Some(unit) = self.units.get(id) {
            return Resolved::Mapped(unit.clone());
        }
        if let Some(rule) = &self.unit_rule {
            let code = rule.replace(ID, id);
            return match OrgUnitCode::parse(&code, "unit") {
                Ok(unit) => Resolved::Mapped(unit),
                Err(v) => Resolved::Unmapped(format!(
                    "the unit_rule makes {code:?} of it, which is no unit code ({})",
                    v.description
                )),
            };
        }
        match &self.other_unit {
            Some(unit) => Resolved::Mapped(unit.clone()),
            None => Resolved::Unmapped(
                "is not in the mapping's cost_centres.units, and it has no unit_rule or other"
                    .to_owned(),
            ),
        }
    }

    /// What account `number` holds: its range, else the catch-all.
    pub fn account(&self, number: u64) -> Resolved<AccountTarget> {
        if let Some((_, _, target)) = self
            .ranges
            .iter()
            .find(|(from, to, _)| (*from..=*to).contains(&number))
        {
            return Resolved::Mapped(target.clone());
        }
        match &self.other_category {
            Some(code) => Resolved::Mapped(AccountTarget::Category(code.clone())),
            None => Resolved::Unmapped(
                "is in no range of the mapping's accounts.ranges, and it has no accounts.other"
                    .to_owned(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPPING_TEXT: &str = r#"
sign = "negate"
[cost_centres]
dimension = 1
unit_rule = "KST-{id}"
units = { "604" = "RS-604" }
[accounts]
ranges = [
  { from = 1000, to = 2999, skip = "balansräkningen" },
  { from = 3000, to = 3099, category = "PATIENTAVGIFTER" },
]
"#;

    #[test]
    fn table_before_rule_and_ranges() {
        let mapping = Mapping::parse(MAPPING_TEXT).expect("valid");
        assert_eq!(
            mapping.unit("604"),
            Resolved::Mapped(OrgUnitCode::from_stored("RS-604".into()))
        );
        assert_eq!(
            mapping.unit("1700"),
            Resolved::Mapped(OrgUnitCode::from_stored("KST-1700".into()))
        );
        assert!(matches!(mapping.unit("17 00"), Resolved::Unmapped(_)));
        assert_eq!(
            mapping.account(3010),
            Resolved::Mapped(AccountTarget::Category(CategoryCode::from_stored(
                "PATIENTAVGIFTER".into()
            )))
        );
        assert!(matches!(
            mapping.account(1930),
            Resolved::Mapped(AccountTarget::Skip(_))
        ));
        assert!(matches!(mapping.account(4010), Resolved::Unmapped(_)));
    }

    #[test]
    fn bad_mappings_name_the_field() {
        let field = |text: &str| Mapping::parse(text).expect_err(text).field;
        assert_eq!(field("sign = \"up\""), "mapping");
        let overlap = MAPPING_TEXT.replace("from = 3000", "from = 2000");
        assert_eq!(field(&overlap), "mapping.accounts.ranges[1]");
        let bad_unit = MAPPING_TEXT.replace("RS-604", "rs 604");
        assert_eq!(field(&bad_unit), "mapping.cost_centres.units.\"604\"");
        let bad_rule = MAPPING_TEXT.replace("KST-{id}", "KST");
        assert_eq!(field(&bad_rule), "mapping.cost_centres.unit_rule");
    }
}
