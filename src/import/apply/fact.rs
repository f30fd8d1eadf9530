//! What every stored kind shares on the write path: a key (a record with the key of a
//! current row is a correction or unchanged; a retraction names only the key), an optional
//! month span that must not overlap the other spans of its series, references to check, how
//! to load and write rows, and the change-log entries every write leaves behind.

use super::{Change, Current, ImportContext, classify};
use crate::domain::codes::OrgUnitCode;
use crate::domain::instant::Instant;
use crate::domain::period::MonthSpan;
use crate::domain::provenance::{Provenance, Source};
use crate::domain::validation::Violation;
use crate::import::fields::FieldReader;
use crate::import::place::Place;
use crate::store::StoreError;
use crate::store::changes::{self, Action, NewChange};
use crate::store::history::WriteMeta;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;

/// A kind of record the importer writes.
pub trait StoredFact: Clone + PartialEq + Send + Sync + Sized {
    /// The kind's name in counts and the text format.
    const KIND: &'static str;
    /// The text-format fields that make up the key, in order: what a retraction names.
    const KEY_FIELDS: &'static [&'static str];
    /// Identity: a record with the key of a current row replaces it.
    type Key: Eq + Hash + Clone + Send + Sync + std::fmt::Debug;
    /// The group within which spans must not overlap (the key without its span).
    type Series: Eq + Hash + Clone + Send;

    fn key(&self) -> Self::Key;
    /// The series a key belongs to.
    fn series_of(key: &Self::Key) -> Self::Series;
    /// The span, for kinds whose spans must not overlap within a series.
    fn span(&self) -> Option<MonthSpan>;

    /// Reads the key fields of a retraction (`KEY_FIELDS`), each validated as in a record.
    fn parse_key(fields: &mut FieldReader) -> Option<Self::Key>;

    /// The unit the fact belongs to, for the change feed's org-unit filter; `None` for
    /// region-wide definitions.
    fn owner(&self, ctx: &ImportContext) -> Option<OrgUnitCode>;

    /// Violations for references the database and this import do not know.
    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation>;

    /// Warnings for data that is stored as reported but looks inconsistent.
    fn warnings(&self, _ctx: &ImportContext) -> Vec<Violation> {
        Vec::new()
    }

    /// Records what this import defines, so later records may refer to it.
    fn define(&self, _ctx: &mut ImportContext) {}

    /// For definitions that other records refer to: the code a retraction withdraws, checked
    /// at the end of the import (`store::references`).
    fn definition_code(_key: &Self::Key) -> Option<String> {
        None
    }

    /// The current rows with any of `keys`' series: (row id, value, recorded at).
    fn load_current(
        txn: &DatabaseTransaction,
        keys: &[&Self::Key],
    ) -> impl Future<Output = Result<Vec<(i64, Self, Instant)>, StoreError>> + Send;

    /// Marks `superseded` rows and inserts `inserts`; the id of the first inserted row (the
    /// others follow in order).
    fn write(
        txn: &DatabaseTransaction,
        inserts: &[(Self, Source)],
        superseded: &[i64],
        meta: WriteMeta,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Where the kind's rows hold what their change-log entries say (`None`: the entries are
    /// sent with the rows' values).
    fn row_log() -> Option<changes::RowLog> {
        None
    }

    /// Which field a key or span problem is reported against.
    fn key_field() -> &'static str {
        "from_month"
    }

    /// One page of the rows current at `as_of`, in row-id order after `after_id`: (row id,
    /// value, provenance). The export walks every kind with it.
    fn export_page<C: ConnectionTrait + Sync>(
        db: &C,
        as_of: Instant,
        after_id: i64,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<(i64, Self, Provenance)>, StoreError>> + Send;

    /// The rows with the given ids, current or not (the change feed's records).
    fn rows_by_id(
        db: &DatabaseConnection,
        ids: &[i64],
    ) -> impl Future<Output = Result<Vec<(i64, Self, Provenance)>, StoreError>> + Send;

    /// For kinds that form a tree (categories, profession groups): the code and parent code,
    /// so that the export writes parents before their children.
    fn tree_link(&self) -> Option<(String, Option<String>)> {
        None
    }
}

/// What a record of kind `T` asks for: a value to store, or a key to withdraw (with its
/// fields as text, for messages).
#[derive(Debug, Clone)]
pub enum Op<T: StoredFact> {
    Put(T),
    Retract(T::Key, String),
}

/// A current row of a series: its key, span and value.
type Member<T> = (<T as StoredFact>::Key, Option<MonthSpan>, Current<T>);

/// Applies one batch of one kind: references, duplicates, overlaps, classification,
/// retractions, write, and the change log.
pub async fn apply<T: StoredFact>(
    ctx: &mut ImportContext,
    txn: &DatabaseTransaction,
    batch: Vec<(Place, Op<T>, Source)>,
) -> Result<(), StoreError> {
    let keys: Vec<T::Key> = batch
        .iter()
        .map(|(_, op, _)| match op {
            Op::Put(fact) => fact.key(),
            Op::Retract(key, _) => key.clone(),
        })
        .collect();
    let key_refs: Vec<&T::Key> = keys.iter().collect();
    let mut series: HashMap<T::Series, Vec<Member<T>>> = HashMap::new();
    for (id, fact, recorded_at) in T::load_current(txn, &key_refs).await? {
        series.entry(T::series_of(&fact.key())).or_default().push((
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
    // What each insert is, in the order of `inserts`.
    let mut actions: Vec<Action> = Vec::new();
    let mut superseded = Vec::new();
    let mut retracted = Vec::new();
    for (entry, op, source) in batch {
        let fact = match op {
            Op::Put(fact) => fact,
            Op::Retract(key, text) => {
                let members = series.entry(T::series_of(&key)).or_default();
                let found = members.iter().position(|(k, _, _)| *k == key);
                // A scoped importer may withdraw only what lies inside; a key that names
                // nothing gets the same refusal.
                if ctx.scoped() {
                    let owner = found.and_then(|i| members[i].2.value.owner(ctx));
                    if !ctx.allows(&entry, T::KIND, owner.as_ref()) {
                        continue;
                    }
                }
                match found {
                    None => ctx.reject(
                        &entry,
                        Violation::new(
                            T::key_field(),
                            format!(
                                "retract {} {text}: no current {} has this key",
                                T::KIND,
                                T::KIND
                            ),
                        ),
                    ),
                    Some(i) if members[i].2.written_now => ctx.reject(
                        &entry,
                        Violation::new(
                            T::key_field(),
                            format!(
                                "retract {} {text}: the key is written earlier in this import",
                                T::KIND
                            ),
                        ),
                    ),
                    Some(i) => {
                        let (_, _, current) = members.remove(i);
                        ctx.outcome.count(T::KIND).retracted += 1;
                        if let Some(code) = T::definition_code(&key) {
                            ctx.retracted_definitions
                                .push((entry.clone(), T::KIND, code));
                        }
                        superseded.push(current.id);
                        retracted.push(NewChange {
                            action: Action::Retracted,
                            row_id: current.id,
                            org_unit: current.value.owner(ctx),
                            document: source.document,
                            table: source.table,
                        });
                    }
                }
                continue;
            }
        };
        if ctx.scoped() && !ctx.allows(&entry, T::KIND, fact.owner(ctx).as_ref()) {
            continue;
        }
        // Checked in stream order, so a definition earlier in the batch is known.
        let problems = fact.check_references(ctx);
        if !problems.is_empty() {
            for problem in problems {
                ctx.reject(&entry, problem);
            }
            continue;
        }
        let key = fact.key();
        let members = series.entry(T::series_of(&key)).or_default();
        let same = members.iter().position(|(k, _, _)| *k == key);
        // The current record this one would supersede must lie inside too.
        if ctx.scoped()
            && let Some(i) = same
        {
            let owner = members[i].2.value.owner(ctx);
            if !ctx.allows(&entry, T::KIND, owner.as_ref()) {
                continue;
            }
        }
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
            Change::Insert => {
                counts.inserted += 1;
                actions.push(Action::Inserted);
            }
            Change::Supersede(id) => {
                counts.superseded += 1;
                superseded.push(id);
                actions.push(Action::Superseded);
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
    if !ctx.writing() || (inserts.is_empty() && superseded.is_empty()) {
        return Ok(());
    }
    let first = T::write(txn, &inserts, &superseded, ctx.meta).await?;
    // Retractions are logged first: a key retracted and then written again in this batch
    // ends up written. The rows just written got ids from `first` on, in order.
    if let Some(row_log) = T::row_log() {
        changes::append(txn, ctx.meta, T::KIND, retracted).await?;
        let superseding: Vec<i64> = actions
            .iter()
            .zip(first..)
            .filter(|(action, _)| **action == Action::Superseded)
            .map(|(_, id)| id)
            .collect();
        return changes::append_written(
            txn,
            ctx.meta,
            T::KIND,
            row_log,
            first,
            inserts.len(),
            &superseding,
        )
        .await;
    }
    let mut log = retracted;
    log.reserve(inserts.len());
    for (((value, source), action), row_id) in inserts.into_iter().zip(actions).zip(first..) {
        log.push(NewChange {
            action,
            row_id,
            org_unit: value.owner(ctx),
            document: source.document,
            table: source.table,
        });
    }
    changes::append(txn, ctx.meta, T::KIND, log).await
}

/// Rows converted with `from`, each with its id.
pub fn with_ids<M, T>(
    rows: Vec<M>,
    id: impl Fn(&M) -> i64,
    from: impl Fn(M) -> Result<(T, Provenance), StoreError>,
) -> Result<Vec<(i64, T, Provenance)>, StoreError> {
    rows.into_iter()
        .map(|row| {
            let id = id(&row);
            from(row).map(|(value, provenance)| (id, value, provenance))
        })
        .collect()
}

/// `export_page` and `rows_by_id` for a kind stored in one table, its rows
/// converted with `$from` (row → (value, provenance)).
#[macro_export]
macro_rules! fact_reads {
    ($entity:ident, $from:path) => {
        async fn export_page<C: sea_orm::ConnectionTrait + Sync>(
            db: &C,
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
            .await
            .and_then(|rows| $crate::import::apply::fact::with_ids(rows, |r| r.id, $from))
        }

        async fn rows_by_id(
            db: &sea_orm::DatabaseConnection,
            ids: &[i64],
        ) -> Result<
            Vec<(i64, Self, $crate::domain::provenance::Provenance)>,
            $crate::store::StoreError,
        > {
            $crate::store::facts::rows_by_id::<$entity::Entity>(db, $entity::Column::Id, ids)
                .await
                .and_then(|rows| $crate::import::apply::fact::with_ids(rows, |r| r.id, $from))
        }
    };
}

/// `load_current`, `write` and the reads (`fact_reads!`) for a kind stored in one table:
/// current rows are found by `$column` (the series' leading part, e.g. the unit code, taken
/// from a key by `$key`), converted with `$from`, and written with `$to`.
#[macro_export]
macro_rules! fact_io {
    ($entity:ident, $column:ident, $key:expr, $from:path, $to:path) => {
        async fn load_current(
            txn: &sea_orm::DatabaseTransaction,
            keys: &[&Self::Key],
        ) -> Result<Vec<(i64, Self, $crate::domain::instant::Instant)>, $crate::store::StoreError> {
            let lead: fn(&Self::Key) -> String = $key;
            let mut leads: Vec<String> = keys.iter().map(|k| lead(k)).collect();
            leads.sort();
            leads.dedup();
            $crate::store::facts::current_rows::<$entity::Entity, _>(
                txn,
                $entity::Column::$column,
                $entity::Column::SupersededAt,
                &leads,
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
        ) -> Result<i64, $crate::store::StoreError> {
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
            $crate::store::bulk::insert(txn, rows).await
        }

        $crate::fact_reads!($entity, $from);
    };
}
