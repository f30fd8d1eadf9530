//! Who is calling: the grant of the credential the authentication layer verified
//! (`auth::AuthGuard` puts the principal in the request's extensions). A call without one
//! is refused rather than served as anyone: every service needs a grant.

use crate::auth::Principal;
use crate::domain::access::Grant;
use crate::status::ApiError;
use std::sync::Arc;
use tonic::{Request, Status};

pub fn grant<T>(request: &Request<T>) -> Result<Grant, Status> {
    principal(request).map(|principal| principal.grant())
}

/// The verified caller itself (its name goes into the import log).
pub fn principal<T>(request: &Request<T>) -> Result<Arc<Principal>, Status> {
    request
        .extensions()
        .get::<Arc<Principal>>()
        .cloned()
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "a call reached its handler without an authenticated principal"
            ))
            .into()
        })
}
