//! Read queries on staffing: profession groups, and the filters and list orders of
//! headcounts, worked hours, hired staff, sick leave and positions. The lists themselves run
//! through the one list query (`listing::page`); their orders are stored columns (codes and
//! labels as stored), which an index serves.

use super::entities::{
    headcount, hired_staff, position, profession_group, sick_leave, worked_hours,
};
use super::error::StoreError;
use super::history::current_at;
use super::listing::{ListFilter, Listed};
use super::staffing_rows::{
    headcount_from_row, hired_staff_from_row, position_from_row, profession_group_from_row,
    sick_leave_from_row, worked_hours_from_row,
};
use crate::domain::codes::ProfessionCode;
use crate::domain::instant::Instant;
use crate::domain::provenance::Provenance;
use crate::domain::staffing::{
    Headcount, HiredStaff, Position, ProfessionGroup, SickLeave, SickLeaveAgeBand, SickLeaveGender,
    SickLeaveLength, WorkedHours,
};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

pub use super::listing::Stored;

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

/// The filters of ListHeadcounts (beyond unit scope and paging), already validated.
#[derive(Debug, Clone)]
pub struct HeadcountFilter {
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    pub employee_group: Option<String>,
}

impl ListFilter for HeadcountFilter {
    type Entity = headcount::Entity;
    type Row = Stored<Headcount>;
    fn condition(&self, _: Instant) -> Condition {
        use headcount::Column as C;
        date_range(C::SnapshotDate, self.from_date, self.to_date).add_option(
            self.employee_group
                .as_ref()
                .map(|group| C::EmployeeGroup.eq(group.as_str())),
        )
    }
}

/// The filters of ListWorkedHours and ListHiredStaff, already validated.
#[derive(Debug, Clone)]
pub struct PeriodFilter {
    pub fiscal_year: Option<i32>,
    /// Figures whose span lies within these months.
    pub months: Option<(u8, u8)>,
    /// Only this group, not its sub-groups.
    pub profession: Option<ProfessionCode>,
}

impl PeriodFilter {
    /// The condition on a table with these year, month and profession columns.
    pub fn condition<C: ColumnTrait>(&self, [year, from, to, profession]: [C; 4]) -> Condition {
        span_condition([year, from, to], self.fiscal_year, self.months).add_option(
            self.profession
                .as_ref()
                .map(|code| profession.eq(code.as_str())),
        )
    }
}

/// ListWorkedHours' filters.
#[derive(Debug, Clone)]
pub struct WorkedHoursFilter(pub PeriodFilter);

/// ListHiredStaff's filters.
#[derive(Debug, Clone)]
pub struct HiredStaffFilter(pub PeriodFilter);

impl ListFilter for WorkedHoursFilter {
    type Entity = worked_hours::Entity;
    type Row = Stored<WorkedHours>;
    fn condition(&self, _: Instant) -> Condition {
        use worked_hours::Column as C;
        self.0
            .condition([C::FiscalYear, C::FromMonth, C::ToMonth, C::ProfessionCode])
    }
}

impl ListFilter for HiredStaffFilter {
    type Entity = hired_staff::Entity;
    type Row = Stored<HiredStaff>;
    fn condition(&self, _: Instant) -> Condition {
        use hired_staff::Column as C;
        self.0
            .condition([C::FiscalYear, C::FromMonth, C::ToMonth, C::ProfessionCode])
    }
}

/// The filters of ListSickLeave, already validated.
#[derive(Debug, Clone)]
pub struct SickLeaveFilter {
    pub fiscal_year: Option<i32>,
    pub months: Option<(u8, u8)>,
    pub gender: Option<SickLeaveGender>,
    pub age_band: Option<SickLeaveAgeBand>,
    pub length: Option<SickLeaveLength>,
}

impl ListFilter for SickLeaveFilter {
    type Entity = sick_leave::Entity;
    type Row = Stored<SickLeave>;
    fn condition(&self, _: Instant) -> Condition {
        use sick_leave::Column as C;
        span_condition(
            [C::FiscalYear, C::FromMonth, C::ToMonth],
            self.fiscal_year,
            self.months,
        )
        .add_option(self.gender.map(|v| C::Gender.eq(v.as_str())))
        .add_option(self.age_band.map(|v| C::AgeBand.eq(v.as_str())))
        .add_option(self.length.map(|v| C::Length.eq(v.as_str())))
    }
}

/// The filters of ListPositions, already validated.
#[derive(Debug, Clone)]
pub struct PositionFilter {
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    pub profession: Option<ProfessionCode>,
}

impl ListFilter for PositionFilter {
    type Entity = position::Entity;
    type Row = Stored<Position>;
    fn condition(&self, _: Instant) -> Condition {
        use position::Column as C;
        date_range(C::SnapshotDate, self.from_date, self.to_date).add_option(
            self.profession
                .as_ref()
                .map(|code| C::ProfessionCode.eq(code.as_str())),
        )
    }
}

/// Snapshots dated within the range (each bound optional).
fn date_range(
    column: impl ColumnTrait,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Condition {
    Condition::all()
        .add_option(from.map(|from| column.gte(from)))
        .add_option(to.map(|to| column.lte(to)))
}

/// Figures of the year whose span lies within the months.
fn span_condition<C: ColumnTrait>(
    [year, from, to]: [C; 3],
    fiscal_year: Option<i32>,
    months: Option<(u8, u8)>,
) -> Condition {
    Condition::all()
        .add_option(fiscal_year.map(|y| year.eq(y)))
        .add_option(months.map(|(f, t)| {
            Condition::all()
                .add(from.gte(i16::from(f)))
                .add(to.lte(i16::from(t)))
        }))
}

/// Lists every staffing table: ordered by the given columns, unit first and row id last.
macro_rules! listed {
    ($entity:ident, $domain:ident, $from_row:ident, [$($order:ident),+]) => {
        impl Listed for $entity::Entity {
            fn order() -> Vec<$entity::Column> {
                vec![$($entity::Column::$order),+]
            }
            fn unit_column() -> $entity::Column {
                $entity::Column::OrgUnitCode
            }
            fn history_columns() -> ($entity::Column, $entity::Column) {
                ($entity::Column::RecordedAt, $entity::Column::SupersededAt)
            }
        }

        impl TryFrom<$entity::Model> for Stored<$domain> {
            type Error = StoreError;

            fn try_from(row: $entity::Model) -> Result<Self, StoreError> {
                stored(row.id, row, $from_row)
            }
        }
    };
}

listed!(
    headcount,
    Headcount,
    headcount_from_row,
    [OrgUnitCode, SnapshotDate, EmployeeGroup, Id]
);
listed!(
    worked_hours,
    WorkedHours,
    worked_hours_from_row,
    [
        OrgUnitCode,
        ProfessionCode,
        FiscalYear,
        FromMonth,
        ToMonth,
        Id
    ]
);
listed!(
    hired_staff,
    HiredStaff,
    hired_staff_from_row,
    [
        OrgUnitCode,
        ProfessionCode,
        FiscalYear,
        FromMonth,
        ToMonth,
        Id
    ]
);
listed!(
    sick_leave,
    SickLeave,
    sick_leave_from_row,
    [
        OrgUnitCode,
        FiscalYear,
        FromMonth,
        ToMonth,
        Gender,
        AgeBand,
        Length,
        Id
    ]
);
listed!(
    position,
    Position,
    position_from_row,
    [OrgUnitCode, SnapshotDate, ProfessionCode, Id]
);
