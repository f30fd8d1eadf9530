//! AIP-158 paging: page sizes and opaque page tokens. A token pins the read instant of the
//! first page, so that every page reads the same snapshot and each row appears once, and it
//! carries a fingerprint of the filters it was issued for.

use crate::domain::access::Grant;
use crate::domain::instant::Instant;
use crate::domain::validation::Violation;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Serialize, de::DeserializeOwned};

pub const DEFAULT_PAGE_SIZE: u64 = 100;
pub const MAX_PAGE_SIZE: u64 = 1000;

/// Which page a List asks for: its size (validated) and the token of the page before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub size: u64,
    pub token: String,
}

impl PageRequest {
    pub fn parse(size: i32, token: &str) -> Result<Self, Violation> {
        Ok(Self {
            size: page_size(size)?,
            token: token.to_owned(),
        })
    }
}

/// 0 → the default, above the maximum → the maximum, negative → an error.
pub fn page_size(value: i32) -> Result<u64, Violation> {
    match value {
        v if v < 0 => Err(Violation::new("page_size", format!("{v} is negative"))),
        0 => Ok(DEFAULT_PAGE_SIZE),
        v => Ok((v as u64).min(MAX_PAGE_SIZE)),
    }
}

/// A stable fingerprint (FNV-1a) of the filter values a token is valid for; stable across
/// restarts, unlike std's hasher. The caller's org-unit scope is part of it, so a token
/// never carries over to a credential with another scope.
pub fn fingerprint(grant: &Grant, filters: &impl std::fmt::Debug) -> u64 {
    let text = match grant.scope() {
        None => format!("{filters:?}"),
        Some(scope) => format!("{filters:?}{:?}", scope.roots()),
    };
    crate::fingerprint::fnv1a(text.into_bytes())
}

#[derive(Serialize, serde::Deserialize)]
struct Token<K> {
    /// Filter fingerprint.
    f: u64,
    /// The pinned read instant, microseconds.
    t: i64,
    /// The sort key of the last row returned.
    k: K,
}

pub fn encode<K: Serialize>(filters: u64, as_of: Instant, after: &K) -> String {
    let token = Token {
        f: filters,
        t: as_of.micros(),
        k: after,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).expect("token serializes"))
}

/// Decodes a token issued for the same `filters`; returns the pinned instant and the key.
pub fn decode<K: DeserializeOwned>(token: &str, filters: u64) -> Result<(Instant, K), Violation> {
    let invalid = |why: &str| Violation::new("page_token", why.to_owned());
    let bytes = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| invalid("is not a page token issued by this service"))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|_| invalid("is not a page token issued by this service"))?;
    // No key the service issues holds a NUL, and PostgreSQL's text cannot hold one: a forged
    // one would fail in the database instead of here.
    if holds_nul(&value) {
        return Err(invalid("is not a page token issued by this service"));
    }
    let token: Token<K> = serde_json::from_value(value)
        .map_err(|_| invalid("is not a page token issued by this service"))?;
    if token.f != filters {
        return Err(invalid(
            "was issued for other filter values: repeat the first request's filters",
        ));
    }
    Ok((Instant(token.t), token.k))
}

fn holds_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The read instant and the key to continue after, from the request's `as_of` and token.
pub fn start<K: DeserializeOwned>(
    token: &str,
    filters: u64,
    as_of: Option<Instant>,
) -> Result<(Instant, Option<K>), Violation> {
    if token.is_empty() {
        Ok((as_of.unwrap_or_else(Instant::now), None))
    } else {
        let (at, key) = decode(token, filters)?;
        Ok((at, Some(key)))
    }
}

/// Takes one row more than the page to learn whether another page follows; returns the
/// page and the next token.
pub fn finish<T, K: Serialize>(
    mut rows: Vec<T>,
    size: u64,
    filters: u64,
    as_of: Instant,
    key: impl Fn(&T) -> K,
) -> (Vec<T>, String) {
    if rows.len() as u64 > size {
        rows.truncate(size as usize);
        let next = rows.last().map(|last| encode(filters, as_of, &key(last)));
        (rows, next.unwrap_or_default())
    } else {
        (rows, String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_follow_aip_158() {
        assert_eq!(page_size(0), Ok(DEFAULT_PAGE_SIZE));
        assert_eq!(page_size(5000), Ok(MAX_PAGE_SIZE));
        assert_eq!(page_size(-1).unwrap_err().field, "page_size");
    }

    #[test]
    fn a_token_is_bound_to_its_filters() {
        let grant = Grant::region();
        let filters = fingerprint(&grant, &("HSN", 2025));
        let token = encode(filters, Instant(42), &7_i64);
        assert_eq!(decode::<i64>(&token, filters), Ok((Instant(42), 7)));
        let other = fingerprint(&grant, &("HSN", 2024));
        assert_eq!(
            decode::<i64>(&token, other).unwrap_err().field,
            "page_token"
        );
        assert!(decode::<i64>("garbage!", filters).is_err());
        let nul = encode(filters, Instant(42), &("HSN\0", 7_i64));
        assert_eq!(
            decode::<(String, i64)>(&nul, filters).unwrap_err().field,
            "page_token"
        );
    }
}
