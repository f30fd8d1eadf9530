//! Stable identifiers: org unit codes, category codes, profession codes, investment,
//! indicator and assignment ids.

use super::validation::Violation;
use std::fmt;

/// Defines a validated string newtype: `allowed` says which characters may appear.
macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, max = $max:expr, allowed = $allowed:expr, hint = $hint:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub const MAX_LEN: usize = $max;

            /// Validates `value`; `field` names it in the violation.
            pub fn parse(value: &str, field: &str) -> Result<Self, Violation> {
                let allowed: fn(char) -> bool = $allowed;
                if value.is_empty() {
                    return Err(Violation::new(field, "is required"));
                }
                if value.len() > Self::MAX_LEN || !value.chars().all(allowed) {
                    return Err(Violation::new(
                        field,
                        format!("{value:?} is not a valid code: {}, at most {} characters", $hint, Self::MAX_LEN),
                    ));
                }
                Ok(Self(value.to_owned()))
            }

            /// Wraps a value read back from storage, which was validated when written.
            pub fn from_stored(value: String) -> Self {
                Self(value)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

code_type!(
    /// An org unit's stable code, e.g. `HSN` or `RS-604`.
    OrgUnitCode, max = 32,
    allowed = |c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-',
    hint = "A-Z, 0-9 and -"
);
code_type!(
    /// An account category's code, e.g. `PERSONALKOSTNADER`.
    CategoryCode, max = 64,
    allowed = |c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_',
    hint = "A-Z, 0-9 and _"
);
code_type!(
    /// A profession group's code, e.g. `LAKARE`.
    ProfessionCode, max = 64,
    allowed = |c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_',
    hint = "A-Z, 0-9 and _"
);
code_type!(
    /// An investment object's id, e.g. `hsn-2024-ambulanser`.
    InvestmentId, max = 63,
    allowed = |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    hint = "a-z, 0-9 and -"
);

code_type!(
    /// An indicator's id, e.g. `hsn-2025-hse`.
    IndicatorCode, max = 63,
    allowed = |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    hint = "a-z, 0-9 and -"
);
code_type!(
    /// An assignment's (uppdrag's) id, e.g. `hsn-2025-u01`.
    AssignmentCode, max = 63,
    allowed = |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    hint = "a-z, 0-9 and -"
);

/// The collections of the API's resource names (`{collection}/{id}`).
pub const ORG_UNITS: &str = "orgUnits";
pub const CATEGORIES: &str = "categories";
pub const PROFESSION_GROUPS: &str = "professionGroups";
pub const INVESTMENTS: &str = "investments";
pub const INDICATORS: &str = "indicators";
pub const ASSIGNMENTS: &str = "assignments";

/// `collection/id`: a resource name. Concatenated rather than formatted: listed rows carry
/// several each.
pub fn resource_name(collection: &str, id: &str) -> String {
    let mut name = String::with_capacity(collection.len() + 1 + id.len());
    name.push_str(collection);
    name.push('/');
    name.push_str(id);
    name
}

/// Parses a resource name `{collection}/{id}` and validates the id with `parse`.
pub fn parse_resource_name<T>(
    value: &str,
    collection: &str,
    field: &str,
    parse: fn(&str, &str) -> Result<T, Violation>,
) -> Result<T, Violation> {
    match value
        .strip_prefix(collection)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(id) => parse(id, field),
        None if value.is_empty() => Err(Violation::new(field, "is required")),
        None => Err(Violation::new(
            field,
            format!("{value:?} is not a resource name of the form {collection}/{{id}}"),
        )),
    }
}
