//! Reading the `key=value` fields of one text-format line into validated values. Every
//! problem is recorded against its field; unknown and missing fields are errors too.

use crate::domain::decimal::ExactDecimal;
use crate::domain::money::{MoneyUnit, parse_amount};
use crate::domain::validation::{MAX_SHORT_TEXT, Violation, Violations, bounded};
use std::collections::BTreeMap;

/// The error of a field read: the violation is already in the reader's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded;

pub struct FieldReader {
    /// Each field's value and whether it was read.
    fields: BTreeMap<String, (String, bool)>,
    pub violations: Violations,
}

impl FieldReader {
    /// `pairs` in line order; a repeated key is recorded as a violation.
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        let mut violations = Violations::new();
        let mut fields = BTreeMap::new();
        for (key, value) in pairs {
            if fields.contains_key(&key) {
                violations.push(Violation::new(key.clone(), "is given twice"));
            }
            fields.insert(key, (value, false));
        }
        Self { fields, violations }
    }

    pub fn optional(&mut self, name: &str) -> Option<String> {
        self.fields.get_mut(name).map(|(value, read)| {
            *read = true;
            value.clone()
        })
    }

    /// A required text of at most `MAX_SHORT_TEXT` characters.
    pub fn required(&mut self, name: &str) -> Option<String> {
        let value = self.optional(name);
        if value.as_deref().is_none_or(str::is_empty) {
            self.violations.push(Violation::new(name, "is required"));
            return None;
        }
        self.violations.check(bounded(value?, MAX_SHORT_TEXT, name))
    }

    /// A required field parsed with `parse(value, field)`.
    pub fn parsed<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str, &str) -> Result<T, Violation>,
    ) -> Option<T> {
        let value = self.required(name)?;
        self.violations.check(parse(&value, name))
    }

    /// An optional field parsed with `parse(value, field)`; `Ok(None)` when absent.
    pub fn parsed_optional<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str, &str) -> Result<T, Violation>,
    ) -> Result<Option<T>, Recorded> {
        match self.optional(name) {
            None => Ok(None),
            Some(value) => self
                .violations
                .check(parse(&value, name))
                .map(Some)
                .ok_or(Recorded),
        }
    }

    pub fn integer(&mut self, name: &str) -> Option<i64> {
        self.parsed(name, parse_integer)
    }

    /// A money field `{stem}_sek`, `{stem}_tkr` or `{stem}_mkr`: exactly one, or none when
    /// not `required`.
    pub fn money(&mut self, stem: &str, required: bool) -> Result<Option<i64>, Recorded> {
        let mut given = Vec::new();
        for unit in [MoneyUnit::Kronor, MoneyUnit::Thousands, MoneyUnit::Millions] {
            let name = format!("{stem}_{}", unit.suffix());
            if let Some(value) = self.optional(&name) {
                given.push((name, unit, value));
            }
        }
        match given.len() {
            0 if required => {
                self.violations
                    .push(Violation::new(format!("{stem}_sek"), "is required"));
                Err(Recorded)
            }
            0 => Ok(None),
            1 => {
                let (name, unit, value) = given.remove(0);
                self.violations
                    .check(parse_amount(&value, unit, &name))
                    .map(Some)
                    .ok_or(Recorded)
            }
            _ => {
                self.violations.push(Violation::new(
                    format!("{stem}_sek"),
                    format!("give one of {stem}_sek, {stem}_tkr, {stem}_mkr"),
                ));
                Err(Recorded)
            }
        }
    }

    pub fn optional_decimal(&mut self, name: &str) -> Result<Option<ExactDecimal>, Recorded> {
        self.parsed_optional(name, ExactDecimal::parse)
    }

    /// An optional text of at most `max` characters; empty counts as absent.
    pub fn optional_text(&mut self, name: &str, max: usize) -> Result<Option<String>, Recorded> {
        match self.optional(name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(value) => self
                .violations
                .check(bounded(value, max, name))
                .map(Some)
                .ok_or(Recorded),
        }
    }

    pub fn optional_bool(&mut self, name: &str) -> Result<Option<bool>, Recorded> {
        self.parsed_optional(name, |value, field| match value {
            "yes" | "true" => Ok(true),
            "no" | "false" => Ok(false),
            _ => Err(Violation::new(field, format!("{value:?} is not yes or no"))),
        })
    }

    /// An optional whole number that fits `T`.
    pub fn optional_count<T: TryFrom<i64>>(&mut self, name: &str) -> Result<Option<T>, Recorded> {
        self.parsed_optional(name, |value, field| {
            let number = parse_integer(value, field)?;
            T::try_from(number)
                .map_err(|_| Violation::new(field, format!("{number} is out of range")))
        })
    }

    /// Records every field that no reader asked for, and returns all violations.
    pub fn finish(mut self) -> Violations {
        for (name, (_, read)) in &self.fields {
            if !read {
                self.violations.push(Violation::new(
                    name.clone(),
                    "is not a field of this record kind",
                ));
            }
        }
        self.violations
    }
}

pub fn parse_integer(value: &str, field: &str) -> Result<i64, Violation> {
    value
        .parse::<i64>()
        .map_err(|_| Violation::new(field, format!("{value:?} is not a whole number")))
}
