//! The documents, checked against the RPC registry they are generated from.

use super::*;

fn openapi() -> Value {
    document(Version::OpenApi31, &Server::default())
}

fn swagger() -> Value {
    document(
        Version::Swagger2,
        &Server::from_url("https://uppsikt.example.se").expect("URL"),
    )
}

/// Every `$ref` in `value`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(target)) = object.get("$ref") {
                out.push(target.clone());
            }
            object.values().for_each(|v| references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

fn resolve<'a>(document: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference.strip_prefix('#').expect("a local reference");
    document
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{reference} does not resolve"))
}

#[test]
fn every_unary_rpc_is_a_post_and_every_read_a_get_with_unique_simple_ids() {
    let document = openapi();
    let mut ids = Vec::new();
    let mut count = 0;
    for method in methods::api() {
        let item = &document["paths"][&method.path];
        if method.kind == MethodKind::Streaming {
            assert!(
                item.is_null(),
                "{}: streaming RPCs are not described",
                method.path
            );
            continue;
        }
        count += 1;
        let post = &item["post"];
        let service = method.descriptor.parent_service().name().to_owned();
        assert_eq!(post["operationId"], format!("{service}_{}", method.name));
        ids.push(post["operationId"].as_str().expect("id").to_owned());
        let body = &post["requestBody"]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(
            body,
            &format!("#/components/schemas/{}", method.input.name()),
            "{}",
            method.path
        );
        assert!(post["responses"]["200"].is_object());
        let get = &item["get"];
        if method.kind == MethodKind::Read {
            ids.push(get["operationId"].as_str().expect("id").to_owned());
            let content = &get["responses"]["200"]["content"];
            for media in ["application/json", "text/csv", sheet::XLSX] {
                assert!(content[media].is_object(), "{}: {media}", method.path);
            }
            let names: Vec<&str> = get["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .map(|p| p["name"].as_str().expect("name"))
                .collect();
            for field in method.input.fields() {
                if !field.is_map()
                    && field
                        .kind()
                        .as_message()
                        .is_none_or(super::super::query::is_scalar_message)
                {
                    assert!(
                        names.contains(&field.name()),
                        "{}: {}",
                        method.path,
                        field.name()
                    );
                }
            }
            for reserved in sheet::PARAMETERS {
                assert!(names.contains(reserved), "{}: {reserved}", method.path);
            }
        } else {
            assert!(get.is_null(), "{}: not a read", method.path);
        }
    }
    assert!(count > 20, "{count} RPCs described");
    let all = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all, "operation ids are unique");
    assert!(
        ids.iter()
            .all(|id| id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    );
}

#[test]
fn schemas_follow_the_proto3_json_mapping() {
    let document = openapi();
    let schemas = &document["components"]["schemas"];
    let figures = &schemas["Figures"]["properties"];
    assert_eq!(figures["actualSek"]["type"], "string");
    assert_eq!(figures["actualSek"]["format"], "int64");
    assert_eq!(figures["changePercent"]["pattern"], schema::DECIMAL_PATTERN);
    assert!(
        figures["actualSek"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("utfall"))
    );
    let request = &schemas["SummarizeBudgetRequest"]["properties"];
    assert_eq!(request["fiscalYear"]["type"], "integer");
    assert_eq!(request["asOf"]["format"], "date-time");
    assert_eq!(request["structureDate"]["format"], "date");
    assert_eq!(
        request["groupBy"]["$ref"],
        "#/components/schemas/SummaryGrouping"
    );
    let grouping = &schemas["SummaryGrouping"];
    assert_eq!(grouping["type"], "string");
    assert!(
        grouping["enum"]
            .as_array()
            .expect("values")
            .contains(&json!("SUMMARY_GROUPING_CHILD_UNIT"))
    );
    let lines = &schemas["ListBudgetLinesResponse"]["properties"]["budgetLines"];
    assert_eq!(lines["type"], "array");
    assert_eq!(lines["items"]["$ref"], "#/components/schemas/BudgetLine");

    let mut targets = Vec::new();
    references(&document, &mut targets);
    assert!(targets.len() > 100);
    for target in &targets {
        assert!(resolve(&document, target).is_object(), "{target}");
    }
}

#[test]
fn errors_are_the_connect_error_with_its_statuses() {
    let document = openapi();
    let responses =
        &document["paths"]["/uppsikt.v1.BudgetService/SummarizeBudget"]["post"]["responses"];
    for status in [
        "400", "401", "403", "404", "409", "429", "499", "500", "501", "503", "504",
    ] {
        assert_eq!(
            responses[status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ConnectError",
            "{status}"
        );
    }
    assert!(
        responses["400"]["description"]
            .as_str()
            .expect("text")
            .contains("invalid_argument")
    );
    let codes = &document["components"]["schemas"]["ConnectError"]["properties"]["code"]["enum"];
    assert_eq!(codes.as_array().expect("codes").len(), 16);
    assert_eq!(
        document["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
}

#[test]
fn the_swagger_document_is_what_a_custom_connector_imports() {
    let document = swagger();
    assert_eq!(document["swagger"], "2.0");
    assert_eq!(document["host"], "uppsikt.example.se");
    assert_eq!(document["schemes"], json!(["https"]));
    let post = &document["paths"]["/uppsikt.v1.BudgetService/SummarizeBudget"]["post"];
    assert_eq!(post["operationId"], "BudgetService_SummarizeBudget");
    assert_eq!(post["parameters"][0]["in"], "body");
    assert!(document["paths"]["/uppsikt.v1.BudgetService/SummarizeBudget"]["get"].is_null());
    let mut targets = Vec::new();
    references(&document, &mut targets);
    for target in &targets {
        assert!(target.starts_with("#/definitions/"), "{target}");
        assert!(resolve(&document, target).is_object(), "{target}");
    }
    let text = serde_json::to_string(&document).expect("JSON");
    assert!(
        text.len() < 1_000_000,
        "{} bytes: custom connectors take less than 1 MB",
        text.len()
    );
    for construct in ["\"oneOf\"", "\"anyOf\"", "\"allOf\"", "contentEncoding"] {
        assert!(!text.contains(construct), "{construct}");
    }
}
