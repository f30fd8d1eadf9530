//! Investment reads: one object by id, lists with their figures, and the sums the reports
//! print per child unit and funding category.

use super::error::ServiceError;
use super::listing::{ListQuery, Page, list};
use super::read::{At, SummaryScope, open_summary, reach_by_key};
use crate::domain::access::Grant;
use crate::domain::codes::{INVESTMENTS, InvestmentId, OrgUnitCode, resource_name};
use crate::domain::investment_summary::InvestmentSums;
use crate::domain::investment_summary::{self as summary, Dimension, GroupKey, InvestmentSummary};
use crate::domain::period::MonthSpan;
use crate::store::Store;
use crate::store::investment::{self as store, InvestmentFilter, StoredInvestment};
use crate::store::sources::{self, ImportedSource};

/// GetInvestment, validated.
#[derive(Debug, Clone)]
pub struct InvestmentKey {
    pub id: InvestmentId,
    pub at: At,
}

/// One object with all its figures. A scoped caller gets OUTSIDE_SCOPE for an object of a
/// unit outside its scope and for one that does not exist alike.
pub async fn get(
    store: &Store,
    grant: &Grant,
    key: &InvestmentKey,
) -> Result<StoredInvestment, ServiceError> {
    let (as_of, _) = key.at.resolve();
    let reach = reach_by_key(store, grant, as_of).await?;
    let name = resource_name(INVESTMENTS, key.id.as_str());
    store::get(store.reader(), &reach, &key.id, as_of)
        .await?
        .ok_or_else(|| match grant.scope() {
            Some(_) => ServiceError::OutsideScope { resource: name },
            None => ServiceError::not_found(name),
        })
}

/// One page of objects, each with the figures the filter's year and months select.
pub async fn list_objects(
    store: &Store,
    grant: &Grant,
    query: &ListQuery<InvestmentFilter>,
) -> Result<Page<StoredInvestment>, ServiceError> {
    let page = list(store, grant, "investments", query).await?;
    let rows = store::with_figures(store.reader(), page.rows, &query.filter, page.as_of).await?;
    Ok(Page {
        rows,
        next_page_token: page.next_page_token,
        as_of: page.as_of,
    })
}

/// SummarizeInvestments, validated.
#[derive(Debug, Clone)]
pub struct InvestmentSummaryQuery {
    pub scope: SummaryScope,
    /// The dimensions of the free grouping, each once (empty: none).
    pub dimensions: Vec<Dimension>,
}

/// The sums per child unit, funding category and status, and the free grouping.
pub struct InvestmentReport {
    pub unit: OrgUnitCode,
    pub span: MonthSpan,
    pub summary: InvestmentSummary,
    pub groups: Vec<(GroupKey, InvestmentSums)>,
    pub sources: Vec<ImportedSource>,
}

pub async fn summarize(
    store: &Store,
    grant: &Grant,
    query: &InvestmentSummaryQuery,
) -> Result<InvestmentReport, ServiceError> {
    let opened = open_summary(store, grant, &query.scope).await?;
    let span = query.scope.span;
    let groups = opened.subtree.child_groups();
    let stored = store::summary_cells(store.reader(), &groups, span, opened.as_of).await?;
    let summary = summary::summarize(span, &stored.cells, &stored.covered, stored.inexact);
    let groups = if query.dimensions.is_empty() {
        Vec::new()
    } else {
        summary::group(&stored.cells, &query.dimensions)
    };
    let sources = sources::sources(
        store.reader(),
        &sources::investment_summary(span),
        &opened.subtree.whole(),
        opened.as_of,
    )
    .await?;
    Ok(InvestmentReport {
        unit: opened.subtree.root().clone(),
        span,
        summary,
        groups,
        sources,
    })
}
