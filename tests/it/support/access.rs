//! Fixtures for the access tests: an auth file with static tokens and a JWT identity
//! provider (an EC P-256 key made in the test, its JWKS on disk), and one call of every RPC.

#![allow(dead_code)]

use crate::common::{TestApp, TestDatabase, bearer};
use crate::support::{cases, rpc};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use prost_reflect::MethodDescriptor;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use uppsikt::auth::{AuthFile, Authenticator, sha256_hex};
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::import_record::Kind;
use uppsikt::proto::v1::import_request::Content;
use uppsikt::server::ServeOptions;

pub const READER: &str = "reader-secret-1";
pub const IMPORTER: &str = "importer-secret-2";
pub const RS_TEAM: &str = "rs-team-secret-3";
pub const REGION: &str = "region-secret-4";
pub const ISSUER: &str = "https://idp.test/realms/region";
pub const AUDIENCE: &str = "uppsikt";

/// A signing key and its JWKS (one EC P-256 key with id `kid`).
pub struct Idp {
    kid: String,
    key: EncodingKey,
    pub jwks: Value,
}

impl Idp {
    pub fn new(kid: &str) -> Self {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        // Uncompressed point: 0x04, x (32 bytes), y (32 bytes).
        let raw = pair.public_key_raw();
        let jwks = json!({"keys": [{
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(&raw[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&raw[33..65]),
        }]});
        Self {
            kid: kid.to_owned(),
            key: EncodingKey::from_ec_der(&pair.serialize_der()),
            jwks,
        }
    }

    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key).expect("sign")
    }

    /// A token for `sub` valid `ttl_seconds` from now (negative: expired), with claims.
    pub fn token(&self, sub: &str, ttl_seconds: i64, extra: Value) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({
            "iss": ISSUER, "aud": AUDIENCE, "sub": sub,
            "iat": now, "exp": now + ttl_seconds,
        });
        if let (Some(claims), Some(extra)) = (claims.as_object_mut(), extra.as_object()) {
            claims.extend(extra.clone());
        }
        self.sign(&claims)
    }
}

/// An auth file in `dir` with the four static tokens and `[jwt]` trusting `idp` (its JWKS
/// written beside it), plus `extra` TOML appended.
pub fn write_auth_file(dir: &Path, idp: &Idp, extra: &str) -> PathBuf {
    std::fs::write(dir.join("jwks.json"), idp.jwks.to_string()).expect("jwks");
    let text = format!(
        r#"
[[tokens]]
name = "reader"
sha256 = "{reader}"
roles = ["read"]

[[tokens]]
name = "importer"
sha256 = "{importer}"
roles = ["import"]

[[tokens]]
name = "rs-team"
sha256 = "{rs}"
roles = ["read", "import"]
org_units = ["orgUnits/RS"]

[[tokens]]
name = "region"
sha256 = "{region}"
roles = ["read", "import"]

[jwt]
issuer = "{ISSUER}"
audience = "{AUDIENCE}"
jwks_file = "jwks.json"
roles_claim = "realm_access.roles"
org_units_claim = "org_units"
{extra}
"#,
        reader = sha256_hex(READER),
        importer = sha256_hex(IMPORTER),
        rs = sha256_hex(RS_TEAM),
        region = sha256_hex(REGION),
    );
    let path = dir.join("auth.toml");
    std::fs::write(&path, text).expect("auth file");
    path
}

pub async fn authenticator(path: &Path) -> Arc<Authenticator> {
    let file = AuthFile::load(path).expect("auth file parses");
    Arc::new(
        Authenticator::from_file(&file)
            .await
            .expect("authenticator"),
    )
}

/// What a test calls: an RPC of the API (from the descriptor set), or one of the open
/// services.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rpc {
    Api(MethodDescriptor),
    HealthCheck,
    Reflection,
}

impl Rpc {
    /// The API's RPC `Service/Method`; panics for one the descriptor set does not hold.
    pub fn api(key: &str) -> Self {
        rpc::api_methods()
            .into_iter()
            .find(|m| rpc::key(m) == key)
            .map(Rpc::Api)
            .unwrap_or_else(|| panic!("no RPC {key} in the descriptor set"))
    }

    pub fn is_import(&self) -> bool {
        matches!(self, Rpc::Api(m) if rpc::key(m) == "ImportService/Import")
    }

    pub fn is_open(&self) -> bool {
        matches!(self, Rpc::HealthCheck | Rpc::Reflection)
    }
}

/// Every RPC of the API, from the descriptor set, and the open services.
pub fn all() -> Vec<Rpc> {
    rpc::api_methods()
        .into_iter()
        .map(Rpc::Api)
        .chain([Rpc::HealthCheck, Rpc::Reflection])
        .collect()
}

/// An investment of RS-RST in the demo data.
pub const RS_INVESTMENT: &str = "investments/rs-2023-it-infrastruktur";
/// An investment of HSN-MED in the demo data.
pub const HSN_INVESTMENT: &str = "investments/hsn-2025-med-ongoing-frame";

fn request<T>(message: T, token: Option<&str>) -> tonic::Request<T> {
    match token {
        Some(token) => bearer(message, token),
        None => tonic::Request::new(message),
    }
}

pub fn import_header(request_id: &str, dry_run: bool) -> pb::ImportRequest {
    pb::ImportRequest {
        content: Some(Content::Header(pb::ImportHeader {
            source: Some(pb::ImportSource {
                document: "access-test".to_owned(),
                table: String::new(),
                system: "test".to_owned(),
            }),
            request_id: request_id.to_owned(),
            dry_run,
            file: None,
        })),
    }
}

pub fn budget_line(unit: &str, amount_sek: i64) -> pb::ImportRequest {
    record(Kind::BudgetLine(pb::BudgetLineRecord {
        org_unit: unit.to_owned(),
        category: "PATIENTAVGIFTER".to_owned(),
        fiscal_year: 2023,
        from_month: 1,
        to_month: 12,
        scenario: pb::Scenario::Forecast as i32,
        amount_sek,
    }))
}

pub fn record(kind: Kind) -> pb::ImportRequest {
    pb::ImportRequest {
        content: Some(Content::Record(pb::ImportRecord {
            kind: Some(kind),
            ..Default::default()
        })),
    }
}

/// Runs an import of `messages` as `token`.
pub async fn import(
    app: &TestApp,
    token: Option<&str>,
    messages: Vec<pb::ImportRequest>,
) -> Result<pb::ImportResponse, tonic::Status> {
    let stream = tokio_stream::iter(messages);
    app.imports()
        .import(request(stream, token))
        .await
        .map(tonic::Response::into_inner)
}

/// Calls `rpc` as `token` with its case's request about RS (`cases::case`; a dry-run
/// import for Import).
pub async fn call(app: &TestApp, rpc: &Rpc, token: Option<&str>) -> Result<(), tonic::Status> {
    match rpc {
        Rpc::Api(method) => {
            let case = cases::case(&rpc::key(method))
                .unwrap_or_else(|| panic!("no access case for {}", rpc::key(method)));
            rpc::call(&app.channel, method, token, &case.inside)
                .await
                .map(drop)
        }
        Rpc::HealthCheck => {
            let m = HealthCheckRequest {
                service: "uppsikt.v1.BudgetService".to_owned(),
            };
            HealthClient::new(app.channel.clone())
                .check(request(m, token))
                .await
                .map(drop)
        }
        Rpc::Reflection => {
            use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
            use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
            let m = tonic_reflection::pb::v1::ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::ListServices(String::new())),
            };
            let mut replies = ServerReflectionClient::new(app.channel.clone())
                .server_reflection_info(request(tokio_stream::iter([m]), token))
                .await?
                .into_inner();
            let reply = replies.message().await?;
            assert!(reply.is_some(), "reflection answers");
            Ok(())
        }
    }
}

pub fn code(result: &Result<(), tonic::Status>) -> Code {
    match result {
        Ok(()) => Code::Ok,
        Err(status) => status.code(),
    }
}

/// A server with the auth file of `write_auth_file` and the demo data.
pub struct Fixture {
    pub app: TestApp,
    pub idp: Idp,
    _dir: tempfile::TempDir,
}

pub async fn start(database: TestDatabase) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let idp = Idp::new("k1");
    let path = write_auth_file(dir.path(), &idp, "");
    let options = ServeOptions {
        auth: authenticator(&path).await,
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

/// A JWT for alice with read and import, scoped to RS.
pub fn rs_jwt(idp: &Idp) -> String {
    idp.token(
        "alice",
        600,
        json!({"realm_access": {"roles": ["read", "import"]}, "org_units": ["orgUnits/RS"]}),
    )
}
