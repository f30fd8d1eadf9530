//! The columns of a List's records read back: the header the export writes
//! (`record::record`, every nested field dotted) and a cell's text set into the field its
//! column names. The spreadsheet import (`api::sheets`) reads a List's export through this,
//! so its columns are the export's by construction.

use super::record::{Naming, record};
use crate::http::query::is_scalar_message;
use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, ReflectMessage, Value,
};

/// The column names of `descriptor`'s records, in order: the header the export writes.
pub fn columns(descriptor: &MessageDescriptor) -> Vec<String> {
    let mut out = Vec::new();
    record(descriptor, None, "", Naming::Dotted, 0, &mut out);
    out.into_iter().map(|named| named.name).collect()
}

/// Sets the field that `column` names in `message` from the cell `text` as the export writes it. An empty cell leaves the field unset (absent, or its default). `Err` says what is
/// wrong with the cell.
pub fn set(message: &mut DynamicMessage, column: &str, text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    let (head, rest) = match column.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (column, None),
    };
    let field = message
        .descriptor()
        .get_field_by_name(head)
        .ok_or_else(|| format!("{} has no field {head}", message.descriptor().name()))?;
    match (field.kind(), rest) {
        (Kind::Message(nested), Some(rest)) if !field.is_list() && !is_scalar_message(&nested) => {
            let mut inner = match message.get_field(&field).as_message() {
                Some(inner) => inner.clone(),
                None => DynamicMessage::new(nested),
            };
            set(&mut inner, rest, text)?;
            message.set_field(&field, Value::Message(inner));
            Ok(())
        }
        (_, Some(_)) => Err(format!("{head} is not a message with fields")),
        (_, None) => {
            let value = parse(&field, text)?;
            message.set_field(&field, value);
            Ok(())
        }
    }
}

/// A whole field's value from its cell.
fn parse(field: &FieldDescriptor, text: &str) -> Result<Value, String> {
    if field.is_map() {
        return Err("a map is not read from a cell".to_owned());
    }
    if field.is_list() {
        return match field.kind() {
            Kind::Message(element) => {
                let json: serde_json::Value =
                    serde_json::from_str(text).map_err(|e| format!("is not a JSON array: {e}"))?;
                let serde_json::Value::Array(items) = json else {
                    return Err("is not a JSON array".to_owned());
                };
                items
                    .into_iter()
                    .map(|item| {
                        DynamicMessage::deserialize(element.clone(), item)
                            .map(Value::Message)
                            .map_err(|e| format!("holds an invalid {}: {e}", element.name()))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::List)
            }
            _ => text
                .split(';')
                .map(|item| single(field, item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List),
        };
    }
    single(field, text)
}

/// One value of a field's kind from its text.
fn single(field: &FieldDescriptor, text: &str) -> Result<Value, String> {
    fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("{text:?} is not a number of this field's kind"))
    }
    Ok(match field.kind() {
        Kind::String => Value::String(text.to_owned()),
        Kind::Bool => Value::Bool(match text.trim() {
            "true" => true,
            "false" => false,
            other => return Err(format!("{other:?} is not true or false")),
        }),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Value::I32(number(text)?),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Value::I64(number(text)?),
        Kind::Uint32 | Kind::Fixed32 => Value::U32(number(text)?),
        Kind::Uint64 | Kind::Fixed64 => Value::U64(number(text)?),
        Kind::Float => Value::F32(number(text)?),
        Kind::Double => Value::F64(number(text)?),
        Kind::Bytes => {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|e| format!("is not base64: {e}"))?;
            Value::Bytes(bytes.into())
        }
        Kind::Enum(descriptor) => {
            let value = descriptor
                .get_value_by_name(text.trim())
                .or_else(|| {
                    text.trim()
                        .parse()
                        .ok()
                        .and_then(|n| descriptor.get_value(n))
                })
                .ok_or_else(|| format!("{text:?} is not a value of {}", descriptor.name()))?;
            Value::EnumNumber(value.number())
        }
        Kind::Message(descriptor) => {
            // `record` writes a JSON string without its quotes, any other JSON as it is.
            let json = serde_json::from_str(text)
                .unwrap_or_else(|_| serde_json::Value::String(text.to_owned()));
            Value::Message(
                DynamicMessage::deserialize(descriptor.clone(), json)
                    .map_err(|e| format!("is not a valid {}: {e}", descriptor.name()))?,
            )
        }
    })
}
