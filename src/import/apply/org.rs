//! Org units: key (code, valid_from); placements of one code must not overlap in time.

use super::{Change, Current, ImportContext, classify};
use crate::domain::codes::OrgUnitCode;
use crate::domain::org::OrgUnit;
use crate::domain::provenance::Source;
use crate::domain::validation::Violation;
use crate::import::place::Place;
use crate::import::record::{Entry, Record, RetractKey, Retraction};
use crate::store::changes::{self, Action, NewChange};
use crate::store::{StoreError, org as store};
use chrono::NaiveDate;
use sea_orm::DatabaseTransaction;
use std::collections::HashMap;

/// The kind's name in counts and the text format.
pub const ORG_UNIT_KIND: &str = "org_unit";

/// The current placements by code; the whole tree is small.
pub struct OrgState {
    by_code: HashMap<OrgUnitCode, Vec<Current<OrgUnit>>>,
}

impl OrgState {
    pub async fn load(txn: &DatabaseTransaction) -> Result<Self, StoreError> {
        let mut by_code: HashMap<OrgUnitCode, Vec<Current<OrgUnit>>> = HashMap::new();
        for row in store::current_rows(txn).await? {
            let id = row.id;
            let stored = store::StoredOrgUnit::try_from(row)?;
            by_code
                .entry(stored.unit.code.clone())
                .or_default()
                .push(Current {
                    id,
                    value: stored.unit,
                    written_now: false,
                });
        }
        Ok(Self { by_code })
    }

    pub fn knows(&self, code: &OrgUnitCode) -> bool {
        self.by_code.contains_key(code)
    }

    /// The current placements of `code` (none for an unknown unit).
    pub fn placements(&self, code: &OrgUnitCode) -> &[Current<OrgUnit>] {
        self.by_code
            .get(code)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The placement of `code` valid at `date`.
    pub fn placement_at(&self, code: &OrgUnitCode, date: NaiveDate) -> Option<&OrgUnit> {
        self.placements(code)
            .iter()
            .map(|p| &p.value)
            .find(|p| p.is_valid_at(date))
    }

    pub fn unit_count(&self) -> usize {
        self.by_code.len()
    }

    /// The dates in `[from, to)` where the tree may change: `from` and every placement's
    /// first and end day in between. Between two of them the tree is the same.
    pub fn boundaries(&self, from: NaiveDate, to: Option<NaiveDate>) -> Vec<NaiveDate> {
        let end = to.unwrap_or(NaiveDate::MAX);
        let mut dates: Vec<NaiveDate> = self
            .by_code
            .values()
            .flatten()
            .flat_map(|p| [Some(p.value.valid_from), p.value.valid_to])
            .flatten()
            .filter(|d| from < *d && *d < end)
            .chain(std::iter::once(from))
            .collect();
        dates.sort_unstable();
        dates.dedup();
        dates
    }
}

fn overlaps(a: &OrgUnit, b: &OrgUnit) -> bool {
    let end = |u: &OrgUnit| u.valid_to.unwrap_or(NaiveDate::MAX);
    a.valid_from < end(b) && b.valid_from < end(a)
}

pub async fn apply(
    ctx: &mut ImportContext,
    txn: &DatabaseTransaction,
    entries: Vec<Entry>,
) -> Result<(), StoreError> {
    let mut inserts: Vec<(OrgUnit, Source)> = Vec::new();
    let mut actions: HashMap<(OrgUnitCode, NaiveDate), Action> = HashMap::new();
    let mut superseded = Vec::new();
    let mut log = Vec::new();
    for entry in &entries {
        let (unit, source) = match &entry.record {
            Record::OrgUnit(unit, source) => (unit, source),
            Record::Retract(
                Retraction {
                    key: RetractKey::OrgUnit((code, from)),
                    text,
                },
                source,
            ) => {
                if let Some(change) = retract(ctx, &entry.place, code, *from, text, source) {
                    superseded.push(change.row_id);
                    log.push(change);
                }
                continue;
            }
            _ => continue,
        };
        if !ctx.allows_placement(&entry.place, unit, false) {
            continue;
        }
        let placements = ctx.org.by_code.entry(unit.code.clone()).or_default();
        let same_key = placements
            .iter()
            .position(|p| p.value.valid_from == unit.valid_from);
        let change = classify(same_key.map(|i| &placements[i]), unit);
        let clash = placements
            .iter()
            .enumerate()
            .any(|(i, p)| Some(i) != same_key && overlaps(&p.value, unit));
        match change {
            Err(violation) => ctx.reject(&entry.place, violation.with_field("code")),
            Ok(_) if clash => ctx.reject(
                &entry.place,
                Violation::new(
                    "valid_from",
                    format!(
                        "placement of {} overlaps another placement of the same unit",
                        unit.code
                    ),
                ),
            ),
            Ok(change) => {
                let counts = ctx.outcome.count(ORG_UNIT_KIND);
                match change {
                    Change::Unchanged => counts.unchanged += 1,
                    Change::Insert => {
                        counts.inserted += 1;
                        actions.insert((unit.code.clone(), unit.valid_from), Action::Inserted);
                    }
                    Change::Supersede(id) => {
                        counts.superseded += 1;
                        superseded.push(id);
                        actions.insert((unit.code.clone(), unit.valid_from), Action::Superseded);
                    }
                }
                if change != Change::Unchanged {
                    let current = Current {
                        id: 0,
                        value: unit.clone(),
                        written_now: true,
                    };
                    let placements = ctx.org.by_code.entry(unit.code.clone()).or_default();
                    match same_key {
                        Some(i) => placements[i] = current,
                        None => placements.push(current),
                    }
                    inserts.push((unit.clone(), source.clone()));
                }
            }
        }
    }
    // Parents are checked once the batch's own units are known, so order inside a batch
    // does not matter.
    for entry in &entries {
        if let Record::OrgUnit(unit, _) = &entry.record
            && let Some(parent) = &unit.parent
            && !ctx.org.knows(parent)
        {
            ctx.reject(
                &entry.place,
                Violation::new("parent", format!("unknown org unit {parent}")),
            );
        }
    }
    if !ctx.writing() || (inserts.is_empty() && superseded.is_empty()) {
        return Ok(());
    }
    let first = store::write(txn, &inserts, &superseded, ctx.meta).await?;
    // The placements just written got ids from `first` on, in order.
    for ((unit, source), row_id) in inserts.into_iter().zip(first..) {
        let action = actions
            .get(&(unit.code.clone(), unit.valid_from))
            .copied()
            .ok_or_else(|| StoreError::Corrupt(format!("org unit {} has no action", unit.code)))?;
        log.push(NewChange {
            action,
            row_id,
            org_unit: Some(unit.code),
            document: source.document,
            table: source.table,
        });
    }
    changes::append(txn, ctx.meta, ORG_UNIT_KIND, log).await
}

/// Withdraws the current placement of `code` from `from`. A unit left without placements
/// is forgotten by this import (later records cannot refer to it) and checked at the end:
/// nothing current may still refer to it.
fn retract(
    ctx: &mut ImportContext,
    place: &Place,
    code: &OrgUnitCode,
    from: NaiveDate,
    text: &str,
    source: &Source,
) -> Option<NewChange> {
    let found = ctx
        .org
        .placements(code)
        .iter()
        .find(|p| p.value.valid_from == from)
        .map(|p| p.value.clone());
    // A scoped importer gets one refusal for a placement outside and one that is not there.
    if ctx.scoped() {
        let allowed = match &found {
            Some(placement) => ctx.allows_placement(place, placement, true),
            None => ctx.allows(place, ORG_UNIT_KIND, None),
        };
        if !allowed {
            return None;
        }
    }
    let placements = ctx.org.by_code.entry(code.clone()).or_default();
    let problem = match placements.iter().position(|p| p.value.valid_from == from) {
        None => "no current org_unit has this key",
        Some(i) if placements[i].written_now => "the key is written earlier in this import",
        Some(i) => {
            let removed = placements.remove(i);
            if placements.is_empty() {
                ctx.org.by_code.remove(code);
                ctx.retracted_definitions
                    .push((place.clone(), ORG_UNIT_KIND, code.to_string()));
            }
            ctx.outcome.count(ORG_UNIT_KIND).retracted += 1;
            return Some(NewChange {
                action: Action::Retracted,
                row_id: removed.id,
                org_unit: Some(code.clone()),
                document: source.document.clone(),
                table: source.table.clone(),
            });
        }
    };
    if ctx.org.by_code.get(code).is_some_and(Vec::is_empty) {
        ctx.org.by_code.remove(code);
    }
    ctx.reject(
        place,
        Violation::new(
            "valid_from",
            format!("retract {ORG_UNIT_KIND} {text}: {problem}"),
        ),
    );
    None
}
