//! ImportService over a real server, on every backend: corrections read through `as_of`,
//! all-or-nothing on a long stream, request-id replay across a restart, dry runs, a client
//! that goes away mid-stream, the import log, and the header and field errors.

use crate::common;

use common::{TestApp, TestDatabase, assert_error, for_each_backend};
use std::time::Duration;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;
use tonic_types::StatusExt;
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::import_record::Kind;
use uppsikt::proto::v1::import_request::Content;

const UNIT: &str = "HSN";
const COST: &str = "PERSONALKOSTNADER";
const INCOME: &str = "PATIENTAVGIFTER";

fn header(document: &str, request_id: &str, dry_run: bool) -> pb::ImportRequest {
    pb::ImportRequest {
        content: Some(Content::Header(pb::ImportHeader {
            source: Some(pb::ImportSource {
                document: document.to_owned(),
                table: "Intäkter och kostnader".to_owned(),
                system: "test".to_owned(),
            }),
            request_id: request_id.to_owned(),
            dry_run,
            file: None,
        })),
    }
}

fn record(kind: Kind) -> pb::ImportRequest {
    pb::ImportRequest {
        content: Some(Content::Record(pb::ImportRecord {
            kind: Some(kind),
            ..Default::default()
        })),
    }
}

fn line(year: i32, from: i32, to: i32, scenario: pb::Scenario, amount_sek: i64) -> Kind {
    Kind::BudgetLine(pb::BudgetLineRecord {
        org_unit: UNIT.to_owned(),
        category: COST.to_owned(),
        fiscal_year: year,
        from_month: from,
        to_month: to,
        scenario: scenario as i32,
        amount_sek,
    })
}

fn actual(amount_sek: i64) -> pb::ImportRequest {
    record(line(2025, 1, 4, pb::Scenario::Actual, amount_sek))
}

/// The `i`th of many distinct budget lines: one-month spans over years, months, scenarios.
fn nth_line(i: usize) -> pb::ImportRequest {
    let i = i as i32;
    let scenario = pb::Scenario::try_from(i / 12 % 4 + 1).expect("a scenario");
    let month = i % 12 + 1;
    record(line(
        2000 + i / 48,
        month,
        month,
        scenario,
        -1000 - i64::from(i),
    ))
}

/// 5 000 valid budget lines after a header, the one at position 2 500 changed by `spoil`.
fn long_stream(spoil: impl FnOnce(&mut pb::BudgetLineRecord)) -> Vec<pb::ImportRequest> {
    let mut messages = vec![header("long", "long-1", false)];
    messages.extend((0..5000).map(nth_line));
    let Some(Content::Record(pb::ImportRecord {
        kind: Some(Kind::BudgetLine(line)),
        ..
    })) = &mut messages[2501].content
    else {
        unreachable!("a budget line")
    };
    spoil(line);
    messages
}

/// The organisation and categories every test's budget lines refer to.
fn setup() -> Vec<pb::ImportRequest> {
    vec![
        header("setup", "", false),
        record(Kind::OrgUnit(pb::OrgUnitRecord {
            code: "RS".into(),
            name: "Regionstyrelsen".into(),
            kind: pb::OrgUnitKind::Region as i32,
            valid_from: "2000-01-01".into(),
            ..Default::default()
        })),
        record(Kind::OrgUnit(pb::OrgUnitRecord {
            code: UNIT.into(),
            name: "Hälso- och sjukvårdsnämnden".into(),
            kind: pb::OrgUnitKind::Committee as i32,
            parent: "RS".into(),
            valid_from: "2000-01-01".into(),
            ..Default::default()
        })),
        record(Kind::Category(pb::CategoryRecord {
            code: INCOME.into(),
            name: "Patientavgifter".into(),
            direction: pb::Direction::Income as i32,
            parent: String::new(),
            order: 1,
        })),
        record(Kind::Category(pb::CategoryRecord {
            code: COST.into(),
            name: "Personalkostnader".into(),
            direction: pb::Direction::Cost as i32,
            parent: String::new(),
            order: 2,
        })),
        record(Kind::ProfessionGroup(pb::ProfessionGroupRecord {
            code: "LAKARE".into(),
            name: "Läkare".into(),
            parent: String::new(),
            order: 1,
        })),
    ]
}

async fn import(
    app: &TestApp,
    messages: Vec<pb::ImportRequest>,
) -> Result<pb::ImportResponse, tonic::Status> {
    app.imports()
        .import(tokio_stream::iter(messages))
        .await
        .map(tonic::Response::into_inner)
}

async fn import_ok(app: &TestApp, messages: Vec<pb::ImportRequest>) -> pb::ImportResponse {
    import(app, messages)
        .await
        .unwrap_or_else(|e| panic!("{}: import: {e:?}", app.label))
}

/// (inserted, superseded, unchanged) of `kind`; zeros when the kind did not occur.
fn counts(counts: &[pb::ImportCounts], kind: &str) -> (i64, i64, i64) {
    counts
        .iter()
        .find(|c| c.kind == kind)
        .map(|c| (c.inserted, c.superseded, c.unchanged))
        .unwrap_or_default()
}

async fn lines(app: &TestApp, as_of: Option<prost_types::Timestamp>) -> Vec<pb::BudgetLine> {
    let mut all = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = app
            .budget()
            .list_budget_lines(pb::ListBudgetLinesRequest {
                as_of,
                page_size: 1000,
                page_token,
                ..Default::default()
            })
            .await
            .expect("list budget lines")
            .into_inner();
        all.extend(page.budget_lines);
        if page.next_page_token.is_empty() {
            return all;
        }
        page_token = page.next_page_token;
    }
}

async fn log(app: &TestApp) -> Vec<pb::Import> {
    app.imports()
        .list_imports(pb::ListImportsRequest::default())
        .await
        .expect("list imports")
        .into_inner()
        .imports
}

fn timestamp(time: std::time::SystemTime) -> prost_types::Timestamp {
    let since = time
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after the epoch");
    prost_types::Timestamp {
        seconds: since.as_secs() as i64,
        nanos: since.subsec_nanos() as i32,
    }
}

fn summary(as_of: Option<prost_types::Timestamp>) -> pb::SummarizeBudgetRequest {
    pb::SummarizeBudgetRequest {
        org_unit: format!("orgUnits/{UNIT}"),
        fiscal_year: 2025,
        from_month: 1,
        to_month: 4,
        as_of,
        ..Default::default()
    }
}

async fn summarized_cost(app: &TestApp, as_of: Option<prost_types::Timestamp>) -> Option<i64> {
    let response = app
        .budget()
        .summarize_budget(summary(as_of))
        .await
        .expect("summary")
        .into_inner();
    response.groups[0]
        .categories
        .iter()
        .find(|c| c.category == format!("categories/{COST}"))
        .and_then(|c| c.figures.as_ref())
        .and_then(|f| f.actual_sek)
}

fn violation_fields(status: &tonic::Status) -> Vec<String> {
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}

fn reason(status: &tonic::Status) -> String {
    status
        .get_error_details()
        .error_info()
        .map(|i| i.reason.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_supersedes_and_the_old_value_stays_readable_through_as_of() {
    for_each_backend(false, async |app| {
        let label = app.label;
        let first = import_ok(app, setup()).await;
        assert_eq!(counts(&first.counts, "org_unit"), (2, 0, 0), "{label}");
        assert_eq!(counts(&first.counts, "category"), (2, 0, 0), "{label}");

        let original = import_ok(app, vec![header("april", "", false), actual(-1_000_000)]).await;
        assert_eq!(
            counts(&original.counts, "budget_line"),
            (1, 0, 0),
            "{label}"
        );
        assert!(original.r#import.starts_with("imports/"), "{label}");
        tokio::time::sleep(Duration::from_millis(5)).await;
        let between = timestamp(std::time::SystemTime::now());
        tokio::time::sleep(Duration::from_millis(5)).await;

        let correction = import_ok(
            app,
            vec![header("april, rättad", "", false), actual(-1_200_000)],
        )
        .await;
        assert_eq!(
            counts(&correction.counts, "budget_line"),
            (0, 1, 0),
            "{label}"
        );
        assert!(correction.recorded_at > original.recorded_at, "{label}");

        // Before the correction: the old value, from the first import.
        let before = lines(app, Some(between)).await;
        assert_eq!(before.len(), 1, "{label}");
        assert_eq!(before[0].amount_sek, -1_000_000, "{label}");
        let provenance = before[0].provenance.as_ref().expect("provenance");
        assert_eq!(provenance.r#import, original.r#import, "{label}");
        assert_eq!(provenance.document, "april", "{label}");
        assert_eq!(provenance.superseded_at, correction.recorded_at, "{label}");
        assert_eq!(
            summarized_cost(app, Some(between)).await,
            Some(-1_000_000),
            "{label}"
        );

        // Now: the correction.
        let now = lines(app, None).await;
        assert_eq!(now.len(), 1, "{label}");
        assert_eq!(now[0].amount_sek, -1_200_000, "{label}");
        let provenance = now[0].provenance.as_ref().expect("provenance");
        assert_eq!(provenance.r#import, correction.r#import, "{label}");
        assert_eq!(provenance.document, "april, rättad", "{label}");
        assert_eq!(provenance.table, "Intäkter och kostnader", "{label}");
        assert_eq!(
            summarized_cost(app, None).await,
            Some(-1_200_000),
            "{label}"
        );

        // The same value again changes nothing.
        let again = import_ok(app, vec![header("again", "", false), actual(-1_200_000)]).await;
        assert_eq!(counts(&again.counts, "budget_line"), (0, 0, 1), "{label}");
        assert_eq!(lines(app, None).await[0].amount_sek, -1_200_000, "{label}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_record_in_the_middle_of_a_long_stream_writes_nothing() {
    for_each_backend(false, async |app| {
        let label = app.label;
        import_ok(app, setup()).await;

        // Month 13 at position 2 500 of 5 000: rejected while parsing.
        let status = import(
            app,
            long_stream(|bad| {
                bad.from_month = 13;
                bad.to_month = 13;
            }),
        )
        .await
        .expect_err("a bad month rejects the import");
        assert_error(
            &status,
            Code::InvalidArgument,
            Some("records[2500].from_month"),
        );
        assert_error(
            &status,
            Code::InvalidArgument,
            Some("records[2500].to_month"),
        );
        assert_eq!(reason(&status), "INVALID_RECORDS", "{label}");
        let fields = violation_fields(&status);
        assert!(
            fields.iter().all(|f| f.starts_with("records[2500].")),
            "{label}: only the bad record is named: {fields:?}"
        );
        assert!(
            lines(app, None).await.is_empty(),
            "{label}: nothing written"
        );
        assert_eq!(log(app).await.len(), 1, "{label}: only the setup is logged");

        // An unknown category at the same position: rejected against the database, after
        // the batch before it was written inside the transaction.
        let status = import(app, long_stream(|bad| bad.category = "OKAND".into()))
            .await
            .expect_err("an unknown category rejects the import");
        assert_error(
            &status,
            Code::InvalidArgument,
            Some("records[2500].category"),
        );
        assert_eq!(violation_fields(&status).len(), 1, "{label}");
        assert!(
            lines(app, None).await.is_empty(),
            "{label}: nothing written"
        );
        assert_eq!(log(app).await.len(), 1, "{label}: only the setup is logged");

        // The same request id after a rejection: it was never applied, so it applies now.
        let applied = import_ok(app, long_stream(|_| {})).await;
        assert!(!applied.replayed, "{label}");
        assert_eq!(
            counts(&applied.counts, "budget_line"),
            (5000, 0, 0),
            "{label}"
        );
        assert_eq!(lines(app, None).await.len(), 5000, "{label}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_request_id_applies_once_even_after_a_restart() {
    for database in TestDatabase::all().await {
        let app = TestApp::start(database).await;
        let label = app.label;
        import_ok(&app, setup()).await;
        let records = |amount: i64| {
            vec![
                header("retried", "req-7f3a", false),
                actual(amount),
                record(line(2025, 1, 4, pb::Scenario::Budget, amount - 1)),
            ]
        };
        let first = import_ok(&app, records(-500)).await;
        assert!(!first.replayed, "{label}");
        assert_eq!(first.request_id, "req-7f3a", "{label}");
        assert_eq!(counts(&first.counts, "budget_line"), (2, 0, 0), "{label}");

        let check_replay = |again: pb::ImportResponse| {
            assert!(again.replayed, "{label}: replayed");
            assert_eq!(again.r#import, first.r#import, "{label}");
            assert_eq!(again.recorded_at, first.recorded_at, "{label}");
            assert_eq!(again.counts, first.counts, "{label}");
            assert_eq!(again.request_id, first.request_id, "{label}");
        };
        // The same request again, and even with other values: the first result, nothing
        // written.
        check_replay(import_ok(&app, records(-500)).await);
        check_replay(import_ok(&app, records(-900)).await);
        let amounts = |lines: Vec<pb::BudgetLine>| {
            let mut amounts: Vec<i64> = lines.iter().map(|l| l.amount_sek).collect();
            amounts.sort();
            amounts
        };
        assert_eq!(amounts(lines(&app, None).await), [-501, -500], "{label}");
        assert_eq!(log(&app).await.len(), 2, "{label}");

        // A new server on the same database remembers.
        let app = app.restart().await;
        check_replay(import_ok(&app, records(-900)).await);
        assert_eq!(amounts(lines(&app, None).await), [-501, -500], "{label}");
        assert_eq!(log(&app).await.len(), 2, "{label}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_counts_and_writes_nothing() {
    for_each_backend(false, async |app| {
        let label = app.label;
        import_ok(app, setup()).await;
        import_ok(app, vec![header("april", "", false), actual(-100)]).await;

        let dry = import_ok(
            app,
            vec![
                header("dry", "dry-1", true),
                actual(-200),
                record(line(2025, 1, 4, pb::Scenario::Budget, -300)),
                record(line(2025, 1, 4, pb::Scenario::Forecast, 300)),
            ],
        )
        .await;
        assert!(dry.dry_run, "{label}");
        assert!(!dry.replayed, "{label}");
        assert_eq!(dry.r#import, "", "{label}: a dry run is not logged");
        assert_eq!(counts(&dry.counts, "budget_line"), (2, 1, 0), "{label}");
        assert_eq!(
            dry.warning_count, 1,
            "{label}: a positive cost is a warning"
        );
        assert_eq!(dry.warnings[0].position, 2, "{label}");
        assert_eq!(dry.warnings[0].field, "amount_sek", "{label}");

        let stored = lines(app, None).await;
        assert_eq!(stored.len(), 1, "{label}: nothing written");
        assert_eq!(stored[0].amount_sek, -100, "{label}");
        assert_eq!(log(app).await.len(), 2, "{label}");

        // A dry run's request id was not used up: the real import applies.
        let real = import_ok(app, vec![header("real", "dry-1", false), actual(-200)]).await;
        assert!(!real.replayed && !real.dry_run, "{label}");
        assert_eq!(counts(&real.counts, "budget_line"), (0, 1, 0), "{label}");
    })
    .await;
}

/// How a test client goes away in the middle of its stream.
#[derive(Debug, Clone, Copy)]
enum Leave {
    /// The task making the call is aborted: the call is dropped.
    Abort,
    /// The call is cancelled through its cancellation handle.
    Cancel,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disconnects_mid_stream_leaves_nothing() {
    for_each_backend(false, async |app| {
        let label = app.label;
        import_ok(app, setup()).await;
        let mut expected_log = 1;
        for (round, leave) in [Leave::Abort, Leave::Cancel].into_iter().enumerate() {
            let request_id = format!("gone-{round}");
            let (tx, rx) = tokio::sync::mpsc::channel::<pb::ImportRequest>(1);
            let mut request = tonic::Request::new(ReceiverStream::new(rx));
            let cancel = request.cancellation_handle();
            let mut client = app.imports();
            let call = tokio::spawn(async move { client.import(request).await });
            tx.send(header("gone", &request_id, false))
                .await
                .expect("send");
            // More than a batch, so that the server has written rows inside its transaction.
            for i in 0..3000 {
                tx.send(nth_line(i)).await.expect("send");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(!call.is_finished(), "{label}: the import waits for more");
            match leave {
                Leave::Abort => {
                    call.abort();
                    let _ = call.await;
                }
                Leave::Cancel => {
                    cancel.cancel();
                    let status = call
                        .await
                        .expect("call task")
                        .expect_err("a cancelled call fails");
                    assert_eq!(status.code(), Code::Cancelled, "{label}: {status:?}");
                }
            }

            // Another import waits for the abandoned one's transaction to end; then nothing
            // of it may be visible.
            let probe = tokio::time::timeout(
                Duration::from_secs(30),
                import(
                    app,
                    vec![
                        header("probe", "", false),
                        record(line(2199, 1, 12, pb::Scenario::Plan, -1 - round as i64)),
                    ],
                ),
            )
            .await
            .expect("the abandoned import ends")
            .expect("probe import");
            expected_log += 1;
            assert_eq!(
                counts(&probe.counts, "budget_line").0 + counts(&probe.counts, "budget_line").1,
                1,
                "{label} {leave:?}"
            );
            let stored = lines(app, None).await;
            assert_eq!(stored.len(), 1, "{label} {leave:?}: only the probe's line");
            let logged = log(app).await;
            assert_eq!(
                logged.len(),
                expected_log,
                "{label} {leave:?}: setup and probes"
            );
            assert!(
                logged.iter().all(|i| !i.request_id.starts_with("gone-")),
                "{label} {leave:?}"
            );
            // Only now does the stream end normally, long after the call was abandoned.
            drop(tx);
        }

        // The id of an abandoned import was never applied: a retry applies.
        let mut retry = vec![header("gone", "gone-0", false)];
        retry.extend((0..3000).map(nth_line));
        let retried = import_ok(app, retry).await;
        assert!(!retried.replayed, "{label}");
        assert_eq!(
            counts(&retried.counts, "budget_line"),
            (3000, 0, 0),
            "{label}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_imports_shows_the_committed_imports_newest_first() {
    for_each_backend(false, async |app| {
        let label = app.label;
        let setup = import_ok(app, setup()).await;
        let april = import_ok(app, vec![header("april", "apr", false), actual(-100)]).await;
        // Neither a rejected import nor a dry run is logged.
        let _ = import(app, vec![header("bad", "", false), actual(-1), actual(-2)]).await;
        import_ok(app, vec![header("dry", "", true), actual(-5)]).await;
        let august = import_ok(
            app,
            vec![
                header("augusti", "aug", false),
                actual(-100),
                record(line(2025, 5, 8, pb::Scenario::Actual, 50)),
            ],
        )
        .await;

        let mut imports = app.imports();
        let first = imports
            .list_imports(pb::ListImportsRequest {
                page_size: 2,
                page_token: String::new(),
            })
            .await
            .expect("page 1")
            .into_inner();
        assert_eq!(first.imports.len(), 2, "{label}");
        assert!(!first.next_page_token.is_empty(), "{label}");
        let newest = &first.imports[0];
        assert_eq!(newest.name, august.r#import, "{label}");
        assert_eq!(newest.request_id, "aug", "{label}");
        assert_eq!(newest.recorded_at, august.recorded_at, "{label}");
        assert_eq!(
            newest.source,
            Some(pb::ImportSource {
                document: "augusti".into(),
                table: "Intäkter och kostnader".into(),
                system: "test".into(),
            }),
            "{label}"
        );
        assert_eq!(counts(&newest.counts, "budget_line"), (1, 0, 1), "{label}");
        assert_eq!(newest.warning_count, 1, "{label}");
        assert_eq!(first.imports[1].name, april.r#import, "{label}");

        let second = imports
            .list_imports(pb::ListImportsRequest {
                page_size: 2,
                page_token: first.next_page_token.clone(),
            })
            .await
            .expect("page 2")
            .into_inner();
        assert_eq!(second.imports.len(), 1, "{label}");
        assert_eq!(second.imports[0].name, setup.r#import, "{label}");
        assert_eq!(second.imports[0].request_id, "", "{label}");
        assert_eq!(counts(&second.imports[0].counts, "org_unit"), (2, 0, 0));
        assert!(second.next_page_token.is_empty(), "{label}");

        let status = imports
            .list_imports(pb::ListImportsRequest {
                page_size: -1,
                page_token: String::new(),
            })
            .await
            .expect_err("a negative page size");
        assert_error(&status, Code::InvalidArgument, Some("page_size"));
        let status = imports
            .list_imports(pb::ListImportsRequest {
                page_size: 2,
                page_token: "not-a-token".into(),
            })
            .await
            .expect_err("a foreign token");
        assert_error(&status, Code::InvalidArgument, Some("page_token"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_header_is_invalid_argument_naming_the_field() {
    for_each_backend(false, async |app| {
        let label = app.label;
        import_ok(app, setup()).await;
        let cases: Vec<(&str, Vec<pb::ImportRequest>)> = vec![
            ("header", vec![]),
            ("header", vec![actual(-1)]),
            ("header", vec![pb::ImportRequest { content: None }]),
            (
                "header",
                vec![
                    header("twice", "", false),
                    actual(-1),
                    header("twice", "", false),
                ],
            ),
            (
                "header.source.document",
                vec![header("", "", false), actual(-1)],
            ),
            (
                "header.source.document",
                vec![header(&"x".repeat(256), "", false), actual(-1)],
            ),
            (
                "header.request_id",
                vec![header("long id", &"r".repeat(129), false), actual(-1)],
            ),
        ];
        for (field, messages) in cases {
            let status = import(app, messages)
                .await
                .expect_err("an invalid header is rejected");
            assert_error(&status, Code::InvalidArgument, Some(field));
            assert_eq!(
                reason(&status),
                "INVALID_IMPORT_REQUEST",
                "{label}: {field}"
            );
        }
        assert!(
            lines(app, None).await.is_empty(),
            "{label}: nothing written"
        );
        assert_eq!(log(app).await.len(), 1, "{label}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_fields_are_invalid_argument_naming_record_and_field() {
    for_each_backend(false, async |app| {
        let label = app.label;
        import_ok(app, setup()).await;
        let hours = |value: &str| {
            record(Kind::WorkedHours(pb::WorkedHoursRecord {
                org_unit: UNIT.into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                profession: "LAKARE".into(),
                hours: value.into(),
            }))
        };
        let messages = vec![
            header("fields", "", false),
            hours("412870.5"),
            hours("12,5"),
            record(line(2025, 1, 4, pb::Scenario::Unspecified, -1)),
            record(line(2025, 5, 8, pb::Scenario::Plan, -1)),
            record(Kind::BudgetLine(pb::BudgetLineRecord {
                scenario: 99,
                ..match line(2025, 9, 12, pb::Scenario::Actual, -1) {
                    Kind::BudgetLine(l) => l,
                    _ => unreachable!(),
                }
            })),
            record(Kind::BudgetLine(pb::BudgetLineRecord {
                org_unit: String::new(),
                ..match line(2024, 1, 4, pb::Scenario::Actual, -1) {
                    Kind::BudgetLine(l) => l,
                    _ => unreachable!(),
                }
            })),
            pb::ImportRequest {
                content: Some(Content::Record(pb::ImportRecord::default())),
            },
            record(Kind::SickLeave(pb::SickLeaveRecord {
                org_unit: UNIT.into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                gender: pb::SickLeaveGender::All as i32,
                age_band: pb::SickLeaveAgeBand::All as i32,
                length: pb::SickLeaveLength::All as i32,
                rate_percent: "6.1.2".into(),
            })),
        ];
        let status = import(app, messages)
            .await
            .expect_err("invalid records are rejected");
        for field in [
            "records[1].hours",
            "records[2].scenario",
            "records[4].scenario",
            "records[5].org_unit",
            "records[6].kind",
            "records[7].rate_percent",
        ] {
            assert_error(&status, Code::InvalidArgument, Some(field));
        }
        let fields = violation_fields(&status);
        assert!(
            fields
                .iter()
                .all(|f| !f.starts_with("records[0].") && !f.starts_with("records[3].")),
            "{label}: valid records are not named: {fields:?}"
        );
        assert_eq!(log(app).await.len(), 1, "{label}: nothing written");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_record_kind_goes_through_the_rpc() {
    for_each_backend(false, async |app| {
        let label = app.label;
        let mut messages = setup();
        messages.extend([
            record(Kind::Investment(pb::InvestmentRecord {
                id: "hsn-2025-ct".into(),
                org_unit: UNIT.into(),
                name: "Datortomograf".into(),
                kind: pb::InvestmentKind::Reinvestment as i32,
                funding: pb::FundingCategory::Frame as i32,
                decision: "RS/440/2023".into(),
                decided_year: Some(2024),
                status: pb::InvestmentStatus::Ongoing as i32,
                total_budget_sek: Some(12_500_000),
                planned_completion: "Q2 2026".into(),
                procurement_contacted: Some(true),
                comment: String::new(),
            })),
            record(Kind::InvestmentFigure(pb::InvestmentFigureRecord {
                investment: "hsn-2025-ct".into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                budget_sek: Some(10_000_000),
                outcome_sek: Some(2_500_000),
                ..Default::default()
            })),
            record(Kind::Headcount(pb::HeadcountRecord {
                org_unit: UNIT.into(),
                date: "2025-04-30".into(),
                employee_group: "monthly_salaried".into(),
                total: 100,
                women: Some(70),
                men: Some(30),
                unknown: None,
            })),
            record(Kind::WorkedHours(pb::WorkedHoursRecord {
                org_unit: UNIT.into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                profession: "LAKARE".into(),
                hours: "6600.5".into(),
            })),
            record(Kind::HiredStaff(pb::HiredStaffRecord {
                org_unit: UNIT.into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                profession: "LAKARE".into(),
                cost_sek: Some(3_000_000),
                forecast_sek: None,
                hours_requested: "1200".into(),
                hours_filled: "900.25".into(),
                personnel_cost_sek: None,
            })),
            record(Kind::SickLeave(pb::SickLeaveRecord {
                org_unit: UNIT.into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                gender: pb::SickLeaveGender::Women as i32,
                age_band: pb::SickLeaveAgeBand::From50 as i32,
                length: pb::SickLeaveLength::Long as i32,
                rate_percent: "6.12".into(),
            })),
            record(Kind::Position(pb::PositionRecord {
                org_unit: UNIT.into(),
                date: "2025-04-30".into(),
                profession: "LAKARE".into(),
                fte_budget: "40".into(),
                fte_needed: "42.5".into(),
                fte_available_now: "38".into(),
                ..Default::default()
            })),
            pb::ImportRequest {
                content: Some(Content::Record(pb::ImportRecord {
                    kind: Some(line(2025, 1, 4, pb::Scenario::Budget, -7_000)),
                    document: "hsn-budget-2025".into(),
                    table: "Budget".into(),
                })),
            },
        ]);
        let response = import_ok(app, messages).await;
        for kind in [
            "org_unit",
            "category",
            "profession_group",
            "budget_line",
            "investment",
            "investment_figure",
            "headcount",
            "worked_hours",
            "hired_staff",
            "sick_leave",
            "position",
        ] {
            let expected = if matches!(kind, "org_unit" | "category") {
                2
            } else {
                1
            };
            assert_eq!(
                counts(&response.counts, kind),
                (expected, 0, 0),
                "{label}: {kind}"
            );
        }
        assert_eq!(
            response.warning_count, 0,
            "{label}: {:?}",
            response.warnings
        );

        let investment = app
            .investments()
            .get_investment(pb::GetInvestmentRequest {
                name: "investments/hsn-2025-ct".into(),
                as_of: None,
            })
            .await
            .expect("get investment")
            .into_inner();
        assert_eq!(investment.org_unit, "orgUnits/HSN", "{label}");
        assert_eq!(investment.kind, pb::InvestmentKind::Reinvestment as i32);
        assert_eq!(investment.total_budget_sek, Some(12_500_000), "{label}");
        assert_eq!(investment.procurement_contacted, Some(true), "{label}");
        assert_eq!(investment.decided_year, Some(2024), "{label}");
        assert_eq!(investment.figures.len(), 1, "{label}");
        assert_eq!(investment.figures[0].outcome_sek, Some(2_500_000));
        assert_eq!(investment.figures[0].forecast_sek, None, "{label}");

        let sick = app
            .staffing()
            .list_sick_leave(pb::ListSickLeaveRequest::default())
            .await
            .expect("sick leave")
            .into_inner()
            .sick_leave;
        assert_eq!(sick.len(), 1, "{label}");
        assert_eq!(sick[0].age_band, pb::SickLeaveAgeBand::From50 as i32);
        assert_eq!(sick[0].length, pb::SickLeaveLength::Long as i32);
        assert_eq!(sick[0].rate_percent, "6.12", "{label}");

        let stored = lines(app, None).await;
        let provenance = stored[0].provenance.as_ref().expect("provenance");
        assert_eq!(provenance.document, "hsn-budget-2025", "{label}");
        assert_eq!(provenance.table, "Budget", "{label}");
    })
    .await;
}

/// An import that warns on more records than the outcome keeps (every cost positive: a
/// reversal, stored as reported) commits on every backend: its stored result with 1 000
/// warnings once outgrew MySQL's TEXT column.
#[tokio::test]
async fn an_import_with_thousands_of_warnings_commits_and_logs_them() {
    for_each_backend(false, async |app| {
        import_ok(app, setup()).await;
        let mut messages = vec![header("warnings", "", false)];
        messages.extend((0..1500).map(|i| {
            let mut m = nth_line(i);
            if let Some(Content::Record(pb::ImportRecord {
                kind: Some(Kind::BudgetLine(line)),
                ..
            })) = &mut m.content
            {
                line.amount_sek = -line.amount_sek;
            }
            m
        }));
        let done = import_ok(app, messages).await;
        assert_eq!(done.warning_count, 1500, "{}", app.label);
        assert_eq!(done.warnings.len(), 1000, "{}", app.label);
        let logged = log(app).await;
        assert_eq!(logged[0].name, done.r#import, "{}", app.label);
        assert_eq!(logged[0].warning_count, 1500, "{}", app.label);
    })
    .await;
}
