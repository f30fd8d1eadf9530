//! ChangeService: the change feed (`crate::changes`) after an opaque cursor, filtered by
//! kind and org-unit subtree, with the records in the Import RPC's messages.

use super::caller::grant;
use super::import_records::record_to_proto;
use super::request::{self, Checks};
use crate::changes::FeedChange;
use crate::domain::validation::Violation;
use crate::import::record::key_fields;
use crate::proto::v1 as pb;
use crate::proto::v1::change_service_server::ChangeService;
use crate::service::ServiceError;
use crate::service::changes::{self as service, ChangeQuery};
use crate::service::paging;
use crate::service::read::UnitFilter;
use crate::status::ApiError;
use crate::store::changes::Action;
use crate::store::{Store, StoreError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tonic::{Request, Response, Status};

/// What a cursor's text starts with: a version, so the format can change compatibly.
const CURSOR_PREFIX: &str = "c1:";

pub struct ChangeApi {
    store: Store,
}

impl ChangeApi {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

/// The opaque cursor of a feed position: not bound to filters or to a server, valid for ever.
pub fn encode_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{id}"))
}

/// The position a cursor names; empty is the beginning of the feed.
pub fn decode_cursor(cursor: &str, field: &str) -> Result<i64, Violation> {
    if cursor.is_empty() {
        return Ok(0);
    }
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(CURSOR_PREFIX)?.parse::<i64>().ok())
        .filter(|id| *id >= 0)
        .ok_or_else(|| Violation::new(field, "is not a cursor issued by this service"))
}

fn action(action: Action) -> pb::ChangeAction {
    match action {
        Action::Inserted => pb::ChangeAction::Inserted,
        Action::Superseded => pb::ChangeAction::Superseded,
        Action::Retracted => pb::ChangeAction::Retracted,
    }
}

fn to_proto(change: &FeedChange) -> Result<pb::Change, StoreError> {
    Ok(pb::Change {
        cursor: encode_cursor(change.id),
        kind: change.kind.clone(),
        action: action(change.action) as i32,
        key: change.key.clone(),
        record: Some(record_to_proto(&change.record, change.record.source())?),
        provenance: Some(super::convert::provenance(&change.provenance)),
    })
}

impl TryFrom<pb::ListChangesRequest> for ChangeQuery {
    type Error = ServiceError;

    fn try_from(r: pb::ListChangesRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let after = checks.take(decode_cursor(&r.after, "after"));
        let size = checks.take(paging::page_size(r.page_size));
        let unit = checks.take(request::optional_org_unit(&r.org_unit, "org_unit"));
        for kind in &r.kinds {
            if key_fields(kind).is_none() {
                checks.take::<()>(Err(Violation::new(
                    "kinds",
                    format!("{kind:?} is not a record kind"),
                )));
            }
        }
        let query = ChangeQuery {
            after,
            size,
            units: UnitFilter {
                unit,
                include_descendants: r.include_descendants,
            },
            kinds: (!r.kinds.is_empty()).then_some(r.kinds),
        };
        checks.done(Some(query))
    }
}

#[tonic::async_trait]
impl ChangeService for ChangeApi {
    async fn list_changes(
        &self,
        request: Request<pb::ListChangesRequest>,
    ) -> Result<Response<pb::ListChangesResponse>, Status> {
        let grant = grant(&request)?;
        let query = ChangeQuery::try_from(request.into_inner())?;
        let changes = service::list(&self.store, &grant, &query).await?;
        let next_cursor = encode_cursor(changes.last().map_or(query.after, |c| c.id));
        let changes = changes
            .iter()
            .map(to_proto)
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiError::from)?;
        Ok(Response::new(pb::ListChangesResponse {
            changes,
            next_cursor,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor("", "after"), Ok(0));
        assert_eq!(decode_cursor(&encode_cursor(42), "after"), Ok(42));
        assert_eq!(decode_cursor("nope!", "after").unwrap_err().field, "after");
        let other = URL_SAFE_NO_PAD.encode("x:1");
        assert!(decode_cursor(&other, "after").is_err());
    }
}
