//! Limits through the real server: the server's deadline and a client's shorter one answer
//! DEADLINE_EXCEEDED, concurrent calls over the bound and a credential over its rate answer
//! RESOURCE_EXHAUSTED (the rate shared across connections), and an import over the record
//! cap is refused whole.

mod common;
mod support {
    pub mod access;
}

use common::{TestApp, TestDatabase, assert_error, bearer};
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
    timeout: Option<Duration>,
) -> (
    tokio::sync::mpsc::Sender<pb::ImportRequest>,
    tokio::task::JoinHandle<Result<pb::ImportResponse, tonic::Status>>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut client = app.imports();
    let task = tokio::spawn(async move {
        let mut request = tonic::Request::new(tokio_stream::wrappers::ReceiverStream::new(rx));
        // As a header only: tonic's client would also enforce `set_timeout` itself, and
        // this test is about what the server answers.
        if let Some(timeout) = timeout {
            let value = format!("{}m", timeout.as_millis());
            request
                .metadata_mut()
                .insert("grpc-timeout", value.parse().unwrap());
        }
        client
            .import(request)
            .await
            .map(tonic::Response::into_inner)
    });
    (tx, task)
}

#[tokio::test]
async fn the_server_deadline_answers_deadline_exceeded() {
    let app = start(Limits {
        import_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let (tx, task) = hanging_import(&app, None);
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

    // A read with a server deadline far shorter than the call itself.
    let app = start(Limits {
        call_timeout: Duration::from_micros(1),
        ..Limits::default()
    })
    .await;
    uppsikt::demo::load(&app.store).await.expect("demo");
    let status = app
        .budget()
        .list_budget_lines(pb::ListBudgetLinesRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_error(&status, Code::DeadlineExceeded, None);
    app.stop().await;
}

#[tokio::test]
async fn a_clients_shorter_deadline_wins_and_is_deadline_exceeded_not_cancelled() {
    let app = start(Limits::default()).await;
    let (tx, task) = hanging_import(&app, Some(Duration::from_millis(200)));
    tx.send(fx::import_header("slow", false)).await.unwrap();
    let started = Instant::now();
    let status = task.await.unwrap().unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
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
    let (tx, task) = hanging_import(&app, None);
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
