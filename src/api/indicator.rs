//! IndicatorService: indicators with their targets, outcomes and status per year, the counts
//! per goal area and unit, and assignments. Statuses come from `domain::indicator_status`.

use super::error::ApiError;
use super::indicator_convert::{self as convert, INDICATORS};
use super::listing::{ListScope, list, list_fields};
use super::paging;
use super::request::{self, Checks};
use super::scope::units_in_scope;
use crate::domain::codes::{IndicatorCode, parse_resource_name};
use crate::domain::indicator::Assignment;
use crate::domain::indicator_status::{self as status, Attainment, Evaluation};
use crate::domain::instant::Instant;
use crate::domain::validation::{MAX_SHORT_TEXT, Violation, bounded};
use crate::proto::v1 as pb;
use crate::proto::v1::indicator_service_server::IndicatorService;
use crate::store::Store;
use crate::store::entities::assignment;
use crate::store::indicator::{self as store, AssignmentFilter, IndicatorFilter, StoredIndicator};
use crate::store::listing::Stored;
use tonic::{Request, Response, Status};

/// Indicators read per query while filtering by year and status.
const BATCH: u64 = 200;

pub struct IndicatorApi {
    store: Store,
}

impl IndicatorApi {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

/// An optional exact-match text filter (empty = none).
fn text_filter(value: &str, field: &str) -> Result<Option<String>, Violation> {
    if value.is_empty() {
        Ok(None)
    } else {
        bounded(value.to_owned(), MAX_SHORT_TEXT, field).map(Some)
    }
}

/// The evaluations of `year`, or of every year with a target or outcome; empty when the
/// indicator has nothing in `year`.
fn evaluations(stored: &StoredIndicator, year: Option<i32>) -> Vec<Evaluation> {
    let targets = stored.target_values();
    let outcomes = stored.outcome_values();
    status::years(&targets, &outcomes)
        .into_iter()
        .filter(|y| year.is_none_or(|year| year == *y))
        .map(|y| status::evaluate(stored.indicator.unit, &targets, &outcomes, y))
        .collect()
}

#[tonic::async_trait]
impl IndicatorService for IndicatorApi {
    async fn list_indicators(
        &self,
        request: Request<pb::ListIndicatorsRequest>,
    ) -> Result<Response<pb::ListIndicatorsResponse>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let unit = checks.take(request::optional_org_unit(&request.org_unit, "org_unit"));
        let goal_area = checks.take(text_filter(&request.goal_area, "goal_area"));
        let year = checks.take(request::optional_fiscal_year(
            request.fiscal_year,
            "fiscal_year",
        ));
        let wanted = checks.take(convert::status_filter(request.status, "status"));
        let date = checks.take(request::structure_date(
            &request.structure_date,
            "structure_date",
        ));
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        let size = checks.take(paging::page_size(request.page_size));
        checks.finish().map_err(ApiError::from)?;

        let filters = paging::fingerprint(&(
            INDICATORS,
            unit.as_ref(),
            request.include_descendants,
            &goal_area,
            year,
            wanted.map(Attainment::as_str),
            date,
            as_of,
        ));
        let (as_of, mut after) =
            paging::start::<String>(&request.page_token, filters, as_of).map_err(ApiError::from)?;
        let org_units = units_in_scope(
            &self.store,
            &request.org_unit,
            unit.as_ref(),
            request.include_descendants,
            request::tree_date(date, as_of),
            as_of,
        )
        .await?;
        let filter = IndicatorFilter {
            org_units,
            goal_area,
            as_of,
        };
        // Year and status are derived, so rows are read in batches and filtered here until
        // the page (plus one row, to know whether another follows) is full.
        let mut page: Vec<(StoredIndicator, Vec<Evaluation>)> = Vec::new();
        loop {
            let rows = store::indicators(self.store.reader(), &filter, after.as_deref(), BATCH)
                .await
                .map_err(ApiError::from)?;
            let exhausted = (rows.len() as u64) < BATCH;
            after = rows.last().map(StoredIndicator::key).or(after);
            for stored in rows {
                let evaluations = evaluations(&stored, year);
                if evaluations.is_empty() && year.is_some() {
                    continue;
                }
                let latest = evaluations.last().map(|e| e.status);
                if wanted.is_some() && latest != wanted {
                    continue;
                }
                page.push((stored, evaluations));
                if page.len() as u64 > size {
                    break;
                }
            }
            if exhausted || page.len() as u64 > size {
                break;
            }
        }
        let (page, next_page_token) = paging::finish(page, size, filters, as_of, |(s, _)| s.key());
        Ok(Response::new(pb::ListIndicatorsResponse {
            indicators: page
                .iter()
                .map(|(stored, e)| convert::indicator(stored, year, e))
                .collect(),
            next_page_token,
        }))
    }

    async fn get_indicator(
        &self,
        request: Request<pb::GetIndicatorRequest>,
    ) -> Result<Response<pb::Indicator>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let code = checks.take(
            parse_resource_name(&request.name, INDICATORS, "name", IndicatorCode::parse).map(Some),
        );
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        checks.finish().map_err(ApiError::from)?;
        let code = code.expect("checked");
        let as_of = as_of.unwrap_or_else(Instant::now);

        let stored = store::indicator(self.store.reader(), &code, as_of)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::not_found(convert::indicator_name(&code)))?;
        let evaluations = evaluations(&stored, None);
        Ok(Response::new(convert::indicator(
            &stored,
            None,
            &evaluations,
        )))
    }

    async fn summarize_indicators(
        &self,
        request: Request<pb::SummarizeIndicatorsRequest>,
    ) -> Result<Response<pb::SummarizeIndicatorsResponse>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let code = checks.take(request::org_unit(&request.org_unit, "org_unit").map(Some));
        let year = if request.fiscal_year == 0 {
            checks.take::<Option<i32>>(Err(Violation::new("fiscal_year", "is required")))
        } else {
            checks.take(request::optional_fiscal_year(
                request.fiscal_year,
                "fiscal_year",
            ))
        };
        let goal_area = checks.take(text_filter(&request.goal_area, "goal_area"));
        let date = checks.take(request::structure_date(
            &request.structure_date,
            "structure_date",
        ));
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        checks.finish().map_err(ApiError::from)?;
        let (code, year) = (code.expect("checked"), year.expect("checked"));
        let as_of = as_of.unwrap_or_else(Instant::now);
        let date = request::tree_date(date, as_of);

        let (tree, _) = self
            .store
            .org_tree(date, as_of)
            .await
            .map_err(ApiError::from)?;
        if tree.get(&code).is_none() {
            return Err(ApiError::not_found(request.org_unit).into());
        }
        let covered = crate::store::sources::indicator_summary(year, goal_area.as_deref());
        let sources =
            super::sources::of(&self.store, &covered, &tree.subtree(&code), as_of).await?;
        let filter = IndicatorFilter {
            org_units: Some(tree.subtree(&code)),
            goal_area,
            as_of,
        };
        let mut judged = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let rows = store::indicators(self.store.reader(), &filter, after.as_deref(), BATCH)
                .await
                .map_err(ApiError::from)?;
            let exhausted = (rows.len() as u64) < BATCH;
            after = rows.last().map(StoredIndicator::key);
            for stored in rows {
                if let Some(e) = evaluations(&stored, Some(year)).pop() {
                    let i = stored.indicator;
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
        let unit_name = |code: &str| super::convert::resource_name(request::ORG_UNITS, code);
        Ok(Response::new(pb::SummarizeIndicatorsResponse {
            org_unit: unit_name(code.as_str()),
            fiscal_year: year,
            by_goal_area_unit: summary
                .by_goal_area_unit
                .iter()
                .map(|((area, unit), counts)| pb::IndicatorSummaryGroup {
                    goal_area: area.clone(),
                    org_unit: unit_name(unit),
                    counts: Some(convert::counts(counts)),
                })
                .collect(),
            by_goal_area: summary
                .by_goal_area
                .iter()
                .map(|(area, counts)| pb::IndicatorSummaryGroup {
                    goal_area: area.clone(),
                    org_unit: String::new(),
                    counts: Some(convert::counts(counts)),
                })
                .collect(),
            totals: Some(convert::counts(&summary.totals)),
            sources,
        }))
    }

    async fn list_assignments(
        &self,
        request: Request<pb::ListAssignmentsRequest>,
    ) -> Result<Response<pb::ListAssignmentsResponse>, Status> {
        let r = request.into_inner();
        let mut checks = Checks::default();
        let scope = ListScope::parse(&mut checks, list_fields!(r));
        let filter = AssignmentFilter {
            goal_area: checks.take(text_filter(&r.goal_area, "goal_area")),
            fiscal_year: checks.take(request::optional_fiscal_year(r.fiscal_year, "fiscal_year")),
            status: checks.take(text_filter(&r.status, "status")),
        };
        checks.finish().map_err(ApiError::from)?;
        let page =
            list::<assignment::Entity>(&self.store, convert::ASSIGNMENTS, scope, &filter, |_| {
                filter.condition()
            })
            .await?;
        let (assignments, next_page_token) = page.convert::<Stored<Assignment>, _>()?;
        Ok(Response::new(pb::ListAssignmentsResponse {
            assignments,
            next_page_token,
        }))
    }
}
