//! Calls fail fast while the database is known to be away (`store::availability`, reported
//! by the readiness check): an API call is answered UNAVAILABLE with a retry hint at once,
//! instead of waiting out the pool's 30 s for a connection, and a read still waiting when
//! an outage becomes known is answered so too. An import in flight runs on: its own error
//! names the record it had reached. Health and reflection never touch the database and
//! pass. A call answered UNAVAILABLE asks the readiness check to look now.

use crate::guard::{Guard, Inner, refusal};
use crate::status::ApiError;
use crate::store::Store;
use crate::store::availability::{Outage, RETRY_AFTER};
use futures::future::BoxFuture;

const API_PREFIX: &str = "/uppsikt.v1.";
const IMPORT_PATH: &str = "/uppsikt.v1.ImportService/Import";

/// The outage gate, a `guard::Guard` (`GuardLayer(OutageGate::new(store))`).
#[derive(Clone)]
pub struct OutageGate {
    store: Store,
}

impl OutageGate {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

/// The refusal of a call for `outage`.
fn refused(outage: &Outage) -> ApiError {
    ApiError::Unavailable {
        cause: outage.describe(),
        retry_after: Some(RETRY_AFTER),
        source: anyhow::anyhow!(
            "refused while the database is unreachable: {}",
            outage.cause
        ),
    }
}

/// A call the database failed (UNAVAILABLE, `grpc-status: 14` in a trailers-only answer)
/// makes the readiness check look at once: a lost database is then known within a fraction
/// of a second instead of at the next check.
fn report<B>(store: &Store, response: &http::Response<B>) {
    if response
        .headers()
        .get("grpc-status")
        .is_some_and(|status| status.as_bytes() == b"14")
    {
        store.availability().suspect();
    }
}

impl Guard for OutageGate {
    fn guard<S: Inner<Q, R>, Q: Send + 'static, R: Default + Send + 'static>(
        &self,
        request: http::Request<Q>,
        mut inner: S,
    ) -> BoxFuture<'static, Result<http::Response<R>, S::Error>> {
        let path = request.uri().path();
        if !path.starts_with(API_PREFIX) {
            return Box::pin(inner.call(request));
        }
        let mut outages = self.store.availability().watch();
        if let Some(outage) = outages.borrow_and_update().clone() {
            return Box::pin(async move { Ok(refusal(refused(&outage))) });
        }
        let import = path == IMPORT_PATH;
        let store = self.store.clone();
        let call = inner.call(request);
        if import {
            return Box::pin(async move { call.await.inspect(|r| report(&store, r)) });
        }
        Box::pin(async move {
            tokio::select! {
                response = call => response.inspect(|r| report(&store, r)),
                Ok(outage) = outages.wait_for(Option::is_some) => {
                    let outage = outage.clone().expect("waited for an outage");
                    Ok(refusal(refused(&outage)))
                }
            }
        })
    }
}
