//! Read queries on staffing: profession groups, headcounts, worked hours, hired staff, sick
//! leave and positions, each current at an instant, one keyset page at a time in the order
//! staffing.proto documents.
//!
//! Two of those orders are not the stored strings' order: profession groups sort by their
//! display order (data, versioned like any fact), and sick-leave dimensions by enum order. Both
//! are small closed sets, so the query maps them to their rank with a CASE expression and the
//! database sorts and pages on it; the groups are read at the same instant as the figures.

use super::entities::{
    headcount, hired_staff, position, profession_group, sick_leave, worked_hours,
};
use super::error::StoreError;
use super::history::current_at;
use super::keyset;
pub use super::staffing_order::{ProfessionOrder, UNKNOWN_PROFESSION_ORDER};
use super::staffing_order::{label_rank, sort_key};
use super::staffing_rows::{
    headcount_from_row, hired_staff_from_row, position_from_row, profession_group_from_row,
    sick_leave_from_row, worked_hours_from_row,
};
use crate::domain::codes::{OrgUnitCode, ProfessionCode};
use crate::domain::instant::Instant;
use crate::domain::provenance::Provenance;
use crate::domain::staffing::{
    Headcount, HiredStaff, Position, ProfessionGroup, SickLeave, SickLeaveAgeBand, SickLeaveGender,
    SickLeaveLength, WorkedHours,
};
use chrono::NaiveDate;
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Value,
};
use serde::{Deserialize, Serialize};

/// A stored staffing fact with its row id (the last tie-breaker of every order) and where it
/// came from.
#[derive(Debug, Clone)]
pub struct Stored<T> {
    pub id: i64,
    pub value: T,
    pub provenance: Provenance,
}

fn stored<M, T>(
    id: i64,
    row: M,
    convert: fn(M) -> Result<(T, Provenance), StoreError>,
) -> Result<Stored<T>, StoreError> {
    let (value, provenance) = convert(row)?;
    Ok(Stored {
        id,
        value,
        provenance,
    })
}

/// Every profession group current at `as_of`, ordered by display order, then code.
pub async fn profession_groups(
    db: &impl ConnectionTrait,
    as_of: Instant,
) -> Result<Vec<(ProfessionGroup, Provenance)>, StoreError> {
    use profession_group::Column as C;
    let rows = profession_group::Entity::find()
        .filter(current_at(C::RecordedAt, C::SupersededAt, as_of))
        .order_by_asc(C::DisplayOrder)
        .order_by_asc(C::Code)
        .all(db)
        .await?;
    rows.into_iter().map(profession_group_from_row).collect()
}

fn units_condition(column: impl ColumnTrait, units: &Option<Vec<OrgUnitCode>>) -> Condition {
    match units {
        None => Condition::all(),
        Some(units) => {
            Condition::all().add(column.is_in(units.iter().map(|u| u.as_str().to_owned())))
        }
    }
}

/// Dates in page-token keys travel as ISO strings; a token with a bad date is not one this
/// service issued.
mod iso_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&date.format("%Y-%m-%d").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------
// Headcounts

/// The filters of ListHeadcounts, already validated.
#[derive(Debug, Clone)]
pub struct HeadcountFilter {
    /// `None`: every unit.
    pub org_units: Option<Vec<OrgUnitCode>>,
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    pub employee_group: Option<String>,
    pub as_of: Instant,
}

/// Sort key: unit, date, employee group, id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadcountKey {
    pub org_unit: String,
    #[serde(with = "iso_date")]
    pub date: NaiveDate,
    pub employee_group: String,
    pub id: i64,
}

impl Stored<Headcount> {
    pub fn key(&self) -> HeadcountKey {
        HeadcountKey {
            org_unit: self.value.org_unit.to_string(),
            date: self.value.date,
            employee_group: self.value.employee_group.clone(),
            id: self.id,
        }
    }
}

pub async fn list_headcounts(
    db: &impl ConnectionTrait,
    filter: &HeadcountFilter,
    after: Option<&HeadcountKey>,
    limit: u64,
) -> Result<Vec<Stored<Headcount>>, StoreError> {
    use headcount::Column as C;
    let mut condition = Condition::all()
        .add(current_at(C::RecordedAt, C::SupersededAt, filter.as_of))
        .add(units_condition(C::OrgUnitCode, &filter.org_units));
    if let Some(from) = filter.from_date {
        condition = condition.add(C::SnapshotDate.gte(from));
    }
    if let Some(to) = filter.to_date {
        condition = condition.add(C::SnapshotDate.lte(to));
    }
    if let Some(group) = &filter.employee_group {
        condition = condition.add(C::EmployeeGroup.eq(group.as_str()));
    }
    if let Some(key) = after {
        condition = condition.add(keyset::after(&[
            (C::OrgUnitCode, Value::from(key.org_unit.clone())),
            (C::SnapshotDate, Value::from(key.date)),
            (C::EmployeeGroup, Value::from(key.employee_group.clone())),
            (C::Id, Value::from(key.id)),
        ]));
    }
    let rows = headcount::Entity::find()
        .filter(condition)
        .order_by_asc(C::OrgUnitCode)
        .order_by_asc(C::SnapshotDate)
        .order_by_asc(C::EmployeeGroup)
        .order_by_asc(C::Id)
        .limit(limit)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| stored(row.id, row, headcount_from_row))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Worked hours and hired staff: figures per unit, span and profession group

/// The filters of ListWorkedHours and ListHiredStaff, already validated.
#[derive(Debug, Clone)]
pub struct PeriodFilter {
    /// `None`: every unit.
    pub org_units: Option<Vec<OrgUnitCode>>,
    pub fiscal_year: Option<i32>,
    /// Figures whose span lies within these months.
    pub months: Option<(u8, u8)>,
    /// Only this group, not its sub-groups.
    pub profession: Option<ProfessionCode>,
    pub as_of: Instant,
}

/// Sort key: unit, profession display order, profession code, year, from month, to month, id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfessionPeriodKey {
    pub org_unit: String,
    pub display_order: i32,
    pub profession: String,
    pub fiscal_year: i32,
    pub from_month: i16,
    pub to_month: i16,
    pub id: i64,
}

impl Stored<WorkedHours> {
    pub fn key(&self, order: &ProfessionOrder) -> ProfessionPeriodKey {
        let v = &self.value;
        period_key(&v.org_unit, &v.profession, v.span, self.id, order)
    }
}

impl Stored<HiredStaff> {
    pub fn key(&self, order: &ProfessionOrder) -> ProfessionPeriodKey {
        let v = &self.value;
        period_key(&v.org_unit, &v.profession, v.span, self.id, order)
    }
}

fn period_key(
    unit: &OrgUnitCode,
    profession: &ProfessionCode,
    span: crate::domain::period::MonthSpan,
    id: i64,
    order: &ProfessionOrder,
) -> ProfessionPeriodKey {
    ProfessionPeriodKey {
        org_unit: unit.to_string(),
        display_order: order.of(profession),
        profession: profession.to_string(),
        fiscal_year: span.fiscal_year,
        from_month: i16::from(span.from),
        to_month: i16::from(span.to),
        id,
    }
}

/// The columns a profession-period table shares, so that one function builds the query of
/// both worked hours and hired staff.
struct PeriodColumns<C> {
    org_unit: C,
    fiscal_year: C,
    from_month: C,
    to_month: C,
    profession: C,
    id: C,
    recorded_at: C,
    superseded_at: C,
}

/// The filter condition (with the page's keyset) and the sort expressions.
fn period_query<C: ColumnTrait>(
    c: &PeriodColumns<C>,
    filter: &PeriodFilter,
    order: &ProfessionOrder,
    after: Option<&ProfessionPeriodKey>,
) -> (Condition, Vec<SimpleExpr>) {
    let mut condition = Condition::all()
        .add(current_at(c.recorded_at, c.superseded_at, filter.as_of))
        .add(units_condition(c.org_unit, &filter.org_units));
    if let Some(year) = filter.fiscal_year {
        condition = condition.add(c.fiscal_year.eq(year));
    }
    if let Some((from, to)) = filter.months {
        condition = condition
            .add(c.from_month.gte(i16::from(from)))
            .add(c.to_month.lte(i16::from(to)));
    }
    if let Some(profession) = &filter.profession {
        condition = condition.add(c.profession.eq(profession.as_str()));
    }
    let key = after.cloned().unwrap_or_default();
    let sort = sort_key(vec![
        (Some(c.org_unit.into_expr()), Value::from(key.org_unit)),
        (order.expr(c.profession), Value::from(key.display_order)),
        (Some(c.profession.into_expr()), Value::from(key.profession)),
        (
            Some(c.fiscal_year.into_expr()),
            Value::from(key.fiscal_year),
        ),
        (Some(c.from_month.into_expr()), Value::from(key.from_month)),
        (Some(c.to_month.into_expr()), Value::from(key.to_month)),
        (Some(c.id.into_expr()), Value::from(key.id)),
    ]);
    if after.is_some() {
        condition = condition.add(keyset::after_exprs(&sort));
    }
    (condition, sort.into_iter().map(|(expr, _)| expr).collect())
}

pub async fn list_worked_hours(
    db: &impl ConnectionTrait,
    filter: &PeriodFilter,
    order: &ProfessionOrder,
    after: Option<&ProfessionPeriodKey>,
    limit: u64,
) -> Result<Vec<Stored<WorkedHours>>, StoreError> {
    use worked_hours::Column as C;
    let columns = PeriodColumns {
        org_unit: C::OrgUnitCode,
        fiscal_year: C::FiscalYear,
        from_month: C::FromMonth,
        to_month: C::ToMonth,
        profession: C::ProfessionCode,
        id: C::Id,
        recorded_at: C::RecordedAt,
        superseded_at: C::SupersededAt,
    };
    let (condition, sort) = period_query(&columns, filter, order, after);
    let mut query = worked_hours::Entity::find().filter(condition);
    for expr in sort {
        query = query.order_by_asc(expr);
    }
    let rows = query.limit(limit).all(db).await?;
    rows.into_iter()
        .map(|row| stored(row.id, row, worked_hours_from_row))
        .collect()
}

pub async fn list_hired_staff(
    db: &impl ConnectionTrait,
    filter: &PeriodFilter,
    order: &ProfessionOrder,
    after: Option<&ProfessionPeriodKey>,
    limit: u64,
) -> Result<Vec<Stored<HiredStaff>>, StoreError> {
    use hired_staff::Column as C;
    let columns = PeriodColumns {
        org_unit: C::OrgUnitCode,
        fiscal_year: C::FiscalYear,
        from_month: C::FromMonth,
        to_month: C::ToMonth,
        profession: C::ProfessionCode,
        id: C::Id,
        recorded_at: C::RecordedAt,
        superseded_at: C::SupersededAt,
    };
    let (condition, sort) = period_query(&columns, filter, order, after);
    let mut query = hired_staff::Entity::find().filter(condition);
    for expr in sort {
        query = query.order_by_asc(expr);
    }
    let rows = query.limit(limit).all(db).await?;
    rows.into_iter()
        .map(|row| stored(row.id, row, hired_staff_from_row))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Sick leave

/// The filters of ListSickLeave, already validated. A dimension `None` is every value.
#[derive(Debug, Clone)]
pub struct SickLeaveFilter {
    pub org_units: Option<Vec<OrgUnitCode>>,
    pub fiscal_year: Option<i32>,
    pub months: Option<(u8, u8)>,
    pub gender: Option<SickLeaveGender>,
    pub age_band: Option<SickLeaveAgeBand>,
    pub length: Option<SickLeaveLength>,
    pub as_of: Instant,
}

/// Sort key: unit, year, from month, to month, gender, age band, length (ranks in enum
/// order), id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SickLeaveKey {
    pub org_unit: String,
    pub fiscal_year: i32,
    pub from_month: i16,
    pub to_month: i16,
    pub gender: i32,
    pub age_band: i32,
    pub length: i32,
    pub id: i64,
}

/// The position of `value` in the enum's declaration order (= the proto enum order).
fn rank_of<T: PartialEq>(all: &[T], value: &T) -> i32 {
    all.iter().position(|v| v == value).unwrap_or(all.len()) as i32
}

impl Stored<SickLeave> {
    pub fn key(&self) -> SickLeaveKey {
        let v = &self.value;
        SickLeaveKey {
            org_unit: v.org_unit.to_string(),
            fiscal_year: v.span.fiscal_year,
            from_month: i16::from(v.span.from),
            to_month: i16::from(v.span.to),
            gender: rank_of(SickLeaveGender::ALL, &v.gender),
            age_band: rank_of(SickLeaveAgeBand::ALL, &v.age_band),
            length: rank_of(SickLeaveLength::ALL, &v.length),
            id: self.id,
        }
    }
}

pub async fn list_sick_leave(
    db: &impl ConnectionTrait,
    filter: &SickLeaveFilter,
    after: Option<&SickLeaveKey>,
    limit: u64,
) -> Result<Vec<Stored<SickLeave>>, StoreError> {
    use sick_leave::Column as C;
    let mut condition = Condition::all()
        .add(current_at(C::RecordedAt, C::SupersededAt, filter.as_of))
        .add(units_condition(C::OrgUnitCode, &filter.org_units));
    if let Some(year) = filter.fiscal_year {
        condition = condition.add(C::FiscalYear.eq(year));
    }
    if let Some((from, to)) = filter.months {
        condition = condition
            .add(C::FromMonth.gte(i16::from(from)))
            .add(C::ToMonth.lte(i16::from(to)));
    }
    if let Some(gender) = filter.gender {
        condition = condition.add(C::Gender.eq(gender.as_str()));
    }
    if let Some(band) = filter.age_band {
        condition = condition.add(C::AgeBand.eq(band.as_str()));
    }
    if let Some(length) = filter.length {
        condition = condition.add(C::Length.eq(length.as_str()));
    }
    let key = after.cloned().unwrap_or_default();
    let sort = vec![
        (C::OrgUnitCode.into_expr(), Value::from(key.org_unit)),
        (C::FiscalYear.into_expr(), Value::from(key.fiscal_year)),
        (C::FromMonth.into_expr(), Value::from(key.from_month)),
        (C::ToMonth.into_expr(), Value::from(key.to_month)),
        (
            label_rank(C::Gender, SickLeaveGender::ALL.iter().map(|v| v.as_str())),
            Value::from(key.gender),
        ),
        (
            label_rank(C::AgeBand, SickLeaveAgeBand::ALL.iter().map(|v| v.as_str())),
            Value::from(key.age_band),
        ),
        (
            label_rank(C::Length, SickLeaveLength::ALL.iter().map(|v| v.as_str())),
            Value::from(key.length),
        ),
        (C::Id.into_expr(), Value::from(key.id)),
    ];
    if after.is_some() {
        condition = condition.add(keyset::after_exprs(&sort));
    }
    let mut query = sick_leave::Entity::find().filter(condition);
    for (expr, _) in sort {
        query = query.order_by_asc(expr);
    }
    let rows = query.limit(limit).all(db).await?;
    rows.into_iter()
        .map(|row| stored(row.id, row, sick_leave_from_row))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Positions

/// The filters of ListPositions, already validated.
#[derive(Debug, Clone)]
pub struct PositionFilter {
    pub org_units: Option<Vec<OrgUnitCode>>,
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    pub profession: Option<ProfessionCode>,
    pub as_of: Instant,
}

/// Sort key: unit, date, profession display order, profession code, id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionKey {
    pub org_unit: String,
    #[serde(with = "iso_date")]
    pub date: NaiveDate,
    pub display_order: i32,
    pub profession: String,
    pub id: i64,
}

impl Stored<Position> {
    pub fn key(&self, order: &ProfessionOrder) -> PositionKey {
        let v = &self.value;
        PositionKey {
            org_unit: v.org_unit.to_string(),
            date: v.date,
            display_order: order.of(&v.profession),
            profession: v.profession.to_string(),
            id: self.id,
        }
    }
}

pub async fn list_positions(
    db: &impl ConnectionTrait,
    filter: &PositionFilter,
    order: &ProfessionOrder,
    after: Option<&PositionKey>,
    limit: u64,
) -> Result<Vec<Stored<Position>>, StoreError> {
    use position::Column as C;
    let mut condition = Condition::all()
        .add(current_at(C::RecordedAt, C::SupersededAt, filter.as_of))
        .add(units_condition(C::OrgUnitCode, &filter.org_units));
    if let Some(from) = filter.from_date {
        condition = condition.add(C::SnapshotDate.gte(from));
    }
    if let Some(to) = filter.to_date {
        condition = condition.add(C::SnapshotDate.lte(to));
    }
    if let Some(profession) = &filter.profession {
        condition = condition.add(C::ProfessionCode.eq(profession.as_str()));
    }
    let key = after.cloned().unwrap_or_default();
    let sort = sort_key(vec![
        (Some(C::OrgUnitCode.into_expr()), Value::from(key.org_unit)),
        (Some(C::SnapshotDate.into_expr()), Value::from(key.date)),
        (
            order.expr(C::ProfessionCode),
            Value::from(key.display_order),
        ),
        (
            Some(C::ProfessionCode.into_expr()),
            Value::from(key.profession),
        ),
        (Some(C::Id.into_expr()), Value::from(key.id)),
    ]);
    if after.is_some() {
        condition = condition.add(keyset::after_exprs(&sort));
    }
    let mut query = position::Entity::find().filter(condition);
    for (expr, _) in sort {
        query = query.order_by_asc(expr);
    }
    let rows = query.limit(limit).all(db).await?;
    rows.into_iter()
        .map(|row| stored(row.id, row, position_from_row))
        .collect()
}
