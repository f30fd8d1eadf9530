//! A List's row, as its element message, turned into the Import RPC's records: the inverse
//! of the read conversions, by rules over the descriptors rather than a list per kind.
//!
//! A record field takes the row's field of the same name; `name` takes `display_name` and
//! `order` takes `display_order` (a resource's `name` is its resource name, AIP-122); a field
//! missing at the top takes the field of that name in a nested message (`span.fiscal_year`).
//! A resource name in a reference (`orgUnits/HSN`) becomes the plain code. A repeated field
//! whose messages are records themselves (an investment's `figures`, an indicator's `targets`
//! and `outcomes`) gives one record each, which refers to its parent by the parent's kind
//! (`investment`, `indicator`). The row's `name` must be the resource name of its code or id.
//! Every other column is the server's own (provenance, derived figures such as `fte`) and
//! is not imported.

use super::lists::{COLLECTIONS, IMPORT_RECORD, record_kind};
use crate::domain::validation::Violation;
use crate::http::query::is_scalar_message;
use crate::proto::POOL;
use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, ReflectMessage, Value,
};

/// One record from a row, with the row's column behind each of its fields (to name them
/// in errors).
pub struct RowRecord {
    /// An `ImportRecord` message.
    pub record: DynamicMessage,
    pub columns: Vec<(String, String)>,
}

/// Where a record field's value comes from: the row's field, the message holding it, and
/// its column.
struct Origin {
    field: FieldDescriptor,
    owner: Option<DynamicMessage>,
    column: String,
}

/// The field of `element` (or of a message nested in it) that record field `name` takes.
fn origin(
    descriptor: &MessageDescriptor,
    element: Option<&DynamicMessage>,
    name: &str,
) -> Option<Origin> {
    let alias = match name {
        "name" => "display_name",
        "order" => "display_order",
        _ => name,
    };
    let top = |field_name: &str| {
        descriptor
            .get_field_by_name(field_name)
            .filter(|f| !is_nested(f))
            .map(|field| Origin {
                owner: element.cloned(),
                column: field.name().to_owned(),
                field,
            })
    };
    if alias != name
        && let Some(origin) = top(alias)
    {
        return Some(origin);
    }
    if let Some(origin) = top(name) {
        return Some(origin);
    }
    descriptor.fields().filter(is_nested).find_map(|outer| {
        let Kind::Message(nested) = outer.kind() else {
            return None;
        };
        let field = nested.get_field_by_name(name)?;
        let owner = element
            .filter(|e| e.has_field(&outer))
            .and_then(|e| e.get_field(&outer).as_message().cloned());
        Some(Origin {
            column: format!("{}.{}", outer.name(), field.name()),
            field,
            owner,
        })
    })
}

/// A singular message field whose fields have columns of their own (`span`, `provenance`).
fn is_nested(field: &FieldDescriptor) -> bool {
    matches!(field.kind(), Kind::Message(m) if !field.is_list() && !field.is_map() && !is_scalar_message(&m))
}

/// A repeated field whose messages are records of a kind of their own.
fn child_kind(field: &FieldDescriptor) -> Option<FieldDescriptor> {
    match field.kind() {
        Kind::Message(element) if field.is_list() => record_kind(&element),
        _ => None,
    }
}

/// The columns of `element`'s rows that a record of `kind` takes (the others are the
/// server's).
pub fn imported_columns(element: &MessageDescriptor, kind: &FieldDescriptor) -> Vec<String> {
    let Kind::Message(record) = kind.kind() else {
        return Vec::new();
    };
    let mut columns: Vec<String> = record
        .fields()
        .filter_map(|f| origin(element, None, f.name()).map(|o| o.column))
        .collect();
    columns.extend(
        element
            .fields()
            .filter(|f| child_kind(f).is_some() || f.name() == "name")
            .map(|f| f.name().to_owned()),
    );
    columns
}

/// The records of one row of a List whose rows are `kind` records.
pub fn records(
    kind: &FieldDescriptor,
    element: &DynamicMessage,
) -> Result<Vec<RowRecord>, Violation> {
    let mut out = Vec::new();
    let parent = record(kind, element, "", &mut out)?;
    for field in element.descriptor().fields() {
        let Some(child) = child_kind(&field) else {
            continue;
        };
        let value = element.get_field(&field);
        for (i, item) in value.as_list().unwrap_or_default().iter().enumerate() {
            let Some(item) = item.as_message() else {
                continue;
            };
            let prefix = format!("{}[{i}].", field.name());
            let at = out.len();
            record(&child, item, &prefix, &mut out)?;
            // The child names its parent by the parent's kind: `investment = "<id>"`.
            let entry = &mut out[at];
            if let Some(identity) = &parent
                && let Some(inner) = entry.record.get_field(&child).as_message()
            {
                let mut inner = inner.clone();
                if let Some(reference) = inner.descriptor().get_field_by_name(kind.name()) {
                    inner.set_field(&reference, Value::String(identity.clone()));
                }
                entry.record.set_field(&child, Value::Message(inner));
            }
        }
    }
    Ok(out)
}

/// Appends the record of `kind` from `element`; returns its identity (`id` or `code`).
fn record(
    kind: &FieldDescriptor,
    element: &DynamicMessage,
    prefix: &str,
    out: &mut Vec<RowRecord>,
) -> Result<Option<String>, Violation> {
    let Kind::Message(descriptor) = kind.kind() else {
        return Err(Violation::new(kind.name(), "is not a record kind"));
    };
    let mut record = DynamicMessage::new(descriptor.clone());
    let mut columns = Vec::new();
    for field in descriptor.fields() {
        let Some(origin) = origin(&element.descriptor(), Some(element), field.name()) else {
            continue;
        };
        columns.push((
            field.name().to_owned(),
            format!("{prefix}{}", origin.column),
        ));
        let Some(owner) = origin.owner.filter(|o| o.has_field(&origin.field)) else {
            continue;
        };
        let value = convert(&owner.get_field(&origin.field), &origin.field, &field)
            .map_err(|d| Violation::new(format!("{prefix}{}", origin.column), d))?;
        record.set_field(&field, value);
    }
    let identity = ["id", "code"]
        .iter()
        .find_map(|n| record.get_field_by_name(n))
        .and_then(|v| v.as_str().map(str::to_owned));
    check_resource_name(element, identity.as_deref(), prefix)?;
    let outer = POOL
        .get_message_by_name(IMPORT_RECORD)
        .ok_or_else(|| Violation::new(kind.name(), "ImportRecord is not in the descriptor set"))?;
    let mut wrapper = DynamicMessage::new(outer);
    wrapper.set_field(kind, Value::Message(record));
    out.push(RowRecord {
        record: wrapper,
        columns,
    });
    Ok(identity)
}

/// A row's own `name` is the resource name of its code or id, so an edit to it is not lost.
fn check_resource_name(
    element: &DynamicMessage,
    identity: Option<&str>,
    prefix: &str,
) -> Result<(), Violation> {
    let (Some(name), Some(identity)) = (
        element
            .get_field_by_name("name")
            .and_then(|v| v.as_str().map(str::to_owned)),
        identity,
    ) else {
        return Ok(());
    };
    if name.is_empty() || name.rsplit_once('/').is_some_and(|(_, id)| id == identity) {
        return Ok(());
    }
    Err(Violation::new(
        format!("{prefix}name"),
        format!(
            "{name:?} is not the resource name of {identity:?}: it is derived from the code, edit that instead"
        ),
    ))
}

/// A value of the row's field as a value of the record's field.
fn convert(value: &Value, from: &FieldDescriptor, to: &FieldDescriptor) -> Result<Value, String> {
    let mismatch = || {
        format!(
            "cannot become {}.{} (another kind of value)",
            to.parent_message().name(),
            to.name()
        )
    };
    Ok(match (value, to.kind()) {
        (Value::String(text), Kind::String) => Value::String(plain_code(text)),
        (Value::I32(n), Kind::Int32) => Value::I32(*n),
        (Value::I64(n), Kind::Int64) => Value::I64(*n),
        (Value::I32(n), Kind::Int64) => Value::I64(i64::from(*n)),
        (Value::I64(n), Kind::Int32) => {
            Value::I32(i32::try_from(*n).map_err(|_| format!("{n} is out of range"))?)
        }
        (Value::Bool(b), Kind::Bool) => Value::Bool(*b),
        (Value::EnumNumber(n), Kind::Enum(target)) if matches!(from.kind(), Kind::Enum(source) if source.full_name() == target.full_name()) => {
            Value::EnumNumber(*n)
        }
        _ => return Err(mismatch()),
    })
}

/// `orgUnits/HSN` as `HSN`: a reference by resource name becomes the record's plain code.
fn plain_code(text: &str) -> String {
    match text.split_once('/') {
        Some((collection, code))
            if !code.is_empty()
                && !code.contains('/')
                && COLLECTIONS.iter().any(|c| c == collection) =>
        {
            code.to_owned()
        }
        _ => text.to_owned(),
    }
}
