//! Limits through the real server: the server's deadline and a client's shorter one answer
//! DEADLINE_EXCEEDED, concurrent calls over the bound and a credential over its rate answer
//! RESOURCE_EXHAUSTED (the rate shared across connections), and an import over the record
//! cap is refused whole.

use crate::common;
use crate::support;

use bytes::Bytes;
use common::{TestApp, TestDatabase, assert_error, bearer};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use prost::Message;
use sea_orm::TransactionTrait;
use std::convert::Infallible;
use std::time::{Duration, Instant};
use support::access as fx;
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use tonic_types::StatusExt;
use uppsikt::limits::Limits;
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::budget_service_client::BudgetServiceClient;
use uppsikt::server::ServeOptions;
use uppsikt::store::{Backend, PoolSize};

async fn start(limits: Limits) -> TestApp {
    let options = ServeOptions {
        limits,
        ..ServeOptions::default()
    };
    TestApp::start_with(TestDatabase::sqlite(), options).await
}

/// An Import stream that sends its header and then waits: it holds its call open until
/// `release` is dropped or a deadline ends it.
fn hanging_import(
    app: &TestApp,
) -> (
    tokio::sync::mpsc::Sender<pb::ImportRequest>,
    tokio::task::JoinHandle<Result<pb::ImportResponse, tonic::Status>>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut client = app.imports();
    let task = tokio::spawn(async move {
        client
            .import(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .map(tonic::Response::into_inner)
    });
    (tx, task)
}

/// The grpc-status of an answer: in the headers of a trailers-only answer, else in the
/// trailers.
async fn grpc_status(response: http::Response<hyper::body::Incoming>) -> Option<String> {
    let status = |headers: &http::HeaderMap| {
        headers
            .get("grpc-status")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(code) = status(response.headers()) {
        return Some(code);
    }
    let collected = response.into_body().collect().await.ok()?;
    collected.trailers().and_then(status)
}

#[tokio::test]
async fn the_server_deadline_answers_deadline_exceeded() {
    let app = start(Limits {
        import_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let (tx, task) = hanging_import(&app);
    tx.send(fx::import_header("slow", false)).await.unwrap();
    let started = Instant::now();
    let status = task.await.unwrap().unwrap_err();
    let waited = started.elapsed();
    assert_error(&status, Code::DeadlineExceeded, None);
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    drop(tx);
    // Nothing of the cut import was logged.
    let log = app
        .imports()
        .list_imports(pb::ListImportsRequest::default())
        .await
        .unwrap();
    assert!(log.into_inner().imports.is_empty());
    app.stop().await;

    // A read that cannot end within the server's deadline: every pooled connection is held
    // in a transaction, so it waits for one. (A read of the demo data alone can end before
    // the timer's first millisecond tick, and a call done before its timer fires is answered.)
    let app = start(Limits {
        call_timeout: Duration::from_millis(50),
        ..Limits::default()
    })
    .await;
    uppsikt::demo::load(&app.store).await.expect("demo");
    let reader = app.store.reader();
    let mut held = Vec::new();
    for _ in 0..PoolSize::default().connections(Backend::Sqlite, false) {
        held.push(reader.begin().await.expect("a pooled connection"));
    }
    let status = app
        .budget()
        .list_budget_lines(pb::ListBudgetLinesRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_error(&status, Code::DeadlineExceeded, None);
    drop(held);
    app.stop().await;
}

/// Over raw HTTP/2, so that what is seen is the server's own answer: a tonic client times
/// the call out itself at its grpc-timeout, and on a busy machine its timer can fire before
/// the server's answer (sent a margin earlier) arrives.
#[tokio::test]
async fn a_clients_shorter_deadline_wins_and_is_deadline_exceeded_not_cancelled() {
    let app = start(Limits::default()).await;
    let header = fx::import_header("slow", false);
    let mut frame = vec![0u8];
    frame.extend(u32::try_from(header.encoded_len()).unwrap().to_be_bytes());
    header.encode(&mut frame).unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Frame<Bytes>, Infallible>>(4);
    tx.send(Ok(Frame::data(Bytes::from(frame)))).await.unwrap();
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http();
    let request = http::Request::post(format!(
        "http://{}/uppsikt.v1.ImportService/Import",
        app.address
    ))
    .header("content-type", "application/grpc")
    .header("te", "trailers")
    .header("grpc-timeout", "200m")
    .body(StreamBody::new(
        tokio_stream::wrappers::ReceiverStream::new(rx),
    ))
    .unwrap();
    let started = Instant::now();
    let response = client.request(request).await.unwrap();
    let code = grpc_status(response).await;
    assert_eq!(
        code.as_deref(),
        Some((Code::DeadlineExceeded as i32).to_string().as_str()),
        "grpc-status"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(tx);
    app.stop().await;
}

#[tokio::test]
async fn calls_over_the_concurrency_bound_are_shed() {
    let app = start(Limits {
        max_concurrent_calls: 1,
        ..Limits::default()
    })
    .await;
    let (tx, task) = hanging_import(&app);
    tx.send(fx::import_header("holds-the-slot", true))
        .await
        .unwrap();
    // Give the import time to take the one slot before anything else asks for it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut shed = None;
    for _ in 0..50 {
        match app
            .budget()
            .list_categories(pb::ListCategoriesRequest::default())
            .await
        {
            Err(status) if status.code() == Code::ResourceExhausted => {
                shed = Some(status);
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    if shed.is_none() && task.is_finished() {
        panic!("the import ended early: {:?}", task.await);
    }
    let status = shed.expect("a second call is shed while the import runs");
    assert_error(&status, Code::ResourceExhausted, None);
    assert_eq!(
        status.get_error_details().error_info().unwrap().reason,
        "TOO_MANY_CALLS"
    );
    // Health stays answerable.
    let health = HealthClient::new(app.channel.clone())
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await;
    assert!(health.is_ok(), "{health:?}");
    // When the import ends, the slot is free again.
    tx.send(fx::budget_line("RS", -1)).await.unwrap();
    drop(tx);
    let _ = task.await.unwrap();
    app.budget()
        .list_categories(pb::ListCategoriesRequest::default())
        .await
        .expect("the slot is free again");
    app.stop().await;
}

#[tokio::test]
async fn a_credentials_rate_is_shared_across_connections() {
    let dir = tempfile::tempdir().unwrap();
    let idp = fx::Idp::new("k1");
    let path = fx::write_auth_file(dir.path(), &idp, "");
    // The reader gets 1 call a minute; the others are unlimited.
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "roles = [\"read\"]\n",
        "roles = [\"read\"]\nrequests_per_minute = 1\n",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let options = ServeOptions {
        auth: fx::authenticator(&path).await,
        ..ServeOptions::default()
    };
    let app = TestApp::start_with(TestDatabase::sqlite(), options).await;
    let connect = || async {
        let channel = Channel::from_shared(format!("http://{}", app.address))
            .unwrap()
            .connect()
            .await
            .unwrap();
        BudgetServiceClient::new(channel)
    };
    let request = || bearer(pb::ListCategoriesRequest::default(), fx::READER);
    connect()
        .await
        .list_categories(request())
        .await
        .expect("the first call");
    // A new connection does not reset the count.
    let status = connect()
        .await
        .list_categories(request())
        .await
        .unwrap_err();
    assert_error(&status, Code::ResourceExhausted, None);
    let details = status.get_error_details();
    assert_eq!(details.error_info().unwrap().reason, "RATE_LIMITED");
    let retry = details
        .retry_info()
        .and_then(|r| r.retry_delay)
        .expect("RetryInfo");
    assert!(
        retry > Duration::from_secs(50) && retry <= Duration::from_secs(60),
        "{retry:?}"
    );
    // Another credential has its own budget.
    connect()
        .await
        .list_categories(bearer(pb::ListCategoriesRequest::default(), fx::REGION))
        .await
        .expect("another credential");
    app.stop().await;
}

#[tokio::test]
async fn an_import_over_the_record_cap_is_refused_whole() {
    let app = start(Limits {
        max_import_records: 2,
        ..Limits::default()
    })
    .await;
    uppsikt::demo::load(&app.store).await.expect("demo");
    let before = app
        .imports()
        .list_imports(pb::ListImportsRequest::default())
        .await
        .unwrap();
    let status = fx::import(
        &app,
        None,
        vec![
            fx::import_header("too-big", false),
            fx::budget_line("RS", -1),
            fx::budget_line("RS-605", -2),
            fx::budget_line("RS-604", -3),
        ],
    )
    .await
    .unwrap_err();
    assert_error(&status, Code::ResourceExhausted, None);
    assert_eq!(
        status.get_error_details().error_info().unwrap().reason,
        "IMPORT_TOO_LARGE"
    );
    let after = app
        .imports()
        .list_imports(pb::ListImportsRequest::default())
        .await
        .unwrap();
    assert_eq!(
        before.into_inner().imports.len(),
        after.into_inner().imports.len()
    );
    // Two records are within the cap.
    fx::import(
        &app,
        None,
        vec![
            fx::import_header("small", false),
            fx::budget_line("RS", -1),
            fx::budget_line("RS-605", -2),
        ],
    )
    .await
    .expect("within the cap");
    app.stop().await;
}
