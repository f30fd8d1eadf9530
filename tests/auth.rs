//! Access control through the real server: every RPC × every kind of credential gives the
//! right code; a credential scoped to RS learns nothing about units outside RS through any
//! RPC; the import log names who imported; serve refuses to run open on a non-loopback
//! address.

mod common;
mod support {
    pub mod access;
}

use common::{TestApp, TestDatabase, assert_error, bearer, for_each_backend};
use serde_json::json;
use support::access::{self as fx, ALL, Idp, Rpc, call, code};
use tonic::Code;
use tonic_types::StatusExt;
use uppsikt::proto::v1 as pb;
use uppsikt::server::ServeOptions;

struct Fixture {
    app: TestApp,
    idp: Idp,
    _dir: tempfile::TempDir,
}

async fn start(database: TestDatabase) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let idp = Idp::new("k1");
    let path = fx::write_auth_file(dir.path(), &idp, "");
    let options = ServeOptions {
        auth: fx::authenticator(&path).await,
        ..ServeOptions::default()
    };
    let app = TestApp::start_with(database, options).await;
    uppsikt::demo::load(&app.store).await.expect("demo data");
    Fixture {
        app,
        idp,
        _dir: dir,
    }
}

fn rs_jwt(idp: &Idp) -> String {
    idp.token(
        "alice",
        600,
        json!({"realm_access": {"roles": ["read", "import"]}, "org_units": ["orgUnits/RS"]}),
    )
}

#[tokio::test]
async fn every_rpc_answers_each_credential_with_the_right_code() {
    let fixture = start(TestDatabase::sqlite()).await;
    let app = &fixture.app;
    let expired = fixture.idp.token(
        "alice",
        -3600,
        json!({"realm_access": {"roles": ["read"]}, "org_units": ["orgUnits/RS"]}),
    );
    let forged = Idp::new("k1").token(
        "mallory",
        600,
        json!({"realm_access": {"roles": ["read", "import"]}, "org_units": ["orgUnits/RS"]}),
    );
    let rs_jwt = rs_jwt(&fixture.idp);

    let is_read = |rpc: Rpc| !matches!(rpc, Rpc::Import | Rpc::HealthCheck);
    let cases: Vec<(&str, Option<&str>, Expected)> = vec![
        (
            "no token",
            None,
            Box::new(|rpc| open_or(rpc, Code::Unauthenticated)),
        ),
        (
            "a wrong token",
            Some("not-a-token"),
            Box::new(|rpc| open_or(rpc, Code::Unauthenticated)),
        ),
        (
            "an expired JWT",
            Some(&expired),
            Box::new(|rpc| open_or(rpc, Code::Unauthenticated)),
        ),
        (
            "a wrongly signed JWT",
            Some(&forged),
            Box::new(|rpc| open_or(rpc, Code::Unauthenticated)),
        ),
        (
            "a read token",
            Some(fx::READER),
            Box::new(move |rpc| {
                if rpc == Rpc::Import {
                    Code::PermissionDenied
                } else {
                    Code::Ok
                }
            }),
        ),
        (
            "an import token",
            Some(fx::IMPORTER),
            Box::new(move |rpc| {
                if is_read(rpc) {
                    Code::PermissionDenied
                } else {
                    Code::Ok
                }
            }),
        ),
        (
            "a token scoped to RS",
            Some(fx::RS_TEAM),
            Box::new(|_| Code::Ok),
        ),
        ("a JWT scoped to RS", Some(&rs_jwt), Box::new(|_| Code::Ok)),
    ];
    let mut wrong = Vec::new();
    for (label, token, expected) in &cases {
        for rpc in ALL {
            let result = call(app, rpc, *token).await;
            let (got, want) = (code(&result), expected(rpc));
            if got != want {
                wrong.push(format!(
                    "{label} × {rpc:?}: {got:?}, expected {want:?} ({result:?})"
                ));
            }
            if let Err(status) = &result {
                assert_error(status, status.code(), None);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // The reasons tell the cases apart.
    let reason = |result: Result<(), tonic::Status>| {
        result
            .unwrap_err()
            .get_error_details()
            .error_info()
            .unwrap()
            .reason
            .clone()
    };
    assert_eq!(
        reason(call(app, Rpc::ListCategories, None).await),
        "MISSING_CREDENTIALS"
    );
    assert_eq!(
        reason(call(app, Rpc::ListCategories, Some(&expired)).await),
        "EXPIRED_CREDENTIALS"
    );
    assert_eq!(
        reason(call(app, Rpc::ListCategories, Some(&forged)).await),
        "INVALID_CREDENTIALS"
    );
    assert_eq!(
        reason(call(app, Rpc::Import, Some(fx::READER)).await),
        "MISSING_ROLE"
    );

    // A JWT for another audience, and one without the org-unit claim, are refused.
    let other_audience = fixture.idp.sign(&json!({
        "iss": fx::ISSUER, "aud": "someone-else", "sub": "alice",
        "exp": chrono::Utc::now().timestamp() + 600,
        "realm_access": {"roles": ["read"]}, "org_units": ["RS"],
    }));
    assert_eq!(
        code(&call(app, Rpc::ListCategories, Some(&other_audience)).await),
        Code::Unauthenticated
    );
    let unscoped = fixture
        .idp
        .token("alice", 600, json!({"realm_access": {"roles": ["read"]}}));
    assert_eq!(
        code(&call(app, Rpc::ListCategories, Some(&unscoped)).await),
        Code::PermissionDenied
    );
    // A scheme other than Bearer is not a credential.
    let mut basic = tonic::Request::new(pb::ListCategoriesRequest::default());
    basic.metadata_mut().insert(
        "authorization",
        "Basic cmVhZGVyOnNlY3JldA==".parse().unwrap(),
    );
    assert_eq!(
        app.budget()
            .list_categories(basic)
            .await
            .unwrap_err()
            .code(),
        Code::Unauthenticated
    );
}

/// The code each RPC should answer for one kind of credential.
type Expected = Box<dyn Fn(Rpc) -> Code>;

fn open_or(rpc: Rpc, code: Code) -> Code {
    if rpc == Rpc::HealthCheck {
        Code::Ok
    } else {
        code
    }
}

/// Every unit name in `names` lies in RS's subtree (RS, RS-*, and KST-1700, which moved
/// to RS-RST on 2025-01-01).
fn all_in_rs(names: impl IntoIterator<Item = String>) -> bool {
    names.into_iter().all(|n| {
        let code = n.strip_prefix("orgUnits/").unwrap_or(&n);
        code == "RS" || code.starts_with("RS-") || code == "KST-1700"
    })
}

#[tokio::test]
async fn a_token_scoped_to_rs_learns_nothing_outside_rs() {
    for database in TestDatabase::all().await {
        let fixture = start(database).await;
        scoped_reads(&fixture).await;
        scoped_imports(&fixture).await;
        fixture.app.stop().await;
    }
}

async fn scoped_reads(fixture: &Fixture) {
    let app = &fixture.app;
    let label = app.label;
    let denied = |result: Result<(), tonic::Status>, what: &str| {
        let status = result.expect_err(what);
        assert_eq!(
            status.code(),
            Code::PermissionDenied,
            "{label}: {what}: {status:?}"
        );
        assert_error(&status, Code::PermissionDenied, None);
    };
    let rs = fx::RS_TEAM;

    // GetOrgUnit: outside, above, and unknown are the same refusal.
    for name in ["orgUnits/HSN", "orgUnits/RJH", "orgUnits/NO-SUCH-UNIT"] {
        let m = pb::GetOrgUnitRequest {
            name: name.into(),
            ..Default::default()
        };
        let result = app
            .organization()
            .get_org_unit(bearer(m, rs))
            .await
            .map(drop);
        denied(result, name);
    }
    let m = pb::GetOrgUnitRequest {
        name: "orgUnits/RS-605".into(),
        ..Default::default()
    };
    app.organization()
        .get_org_unit(bearer(m, rs))
        .await
        .expect("a unit inside RS");

    // ListOrgUnits without a filter: RS's subtree only; the region reader sees more.
    let list = |token: &'static str| {
        let mut client = app.organization();
        async move {
            client
                .list_org_units(bearer(pb::ListOrgUnitsRequest::default(), token))
                .await
                .expect("list")
                .into_inner()
                .org_units
        }
    };
    let scoped = list(rs).await;
    let region = list(fx::READER).await;
    assert!(
        !scoped.is_empty() && scoped.len() < region.len(),
        "{label}: {} of {}",
        scoped.len(),
        region.len()
    );
    assert!(
        all_in_rs(scoped.iter().map(|u| u.name.clone())),
        "{label}: {scoped:?}"
    );
    let m = pb::ListOrgUnitsRequest {
        org_unit: "orgUnits/HSN".into(),
        ..Default::default()
    };
    denied(
        app.organization()
            .list_org_units(bearer(m, rs))
            .await
            .map(drop),
        "children of HSN",
    );

    // ListBudgetLines: no filter means RS's subtree; HSN is refused.
    let lines = app
        .budget()
        .list_budget_lines(bearer(
            pb::ListBudgetLinesRequest {
                page_size: 1000,
                ..Default::default()
            },
            rs,
        ))
        .await
        .expect("lines")
        .into_inner()
        .budget_lines;
    assert!(!lines.is_empty(), "{label}: RS has lines");
    assert!(
        all_in_rs(lines.iter().map(|l| l.org_unit.clone())),
        "{label}: only RS lines"
    );
    let m = pb::ListBudgetLinesRequest {
        org_unit: "orgUnits/HSN".into(),
        ..Default::default()
    };
    denied(
        app.budget()
            .list_budget_lines(bearer(m, rs))
            .await
            .map(drop),
        "HSN's lines",
    );

    // Summaries over a parent of RS (or a sibling) are refused.
    for unit in ["orgUnits/RJH", "orgUnits/HSN"] {
        let m = pb::SummarizeBudgetRequest {
            org_unit: unit.into(),
            fiscal_year: 2023,
            ..Default::default()
        };
        denied(
            app.budget().summarize_budget(bearer(m, rs)).await.map(drop),
            unit,
        );
        let m = pb::SummarizeInvestmentsRequest {
            org_unit: unit.into(),
            fiscal_year: 2024,
            ..Default::default()
        };
        denied(
            app.investments()
                .summarize_investments(bearer(m, rs))
                .await
                .map(drop),
            unit,
        );
    }

    // Investments: HSN's is refused as an unknown one is; the list holds RS's only.
    for name in [fx::HSN_INVESTMENT, "investments/no-such-investment"] {
        let m = pb::GetInvestmentRequest {
            name: name.into(),
            ..Default::default()
        };
        denied(
            app.investments()
                .get_investment(bearer(m, rs))
                .await
                .map(drop),
            name,
        );
    }
    let investments = app
        .investments()
        .list_investments(bearer(pb::ListInvestmentsRequest::default(), rs))
        .await
        .expect("investments")
        .into_inner()
        .investments;
    assert!(!investments.is_empty(), "{label}: RS has investments");
    assert!(all_in_rs(investments.iter().map(|i| i.org_unit.clone())));

    // Staffing lists without a filter: RS's subtree only.
    let headcounts = app
        .staffing()
        .list_headcounts(bearer(pb::ListHeadcountsRequest::default(), rs))
        .await
        .expect("headcounts")
        .into_inner()
        .headcounts;
    assert!(!headcounts.is_empty());
    assert!(all_in_rs(headcounts.iter().map(|h| h.org_unit.clone())));
    let sick = app
        .staffing()
        .list_sick_leave(bearer(pb::ListSickLeaveRequest::default(), rs))
        .await
        .expect("sick leave")
        .into_inner();
    assert!(all_in_rs(
        sick.sick_leave.iter().map(|s| s.org_unit.clone())
    ));

    // A page token issued to the region reader does not carry over to the scoped token.
    let first = app
        .budget()
        .list_budget_lines(bearer(
            pb::ListBudgetLinesRequest {
                page_size: 1,
                ..Default::default()
            },
            fx::READER,
        ))
        .await
        .expect("first page")
        .into_inner();
    assert!(!first.next_page_token.is_empty());
    let m = pb::ListBudgetLinesRequest {
        page_size: 1,
        page_token: first.next_page_token,
        ..Default::default()
    };
    let status = app
        .budget()
        .list_budget_lines(bearer(m, rs))
        .await
        .unwrap_err();
    assert_error(&status, Code::InvalidArgument, Some("page_token"));

    // The demo data came through the command line: a scoped reader sees none of its log.
    let log = app
        .imports()
        .list_imports(bearer(pb::ListImportsRequest::default(), rs))
        .await
        .expect("imports")
        .into_inner()
        .imports;
    assert!(log.is_empty(), "{label}: {log:?}");
}

async fn scoped_imports(fixture: &Fixture) {
    let app = &fixture.app;
    let label = app.label;
    let log = |token: &'static str| {
        let mut client = app.imports();
        async move {
            client
                .list_imports(bearer(pb::ListImportsRequest::default(), token))
                .await
                .expect("imports")
                .into_inner()
                .imports
        }
    };
    let before = log(fx::READER).await.len();

    // An import touching HSN is rejected whole, naming the record; nothing is written.
    let status = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![
            fx::import_header("rs-mixed", false),
            fx::budget_line("RS-605", -1000),
            fx::budget_line("HSN", -2000),
        ],
    )
    .await
    .unwrap_err();
    assert_error(&status, Code::PermissionDenied, None);
    assert!(
        status.message().contains("records[1]"),
        "{label}: {}",
        status.message()
    );
    // A category is region-wide; an investment figure of HSN's investment is outside.
    let category = fx::record(pb::import_record::Kind::Category(pb::CategoryRecord {
        code: "NY_KATEGORI".into(),
        name: "Ny".into(),
        direction: pb::Direction::Cost as i32,
        order: 999,
        ..Default::default()
    }));
    let status = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![fx::import_header("", true), category],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{label}: category");
    let figure = fx::record(pb::import_record::Kind::InvestmentFigure(
        pb::InvestmentFigureRecord {
            investment: "hsn-2025-med-ongoing-frame".into(),
            fiscal_year: 2025,
            from_month: 1,
            to_month: 12,
            budget_sek: Some(1),
            ..Default::default()
        },
    ));
    let status = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![fx::import_header("", true), figure],
    )
    .await
    .unwrap_err();
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "{label}: HSN's investment"
    );
    assert_eq!(
        log(fx::READER).await.len(),
        before,
        "{label}: nothing was logged"
    );

    // Inside RS it is applied and logged with who imported; a new unit under RS may be made.
    let unit = fx::record(pb::import_record::Kind::OrgUnit(pb::OrgUnitRecord {
        code: "RS-NEW".into(),
        name: "Ny avdelning".into(),
        kind: pb::OrgUnitKind::Department as i32,
        parent: "RS-RST".into(),
        valid_from: "2020-01-01".into(),
        ..Default::default()
    }));
    let done = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![
            fx::import_header("rs-ok", false),
            unit,
            fx::budget_line("RS-NEW", -1000),
        ],
    )
    .await
    .expect("an import inside RS");
    assert!(!done.r#import.is_empty());
    // The region's own import (unscoped) is not shown to the scoped reader.
    fx::import(
        app,
        Some(fx::REGION),
        vec![
            fx::import_header("region-1", false),
            fx::budget_line("HSN", -3000),
        ],
    )
    .await
    .expect("a region import");

    let region_view = log(fx::READER).await;
    assert_eq!(region_view.len(), before + 2, "{label}");
    assert_eq!(region_view[0].imported_by, "region");
    assert_eq!(region_view[1].imported_by, "rs-team");
    let rs_view = log(fx::RS_TEAM).await;
    assert_eq!(rs_view.len(), 1, "{label}: {rs_view:?}");
    assert_eq!(rs_view[0].name, done.r#import);
    assert_eq!(rs_view[0].imported_by, "rs-team");
    // A JWT scoped to RS sees the same; its own import names the JWT subject.
    let jwt = rs_jwt(&fixture.idp);
    fx::import(
        app,
        Some(&jwt),
        vec![
            fx::import_header("jwt-1", false),
            fx::budget_line("RS", -4000),
        ],
    )
    .await
    .expect("a JWT import inside RS");
    let mut client = app.imports();
    let jwt_view = client
        .list_imports(bearer(pb::ListImportsRequest::default(), &jwt))
        .await
        .expect("imports")
        .into_inner()
        .imports;
    assert_eq!(jwt_view.len(), 2, "{label}");
    assert_eq!(jwt_view[0].imported_by, "jwt:alice");

    // Replaying the region's request id does not reveal that import's result.
    let status = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![
            fx::import_header("region-1", false),
            fx::budget_line("RS", -1),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{label}: replay");
    // Its own replay is answered as before.
    let again = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![fx::import_header("rs-ok", false), fx::budget_line("RS", -1)],
    )
    .await
    .expect("own replay");
    assert!(again.replayed);
}

#[tokio::test]
async fn imports_over_the_api_name_their_credential_on_every_backend() {
    // The new import-log column on every backend, without an auth file: `anonymous`.
    for_each_backend(false, async |app| {
        let done = fx::import(
            app,
            None,
            vec![
                fx::import_header("", false),
                fx::record(pb::import_record::Kind::OrgUnit(pb::OrgUnitRecord {
                    code: "X".into(),
                    name: "X".into(),
                    kind: pb::OrgUnitKind::Region as i32,
                    valid_from: "2020-01-01".into(),
                    ..Default::default()
                })),
            ],
        )
        .await
        .expect("import");
        let log = app
            .imports()
            .list_imports(pb::ListImportsRequest::default())
            .await
            .expect("log")
            .into_inner()
            .imports;
        assert_eq!(log[0].name, done.r#import, "{}", app.label);
        assert_eq!(log[0].imported_by, "anonymous", "{}", app.label);
    })
    .await;
}

#[test]
fn serve_refuses_a_public_address_without_an_auth_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("s.db").display());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_uppsikt"))
        .args(["serve", "--listen", "0.0.0.0:0"])
        .env("UPPSIKT_DATABASE_URL", &database)
        .env_remove("UPPSIKT_AUTH_FILE")
        .env_remove("UPPSIKT_INSECURE_NO_AUTH")
        .output()
        .expect("run uppsikt");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refusing to listen on 0.0.0.0:0 without authentication"),
        "{stderr}"
    );
    assert!(!dir.path().join("s.db").exists(), "nothing was touched");
}

/// A JWKS server on 127.0.0.1 that answers every GET with the current `jwks` and counts
/// the requests.
async fn jwks_server(
    jwks: std::sync::Arc<std::sync::Mutex<String>>,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = vec![0_u8; 4096];
            let _ = socket.read(&mut buffer).await;
            hits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let body = jwks.lock().unwrap().clone();
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    address
}

#[tokio::test]
async fn jwks_from_a_url_is_fetched_and_refetched_when_the_key_rotates() {
    use std::sync::atomic::Ordering;
    let old = Idp::new("k1");
    let new = Idp::new("k2");
    let jwks = std::sync::Arc::new(std::sync::Mutex::new(old.jwks.to_string()));
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let address = jwks_server(jwks.clone(), hits.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.toml");
    std::fs::write(
        &path,
        format!(
            "[jwt]\nissuer = \"{}\"\naudience = \"{}\"\njwks_url = \"http://{address}/certs\"\n\
             jwks_min_refetch_seconds = 0\n",
            fx::ISSUER,
            fx::AUDIENCE
        ),
    )
    .unwrap();
    let options = ServeOptions {
        auth: fx::authenticator(&path).await,
        ..ServeOptions::default()
    };
    assert_eq!(hits.load(Ordering::SeqCst), 1, "fetched at start");
    let app = TestApp::start_with(TestDatabase::sqlite(), options).await;
    let roles = json!({"roles": ["read"]});
    let call_with = |token: String| {
        let mut client = app.budget();
        async move {
            client
                .list_categories(bearer(pb::ListCategoriesRequest::default(), &token))
                .await
                .map(drop)
        }
    };
    call_with(old.token("alice", 600, roles.clone()))
        .await
        .expect("the first key");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "a known key needs no fetch");
    // The provider rotates to k2: a token naming k2 makes the server fetch again.
    *jwks.lock().unwrap() = new.jwks.to_string();
    call_with(new.token("bob", 600, roles.clone()))
        .await
        .expect("the rotated key");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // k1 is gone from the provider's set, so its tokens no longer verify.
    let status = call_with(old.token("alice", 600, roles)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    app.stop().await;
}
