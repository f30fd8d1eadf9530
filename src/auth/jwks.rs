//! The identity provider's public keys (a JWKS) from a file or a URL. A URL is fetched at
//! start, again every refresh interval, and when a token names a key not yet known (key
//! rotation) — but at most once per `min_refetch` (default 30 s), so tokens with invented
//! key ids cannot make the server hammer the provider.

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_JWKS_BYTES: usize = 1024 * 1024;

pub enum JwksSource {
    File(PathBuf),
    Url(http::Uri),
}

/// One usable key: the JWK (for its algorithm and id) and the key built from it.
pub struct Key {
    pub jwk: Jwk,
    pub key: DecodingKey,
}

pub struct Jwks {
    source: JwksSource,
    refresh: Duration,
    min_refetch: Duration,
    keys: RwLock<Arc<Vec<Key>>>,
    /// When the keys were last fetched; held while fetching, so one fetch runs at a time.
    fetched: Mutex<Option<Instant>>,
}

impl Jwks {
    /// Loads the keys once; a URL that cannot be fetched now is an error at start, so a
    /// typo shows at once rather than as refused tokens.
    pub async fn load(
        source: JwksSource,
        refresh: Duration,
        min_refetch: Duration,
    ) -> anyhow::Result<Self> {
        let keys = fetch(&source).await?;
        Ok(Self {
            source,
            refresh,
            min_refetch,
            keys: RwLock::new(Arc::new(keys)),
            fetched: Mutex::new(Some(Instant::now())),
        })
    }

    /// The keys a token with `kid` may be verified with.
    pub async fn keys_for(&self, kid: Option<&str>) -> Arc<Vec<Key>> {
        let keys = self.keys.read().await.clone();
        let known = kid.is_none_or(|kid| {
            keys.iter()
                .any(|k| k.jwk.common.key_id.as_deref() == Some(kid))
        });
        if let JwksSource::Url(_) = self.source {
            let mut fetched = self.fetched.lock().await;
            let age = fetched.map_or(Duration::MAX, |at| at.elapsed());
            if age >= self.refresh || (!known && age >= self.min_refetch) {
                *fetched = Some(Instant::now());
                match fetch(&self.source).await {
                    Ok(new) => {
                        tracing::info!(keys = new.len(), "JWKS refreshed");
                        let new = Arc::new(new);
                        *self.keys.write().await = Arc::clone(&new);
                        return new;
                    }
                    Err(error) => {
                        tracing::warn!(error = %format!("{error:#}"), "JWKS refresh failed; keeping the known keys");
                    }
                }
            }
        }
        keys
    }
}

async fn fetch(source: &JwksSource) -> anyhow::Result<Vec<Key>> {
    let text = match source {
        JwksSource::File(path) => tokio::fs::read(path)
            .await
            .with_context(|| format!("cannot read the JWKS file {}", path.display()))?,
        JwksSource::Url(uri) => tokio::time::timeout(FETCH_TIMEOUT, get(uri))
            .await
            .map_err(|_| anyhow::anyhow!("timed out"))
            .and_then(|r| r)
            .with_context(|| format!("cannot fetch the JWKS from {uri}"))?,
    };
    parse(&text)
}

/// The usable keys of a JWKS document; keys of unsupported types are skipped, not fatal.
pub fn parse(bytes: &[u8]) -> anyhow::Result<Vec<Key>> {
    let set: JwkSet = serde_json::from_slice(bytes).context("not a JWKS document")?;
    let keys: Vec<Key> = set
        .keys
        .into_iter()
        .filter_map(|jwk| match DecodingKey::from_jwk(&jwk) {
            Ok(key) => Some(Key { jwk, key }),
            Err(error) => {
                tracing::warn!(kid = ?jwk.common.key_id, %error, "JWKS key skipped");
                None
            }
        })
        .collect();
    if keys.is_empty() {
        bail!("the JWKS holds no usable key");
    }
    Ok(keys)
}

/// A plain HTTP/1.1 GET over TCP, or TLS with the web PKI roots for https.
async fn get(uri: &http::Uri) -> anyhow::Result<Vec<u8>> {
    let host = uri.host().context("the URL has no host")?.to_owned();
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => bail!("the URL must be http or https"),
    };
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
    let request = http::Request::get(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header(
            http::header::HOST,
            uri.authority().map_or(host.as_str(), |a| a.as_str()),
        )
        .header(http::header::ACCEPT, "application/json")
        .body(Empty::<Bytes>::new())?;
    let response = if https {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls_pki_types::ServerName::try_from(host.clone())?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await?;
        send(TokioIo::new(tls), request).await?
    } else {
        send(TokioIo::new(tcp), request).await?
    };
    Ok(response)
}

async fn send<T>(io: T, request: http::Request<Empty<Bytes>>) -> anyhow::Result<Vec<u8>>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let response = sender.send_request(request).await?;
    if !response.status().is_success() {
        bail!("HTTP status {}", response.status());
    }
    let body = Limited::new(response.into_body(), MAX_JWKS_BYTES)
        .collect()
        .await
        .map_err(|e| anyhow::anyhow!("reading the body: {e}"))?;
    Ok(body.to_bytes().to_vec())
}
