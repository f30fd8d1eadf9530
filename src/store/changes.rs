//! The change log: what every import inserted, superseded or retracted, in commit order.
//! Entries are appended inside the import's transaction, after the write lock, so their ids
//! increase in commit order: a later transaction cannot commit before an earlier one, and
//! a reader that sees id N has seen every entry before N (no gaps appear behind a cursor).

use super::entities::change;
use super::error::StoreError;
use super::history::WriteMeta;
use crate::domain::access::Reach;
use crate::domain::codes::OrgUnitCode;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use sea_orm::{QuerySelect, Set};

/// What a change did to a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new key.
    Inserted,
    /// A correction: a new value for a current key; the old one stays readable via `as_of`.
    Superseded,
    /// The current value withdrawn without a successor.
    Retracted,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inserted => "inserted",
            Self::Superseded => "superseded",
            Self::Retracted => "retracted",
        }
    }

    pub fn parse(value: &str) -> Result<Self, StoreError> {
        match value {
            "inserted" => Ok(Self::Inserted),
            "superseded" => Ok(Self::Superseded),
            "retracted" => Ok(Self::Retracted),
            other => Err(StoreError::Corrupt(format!("change action {other:?}"))),
        }
    }
}

/// A change to append: the row it concerns, the unit that owns the fact and the change's
/// source.
#[derive(Debug, Clone)]
pub struct NewChange {
    pub action: Action,
    pub row_id: i64,
    pub org_unit: Option<OrgUnitCode>,
    pub document: String,
    pub table: Option<String>,
}

/// Appends `changes` of `kind` in order, in the import's transaction.
pub async fn append(
    db: &impl ConnectionTrait,
    meta: WriteMeta,
    kind: &str,
    changes: Vec<NewChange>,
) -> Result<(), StoreError> {
    let rows = changes
        .into_iter()
        .map(|c| change::ActiveModel {
            import_id: Set(meta.import_id),
            recorded_at: Set(meta.recorded_at.micros()),
            kind: Set(kind.to_owned()),
            action: Set(c.action.as_str().to_owned()),
            row_id: Set(c.row_id),
            org_unit_code: Set(c.org_unit.map(|u| u.as_str().to_owned())),
            source_document: Set(c.document),
            source_table: Set(c.table),
            ..Default::default()
        })
        .collect();
    super::bulk::insert(db, rows).await.map(drop)
}

/// Where a kind's own rows hold what its change-log entries say: the table, and the column
/// of the unit that owns each row. The entries of rows just written are then made by the
/// database from the rows (`append_written`) instead of being sent a second time.
#[derive(Debug, Clone, Copy)]
pub struct RowLog {
    pub table: &'static str,
    pub owner_column: &'static str,
}

/// Appends an entry for each of the `count` rows of `log.table` written by this import with
/// ids from `first_row` on, in id order, each with its row's unit and source. Rows whose
/// ids are in `superseding` are logged as corrections, the others as inserted.
pub async fn append_written(
    db: &impl ConnectionTrait,
    meta: WriteMeta,
    kind: &'static str,
    log: RowLog,
    first_row: i64,
    count: usize,
    superseding: &[i64],
) -> Result<(), StoreError> {
    if count == 0 {
        return Ok(());
    }
    let first_change = super::bulk::take_ids(db, "changes", count).await?;
    let last_row = first_row
        + i64::try_from(count).map_err(|_| StoreError::Corrupt("too many rows".into()))?
        - 1;
    // Every value below is a number or a constant of this program: inline, the statement
    // needs no parameters (and no prepared statement of its own on PostgreSQL).
    let action = if superseding.is_empty() {
        format!("'{}'", Action::Inserted.as_str())
    } else {
        let ids: Vec<String> = superseding.iter().map(i64::to_string).collect();
        format!(
            "CASE WHEN id IN ({}) THEN '{}' ELSE '{}' END",
            ids.join(","),
            Action::Superseded.as_str(),
            Action::Inserted.as_str()
        )
    };
    let sql = format!(
        "INSERT INTO changes (id, import_id, recorded_at, kind, action, row_id, org_unit_code, \
         source_document, source_table) \
         SELECT id - {first_row} + {first_change}, {import_id}, {recorded_at}, '{kind}', \
         {action}, id, {owner}, source_document, source_table \
         FROM {table} WHERE id BETWEEN {first_row} AND {last_row}",
        import_id = meta.import_id,
        recorded_at = meta.recorded_at.micros(),
        owner = log.owner_column,
        table = log.table,
    );
    db.execute_unprepared(&sql).await?;
    Ok(())
}

/// Which changes a page holds: `None` for no restriction.
#[derive(Debug, Clone)]
pub struct ChangeFilter {
    pub kinds: Option<Vec<String>>,
    /// Changes of these units, and of region-wide definitions (which have no unit).
    pub reach: Reach,
}

/// Up to `limit` changes after `after_id` matching `filter`, in commit order: one
/// statement, so one snapshot on every database.
pub async fn page(
    db: &impl ConnectionTrait,
    after_id: i64,
    filter: &ChangeFilter,
    limit: u64,
) -> Result<Vec<change::Model>, StoreError> {
    use change::Column as C;
    let mut condition = Condition::all().add(C::Id.gt(after_id));
    if let Some(kinds) = &filter.kinds {
        condition = condition.add(C::Kind.is_in(kinds.iter().cloned()));
    }
    if let Some(units) = filter.reach.units() {
        let mut owned = Condition::any().add(C::OrgUnitCode.is_null());
        // Chunked to stay under bind-parameter limits for very large subtrees.
        for chunk in units.chunks(1000) {
            owned = owned.add(C::OrgUnitCode.is_in(chunk.iter().map(|u| u.as_str().to_owned())));
        }
        condition = condition.add(owned);
    }
    Ok(change::Entity::find()
        .filter(condition)
        .order_by_asc(C::Id)
        .limit(limit)
        .all(db)
        .await?)
}
