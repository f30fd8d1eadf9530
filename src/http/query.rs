//! A request message from URL query parameters: fields by proto name (or JSON name), nested
//! message fields by dotted names, repeated fields by repeating the parameter, enums by name
//! or number, Timestamps as RFC 3339. The parameters become the message's proto3 JSON form,
//! which prost-reflect then reads, so the same rules apply as to a JSON body.

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Map, Value};

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

/// Parameters that steer the answer rather than fill the request.
pub const RESERVED: &[&str] = crate::http::sheet::PARAMETERS;

/// A field violation: the parameter and what is wrong with it.
pub type Invalid = (String, String);

/// The JSON object for `message` from the query `pairs` (reserved names skipped).
pub fn to_json<'a>(
    message: &MessageDescriptor,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Value, Invalid> {
    let mut root = Map::new();
    for (key, value) in pairs {
        if RESERVED.contains(&key) {
            continue;
        }
        // `=value` or `%20=value`: no name to report a field by, so the query is named.
        if key.trim().is_empty() {
            return Err((
                "query".to_owned(),
                format!("has a parameter without a name (={value:?})"),
            ));
        }
        insert(&mut root, message, key, value)?;
    }
    Ok(Value::Object(root))
}

fn find_field(message: &MessageDescriptor, name: &str) -> Option<FieldDescriptor> {
    message
        .get_field_by_name(name)
        .or_else(|| message.get_field_by_json_name(name))
}

fn insert(
    root: &mut Map<String, Value>,
    message: &MessageDescriptor,
    key: &str,
    value: &str,
) -> Result<(), Invalid> {
    let invalid = |why: String| (key.to_owned(), why);
    let mut object = root;
    let mut descriptor = message.clone();
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        let field = find_field(&descriptor, part)
            .ok_or_else(|| invalid(format!("{} has no field {part:?}", descriptor.name())))?;
        let last = parts.peek().is_none();
        if field.is_map() {
            return Err(invalid(
                "map fields cannot be given as parameters".to_owned(),
            ));
        }
        match field.kind() {
            Kind::Message(nested) if !is_scalar_message(&nested) => {
                if last {
                    return Err(invalid(format!(
                        "{} is a message; give its fields as {key}.FIELD",
                        field.name()
                    )));
                }
                if field.is_list() {
                    return Err(invalid(
                        "repeated message fields cannot be given as parameters".to_owned(),
                    ));
                }
                let entry = object
                    .entry(field.name().to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                object = entry
                    .as_object_mut()
                    .expect("only objects are inserted here");
                descriptor = nested;
            }
            kind => {
                if !last {
                    return Err(invalid(format!("{} has no fields", field.name())));
                }
                let json = scalar(&kind, value);
                if field.is_list() {
                    let entry = object
                        .entry(field.name().to_owned())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    entry
                        .as_array_mut()
                        .expect("only arrays are inserted here")
                        .push(json);
                } else if object.insert(field.name().to_owned(), json).is_some() {
                    return Err(invalid("given more than once".to_owned()));
                }
            }
        }
    }
    Ok(())
}

/// The JSON value of one parameter. Numbers stay strings (the JSON mapping accepts quoted
/// numbers and reports a bad one against its field); enums given by number become numbers.
fn scalar(kind: &Kind, value: &str) -> Value {
    match kind {
        Kind::Bool => match value {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            other => Value::String(other.to_owned()),
        },
        Kind::Enum(_) => match value.parse::<i32>() {
            Ok(number) => Value::from(number),
            Err(_) => Value::String(value.to_owned()),
        },
        _ => Value::String(value.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::methods::POOL;
    use serde_json::json;

    fn descriptor(name: &str) -> MessageDescriptor {
        POOL.get_message_by_name(name).expect("message")
    }

    #[test]
    fn parameters_become_the_json_mapping() {
        let request = descriptor("uppsikt.v1.SummarizeBudgetRequest");
        let json = to_json(
            &request,
            [
                ("org_unit", "orgUnits/HSN"),
                ("fiscalYear", "2025"),
                ("group_by", "SUMMARY_GROUPING_CHILD_UNIT"),
                ("as_of", "2025-05-23T12:00:00Z"),
                ("format", "csv"),
            ],
        )
        .expect("valid");
        assert_eq!(
            json,
            json!({
                "org_unit": "orgUnits/HSN",
                "fiscal_year": "2025",
                "group_by": "SUMMARY_GROUPING_CHILD_UNIT",
                "as_of": "2025-05-23T12:00:00Z",
            })
        );
    }

    #[test]
    fn unknown_and_repeated_parameters_name_the_parameter() {
        let request = descriptor("uppsikt.v1.ListBudgetLinesRequest");
        let (field, _) = to_json(&request, [("fiscal_yaer", "2025")]).unwrap_err();
        assert_eq!(field, "fiscal_yaer");
        let (field, _) =
            to_json(&request, [("fiscal_year", "2025"), ("fiscal_year", "2024")]).unwrap_err();
        assert_eq!(field, "fiscal_year");
        let (field, _) = to_json(&request, [("as_of.seconds", "1")]).unwrap_err();
        assert_eq!(field, "as_of.seconds");
    }
}
