//! Queries on the organisation tree.

use super::entities::org_unit;
use super::error::StoreError;
use super::history::provenance;
use super::history::{WriteMeta, supersede};
use crate::domain::codes::OrgUnitCode;
use crate::domain::org::{OrgUnit, OrgUnitKind};
use crate::domain::provenance::Provenance;
use crate::domain::provenance::Source;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// A stored placement with where it came from.
#[derive(Debug, Clone)]
pub struct StoredOrgUnit {
    pub unit: OrgUnit,
    pub provenance: Provenance,
}

/// How many placements were ever recorded: none in a fresh database.
pub async fn count_placements(db: &impl ConnectionTrait) -> Result<u64, StoreError> {
    Ok(org_unit::Entity::find().count(db).await?)
}

/// Every placement ever recorded (current and superseded), ordered by code and validity:
/// what the tree cache holds.
pub async fn all_placements(db: &impl ConnectionTrait) -> Result<Vec<StoredOrgUnit>, StoreError> {
    let rows = org_unit::Entity::find()
        .order_by_asc(org_unit::Column::Code)
        .order_by_asc(org_unit::Column::ValidFrom)
        .order_by_asc(org_unit::Column::Id)
        .all(db)
        .await?;
    rows.into_iter().map(StoredOrgUnit::try_from).collect()
}

impl TryFrom<org_unit::Model> for StoredOrgUnit {
    type Error = StoreError;

    fn try_from(row: org_unit::Model) -> Result<Self, StoreError> {
        let kind = OrgUnitKind::parse(&row.kind, "kind")
            .map_err(|v| StoreError::Corrupt(format!("org unit {}: {v}", row.code)))?;
        Ok(StoredOrgUnit {
            unit: OrgUnit {
                code: OrgUnitCode::from_stored(row.code),
                name: row.name,
                kind,
                parent: row.parent_code.map(OrgUnitCode::from_stored),
                valid_from: row.valid_from,
                valid_to: row.valid_to,
            },
            provenance: provenance(
                row.source_document,
                row.source_table,
                row.import_id,
                row.recorded_at,
                row.superseded_at,
            ),
        })
    }
}

/// A placement with its row id.
#[derive(Debug, Clone)]
pub struct StoredPlacement {
    pub id: i64,
    pub unit: OrgUnit,
    pub provenance: Provenance,
}

impl TryFrom<org_unit::Model> for StoredPlacement {
    type Error = StoreError;

    fn try_from(row: org_unit::Model) -> Result<Self, StoreError> {
        let id = row.id;
        let stored = StoredOrgUnit::try_from(row)?;
        Ok(Self {
            id,
            unit: stored.unit,
            provenance: stored.provenance,
        })
    }
}

/// The highest placement row id (0 when there is none).
pub async fn max_row_id(db: &impl ConnectionTrait) -> Result<i64, StoreError> {
    super::facts::max_id::<org_unit::Entity>(db, org_unit::Column::Id).await
}

/// The placements with ids after `after_id`, in id order (what an import just wrote).
pub async fn rows_after(
    db: &impl ConnectionTrait,
    after_id: i64,
) -> Result<Vec<StoredPlacement>, StoreError> {
    org_unit::Entity::find()
        .filter(org_unit::Column::Id.gt(after_id))
        .order_by_asc(org_unit::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(StoredPlacement::try_from)
        .collect()
}

/// The placements with the given ids, current or not (the change feed's records).
pub async fn rows_by_id(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<StoredPlacement>, StoreError> {
    super::facts::rows_by_id::<org_unit::Entity>(db, org_unit::Column::Id, ids)
        .await?
        .into_iter()
        .map(StoredPlacement::try_from)
        .collect()
}

/// The current (not superseded) rows, for the importer's comparisons.
pub async fn current_rows(db: &impl ConnectionTrait) -> Result<Vec<org_unit::Model>, StoreError> {
    Ok(org_unit::Entity::find()
        .filter(org_unit::Column::SupersededAt.is_null())
        .all(db)
        .await?)
}

/// Marks `superseded` placements and inserts the new ones, in the caller's transaction; the
/// id of the first new one (the others follow in order).
pub async fn write(
    db: &impl ConnectionTrait,
    inserts: &[(OrgUnit, Source)],
    superseded: &[i64],
    meta: WriteMeta,
) -> Result<i64, StoreError> {
    supersede::<org_unit::Entity>(
        db,
        org_unit::Column::Id,
        org_unit::Column::SupersededAt,
        superseded,
        meta.recorded_at,
    )
    .await?;
    let rows = inserts.iter().map(|(unit, source)| org_unit::ActiveModel {
        code: Set(unit.code.to_string()),
        name: Set(unit.name.clone()),
        kind: Set(unit.kind.as_str().to_owned()),
        parent_code: Set(unit.parent.as_ref().map(ToString::to_string)),
        valid_from: Set(unit.valid_from),
        valid_to: Set(unit.valid_to),
        source_document: Set(source.document.clone()),
        source_table: Set(source.table.clone()),
        import_id: Set(meta.import_id),
        recorded_at: Set(meta.recorded_at.micros()),
        superseded_at: Set(None),
        ..Default::default()
    });
    super::bulk::insert(db, rows.collect()).await
}
