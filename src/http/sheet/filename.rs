//! The download's name: the method and the request's main filters, e.g.
//! `ListBudgetLines-HSN-2025.xlsx`, so that two downloads of different questions do not
//! overwrite each other. Main filters: the request fields that are set, in field order,
//! except paging (page size, token, cursor), flags and instants.

use super::summary::snake_case;
use http::HeaderValue;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, ReflectMessage, Value};

const PAGING: &[&str] = &["page_size", "page_token", "after"];
/// Longest name, the extension excluded.
const MAX_CHARS: usize = 120;

/// `attachment` with the name, ASCII in `filename` and UTF-8 in `filename*` (RFC 6266).
pub fn disposition(
    method: &str,
    request: &DynamicMessage,
    table: Option<&str>,
    extension: &str,
) -> HeaderValue {
    let name = name(method, request, table);
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let encoded: String = format!("{name}.{extension}")
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}.{extension}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The name without its extension.
pub fn name(method: &str, request: &DynamicMessage, table: Option<&str>) -> String {
    let mut parts = vec![method.to_owned()];
    for field in request.descriptor().fields() {
        if PAGING.contains(&field.name()) || !request.has_field(&field) {
            continue;
        }
        let value = request.get_field(&field);
        let text = match value.as_ref() {
            Value::List(items) => items
                .iter()
                .filter_map(|v| part(&field, v))
                .collect::<Vec<_>>()
                .join("+"),
            other => part(&field, other).unwrap_or_default(),
        };
        if !text.is_empty() {
            parts.push(text);
        }
    }
    parts.extend(table.map(str::to_owned));
    let joined = parts.iter().map(|p| clean(p)).collect::<Vec<_>>().join("-");
    joined.chars().take(MAX_CHARS).collect()
}

/// One filter value: a resource name by its last segment, an enum by its value's own name.
fn part(field: &FieldDescriptor, value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.rsplit('/').next().unwrap_or(s).to_owned()),
        Value::I32(n) => Some(n.to_string()),
        Value::I64(n) => Some(n.to_string()),
        Value::U32(n) => Some(n.to_string()),
        Value::U64(n) => Some(n.to_string()),
        Value::EnumNumber(number) => {
            let Kind::Enum(enumeration) = field.kind() else {
                return None;
            };
            let value = enumeration.get_value(*number)?;
            let prefix = format!("{}_", snake_case(enumeration.name()).to_uppercase());
            Some(
                value
                    .name()
                    .strip_prefix(&prefix)
                    .unwrap_or(value.name())
                    .to_lowercase(),
            )
        }
        _ => None,
    }
}

/// Letters, digits, `-`, `_` and `.`; anything else (spaces, slashes, quotes) becomes `_`.
fn clean(part: &str) -> String {
    part.chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::POOL;
    use crate::proto::v1 as pb;
    use prost::Message;

    fn request<M: Message>(name: &str, message: M) -> DynamicMessage {
        let descriptor = POOL.get_message_by_name(name).expect("message");
        DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice()).expect("decodes")
    }

    #[test]
    fn names_say_the_method_and_its_main_filters() {
        let lines = request(
            "uppsikt.v1.ListBudgetLinesRequest",
            pb::ListBudgetLinesRequest {
                org_unit: "orgUnits/HSN".into(),
                include_descendants: true,
                fiscal_year: 2025,
                page_size: 1000,
                ..Default::default()
            },
        );
        assert_eq!(
            name("ListBudgetLines", &lines, None),
            "ListBudgetLines-HSN-2025"
        );
        let summary = request(
            "uppsikt.v1.SummarizeBudgetRequest",
            pb::SummarizeBudgetRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                group_by: pb::SummaryGrouping::ChildUnit as i32,
                ..Default::default()
            },
        );
        assert_eq!(
            name("SummarizeBudget", &summary, Some("inexact_spans")),
            "SummarizeBudget-HSN-2025-1-4-child_unit-inexact_spans"
        );
        let indicators = request(
            "uppsikt.v1.SummarizeIndicatorsRequest",
            pb::SummarizeIndicatorsRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2025,
                goal_area: "Trygg och säker vård".into(),
                ..Default::default()
            },
        );
        let header = disposition("SummarizeIndicators", &indicators, None, "csv");
        assert_eq!(
            header.to_str().expect("ASCII"),
            "attachment; filename=\"SummarizeIndicators-HSN-2025-Trygg_och_s_ker_v_rd.csv\"; \
             filename*=UTF-8''SummarizeIndicators-HSN-2025-Trygg_och_s%C3%A4ker_v%C3%A5rd.csv"
        );
    }
}
