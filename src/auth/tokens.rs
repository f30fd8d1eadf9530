//! Static API tokens: the presented secret is hashed with SHA-256 and compared, in constant
//! time, with every stored hash, so neither the secret nor timing tells which entry matched.

use super::file::{AuthFile, decode_sha256, parse_roles, parse_scope};
use super::principal::Principal;
use super::rate::RateSpec;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

pub struct StaticTokens {
    entries: Vec<([u8; 32], Arc<Principal>)>,
}

impl StaticTokens {
    pub fn from_file(file: &AuthFile) -> anyhow::Result<Self> {
        let default_rate = file.default_rate();
        let entries = file
            .tokens
            .iter()
            .map(|t| {
                let rate = match t.requests_per_minute {
                    Some(rpm) => RateSpec::new(rpm, t.burst),
                    None => default_rate,
                };
                let principal = Principal {
                    name: t.name.clone(),
                    roles: parse_roles(&t.roles)?,
                    scope: t.org_units.as_deref().map(parse_scope).transpose()?,
                    rate,
                };
                Ok((decode_sha256(&t.sha256)?, Arc::new(principal)))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { entries })
    }

    pub fn find(&self, secret: &str) -> Option<Arc<Principal>> {
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let mut found = None;
        for (hash, principal) in &self.entries {
            if bool::from(hash.ct_eq(&digest)) {
                found = Some(Arc::clone(principal));
            }
        }
        found
    }
}

/// Hex SHA-256 of a token, as the auth file stores it.
pub fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_found_by_its_hash_only() {
        let file = AuthFile::parse(&format!(
            "[[tokens]]\nname = \"reader\"\nsha256 = \"{}\"\nroles = [\"read\"]",
            sha256_hex("s3cret")
        ))
        .unwrap();
        let tokens = StaticTokens::from_file(&file).unwrap();
        assert_eq!(tokens.find("s3cret").unwrap().name, "reader");
        assert!(tokens.find("s3cret ").is_none());
        assert!(tokens.find("").is_none());
    }
}
