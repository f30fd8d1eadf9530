//! What SummarizeStaffing sums, aggregated in the database through the shared aggregation
//! (`aggregate`): per group of units, the period tables (worked hours, hired staff, sick
//! leave) of the asked span and the same span a year earlier, and the snapshot tables
//! (headcounts, positions) at the asked date and a year earlier; with the months the summed
//! period figures cover and the stored spans left out because they straddle the span.

use super::aggregate::{Aggregation, Cell, KeyType, KeyValue, aggregate, aggregate_per_group};
use super::entities::{headcount, hired_staff, position, sick_leave, worked_hours};
use super::error::StoreError;
use super::history::current_at;
use crate::domain::access::UnitGroup;
use crate::domain::codes::{OrgUnitCode, ProfessionCode};
use crate::domain::decimal::ExactDecimal;
use crate::domain::instant::Instant;
use crate::domain::period::MonthSpan;
use crate::domain::staffing::{SickLeaveAgeBand, SickLeaveGender, SickLeaveLength};
use crate::domain::staffing_figures::{Compared, PositionColumns};
use crate::domain::staffing_summary::{
    HeadcountCell, HiredStaffSums, SickLeaveCell, StaffingCells, WorkedHoursCell,
};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The stored side of a staffing summary.
#[derive(Debug, Default)]
pub struct StaffingStored {
    /// The cells of each asked group of units, in the order asked.
    pub groups: Vec<(OrgUnitCode, StaffingCells)>,
    /// Per period table and fiscal year, the months the summed figures of the first group
    /// (the whole subtree) cover.
    pub covered: BTreeMap<(&'static str, i32), BTreeSet<u8>>,
    /// Per period table, the stored spans of the first group that straddle a span.
    pub straddling: BTreeSet<(&'static str, MonthSpan)>,
}

/// The columns a period table shares: unit, year, months and history.
struct PeriodTable<C> {
    name: &'static str,
    unit: C,
    year: C,
    from: C,
    to: C,
    recorded: C,
    superseded: C,
}

impl<C: ColumnTrait> PeriodTable<C> {
    /// The rows current at `as_of` of the asked year and the year before, within `months`.
    fn select<E: EntityTrait<Column = C>>(
        &self,
        entity: E,
        span: MonthSpan,
        as_of: Instant,
        months: Condition,
    ) -> SelectStatement {
        Query::select()
            .from(entity)
            .cond_where(
                Condition::all()
                    .add(current_at(self.recorded, self.superseded, as_of))
                    .add(self.year.is_in([span.fiscal_year, span.fiscal_year - 1]))
                    .add(months),
            )
            .to_owned()
    }

    /// Spans inside the asked months.
    fn inside(&self, span: MonthSpan) -> Condition {
        Condition::all()
            .add(self.from.gte(i16::from(span.from)))
            .add(self.to.lte(i16::from(span.to)))
    }

    /// An aggregation of the rows inside the span, keyed by `keys` and then the year.
    fn aggregation<E: EntityTrait<Column = C>>(
        &self,
        entity: E,
        span: MonthSpan,
        as_of: Instant,
        mut keys: Vec<(SimpleExpr, KeyType)>,
        sums: Vec<SimpleExpr>,
    ) -> Aggregation {
        keys.push((Expr::col(self.year), KeyType::Int));
        Aggregation {
            base: self.select(entity, span, as_of, self.inside(span)),
            unit_column: Expr::col(self.unit),
            keys,
            sums,
            distinct_counts: Vec::new(),
        }
    }

    /// Adds the months the table's summed rows cover and the spans straddling the span: one
    /// query for the stored spans sharing a month with the span, told apart here.
    async fn coverage<E: EntityTrait<Column = C>>(
        &self,
        db: &impl ConnectionTrait,
        entity: E,
        units: &[OrgUnitCode],
        span: MonthSpan,
        as_of: Instant,
        out: &mut StaffingStored,
    ) -> Result<(), StoreError> {
        let (from, to) = (i16::from(span.from), i16::from(span.to));
        let overlapping = Condition::all()
            .add(self.from.lte(to))
            .add(self.to.gte(from));
        let spans = Aggregation {
            base: self.select(entity, span, as_of, overlapping),
            unit_column: Expr::col(self.unit),
            keys: vec![
                (Expr::col(self.year), KeyType::Int),
                (Expr::col(self.from), KeyType::Int),
                (Expr::col(self.to), KeyType::Int),
            ],
            sums: Vec::new(),
            distinct_counts: Vec::new(),
        };
        for key in aggregate(db, &spans, units).await?.into_keys() {
            let Some(stored) = stored_span(&key) else {
                continue;
            };
            if stored.from >= span.from && stored.to <= span.to {
                out.covered
                    .entry((self.name, stored.fiscal_year))
                    .or_default()
                    .extend(stored.from..=stored.to);
            } else {
                out.straddling.insert((self.name, stored));
            }
        }
        Ok(())
    }
}

fn stored_span(key: &[KeyValue]) -> Option<MonthSpan> {
    match key {
        [KeyValue::Int(year), KeyValue::Int(from), KeyValue::Int(to)] => Some(
            MonthSpan::from_stored(*year as i32, *from as i16, *to as i16),
        ),
        _ => None,
    }
}

macro_rules! period_table {
    ($entity:ident, $name:literal) => {
        PeriodTable {
            name: $name,
            unit: $entity::Column::OrgUnitCode,
            year: $entity::Column::FiscalYear,
            from: $entity::Column::FromMonth,
            to: $entity::Column::ToMonth,
            recorded: $entity::Column::RecordedAt,
            superseded: $entity::Column::SupersededAt,
        }
    };
}

/// `SUM` of this is the number of rows where `column` is NULL.
fn nulls(column: impl ColumnTrait) -> SimpleExpr {
    Expr::case(column.is_null(), 1).finally(0).into()
}

/// `column` where `other` is reported too, else NULL.
fn where_reported(column: impl ColumnTrait, other: impl ColumnTrait) -> SimpleExpr {
    Expr::case(other.is_not_null(), Expr::col(column)).into()
}

fn corrupt(what: &str, key: &[KeyValue]) -> StoreError {
    StoreError::Corrupt(format!("staffing summary {what} key {key:?}"))
}

fn text<'k>(what: &str, key: &'k [KeyValue], i: usize) -> Result<&'k str, StoreError> {
    key.get(i)
        .and_then(KeyValue::text)
        .ok_or_else(|| corrupt(what, key))
}

/// Whether a key's last value (the year) is the year before the asked one.
fn is_prior(what: &str, key: &[KeyValue], span: MonthSpan) -> Result<bool, StoreError> {
    let year = key
        .last()
        .and_then(KeyValue::int)
        .ok_or_else(|| corrupt(what, key))?;
    Ok(year != i64::from(span.fiscal_year))
}

/// A summed column that counts only when no summed row lacks it (its NULL count is 0).
fn complete(cell: &Cell, sum: usize, nulls: usize) -> Option<i64> {
    cell.sums[sum].filter(|_| cell.sums[nulls] == Some(0))
}

fn scaled(value: Option<i64>) -> Option<rust_decimal::Decimal> {
    value.map(|v| ExactDecimal::from_scaled(v).value())
}

/// Sums every staffing table for each group: `groups[0]` is the whole subtree (its coverage
/// is reported), the others its parts. Sick-leave rates are read from the group's own unit
/// only, stored for exactly the span: a share is never summed over units or months.
pub async fn summary_cells(
    db: &impl ConnectionTrait,
    groups: &[UnitGroup],
    span: MonthSpan,
    dates: (NaiveDate, NaiveDate),
    as_of: Instant,
) -> Result<StaffingStored, StoreError> {
    let worked = period_table!(worked_hours, "worked_hours");
    let hired = period_table!(hired_staff, "hired_staff");
    let sick = period_table!(sick_leave, "sick_leave");

    let worked_sums = {
        use worked_hours::Column as C;
        worked.aggregation(
            worked_hours::Entity,
            span,
            as_of,
            vec![(Expr::col(C::ProfessionCode), KeyType::Text)],
            vec![Expr::col(C::HoursScaled)],
        )
    };
    let hired_sums = {
        use hired_staff::Column as C;
        hired.aggregation(
            hired_staff::Entity,
            span,
            as_of,
            vec![(Expr::col(C::ProfessionCode), KeyType::Text)],
            vec![
                Expr::col(C::CostSek),
                Expr::col(C::ForecastSek),
                Expr::col(C::PersonnelCostSek),
                Expr::col(C::HoursRequestedScaled),
                Expr::col(C::HoursFilledScaled),
                where_reported(C::CostSek, C::PersonnelCostSek),
                where_reported(C::PersonnelCostSek, C::CostSek),
            ],
        )
    };
    // A rate is a share of hours the database does not hold: neither summed nor averaged
    // over months, so only a rate stored for exactly the span (or the same span a year
    // earlier) answers it. One unit, one such span: each key holds one rate.
    let sick_rates = {
        use sick_leave::Column as C;
        let exact_span = Condition::all()
            .add(C::FromMonth.eq(i16::from(span.from)))
            .add(C::ToMonth.eq(i16::from(span.to)));
        Aggregation {
            base: sick.select(sick_leave::Entity, span, as_of, exact_span),
            unit_column: Expr::col(C::OrgUnitCode),
            keys: vec![
                (Expr::col(C::Gender), KeyType::Text),
                (Expr::col(C::AgeBand), KeyType::Text),
                (Expr::col(C::Length), KeyType::Text),
                (Expr::col(C::FiscalYear), KeyType::Int),
            ],
            sums: vec![Expr::col(C::RateScaled)],
            distinct_counts: Vec::new(),
        }
    };
    let headcounts_at = |date: NaiveDate| {
        use headcount::Column as C;
        Aggregation {
            base: Query::select()
                .from(headcount::Entity)
                .cond_where(
                    Condition::all()
                        .add(current_at(C::RecordedAt, C::SupersededAt, as_of))
                        .add(C::SnapshotDate.eq(date)),
                )
                .to_owned(),
            unit_column: Expr::col(C::OrgUnitCode),
            keys: vec![(Expr::col(C::EmployeeGroup), KeyType::Text)],
            sums: vec![
                Expr::col(C::Total),
                Expr::col(C::Women),
                Expr::col(C::Men),
                nulls(C::Women),
                nulls(C::Men),
            ],
            distinct_counts: Vec::new(),
        }
    };
    let positions_at = {
        use position::Column as C;
        Aggregation {
            base: Query::select()
                .from(position::Entity)
                .cond_where(
                    Condition::all()
                        .add(current_at(C::RecordedAt, C::SupersededAt, as_of))
                        .add(C::SnapshotDate.eq(dates.0)),
                )
                .to_owned(),
            unit_column: Expr::col(C::OrgUnitCode),
            keys: vec![(Expr::col(C::ProfessionCode), KeyType::Text)],
            sums: vec![
                Expr::col(C::FteBudgetScaled),
                Expr::col(C::FteNeededScaled),
                Expr::col(C::FteAvailableNowScaled),
                Expr::col(C::FteAvailableIn3MonthsScaled),
                Expr::col(C::FteHiredScaled),
                nulls(C::FteNeededScaled),
                nulls(C::FteAvailableNowScaled),
                nulls(C::FteAvailableIn3MonthsScaled),
                nulls(C::FteHiredScaled),
            ],
            distinct_counts: Vec::new(),
        }
    };

    // Each table is read once over the whole subtree, per unit, and folded into the groups
    // each unit belongs to: the whole (0) and its part. Sick leave is read for the groups'
    // own units only.
    let Some(whole) = groups.first() else {
        return Ok(StaffingStored::default());
    };
    let mut member: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut owner: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        let units: &[OrgUnitCode] = if i == 0 { whole.units() } else { g.units() };
        for unit in units {
            member.entry(unit.as_str()).or_default().push(i);
        }
        owner.entry(g.unit().as_str()).or_default().push(i);
    }
    let own_units: Vec<OrgUnitCode> = groups
        .iter()
        .map(|g| g.unit().clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let in_groups = |unit: &str| member.get(unit).map_or(&[][..], Vec::as_slice);
    let owned_by = |unit: &str| owner.get(unit).map_or(&[][..], Vec::as_slice);
    let n = groups.len();
    let units = whole.units();
    let mut worked_cells = aggregate_per_group(db, &worked_sums, units, n, in_groups).await?;
    let mut hired_cells = aggregate_per_group(db, &hired_sums, units, n, in_groups).await?;
    let mut sick_cells = aggregate_per_group(db, &sick_rates, &own_units, n, owned_by).await?;
    let mut headcount_cells = Vec::new();
    for (prior, date) in [(false, dates.0), (true, dates.1)] {
        let cells = aggregate_per_group(db, &headcounts_at(date), units, n, in_groups).await?;
        headcount_cells.push((prior, cells));
    }
    let mut position_cells = aggregate_per_group(db, &positions_at, units, n, in_groups).await?;

    let mut out = StaffingStored::default();
    for (i, g) in groups.iter().enumerate() {
        let group = g.unit();
        let mut cells = StaffingCells::default();
        for (key, cell) in std::mem::take(&mut worked_cells[i]) {
            cells.worked_hours.push(WorkedHoursCell {
                profession: ProfessionCode::from_stored(text("worked hours", &key, 0)?.into()),
                prior: is_prior("worked hours", &key, span)?,
                hours_scaled: cell.sums[0],
            });
        }
        let mut hired_by: BTreeMap<String, HiredStaffSums> = BTreeMap::new();
        for (key, cell) in std::mem::take(&mut hired_cells[i]) {
            let prior = is_prior("hired staff", &key, span)?;
            let sums = hired_by
                .entry(text("hired staff", &key, 0)?.to_owned())
                .or_default();
            let fields: [&mut Compared<i64>; 7] = [
                &mut sums.cost_sek,
                &mut sums.forecast_sek,
                &mut sums.personnel_cost_sek,
                &mut sums.hours_requested_scaled,
                &mut sums.hours_filled_scaled,
                &mut sums.cost_where_both_sek,
                &mut sums.personnel_where_both_sek,
            ];
            for (field, value) in fields.into_iter().zip(&cell.sums) {
                field.add(prior, *value);
            }
        }
        cells.hired_staff = hired_by
            .into_iter()
            .map(|(code, sums)| (ProfessionCode::from_stored(code), sums))
            .collect();
        for (key, cell) in std::mem::take(&mut sick_cells[i]) {
            let stored = |v: crate::domain::validation::Violation| {
                StoreError::Corrupt(format!("sick leave summary: {v}"))
            };
            let Some(rate) = cell.sums[0] else { continue };
            cells.sick_leave.push(SickLeaveCell {
                gender: SickLeaveGender::parse(text("sick leave", &key, 0)?, "gender")
                    .map_err(stored)?,
                age_band: SickLeaveAgeBand::parse(text("sick leave", &key, 1)?, "age_band")
                    .map_err(stored)?,
                length: SickLeaveLength::parse(text("sick leave", &key, 2)?, "length")
                    .map_err(stored)?,
                prior: is_prior("sick leave", &key, span)?,
                rate: ExactDecimal::from_scaled(rate).value(),
            });
        }
        for (prior, by_group) in &mut headcount_cells {
            for (key, cell) in std::mem::take(&mut by_group[i]) {
                cells.headcounts.push(HeadcountCell {
                    employee_group: text("headcount", &key, 0)?.to_owned(),
                    prior: *prior,
                    total: cell.sums[0].unwrap_or(0),
                    women: complete(&cell, 1, 3),
                    men: complete(&cell, 2, 4),
                });
            }
        }
        for (key, cell) in std::mem::take(&mut position_cells[i]) {
            cells.positions.push((
                ProfessionCode::from_stored(text("positions", &key, 0)?.into()),
                PositionColumns {
                    budget: scaled(cell.sums[0]),
                    needed: scaled(complete(&cell, 1, 5)),
                    available_now: scaled(complete(&cell, 2, 6)),
                    available_in_3_months: scaled(complete(&cell, 3, 7)),
                    hired: scaled(complete(&cell, 4, 8)),
                },
            ));
        }
        out.groups.push((group.clone(), cells));
    }
    worked
        .coverage(db, worked_hours::Entity, units, span, as_of, &mut out)
        .await?;
    hired
        .coverage(db, hired_staff::Entity, units, span, as_of, &mut out)
        .await?;
    sick.coverage(db, sick_leave::Entity, units, span, as_of, &mut out)
        .await?;
    Ok(out)
}
