//! One message as the cells of one row: its fields by proto name, nested messages flattened
//! with dotted names (`span.fiscal_year`), typed cells (see `cell`). A field with presence
//! that is absent is an empty cell; so is an absent nested message's every column.

use super::cell::{Cell, ColumnKind};
use crate::http::query::is_scalar_message;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, Value};

/// Nesting deeper than this is written as JSON in one cell (guards recursive types).
pub const MAX_DEPTH: usize = 8;

/// Messages that identify rather than measure (a span of months): flattened as columns of
/// the row that holds them, never a row or a table of their own.
const KEY_MESSAGES: &[&str] = &["uppsikt.v1.MonthSpan"];

/// One cell under its column's name.
#[derive(Debug, Clone)]
pub struct Named {
    pub name: String,
    pub kind: ColumnKind,
    pub cell: Cell,
}

/// How nested messages are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// Every nested field by its dotted path: the records of a List or Get.
    Dotted,
    /// The row's one nested figure message (`figures` of a category) by its fields' own
    /// names, so that a row holding the figures and a row that is the figures (a total)
    /// share their columns; everything else dotted.
    Value,
}

pub fn is_key_message(message: &MessageDescriptor) -> bool {
    KEY_MESSAGES.contains(&message.full_name())
}

/// A singular field holding a message that is flattened into columns (not a scalar message
/// such as a Timestamp, not a map).
pub fn nested_message(field: &FieldDescriptor) -> Option<MessageDescriptor> {
    match field.kind() {
        Kind::Message(m) if !field.is_list() && !field.is_map() && !is_scalar_message(&m) => {
            Some(m)
        }
        _ => None,
    }
}

/// The field holding a row's figures: its only nested message, when that is not a key and
/// its columns do not clash with the row's others.
pub fn value_field(descriptor: &MessageDescriptor) -> Option<FieldDescriptor> {
    let mut nested = descriptor.fields().filter(|f| nested_message(f).is_some());
    let field = nested.next()?;
    if nested.next().is_some()
        || descriptor
            .fields()
            .any(|f| f.is_list() && f.kind().as_message().is_some())
    {
        return None;
    }
    let message = nested_message(&field)?;
    if is_key_message(&message) {
        return None;
    }
    let mut own = Vec::new();
    record(&message, None, "", Naming::Dotted, 1, &mut own);
    let clash = descriptor
        .fields()
        .filter(|f| f.number() != field.number())
        .any(|f| own.iter().any(|n| n.name == f.name()));
    (!clash).then_some(field)
}

/// The type whose figures a row of `descriptor` shows: that of its value field, or its own.
pub fn value_type(descriptor: &MessageDescriptor) -> MessageDescriptor {
    value_field(descriptor)
        .and_then(|f| nested_message(&f))
        .unwrap_or_else(|| descriptor.clone())
}

/// The cells of a record; with no message, its empty cells (the header).
pub fn record(
    descriptor: &MessageDescriptor,
    message: Option<&DynamicMessage>,
    prefix: &str,
    naming: Naming,
    depth: usize,
    out: &mut Vec<Named>,
) {
    let unwrapped = match naming {
        Naming::Value => value_field(descriptor).map(|f| f.number()),
        Naming::Dotted => None,
    };
    for field in descriptor.fields() {
        let present = message.is_some_and(|m| m.has_field(&field));
        match nested_message(&field) {
            Some(nested) if depth < MAX_DEPTH => {
                let value = message.filter(|_| present).map(|m| m.get_field(&field));
                let inner = value.as_deref().and_then(Value::as_message);
                let inner_prefix = if unwrapped == Some(field.number()) {
                    prefix.to_owned()
                } else {
                    format!("{prefix}{}.", field.name())
                };
                record(
                    &nested,
                    inner,
                    &inner_prefix,
                    Naming::Dotted,
                    depth + 1,
                    out,
                );
            }
            _ => out.push(scalar(&field, message, present, prefix)),
        }
    }
}

/// The cells of the named fields of a message (the context a group gives its rows).
pub fn fields(chosen: &[FieldDescriptor], message: Option<&DynamicMessage>, out: &mut Vec<Named>) {
    for field in chosen {
        let present = message.is_some_and(|m| m.has_field(field));
        match nested_message(field) {
            Some(nested) => {
                let value = message.filter(|_| present).map(|m| m.get_field(field));
                let inner = value.as_deref().and_then(Value::as_message);
                let prefix = format!("{}.", field.name());
                record(&nested, inner, &prefix, Naming::Dotted, 1, out);
            }
            None => out.push(scalar(field, message, present, "")),
        }
    }
}

fn scalar(
    field: &FieldDescriptor,
    message: Option<&DynamicMessage>,
    present: bool,
    prefix: &str,
) -> Named {
    let cell = match message {
        Some(m) if present || !field.supports_presence() => Cell::of(field, &m.get_field(field)),
        _ => Cell::Empty,
    };
    Named {
        name: format!("{prefix}{}", field.name()),
        kind: ColumnKind::of(field),
        cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::POOL;

    fn message(name: &str) -> MessageDescriptor {
        POOL.get_message_by_name(name).expect("message")
    }

    fn names(descriptor: &MessageDescriptor, naming: Naming) -> Vec<String> {
        let mut out = Vec::new();
        record(descriptor, None, "", naming, 0, &mut out);
        out.into_iter().map(|n| n.name).collect()
    }

    #[test]
    fn a_rows_figures_take_their_own_names_and_keys_stay_dotted() {
        let category = message("uppsikt.v1.CategoryFigures");
        let names = names(&category, Naming::Value);
        assert!(names.contains(&"actual_sek".to_owned()), "{names:?}");
        assert_eq!(value_type(&category).name(), "Figures");
        let inexact = message("uppsikt.v1.InexactSpan");
        assert_eq!(value_type(&inexact).name(), "InexactSpan");
        assert!(
            super::tests::names(&inexact, Naming::Value)
                .contains(&"stored_span.from_month".to_owned())
        );
        // Several nested figure messages keep their prefixes.
        let hired = message("uppsikt.v1.HiredStaffSummary");
        assert!(super::tests::names(&hired, Naming::Value).contains(&"cost.value_sek".to_owned()));
        // A List's record keeps every prefix.
        let line = message("uppsikt.v1.BudgetLine");
        let dotted = super::tests::names(&line, Naming::Dotted);
        assert!(dotted.contains(&"span.fiscal_year".to_owned()));
        assert!(dotted.contains(&"provenance.document".to_owned()));
    }
}
