//! The flattened columns of a message: one definition for the CSV export (a List's rows, a
//! Get's resource) and for the spreadsheet import that reads such rows back.
//!
//! A row's columns are its fields by proto name, nested message fields flattened with dotted
//! names (`figures.actual_sek`). Money (int64 kronor) is a plain integer, enums their name,
//! Timestamps RFC 3339, repeated scalars joined by `;`, repeated messages inside a row their
//! JSON. A field with presence that is absent is an empty cell. `set` is the inverse of one
//! cell.

use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, ReflectMessage, SerializeOptions,
    Value,
};

/// Message types written as one JSON string (RFC 3339, durations, field masks) or value.
pub fn is_scalar_message(message: &MessageDescriptor) -> bool {
    matches!(
        message.full_name(),
        "google.protobuf.Timestamp"
            | "google.protobuf.Duration"
            | "google.protobuf.FieldMask"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue"
            | "google.protobuf.BoolValue"
            | "google.protobuf.Int32Value"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.UInt64Value"
            | "google.protobuf.FloatValue"
            | "google.protobuf.DoubleValue"
    )
}

/// Nesting deeper than this is written as JSON in one cell (guards recursive types).
pub const MAX_DEPTH: usize = 8;

/// One row's cells by column name.
pub type Cells = Vec<(String, String)>;

/// The cells of a record: scalars, and nested messages flattened with dotted names. With no
/// message, the empty cells (the header of the record).
pub fn record(
    descriptor: &MessageDescriptor,
    message: Option<&DynamicMessage>,
    prefix: &str,
    depth: usize,
    cells: &mut Cells,
) {
    for field in descriptor.fields() {
        let name = format!("{prefix}{}", field.name());
        let present = message.is_some_and(|m| m.has_field(&field));
        match field.kind() {
            Kind::Message(nested)
                if !field.is_list()
                    && !field.is_map()
                    && !is_scalar_message(&nested)
                    && depth < MAX_DEPTH =>
            {
                let value = message.filter(|_| present).map(|m| m.get_field(&field));
                let inner = value.as_deref().and_then(Value::as_message);
                record(&nested, inner, &format!("{name}."), depth + 1, cells);
            }
            _ => {
                let text = match message {
                    Some(m) if present || !field.supports_presence() => {
                        render(&field, &m.get_field(&field))
                    }
                    _ => String::new(),
                };
                cells.push((name, text));
            }
        }
    }
}

/// One cell's text.
pub fn render(field: &FieldDescriptor, value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::I32(n) => n.to_string(),
        Value::I64(n) => n.to_string(),
        Value::U32(n) => n.to_string(),
        Value::U64(n) => n.to_string(),
        Value::F32(n) => n.to_string(),
        Value::F64(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Bytes(b) => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(b)
        }
        Value::EnumNumber(number) => field
            .kind()
            .as_enum()
            .and_then(|e| e.get_value(*number))
            .map_or_else(|| number.to_string(), |v| v.name().to_owned()),
        Value::Message(message) => match json(message) {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        },
        Value::List(items) => {
            if items.iter().any(|v| v.as_message().is_some()) {
                let array: Vec<serde_json::Value> = items
                    .iter()
                    .filter_map(Value::as_message)
                    .map(json)
                    .collect();
                serde_json::Value::Array(array).to_string()
            } else {
                items
                    .iter()
                    .map(|v| render(field, v))
                    .collect::<Vec<_>>()
                    .join(";")
            }
        }
        Value::Map(map) => {
            let mut entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}={}", map_key(k), render(field, v)))
                .collect();
            entries.sort();
            entries.join(";")
        }
    }
}

fn map_key(key: &prost_reflect::MapKey) -> String {
    use prost_reflect::MapKey;
    match key {
        MapKey::Bool(b) => b.to_string(),
        MapKey::I32(n) => n.to_string(),
        MapKey::I64(n) => n.to_string(),
        MapKey::U32(n) => n.to_string(),
        MapKey::U64(n) => n.to_string(),
        MapKey::String(s) => s.clone(),
    }
}

fn json(message: &DynamicMessage) -> serde_json::Value {
    message
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .unwrap_or(serde_json::Value::Null)
}

/// The column names of `descriptor`'s rows, in order: the header `record` writes.
pub fn columns(descriptor: &MessageDescriptor) -> Vec<String> {
    let mut cells = Cells::new();
    record(descriptor, None, "", 0, &mut cells);
    cells.into_iter().map(|(name, _)| name).collect()
}

/// Sets the field that `column` names in `message` from the cell `text` as `record` writes
/// it. An empty cell leaves the field unset (absent, or its default). `Err` says what is
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
