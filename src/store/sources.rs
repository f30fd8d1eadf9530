//! Where a summary's figures come from: the distinct sources (document, table, import) of the
//! stored rows a summary reads, current at an instant. One query for every fact table; each
//! summary names the tables it reads and which of their rows (`*_summary` below), so that its
//! provenance follows the same rows as its sums.

use super::error::StoreError;
use crate::domain::access::UnitGroup;
use crate::domain::instant::Instant;
use crate::domain::period::MonthSpan;
use crate::domain::scenario::Scenario;
use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query, SelectStatement, UnionType};
use std::collections::BTreeSet;

/// Units per IN list: far under every backend's bind-parameter limit.
const UNIT_CHUNK: usize = 1000;

/// A source of some of a summary's figures: a document table and the import that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImportedSource {
    /// The kind of the rows, as in the record format ("budget_line", "hired_staff", …).
    pub kind: String,
    pub document: String,
    pub table: Option<String>,
    pub import_id: i64,
}

/// A fact table whose rows cover a month span of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanTable {
    /// Budget lines of these scenarios.
    BudgetLines(&'static [Scenario]),
    InvestmentFigures,
    WorkedHours,
    HiredStaff,
    SickLeave,
    /// Indicator outcomes, of indicators in this goal area when given.
    IndicatorOutcomes(Option<String>),
}

/// A fact table whose rows belong to a fiscal year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearTable {
    Spans(SpanTable),
    /// Indicator targets, of indicators in this goal area when given.
    IndicatorTargets(Option<String>),
}

/// A fact table whose rows are snapshots at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotTable {
    Headcounts,
    Positions,
}

/// Which rows of a fact table a summary reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Covered {
    /// Rows of the span's year whose months share a month with the span (those inside it,
    /// and those that straddle it and are named as left out).
    Months(SpanTable, MonthSpan),
    /// Every row of a fiscal year (full-year figures read whatever span is asked).
    Year(YearTable, i32),
    /// Snapshot rows dated on one of these days.
    Dates(SnapshotTable, Vec<NaiveDate>),
}

/// What SummarizeBudget reads: the span's actual lines, the year's budget and forecast
/// lines (the full-year figures), and the actual lines of the same span a year earlier.
pub fn budget_summary(span: MonthSpan) -> Vec<Covered> {
    const ACTUAL: &[Scenario] = &[Scenario::Actual];
    const FULL_YEAR: &[Scenario] = &[Scenario::Budget, Scenario::Forecast];
    vec![
        Covered::Months(SpanTable::BudgetLines(ACTUAL), span),
        Covered::Year(
            YearTable::Spans(SpanTable::BudgetLines(FULL_YEAR)),
            span.fiscal_year,
        ),
        Covered::Months(SpanTable::BudgetLines(ACTUAL), span.prior_year()),
    ]
}

/// What SummarizeInvestments reads: the figures of the span, with their objects.
pub fn investment_summary(span: MonthSpan) -> Vec<Covered> {
    vec![Covered::Months(SpanTable::InvestmentFigures, span)]
}

/// What SummarizeStaffing reads: the period figures of the span and of the same span a year
/// earlier, and the snapshots at the date and a year earlier.
pub fn staffing_summary(span: MonthSpan, dates: [NaiveDate; 2]) -> Vec<Covered> {
    let mut covered = Vec::new();
    for table in [
        SpanTable::WorkedHours,
        SpanTable::HiredStaff,
        SpanTable::SickLeave,
    ] {
        covered.push(Covered::Months(table.clone(), span));
        covered.push(Covered::Months(table, span.prior_year()));
    }
    for table in [SnapshotTable::Headcounts, SnapshotTable::Positions] {
        covered.push(Covered::Dates(table, dates.to_vec()));
    }
    covered
}

/// What SummarizeIndicators reads: the targets and outcomes of the year, with their
/// indicators. (The prior year's outcome an increase or decrease target compares with is
/// not named: it is one indicator's, and the year's other indicators' would be named too.)
pub fn indicator_summary(fiscal_year: i32, goal_area: Option<&str>) -> Vec<Covered> {
    let area = goal_area.map(str::to_owned);
    vec![
        Covered::Year(YearTable::IndicatorTargets(area.clone()), fiscal_year),
        Covered::Year(
            YearTable::Spans(SpanTable::IndicatorOutcomes(area)),
            fiscal_year,
        ),
    ]
}

/// Where a table's rows find their unit: their own column, or the row of an owner table that
/// shares a key (an investment's figures, an indicator's targets and outcomes).
struct Shape {
    table: &'static str,
    kind: &'static str,
    owner: Option<Owner>,
    scenarios: &'static [Scenario],
}

struct Owner {
    table: &'static str,
    kind: &'static str,
    key: &'static str,
    goal_area: Option<String>,
}

fn span_shape(table: &SpanTable) -> Shape {
    let own = |table, kind| Shape {
        table,
        kind,
        owner: None,
        scenarios: &[],
    };
    match table {
        SpanTable::BudgetLines(scenarios) => Shape {
            scenarios,
            ..own("budget_lines", "budget_line")
        },
        SpanTable::InvestmentFigures => Shape {
            owner: Some(Owner {
                table: "investments",
                kind: "investment",
                key: "investment_id",
                goal_area: None,
            }),
            ..own("investment_figures", "investment_figure")
        },
        SpanTable::WorkedHours => own("worked_hours", "worked_hours"),
        SpanTable::HiredStaff => own("hired_staff", "hired_staff"),
        SpanTable::SickLeave => own("sick_leave", "sick_leave"),
        SpanTable::IndicatorOutcomes(area) => Shape {
            owner: Some(indicator_owner(area)),
            ..own("indicator_outcomes", "indicator_outcome")
        },
    }
}

fn indicator_owner(goal_area: &Option<String>) -> Owner {
    Owner {
        table: "indicators",
        kind: "indicator",
        key: "indicator_code",
        goal_area: goal_area.clone(),
    }
}

impl Covered {
    /// The table and the condition on its rows (`t`) beyond unit and history.
    fn shape_and_period(&self) -> (Shape, Condition) {
        let col = |name: &str| Expr::col((Alias::new("t"), Alias::new(name)));
        match self {
            Covered::Months(table, span) => (
                span_shape(table),
                Condition::all()
                    .add(col("fiscal_year").eq(span.fiscal_year))
                    .add(col("from_month").lte(i16::from(span.to)))
                    .add(col("to_month").gte(i16::from(span.from))),
            ),
            Covered::Year(table, year) => {
                let shape = match table {
                    YearTable::Spans(table) => span_shape(table),
                    YearTable::IndicatorTargets(area) => Shape {
                        table: "indicator_targets",
                        kind: "indicator_target",
                        owner: Some(indicator_owner(area)),
                        scenarios: &[],
                    },
                };
                (shape, Condition::all().add(col("fiscal_year").eq(*year)))
            }
            Covered::Dates(table, dates) => {
                let (name, kind) = match table {
                    SnapshotTable::Headcounts => ("headcounts", "headcount"),
                    SnapshotTable::Positions => ("positions", "position"),
                };
                let shape = Shape {
                    table: name,
                    kind,
                    owner: None,
                    scenarios: &[],
                };
                let condition = Condition::all().add(col("snapshot_date").is_in(dates.clone()));
                (shape, condition)
            }
        }
    }
}

/// Rows of `alias` recorded at or before `at` and not superseded by then.
fn current_at(alias: &str, at: Instant) -> Condition {
    let col = |name: &str| Expr::col((Alias::new(alias), Alias::new(name)));
    Condition::all()
        .add(col("recorded_at").lte(at.micros()))
        .add(
            Condition::any()
                .add(col("superseded_at").is_null())
                .add(col("superseded_at").gt(at.micros())),
        )
}

/// The distinct sources of the rows each of `covered` names, of `group`'s units, current at
/// `as_of`:
/// the rows' own, and their owners' (an investment figure's object, an outcome's indicator).
/// Ordered by kind, document, table, import.
pub async fn sources(
    db: &impl ConnectionTrait,
    covered: &[Covered],
    group: &UnitGroup,
    as_of: Instant,
) -> Result<Vec<ImportedSource>, StoreError> {
    let mut found = BTreeSet::new();
    for chunk in group.units().chunks(UNIT_CHUNK) {
        let names: Vec<String> = chunk.iter().map(|u| u.as_str().to_owned()).collect();
        // One statement for the whole summary: the selects of every table, in a UNION.
        let mut selects = Vec::new();
        for item in covered {
            let (shape, period) = item.shape_and_period();
            selects.push(select_sources(&shape, period.clone(), &names, "t", as_of));
            if shape.owner.is_some() {
                selects.push(select_sources(&shape, period, &names, "o", as_of));
            }
        }
        let Some(mut union) = selects.pop() else {
            break;
        };
        for select in selects {
            union.union(UnionType::Distinct, select);
        }
        for row in db.query_all(&union).await? {
            found.insert(ImportedSource {
                kind: row.try_get("", "kind")?,
                document: row.try_get("", "document")?,
                table: row.try_get("", "source_table")?,
                import_id: row.try_get("", "import_id")?,
            });
        }
    }
    Ok(found.into_iter().collect())
}

/// `SELECT DISTINCT` the source columns of `alias` (`t` the fact rows, `o` their owners) over
/// the fact rows of `units` that `period` covers, joined with their current owners.
fn select_sources(
    shape: &Shape,
    period: Condition,
    units: &[String],
    alias: &str,
    as_of: Instant,
) -> SelectStatement {
    let (t, o) = (Alias::new("t"), Alias::new("o"));
    let source = |name: &str| Expr::col((Alias::new(alias), Alias::new(name)));
    let kind = match (alias, &shape.owner) {
        ("o", Some(owner)) => owner.kind,
        _ => shape.kind,
    };
    let mut select = Query::select();
    select
        .distinct()
        // A constant of this module's (no quote in it), so a literal, typed alike everywhere.
        .expr_as(Expr::cust(format!("'{kind}'")), Alias::new("kind"))
        .expr_as(source("source_document"), Alias::new("document"))
        .expr_as(source("source_table"), Alias::new("source_table"))
        .expr_as(source("import_id"), Alias::new("import_id"))
        .from_as(Alias::new(shape.table), t.clone())
        .cond_where(current_at("t", as_of).add(period));
    let unit_owner = match &shape.owner {
        Some(owner) => {
            let mut on = Condition::all()
                .add(
                    Expr::col((o.clone(), Alias::new(owner.key)))
                        .equals((t.clone(), Alias::new(owner.key))),
                )
                .add(current_at("o", as_of));
            if let Some(area) = &owner.goal_area {
                on = on.add(Expr::col((o.clone(), Alias::new("goal_area"))).eq(area.as_str()));
            }
            select.join_as(
                sea_orm::JoinType::InnerJoin,
                Alias::new(owner.table),
                o.clone(),
                on,
            );
            o
        }
        None => t.clone(),
    };
    select.and_where(
        Expr::col((unit_owner, Alias::new("org_unit_code"))).is_in(units.iter().cloned()),
    );
    if !shape.scenarios.is_empty() {
        select.and_where(
            Expr::col((t, Alias::new("scenario")))
                .is_in(shape.scenarios.iter().map(|s| s.as_str().to_owned())),
        );
    }
    select
}
