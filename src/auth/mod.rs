//! Who may call what: bearer credentials (static API tokens, OIDC/JWT), roles per RPC, the
//! org-unit scope of a credential, and a per-credential rate limit.
//!
//! `AuthGuard` is an ordinary tower layer (`guard::GuardLayer`) over `http::Request`: it authenticates every call
//! except health and reflection, checks the role the RPC needs, and runs the rest of the call
//! with the caller's `Principal` in a task-local (`current()`), so that the one funnel every
//! read goes through (`api::scope`) and the import path can restrict what a scoped
//! credential sees and writes without each handler passing it along.

pub mod file;
mod jwks;
mod jwt;
pub mod layer;
pub mod policy;
mod principal;
mod rate;
mod tokens;

pub use crate::domain::access::OrgScope;
pub use file::AuthFile;
pub use layer::{AuthGuard, Authenticator};
pub use principal::{Principal, Role};
pub use tokens::sha256_hex;

use std::future::Future;
use std::sync::Arc;

tokio::task_local! {
    static CURRENT: Arc<Principal>;
}

/// The principal of the call being served, when it runs under `AuthGuard` (`None` for the
/// command line, which acts with the operator's full rights).
pub fn current() -> Option<Arc<Principal>> {
    CURRENT.try_with(Arc::clone).ok()
}

/// Runs `future` as `principal` (tasks it spawns must carry the principal themselves).
pub async fn run_as<F: Future>(principal: Arc<Principal>, future: F) -> F::Output {
    CURRENT.scope(principal, future).await
}
