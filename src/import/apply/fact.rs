//! What every stored kind shares on the write path: a key (a record with the key of a
//! current row is a correction or unchanged), an optional month span that must not overlap
//! the other spans of its series, references to check, and how to load and write rows.

use super::{Change, Current, ImportContext, classify};
use crate::domain::instant::Instant;
use crate::domain::period::MonthSpan;
use crate::domain::provenance::{Provenance, Source};
use crate::domain::validation::Violation;
use crate::import::record::Place;
use crate::store::StoreError;
use crate::store::history::WriteMeta;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;

/// A kind of record the importer writes.
pub trait StoredFact: Clone + PartialEq + Send + Sync + Sized {
    /// The kind's name in counts and the text format.
    const KIND: &'static str;
    /// Identity: a record with the key of a current row replaces it.
    type Key: Eq + Hash + Clone + Send;
    /// The group within which spans must not overlap (the key without its span).
    type Series: Eq + Hash + Clone + Send;

    fn key(&self) -> Self::Key;
    fn series(&self) -> Self::Series;
    /// The span, for kinds whose spans must not overlap within a series.
    fn span(&self) -> Option<MonthSpan>;

    /// Violations for references the database and this import do not know.
    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation>;

    /// Warnings for data that is stored as reported but looks inconsistent.
    fn warnings(&self, _ctx: &ImportContext) -> Vec<Violation> {
        Vec::new()
    }

    /// Records what this import defines, so later records may refer to it.
    fn define(&self, _ctx: &mut ImportContext) {}

    /// The current rows that share a series with any of `batch`: (row id, value, recorded at).
    fn load_current(
        txn: &DatabaseTransaction,
        batch: &[&Self],
    ) -> impl Future<Output = Result<Vec<(i64, Self, Instant)>, StoreError>> + Send;

    /// Marks `superseded` rows and inserts `inserts`.
    fn write(
        txn: &DatabaseTransaction,
        inserts: &[(Self, Source)],
        superseded: &[i64],
        meta: WriteMeta,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Which field a key or span problem is reported against.
    fn key_field() -> &'static str {
        "from_month"
    }

    /// One page of the rows current at `as_of`, in row-id order after `after_id`: (row id,
    /// value, provenance). The export walks every kind with it.
    fn export_page(
        db: &DatabaseConnection,
        as_of: Instant,
        after_id: i64,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<(i64, Self, Provenance)>, StoreError>> + Send;

    /// For kinds that form a tree (categories, profession groups): the code and parent code,
    /// so that the export writes parents before their children.
    fn tree_link(&self) -> Option<(String, Option<String>)> {
        None
    }
}

/// A current row of a series: its key, span and value.
type Member<T> = (<T as StoredFact>::Key, Option<MonthSpan>, Current<T>);

/// Applies one batch of one kind: references, duplicates, overlaps, classification, write.
pub async fn apply<T: StoredFact>(
    ctx: &mut ImportContext,
    txn: &DatabaseTransaction,
    batch: Vec<(Place, T, Source)>,
) -> Result<(), StoreError> {
    let facts: Vec<&T> = batch.iter().map(|(_, f, _)| f).collect();
    let mut series: HashMap<T::Series, Vec<Member<T>>> = HashMap::new();
    for (id, fact, recorded_at) in T::load_current(txn, &facts).await? {
        series.entry(fact.series()).or_default().push((
            fact.key(),
            fact.span(),
            Current {
                id,
                written_now: recorded_at == ctx.meta.recorded_at,
                value: fact,
            },
        ));
    }

    let mut inserts = Vec::new();
    let mut superseded = Vec::new();
    for (entry, fact, source) in batch {
        // Checked in stream order, so a definition earlier in the batch is known.
        let problems = fact.check_references(ctx);
        if !problems.is_empty() {
            for problem in problems {
                ctx.reject(&entry, problem);
            }
            continue;
        }
        let key = fact.key();
        let members = series.entry(fact.series()).or_default();
        let same = members.iter().position(|(k, _, _)| *k == key);
        if let Some(span) = fact.span()
            && let Some(other) = members
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != same)
                .find_map(|(_, (_, s, _))| s.filter(|s| s.overlaps(span)))
        {
            ctx.reject(
                &entry,
                Violation::new(
                    "from_month",
                    format!(
                        "months {}–{} of {} overlap the stored span {}–{} of the same series",
                        span.from, span.to, span.fiscal_year, other.from, other.to
                    ),
                ),
            );
            continue;
        }
        let change = match classify(same.map(|i| &members[i].2), &fact) {
            Ok(change) => change,
            Err(violation) => {
                ctx.reject(&entry, violation.with_field(T::key_field()));
                continue;
            }
        };
        let counts = ctx.outcome.count(T::KIND);
        match change {
            Change::Unchanged => {
                counts.unchanged += 1;
                continue;
            }
            Change::Insert => counts.inserted += 1,
            Change::Supersede(id) => {
                counts.superseded += 1;
                superseded.push(id);
            }
        }
        let current = (
            key,
            fact.span(),
            Current {
                id: 0,
                value: fact.clone(),
                written_now: true,
            },
        );
        match same {
            Some(i) => members[i] = current,
            None => members.push(current),
        }
        for warning in fact.warnings(ctx) {
            ctx.warn(&entry, warning);
        }
        fact.define(ctx);
        inserts.push((fact, source));
    }
    if ctx.writing() {
        T::write(txn, &inserts, &superseded, ctx.meta).await?;
    }
    Ok(())
}

/// `load_current`, `write` and `export_page` for a kind stored in one table: current rows
/// are found by `$column` (the series' leading part, e.g. the unit code), converted with
/// `$from`, and written with `$to`.
#[macro_export]
macro_rules! fact_io {
    ($entity:ident, $column:ident, $key:expr, $from:path, $to:path) => {
        async fn load_current(
            txn: &sea_orm::DatabaseTransaction,
            batch: &[&Self],
        ) -> Result<Vec<(i64, Self, $crate::domain::instant::Instant)>, $crate::store::StoreError> {
            let mut keys: Vec<String> = batch.iter().map(|f| ($key)(*f)).collect();
            keys.sort();
            keys.dedup();
            $crate::store::facts::current_rows::<$entity::Entity, _>(
                txn,
                $entity::Column::$column,
                $entity::Column::SupersededAt,
                &keys,
            )
            .await?
            .into_iter()
            .map(|row| {
                let id = row.id;
                $from(row).map(|(value, provenance)| (id, value, provenance.recorded_at))
            })
            .collect()
        }

        async fn write(
            txn: &sea_orm::DatabaseTransaction,
            inserts: &[(Self, $crate::domain::provenance::Source)],
            superseded: &[i64],
            meta: $crate::store::history::WriteMeta,
        ) -> Result<(), $crate::store::StoreError> {
            $crate::store::history::supersede::<$entity::Entity>(
                txn,
                $entity::Column::Id,
                $entity::Column::SupersededAt,
                superseded,
                meta.recorded_at,
            )
            .await?;
            let rows = inserts
                .iter()
                .map(|(value, source)| $to(value, source, meta))
                .collect();
            $crate::store::facts::insert_rows(txn, rows).await
        }

        async fn export_page(
            db: &sea_orm::DatabaseConnection,
            as_of: $crate::domain::instant::Instant,
            after_id: i64,
            limit: u64,
        ) -> Result<
            Vec<(i64, Self, $crate::domain::provenance::Provenance)>,
            $crate::store::StoreError,
        > {
            $crate::store::facts::rows_at::<$entity::Entity>(
                db,
                [
                    $entity::Column::Id,
                    $entity::Column::RecordedAt,
                    $entity::Column::SupersededAt,
                ],
                as_of,
                after_id,
                limit,
            )
            .await?
            .into_iter()
            .map(|row| {
                let id = row.id;
                $from(row).map(|(value, provenance)| (id, value, provenance))
            })
            .collect()
        }
    };
}
