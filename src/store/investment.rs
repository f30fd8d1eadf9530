//! Read queries on investment objects and their figures. Rows are versioned: an object or
//! figure is read as it stood at an instant (`current_at`), and objects are addressed by their
//! stable `investment_id`, never by the row id.

use super::aggregate::{Aggregation, KeyType, KeyValue, aggregate, aggregate_groups, units_of};
use super::entities::{investment, investment_figure};
use super::error::StoreError;
use super::history::current_at;
use super::investment_rows::{figures_from_row, investment_from_row};
use super::listing::{ListFilter, Listed};
use crate::domain::access::{Reach, UnitGroup};
use crate::domain::codes::InvestmentId;
use crate::domain::instant::Instant;
use crate::domain::investment::{
    FundingCategory, Investment, InvestmentFigures, InvestmentKind, InvestmentStatus,
};
use crate::domain::investment_summary::{InexactInvestmentSpan, InvestmentCell, InvestmentSums};
use crate::domain::period::MonthSpan;
use crate::domain::provenance::Provenance;
use crate::domain::validation::Violation;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeSet, HashMap};

/// Keeps IN lists under every backend's bind-parameter limit.
const IN_CHUNK: usize = 500;

/// A figure row with where it came from.
#[derive(Debug, Clone)]
pub struct StoredFigures {
    pub figures: InvestmentFigures,
    pub provenance: Provenance,
}

/// An object with where it came from and its figures, ordered by year, first and last month.
#[derive(Debug, Clone)]
pub struct StoredInvestment {
    pub investment: Investment,
    pub provenance: Provenance,
    pub figures: Vec<StoredFigures>,
}

impl StoredInvestment {
    /// The sort key of ListInvestments.
    pub fn key(&self) -> String {
        self.investment.id.to_string()
    }
}

/// The filters of ListInvestments (beyond unit scope and paging), already validated.
#[derive(Debug, Clone)]
pub struct InvestmentFilter {
    /// Objects with a figure of this year (within `months` when given).
    pub fiscal_year: Option<i32>,
    /// Only with `fiscal_year`: figures whose span lies within these months.
    pub months: Option<(u8, u8)>,
    pub status: Option<InvestmentStatus>,
    pub kind: Option<InvestmentKind>,
    pub funding: Option<FundingCategory>,
}

/// A listed object before its figures are read (`with_figures`).
#[derive(Debug, Clone)]
pub struct ListedInvestment {
    investment: Investment,
    provenance: Provenance,
}

impl TryFrom<investment::Model> for ListedInvestment {
    type Error = StoreError;

    fn try_from(row: investment::Model) -> Result<Self, StoreError> {
        let (investment, provenance) = investment_from_row(row)?;
        Ok(Self {
            investment,
            provenance,
        })
    }
}

impl ListFilter for InvestmentFilter {
    type Entity = investment::Entity;
    type Row = ListedInvestment;

    /// The objects matching the filter as they stood at `as_of`.
    fn condition(&self, as_of: Instant) -> Condition {
        use investment::Column as C;
        let mut condition = Condition::all();
        if let Some(status) = self.status {
            condition = condition.add(C::Status.eq(status.as_str()));
        }
        if let Some(kind) = self.kind {
            condition = condition.add(C::Kind.eq(kind.as_str()));
        }
        if let Some(funding) = self.funding {
            condition = condition.add(C::Funding.eq(funding.as_str()));
        }
        if self.fiscal_year.is_some() {
            condition = condition.add(
                C::InvestmentId.in_subquery(
                    Query::select()
                        .column(investment_figure::Column::InvestmentId)
                        .from(investment_figure::Entity)
                        .cond_where(figure_condition(self.fiscal_year, self.months, as_of))
                        .to_owned(),
                ),
            );
        }
        condition
    }
}

/// ListInvestments' order: object id (one current row per id at any instant), then row id.
impl Listed for investment::Entity {
    fn order() -> Vec<investment::Column> {
        vec![investment::Column::InvestmentId, investment::Column::Id]
    }
    fn unit_column() -> investment::Column {
        investment::Column::OrgUnitCode
    }
    fn history_columns() -> (investment::Column, investment::Column) {
        (
            investment::Column::RecordedAt,
            investment::Column::SupersededAt,
        )
    }
}

/// The figure condition of a filter: current at `as_of`, of the year, within the months.
fn figure_condition(
    fiscal_year: Option<i32>,
    months: Option<(u8, u8)>,
    as_of: Instant,
) -> Condition {
    use investment_figure::Column as F;
    let mut condition = Condition::all().add(current_at(F::RecordedAt, F::SupersededAt, as_of));
    if let Some(year) = fiscal_year {
        condition = condition.add(F::FiscalYear.eq(year));
        if let Some((from, to)) = months {
            condition = condition
                .add(F::FromMonth.gte(i16::from(from)))
                .add(F::ToMonth.lte(i16::from(to)));
        }
    }
    condition
}

/// One object as it stood at `as_of`, with all its figures; `None` when it did not exist
/// or its unit lies outside `reach`.
pub async fn get(
    db: &impl ConnectionTrait,
    reach: &Reach,
    id: &InvestmentId,
    as_of: Instant,
) -> Result<Option<StoredInvestment>, StoreError> {
    use investment::Column as C;
    // Versions of one id never overlap in time; the order only makes a broken row set
    // deterministic.
    let row = investment::Entity::find()
        .filter(current_at(C::RecordedAt, C::SupersededAt, as_of))
        .filter(C::InvestmentId.eq(id.as_str()))
        .order_by_desc(C::RecordedAt)
        .one(db)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let (investment, provenance) = investment_from_row(row)?;
    if !reach.contains(&investment.org_unit) {
        return Ok(None);
    }
    let mut figures = figures_of(
        db,
        std::slice::from_ref(&investment.id),
        figure_condition(None, None, as_of),
    )
    .await?;
    Ok(Some(StoredInvestment {
        investment,
        provenance,
        figures: figures.remove(id).unwrap_or_default(),
    }))
}

/// The listed objects with the figures that match the filter's year and months (all their
/// figures without a year filter), as they stood at `as_of`.
pub async fn with_figures(
    db: &impl ConnectionTrait,
    rows: Vec<ListedInvestment>,
    filter: &InvestmentFilter,
    as_of: Instant,
) -> Result<Vec<StoredInvestment>, StoreError> {
    let objects: Vec<(Investment, Provenance)> = rows
        .into_iter()
        .map(|r| (r.investment, r.provenance))
        .collect();
    let ids: Vec<InvestmentId> = objects.iter().map(|(i, _)| i.id.clone()).collect();
    let condition = figure_condition(filter.fiscal_year, filter.months, as_of);
    let mut figures = figures_of(db, &ids, condition).await?;
    Ok(objects
        .into_iter()
        .map(|(investment, provenance)| StoredInvestment {
            figures: figures.remove(&investment.id).unwrap_or_default(),
            investment,
            provenance,
        })
        .collect())
}

/// What SummarizeInvestments sums, aggregated in the database per group of units (the asked
/// unit alone, and each child's subtree): per funding category, status and kind, the budget
/// and outcome of the figures of `span`'s year inside its months, with the number of
/// objects; the months those figures cover; and the figures straddling the span.
pub async fn summary_cells(
    db: &impl ConnectionTrait,
    groups: &[UnitGroup],
    span: MonthSpan,
    as_of: Instant,
) -> Result<SummaryCells, StoreError> {
    use investment::Column as C;
    use investment_figure::Column as F;
    let (from, to) = (i16::from(span.from), i16::from(span.to));
    // Figures of the year joined to their object as it stood at `as_of`.
    let figures_of_year = |months: Condition| {
        Query::select()
            .from(investment_figure::Entity)
            .inner_join(
                investment::Entity,
                Condition::all()
                    .add(
                        Expr::col((investment::Entity, C::InvestmentId))
                            .equals((investment_figure::Entity, F::InvestmentId)),
                    )
                    .add(current_at(C::RecordedAt, C::SupersededAt, as_of)),
            )
            .cond_where(
                Condition::all()
                    .add(current_at(F::RecordedAt, F::SupersededAt, as_of))
                    .add(F::FiscalYear.eq(span.fiscal_year))
                    .add(months),
            )
            .to_owned()
    };
    let col = |c: C| -> SimpleExpr { Expr::col((investment::Entity, c)) };
    let fig = |c: F| -> SimpleExpr { Expr::col((investment_figure::Entity, c)) };
    let inside = Condition::all()
        .add(F::FromMonth.gte(from))
        .add(F::ToMonth.lte(to));
    let straddling = Condition::all()
        .add(F::FromMonth.lte(to))
        .add(F::ToMonth.gte(from))
        .add(
            Condition::any()
                .add(F::FromMonth.lt(from))
                .add(F::ToMonth.gt(to)),
        );
    let sums = Aggregation {
        base: figures_of_year(inside.clone()),
        unit_column: col(C::OrgUnitCode),
        keys: vec![
            (col(C::Funding), KeyType::Text),
            (col(C::Status), KeyType::Text),
            (col(C::Kind), KeyType::Text),
        ],
        sums: vec![fig(F::BudgetSek), fig(F::OutcomeSek)],
        distinct_counts: vec![fig(F::InvestmentId)],
    };
    let spans = Aggregation {
        base: figures_of_year(inside),
        unit_column: col(C::OrgUnitCode),
        keys: vec![
            (fig(F::FromMonth), KeyType::Int),
            (fig(F::ToMonth), KeyType::Int),
        ],
        sums: Vec::new(),
        distinct_counts: Vec::new(),
    };
    let left_out = Aggregation {
        base: figures_of_year(straddling),
        unit_column: col(C::OrgUnitCode),
        keys: vec![
            (fig(F::InvestmentId), KeyType::Text),
            (fig(F::FromMonth), KeyType::Int),
            (fig(F::ToMonth), KeyType::Int),
        ],
        sums: Vec::new(),
        distinct_counts: Vec::new(),
    };

    let by_group = aggregate_groups(db, &sums, groups).await?;
    // The spans are the whole answer's: read once over every group's units.
    let units = units_of(groups);

    let mut result = SummaryCells::default();
    for (g, cells) in groups.iter().zip(by_group) {
        let group = g.unit();
        for (key, cell) in cells {
            let corrupt = || StoreError::Corrupt(format!("investment summary key {key:?}"));
            let label = |i: usize| key[i].text().ok_or_else(corrupt);
            let stored = |v: Violation| StoreError::Corrupt(v.to_string());
            result.cells.push(InvestmentCell {
                unit: group.clone(),
                funding: FundingCategory::parse(label(0)?, "funding").map_err(stored)?,
                status: InvestmentStatus::parse(label(1)?, "status").map_err(stored)?,
                kind: InvestmentKind::parse(label(2)?, "kind").map_err(stored)?,
                sums: InvestmentSums {
                    budget_sek: cell.sums[0],
                    outcome_sek: cell.sums[1],
                    object_count: cell.counts[0] as usize,
                },
            });
        }
    }
    for key in aggregate(db, &spans, &units).await?.into_keys() {
        if let [KeyValue::Int(from), KeyValue::Int(to)] = key.as_slice() {
            result.covered.extend(*from as u8..=*to as u8);
        }
    }
    for key in aggregate(db, &left_out, &units).await?.into_keys() {
        if let [KeyValue::Text(id), KeyValue::Int(from), KeyValue::Int(to)] = key.as_slice() {
            result.inexact.push(InexactInvestmentSpan {
                investment: InvestmentId::from_stored(id.clone()),
                stored_span: MonthSpan::from_stored(span.fiscal_year, *from as i16, *to as i16),
            });
        }
    }
    Ok(result)
}

/// The database's part of an investment summary.
#[derive(Debug, Default)]
pub struct SummaryCells {
    pub cells: Vec<InvestmentCell>,
    pub covered: BTreeSet<u8>,
    pub inexact: Vec<InexactInvestmentSpan>,
}

/// The figures of `ids` matching `condition`, per object, ordered by year, first and last month.
async fn figures_of(
    db: &impl ConnectionTrait,
    ids: &[InvestmentId],
    condition: Condition,
) -> Result<HashMap<InvestmentId, Vec<StoredFigures>>, StoreError> {
    use investment_figure::Column as F;
    let mut by_object: HashMap<InvestmentId, Vec<StoredFigures>> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let rows = investment_figure::Entity::find()
            .filter(condition.clone())
            .filter(F::InvestmentId.is_in(chunk.iter().map(|i| i.as_str().to_owned())))
            .order_by_asc(F::FiscalYear)
            .order_by_asc(F::FromMonth)
            .order_by_asc(F::ToMonth)
            .all(db)
            .await?;
        for row in rows {
            let (figures, provenance) = figures_from_row(row)?;
            by_object
                .entry(figures.investment.clone())
                .or_default()
                .push(StoredFigures {
                    figures,
                    provenance,
                });
        }
    }
    Ok(by_object)
}
