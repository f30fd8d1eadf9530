//! Access by construction, checked from the outside: every RPC in the descriptor set has an
//! access case (`support::cases`), and a credential scoped to RS, asking for what lies
//! outside RS through any of them, gets OUTSIDE_SCOPE or an answer naming nothing outside.
//! The four holes found by an attack on the demo (GetIndicator, SummarizeIndicators, an
//! assignment taken over by its key, HSN's past tree rewritten) are regression tests here,
//! on every backend.

use crate::common;
use crate::support;

use common::{TestDatabase, assert_error, bearer};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use support::access::{self as fx, Fixture, rs_jwt, start};
use support::{cases, rpc};
use tonic::Code;
use tonic_types::StatusExt;
use uppsikt::proto::v1 as pb;

#[test]
fn every_rpc_in_the_descriptor_set_has_an_access_case() {
    let missing: Vec<String> = rpc::api_methods()
        .iter()
        .map(rpc::key)
        .filter(|key| cases::case(key).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "RPCs without an access case: {missing:?}"
    );
    assert!(rpc::api_methods().len() >= 22);
}

/// The codes of every unit outside RS's subtree today, from the API itself: the region
/// reader's list minus the RS team's.
async fn outside_codes(fixture: &Fixture) -> BTreeSet<String> {
    let codes = |token: &'static str| async move {
        fixture
            .app
            .organization()
            .list_org_units(bearer(
                pb::ListOrgUnitsRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                token,
            ))
            .await
            .expect("units")
            .into_inner()
            .org_units
            .into_iter()
            .map(|u| u.code)
            .collect::<BTreeSet<_>>()
    };
    let region = codes(fx::READER).await;
    let rs = codes(fx::RS_TEAM).await;
    assert!(rs.contains("RS") && !rs.contains("HSN"));
    region.difference(&rs).cloned().collect()
}

/// Every string in `value` that names a unit of `outside` (a code, or `orgUnits/{code}`).
/// A unit's `parent` is the unit's own attribute: a scoped caller may see its units'
/// parents, today's and earlier ones (docs/security.md).
fn named_outside(value: &Value, outside: &BTreeSet<String>, found: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            let code = s.strip_prefix("orgUnits/").unwrap_or(s);
            if outside.contains(code) {
                found.push(s.clone());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| named_outside(v, outside, found)),
        Value::Object(map) => map
            .iter()
            .filter(|(key, _)| key.as_str() != "parent")
            .for_each(|(_, v)| named_outside(v, outside, found)),
        _ => {}
    }
}

/// Whether a request names what it asks about (a unit, a resource, records to write): then
/// a scoped caller asking outside must be refused, not merely answered with nothing.
fn names_something(request: &Value) -> bool {
    request.is_array() || request.get("name").is_some() || request.get("orgUnit").is_some()
}

fn reason(status: &tonic::Status) -> String {
    status
        .get_error_details()
        .error_info()
        .map(|i| i.reason.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_scoped_credential_learns_nothing_outside_its_scope_through_any_rpc() {
    let fixture = start(TestDatabase::sqlite()).await;
    let outside = outside_codes(&fixture).await;
    let jwt = rs_jwt(&fixture.idp);
    let mut wrong = Vec::new();
    let mut asked = 0;
    for method in rpc::api_methods() {
        let key = rpc::key(&method);
        let case = cases::case(&key).expect("a case (checked above)");
        for token in [fx::RS_TEAM, jwt.as_str()] {
            // Inside the scope the call works.
            if let Err(status) =
                rpc::call(&fixture.app.channel, &method, Some(token), &case.inside).await
            {
                wrong.push(format!("{key} inside: {status:?}"));
            }
            for request in &case.outside {
                asked += 1;
                match rpc::call(&fixture.app.channel, &method, Some(token), request).await {
                    Err(status) => {
                        if status.code() != Code::PermissionDenied
                            || reason(&status) != "OUTSIDE_SCOPE"
                        {
                            wrong.push(format!("{key} {request}: {status:?}"));
                        }
                        assert_error(&status, Code::PermissionDenied, None);
                    }
                    Ok(answer) if names_something(request) => {
                        wrong.push(format!("{key} {request}: answered {answer}"));
                    }
                    Ok(answer) => {
                        let mut found = Vec::new();
                        named_outside(&answer, &outside, &mut found);
                        if !found.is_empty() {
                            wrong.push(format!("{key} {request}: names {found:?}"));
                        }
                    }
                }
            }
        }
    }
    assert!(asked > 100, "{asked} requests");
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    fixture.app.stop().await;
}

#[tokio::test]
async fn the_four_holes_stay_closed_on_every_backend() {
    for database in TestDatabase::all().await {
        let fixture = start(database).await;
        let app = &fixture.app;
        let label = app.label;
        let call = |key: &str, token: &'static str, request: Value| {
            let method = fx::Rpc::api(key);
            let channel = app.channel.clone();
            async move {
                let fx::Rpc::Api(method) = method else {
                    unreachable!()
                };
                rpc::call(&channel, &method, Some(token), &request).await
            }
        };
        let denied = |result: Result<Value, tonic::Status>, what: &str| {
            let status = result.expect_err(what);
            assert_eq!(
                status.code(),
                Code::PermissionDenied,
                "{label}: {what}: {status:?}"
            );
            assert_eq!(reason(&status), "OUTSIDE_SCOPE", "{label}: {what}");
        };

        // 1. GetIndicator: HSN's indicator and an unknown one get the same refusal.
        for name in ["indicators/hsn-2025-hse", "indicators/no-such-indicator"] {
            denied(
                call(
                    "IndicatorService/GetIndicator",
                    fx::RS_TEAM,
                    json!({"name": name}),
                )
                .await,
                name,
            );
        }
        let hse = call(
            "IndicatorService/GetIndicator",
            fx::READER,
            json!({"name": "indicators/hsn-2025-hse"}),
        )
        .await
        .expect("the region reader reads it");
        assert_eq!(hse["orgUnit"], "orgUnits/HSN", "{label}");

        // 2. SummarizeIndicators of HSN and of the region above RS.
        for unit in ["orgUnits/HSN", "orgUnits/RJH"] {
            denied(
                call(
                    "IndicatorService/SummarizeIndicators",
                    fx::RS_TEAM,
                    json!({"orgUnit": unit, "fiscalYear": 2025}),
                )
                .await,
                unit,
            );
        }

        let before = app
            .imports()
            .list_imports(bearer(pb::ListImportsRequest::default(), fx::READER))
            .await
            .expect("log")
            .into_inner()
            .imports
            .len();
        let hsn_2024 = || {
            call(
                "BudgetService/SummarizeBudget",
                fx::READER,
                json!({"orgUnit": "orgUnits/HSN", "fiscalYear": 2024, "structureDate": "2024-06-01"}),
            )
        };
        let summary_before = hsn_2024().await.expect("HSN 2024");

        // 3. Taking over HSN's assignment by its key, written for real and as a dry run.
        for dry_run in [false, true] {
            let status = fx::import(
                app,
                Some(fx::RS_TEAM),
                vec![
                    fx::import_header("", dry_run),
                    fx::record(pb::import_record::Kind::Assignment(pb::AssignmentRecord {
                        code: "hsn-2025-u01".into(),
                        org_unit: "RS".into(),
                        goal_area: "x".into(),
                        fiscal_year: 2025,
                        text: "taken over".into(),
                        ..Default::default()
                    })),
                ],
            )
            .await
            .expect_err("a takeover");
            assert_eq!(status.code(), Code::PermissionDenied, "{label}: {status:?}");
            assert!(
                status.message().contains("records[0]"),
                "{label}: {}",
                status.message()
            );
        }
        let assignments = call(
            "IndicatorService/ListAssignments",
            fx::READER,
            json!({"orgUnit": "orgUnits/HSN", "pageSize": 1000}),
        )
        .await
        .expect("HSN's assignments");
        let u01 = assignments["assignments"]
            .as_array()
            .expect("assignments")
            .iter()
            .find(|a| a["code"] == "hsn-2025-u01")
            .cloned()
            .expect("hsn-2025-u01 still HSN's");
        assert_eq!(u01["orgUnit"], "orgUnits/HSN", "{label}");

        // 4. Rewriting HSN's past tree: KST-1700 under RS-RST when it lay under HSN-HSD, or
        // its placement under HSN-HSD retracted.
        let placement = |valid_to: &str| {
            fx::record(pb::import_record::Kind::OrgUnit(pb::OrgUnitRecord {
                code: "KST-1700".into(),
                name: "Medicinteknik".into(),
                kind: pb::OrgUnitKind::CostCentre as i32,
                parent: "RS-RST".into(),
                valid_from: "2020-01-01".into(),
                valid_to: valid_to.into(),
            }))
        };
        let retraction = pb::ImportRequest {
            content: Some(pb::import_request::Content::Retract(pb::Retraction {
                record: Some(pb::ImportRecord {
                    kind: Some(pb::import_record::Kind::OrgUnit(pb::OrgUnitRecord {
                        code: "KST-1700".into(),
                        valid_from: "2020-01-01".into(),
                        ..Default::default()
                    })),
                    ..Default::default()
                }),
            })),
        };
        for (what, record) in [
            ("a placement over 2020-2025", placement("2025-01-01")),
            ("a placement from 2020 on", placement("")),
            ("the retraction of the HSN placement", retraction),
        ] {
            let status = fx::import(
                app,
                Some(fx::RS_TEAM),
                vec![fx::import_header("", false), record],
            )
            .await
            .expect_err(what);
            assert_eq!(
                status.code(),
                Code::PermissionDenied,
                "{label}: {what}: {status:?}"
            );
        }
        assert_eq!(
            hsn_2024().await.expect("HSN 2024"),
            summary_before,
            "{label}: HSN's 2024 summary at 2024-06-01 is unchanged"
        );
        let after = app
            .imports()
            .list_imports(bearer(pb::ListImportsRequest::default(), fx::READER))
            .await
            .expect("log")
            .into_inner()
            .imports
            .len();
        assert_eq!(after, before, "{label}: nothing was imported");

        // Inside its own scope the same credential renames KST-1700's current placement.
        fx::import(
            app,
            Some(fx::RS_TEAM),
            vec![
                fx::import_header("", true),
                fx::record(pb::import_record::Kind::OrgUnit(pb::OrgUnitRecord {
                    code: "KST-1700".into(),
                    name: "Medicinteknik (RS)".into(),
                    kind: pb::OrgUnitKind::CostCentre as i32,
                    parent: "RS-RST".into(),
                    valid_from: "2025-01-01".into(),
                    ..Default::default()
                })),
            ],
        )
        .await
        .expect("a placement inside RS");
        fixture.app.stop().await;
    }
}

#[tokio::test]
async fn two_authorization_headers_are_ambiguous() {
    let fixture = start(TestDatabase::sqlite()).await;
    let mut request = tonic::Request::new(pb::ListCategoriesRequest::default());
    for token in [fx::RS_TEAM, fx::READER] {
        request.metadata_mut().append(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
    }
    let status = fixture
        .app
        .budget()
        .list_categories(request)
        .await
        .expect_err("two credentials");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(reason(&status), "AMBIGUOUS_CREDENTIALS");
    fixture.app.stop().await;
}

#[tokio::test]
async fn a_scoped_importer_touches_no_kind_outside_its_scope() {
    let fixture = start(TestDatabase::sqlite()).await;
    let app = &fixture.app;
    // The staffing kinds the demo lacks, in a tree of their own (TR), outside RS.
    common::load_fixture(app, "staffing.txt").await;
    // A record of every kind that lies outside RS (HSN's or TR's, or a region-wide
    // definition), as the region reader's change feed gives them.
    let mut feed = Vec::new();
    for unit in ["orgUnits/HSN", "orgUnits/TR"] {
        feed.extend(
            app.changes()
                .list_changes(bearer(
                    pb::ListChangesRequest {
                        org_unit: unit.into(),
                        include_descendants: true,
                        page_size: 1000,
                        ..Default::default()
                    },
                    fx::READER,
                ))
                .await
                .expect("the feed")
                .into_inner()
                .changes,
        );
    }
    let mut wrong = Vec::new();
    for kind in uppsikt::import::record::KINDS {
        let Some(change) = feed.iter().find(|c| c.kind == *kind) else {
            wrong.push(format!(
                "{kind}: no record outside RS in the demo data to try"
            ));
            continue;
        };
        let record = change.record.clone().expect("a record");
        let writes = [
            pb::ImportRequest {
                content: Some(pb::import_request::Content::Record(record.clone())),
            },
            pb::ImportRequest {
                content: Some(pb::import_request::Content::Retract(pb::Retraction {
                    record: Some(key_only(kind, &record)),
                })),
            },
        ];
        for (what, write) in ["write", "retract"].into_iter().zip(writes) {
            let result = fx::import(
                app,
                Some(fx::RS_TEAM),
                vec![fx::import_header("", true), write],
            )
            .await;
            match result {
                Err(status)
                    if status.code() == Code::PermissionDenied
                        && reason(&status) == "OUTSIDE_SCOPE" => {}
                other => wrong.push(format!("{kind} {what}: {other:?}")),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    fixture.app.stop().await;
}

/// `record` with only the fields of its kind's key (what a retraction names).
fn key_only(kind: &str, record: &pb::ImportRecord) -> pb::ImportRecord {
    use prost::Message;
    use prost_reflect::{DynamicMessage, SerializeOptions};
    let key = uppsikt::import::record::key_fields(kind).expect("a kind of the registry");
    let descriptor = uppsikt::proto::POOL
        .get_message_by_name("uppsikt.v1.ImportRecord")
        .expect("ImportRecord");
    let message = DynamicMessage::decode(descriptor.clone(), record.encode_to_vec().as_slice())
        .expect("decodes");
    let mut json = message
        .serialize_with_options(
            serde_json::value::Serializer,
            &SerializeOptions::new().use_proto_field_name(true),
        )
        .expect("serializes");
    for fields in json.as_object_mut().expect("an object").values_mut() {
        if let Some(fields) = fields.as_object_mut() {
            fields.retain(|name, _| key.contains(&name.as_str()));
        }
    }
    let keyed = DynamicMessage::deserialize(descriptor, json).expect("deserializes");
    pb::ImportRecord::decode(keyed.encode_to_vec().as_slice()).expect("re-decodes")
}

/// `request`'s messages (one, or a client stream's array) for `method`.
fn messages(
    method: &prost_reflect::MethodDescriptor,
    request: &Value,
) -> Vec<prost_reflect::DynamicMessage> {
    let one = |json: &Value| {
        prost_reflect::DynamicMessage::deserialize(method.input(), json)
            .unwrap_or_else(|e| panic!("{}: {json}: {e}", rpc::key(method)))
    };
    match request.as_array() {
        Some(items) => items.iter().map(one).collect(),
        None => vec![one(request)],
    }
}

/// Calls `method` in `form` as `token`; the code told and the answer as JSON.
async fn call_in(
    address: std::net::SocketAddr,
    form: uppsikt::http::protocol::Form,
    method: &prost_reflect::MethodDescriptor,
    token: Option<&str>,
    request: &Value,
) -> (Code, Vec<Value>) {
    use crate::support::wire;
    let mut http = wire::request(form, &rpc::path(method), &messages(method, request));
    if let Some(token) = token {
        http.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
    }
    let exchange = wire::exchange(address, wire::http2(form), http).await;
    let told = wire::told(form, &method.output(), &exchange);
    let answers = told
        .messages
        .iter()
        .map(|bytes| rpc::decode_response(method, bytes))
        .collect();
    (told.code, answers)
}

/// Every RPC in every form the server speaks (`http::protocol::FORMS`) that carries it,
/// with every kind of credential: the code each gets for its request about RS is the one
/// its role and scope give; and the RS-scoped credentials, asking about what lies outside RS,
/// are refused (OUTSIDE_SCOPE is PERMISSION_DENIED in every protocol) or told nothing
/// outside — in CSV and XLSX reads too.
#[tokio::test]
async fn every_rpc_in_every_form_answers_each_credential_and_scope() {
    use futures::StreamExt;
    use uppsikt::http::methods;
    use uppsikt::http::protocol::{FORMS, Form};
    let fixture = start(TestDatabase::sqlite()).await;
    let app = &fixture.app;
    let outside = outside_codes(&fixture).await;
    let jwt = rs_jwt(&fixture.idp);
    let credentials: [(&str, Option<&str>); 7] = [
        ("no token", None),
        ("a wrong token", Some("not-a-token")),
        ("a read token", Some(fx::READER)),
        ("an import token", Some(fx::IMPORTER)),
        ("a region token", Some(fx::REGION)),
        ("an RS token", Some(fx::RS_TEAM)),
        ("an RS JWT", Some(jwt.as_str())),
    ];
    // Every call to make, then made sixteen at a time: (what, form, method, token, request,
    // expected code for an inside request, or None for an outside one).
    type Call = (
        String,
        Form,
        prost_reflect::MethodDescriptor,
        Option<String>,
        Value,
        Option<Code>,
    );
    let mut planned: Vec<Call> = Vec::new();
    let mut wrong = Vec::new();
    for method in rpc::api_methods() {
        let key = rpc::key(&method);
        let case = cases::case(&key).expect("a case");
        let served = methods::find(&rpc::path(&method)).expect("served");
        let import = key == "ImportService/Import";
        for form in FORMS
            .iter()
            .copied()
            .filter(|f| f.transport.carries(served.kind))
        {
            for (label, token) in credentials {
                let expected = match (label, import) {
                    ("no token" | "a wrong token", _) => Code::Unauthenticated,
                    ("a read token", true) | ("an import token", false) => Code::PermissionDenied,
                    _ => Code::Ok,
                };
                let what = format!("{key} {form:?} {label}");
                planned.push((
                    what,
                    form,
                    method.clone(),
                    token.map(str::to_owned),
                    case.inside.clone(),
                    Some(expected),
                ));
            }
            for token in [fx::RS_TEAM, jwt.as_str()] {
                for request in &case.outside {
                    let what = format!("{key} {form:?} {request}");
                    planned.push((
                        what,
                        form,
                        method.clone(),
                        Some(token.to_owned()),
                        request.clone(),
                        None,
                    ));
                }
            }
        }
        // Reads as spreadsheets: the RS credentials' CSV and XLSX hold nothing outside.
        if served.kind == methods::MethodKind::Read {
            for request in &case.outside {
                for format in ["csv", "xlsx"] {
                    let cells =
                        spreadsheet(app.address, &method, request, format, fx::RS_TEAM).await;
                    match cells {
                        Err(status) if status == http::StatusCode::FORBIDDEN => {}
                        Err(status) => {
                            wrong.push(format!("{key} {format} {request}: HTTP {status}"))
                        }
                        Ok(_) if names_something(request) => {
                            wrong.push(format!("{key} {format} {request}: answered"));
                        }
                        Ok(cells) => {
                            let named: Vec<&String> = cells
                                .iter()
                                .filter(|c| {
                                    outside.contains(c.strip_prefix("orgUnits/").unwrap_or(c))
                                })
                                .collect();
                            // A unit's parent column may name its parent (docs/security.md).
                            if !named.is_empty() && !parent_only(&key) {
                                wrong.push(format!("{key} {format} {request}: names {named:?}"));
                            }
                        }
                    }
                }
            }
        }
    }
    let calls = planned.len();
    let address = app.address;
    let outside = &outside;
    let results: Vec<Option<String>> = futures::stream::iter(planned)
        .map(
            |(what, form, method, token, request, expected)| async move {
                let (code, answers) =
                    call_in(address, form, &method, token.as_deref(), &request).await;
                match expected {
                    Some(expected) => (code != expected)
                        .then(|| format!("{what}: {code:?}, expected {expected:?}")),
                    None => {
                        let mut found = Vec::new();
                        answers
                            .iter()
                            .for_each(|a| named_outside(a, outside, &mut found));
                        let ok = match code {
                            Code::PermissionDenied => true,
                            Code::Ok => !names_something(&request) && found.is_empty(),
                            _ => false,
                        };
                        (!ok).then(|| format!("{what}: {code:?} {found:?}"))
                    }
                }
            },
        )
        .buffer_unordered(16)
        .collect()
        .await;
    wrong.extend(results.into_iter().flatten());
    assert!(calls > 2000, "{calls} calls");
    assert!(
        wrong.is_empty(),
        "{} of {calls} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    fixture.app.stop().await;
}

/// The lists whose rows carry a unit's parent (org units, and the change feed's placements).
fn parent_only(key: &str) -> bool {
    matches!(
        key,
        "OrganizationService/ListOrgUnits" | "ChangeService/ListChanges"
    )
}

/// The cells of a read by URL as CSV or XLSX; `Err` with the HTTP status of a refusal.
async fn spreadsheet(
    address: std::net::SocketAddr,
    method: &prost_reflect::MethodDescriptor,
    request: &Value,
    format: &str,
    token: &str,
) -> Result<Vec<String>, http::StatusCode> {
    use crate::support::wire;
    use calamine::Reader;
    let form = uppsikt::http::protocol::Form {
        transport: uppsikt::http::protocol::Transport::UrlRead,
        codec: uppsikt::http::protocol::Codec::Json,
    };
    let mut http = wire::request(form, &rpc::path(method), &messages(method, request));
    let uri = format!("{}&format={format}", http.uri());
    *http.uri_mut() = uri.replace("?&", "?").parse().expect("uri");
    http.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let exchange = wire::exchange(address, false, http).await;
    if !exchange.status.is_success() {
        return Err(exchange.status);
    }
    Ok(match format {
        "csv" => String::from_utf8_lossy(&exchange.body)
            .split(['\n', ','])
            .map(|c| c.trim_matches(['"', '\r']).to_owned())
            .collect(),
        _ => {
            let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(exchange.body.to_vec()))
                .expect("a workbook");
            let mut cells = Vec::new();
            for name in workbook.sheet_names() {
                let range = workbook.worksheet_range(&name).expect("sheet");
                cells.extend(range.rows().flatten().map(|c| c.to_string()));
            }
            cells
        }
    })
}
