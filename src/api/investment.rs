//! InvestmentService: investment objects, their figures and the sums the reports print.

use super::caller::grant;
use super::convert;
use super::request::{self, Checks, list_fields, list_query};
pub use crate::domain::codes::INVESTMENTS;
use crate::domain::codes::{InvestmentId, OrgUnitCode, parse_resource_name};
use crate::domain::investment::{FundingCategory, InvestmentKind, InvestmentStatus};
use crate::domain::investment_summary::{Dimension, InvestmentSums};
use crate::domain::validation::Violation;
use crate::proto::v1 as pb;
use crate::proto::v1::investment_service_server::InvestmentService;
use crate::service::ServiceError;
use crate::service::investment::{
    self as service, InvestmentKey, InvestmentReport, InvestmentSummaryQuery,
};
use crate::service::listing::ListQuery;
use crate::store::Store;
use crate::store::investment::{InvestmentFilter, StoredFigures, StoredInvestment};
use tonic::{Request, Response, Status};

pub struct InvestmentApi {
    store: Store,
}

impl InvestmentApi {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn investment_name(id: &InvestmentId) -> String {
    super::convert::resource_name(INVESTMENTS, id.as_str())
}

fn kind_to_proto(k: InvestmentKind) -> pb::InvestmentKind {
    match k {
        InvestmentKind::New => pb::InvestmentKind::New,
        InvestmentKind::Reinvestment => pb::InvestmentKind::Reinvestment,
    }
}

fn funding_to_proto(f: FundingCategory) -> pb::FundingCategory {
    match f {
        FundingCategory::Frame => pb::FundingCategory::Frame,
        FundingCategory::Unforeseen => pb::FundingCategory::Unforeseen,
        FundingCategory::Extra => pb::FundingCategory::Extra,
        FundingCategory::CarriedOver => pb::FundingCategory::CarriedOver,
        FundingCategory::OutsideFrame => pb::FundingCategory::OutsideFrame,
    }
}

fn status_to_proto(s: InvestmentStatus) -> pb::InvestmentStatus {
    match s {
        InvestmentStatus::Planned => pb::InvestmentStatus::Planned,
        InvestmentStatus::Ongoing => pb::InvestmentStatus::Ongoing,
        InvestmentStatus::Completed => pb::InvestmentStatus::Completed,
        InvestmentStatus::Cancelled => pb::InvestmentStatus::Cancelled,
    }
}

/// A filter value; `Ok(None)` for unspecified, an error for an unknown number.
fn kind_filter(value: i32, field: &str) -> Result<Option<InvestmentKind>, Violation> {
    match pb::InvestmentKind::try_from(value) {
        Ok(pb::InvestmentKind::Unspecified) => Ok(None),
        Ok(pb::InvestmentKind::New) => Ok(Some(InvestmentKind::New)),
        Ok(pb::InvestmentKind::Reinvestment) => Ok(Some(InvestmentKind::Reinvestment)),
        Err(_) => Err(request::unknown_enum(field, value, "investment kind")),
    }
}

fn funding_filter(value: i32, field: &str) -> Result<Option<FundingCategory>, Violation> {
    match pb::FundingCategory::try_from(value) {
        Ok(pb::FundingCategory::Unspecified) => Ok(None),
        Ok(pb::FundingCategory::Frame) => Ok(Some(FundingCategory::Frame)),
        Ok(pb::FundingCategory::Unforeseen) => Ok(Some(FundingCategory::Unforeseen)),
        Ok(pb::FundingCategory::Extra) => Ok(Some(FundingCategory::Extra)),
        Ok(pb::FundingCategory::CarriedOver) => Ok(Some(FundingCategory::CarriedOver)),
        Ok(pb::FundingCategory::OutsideFrame) => Ok(Some(FundingCategory::OutsideFrame)),
        Err(_) => Err(request::unknown_enum(field, value, "funding category")),
    }
}

fn status_filter(value: i32, field: &str) -> Result<Option<InvestmentStatus>, Violation> {
    match pb::InvestmentStatus::try_from(value) {
        Ok(pb::InvestmentStatus::Unspecified) => Ok(None),
        Ok(pb::InvestmentStatus::Planned) => Ok(Some(InvestmentStatus::Planned)),
        Ok(pb::InvestmentStatus::Ongoing) => Ok(Some(InvestmentStatus::Ongoing)),
        Ok(pb::InvestmentStatus::Completed) => Ok(Some(InvestmentStatus::Completed)),
        Ok(pb::InvestmentStatus::Cancelled) => Ok(Some(InvestmentStatus::Cancelled)),
        Err(_) => Err(request::unknown_enum(field, value, "investment status")),
    }
}

/// The `group_by` dimensions, each once; unspecified or unknown numbers are errors.
fn dimensions(values: &[i32], field: &str) -> Result<Vec<Dimension>, Violation> {
    let mut dimensions = Vec::new();
    for &value in values {
        let dimension = match pb::InvestmentDimension::try_from(value) {
            Ok(pb::InvestmentDimension::ChildUnit) => Dimension::ChildUnit,
            Ok(pb::InvestmentDimension::Funding) => Dimension::Funding,
            Ok(pb::InvestmentDimension::Status) => Dimension::Status,
            Ok(pb::InvestmentDimension::Kind) => Dimension::Kind,
            Ok(pb::InvestmentDimension::Unspecified) => {
                return Err(Violation::new(field, "a dimension must be specified"));
            }
            Err(_) => return Err(request::unknown_enum(field, value, "dimension")),
        };
        if !dimensions.contains(&dimension) {
            dimensions.push(dimension);
        }
    }
    Ok(dimensions)
}

fn figures_to_proto(stored: &StoredFigures) -> pb::InvestmentFigures {
    let f = &stored.figures;
    pb::InvestmentFigures {
        span: Some(convert::span(f.span)),
        budget_sek: f.budget_sek,
        outcome_sek: f.outcome_sek,
        outcome_since_start_sek: f.outcome_since_start_sek,
        forecast_sek: f.forecast_sek,
        carry_over_requested_sek: f.carry_over_requested_sek,
        provenance: Some(convert::provenance(&stored.provenance)),
    }
}

fn investment_to_proto(stored: &StoredInvestment) -> pb::Investment {
    let i = &stored.investment;
    pb::Investment {
        name: investment_name(&i.id),
        id: i.id.to_string(),
        org_unit: convert::org_unit_name(&i.org_unit),
        display_name: i.name.clone(),
        kind: kind_to_proto(i.kind) as i32,
        funding: funding_to_proto(i.funding) as i32,
        decision: i.decision.clone().unwrap_or_default(),
        decided_year: i.decided_year,
        status: status_to_proto(i.status) as i32,
        total_budget_sek: i.total_budget_sek,
        planned_completion: i.planned_completion.clone().unwrap_or_default(),
        procurement_contacted: i.procurement_contacted,
        comment: i.comment.clone().unwrap_or_default(),
        provenance: Some(convert::provenance(&stored.provenance)),
        figures: stored.figures.iter().map(figures_to_proto).collect(),
    }
}

fn sums_to_proto(s: &InvestmentSums) -> pb::InvestmentSums {
    pb::InvestmentSums {
        budget_sek: s.budget_sek,
        outcome_sek: s.outcome_sek,
        object_count: i32::try_from(s.object_count).unwrap_or(i32::MAX),
    }
}

impl TryFrom<pb::GetInvestmentRequest> for InvestmentKey {
    type Error = ServiceError;

    fn try_from(r: pb::GetInvestmentRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let id = checks.need(parse_resource_name(
            &r.name,
            INVESTMENTS,
            "name",
            InvestmentId::parse,
        ));
        let at = request::at(&mut checks, "", r.as_of.as_ref());
        checks.done(id.map(|id| InvestmentKey { id, at }))
    }
}

impl TryFrom<pb::ListInvestmentsRequest> for ListQuery<InvestmentFilter> {
    type Error = ServiceError;

    fn try_from(r: pb::ListInvestmentsRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let months = checks.take_all(request::month_range(r.from_month, r.to_month));
        if months.is_some() && r.fiscal_year == 0 {
            // A month bound means months of one year; which year is the caller's to say.
            let field = if r.from_month != 0 {
                "from_month"
            } else {
                "to_month"
            };
            checks.take(Err::<(), _>(Violation::new(field, "requires fiscal_year")));
        }
        let filter = InvestmentFilter {
            fiscal_year: checks.take(request::optional_fiscal_year(r.fiscal_year, "fiscal_year")),
            months,
            status: checks.take(status_filter(r.status, "status")),
            kind: checks.take(kind_filter(r.kind, "kind")),
            funding: checks.take(funding_filter(r.funding, "funding")),
        };
        let query = list_query(&mut checks, list_fields!(r), filter);
        checks.done(Some(query))
    }
}

impl TryFrom<pb::SummarizeInvestmentsRequest> for InvestmentSummaryQuery {
    type Error = ServiceError;

    fn try_from(r: pb::SummarizeInvestmentsRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let at = request::at(&mut checks, &r.structure_date, r.as_of.as_ref());
        let scope = request::summary_scope(
            &mut checks,
            &r.org_unit,
            [r.fiscal_year, r.from_month, r.to_month],
            at,
        );
        let dimensions = checks.take(dimensions(&r.group_by, "group_by"));
        checks.done(scope.map(|scope| InvestmentSummaryQuery { scope, dimensions }))
    }
}

fn group(
    org_unit: Option<&OrgUnitCode>,
    funding: Option<FundingCategory>,
    status: Option<InvestmentStatus>,
    sums: &InvestmentSums,
) -> pb::InvestmentSummaryGroup {
    pb::InvestmentSummaryGroup {
        org_unit: org_unit.map(convert::org_unit_name).unwrap_or_default(),
        funding: funding.map_or(pb::FundingCategory::Unspecified, funding_to_proto) as i32,
        status: status.map_or(pb::InvestmentStatus::Unspecified, status_to_proto) as i32,
        sums: Some(sums_to_proto(sums)),
        kind: pb::InvestmentKind::Unspecified as i32,
    }
}

impl From<InvestmentReport> for pb::SummarizeInvestmentsResponse {
    fn from(report: InvestmentReport) -> Self {
        let result = &report.summary;
        pb::SummarizeInvestmentsResponse {
            sources: convert::sources(&report.sources),
            org_unit: convert::org_unit_name(&report.unit),
            span: Some(convert::span(report.span)),
            by_child_unit: result
                .by_child_unit
                .iter()
                .map(|(unit, sums)| group(Some(unit), None, None, sums))
                .collect(),
            by_funding: result
                .by_funding
                .iter()
                .map(|(funding, sums)| group(None, Some(*funding), None, sums))
                .collect(),
            by_status: result
                .by_status
                .iter()
                .map(|(status, sums)| group(None, None, Some(*status), sums))
                .collect(),
            by_funding_status: result
                .by_funding_status
                .iter()
                .map(|((funding, status), sums)| group(None, Some(*funding), Some(*status), sums))
                .collect(),
            totals: Some(sums_to_proto(&result.totals)),
            exact: result.is_exact(),
            uncovered_months: result
                .uncovered_months
                .iter()
                .map(|m| i32::from(*m))
                .collect(),
            inexact_spans: result
                .inexact_spans
                .iter()
                .map(|s| pb::InexactInvestmentSpan {
                    investment: investment_name(&s.investment),
                    stored_span: Some(convert::span(s.stored_span)),
                })
                .collect(),
            groups: report
                .groups
                .iter()
                .map(|(key, sums)| pb::InvestmentSummaryGroup {
                    kind: key
                        .kind
                        .map_or(pb::InvestmentKind::Unspecified, kind_to_proto)
                        as i32,
                    ..group(key.unit.as_ref(), key.funding, key.status, sums)
                })
                .collect(),
        }
    }
}

#[tonic::async_trait]
impl InvestmentService for InvestmentApi {
    async fn get_investment(
        &self,
        request: Request<pb::GetInvestmentRequest>,
    ) -> Result<Response<pb::Investment>, Status> {
        let grant = grant(&request)?;
        let key = InvestmentKey::try_from(request.into_inner())?;
        let stored = service::get(&self.store, &grant, &key).await?;
        Ok(Response::new(investment_to_proto(&stored)))
    }

    async fn list_investments(
        &self,
        request: Request<pb::ListInvestmentsRequest>,
    ) -> Result<Response<pb::ListInvestmentsResponse>, Status> {
        let grant = grant(&request)?;
        let query = ListQuery::try_from(request.into_inner())?;
        let page = service::list_objects(&self.store, &grant, &query).await?;
        Ok(Response::new(pb::ListInvestmentsResponse {
            investments: page.rows.iter().map(investment_to_proto).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn summarize_investments(
        &self,
        request: Request<pb::SummarizeInvestmentsRequest>,
    ) -> Result<Response<pb::SummarizeInvestmentsResponse>, Status> {
        let grant = grant(&request)?;
        let query = InvestmentSummaryQuery::try_from(request.into_inner())?;
        let report = service::summarize(&self.store, &grant, &query).await?;
        Ok(Response::new(report.into()))
    }
}
