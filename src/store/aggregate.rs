//! Aggregation in the database, shared by every summary: one `GROUP BY` per group of units
//! (a whole subtree, or each child's subtree), with the units as chunked IN lists, partial
//! sums merged by key. Memory is bounded by the number of distinct keys (the size of the
//! answer), never by the number of rows summed.

use super::backend::Backend;
use super::error::StoreError;
use crate::domain::access::UnitGroup;
use crate::domain::codes::OrgUnitCode;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, QueryResult};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Units per IN list: far under every backend's bind-parameter limit.
const UNIT_CHUNK: usize = 1000;

/// The type a key column is read back as.
#[derive(Debug, Clone, Copy)]
pub enum KeyType {
    Text,
    Int,
}

/// One value of a group key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyValue {
    Text(String),
    Int(i64),
    Null,
}

impl KeyValue {
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            _ => None,
        }
    }

    pub fn int(&self) -> Option<i64> {
        match self {
            Self::Int(value) => Some(*value),
            _ => None,
        }
    }
}

/// What to aggregate: a select over the summed table with its filters (`base`, without
/// columns), the key expressions, the summed expressions and distinct counts.
pub struct Aggregation {
    /// FROM, joins and WHERE; the unit filter is added per chunk.
    pub base: SelectStatement,
    /// The unit column the subtree filter applies to.
    pub unit_column: SimpleExpr,
    pub keys: Vec<(SimpleExpr, KeyType)>,
    /// Summed as 64-bit integers; a sum over only NULLs is `None`.
    pub sums: Vec<SimpleExpr>,
    /// `COUNT(DISTINCT …)`: only add up across chunks when each counted value lies in one
    /// unit (as an investment object does).
    pub distinct_counts: Vec<SimpleExpr>,
}

/// One group of the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    pub sums: Vec<Option<i64>>,
    pub counts: Vec<i64>,
    /// Rows summed.
    pub rows: i64,
}

impl Cell {
    fn absorb(&mut self, other: Cell) {
        if self.sums.is_empty() {
            *self = other;
            return;
        }
        for (sum, value) in self.sums.iter_mut().zip(other.sums) {
            if let Some(value) = value {
                *sum = Some(sum.unwrap_or(0).saturating_add(value));
            }
        }
        for (count, value) in self.counts.iter_mut().zip(other.counts) {
            *count += value;
        }
        self.rows += other.rows;
    }
}

/// Runs `aggregation` over `units` and returns the cells by key.
pub async fn aggregate(
    db: &impl ConnectionTrait,
    aggregation: &Aggregation,
    units: &[OrgUnitCode],
) -> Result<BTreeMap<Vec<KeyValue>, Cell>, StoreError> {
    let backend = Backend::from(db.get_database_backend());
    let mut cells: BTreeMap<Vec<KeyValue>, Cell> = BTreeMap::new();
    for chunk in units.chunks(UNIT_CHUNK) {
        let mut select = aggregation.base.clone();
        for (i, (key, kind)) in aggregation.keys.iter().enumerate() {
            select.expr_as(
                read_back(backend, key.clone(), *kind),
                Alias::new(format!("k{i}")),
            );
            select.add_group_by([key.clone()]);
        }
        for (i, sum) in aggregation.sums.iter().enumerate() {
            select.expr_as(
                sum_as_bigint(backend, sum.clone()),
                Alias::new(format!("s{i}")),
            );
        }
        for (i, counted) in aggregation.distinct_counts.iter().enumerate() {
            select.expr_as(
                Func::count_distinct(counted.clone()),
                Alias::new(format!("c{i}")),
            );
        }
        select.expr_as(Func::count(Expr::cust("*")), Alias::new("n"));
        select.and_where(
            aggregation
                .unit_column
                .clone()
                .is_in(chunk.iter().map(|u| u.as_str().to_owned())),
        );
        for row in db.query_all(&select).await? {
            let (key, cell) = read_row(&row, aggregation)?;
            cells.entry(key).or_default().absorb(cell);
        }
    }
    if backend == Backend::Sqlite {
        super::heap::release_freed_memory();
    }
    Ok(cells)
}

/// Runs `aggregation` once over `units` with the unit as a further key, and folds each
/// unit's cells into every group `groups_of` names for it (of `groups`): one `GROUP BY` for
/// a whole subtree and all its parts, where `aggregate` per group would run one each. The
/// rows come back per unit and key, so memory is bounded by units × keys.
pub async fn aggregate_per_group<'a>(
    db: &impl ConnectionTrait,
    aggregation: &Aggregation,
    units: &[OrgUnitCode],
    groups: usize,
    groups_of: impl Fn(&str) -> &'a [usize],
) -> Result<Vec<BTreeMap<Vec<KeyValue>, Cell>>, StoreError> {
    let by_unit = Aggregation {
        base: aggregation.base.clone(),
        unit_column: aggregation.unit_column.clone(),
        keys: std::iter::once((aggregation.unit_column.clone(), KeyType::Text))
            .chain(aggregation.keys.iter().cloned())
            .collect(),
        sums: aggregation.sums.clone(),
        distinct_counts: aggregation.distinct_counts.clone(),
    };
    let mut folded = vec![BTreeMap::<Vec<KeyValue>, Cell>::new(); groups];
    for (mut key, cell) in aggregate(db, &by_unit, units).await? {
        let unit = match key.remove(0) {
            KeyValue::Text(unit) => unit,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "aggregation: a unit key {other:?}"
                )));
            }
        };
        for &group in groups_of(&unit) {
            folded[group]
                .entry(key.clone())
                .or_default()
                .absorb(cell.clone());
        }
    }
    Ok(folded)
}

/// The cells of each of `groups` (a unit and its subtree's units) from one `GROUP BY` over
/// every group's units, per unit, folded into the groups each unit belongs to
/// (`aggregate_per_group`).
pub async fn aggregate_groups(
    db: &impl ConnectionTrait,
    aggregation: &Aggregation,
    groups: &[UnitGroup],
) -> Result<Vec<BTreeMap<Vec<KeyValue>, Cell>>, StoreError> {
    let mut member: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        for unit in g.units() {
            member.entry(unit.as_str()).or_default().push(i);
        }
    }
    let units = units_of(groups);
    let in_groups = |unit: &str| member.get(unit).map_or(&[][..], Vec::as_slice);
    aggregate_per_group(db, aggregation, &units, groups.len(), in_groups).await
}

/// Every unit of `groups`, once each, in code order.
pub fn units_of(groups: &[UnitGroup]) -> Vec<OrgUnitCode> {
    groups
        .iter()
        .flat_map(|g| g.units().iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn read_row(row: &QueryResult, a: &Aggregation) -> Result<(Vec<KeyValue>, Cell), StoreError> {
    let mut key = Vec::with_capacity(a.keys.len());
    for (i, (_, kind)) in a.keys.iter().enumerate() {
        let column = format!("k{i}");
        key.push(match kind {
            KeyType::Text => row
                .try_get::<Option<String>>("", &column)?
                .map_or(KeyValue::Null, KeyValue::Text),
            KeyType::Int => row
                .try_get::<Option<i64>>("", &column)?
                .map_or(KeyValue::Null, KeyValue::Int),
        });
    }
    let sums = (0..a.sums.len())
        .map(|i| row.try_get::<Option<i64>>("", &format!("s{i}")))
        .collect::<Result<_, _>>()?;
    let counts = (0..a.distinct_counts.len())
        .map(|i| row.try_get::<i64>("", &format!("c{i}")))
        .collect::<Result<_, _>>()?;
    let rows = row.try_get::<i64>("", "n")?;
    Ok((key, Cell { sums, counts, rows }))
}

/// PostgreSQL decodes only the exact integer width: widen integer keys to BIGINT there.
fn read_back(backend: Backend, expr: SimpleExpr, kind: KeyType) -> SimpleExpr {
    match (backend, kind) {
        (Backend::Postgres, KeyType::Int) => Func::cast_as(expr, Alias::new("BIGINT")).into(),
        _ => expr,
    }
}

/// `SUM` answers NUMERIC on PostgreSQL and DECIMAL on MySQL: cast back to a 64-bit integer.
fn sum_as_bigint(backend: Backend, expr: SimpleExpr) -> SimpleExpr {
    let sum: SimpleExpr = Func::sum(expr).into();
    match backend {
        Backend::Sqlite => sum,
        Backend::Postgres => Func::cast_as(sum, Alias::new("BIGINT")).into(),
        Backend::MySql => Func::cast_as(sum, Alias::new("SIGNED")).into(),
    }
}
