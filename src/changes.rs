//! The change feed: the change log's entries (`store::changes`) with the records they
//! concern, read from the kinds' own tables by row id (the log stores no copy of a record).
//! Every kind of the registry (`import/kinds.rs`) is read the same way; org units by their
//! own code, as on the write path.

use crate::domain::instant::Instant;
use crate::domain::provenance::{Provenance, Source};
use crate::import::apply::ORG_UNIT_KIND;
use crate::import::apply::fact::StoredFact;
use crate::import::record::{Record, key_fields};
use crate::import::text::{format_record, quote, tokenize};
use crate::store::changes::{Action, ChangeFilter, page};
use crate::store::entities::change;
use crate::store::{Store, StoreError, org};
use std::collections::HashMap;

/// One change with its record.
#[derive(Debug, Clone)]
pub struct FeedChange {
    /// The feed position.
    pub id: i64,
    pub kind: String,
    pub action: Action,
    /// The key as `field=value` pairs of the text format.
    pub key: String,
    /// The value written, or the one withdrawn; its source is the fact's own.
    pub record: Record,
    /// Where the change came from, the import that committed it and its transaction time.
    pub provenance: Provenance,
}

/// Up to `limit` changes after `after_id` that match `filter`, in commit order.
pub async fn changes_after(
    store: &Store,
    after_id: i64,
    filter: &ChangeFilter,
    limit: u64,
) -> Result<Vec<FeedChange>, StoreError> {
    let entries = page(store.reader(), after_id, filter, limit).await?;
    let mut ids: HashMap<&str, Vec<i64>> = HashMap::new();
    for entry in &entries {
        ids.entry(entry.kind.as_str())
            .or_default()
            .push(entry.row_id);
    }
    let mut records: HashMap<(&str, i64), Record> = HashMap::new();
    for (kind, row_ids) in ids {
        for (row_id, record) in records_by_id(store, kind, &row_ids).await? {
            records.insert((kind, row_id), record);
        }
    }
    entries
        .iter()
        .map(|entry| {
            let record = records
                .get(&(entry.kind.as_str(), entry.row_id))
                .cloned()
                .ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "change {}: {} row {} is missing",
                        entry.id, entry.kind, entry.row_id
                    ))
                })?;
            feed_change(entry, record)
        })
        .collect()
}

fn feed_change(entry: &change::Model, record: Record) -> Result<FeedChange, StoreError> {
    Ok(FeedChange {
        id: entry.id,
        kind: entry.kind.clone(),
        action: Action::parse(&entry.action)?,
        key: key_text(&record),
        record,
        provenance: Provenance {
            document: entry.source_document.clone(),
            table: entry.source_table.clone(),
            import_id: entry.import_id,
            recorded_at: Instant(entry.recorded_at),
            superseded_at: None,
        },
    })
}

/// A record's key as the text format writes its key fields: `field=value …` in the kind's
/// key order, the same text a retraction of it names.
pub fn key_text(record: &Record) -> String {
    let names = key_fields(record.kind()).unwrap_or_default();
    let pairs = tokenize(&format_record(record))
        .map(|(_, pairs)| pairs)
        .unwrap_or_default();
    names
        .iter()
        .filter_map(|name| pairs.iter().find(|(k, _)| k == name))
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rows of `kind` with the given ids as records carrying their own source.
async fn records_by_id(
    store: &Store,
    kind: &str,
    ids: &[i64],
) -> Result<Vec<(i64, Record)>, StoreError> {
    if kind == ORG_UNIT_KIND {
        return Ok(org::rows_by_id(store.reader(), ids)
            .await?
            .into_iter()
            .map(|p| (p.id, Record::OrgUnit(p.unit, source(&p.provenance))))
            .collect());
    }
    fact_records_by_id(store, kind, ids).await
}

async fn rows_of<T>(store: &Store, ids: &[i64]) -> Result<Vec<(i64, Record)>, StoreError>
where
    T: StoredFact,
    Record: From<(T, Source)>,
{
    Ok(T::rows_by_id(store.reader(), ids)
        .await?
        .into_iter()
        .map(|(id, value, provenance)| (id, Record::from((value, source(&provenance)))))
        .collect())
}

/// Defines `fact_records_by_id` from the kind registry (`import/kinds.rs`).
macro_rules! define_records_by_id {
    ($($variant:ident($ty:ty)),+ $(,)?) => {
        async fn fact_records_by_id(
            store: &Store,
            kind: &str,
            ids: &[i64],
        ) -> Result<Vec<(i64, Record)>, StoreError> {
            $(
                if kind == <$ty as StoredFact>::KIND {
                    return rows_of::<$ty>(store, ids).await;
                }
            )+
            Err(StoreError::Corrupt(format!("the change log names an unknown kind {kind:?}")))
        }
    };
}

crate::with_fact_kinds!(define_records_by_id);

fn source(provenance: &Provenance) -> Source {
    Source {
        document: provenance.document.clone(),
        table: provenance.table.clone(),
    }
}
