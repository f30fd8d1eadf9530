//! Validation failures that name the field that was wrong.

/// One invalid value: which field, and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {description}")]
pub struct Violation {
    /// The field path as the caller wrote it, e.g. `from_month` or `records[12].amount_sek`.
    pub field: String,
    /// What was wrong, in words a caller can act on.
    pub description: String,
}

impl Violation {
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            description: description.into(),
        }
    }

    /// The same violation reported against another field.
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = field.to_owned();
        self
    }
}

/// Collects violations so that a caller learns every bad field at once, not one per call.
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, violation: Violation) {
        self.0.push(violation);
    }

    /// Keeps the value when it is valid, records the violation otherwise.
    pub fn check<T>(&mut self, result: Result<T, Violation>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(violation) => {
                self.0.push(violation);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }
}

/// Longest name, decision or source text (a VARCHAR(255) column on every backend).
pub const MAX_SHORT_TEXT: usize = 255;
/// Longest free text such as a comment (a TEXT column).
pub const MAX_LONG_TEXT: usize = 4000;

/// `value` when it has at most `max` characters.
pub fn bounded(value: String, max: usize, field: &str) -> Result<String, Violation> {
    let length = value.chars().count();
    if length > max {
        Err(Violation::new(
            field,
            format!("has {length} characters, at most {max} are allowed"),
        ))
    } else {
        Ok(value)
    }
}
