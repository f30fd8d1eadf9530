//! Staffing reads: profession groups (region-wide), the five fact lists, and the staffing
//! summary with the prior year and the change.

use super::error::ServiceError;
use super::listing::{ListQuery, Page, list};
use super::paging::{self, PageRequest};
use super::read::{SummaryScope, open_summary};
use crate::domain::access::Grant;
use crate::domain::codes::{OrgUnitCode, PROFESSION_GROUPS, ProfessionCode, resource_name};
use crate::domain::instant::Instant;
use crate::domain::period::MonthSpan;
use crate::domain::provenance::Provenance;
use crate::domain::staffing::ProfessionGroup;
use crate::domain::staffing_summary::{Professions, StaffingGroupSummary, summarize_group};
use crate::domain::validation::Violation;
use crate::store::Store;
use crate::store::listing::ListFilter;
use crate::store::sources::{self, ImportedSource};
use crate::store::staffing as store;
use crate::store::staffing_summary;
use chrono::{Months, NaiveDate};
use std::collections::HashMap;

/// ListProfessionGroups, validated.
#[derive(Debug, Clone)]
pub struct ProfessionQuery {
    pub as_of: Option<Instant>,
    pub page: PageRequest,
}

/// One page of the profession groups current at the read instant (a handful: sorted and
/// paged in memory, like the categories).
pub async fn profession_groups(
    store: &Store,
    grant: &Grant,
    query: &ProfessionQuery,
) -> Result<Page<(ProfessionGroup, Provenance)>, ServiceError> {
    let filters = paging::fingerprint(grant, &("profession_groups", query.as_of));
    let (as_of, after) = paging::start::<(i32, String)>(&query.page.token, filters, query.as_of)?;
    let sort_key = |(g, _): &(ProfessionGroup, Provenance)| (g.display_order, g.code.to_string());
    let rows: Vec<(ProfessionGroup, Provenance)> = store::profession_groups(store.reader(), as_of)
        .await?
        .into_iter()
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

/// The lists with a profession filter: NOT_FOUND when it names no group (at `as_of`), like
/// an unknown unit, rather than an empty page.
pub trait ProfessionFiltered {
    fn profession(&self) -> Option<&ProfessionCode>;
}

impl ProfessionFiltered for store::WorkedHoursFilter {
    fn profession(&self) -> Option<&ProfessionCode> {
        self.0.profession.as_ref()
    }
}

impl ProfessionFiltered for store::HiredStaffFilter {
    fn profession(&self) -> Option<&ProfessionCode> {
        self.0.profession.as_ref()
    }
}

impl ProfessionFiltered for store::PositionFilter {
    fn profession(&self) -> Option<&ProfessionCode> {
        self.profession.as_ref()
    }
}

/// One page of a staffing list whose filter names a profession group.
pub async fn list_by_profession<F: ListFilter + ProfessionFiltered>(
    store: &Store,
    grant: &Grant,
    name: &'static str,
    query: &ListQuery<F>,
) -> Result<Page<F::Row>, ServiceError> {
    if let Some(code) = query.filter.profession() {
        let as_of = query.at.as_of.unwrap_or_else(Instant::now);
        let groups = store::profession_groups(store.reader(), as_of).await?;
        if !groups.iter().any(|(g, _)| &g.code == code) {
            return Err(ServiceError::not_found(resource_name(
                PROFESSION_GROUPS,
                code.as_str(),
            )));
        }
    }
    list(store, grant, name, query).await
}

/// One page of a staffing list without a reference filter.
pub async fn list_plain<F: ListFilter>(
    store: &Store,
    grant: &Grant,
    name: &'static str,
    query: &ListQuery<F>,
) -> Result<Page<F::Row>, ServiceError> {
    list(store, grant, name, query).await
}

/// SummarizeStaffing, validated.
#[derive(Debug, Clone)]
pub struct StaffingSummaryQuery {
    pub scope: SummaryScope,
    /// The snapshot date of headcounts and positions (absent: the span's last day).
    pub date: Option<NaiveDate>,
}

/// A staffing summary: the subtree's tables, each child unit's, and what it could not sum
/// exactly.
pub struct StaffingReport {
    pub unit: OrgUnitCode,
    pub span: MonthSpan,
    pub date: NaiveDate,
    pub prior_date: NaiveDate,
    pub totals: StaffingGroupSummary,
    /// Child units with some figure, in code order.
    pub by_child_unit: Vec<(OrgUnitCode, StaffingGroupSummary)>,
    /// Per period table, the stored spans left out because they straddle the span.
    pub straddling: Vec<(&'static str, MonthSpan)>,
    /// Per period table and year, the months of the span no summed figure covers.
    pub uncovered: Vec<(&'static str, i32, Vec<u8>)>,
    pub sources: Vec<ImportedSource>,
}

impl StaffingReport {
    pub fn is_exact(&self) -> bool {
        self.straddling.is_empty() && self.uncovered.is_empty()
    }
}

pub async fn summarize(
    store: &Store,
    grant: &Grant,
    query: &StaffingSummaryQuery,
) -> Result<StaffingReport, ServiceError> {
    let span = query.scope.span;
    let date = query.date.unwrap_or_else(|| span.last_day());
    // 29 February a year later is 28 February: chrono clamps to the month's last day.
    let prior_date = date
        .checked_sub_months(Months::new(12))
        .ok_or_else(|| ServiceError::from(Violation::new("date", "is out of range")))?;
    let opened = open_summary(store, grant, &query.scope).await?;
    let groups = opened.subtree.whole_and_children();
    let stored = staffing_summary::summary_cells(
        store.reader(),
        &groups,
        span,
        (date, prior_date),
        opened.as_of,
    )
    .await?;
    let sources = sources::sources(
        store.reader(),
        &sources::staffing_summary(span, [date, prior_date]),
        &opened.subtree.whole(),
        opened.as_of,
    )
    .await?;
    let professions: HashMap<ProfessionCode, ProfessionGroup> =
        store::profession_groups(store.reader(), opened.as_of)
            .await?
            .into_iter()
            .map(|(g, _)| (g.code.clone(), g))
            .collect();
    let professions = Professions(&professions);
    let mut summaries = stored
        .groups
        .iter()
        .map(|(unit, cells)| (unit.clone(), summarize_group(cells, &professions, span)));
    let totals = summaries
        .next()
        .map(|(_, summary)| summary)
        .unwrap_or_default();
    let by_child_unit = summaries.filter(|(_, s)| !s.is_empty()).collect();
    let uncovered = stored
        .covered
        .iter()
        .filter_map(|((table, year), months)| {
            let missing: Vec<u8> = (span.from..=span.to)
                .filter(|m| !months.contains(m))
                .collect();
            (!missing.is_empty()).then_some((*table, *year, missing))
        })
        .collect();
    Ok(StaffingReport {
        unit: opened.subtree.root().clone(),
        span,
        date,
        prior_date,
        totals,
        by_child_unit,
        straddling: stored.straddling.into_iter().collect(),
        uncovered,
        sources,
    })
}
