//! Budget reads: categories (region-wide), budget lines, and the summaries the reports print.

use super::error::ServiceError;
use super::listing::{ListQuery, Page, list};
use super::paging::{self, PageRequest};
use super::read::{SummaryScope, open_summary};
use crate::domain::access::Grant;
use crate::domain::category::{Category, Direction};
use crate::domain::codes::{CATEGORIES, CategoryCode, OrgUnitCode, resource_name};
use crate::domain::instant::Instant;
use crate::domain::summary::{self, Grouping, Summary, SummaryRequest};
use crate::store::Store;
use crate::store::budget::{self as store, LineFilter, StoredBudgetLine, StoredCategory};
use crate::store::sources::{self, ImportedSource};
use std::collections::HashMap;

/// ListCategories, validated.
#[derive(Debug, Clone)]
pub struct CategoryQuery {
    pub direction: Option<Direction>,
    pub as_of: Option<Instant>,
    pub page: PageRequest,
}

/// One page of the categories current at the read instant, by display order, then code.
pub async fn categories(
    store: &Store,
    grant: &Grant,
    query: &CategoryQuery,
) -> Result<Page<StoredCategory>, ServiceError> {
    let filters = paging::fingerprint(
        grant,
        &(
            "categories",
            query.direction.map(|d| d.as_str()),
            query.as_of,
        ),
    );
    let (as_of, after) = paging::start::<(i32, String)>(&query.page.token, filters, query.as_of)?;
    let all = store::categories(store.reader(), as_of).await?;
    let sort_key = |s: &StoredCategory| (s.category.display_order, s.category.code.to_string());
    let rows: Vec<StoredCategory> = all
        .into_iter()
        .filter(|s| query.direction.is_none_or(|d| s.category.direction == d))
        .filter(|s| after.as_ref().is_none_or(|a| &sort_key(s) > a))
        .take(query.page.size as usize + 1)
        .collect();
    let (rows, next_page_token) = paging::finish(rows, query.page.size, filters, as_of, sort_key);
    Ok(Page {
        rows,
        next_page_token,
        as_of,
    })
}

/// The categories current at `as_of`, by code.
async fn category_map(
    store: &Store,
    as_of: Instant,
) -> Result<HashMap<CategoryCode, Category>, ServiceError> {
    Ok(store::categories(store.reader(), as_of)
        .await?
        .into_iter()
        .map(|s| (s.category.code.clone(), s.category))
        .collect())
}

/// One page of budget lines. A category filter naming no category is NOT_FOUND, like an
/// unknown unit: an empty page would look like a category without lines.
pub async fn lines(
    store: &Store,
    grant: &Grant,
    query: &ListQuery<LineFilter>,
) -> Result<Page<StoredBudgetLine>, ServiceError> {
    if let Some(code) = &query.filter.category {
        let as_of = query.at.as_of.unwrap_or_else(Instant::now);
        if !category_map(store, as_of).await?.contains_key(code) {
            return Err(ServiceError::not_found(resource_name(
                CATEGORIES,
                code.as_str(),
            )));
        }
    }
    list(store, grant, "budget_lines", query).await
}

/// SummarizeBudget, validated.
#[derive(Debug, Clone)]
pub struct BudgetSummaryQuery {
    pub scope: SummaryScope,
    pub grouping: Grouping,
}

/// A budget summary with the unit it is of and where its figures come from.
pub struct BudgetSummary {
    pub unit: OrgUnitCode,
    pub summary: Summary,
    pub sources: Vec<ImportedSource>,
}

/// Per category (or child unit, or month) the actual, budget, prior year and the derived
/// figures, summed in the database over the unit's subtree.
pub async fn summarize(
    store: &Store,
    grant: &Grant,
    query: &BudgetSummaryQuery,
) -> Result<BudgetSummary, ServiceError> {
    let opened = open_summary(store, grant, &query.scope).await?;
    let unit = opened.subtree.root().clone();
    let unit_groups = opened.tree.child_of_root(&unit);
    let categories = category_map(store, opened.as_of).await?;
    let groups = match query.grouping {
        Grouping::ChildUnit => opened.subtree.child_groups(),
        Grouping::Category | Grouping::Month => vec![opened.subtree.whole()],
    };
    let span = query.scope.span;
    let lines = store::summary_lines(store.reader(), &groups, span, opened.as_of).await?;
    let sources = sources::sources(
        store.reader(),
        &sources::budget_summary(span),
        &opened.subtree.whole(),
        opened.as_of,
    )
    .await?;
    let summary = summary::summarize(
        &SummaryRequest {
            span,
            grouping: query.grouping,
            unit_groups: &unit_groups,
            categories: &categories,
        },
        &lines,
    );
    Ok(BudgetSummary {
        unit,
        summary,
        sources,
    })
}
