//! IndicatorService: indicators with their targets, outcomes and status per year, the counts
//! per goal area and unit, and assignments (`service::indicator`).

use super::caller::grant;
use super::indicator_convert::{self as convert, INDICATORS};
use super::request::{self, Checks, list_fields, list_query};
use crate::domain::codes::{IndicatorCode, parse_resource_name};
use crate::domain::validation::{MAX_SHORT_TEXT, Violation, bounded};
use crate::proto::v1 as pb;
use crate::proto::v1::indicator_service_server::IndicatorService;
use crate::service::ServiceError;
use crate::service::indicator::{
    self as service, IndicatorKey, IndicatorQuery, IndicatorReport, IndicatorSummaryQuery,
};
use crate::service::listing::ListQuery;
use crate::service::paging::PageRequest;
use crate::service::read::UnitFilter;
use crate::store::Store;
use crate::store::indicator::AssignmentFilter;
use tonic::{Request, Response, Status};

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

impl TryFrom<pb::ListIndicatorsRequest> for IndicatorQuery {
    type Error = ServiceError;

    fn try_from(r: pb::ListIndicatorsRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let query = IndicatorQuery {
            units: UnitFilter {
                unit: checks.take(request::optional_org_unit(&r.org_unit, "org_unit")),
                include_descendants: r.include_descendants,
            },
            at: request::at(&mut checks, &r.structure_date, r.as_of.as_ref()),
            page: checks.take(PageRequest::parse(r.page_size, &r.page_token)),
            goal_area: checks.take(text_filter(&r.goal_area, "goal_area")),
            fiscal_year: checks.take(request::optional_fiscal_year(r.fiscal_year, "fiscal_year")),
            status: checks.take(convert::status_filter(r.status, "status")),
        };
        checks.done(Some(query))
    }
}

impl TryFrom<pb::GetIndicatorRequest> for IndicatorKey {
    type Error = ServiceError;

    fn try_from(r: pb::GetIndicatorRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let code = checks.need(parse_resource_name(
            &r.name,
            INDICATORS,
            "name",
            IndicatorCode::parse,
        ));
        let at = request::at(&mut checks, "", r.as_of.as_ref());
        checks.done(code.map(|code| IndicatorKey { code, at }))
    }
}

impl TryFrom<pb::SummarizeIndicatorsRequest> for IndicatorSummaryQuery {
    type Error = ServiceError;

    fn try_from(r: pb::SummarizeIndicatorsRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let at = request::at(&mut checks, &r.structure_date, r.as_of.as_ref());
        // An indicator is judged on its latest outcome of the year: the whole year.
        let scope = request::summary_scope(&mut checks, &r.org_unit, [r.fiscal_year, 0, 0], at);
        let goal_area = checks.take(text_filter(&r.goal_area, "goal_area"));
        checks.done(scope.map(|scope| IndicatorSummaryQuery { scope, goal_area }))
    }
}

impl TryFrom<pb::ListAssignmentsRequest> for ListQuery<AssignmentFilter> {
    type Error = ServiceError;

    fn try_from(r: pb::ListAssignmentsRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let filter = AssignmentFilter {
            goal_area: checks.take(text_filter(&r.goal_area, "goal_area")),
            fiscal_year: checks.take(request::optional_fiscal_year(r.fiscal_year, "fiscal_year")),
            status: checks.take(text_filter(&r.status, "status")),
        };
        let query = list_query(&mut checks, list_fields!(r), filter);
        checks.done(Some(query))
    }
}

impl From<IndicatorReport> for pb::SummarizeIndicatorsResponse {
    fn from(report: IndicatorReport) -> Self {
        let unit_name = |code: &str| super::convert::resource_name(request::ORG_UNITS, code);
        let summary = &report.summary;
        pb::SummarizeIndicatorsResponse {
            sources: super::convert::sources(&report.sources),
            org_unit: unit_name(report.unit.as_str()),
            fiscal_year: report.fiscal_year,
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
        }
    }
}

#[tonic::async_trait]
impl IndicatorService for IndicatorApi {
    async fn list_indicators(
        &self,
        request: Request<pb::ListIndicatorsRequest>,
    ) -> Result<Response<pb::ListIndicatorsResponse>, Status> {
        let grant = grant(&request)?;
        let query = IndicatorQuery::try_from(request.into_inner())?;
        let page = service::list_indicators(&self.store, &grant, &query).await?;
        Ok(Response::new(pb::ListIndicatorsResponse {
            indicators: page
                .rows
                .iter()
                .map(|e| convert::indicator(&e.stored, query.fiscal_year, &e.evaluations))
                .collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn get_indicator(
        &self,
        request: Request<pb::GetIndicatorRequest>,
    ) -> Result<Response<pb::Indicator>, Status> {
        let grant = grant(&request)?;
        let key = IndicatorKey::try_from(request.into_inner())?;
        let found = service::get_indicator(&self.store, &grant, &key).await?;
        Ok(Response::new(convert::indicator(
            &found.stored,
            None,
            &found.evaluations,
        )))
    }

    async fn summarize_indicators(
        &self,
        request: Request<pb::SummarizeIndicatorsRequest>,
    ) -> Result<Response<pb::SummarizeIndicatorsResponse>, Status> {
        let grant = grant(&request)?;
        let query = IndicatorSummaryQuery::try_from(request.into_inner())?;
        let report = service::summarize(&self.store, &grant, &query).await?;
        Ok(Response::new(report.into()))
    }

    async fn list_assignments(
        &self,
        request: Request<pb::ListAssignmentsRequest>,
    ) -> Result<Response<pb::ListAssignmentsResponse>, Status> {
        let grant = grant(&request)?;
        let query = ListQuery::try_from(request.into_inner())?;
        let page = service::assignments(&self.store, &grant, &query).await?;
        Ok(Response::new(pb::ListAssignmentsResponse {
            assignments: page.rows.iter().map(From::from).collect(),
            next_page_token: page.next_page_token,
        }))
    }
}
