//! Typed cells: what a field's value is in a table, decided by the descriptors (and the
//! registry of text formats), so that the CSV and the XLSX writer agree on every cell.

use crate::http::formats::{self, TextFormat};
use crate::http::query::is_scalar_message;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, SerializeOptions, Value};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    /// Whole kronor (an int64 `_sek` field).
    Money,
    /// Any other integer or floating-point number.
    Number,
    /// An exact decimal given as text.
    Decimal,
    /// An ISO date given as text.
    Date,
    Bool,
}

impl ColumnKind {
    /// The kind of a column holding `field`.
    pub fn of(field: &FieldDescriptor) -> Self {
        if field.is_list() || field.is_map() {
            return Self::Text;
        }
        match field.kind() {
            _ if formats::is_money(field) => Self::Money,
            Kind::Int32
            | Kind::Sint32
            | Kind::Sfixed32
            | Kind::Int64
            | Kind::Sint64
            | Kind::Sfixed64
            | Kind::Uint32
            | Kind::Fixed32
            | Kind::Uint64
            | Kind::Fixed64
            | Kind::Float
            | Kind::Double => Self::Number,
            Kind::Bool => Self::Bool,
            Kind::String => match formats::of(field) {
                TextFormat::Decimal => Self::Decimal,
                TextFormat::Date => Self::Date,
                TextFormat::Plain | TextFormat::Instant => Self::Text,
            },
            _ => Self::Text,
        }
    }
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value: an absent field, or the column of another kind of row.
    Empty,
    Text(String),
    Int(i64),
    Uint(u64),
    Float(f64),
    /// An exact decimal, as the API writes it ("2875.85").
    Decimal(String),
    /// An ISO date ("2025-04-30").
    Date(String),
    Bool(bool),
}

impl Cell {
    /// The cell of `value` in a column of `field`.
    pub fn of(field: &FieldDescriptor, value: &Value) -> Self {
        match value {
            Value::Bool(b) => Self::Bool(*b),
            Value::I32(n) => Self::Int(i64::from(*n)),
            Value::I64(n) => Self::Int(*n),
            Value::U32(n) => Self::Int(i64::from(*n)),
            Value::U64(n) => Self::Uint(*n),
            Value::F32(n) => Self::Float(f64::from(*n)),
            Value::F64(n) => Self::Float(*n),
            Value::String(s) if s.is_empty() => Self::Empty,
            Value::String(s) => match ColumnKind::of(field) {
                ColumnKind::Decimal => Self::Decimal(s.clone()),
                ColumnKind::Date => Self::Date(s.clone()),
                _ => Self::Text(s.clone()),
            },
            Value::Bytes(b) => {
                use base64::Engine;
                Self::Text(base64::engine::general_purpose::STANDARD.encode(b))
            }
            Value::EnumNumber(number) => Self::Text(enum_name(field, *number)),
            Value::Message(message) => Self::Text(match json(message) {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            }),
            Value::List(items) => Self::Text(list_text(field, items)),
            Value::Map(map) => {
                let mut entries: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{}={}", map_key(k), Self::of(field, v).text()))
                    .collect();
                entries.sort();
                Self::Text(entries.join(";"))
            }
        }
    }

    /// The cell's text as the API writes it (the RFC 4180 CSV form).
    pub fn text(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(s) | Self::Decimal(s) | Self::Date(s) => s.clone(),
            Self::Int(n) => n.to_string(),
            Self::Uint(n) => n.to_string(),
            Self::Float(n) => n.to_string(),
            Self::Bool(b) => b.to_string(),
        }
    }
}

fn enum_name(field: &FieldDescriptor, number: i32) -> String {
    field
        .kind()
        .as_enum()
        .and_then(|e| e.get_value(number))
        .map_or_else(|| number.to_string(), |v| v.name().to_owned())
}

/// Repeated scalars joined by `;`; repeated messages as a JSON array.
fn list_text(field: &FieldDescriptor, items: &[Value]) -> String {
    if matches!(field.kind(), Kind::Message(ref m) if !is_scalar_message(m)) {
        let array: Vec<serde_json::Value> = items
            .iter()
            .filter_map(Value::as_message)
            .map(json)
            .collect();
        return serde_json::Value::Array(array).to_string();
    }
    items
        .iter()
        .map(|v| Cell::of(field, v).text())
        .collect::<Vec<_>>()
        .join(";")
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

/// A message in the proto3 JSON mapping (a Timestamp is its RFC 3339 string).
pub fn json(message: &DynamicMessage) -> serde_json::Value {
    message
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .unwrap_or(serde_json::Value::Null)
}
