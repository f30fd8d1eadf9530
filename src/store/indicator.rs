//! Read queries on indicators (with their targets and outcomes) and assignments, as they stood
//! at an instant. Indicators and assignments are addressed by their stable codes.

use super::entities::{assignment, indicator, indicator_outcome, indicator_target};
use super::error::StoreError;
use super::history::current_at;
use super::indicator_rows::{
    assignment_from_row, indicator_from_row, outcome_from_row, target_from_row,
};
use super::listing::{ListFilter, Listed, Stored};
use crate::domain::access::Reach;
use crate::domain::codes::{AssignmentCode, IndicatorCode, OrgUnitCode};
use crate::domain::indicator::{Assignment, Indicator, IndicatorOutcome, IndicatorTarget};
use crate::domain::instant::Instant;
use crate::domain::provenance::Provenance;
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use std::collections::HashMap;

/// Keeps IN lists under every backend's bind-parameter limit.
const IN_CHUNK: usize = 500;

/// An indicator with where it came from, its targets (by year) and outcomes (by span).
#[derive(Debug, Clone)]
pub struct StoredIndicator {
    pub indicator: Indicator,
    pub provenance: Provenance,
    pub targets: Vec<(IndicatorTarget, Provenance)>,
    pub outcomes: Vec<(IndicatorOutcome, Provenance)>,
}

impl StoredIndicator {
    /// The sort key of ListIndicators.
    pub fn key(&self) -> String {
        self.indicator.code.to_string()
    }

    pub fn target_values(&self) -> Vec<IndicatorTarget> {
        self.targets.iter().map(|(t, _)| t.clone()).collect()
    }

    pub fn outcome_values(&self) -> Vec<IndicatorOutcome> {
        self.outcomes.iter().map(|(o, _)| o.clone()).collect()
    }
}

/// The SQL-side filters of indicator reads, already validated.
#[derive(Debug, Clone)]
pub struct IndicatorFilter {
    pub reach: Reach,
    pub goal_area: Option<String>,
    /// Indicators with a target or an outcome of this year.
    pub fiscal_year: Option<i32>,
    pub as_of: Instant,
}

/// `column IN units`, chunked into an OR of IN lists.
fn in_units<C: ColumnTrait>(column: C, units: &[OrgUnitCode]) -> Condition {
    let mut any = Condition::any();
    for chunk in units.chunks(IN_CHUNK) {
        any = any.add(column.is_in(chunk.iter().map(ToString::to_string)));
    }
    any
}

/// Indicators ordered by code after `after`, at most `limit`, with their targets and
/// outcomes.
pub async fn indicators(
    db: &impl ConnectionTrait,
    filter: &IndicatorFilter,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<StoredIndicator>, StoreError> {
    let found = indicator_rows(db, filter, after, limit).await?;
    with_children(db, found, filter.as_of, None).await
}

/// As `indicators`, with only what judging `year` reads: the year's target, and the
/// outcomes of the year and of the year before (the one an increase or decrease compares
/// with).
pub async fn indicators_judged_in(
    db: &impl ConnectionTrait,
    filter: &IndicatorFilter,
    year: i32,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<StoredIndicator>, StoreError> {
    let found = indicator_rows(db, filter, after, limit).await?;
    with_children(db, found, filter.as_of, Some(year)).await
}

async fn indicator_rows(
    db: &impl ConnectionTrait,
    filter: &IndicatorFilter,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<(Indicator, Provenance)>, StoreError> {
    use indicator::Column as C;
    let mut query =
        indicator::Entity::find().filter(current_at(C::RecordedAt, C::SupersededAt, filter.as_of));
    if let Some(units) = filter.reach.units() {
        query = query.filter(in_units(C::OrgUnitCode, units));
    }
    if let Some(area) = &filter.goal_area {
        query = query.filter(C::GoalArea.eq(area.as_str()));
    }
    if let Some(year) = filter.fiscal_year {
        use indicator_outcome::Column as O;
        use indicator_target::Column as T;
        let targets = Query::select()
            .column(T::IndicatorCode)
            .from(indicator_target::Entity)
            .cond_where(
                Condition::all()
                    .add(current_at(T::RecordedAt, T::SupersededAt, filter.as_of))
                    .add(T::FiscalYear.eq(year)),
            )
            .to_owned();
        let outcomes = Query::select()
            .column(O::IndicatorCode)
            .from(indicator_outcome::Entity)
            .cond_where(
                Condition::all()
                    .add(current_at(O::RecordedAt, O::SupersededAt, filter.as_of))
                    .add(O::FiscalYear.eq(year)),
            )
            .to_owned();
        query = query.filter(
            Condition::any()
                .add(C::IndicatorCode.in_subquery(targets))
                .add(C::IndicatorCode.in_subquery(outcomes)),
        );
    }
    if let Some(after) = after {
        query = query.filter(C::IndicatorCode.gt(after));
    }
    let rows = query
        .order_by_asc(C::IndicatorCode)
        .limit(limit)
        .all(db)
        .await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        found.push(indicator_from_row(row)?);
    }
    Ok(found)
}

/// One indicator by code; `None` when there is none or its unit lies outside `reach`.
pub async fn indicator(
    db: &impl ConnectionTrait,
    reach: &Reach,
    code: &IndicatorCode,
    as_of: Instant,
) -> Result<Option<StoredIndicator>, StoreError> {
    use indicator::Column as C;
    let row = indicator::Entity::find()
        .filter(current_at(C::RecordedAt, C::SupersededAt, as_of))
        .filter(C::IndicatorCode.eq(code.as_str()))
        .one(db)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let found = indicator_from_row(row)?;
    if !reach.contains(&found.0.org_unit) {
        return Ok(None);
    }
    Ok(with_children(db, vec![found], as_of, None).await?.pop())
}

/// The unit of the current assignment with `code`, if there is one.
pub async fn assignment_unit(
    db: &impl ConnectionTrait,
    code: &AssignmentCode,
) -> Result<Option<OrgUnitCode>, StoreError> {
    use assignment::{Column as A, Entity};
    use sea_orm::QuerySelect;
    let unit: Option<String> = Entity::find()
        .select_only()
        .column(A::OrgUnitCode)
        .filter(A::SupersededAt.is_null())
        .filter(A::AssignmentCode.eq(code.as_str()))
        .into_tuple()
        .one(db)
        .await?;
    Ok(unit.map(OrgUnitCode::from_stored))
}

/// Attaches the targets and outcomes current at `as_of`; with `judged`, only the targets of
/// that year and the outcomes of it and the year before.
async fn with_children(
    db: &impl ConnectionTrait,
    found: Vec<(Indicator, Provenance)>,
    as_of: Instant,
    judged: Option<i32>,
) -> Result<Vec<StoredIndicator>, StoreError> {
    let codes: Vec<String> = found.iter().map(|(i, _)| i.code.to_string()).collect();
    let mut targets: HashMap<String, Vec<(IndicatorTarget, Provenance)>> = HashMap::new();
    let mut outcomes: HashMap<String, Vec<(IndicatorOutcome, Provenance)>> = HashMap::new();
    for chunk in codes.chunks(IN_CHUNK) {
        use indicator_outcome::Column as O;
        use indicator_target::Column as T;
        let rows = indicator_target::Entity::find()
            .filter(current_at(T::RecordedAt, T::SupersededAt, as_of))
            .filter(T::IndicatorCode.is_in(chunk.iter().cloned()))
            .apply_if(judged, |q, year| q.filter(T::FiscalYear.eq(year)))
            .order_by_asc(T::FiscalYear)
            .all(db)
            .await?;
        for row in rows {
            let (target, provenance) = target_from_row(row)?;
            targets
                .entry(target.indicator.to_string())
                .or_default()
                .push((target, provenance));
        }
        let rows = indicator_outcome::Entity::find()
            .filter(current_at(O::RecordedAt, O::SupersededAt, as_of))
            .filter(O::IndicatorCode.is_in(chunk.iter().cloned()))
            .apply_if(judged, |q, year| {
                q.filter(O::FiscalYear.is_in([year - 1, year]))
            })
            .order_by_asc(O::FiscalYear)
            .order_by_asc(O::FromMonth)
            .order_by_asc(O::ToMonth)
            .all(db)
            .await?;
        for row in rows {
            let (outcome, provenance) = outcome_from_row(row)?;
            outcomes
                .entry(outcome.indicator.to_string())
                .or_default()
                .push((outcome, provenance));
        }
    }
    Ok(found
        .into_iter()
        .map(|(indicator, provenance)| {
            let code = indicator.code.to_string();
            StoredIndicator {
                targets: targets.remove(&code).unwrap_or_default(),
                outcomes: outcomes.remove(&code).unwrap_or_default(),
                indicator,
                provenance,
            }
        })
        .collect())
}

/// The filters of ListAssignments (beyond unit scope and paging), already validated.
#[derive(Debug, Clone)]
pub struct AssignmentFilter {
    pub goal_area: Option<String>,
    pub fiscal_year: Option<i32>,
    pub status: Option<String>,
}

impl ListFilter for AssignmentFilter {
    type Entity = assignment::Entity;
    type Row = Stored<Assignment>;
    fn condition(&self, _: Instant) -> Condition {
        use assignment::Column as C;
        Condition::all()
            .add_option(self.goal_area.as_ref().map(|a| C::GoalArea.eq(a.as_str())))
            .add_option(self.fiscal_year.map(|y| C::FiscalYear.eq(y)))
            .add_option(self.status.as_ref().map(|s| C::Status.eq(s.as_str())))
    }
}

/// ListAssignments' order: code (one current row per code at any instant), then row id.
impl Listed for assignment::Entity {
    fn order() -> Vec<assignment::Column> {
        vec![assignment::Column::AssignmentCode, assignment::Column::Id]
    }
    fn unit_column() -> assignment::Column {
        assignment::Column::OrgUnitCode
    }
    fn history_columns() -> (assignment::Column, assignment::Column) {
        (
            assignment::Column::RecordedAt,
            assignment::Column::SupersededAt,
        )
    }
}

impl TryFrom<assignment::Model> for Stored<Assignment> {
    type Error = StoreError;

    fn try_from(row: assignment::Model) -> Result<Self, StoreError> {
        let id = row.id;
        let (value, provenance) = assignment_from_row(row)?;
        Ok(Stored {
            id,
            value,
            provenance,
        })
    }
}
