//! The `sources` of a Summarize response: where its figures come from (src/store/sources.rs
//! finds them from the rows the summary reads).

use super::error::ApiError;
use super::import::import_name;
use crate::domain::codes::OrgUnitCode;
use crate::domain::instant::Instant;
use crate::proto::v1 as pb;
use crate::store::Store;
use crate::store::sources::{self, Covered};

/// The distinct sources of the rows `covered` names, of `units`, as the data stood at `as_of`.
pub async fn of(
    store: &Store,
    covered: &[Covered],
    units: &[OrgUnitCode],
    as_of: Instant,
) -> Result<Vec<pb::SummarySource>, ApiError> {
    let found = sources::sources(store.reader(), covered, units, as_of).await?;
    Ok(found
        .into_iter()
        .map(|s| pb::SummarySource {
            kind: s.kind,
            document: s.document,
            table: s.table.unwrap_or_default(),
            import: import_name(s.import_id),
        })
        .collect())
}
