//! The comments of the proto files, which the descriptor set carries as source info: the
//! API reference (API.md) read back for the OpenAPI descriptions.

use prost_reflect::{
    EnumDescriptor, EnumValueDescriptor, FieldDescriptor, FileDescriptor, MessageDescriptor,
    MethodDescriptor, ServiceDescriptor,
};

/// The leading comment at `path` in `file`, its lines joined with spaces.
fn at(file: &FileDescriptor, path: &[i32]) -> String {
    let proto = file.file_descriptor_proto();
    let Some(info) = &proto.source_code_info else {
        return String::new();
    };
    info.location
        .iter()
        .find(|location| location.path == path)
        .and_then(|location| location.leading_comments.as_deref())
        .map(|text| {
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

pub fn field(field: &FieldDescriptor) -> String {
    at(&field.parent_file(), field.path())
}

pub fn message(message: &MessageDescriptor) -> String {
    at(&message.parent_file(), message.path())
}

pub fn enumeration(enumeration: &EnumDescriptor) -> String {
    at(&enumeration.parent_file(), enumeration.path())
}

pub fn enum_value(value: &EnumValueDescriptor) -> String {
    at(&value.parent_file(), value.path())
}

pub fn service(service: &ServiceDescriptor) -> String {
    at(&service.parent_file(), service.path())
}

pub fn method(method: &MethodDescriptor) -> String {
    at(&method.parent_file(), method.path())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::POOL;

    #[test]
    fn comments_are_read_from_the_descriptor_set() {
        let figures = POOL
            .get_message_by_name("uppsikt.v1.Figures")
            .expect("Figures");
        let actual = figures.get_field_by_name("actual_sek").expect("field");
        assert_eq!(field(&actual), "Actual (utfall) of the span.");
        assert!(message(&figures).starts_with("Actual, budget and prior-year actual"));
        let service = POOL
            .get_service_by_name("uppsikt.v1.BudgetService")
            .expect("service");
        assert!(!super::service(&service).is_empty());
        let summarize = service
            .methods()
            .find(|m| m.name() == "SummarizeBudget")
            .expect("method");
        assert!(method(&summarize).starts_with("Sums an org unit's subtree"));
    }
}
