//! Indicator reads: indicators with their targets, outcomes and status per year, the counts
//! per goal area and unit, and assignments. Statuses come from `domain::indicator_status`.

use super::error::ServiceError;
use super::listing::{ListQuery, Page, list};
use super::paging::{self, PageRequest};
use super::read::{At, SummaryScope, UnitFilter, open_summary, reach, reach_by_key};
use crate::domain::access::Grant;
use crate::domain::codes::{INDICATORS, IndicatorCode, OrgUnitCode, resource_name};
use crate::domain::indicator::Assignment;
use crate::domain::indicator_status::{self as status, Attainment, AttainmentSummary, Evaluation};
use crate::store::Store;
use crate::store::indicator::{self as store, AssignmentFilter, IndicatorFilter, StoredIndicator};
use crate::store::listing::Stored;
use crate::store::sources::{self, ImportedSource};

/// Indicators read per query while filtering by status, which is derived.
const BATCH: u64 = 200;

/// An indicator with its evaluations (one per year asked, or per year it has figures in).
pub struct Evaluated {
    pub stored: StoredIndicator,
    pub evaluations: Vec<Evaluation>,
}

/// The evaluations of `year`, or of every year with a target or outcome; empty when the
/// indicator has nothing in `year`.
fn evaluate(stored: StoredIndicator, year: Option<i32>) -> Evaluated {
    let targets = stored.target_values();
    let outcomes = stored.outcome_values();
    let evaluations = status::years(&targets, &outcomes)
        .into_iter()
        .filter(|y| year.is_none_or(|year| year == *y))
        .map(|y| status::evaluate(stored.indicator.unit, &targets, &outcomes, y))
        .collect();
    Evaluated {
        stored,
        evaluations,
    }
}

/// ListIndicators, validated.
#[derive(Debug, Clone)]
pub struct IndicatorQuery {
    pub units: UnitFilter,
    pub at: At,
    pub page: PageRequest,
    pub goal_area: Option<String>,
    pub fiscal_year: Option<i32>,
    /// The status of the latest evaluation.
    pub status: Option<Attainment>,
}

/// One page of indicators by code. Unit, goal area and year are filtered in SQL; the status
/// is derived, so rows are read in batches and filtered here until the page (plus one row,
/// to know whether another follows) is full.
pub async fn list_indicators(
    store: &Store,
    grant: &Grant,
    query: &IndicatorQuery,
) -> Result<Page<Evaluated>, ServiceError> {
    let filters = paging::fingerprint(
        grant,
        &(
            INDICATORS,
            &query.units,
            &query.goal_area,
            query.fiscal_year,
            query.status.map(Attainment::as_str),
            query.at.structure_date,
            query.at.as_of,
        ),
    );
    let (as_of, mut after) = paging::start::<String>(&query.page.token, filters, query.at.as_of)?;
    let reach = reach(store, grant, &query.units, query.at.tree_date(as_of), as_of).await?;
    let filter = IndicatorFilter {
        reach,
        goal_area: query.goal_area.clone(),
        fiscal_year: query.fiscal_year,
        as_of,
    };
    let size = query.page.size;
    let mut page: Vec<Evaluated> = Vec::new();
    loop {
        let batch = if query.status.is_some() {
            BATCH
        } else {
            size + 1
        };
        let rows = store::indicators(store.reader(), &filter, after.as_deref(), batch).await?;
        let exhausted = (rows.len() as u64) < batch;
        after = rows.last().map(StoredIndicator::key).or(after);
        for stored in rows {
            let evaluated = evaluate(stored, query.fiscal_year);
            let latest = evaluated.evaluations.last().map(|e| e.status);
            if query.status.is_some() && latest != query.status {
                continue;
            }
            page.push(evaluated);
            if page.len() as u64 > size {
                break;
            }
        }
        if exhausted || page.len() as u64 > size {
            break;
        }
    }
    let (rows, next_page_token) = paging::finish(page, size, filters, as_of, |e| e.stored.key());
    Ok(Page {
        rows,
        next_page_token,
        as_of,
    })
}

/// GetIndicator, validated.
#[derive(Debug, Clone)]
pub struct IndicatorKey {
    pub code: IndicatorCode,
    pub at: At,
}

/// One indicator with its evaluations of every year. A scoped caller gets OUTSIDE_SCOPE for
/// an indicator of a unit outside its scope and for one that does not exist alike.
pub async fn get_indicator(
    store: &Store,
    grant: &Grant,
    key: &IndicatorKey,
) -> Result<Evaluated, ServiceError> {
    let (as_of, _) = key.at.resolve();
    let reach = reach_by_key(store, grant, as_of).await?;
    let name = resource_name(INDICATORS, key.code.as_str());
    let stored = store::indicator(store.reader(), &reach, &key.code, as_of)
        .await?
        .ok_or_else(|| match grant.scope() {
            Some(_) => ServiceError::OutsideScope { resource: name },
            None => ServiceError::not_found(name),
        })?;
    Ok(evaluate(stored, None))
}

/// SummarizeIndicators, validated: the scope's span gives the year (its months are not
/// used: an indicator is judged on its latest outcome of the year).
#[derive(Debug, Clone)]
pub struct IndicatorSummaryQuery {
    pub scope: SummaryScope,
    pub goal_area: Option<String>,
}

pub struct IndicatorReport {
    pub unit: OrgUnitCode,
    pub fiscal_year: i32,
    pub summary: AttainmentSummary,
    pub sources: Vec<ImportedSource>,
}

/// The counts of met, not met, not measured and not comparable per goal area and unit, over
/// the indicators of the unit's subtree with a target or outcome in the year.
pub async fn summarize(
    store: &Store,
    grant: &Grant,
    query: &IndicatorSummaryQuery,
) -> Result<IndicatorReport, ServiceError> {
    let opened = open_summary(store, grant, &query.scope).await?;
    let year = query.scope.span.fiscal_year;
    let filter = IndicatorFilter {
        reach: opened.subtree.reach(),
        goal_area: query.goal_area.clone(),
        fiscal_year: Some(year),
        as_of: opened.as_of,
    };
    let mut judged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let rows =
            store::indicators_judged_in(store.reader(), &filter, year, after.as_deref(), BATCH)
                .await?;
        let exhausted = (rows.len() as u64) < BATCH;
        after = rows.last().map(StoredIndicator::key);
        for stored in rows {
            let mut evaluated = evaluate(stored, Some(year));
            if let Some(e) = evaluated.evaluations.pop() {
                let i = evaluated.stored.indicator;
                judged.push((i.goal_area, i.org_unit.to_string(), e.status));
            }
        }
        if exhausted {
            break;
        }
    }
    let summary = status::summarize(
        judged
            .iter()
            .map(|(area, unit, s)| (area.as_str(), unit.as_str(), *s)),
    );
    let sources = sources::sources(
        store.reader(),
        &sources::indicator_summary(year, query.goal_area.as_deref()),
        &opened.subtree.whole(),
        opened.as_of,
    )
    .await?;
    Ok(IndicatorReport {
        unit: opened.subtree.root().clone(),
        fiscal_year: year,
        summary,
        sources,
    })
}

/// One page of assignments.
pub async fn assignments(
    store: &Store,
    grant: &Grant,
    query: &ListQuery<AssignmentFilter>,
) -> Result<Page<Stored<Assignment>>, ServiceError> {
    list(store, grant, "assignments", query).await
}
