//! The HTTP forms of the API (Connect JSON and binary POST, GET reads as JSON and CSV,
//! gRPC-Web, CORS) through a plain HTTP/1.1 client, compared with the gRPC answers.

use crate::common;

use common::http_client::{
    connect_violations, get, grpc_json, grpc_violations, post_json, send, send_with,
};
use common::{TestApp, for_each_backend};
use http::StatusCode;
use prost::Message;
use serde_json::json;
use std::collections::HashMap;
use uppsikt::proto::v1 as pb;

/// The reads compared: path, JSON body (camelCase, as Connect clients send it), the same
/// request as query parameters (proto names, with an enum by name and a JSON name mixed
/// in), and the gRPC answer in JSON.
async fn cases(
    app: &TestApp,
) -> Vec<(
    &'static str,
    serde_json::Value,
    &'static str,
    serde_json::Value,
)> {
    let summary = app
        .budget()
        .summarize_budget(pb::SummarizeBudgetRequest {
            org_unit: "orgUnits/HSN".into(),
            fiscal_year: 2025,
            from_month: 1,
            to_month: 4,
            group_by: pb::SummaryGrouping::ChildUnit as i32,
            ..Default::default()
        })
        .await
        .expect("summary")
        .into_inner();
    let lines = app
        .budget()
        .list_budget_lines(pb::ListBudgetLinesRequest {
            org_unit: "orgUnits/HSN".into(),
            include_descendants: true,
            fiscal_year: 2025,
            scenario: pb::Scenario::Actual as i32,
            page_size: 7,
            ..Default::default()
        })
        .await
        .expect("lines")
        .into_inner();
    let unit = app
        .organization()
        .get_org_unit(pb::GetOrgUnitRequest {
            name: "orgUnits/HSN".into(),
            ..Default::default()
        })
        .await
        .expect("unit")
        .into_inner();
    let investments = app
        .investments()
        .summarize_investments(pb::SummarizeInvestmentsRequest {
            org_unit: "orgUnits/HSN".into(),
            fiscal_year: 2024,
            ..Default::default()
        })
        .await
        .expect("investments")
        .into_inner();
    let hired = app
        .staffing()
        .list_hired_staff(pb::ListHiredStaffRequest {
            org_unit: "orgUnits/HSN".into(),
            fiscal_year: 2025,
            ..Default::default()
        })
        .await
        .expect("hired staff")
        .into_inner();
    vec![
        (
            "/uppsikt.v1.BudgetService/SummarizeBudget",
            json!({"orgUnit": "orgUnits/HSN", "fiscalYear": 2025, "fromMonth": 1, "toMonth": 4,
                   "groupBy": "SUMMARY_GROUPING_CHILD_UNIT"}),
            "org_unit=orgUnits%2FHSN&fiscal_year=2025&fromMonth=1&to_month=4&group_by=SUMMARY_GROUPING_CHILD_UNIT",
            grpc_json(&summary, "uppsikt.v1.SummarizeBudgetResponse"),
        ),
        (
            "/uppsikt.v1.BudgetService/ListBudgetLines",
            json!({"orgUnit": "orgUnits/HSN", "includeDescendants": true, "fiscalYear": 2025,
                   "scenario": "SCENARIO_ACTUAL", "pageSize": 7}),
            "org_unit=orgUnits/HSN&include_descendants=true&fiscal_year=2025&scenario=SCENARIO_ACTUAL&page_size=7",
            grpc_json(&lines, "uppsikt.v1.ListBudgetLinesResponse"),
        ),
        (
            "/uppsikt.v1.OrganizationService/GetOrgUnit",
            json!({"name": "orgUnits/HSN"}),
            "name=orgUnits/HSN",
            grpc_json(&unit, "uppsikt.v1.OrgUnit"),
        ),
        (
            "/uppsikt.v1.InvestmentService/SummarizeInvestments",
            json!({"org_unit": "orgUnits/HSN", "fiscal_year": 2024}),
            "org_unit=orgUnits/HSN&fiscal_year=2024",
            grpc_json(&investments, "uppsikt.v1.SummarizeInvestmentsResponse"),
        ),
        (
            "/uppsikt.v1.StaffingService/ListHiredStaff",
            json!({"orgUnit": "orgUnits/HSN", "fiscalYear": "2025"}),
            "org_unit=orgUnits/HSN&fiscal_year=2025",
            grpc_json(&hired, "uppsikt.v1.ListHiredStaffResponse"),
        ),
    ]
}

/// The answer without its page token, which is opaque and carries the instant the first page
/// was read (so two calls differ); whether there is a next page must agree.
fn comparable(mut answer: serde_json::Value) -> serde_json::Value {
    if let Some(token) = answer.get_mut("nextPageToken") {
        *token = serde_json::Value::Bool(token.as_str().is_some_and(|t| !t.is_empty()));
    }
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_post_and_get_answer_as_grpc_does() {
    for_each_backend(true, async |app| {
        for (path, body, query, expected) in cases(app).await {
            assert!(
                expected.as_object().is_some_and(|o| !o.is_empty()),
                "{path}: the gRPC answer has content"
            );
            let posted = post_json(app.address, path, &body).await;
            assert_eq!(posted.status, StatusCode::OK, "{}: POST {path}: {}", app.label, posted.text());
            assert_eq!(posted.content_type(), "application/json");
            assert_eq!(comparable(posted.json()), comparable(expected.clone()), "{}: POST {path}", app.label);

            let read = get(app.address, &format!("{path}?{query}"), &[]).await;
            assert_eq!(read.status, StatusCode::OK, "{}: GET {path}: {}", app.label, read.text());
            assert_eq!(comparable(read.json()), comparable(expected), "{}: GET {path}?{query}", app.label);
        }
        // The summary's net cost over JSON is the figure the tertial report prints.
        let summary = get(
            app.address,
            "/uppsikt.v1.BudgetService/SummarizeBudget?org_unit=orgUnits/HSN&fiscal_year=2025&from_month=1&to_month=4",
            &[],
        )
        .await
        .json();
        let net: i64 = summary["totals"]["netCost"]["actualSek"]
            .as_str()
            .expect("int64 as a JSON string")
            .parse()
            .expect("kronor");
        common::assert_close("net cost over JSON", Some(net), -1_271_592, 3);
    })
    .await;
}

/// (org_unit, category, year, from, to, scenario, amount) of a line, as CSV cells or gRPC.
type LineKey = (String, String, String, String, String, String, String);

fn csv_lines(text: &str) -> Vec<LineKey> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: HashMap<String, usize> = reader
        .headers()
        .expect("header")
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_owned(), i))
        .collect();
    let column = |record: &csv::StringRecord, name: &str| {
        record[*header.get(name).unwrap_or_else(|| panic!("column {name}"))].to_owned()
    };
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            (
                column(&r, "org_unit"),
                column(&r, "category"),
                column(&r, "span.fiscal_year"),
                column(&r, "span.from_month"),
                column(&r, "span.to_month"),
                column(&r, "scenario"),
                column(&r, "amount_sek"),
            )
        })
        .collect()
}

/// Every line of the request, paging through gRPC with `page_size`.
async fn grpc_lines(app: &TestApp, mut request: pb::ListBudgetLinesRequest) -> Vec<LineKey> {
    let mut lines = Vec::new();
    loop {
        let page = app
            .budget()
            .list_budget_lines(request.clone())
            .await
            .expect("page")
            .into_inner();
        for l in page.budget_lines {
            let span = l.span.expect("span");
            lines.push((
                l.org_unit,
                l.category,
                span.fiscal_year.to_string(),
                span.from_month.to_string(),
                span.to_month.to_string(),
                pb::Scenario::try_from(l.scenario)
                    .expect("scenario")
                    .as_str_name()
                    .to_owned(),
                l.amount_sek.to_string(),
            ));
        }
        if page.next_page_token.is_empty() {
            return lines;
        }
        request.page_token = page.next_page_token;
    }
}

fn assert_once_each(label: &str, csv: &[LineKey], grpc: &[LineKey]) {
    let mut seen = std::collections::HashSet::new();
    for line in csv {
        assert!(seen.insert(line), "{label}: {line:?} twice in the CSV");
    }
    assert_eq!(
        csv.len(),
        grpc.len(),
        "{label}: as many CSV rows as gRPC lines"
    );
    let mut csv = csv.to_vec();
    let mut grpc = grpc.to_vec();
    csv.sort();
    grpc.sort();
    assert_eq!(csv, grpc, "{label}: the same lines");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_of_hsn_2025_budget_lines_has_every_line_once() {
    for_each_backend(true, async |app| {
        let grpc = grpc_lines(
            app,
            pb::ListBudgetLinesRequest {
                org_unit: "orgUnits/HSN".into(),
                include_descendants: true,
                fiscal_year: 2025,
                page_size: 7,
                ..Default::default()
            },
        )
        .await;
        assert!(grpc.len() > 7, "{}: more than one gRPC page", app.label);
        let query = "/uppsikt.v1.BudgetService/ListBudgetLines?org_unit=orgUnits/HSN&include_descendants=true&fiscal_year=2025";
        let by_format = get(app.address, &format!("{query}&format=csv"), &[]).await;
        assert_eq!(by_format.status, StatusCode::OK, "{}", by_format.text());
        assert!(by_format.content_type().starts_with("text/csv"));
        assert_once_each(app.label, &csv_lines(&by_format.text()), &grpc);
        // Money is whole kronor as a plain integer.
        assert!(
            by_format.text().contains(",-965403000,"),
            "{}: HSN personnel cost Jan–Apr in kronor",
            app.label
        );

        let by_accept = get(app.address, query, &[("accept", "text/csv")]).await;
        assert_eq!(by_accept.body, by_format.body, "{}: Accept and format= agree", app.label);
    })
    .await;
}

/// Imports 1 440 budget lines of HSN (2000–2009): more than one 1 000-row CSV page, in
/// lists and in the change feed.
async fn import_many_lines(app: &TestApp) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("many.txt");
    let mut text = String::from("source document=\"tests/http.rs\"\n");
    for year in 2000..2010 {
        for month in 1..=12 {
            for category in [
                "PATIENTAVGIFTER",
                "FORSALJNING",
                "PERSONALKOSTNADER",
                "LAKEMEDEL",
                "KONSULTKOSTNADER",
                "OVRIGA_KOSTNADER",
            ] {
                for scenario in ["actual", "budget"] {
                    let sign = if category.ends_with("KOSTNADER") || category == "LAKEMEDEL" {
                        -1
                    } else {
                        1
                    };
                    text.push_str(&format!(
                        "budget_line org_unit=HSN category={category} fiscal_year={year} from_month={month} to_month={month} scenario={scenario} amount_sek={}\n",
                        sign * (year * 1000 + month * 10)
                    ));
                }
            }
        }
    }
    std::fs::write(&path, text).expect("write");
    uppsikt::import::run_import(
        &app.store,
        uppsikt::import::ImportRequest {
            document: "tests/http.rs".into(),
            table: None,
            system: None,
            request_id: None,
            dry_run: false,
        },
        Box::pin(uppsikt::import::files::file_entries(vec![path])),
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{}: import: {e:?}", app.label));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_of_a_list_follows_every_page() {
    for_each_backend(true, async |app| {
        import_many_lines(app).await;

        let grpc = grpc_lines(
            app,
            pb::ListBudgetLinesRequest {
                org_unit: "orgUnits/HSN".into(),
                page_size: 1000,
                ..Default::default()
            },
        )
        .await;
        assert!(grpc.len() > 1440, "{}: {} lines", app.label, grpc.len());
        let answer = get(
            app.address,
            "/uppsikt.v1.BudgetService/ListBudgetLines?org_unit=orgUnits/HSN&format=csv&page_size=5",
            &[],
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_once_each(app.label, &csv_lines(&answer.text()), &grpc);
    })
    .await;
}

/// The change feed continues by cursor, not page token: its CSV follows `next_cursor` until
/// a page comes back empty, and holds every change once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_of_the_change_feed_holds_every_change() {
    for_each_backend(true, async |app| {
        import_many_lines(app).await;
        let mut feed = pb::change_service_client::ChangeServiceClient::new(app.channel.clone());
        let mut grpc = Vec::new();
        let mut after = String::new();
        loop {
            let page = feed
                .list_changes(pb::ListChangesRequest {
                    after: after.clone(),
                    page_size: 1000,
                    ..Default::default()
                })
                .await
                .unwrap_or_else(|e| panic!("{}: ListChanges: {e:?}", app.label))
                .into_inner();
            if page.changes.is_empty() {
                break;
            }
            grpc.extend(page.changes.into_iter().map(|c| (c.cursor, c.key)));
            after = page.next_cursor;
        }
        assert!(grpc.len() > 1440, "{}: {} changes", app.label, grpc.len());

        let answer = get(
            app.address,
            "/uppsikt.v1.ChangeService/ListChanges?format=csv",
            &[],
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let mut reader = csv::Reader::from_reader(answer.body.as_ref());
        let headers = reader.headers().expect("header").clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("{}: no {name} column in {headers:?}", app.label))
        };
        let (cursor, key) = (column("cursor"), column("key"));
        let csv: Vec<(String, String)> = reader
            .records()
            .map(|r| {
                let r = r.expect("row");
                (r[cursor].to_owned(), r[key].to_owned())
            })
            .collect();
        assert_eq!(
            csv.len(),
            grpc.len(),
            "{}: as many CSV rows as changes",
            app.label
        );
        assert_eq!(
            csv, grpc,
            "{}: the same changes in the same order",
            app.label
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_of_a_summary_flattens_its_rows() {
    for_each_backend(true, async |app| {
        let summary = app
            .budget()
            .summarize_budget(pb::SummarizeBudgetRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                ..Default::default()
            })
            .await
            .expect("summary")
            .into_inner();
        let answer = get(
            app.address,
            "/uppsikt.v1.BudgetService/SummarizeBudget?org_unit=orgUnits/HSN&fiscal_year=2025&from_month=1&to_month=4&format=csv",
            &[],
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let mut reader = csv::Reader::from_reader(answer.body.as_ref());
        let header = reader.headers().expect("header").clone();
        let index = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name} in {header:?}"));
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        let section_column = index("section");
        let section = |name: &'static str| {
            rows.iter()
                .filter(move |r| &r[section_column] == name)
        };

        let group = &summary.groups[0];
        let categories: Vec<_> = section("groups.categories").collect();
        assert_eq!(categories.len(), group.categories.len(), "{}: a row per category", app.label);
        for (row, category) in categories.iter().zip(&group.categories) {
            assert_eq!(&row[index("category")], category.category);
            let actual = category.figures.as_ref().and_then(|f| f.actual_sek);
            assert_eq!(row[index("actual_sek")].to_owned(), actual.map(|a| a.to_string()).unwrap_or_default());
        }
        // One column per figure: the categories' and the totals' actual is the same column.
        assert_eq!(header.iter().filter(|h| h.ends_with("actual_sek")).count(), 2, "{header:?}");
        assert_eq!(header.iter().filter(|h| *h == "prior_year_actual_sek").count(), 1, "{header:?}");
        let net = section("totals.net_cost").next().expect("a net cost row");
        let expected = summary.totals.as_ref().and_then(|t| t.net_cost.as_ref()).and_then(|f| f.actual_sek).expect("net");
        assert_eq!(net[index("actual_sek")].parse::<i64>().expect("kronor"), expected);
        common::assert_close("net cost in CSV", Some(expected), -1_271_592, 3);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_the_grpc_code_and_field() {
    for_each_backend(false, async |app| {
        let status = app
            .budget()
            .list_budget_lines(pb::ListBudgetLinesRequest {
                page_size: -1,
                ..Default::default()
            })
            .await
            .expect_err("negative page size");
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        let expected = grpc_violations(&status);
        assert!(
            expected.iter().any(|(f, _)| f == "page_size"),
            "{expected:?}"
        );

        let posted = post_json(
            app.address,
            "/uppsikt.v1.BudgetService/ListBudgetLines",
            &json!({"pageSize": -1}),
        )
        .await;
        let read = get(
            app.address,
            "/uppsikt.v1.BudgetService/ListBudgetLines?page_size=-1",
            &[],
        )
        .await;
        let as_csv = get(
            app.address,
            "/uppsikt.v1.BudgetService/ListBudgetLines?page_size=-1&format=csv",
            &[],
        )
        .await;
        for (form, answer) in [("POST", &posted), ("GET", &read), ("CSV", &as_csv)] {
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{form}");
            let error = answer.json();
            assert_eq!(error["code"], "invalid_argument", "{form}: {error}");
            assert_eq!(connect_violations(&error), expected, "{form}");
            assert_eq!(error["message"], status.message(), "{form}");
        }

        let status = app
            .budget()
            .summarize_budget(pb::SummarizeBudgetRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 1200,
                ..Default::default()
            })
            .await
            .expect_err("year out of range");
        let expected = grpc_violations(&status);
        assert!(
            expected.iter().any(|(f, _)| f == "fiscal_year"),
            "{expected:?}"
        );
        let posted = post_json(
            app.address,
            "/uppsikt.v1.BudgetService/SummarizeBudget",
            &json!({"orgUnit": "orgUnits/HSN", "fiscalYear": 1200}),
        )
        .await;
        assert_eq!(posted.status, StatusCode::BAD_REQUEST);
        assert_eq!(connect_violations(&posted.json()), expected);

        // Malformed input found while transcoding names the field too.
        let bad_number = get(
            app.address,
            "/uppsikt.v1.BudgetService/SummarizeBudget?fiscal_year=abc",
            &[],
        )
        .await;
        assert_eq!(bad_number.status, StatusCode::BAD_REQUEST);
        assert_eq!(connect_violations(&bad_number.json())[0].0, "fiscal_year");
        let unknown = get(
            app.address,
            "/uppsikt.v1.BudgetService/SummarizeBudget?fiscal_yaer=2025",
            &[],
        )
        .await;
        assert_eq!(connect_violations(&unknown.json())[0].0, "fiscal_yaer");
        let bad_json = post_json(
            app.address,
            "/uppsikt.v1.BudgetService/SummarizeBudget",
            &json!({"fiscalYear": "next"}),
        )
        .await;
        assert_eq!(connect_violations(&bad_json.json())[0].0, "fiscalYear");
        let not_found = get(
            app.address,
            "/uppsikt.v1.OrganizationService/GetOrgUnit?name=orgUnits/NOPE",
            &[],
        )
        .await;
        assert_eq!(not_found.status, StatusCode::NOT_FOUND);
        assert_eq!(not_found.json()["code"], "not_found");

        // The client-streaming Import takes the enveloped forms only, and says which.
        let import = post_json(app.address, "/uppsikt.v1.ImportService/Import", &json!({})).await;
        assert_eq!(import.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(import.json()["code"], "unimplemented");
        let accepted = import.headers["accept-post"].to_str().expect("ASCII");
        assert!(accepted.contains("application/connect+json"), "{accepted}");
        let missing = get(app.address, "/uppsikt.v1.BudgetService/ListNothing", &[]).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(missing.json()["code"], "unimplemented");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_web_connect_binary_and_get_and_h2c_answer_as_grpc_does() {
    for_each_backend(true, async |app| {
        let request = pb::GetOrgUnitRequest {
            name: "orgUnits/HSN".into(),
            ..Default::default()
        };
        let expected = app
            .organization()
            .get_org_unit(request.clone())
            .await
            .expect("unit")
            .into_inner();

        // gRPC-Web over HTTP/1.1: a data frame with the message, then a trailer frame.
        let message = request.encode_to_vec();
        let mut frame = vec![0u8];
        frame.extend((message.len() as u32).to_be_bytes());
        frame.extend(&message);
        let answer = send(
            app.address,
            http::Method::POST,
            "/uppsikt.v1.OrganizationService/GetOrgUnit",
            &[
                ("content-type", "application/grpc-web+proto"),
                ("x-grpc-web", "1"),
            ],
            frame,
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
        let body = answer.body;
        assert_eq!(body[0], 0, "a data frame first");
        let length = u32::from_be_bytes(body[1..5].try_into().expect("4 bytes")) as usize;
        let unit = pb::OrgUnit::decode(&body[5..5 + length]).expect("OrgUnit");
        assert_eq!(unit, expected, "{}: gRPC-Web", app.label);
        let trailer = &body[5 + length..];
        assert_eq!(trailer[0], 0x80, "then the trailer frame");
        let trailer_text = String::from_utf8_lossy(&trailer[5..]).to_lowercase();
        assert!(trailer_text.contains("grpc-status:0"), "{trailer_text}");

        // Connect's binary form.
        let answer = send(
            app.address,
            http::Method::POST,
            "/uppsikt.v1.OrganizationService/GetOrgUnit",
            &[("content-type", "application/proto")],
            message,
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.content_type(), "application/proto");
        assert_eq!(pb::OrgUnit::decode(answer.body).expect("OrgUnit"), expected);

        // Connect's GET form (Connect-Web's useHttpGet), JSON and base64url binary.
        let expected_json = grpc_json(&expected, "uppsikt.v1.OrgUnit");
        let message_json: String =
            form_urlencoded::byte_serialize(br#"{"name":"orgUnits/HSN"}"#).collect();
        let answer = get(
            app.address,
            &format!("/uppsikt.v1.OrganizationService/GetOrgUnit?connect=v1&encoding=json&message={message_json}"),
            &[],
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json(), expected_json);
        let message_proto = {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(request.encode_to_vec())
        };
        let answer = get(
            app.address,
            &format!("/uppsikt.v1.OrganizationService/GetOrgUnit?connect=v1&encoding=proto&base64=1&message={message_proto}"),
            &[],
        )
        .await;
        assert_eq!(pb::OrgUnit::decode(answer.body).expect("OrgUnit"), expected);

        // The JSON form over HTTP/2 without TLS (h2c), as over HTTP/1.1.
        let answer = send_with(
            true,
            app.address,
            http::Method::POST,
            "/uppsikt.v1.OrganizationService/GetOrgUnit",
            &[("content-type", "application/json")],
            r#"{"name":"orgUnits/HSN"}"#,
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.json(), expected_json);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_only_the_configured_origins() {
    let database = common::TestDatabase::sqlite();
    let store = uppsikt::store::Store::open(&database.url)
        .await
        .expect("store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let options = uppsikt::server::ServeOptions {
        web: uppsikt::http::WebOptions {
            cors_origins: vec!["https://portal.example.se".into()],
        },
        ..Default::default()
    };
    let server = tokio::spawn(async move {
        uppsikt::server::serve_with(store, listener, options, async {
            let _ = stopped.await;
        })
        .await
    });
    let preflight = async |origin: &'static str| {
        let headers = [
            ("origin", origin),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "content-type,authorization",
            ),
        ];
        let path = "/uppsikt.v1.BudgetService/ListCategories";
        send(
            address,
            http::Method::OPTIONS,
            path,
            &headers,
            bytes::Bytes::new(),
        )
        .await
    };
    let allowed = preflight("https://portal.example.se").await;
    assert_eq!(
        allowed
            .headers
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some("https://portal.example.se")
    );
    let other = preflight("https://elsewhere.example").await;
    assert!(other.headers.get("access-control-allow-origin").is_none());

    let call = send(
        address,
        http::Method::POST,
        "/uppsikt.v1.BudgetService/ListCategories",
        &[
            ("origin", "https://portal.example.se"),
            ("content-type", "application/json"),
        ],
        "{}",
    )
    .await;
    assert_eq!(call.status, StatusCode::OK, "{}", call.text());
    assert!(call.headers.get("access-control-allow-origin").is_some());
    let _ = stop.send(());
    server.await.expect("task").expect("server");
}
