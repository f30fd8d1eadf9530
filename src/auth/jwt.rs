//! OIDC/JWT bearer tokens from the region's identity provider, verified with `jsonwebtoken`
//! against the provider's JWKS: signature, `iss`, `aud`, `exp` (and `nbf`), with the roles
//! and org units taken from configured claims.

use super::file::{JwtSection, parse_algorithm, parse_scope};
use super::jwks::{Jwks, JwksSource};
use super::principal::{Principal, Role};
use super::rate::RateSpec;
use anyhow::Context;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::Value;
use std::time::Duration;

/// Why a JWT was refused; the message is safe to send.
#[derive(Debug, PartialEq, Eq)]
pub enum JwtRejection {
    Expired,
    Invalid(&'static str),
    /// Authenticated, but the token grants nothing usable (no scope claim).
    NoScope,
}

pub struct JwtVerifier {
    issuer: String,
    audience: String,
    algorithms: Vec<Algorithm>,
    name_claim: String,
    roles_claim: String,
    role_prefix: String,
    org_units_claim: Option<String>,
    leeway: u64,
    rate: Option<RateSpec>,
    jwks: Jwks,
}

impl JwtVerifier {
    pub async fn new(section: &JwtSection, default_rate: Option<RateSpec>) -> anyhow::Result<Self> {
        let source = match (&section.jwks_file, &section.jwks_url) {
            (Some(path), _) => JwksSource::File(path.clone()),
            (None, Some(url)) => {
                JwksSource::Url(url.parse().with_context(|| format!("jwks_url {url:?}"))?)
            }
            (None, None) => anyhow::bail!("[jwt] needs jwks_file or jwks_url"),
        };
        let jwks = Jwks::load(
            source,
            Duration::from_secs(section.jwks_refresh_seconds),
            Duration::from_secs(section.jwks_min_refetch_seconds),
        )
        .await?;
        Ok(Self {
            issuer: section.issuer.clone(),
            audience: section.audience.clone(),
            algorithms: section
                .algorithms
                .iter()
                .map(|a| parse_algorithm(a))
                .collect::<anyhow::Result<_>>()?,
            name_claim: section.name_claim.clone(),
            roles_claim: section.roles_claim.clone(),
            role_prefix: section.role_prefix.clone(),
            org_units_claim: section.org_units_claim.clone(),
            leeway: section.leeway_seconds,
            rate: match section.requests_per_minute {
                Some(rpm) => RateSpec::new(rpm, section.burst),
                None => default_rate,
            },
            jwks,
        })
    }

    pub async fn verify(&self, token: &str) -> Result<Principal, JwtRejection> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| JwtRejection::Invalid("is not a well-formed JWT"))?;
        if !self.algorithms.contains(&header.alg) {
            return Err(JwtRejection::Invalid(
                "is signed with an algorithm not accepted",
            ));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway;

        let keys = self.jwks.keys_for(header.kid.as_deref()).await;
        let candidates = keys.iter().filter(|k| match &header.kid {
            Some(kid) => k.jwk.common.key_id.as_deref() == Some(kid.as_str()),
            None => true,
        });
        let mut outcome = Err(JwtRejection::Invalid("is not signed by a known key"));
        for candidate in candidates {
            match jsonwebtoken::decode::<Value>(token, &candidate.key, &validation) {
                Ok(data) => {
                    outcome = Ok(data.claims);
                    break;
                }
                Err(error) => {
                    let rejection = match error.kind() {
                        ErrorKind::ExpiredSignature => JwtRejection::Expired,
                        ErrorKind::ImmatureSignature => JwtRejection::Invalid("is not valid yet"),
                        ErrorKind::InvalidIssuer => JwtRejection::Invalid("has another issuer"),
                        ErrorKind::InvalidAudience => {
                            JwtRejection::Invalid("is meant for another audience")
                        }
                        ErrorKind::MissingRequiredClaim(_) => {
                            JwtRejection::Invalid("lacks a required claim (exp, iss, aud)")
                        }
                        _ => continue,
                    };
                    // A verified signature with bad claims: no other key will do better.
                    outcome = Err(rejection);
                    break;
                }
            }
        }
        let claims = outcome?;
        self.principal(&claims)
    }

    fn principal(&self, claims: &Value) -> Result<Principal, JwtRejection> {
        let name = claim(claims, &self.name_claim)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(JwtRejection::Invalid("names no caller"))?;
        let roles = strings(claim(claims, &self.roles_claim))
            .iter()
            .filter_map(|r| Role::parse(r.strip_prefix(&self.role_prefix)?))
            .collect();
        let scope = match &self.org_units_claim {
            None => None,
            Some(path) => {
                let units = claim(claims, path).ok_or(JwtRejection::NoScope)?;
                Some(
                    parse_scope(&strings(Some(units)))
                        .map_err(|_| JwtRejection::Invalid("carries a malformed org unit"))?,
                )
            }
        };
        Ok(Principal {
            name: format!("jwt:{name}"),
            roles,
            scope,
            rate: self.rate,
        })
    }
}

/// A claim by dotted path (`realm_access.roles`).
fn claim<'a>(claims: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(claims, |value, key| value.get(key))
}

/// An array of strings, or a space-separated string (as OAuth's `scope`).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(text)) => text.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}
