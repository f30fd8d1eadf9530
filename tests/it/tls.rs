//! TLS end to end with certificates made in the test (rcgen): a CA, a server certificate for
//! localhost, and a client certificate; with `--tls-client-ca` a client without a
//! certificate is refused at the handshake.

use crate::common;

use common::{TestApp, TestDatabase};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use std::path::Path;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::budget_service_client::BudgetServiceClient;
use uppsikt::server::ServeOptions;

struct Pki {
    ca_pem: String,
    server_cert: String,
    server_key: String,
    client_cert: String,
    client_key: String,
}

fn make_pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Uppsikt test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let mut client_params = CertificateParams::new(vec!["bi-reader".to_owned()]).unwrap();
    client_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let client = client_params.signed_by(&client_key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server_cert: server.pem(),
        server_key: server_key.serialize_pem(),
        client_cert: client.pem(),
        client_key: client_key.serialize_pem(),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn start(pki: &Pki, dir: &Path, client_ca: bool) -> TestApp {
    let cert = write(dir, "server.pem", &pki.server_cert);
    let key = write(dir, "server.key", &pki.server_key);
    let ca = write(dir, "ca.pem", &pki.ca_pem);
    let tls = uppsikt::tls::server_config(&cert, &key, client_ca.then_some(ca.as_path()))
        .expect("TLS config");
    let options = ServeOptions {
        tls: Some(tls),
        ..ServeOptions::default()
    };
    TestApp::start_with(TestDatabase::sqlite(), options).await
}

async fn tls_client(
    app: &TestApp,
    pki: &Pki,
    with_client_cert: bool,
) -> Result<BudgetServiceClient<Channel>, tonic::transport::Error> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&pki.ca_pem))
        .domain_name("localhost");
    if with_client_cert {
        tls = tls.identity(Identity::from_pem(&pki.client_cert, &pki.client_key));
    }
    let channel = Channel::from_shared(format!("https://localhost:{}", app.address.port()))
        .unwrap()
        .tls_config(tls)?
        .connect()
        .await?;
    Ok(BudgetServiceClient::new(channel))
}

#[tokio::test]
async fn tls_serves_grpc_and_plaintext_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pki = make_pki();
    let app = start(&pki, dir.path(), false).await;
    let categories = tls_client(&app, &pki, false)
        .await
        .expect("TLS connect")
        .list_categories(pb::ListCategoriesRequest::default())
        .await
        .expect("a call over TLS");
    assert!(categories.into_inner().categories.is_empty());
    // The same port without TLS does not serve.
    let plain = app
        .budget()
        .list_categories(pb::ListCategoriesRequest::default())
        .await;
    assert!(plain.is_err(), "{plain:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_client_ca_requires_a_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let pki = make_pki();
    let app = start(&pki, dir.path(), true).await;
    tls_client(&app, &pki, true)
        .await
        .expect("TLS connect with a client certificate")
        .list_categories(pb::ListCategoriesRequest::default())
        .await
        .expect("a call with a client certificate");
    // Without one, the handshake (TLS 1.3: the first call) fails.
    let refused = match tls_client(&app, &pki, false).await {
        Err(_) => true,
        Ok(mut client) => client
            .list_categories(pb::ListCategoriesRequest::default())
            .await
            .is_err(),
    };
    assert!(refused, "a client without a certificate is refused");
    // A certificate from another CA is refused too.
    let other = make_pki();
    let foreign = Pki {
        client_cert: other.client_cert,
        client_key: other.client_key,
        ..pki
    };
    let refused = match tls_client(&app, &foreign, true).await {
        Err(_) => true,
        Ok(mut client) => client
            .list_categories(pb::ListCategoriesRequest::default())
            .await
            .is_err(),
    };
    assert!(refused, "a certificate from another CA is refused");
    app.stop().await;
}
