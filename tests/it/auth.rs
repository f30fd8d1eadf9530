//! Access control through the real server: every RPC × every kind of credential gives the
//! right code; JWKS from a URL with key rotation; the import log names who imported; serve
//! refuses to run open on a non-loopback address. (The org-unit scope: tests/scope.rs.)

use crate::common;
use crate::support;

use common::{TestApp, TestDatabase, assert_error, bearer, for_each_backend};
use serde_json::json;
use support::access::{self as fx, Idp, Rpc, call, code, rs_jwt, start};
use tonic::Code;
use tonic_types::StatusExt;
use uppsikt::proto::v1 as pb;
use uppsikt::server::ServeOptions;

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

    let is_read = |rpc: &Rpc| !rpc.is_import() && !rpc.is_open();
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
                if rpc.is_import() {
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
        for rpc in &fx::all() {
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
    let categories = Rpc::api("BudgetService/ListCategories");
    let import = Rpc::api("ImportService/Import");
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
        reason(call(app, &categories, None).await),
        "MISSING_CREDENTIALS"
    );
    assert_eq!(
        reason(call(app, &categories, Some(&expired)).await),
        "EXPIRED_CREDENTIALS"
    );
    assert_eq!(
        reason(call(app, &categories, Some(&forged)).await),
        "INVALID_CREDENTIALS"
    );
    assert_eq!(
        reason(call(app, &import, Some(fx::READER)).await),
        "MISSING_ROLE"
    );

    // A JWT for another audience, and one without the org-unit claim, are refused.
    let other_audience = fixture.idp.sign(&json!({
        "iss": fx::ISSUER, "aud": "someone-else", "sub": "alice",
        "exp": chrono::Utc::now().timestamp() + 600,
        "realm_access": {"roles": ["read"]}, "org_units": ["RS"],
    }));
    assert_eq!(
        code(&call(app, &categories, Some(&other_audience)).await),
        Code::Unauthenticated
    );
    let unscoped = fixture
        .idp
        .token("alice", 600, json!({"realm_access": {"roles": ["read"]}}));
    assert_eq!(
        code(&call(app, &categories, Some(&unscoped)).await),
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
type Expected = Box<dyn Fn(&Rpc) -> Code>;

fn open_or(rpc: &Rpc, code: Code) -> Code {
    if rpc.is_open() { Code::Ok } else { code }
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
