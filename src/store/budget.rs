//! Queries on account categories and budget lines.

use super::aggregate::{Aggregation, KeyType, KeyValue, aggregate, aggregate_groups, units_of};
use super::entities::{budget_line, category};
use super::error::StoreError;
use super::history::{WriteMeta, current_at, provenance, supersede};
use super::listing::{ListFilter, Listed};
use crate::domain::access::UnitGroup;
use crate::domain::budget::BudgetLine;
use crate::domain::category::{Category, Direction};
use crate::domain::codes::{CategoryCode, OrgUnitCode};
use crate::domain::instant::Instant;
use crate::domain::period::MonthSpan;
use crate::domain::provenance::{Provenance, Source};
use crate::domain::scenario::Scenario;
use crate::domain::summary::SummaryLine;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// A stored category with where it came from.
#[derive(Debug, Clone)]
pub struct StoredCategory {
    pub category: Category,
    pub provenance: Provenance,
}

/// Every category current at `as_of`, ordered by display order, then code.
pub async fn categories(
    db: &impl ConnectionTrait,
    as_of: Instant,
) -> Result<Vec<StoredCategory>, StoreError> {
    let rows = category::Entity::find()
        .filter(current_at(
            category::Column::RecordedAt,
            category::Column::SupersededAt,
            as_of,
        ))
        .order_by_asc(category::Column::DisplayOrder)
        .order_by_asc(category::Column::Code)
        .all(db)
        .await?;
    rows.into_iter().map(category_to_domain).collect()
}

pub(crate) fn category_to_domain(row: category::Model) -> Result<StoredCategory, StoreError> {
    let direction = Direction::parse(&row.direction, "direction")
        .map_err(|v| StoreError::Corrupt(format!("category {}: {v}", row.code)))?;
    Ok(StoredCategory {
        category: Category {
            code: CategoryCode::from_stored(row.code),
            name: row.name,
            direction,
            parent: row.parent_code.map(CategoryCode::from_stored),
            display_order: row.display_order,
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

/// A stored budget line with where it came from.
#[derive(Debug, Clone)]
pub struct StoredBudgetLine {
    pub id: i64,
    pub org_unit: OrgUnitCode,
    pub category: CategoryCode,
    pub span: MonthSpan,
    pub scenario: Scenario,
    pub amount_sek: i64,
    pub provenance: Provenance,
}

/// The filters of ListBudgetLines (beyond unit scope and paging), already validated.
#[derive(Debug, Clone)]
pub struct LineFilter {
    pub fiscal_year: Option<i32>,
    /// Lines whose span lies within these months.
    pub months: Option<(u8, u8)>,
    pub category: Option<CategoryCode>,
    pub scenario: Option<Scenario>,
}

impl ListFilter for LineFilter {
    type Entity = budget_line::Entity;
    type Row = StoredBudgetLine;
    fn condition(&self, _: Instant) -> Condition {
        use budget_line::Column as C;
        let mut condition = Condition::all();
        if let Some(year) = self.fiscal_year {
            condition = condition.add(C::FiscalYear.eq(year));
        }
        if let Some((from, to)) = self.months {
            condition = condition
                .add(C::FromMonth.gte(i16::from(from)))
                .add(C::ToMonth.lte(i16::from(to)));
        }
        if let Some(category) = &self.category {
            condition = condition.add(C::CategoryCode.eq(category.as_str()));
        }
        if let Some(scenario) = self.scenario {
            condition = condition.add(C::Scenario.eq(scenario.as_str()));
        }
        condition
    }
}

/// ListBudgetLines' order: unit, category, year, scenario, from month, id (the index
/// `ix_budget_lines_list_order`).
impl Listed for budget_line::Entity {
    fn order() -> Vec<budget_line::Column> {
        use budget_line::Column as C;
        vec![
            C::OrgUnitCode,
            C::CategoryCode,
            C::FiscalYear,
            C::Scenario,
            C::FromMonth,
            C::Id,
        ]
    }
    fn unit_column() -> budget_line::Column {
        budget_line::Column::OrgUnitCode
    }
    fn history_columns() -> (budget_line::Column, budget_line::Column) {
        (
            budget_line::Column::RecordedAt,
            budget_line::Column::SupersededAt,
        )
    }
}

/// The lines a summary of `span` reads: the year's actual lines sharing months with the
/// span, all of the year's budget and forecast lines (the full-year figures sum those
/// outside the span), and the year before's actual lines sharing months. Written as two
/// terms that each fix the year, so that every backend serves each from its year index (an
/// OR whose terms do not all fix the year made SQLite scan the table).
fn summary_condition(span: MonthSpan) -> Condition {
    use budget_line::Column as C;
    // Scenarios and months inline (constants and validated numbers): as parameters,
    // PostgreSQL's generic plan (from a statement's sixth run on) read the year before
    // through the list index, over every year of the units, where inline values let it
    // read only the years asked for.
    let (from, to) = (i16::from(span.from), i16::from(span.to));
    let (actual, budget, forecast) = (
        Scenario::Actual.as_str(),
        Scenario::Budget.as_str(),
        Scenario::Forecast.as_str(),
    );
    // A whole year overlaps every span of its year: no month test, which would only cost
    // the database a comparison on every line it sums.
    let (this_year, last_year) = if span.is_whole_year() {
        (
            format!("scenario IN ('{actual}', '{budget}', '{forecast}')"),
            format!("scenario = '{actual}'"),
        )
    } else {
        let overlapping = format!("from_month <= {to} AND to_month >= {from}");
        (
            format!(
                "(scenario IN ('{budget}', '{forecast}') \
                 OR (scenario = '{actual}' AND {overlapping}))"
            ),
            format!("scenario = '{actual}' AND {overlapping}"),
        )
    };
    Condition::any()
        .add(
            Condition::all()
                .add(C::FiscalYear.eq(span.fiscal_year))
                .add(Expr::cust(this_year)),
        )
        .add(
            Condition::all()
                .add(C::FiscalYear.eq(span.fiscal_year - 1))
                .add(Expr::cust(last_year)),
        )
}

/// What a summary of `span` sums (see `summary_condition`), aggregated in the database in
/// one `GROUP BY` for each group of units (the whole subtree, or each child's subtree): one
/// line per category, scenario, year and stored span. Lines come summed with the group's
/// unit, except actual and budget lines whose span straddles the asked months: those stay
/// per unit (a key that is the unit only for such lines), so the summary can name the line
/// it left out. No stored span straddles the whole year, so a year's summary goes without
/// that key (PostgreSQL then groups as fast as by the plain columns).
pub async fn summary_lines(
    db: &impl ConnectionTrait,
    groups: &[UnitGroup],
    span: MonthSpan,
    as_of: Instant,
) -> Result<Vec<SummaryLine>, StoreError> {
    use budget_line::Column as C;
    let (from, to) = (i16::from(span.from), i16::from(span.to));
    // The months inline (validated numbers): a key with bind parameters would be a
    // different expression in SELECT and GROUP BY to PostgreSQL.
    let straddling_unit = Expr::cust(format!(
        "CASE WHEN scenario <> '{forecast}' AND from_month <= {to} AND to_month >= {from} \
         AND (from_month < {from} OR to_month > {to}) THEN org_unit_code END",
        forecast = Scenario::Forecast.as_str()
    ));
    let mut keys = vec![
        (Expr::col(C::CategoryCode), KeyType::Text),
        (Expr::col(C::Scenario), KeyType::Text),
        (Expr::col(C::FiscalYear), KeyType::Int),
        (Expr::col(C::FromMonth), KeyType::Int),
        (Expr::col(C::ToMonth), KeyType::Int),
    ];
    if !span.is_whole_year() {
        keys.push((straddling_unit, KeyType::Text));
    }
    let aggregation = Aggregation {
        base: sea_orm::sea_query::Query::select()
            .from(budget_line::Entity)
            .cond_where(
                Condition::all()
                    .add(current_at(C::RecordedAt, C::SupersededAt, as_of))
                    .add(summary_condition(span)),
            )
            .to_owned(),
        unit_column: Expr::col(C::OrgUnitCode),
        keys,
        sums: vec![Expr::col(C::AmountSek)],
        distinct_counts: Vec::new(),
    };
    // Small groups (a division's departments) in one query per unit rather than a query
    // each; large ones (a region's divisions) a query each, whose answers are per group.
    let cells = if units_of(groups).len() <= 4 * groups.len() {
        aggregate_groups(db, &aggregation, groups).await?
    } else {
        let mut cells = Vec::with_capacity(groups.len());
        for g in groups {
            cells.push(aggregate(db, &aggregation, g.units()).await?);
        }
        cells
    };
    let mut lines = Vec::new();
    for (g, cells) in groups.iter().zip(cells) {
        let group = g.unit();
        for (key, cell) in cells {
            let [category, scenario, year, from, to, straddling @ ..] = key.as_slice() else {
                unreachable!("five or six keys");
            };
            let corrupt = || StoreError::Corrupt(format!("budget summary key {key:?}"));
            lines.push(SummaryLine {
                org_unit: straddling
                    .first()
                    .and_then(KeyValue::text)
                    .map_or_else(|| group.clone(), |u| OrgUnitCode::from_stored(u.into())),
                category: CategoryCode::from_stored(category.text().ok_or_else(corrupt)?.into()),
                scenario: parse_scenario(scenario.text().ok_or_else(corrupt)?)?,
                span: MonthSpan::from_stored(
                    year.int().ok_or_else(corrupt)? as i32,
                    from.int().ok_or_else(corrupt)? as i16,
                    to.int().ok_or_else(corrupt)? as i16,
                ),
                amount_sek: cell.sums[0].unwrap_or(0),
            });
        }
    }
    Ok(lines)
}

fn parse_scenario(value: &str) -> Result<Scenario, StoreError> {
    Scenario::parse(value, "scenario").map_err(|v| StoreError::Corrupt(v.to_string()))
}

impl TryFrom<budget_line::Model> for StoredBudgetLine {
    type Error = StoreError;

    fn try_from(row: budget_line::Model) -> Result<Self, StoreError> {
        line_to_domain(row)
    }
}

pub(crate) fn line_to_domain(row: budget_line::Model) -> Result<StoredBudgetLine, StoreError> {
    Ok(StoredBudgetLine {
        id: row.id,
        org_unit: OrgUnitCode::from_stored(row.org_unit_code),
        category: CategoryCode::from_stored(row.category_code),
        span: MonthSpan::from_stored(row.fiscal_year, row.from_month, row.to_month),
        scenario: parse_scenario(&row.scenario)?,
        amount_sek: row.amount_sek,
        provenance: provenance(
            row.source_document,
            row.source_table,
            row.import_id,
            row.recorded_at,
            row.superseded_at,
        ),
    })
}

/// The current (not superseded) rows of the given category codes, for the importer.
pub async fn current_category_rows(
    db: &impl ConnectionTrait,
    codes: &[String],
) -> Result<Vec<category::Model>, StoreError> {
    super::facts::current_rows::<category::Entity, _>(
        db,
        category::Column::Code,
        category::Column::SupersededAt,
        codes,
    )
    .await
}

/// Marks `superseded` categories and inserts the new ones, in the caller's transaction; the
/// id of the first new one.
pub async fn write_categories(
    db: &impl ConnectionTrait,
    inserts: &[(Category, Source)],
    superseded: &[i64],
    meta: WriteMeta,
) -> Result<i64, StoreError> {
    supersede::<category::Entity>(
        db,
        category::Column::Id,
        category::Column::SupersededAt,
        superseded,
        meta.recorded_at,
    )
    .await?;
    let rows = inserts.iter().map(|(c, source)| category::ActiveModel {
        code: Set(c.code.to_string()),
        name: Set(c.name.clone()),
        direction: Set(c.direction.as_str().to_owned()),
        parent_code: Set(c.parent.as_ref().map(ToString::to_string)),
        display_order: Set(c.display_order),
        source_document: Set(source.document.clone()),
        source_table: Set(source.table.clone()),
        import_id: Set(meta.import_id),
        recorded_at: Set(meta.recorded_at.micros()),
        superseded_at: Set(None),
        ..Default::default()
    });
    super::bulk::insert(db, rows.collect()).await
}

/// The current lines of the given series (unit, category, year; every scenario), for the
/// importer's key and overlap checks: only what a batch's records can meet.
pub async fn current_lines_for(
    db: &impl ConnectionTrait,
    series: &[(String, String, i32)],
) -> Result<Vec<StoredBudgetLine>, StoreError> {
    use budget_line::Column as C;
    use std::collections::BTreeSet;
    let mut lines = Vec::new();
    for chunk in series.chunks(300) {
        // One IN list per column, not a list of tuples: every database plans the lists as
        // an index range on the unit, while PostgreSQL plans a tuple list as an OR per row
        // of the table. The lists name a superset, which the exact series filter below.
        let wanted: BTreeSet<(&str, &str, i32)> = chunk
            .iter()
            .map(|(unit, category, year)| (unit.as_str(), category.as_str(), *year))
            .collect();
        let units: BTreeSet<&str> = wanted.iter().map(|s| s.0).collect();
        let categories: BTreeSet<&str> = wanted.iter().map(|s| s.1).collect();
        let years: BTreeSet<i32> = wanted.iter().map(|s| s.2).collect();
        let rows = budget_line::Entity::find()
            .filter(C::SupersededAt.is_null())
            .filter(C::OrgUnitCode.is_in(units))
            .filter(C::CategoryCode.is_in(categories))
            .filter(C::FiscalYear.is_in(years))
            .all(db)
            .await?;
        for row in rows {
            if wanted.contains(&(
                row.org_unit_code.as_str(),
                row.category_code.as_str(),
                row.fiscal_year,
            )) {
                lines.push(line_to_domain(row)?);
            }
        }
    }
    Ok(lines)
}

/// Budget lines hold what their change-log entries say.
pub const LINE_LOG: super::changes::RowLog = super::changes::RowLog {
    table: "budget_lines",
    owner_column: "org_unit_code",
};

/// Marks `superseded` lines and inserts the new ones, in the caller's transaction; the id of
/// the first new line (the others follow in order).
pub async fn write_lines(
    db: &impl ConnectionTrait,
    inserts: &[(BudgetLine, Source)],
    superseded: &[i64],
    meta: WriteMeta,
) -> Result<i64, StoreError> {
    use sea_orm::Value;
    supersede::<budget_line::Entity>(
        db,
        budget_line::Column::Id,
        budget_line::Column::SupersededAt,
        superseded,
        meta.recorded_at,
    )
    .await?;
    if inserts.is_empty() {
        return Ok(0);
    }
    let first = super::bulk::take_ids(db, "budget_lines", inserts.len()).await?;
    // The values straight from the lines: no active model per line to copy them out of.
    let mut rows = super::bulk::Rows::new(
        "budget_lines",
        [
            "id",
            "org_unit_code",
            "category_code",
            "fiscal_year",
            "from_month",
            "to_month",
            "scenario",
            "amount_sek",
            "source_document",
            "source_table",
            "import_id",
            "recorded_at",
            "superseded_at",
        ]
        .map(str::to_owned)
        .to_vec(),
    );
    rows.reserve(inserts.len());
    for ((line, source), id) in inserts.iter().zip(first..) {
        rows.push([
            Value::BigInt(Some(id)),
            Value::String(Some(line.org_unit.to_string())),
            Value::String(Some(line.category.to_string())),
            Value::Int(Some(line.span.fiscal_year)),
            Value::SmallInt(Some(i16::from(line.span.from))),
            Value::SmallInt(Some(i16::from(line.span.to))),
            Value::String(Some(line.scenario.as_str().to_owned())),
            Value::BigInt(Some(line.amount_sek)),
            Value::String(Some(source.document.clone())),
            Value::String(source.table.clone()),
            Value::BigInt(Some(meta.import_id)),
            Value::BigInt(Some(meta.recorded_at.micros())),
            Value::BigInt(None),
        ]);
    }
    rows.insert(db).await?;
    Ok(first)
}
