//! BudgetService: categories, budget lines and the summaries the reports print.

use super::caller::grant;
use super::convert;
use super::request::{self, Checks, list_fields, list_query};
use crate::domain::period::MonthSpan;
use crate::domain::summary::{Figures, GroupKey, Grouping, StatementTotals};
use crate::domain::validation::Violation;
use crate::proto::v1 as pb;
use crate::proto::v1::budget_service_server::BudgetService;
use crate::service::ServiceError;
use crate::service::budget::{self as service, BudgetSummary, BudgetSummaryQuery, CategoryQuery};
use crate::service::listing::ListQuery;
use crate::service::paging::PageRequest;
use crate::store::Store;
use crate::store::budget::{LineFilter, StoredBudgetLine, StoredCategory};
use tonic::{Request, Response, Status};

pub struct BudgetApi {
    store: Store,
}

impl BudgetApi {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn category_to_proto(stored: &StoredCategory) -> pb::Category {
    let c = &stored.category;
    pb::Category {
        name: convert::category_name(&c.code),
        code: c.code.to_string(),
        display_name: c.name.clone(),
        direction: convert::direction(c.direction) as i32,
        parent: c
            .parent
            .as_ref()
            .map(convert::category_name)
            .unwrap_or_default(),
        display_order: c.display_order,
        provenance: Some(convert::provenance(&stored.provenance)),
    }
}

impl From<&StoredBudgetLine> for pb::BudgetLine {
    fn from(line: &StoredBudgetLine) -> Self {
        pb::BudgetLine {
            org_unit: convert::org_unit_name(&line.org_unit),
            category: convert::category_name(&line.category),
            span: Some(convert::span(line.span)),
            scenario: convert::scenario(line.scenario) as i32,
            amount_sek: line.amount_sek,
            provenance: Some(convert::provenance(&line.provenance)),
        }
    }
}

fn figures_to_proto(f: &Figures) -> pb::Figures {
    pb::Figures {
        actual_sek: f.actual,
        budget_sek: f.budget,
        prior_year_actual_sek: f.prior_year_actual,
        deviation_sek: f.deviation(),
        change_sek: f.change(),
        change_percent: f
            .change_percent()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        forecast_sek: f.forecast(),
        full_year_budget_sek: f.full_year_budget(),
        forecast_deviation_sek: f.forecast_deviation(),
    }
}

fn totals_to_proto(t: &StatementTotals) -> pb::StatementTotals {
    pb::StatementTotals {
        income: Some(figures_to_proto(&t.income)),
        gross_cost: Some(figures_to_proto(&t.gross_cost)),
        net_cost: Some(figures_to_proto(&t.net_cost)),
    }
}

impl TryFrom<pb::ListCategoriesRequest> for CategoryQuery {
    type Error = ServiceError;

    fn try_from(r: pb::ListCategoriesRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let query = CategoryQuery {
            direction: checks.take(convert::direction_filter(r.direction, "direction")),
            as_of: checks.take(request::as_of(r.as_of.as_ref())),
            page: checks.take(PageRequest::parse(r.page_size, &r.page_token)),
        };
        checks.done(Some(query))
    }
}

impl TryFrom<pb::ListBudgetLinesRequest> for ListQuery<LineFilter> {
    type Error = ServiceError;

    fn try_from(r: pb::ListBudgetLinesRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let filter = LineFilter {
            fiscal_year: checks.take(request::optional_fiscal_year(r.fiscal_year, "fiscal_year")),
            months: checks.take_all(request::month_range(r.from_month, r.to_month)),
            category: checks.take(request::optional_category(&r.category, "category")),
            scenario: checks.take(request::scenario(r.scenario, "scenario")),
        };
        let query = list_query(&mut checks, list_fields!(r), filter);
        checks.done(Some(query))
    }
}

fn grouping(value: i32) -> Result<Grouping, Violation> {
    match pb::SummaryGrouping::try_from(value) {
        Ok(pb::SummaryGrouping::Unspecified | pb::SummaryGrouping::Category) => {
            Ok(Grouping::Category)
        }
        Ok(pb::SummaryGrouping::ChildUnit) => Ok(Grouping::ChildUnit),
        Ok(pb::SummaryGrouping::Month) => Ok(Grouping::Month),
        Err(_) => Err(request::unknown_enum("group_by", value, "grouping")),
    }
}

impl TryFrom<pb::SummarizeBudgetRequest> for BudgetSummaryQuery {
    type Error = ServiceError;

    fn try_from(r: pb::SummarizeBudgetRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let at = request::at(&mut checks, &r.structure_date, r.as_of.as_ref());
        let scope = request::summary_scope(
            &mut checks,
            &r.org_unit,
            [r.fiscal_year, r.from_month, r.to_month],
            at,
        );
        let grouping = checks.need(grouping(r.group_by));
        let query = scope
            .zip(grouping)
            .map(|(scope, grouping)| BudgetSummaryQuery { scope, grouping });
        checks.done(query)
    }
}

impl From<BudgetSummary> for pb::SummarizeBudgetResponse {
    fn from(
        BudgetSummary {
            unit,
            summary,
            sources,
        }: BudgetSummary,
    ) -> Self {
        let span = summary.span;
        let groups = summary
            .groups
            .iter()
            .map(|group| pb::SummaryGroup {
                org_unit: match &group.key {
                    GroupKey::Unit(unit) => convert::org_unit_name(unit),
                    _ => String::new(),
                },
                span: Some(convert::span(match group.key {
                    GroupKey::Months { from, to } => MonthSpan { from, to, ..span },
                    _ => span,
                })),
                categories: group
                    .rows
                    .iter()
                    .map(|(category, figures)| pb::CategoryFigures {
                        category: convert::category_name(&category.code),
                        display_name: category.name.clone(),
                        direction: convert::direction(category.direction) as i32,
                        parent: category
                            .parent
                            .as_ref()
                            .map(convert::category_name)
                            .unwrap_or_default(),
                        figures: Some(figures_to_proto(figures)),
                    })
                    .collect(),
                totals: Some(totals_to_proto(&group.totals)),
            })
            .collect();
        pb::SummarizeBudgetResponse {
            sources: convert::sources(&sources),
            org_unit: convert::org_unit_name(&unit),
            span: Some(convert::span(span)),
            groups,
            totals: Some(totals_to_proto(&summary.totals)),
            exact: summary.is_exact(),
            inexact_spans: summary
                .inexact_spans
                .iter()
                .map(|s| pb::InexactSpan {
                    org_unit: convert::org_unit_name(&s.org_unit),
                    category: convert::category_name(&s.category),
                    scenario: convert::scenario(s.scenario) as i32,
                    stored_span: Some(convert::span(s.stored_span)),
                    affects_totals: s.affects_totals,
                })
                .collect(),
            uncovered: summary
                .uncovered_months
                .iter()
                .filter(|(_, months)| !months.is_empty())
                .map(|(figure, months)| pb::UncoveredMonths {
                    figure: (*figure).to_owned(),
                    months: months.iter().map(|m| i32::from(*m)).collect(),
                })
                .collect(),
        }
    }
}

#[tonic::async_trait]
impl BudgetService for BudgetApi {
    async fn list_categories(
        &self,
        request: Request<pb::ListCategoriesRequest>,
    ) -> Result<Response<pb::ListCategoriesResponse>, Status> {
        let grant = grant(&request)?;
        let query = CategoryQuery::try_from(request.into_inner())?;
        let page = service::categories(&self.store, &grant, &query).await?;
        Ok(Response::new(pb::ListCategoriesResponse {
            categories: page.rows.iter().map(category_to_proto).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn list_budget_lines(
        &self,
        request: Request<pb::ListBudgetLinesRequest>,
    ) -> Result<Response<pb::ListBudgetLinesResponse>, Status> {
        let grant = grant(&request)?;
        let query = ListQuery::try_from(request.into_inner())?;
        let page = service::lines(&self.store, &grant, &query).await?;
        Ok(Response::new(pb::ListBudgetLinesResponse {
            budget_lines: page.rows.iter().map(pb::BudgetLine::from).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn summarize_budget(
        &self,
        request: Request<pb::SummarizeBudgetRequest>,
    ) -> Result<Response<pb::SummarizeBudgetResponse>, Status> {
        let grant = grant(&request)?;
        let query = BudgetSummaryQuery::try_from(request.into_inner())?;
        let summary = service::summarize(&self.store, &grant, &query).await?;
        Ok(Response::new(summary.into()))
    }
}
