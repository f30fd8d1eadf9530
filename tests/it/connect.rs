//! Every form the server lists (`uppsikt::http::protocol::FORMS`) through the real server,
//! with a client written from the protocols' specifications (support/wire.rs): each answers
//! as gRPC does, and the metrics count the code its client was told, once per call. An
//! Import over every enveloped form commits only a whole, valid stream; client streams the
//! transport cuts are counted once each, as CANCELLED, and write nothing. HTTP's own
//! answers: 404, 405 with `Allow`, 415 with `Accept-Post`, HEAD.

use crate::common::{TestApp, TestDatabase};
use crate::support::wire::{self, Told};
use bytes::Bytes;
use futures::StreamExt;
use http::{Request, StatusCode};
use http_body_util::Full;
use prost::Message;
use prost_reflect::DynamicMessage;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::Code;
use uppsikt::http::methods::MethodKind;
use uppsikt::http::protocol::{FORMS, Form};
use uppsikt::ops::call::code_name;
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::import_record::Kind;

const GET_ORG_UNIT: &str = "/uppsikt.v1.OrganizationService/GetOrgUnit";
const IMPORT: &str = "/uppsikt.v1.ImportService/Import";

/// A server with its admin listener (for `/metrics`); returns the admin address too.
async fn start(database: TestDatabase) -> (TestApp, SocketAddr) {
    let admin = std::net::TcpListener::bind("127.0.0.1:0").expect("bind admin");
    let admin_address = admin.local_addr().expect("admin address");
    let options = uppsikt::server::ServeOptions {
        admin_listener: Some(std::sync::Arc::new(admin)),
        ..Default::default()
    };
    let app = TestApp::start_with(database, options).await;
    uppsikt::demo::load(&app.store)
        .await
        .unwrap_or_else(|e| panic!("{}: demo load: {e}", app.label));
    (app, admin_address)
}

/// The server's metrics: the calls started and handled, by (service, method[, code]).
struct Counts(String);

impl Counts {
    async fn scrape(admin: SocketAddr) -> Self {
        let answer = wire::exchange(
            admin,
            false,
            Request::get("/metrics")
                .body(Full::default())
                .expect("request"),
        )
        .await;
        Self(String::from_utf8(answer.body.to_vec()).expect("UTF-8"))
    }

    fn sum(&self, name: &str, labels: &str) -> f64 {
        self.0
            .lines()
            .filter(|line| line.starts_with(name) && line.contains(labels))
            .filter_map(|line| line.rsplit_once(' ')?.1.parse::<f64>().ok())
            .sum()
    }

    fn all(&self, name: &str) -> f64 {
        self.sum(name, "")
    }

    fn started(&self, service: &str, method: &str) -> f64 {
        let labels = format!(r#"grpc_service="{service}",grpc_method="{method}""#);
        self.sum("grpc_server_started_total{", &labels)
    }

    fn handled(&self, service: &str, method: &str, code: Option<Code>) -> f64 {
        let mut labels = format!(r#"grpc_service="{service}",grpc_method="{method}""#);
        if let Some(code) = code {
            labels.push_str(&format!(r#",grpc_code="{}""#, code_name(code)));
        }
        self.sum("grpc_server_handled_total{", &labels)
    }
}

/// Scrapes until `done` holds (a call is counted when its answer's body has ended on the
/// server, a moment after the client has read it), at most 10 s.
async fn counts_when(admin: SocketAddr, done: impl Fn(&Counts) -> bool) -> Counts {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let counts = Counts::scrape(admin).await;
        if done(&counts) || tokio::time::Instant::now() > deadline {
            return counts;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn dynamic(message: &impl Message, name: &str) -> DynamicMessage {
    let descriptor = wire::pool().get_message_by_name(name).expect("message");
    DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice()).expect("decode")
}

async fn call(
    app: &TestApp,
    form: Form,
    path: &str,
    messages: &[DynamicMessage],
    output: &str,
) -> Told {
    let request = wire::request(form, path, messages);
    let exchange = wire::exchange(app.address, wire::http2(form), request).await;
    let output = wire::pool().get_message_by_name(output).expect("output");
    wire::told(form, &output, &exchange)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_is_counted_with_the_code_its_client_was_told() {
    for database in TestDatabase::all().await {
        let (app, admin) = start(database).await;
        let label = app.label;
        let organization = ("uppsikt.v1.OrganizationService", "GetOrgUnit");
        let unknown = ("unknown", "unknown");
        let cases = [
            (GET_ORG_UNIT, "orgUnits/HSN", Code::Ok, organization),
            (GET_ORG_UNIT, "orgUnits/NOPE", Code::NotFound, organization),
            (
                "/uppsikt.v1.OrganizationService/GetNothing",
                "orgUnits/HSN",
                Code::Unimplemented,
                unknown,
            ),
        ];
        for form in FORMS {
            for (path, name, expected, (service, method)) in cases {
                let request = pb::GetOrgUnitRequest {
                    name: name.to_owned(),
                    ..Default::default()
                };
                let before = Counts::scrape(admin).await;
                let told = call(
                    &app,
                    form,
                    path,
                    &[dynamic(&request, "uppsikt.v1.GetOrgUnitRequest")],
                    "uppsikt.v1.OrgUnit",
                )
                .await;
                let case = format!("{label}: {path} {name} over {form:?}");
                assert_eq!(told.code, expected, "{case}: {}", told.message);
                if expected == Code::Ok {
                    let unit = pb::OrgUnit::decode(told.messages[0].as_slice()).expect("OrgUnit");
                    assert_eq!(unit.code, "HSN", "{case}");
                }
                let handled = "grpc_server_handled_total{";
                let after = counts_when(admin, |now| now.all(handled) > before.all(handled)).await;
                let delta = |f: &dyn Fn(&Counts) -> f64| f(&after) - f(&before);
                assert_eq!(
                    delta(&|c| c.handled(service, method, Some(expected))),
                    1.0,
                    "{case}: counted once with the code its client was told"
                );
                assert_eq!(delta(&|c| c.all(handled)), 1.0, "{case}: one count");
                let started = "grpc_server_started_total{";
                assert_eq!(delta(&|c| c.all(started)), 1.0, "{case}: one start");
            }
        }
        app.stop().await;
    }
}

fn header(document: &str) -> pb::ImportRequest {
    crate::common::import_header(document)
}

fn budget_line(org_unit: &str, fiscal_year: i32) -> pb::ImportRequest {
    crate::common::import_record(Kind::BudgetLine(pb::BudgetLineRecord {
        org_unit: org_unit.to_owned(),
        category: "PERSONALKOSTNADER".to_owned(),
        fiscal_year,
        from_month: 1,
        to_month: 1,
        scenario: pb::Scenario::Budget as i32,
        amount_sek: -1_000,
    }))
}

fn import_messages(messages: &[pb::ImportRequest]) -> Vec<DynamicMessage> {
    messages
        .iter()
        .map(|m| dynamic(m, "uppsikt.v1.ImportRequest"))
        .collect()
}

async fn lines_in(app: &TestApp, fiscal_year: i32) -> usize {
    app.budget()
        .list_budget_lines(pb::ListBudgetLinesRequest {
            org_unit: "orgUnits/HSN".into(),
            fiscal_year,
            ..Default::default()
        })
        .await
        .expect("lines")
        .into_inner()
        .budget_lines
        .len()
}

async fn import_count(app: &TestApp) -> usize {
    app.imports()
        .list_imports(pb::ListImportsRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .expect("imports")
        .into_inner()
        .imports
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_over_every_enveloped_form_commits_only_a_whole_valid_stream() {
    for database in TestDatabase::all().await {
        let app = TestApp::with_demo(database).await;
        let label = app.label;
        let streaming = FORMS
            .into_iter()
            .filter(|form| form.transport.carries(MethodKind::Streaming));
        for (offset, form) in (0..).zip(streaming) {
            let year = 2070 + offset;
            let case = format!("{label}: Import over {form:?}");
            let before = import_count(&app).await;
            let refused = call(
                &app,
                form,
                IMPORT,
                &import_messages(&[
                    header("bad"),
                    budget_line("HSN", year),
                    budget_line("NOPE", year),
                ]),
                "uppsikt.v1.ImportResponse",
            )
            .await;
            assert_eq!(
                refused.code,
                Code::InvalidArgument,
                "{case}: {}",
                refused.message
            );
            assert!(
                refused.message.contains("records[1].org_unit"),
                "{case}: {}",
                refused.message
            );
            assert_eq!(import_count(&app).await, before, "{case}: nothing logged");
            assert_eq!(lines_in(&app, year).await, 0, "{case}: nothing written");

            let told = call(
                &app,
                form,
                IMPORT,
                &import_messages(&[header("good"), budget_line("HSN", year)]),
                "uppsikt.v1.ImportResponse",
            )
            .await;
            assert_eq!(told.code, Code::Ok, "{case}: {}", told.message);
            let response = pb::ImportResponse::decode(told.messages[0].as_slice()).expect("answer");
            let counts = response.counts.iter().find(|c| c.kind == "budget_line");
            assert_eq!(counts.map(|c| c.inserted), Some(1), "{case}: {response:?}");
            assert_eq!(import_count(&app).await, before + 1, "{case}");
            assert_eq!(lines_in(&app, year).await, 1, "{case}");
        }
        app.stop().await;
    }
}

/// A Connect stream to Import with `body` as its bytes; what its client is told.
async fn connect_import(app: &TestApp, content_type: &str, body: Vec<u8>) -> Told {
    let request = Request::post(IMPORT)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    let exchange = wire::exchange(app.address, false, request).await;
    let form = match uppsikt::http::protocol::requested(content_type) {
        uppsikt::http::protocol::Requested::Served(form) => form,
        other => panic!("{other:?}"),
    };
    let output = wire::pool()
        .get_message_by_name("uppsikt.v1.ImportResponse")
        .expect("output");
    wire::told(form, &output, &exchange)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connect_stream_that_cannot_be_read_is_refused_whole() {
    crate::common::for_each_backend(true, async |app| {
        let label = app.label;
        let before = import_count(app).await;
        let header_json = br#"{"header":{"source":{"document":"unreadable"}}}"#;
        let good_json = br#"{"record":{"budgetLine":{"orgUnit":"HSN","category":"PERSONALKOSTNADER","fiscalYear":2075,"fromMonth":1,"toMonth":1,"scenario":"SCENARIO_BUDGET","amountSek":"-1000"}}}"#;
        let bad_json = br#"{"record":{"budgetLine":{"orgUnit":"HSN","amountSek":"a lot"}}}"#;

        // A message that is not the JSON of an ImportRequest: named, nothing written.
        let mut body = wire::envelope(0, header_json);
        body.extend(wire::envelope(0, good_json));
        body.extend(wire::envelope(0, bad_json));
        let told = connect_import(app, "application/connect+json", body).await;
        assert_eq!(told.code, Code::InvalidArgument, "{label}: {}", told.message);
        assert!(told.message.contains("message 2"), "{label}: {}", told.message);

        // A body that ends inside an envelope.
        let mut body = wire::envelope(0, header_json);
        body.extend(wire::envelope(0, good_json));
        body.truncate(body.len() - 3);
        let told = connect_import(app, "application/connect+json", body).await;
        assert_eq!(told.code, Code::InvalidArgument, "{label}: {}", told.message);

        // A compressed message: not read.
        let header = header("compressed").encode_to_vec();
        let mut body = wire::envelope(0, &header);
        body.extend(wire::envelope(1, &budget_line("HSN", 2075).encode_to_vec()));
        let told = connect_import(app, "application/connect+proto", body).await;
        assert_eq!(told.code, Code::Unimplemented, "{label}: {}", told.message);

        assert_eq!(import_count(app).await, before, "{label}: nothing logged");
        assert_eq!(lines_in(app, 2075).await, 0, "{label}: nothing written");
    })
    .await;
}

/// Sends the head and the first message of an Import stream over HTTP/1.1 with a chunked
/// body, then closes the connection without ending it.
async fn cut_http1_import(address: SocketAddr, content_type: &str, message: &[u8]) {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let envelope = wire::envelope(0, message);
    let mut bytes = format!(
        "POST {IMPORT} HTTP/1.1\r\nHost: {address}\r\ncontent-type: {content_type}\r\n\
         transfer-encoding: chunked\r\n\r\n{:x}\r\n",
        envelope.len()
    )
    .into_bytes();
    bytes.extend(envelope);
    bytes.extend(b"\r\n");
    stream.write_all(&bytes).await.expect("send");
    stream.flush().await.expect("flush");
    // Wait until the server has read it (it answers nothing yet), then cut.
    let mut buffer = [0u8; 1];
    let _ = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buffer)).await;
    drop(stream);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_streams_the_transport_cuts_are_counted_once_and_write_nothing() {
    for database in TestDatabase::all().await {
        let (app, admin) = start(database).await;
        let label = app.label;
        let before = import_count(&app).await;
        let service = "uppsikt.v1.ImportService";

        // gRPC: streams that send their header and then wait, dropped by their client.
        let mut calls = Vec::new();
        for n in 0..3 {
            let mut client = app.imports();
            let messages =
                tokio_stream::iter([header(&format!("cut {n}")), budget_line("HSN", 2077)])
                    .chain(futures::stream::pending());
            calls.push(tokio::spawn(async move { client.import(messages).await }));
        }
        // Connect streaming and gRPC-Web over HTTP/1.1: the connection closed mid-stream.
        let header = header("cut").encode_to_vec();
        for content_type in [
            "application/connect+proto",
            "application/grpc-web+proto",
            "application/connect+json",
        ] {
            let message = if content_type.ends_with("json") {
                br#"{"header":{"source":{"document":"cut"}}}"#.to_vec()
            } else {
                header.clone()
            };
            cut_http1_import(app.address, content_type, &message).await;
        }
        let cut = 6.0;
        let started = counts_when(admin, |c| c.started(service, "Import") >= cut).await;
        assert_eq!(started.started(service, "Import"), cut, "{label}");
        for call in calls {
            call.abort();
        }
        let counts = counts_when(admin, |c| c.handled(service, "Import", None) >= cut).await;
        assert_eq!(
            counts.handled(service, "Import", None),
            cut,
            "{label}: every cut stream is counted once"
        );
        assert_eq!(
            counts.handled(service, "Import", Some(Code::Cancelled)),
            cut,
            "{label}: as CANCELLED"
        );
        assert_eq!(import_count(&app).await, before, "{label}: nothing logged");
        assert_eq!(lines_in(&app, 2077).await, 0, "{label}: nothing written");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_answers_404_405_415_and_head_on_every_get_form() {
    let (app, admin) = start(TestDatabase::sqlite()).await;
    let send = async |method: &str, path: &str, content_type: Option<&str>| {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let request = request
            .body(Full::new(Bytes::from_static(b"{}")))
            .expect("request");
        wire::exchange(app.address, false, request).await
    };
    let json = |body: &Bytes| -> serde_json::Value { serde_json::from_slice(body).expect("JSON") };

    let missing = send("GET", "/nowhere", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(json(&missing.body)["code"], "not_found");
    let not_allowed = send("PUT", "/", None).await;
    assert_eq!(not_allowed.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(not_allowed.headers["allow"], "GET, HEAD");
    assert_eq!(json(&not_allowed.body)["code"], "unimplemented");
    let write_by_get = send("GET", IMPORT, None).await;
    assert_eq!(write_by_get.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(write_by_get.headers["allow"], "POST");
    let categories = "/uppsikt.v1.BudgetService/ListCategories";
    let plain = send("POST", categories, Some("text/plain")).await;
    assert_eq!(plain.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let accepted = plain.headers["accept-post"].to_str().expect("ASCII");
    for form in FORMS {
        if let Some(content_type) = form.content_type() {
            assert!(
                accepted.contains(content_type),
                "{content_type} in {accepted}"
            );
        }
    }
    assert_eq!(json(&plain.body)["code"], "unimplemented");

    // HEAD on every GET form: the GET's head, no body.
    for path in [
        "/",
        categories,
        "/uppsikt.v1.BudgetService/ListCategories?format=csv",
        "/uppsikt.v1.OrganizationService/GetOrgUnit?connect=v1&encoding=json&message=%7B%22name%22%3A%22orgUnits%2FHSN%22%7D",
        "/uppsikt.v1.OrganizationService/GetOrgUnit?name=orgUnits/NOPE",
    ] {
        let got = send("GET", path, None).await;
        let head = send("HEAD", path, None).await;
        assert_eq!(head.status, got.status, "{path}");
        assert!(head.body.is_empty(), "{path}");
        assert_eq!(
            head.headers["content-type"], got.headers["content-type"],
            "{path}"
        );
        if let Some(length) = head.headers.get("content-length") {
            assert_eq!(
                length.to_str().expect("digits"),
                got.body.len().to_string(),
                "{path}"
            );
        }
    }

    // Each refusal is counted with the code in its body.
    let counts = Counts::scrape(admin).await;
    assert!(counts.handled("unknown", "unknown", Some(Code::NotFound)) >= 1.0);
    assert!(
        counts.handled(
            "uppsikt.v1.ImportService",
            "Import",
            Some(Code::Unimplemented)
        ) >= 1.0
    );
    assert_eq!(
        counts.handled(
            "uppsikt.v1.OrganizationService",
            "GetOrgUnit",
            Some(Code::NotFound)
        ),
        2.0,
        "the GET and the HEAD of an unknown unit"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connect_streams_deadline_is_answered_in_its_own_terms() {
    use http_body_util::{BodyExt, StreamBody};
    let app = TestApp::with_demo(TestDatabase::sqlite()).await;
    let before = import_count(&app).await;
    // A stream that sends its header and a record, then nothing, over HTTP/2.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(4);
    let mut first = wire::envelope(0, &header("late").encode_to_vec());
    first.extend(wire::envelope(0, &budget_line("HSN", 2078).encode_to_vec()));
    sender.send(Bytes::from(first)).await.expect("queued");
    let frames = tokio_stream::wrappers::ReceiverStream::new(receiver)
        .map(|bytes| Ok::<_, std::convert::Infallible>(http_body::Frame::data(bytes)));
    let request = Request::post(format!("http://{}{IMPORT}", app.address))
        .header("content-type", "application/connect+proto")
        .header("connect-timeout-ms", "300")
        .body(StreamBody::new(frames))
        .expect("request");
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(true)
        .build_http();
    let response = tokio::time::timeout(Duration::from_secs(10), client.request(request))
        .await
        .expect("answered within the deadline and a margin")
        .expect("HTTP");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/connect+proto"
    );
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let end = &body[5..];
    assert_eq!(body[0], 0x02, "only the end of the stream");
    let end: serde_json::Value = serde_json::from_slice(end).expect("JSON");
    assert_eq!(end["error"]["code"], "deadline_exceeded", "{end}");
    drop(sender);
    assert_eq!(import_count(&app).await, before, "nothing logged");
    assert_eq!(lines_in(&app, 2078).await, 0, "nothing written");
    app.stop().await;
}
