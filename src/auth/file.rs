//! The auth file (`--auth-file`, TOML): static API tokens by the SHA-256 of their secret,
//! an optional `[jwt]` section for the region's identity provider, and rate limits.

use super::principal::Role;
use super::rate::RateSpec;
use crate::domain::access::OrgScope;
use crate::domain::codes::OrgUnitCode;
use anyhow::{Context, bail};
use jsonwebtoken::Algorithm;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFile {
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
    pub jwt: Option<JwtSection>,
    #[serde(default)]
    pub limits: LimitsSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    /// Who: named in logs and the import log.
    pub name: String,
    /// Hex SHA-256 of the token; the secret itself is never stored.
    pub sha256: String,
    pub roles: Vec<String>,
    /// The subtrees this token may see and write (`orgUnits/RS` or `RS`); absent: all.
    pub org_units: Option<Vec<String>>,
    pub requests_per_minute: Option<u32>,
    pub burst: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtSection {
    /// The `iss` every token must carry.
    pub issuer: String,
    /// The `aud` every token must carry (one of them).
    pub audience: String,
    /// A JWKS document on disk …
    pub jwks_file: Option<PathBuf>,
    /// … or at a URL (http or https), fetched at start, refreshed every `jwks_refresh_seconds`
    /// and when a token names an unknown key.
    pub jwks_url: Option<String>,
    #[serde(default = "default_refresh")]
    pub jwks_refresh_seconds: u64,
    /// The least time between two fetches caused by tokens naming an unknown key.
    #[serde(default = "default_min_refetch")]
    pub jwks_min_refetch_seconds: u64,
    /// Accepted signature algorithms; default RS256 and ES256. HMAC is refused: a JWKS holds
    /// public keys.
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<String>,
    /// The claim that names the caller; default `sub`.
    #[serde(default = "default_name_claim")]
    pub name_claim: String,
    /// The claim (a dotted path, e.g. `realm_access.roles`) with the roles: an array of
    /// strings or a space-separated string.
    #[serde(default = "default_roles_claim")]
    pub roles_claim: String,
    /// A prefix the identity provider puts before each role (e.g. `uppsikt.`); stripped.
    #[serde(default)]
    pub role_prefix: String,
    /// The claim with the org units; when set, a token without it is refused, so a
    /// misconfigured identity provider cannot hand out the whole region.
    pub org_units_claim: Option<String>,
    /// Clock skew allowed on `exp` and `nbf`.
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
    pub requests_per_minute: Option<u32>,
    pub burst: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    /// Every credential's rate limit unless its entry sets its own; absent: none.
    pub requests_per_minute: Option<u32>,
    pub burst: Option<u32>,
}

fn default_refresh() -> u64 {
    300
}
fn default_min_refetch() -> u64 {
    30
}
fn default_algorithms() -> Vec<String> {
    vec!["RS256".to_owned(), "ES256".to_owned()]
}
fn default_name_claim() -> String {
    "sub".to_owned()
}
fn default_roles_claim() -> String {
    "roles".to_owned()
}
fn default_leeway() -> u64 {
    30
}

impl AuthFile {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the auth file {}", path.display()))?;
        let file = Self::parse(&text)
            .with_context(|| format!("the auth file {} is invalid", path.display()))?;
        // JWKS paths are relative to the auth file.
        let mut file = file;
        if let Some(jwt) = &mut file.jwt
            && let Some(jwks) = &jwt.jwks_file
            && jwks.is_relative()
            && let Some(dir) = path.parent()
        {
            jwt.jwks_file = Some(dir.join(jwks));
        }
        Ok(file)
    }

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let file: Self = toml::from_str(text)?;
        file.validate()?;
        Ok(file)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let mut names = HashSet::new();
        let mut hashes = HashSet::new();
        for (i, token) in self.tokens.iter().enumerate() {
            let at = format!("tokens[{i}]");
            if token.name.trim().is_empty() {
                bail!("{at}.name is required");
            }
            if !names.insert(token.name.as_str()) {
                bail!("{at}.name {:?} is used twice", token.name);
            }
            decode_sha256(&token.sha256).with_context(|| format!("{at}.sha256"))?;
            if !hashes.insert(token.sha256.to_ascii_lowercase()) {
                bail!("{at}.sha256 is the same as another token's");
            }
            parse_roles(&token.roles).with_context(|| format!("{at}.roles"))?;
            if let Some(units) = &token.org_units {
                parse_scope(units).with_context(|| format!("{at}.org_units"))?;
            }
        }
        if let Some(jwt) = &self.jwt {
            if jwt.jwks_file.is_some() == jwt.jwks_url.is_some() {
                bail!("[jwt] needs exactly one of jwks_file and jwks_url");
            }
            if jwt.issuer.is_empty() || jwt.audience.is_empty() {
                bail!("[jwt] needs issuer and audience");
            }
            if jwt.algorithms.is_empty() {
                bail!("[jwt] algorithms is empty");
            }
            for alg in &jwt.algorithms {
                parse_algorithm(alg).with_context(|| "[jwt] algorithms")?;
            }
        }
        if self.tokens.is_empty() && self.jwt.is_none() {
            bail!("defines no [[tokens]] and no [jwt]: nobody could call the service");
        }
        Ok(())
    }

    pub(crate) fn default_rate(&self) -> Option<RateSpec> {
        self.limits
            .requests_per_minute
            .and_then(|rpm| RateSpec::new(rpm, self.limits.burst))
    }
}

pub(crate) fn decode_sha256(hex: &str) -> anyhow::Result<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("must be 64 hex digits (the SHA-256 of the token)");
    }
    let mut out = [0_u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)?;
    }
    Ok(out)
}

pub(crate) fn parse_roles(values: &[String]) -> anyhow::Result<Vec<Role>> {
    let mut roles = Vec::new();
    for value in values {
        match Role::parse(value) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => bail!("{value:?} is not a role (read, import, admin)"),
        }
    }
    Ok(roles)
}

/// `orgUnits/RS` or `RS`.
pub(crate) fn parse_unit(value: &str) -> Result<OrgUnitCode, String> {
    let code = value.strip_prefix("orgUnits/").unwrap_or(value);
    OrgUnitCode::parse(code, "org_units").map_err(|v| v.description)
}

pub(crate) fn parse_scope(values: &[String]) -> anyhow::Result<OrgScope> {
    let codes = values
        .iter()
        .map(|v| parse_unit(v).map_err(|e| anyhow::anyhow!("{v:?}: {e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(OrgScope::new(codes))
}

/// A JWS algorithm the `[jwt]` section may name: public-key ones only.
pub fn parse_algorithm(value: &str) -> anyhow::Result<Algorithm> {
    let alg: Algorithm = value
        .parse()
        .map_err(|_| anyhow::anyhow!("{value:?} is not a JWS algorithm"))?;
    if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        anyhow::bail!("{value}: shared-secret algorithms are not accepted");
    }
    Ok(alg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn a_valid_file_parses() {
        let file = AuthFile::parse(&format!(
            r#"
            [limits]
            requests_per_minute = 600

            [[tokens]]
            name = "bi-reader"
            sha256 = "{HASH}"
            roles = ["read"]
            org_units = ["orgUnits/RS"]
            "#
        ))
        .unwrap();
        assert_eq!(file.tokens[0].name, "bi-reader");
        assert_eq!(file.default_rate().unwrap().per_minute, 600);
    }

    #[test]
    fn mistakes_are_refused() {
        for bad in [
            "[[tokens]]\nname = \"a\"\nsha256 = \"abc\"\nroles = [\"read\"]".to_owned(),
            format!("[[tokens]]\nname = \"a\"\nsha256 = \"{HASH}\"\nroles = [\"reader\"]"),
            format!(
                "[[tokens]]\nname = \"a\"\nsha256 = \"{HASH}\"\nroles = [\"read\"]\norg_units = [\"bad unit!\"]"
            ),
            format!("[[tokens]]\nname = \"a\"\nsha256 = \"{HASH}\"\nroles = []\nsecret = \"x\""),
            "[jwt]\nissuer = \"i\"\naudience = \"a\"".to_owned(),
            String::new(),
        ] {
            assert!(AuthFile::parse(&bad).is_err(), "{bad}");
        }
    }
}
