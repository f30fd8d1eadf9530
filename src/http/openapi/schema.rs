//! JSON Schemas of messages and enums in the proto3 JSON mapping, as the HTTP forms read and
//! write them: fields by their JSON names, int64 as decimal strings, enums by name, a
//! Timestamp as an RFC 3339 string, well-known wrappers as their value; exact decimals,
//! dates and instants in strings by the registry of text formats.
//!
//! One builder for both documents: OpenAPI 3.1 (`#/components/schemas`) and Swagger 2.0
//! (`#/definitions`, for Power Automate's custom connectors). Only constructs both read
//! are used: no `oneOf`, no type arrays, no `const`.

use crate::http::comments;
use crate::http::formats::{self, TextFormat};
use crate::proto::POOL;
use prost_reflect::{EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// The pattern of an exact decimal string.
pub const DECIMAL_PATTERN: &str = "^-?[0-9]+(\\.[0-9]+)?$";
const INT64_PATTERN: &str = "^-?[0-9]+$";
const UINT64_PATTERN: &str = "^[0-9]+$";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// OpenAPI 3.1.
    OpenApi31,
    /// Swagger 2.0.
    Swagger2,
}

/// The schemas referenced so far, by their names in the document.
pub struct Schemas {
    version: Version,
    pub definitions: BTreeMap<String, Value>,
    names: HashMap<String, String>,
}

impl Schemas {
    pub fn new(version: Version) -> Self {
        // A type is named by its short name unless two types share it.
        let mut count: HashMap<String, usize> = HashMap::new();
        let full_names: Vec<String> = POOL
            .all_messages()
            .map(|m| m.full_name().to_owned())
            .chain(POOL.all_enums().map(|e| e.full_name().to_owned()))
            .collect();
        for name in &full_names {
            *count.entry(short(name).to_owned()).or_default() += 1;
        }
        let names = full_names
            .into_iter()
            .map(|full| {
                let name = if count[short(&full)] == 1 {
                    short(&full).to_owned()
                } else {
                    full.replace('.', "_")
                };
                (full, name)
            })
            .collect();
        Self {
            version,
            definitions: BTreeMap::new(),
            names,
        }
    }

    fn reference(&self, name: &str) -> Value {
        let base = match self.version {
            Version::OpenApi31 => "#/components/schemas/",
            Version::Swagger2 => "#/definitions/",
        };
        json!({ "$ref": format!("{base}{name}") })
    }

    /// A reference to a schema defined once under `name`.
    pub fn named(&mut self, name: &str, schema: impl FnOnce(&mut Self) -> Value) -> Value {
        if !self.definitions.contains_key(name) {
            // Placed first, so that a type refering to itself finds it.
            self.definitions.insert(name.to_owned(), Value::Null);
            let schema = schema(self);
            self.definitions.insert(name.to_owned(), schema);
        }
        self.reference(name)
    }

    /// The schema of a message: a well-known type's own form, else a reference.
    pub fn message(&mut self, message: &MessageDescriptor) -> Value {
        if let Some(schema) = self.well_known(message) {
            return schema;
        }
        let name = self.names[message.full_name()].clone();
        self.named(&name, |schemas| {
            let mut properties = Map::new();
            for field in message.fields() {
                let mut schema = schemas.field(&field);
                describe(&mut schema, &comments::field(&field), schemas.version);
                properties.insert(field.json_name().to_owned(), schema);
            }
            let mut schema = json!({ "type": "object", "properties": properties });
            describe(&mut schema, &comments::message(message), schemas.version);
            schema
        })
    }

    fn enumeration(&mut self, enumeration: &EnumDescriptor) -> Value {
        let name = self.names[enumeration.full_name()].clone();
        self.named(&name, |schemas| {
            let values: Vec<String> = enumeration.values().map(|v| v.name().to_owned()).collect();
            let meanings: Vec<String> = enumeration
                .values()
                .map(|v| format!("`{}`: {}", v.name(), comments::enum_value(&v)))
                .collect();
            let text = format!(
                "{} Values: {}",
                comments::enumeration(enumeration),
                meanings.join(" ")
            );
            let mut schema = json!({ "type": "string", "enum": values });
            describe(&mut schema, text.trim(), schemas.version);
            schema
        })
    }

    /// The schema of a field's value in a message.
    pub fn field(&mut self, field: &FieldDescriptor) -> Value {
        if field.is_map() {
            let Kind::Message(entry) = field.kind() else {
                unreachable!("a map field is a message of entries")
            };
            let value = entry.map_entry_value_field();
            return json!({ "type": "object", "additionalProperties": self.single(&value) });
        }
        let single = self.single(field);
        if field.is_list() {
            json!({ "type": "array", "items": single })
        } else {
            single
        }
    }

    /// The schema of one value of `field` (an element, for a repeated field).
    pub fn single(&mut self, field: &FieldDescriptor) -> Value {
        match field.kind() {
            Kind::Message(message) => self.message(&message),
            Kind::Enum(enumeration) => self.enumeration(&enumeration),
            Kind::String => match formats::of(field) {
                TextFormat::Decimal => json!({ "type": "string", "pattern": DECIMAL_PATTERN }),
                TextFormat::Date => json!({ "type": "string", "format": "date" }),
                TextFormat::Instant => json!({ "type": "string", "format": "date-time" }),
                TextFormat::Plain => json!({ "type": "string" }),
            },
            kind => self.scalar(&kind),
        }
    }

    fn scalar(&self, kind: &Kind) -> Value {
        match kind {
            Kind::Bool => json!({ "type": "boolean" }),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
                json!({ "type": "integer", "format": "int32" })
            }
            Kind::Uint32 | Kind::Fixed32 => {
                json!({ "type": "integer", "format": "int64", "minimum": 0, "maximum": u32::MAX })
            }
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
                json!({ "type": "string", "format": "int64", "pattern": INT64_PATTERN })
            }
            Kind::Uint64 | Kind::Fixed64 => {
                json!({ "type": "string", "format": "uint64", "pattern": UINT64_PATTERN })
            }
            Kind::Float => json!({ "type": "number", "format": "float" }),
            Kind::Double => json!({ "type": "number", "format": "double" }),
            Kind::Bytes => match self.version {
                Version::OpenApi31 => json!({ "type": "string", "contentEncoding": "base64" }),
                Version::Swagger2 => json!({ "type": "string", "format": "byte" }),
            },
            Kind::String => json!({ "type": "string" }),
            Kind::Message(_) | Kind::Enum(_) => unreachable!("handled by `single`"),
        }
    }

    /// The JSON mapping's own forms of the well-known types.
    fn well_known(&mut self, message: &MessageDescriptor) -> Option<Value> {
        let wrapped = |s: &mut Self| {
            message
                .get_field_by_name("value")
                .map(|value| s.single(&value))
        };
        Some(match message.full_name() {
            "google.protobuf.Timestamp" => json!({ "type": "string", "format": "date-time" }),
            "google.protobuf.Duration" => {
                json!({ "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,9})?s$" })
            }
            "google.protobuf.FieldMask" => json!({ "type": "string" }),
            "google.protobuf.Struct" => json!({ "type": "object" }),
            "google.protobuf.Value" => json!({}),
            "google.protobuf.ListValue" => json!({ "type": "array", "items": {} }),
            "google.protobuf.Empty" => json!({ "type": "object" }),
            "google.protobuf.Any" => json!({
                "type": "object",
                "properties": { "@type": { "type": "string" } },
            }),
            "google.protobuf.BoolValue"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue"
            | "google.protobuf.Int32Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt64Value"
            | "google.protobuf.FloatValue"
            | "google.protobuf.DoubleValue" => wrapped(self)?,
            _ => return None,
        })
    }
}

fn short(full_name: &str) -> &str {
    full_name.rsplit('.').next().unwrap_or(full_name)
}

/// Adds a description. Swagger 2.0 ignores siblings of `$ref`, so there it is left out.
pub fn describe(schema: &mut Value, text: &str, version: Version) {
    if text.is_empty() {
        return;
    }
    let is_reference = schema.get("$ref").is_some();
    if let Some(object) = schema.as_object_mut()
        && !(is_reference && version == Version::Swagger2)
    {
        object.insert("description".to_owned(), Value::String(text.to_owned()));
    }
}
