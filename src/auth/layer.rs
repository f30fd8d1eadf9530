//! The tower layer that authenticates and authorizes every call (health and reflection
//! stay open), applies the credential's rate limit, names the credential in the request's
//! log span and log line, and runs the call as that principal. Refusals are gRPC
//! trailers-only responses built through the API's one error mapping (`ApiError`).

use super::file::AuthFile;
use super::jwt::{JwtRejection, JwtVerifier};
use super::policy::{Requirement, requirement};
use super::principal::Principal;
use super::rate::RateLimiter;
use super::tokens::StaticTokens;
use crate::guard::{Guard, Inner, refusal};
use crate::status::ApiError;
use futures::future::BoxFuture;
use std::sync::Arc;

/// How calls are authenticated.
pub struct Authenticator {
    mode: Mode,
    limiter: RateLimiter,
}

enum Mode {
    /// No auth file: every caller is `anonymous` with every role (loopback, or an explicit
    /// `--insecure-no-auth`).
    Open(Arc<Principal>),
    Verify {
        tokens: StaticTokens,
        jwt: Option<Box<JwtVerifier>>,
    },
}

impl Authenticator {
    pub fn open() -> Self {
        Self {
            mode: Mode::Open(Arc::new(Principal::anonymous())),
            limiter: RateLimiter::default(),
        }
    }

    /// From a parsed auth file; loads the JWKS when `[jwt]` is set.
    pub async fn from_file(file: &AuthFile) -> anyhow::Result<Self> {
        let jwt = match &file.jwt {
            Some(section) => Some(Box::new(
                JwtVerifier::new(section, file.default_rate()).await?,
            )),
            None => None,
        };
        Ok(Self {
            mode: Mode::Verify {
                tokens: StaticTokens::from_file(file)?,
                jwt,
            },
            limiter: RateLimiter::default(),
        })
    }

    pub fn requires_credentials(&self) -> bool {
        matches!(self.mode, Mode::Verify { .. })
    }

    /// The caller of a request with these headers, or why not.
    pub async fn authenticate(
        &self,
        headers: &http::HeaderMap,
    ) -> Result<Arc<Principal>, ApiError> {
        let (tokens, jwt) = match &self.mode {
            Mode::Open(anonymous) => return Ok(Arc::clone(anonymous)),
            Mode::Verify { tokens, jwt } => (tokens, jwt),
        };
        let unauthenticated = |reason, message: &str| ApiError::Unauthenticated {
            reason,
            message: message.to_owned(),
        };
        let all = headers.get_all(http::header::AUTHORIZATION);
        if all.iter().count() > 1 {
            // Two credentials: which one a proxy or the client meant is not ours to guess.
            return Err(unauthenticated(
                "AMBIGUOUS_CREDENTIALS",
                "the call carries more than one authorization header",
            ));
        }
        let Some(value) = all.iter().next() else {
            return Err(unauthenticated(
                "MISSING_CREDENTIALS",
                "this call needs an authorization: Bearer <token> header",
            ));
        };
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, rest) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                unauthenticated(
                    "INVALID_CREDENTIALS",
                    "the authorization header is not of the form Bearer <token>",
                )
            })?;
        if let Some(principal) = tokens.find(secret) {
            return Ok(principal);
        }
        let looks_like_jwt = secret.bytes().filter(|b| *b == b'.').count() == 2;
        match jwt {
            // Boxed: inline, its JWKS refresh made every call's future 5 kB, JWT or not.
            Some(verifier) if looks_like_jwt => match Box::pin(verifier.verify(secret)).await {
                Ok(principal) => Ok(Arc::new(principal)),
                Err(JwtRejection::Expired) => Err(unauthenticated(
                    "EXPIRED_CREDENTIALS",
                    "the bearer token has expired",
                )),
                Err(JwtRejection::Invalid(why)) => Err(unauthenticated(
                    "INVALID_CREDENTIALS",
                    &format!("the bearer token {why}"),
                )),
                Err(JwtRejection::NoScope) => Err(ApiError::PermissionDenied {
                    reason: "NO_SCOPE",
                    message: "the token carries no org-unit claim".to_owned(),
                }),
            },
            _ => Err(unauthenticated(
                "INVALID_CREDENTIALS",
                "the bearer token is not known",
            )),
        }
    }

    /// Authenticates, checks the role `path` needs and the rate limit. A refusal names the
    /// credential when it was authenticated.
    pub async fn authorize(
        &self,
        path: &str,
        headers: &http::HeaderMap,
    ) -> Result<Option<Arc<Principal>>, (Option<String>, ApiError)> {
        let Requirement::Role(role) = requirement(path) else {
            return Ok(None);
        };
        let principal = self.authenticate(headers).await.map_err(|e| (None, e))?;
        let refuse = |error| Err((Some(principal.name.clone()), error));
        if !principal.has(role) {
            return refuse(ApiError::PermissionDenied {
                reason: "MISSING_ROLE",
                message: format!(
                    "credential {} lacks the role {} that {path} needs",
                    principal.name,
                    role.as_str()
                ),
            });
        }
        if let Some(spec) = principal.rate
            && let Err(wait) = self.limiter.check(&principal.name, spec)
        {
            return refuse(ApiError::ResourceExhausted {
                reason: "RATE_LIMITED",
                message: format!(
                    "credential {} is over its rate of {} calls a minute; retry in {} ms",
                    principal.name,
                    spec.per_minute,
                    wait.as_millis()
                ),
                retry_after: Some(wait),
            });
        }
        Ok(Some(principal))
    }
}

/// Authentication as a `guard::Guard`: place once around the gRPC routes (and whatever else
/// dispatches into them).
#[derive(Clone)]
pub struct AuthGuard {
    auth: Arc<Authenticator>,
}

impl AuthGuard {
    pub fn new(auth: Arc<Authenticator>) -> Self {
        Self { auth }
    }
}

impl Guard for AuthGuard {
    fn guard<S: Inner<Q, R>, Q: Send + 'static, R: Default + Send + 'static>(
        &self,
        mut request: http::Request<Q>,
        mut inner: S,
    ) -> BoxFuture<'static, Result<http::Response<R>, S::Error>> {
        let auth = Arc::clone(&self.auth);
        Box::pin(async move {
            let path = request.uri().path().to_owned();
            let principal = match auth.authorize(&path, request.headers()).await {
                Ok(principal) => principal,
                Err((credential, error)) => {
                    let credential = credential.as_deref().unwrap_or("(none valid)");
                    tracing::info!(%path, credential, %error, "call refused");
                    return Ok(refusal(error));
                }
            };
            let Some(principal) = principal else {
                return inner.call(request).await;
            };
            // The call's span carries who called; its `call finished` line is the audit line.
            tracing::Span::current().record("credential", principal.name.as_str());
            request.extensions_mut().insert(Arc::clone(&principal));
            super::run_as(principal, inner.call(request)).await
        })
    }
}
