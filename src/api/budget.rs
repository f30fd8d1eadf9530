//! BudgetService: categories, budget lines and the summaries the reports print.

use super::convert;
use super::error::ApiError;
use super::listing::{ListScope, list, list_fields};
use super::paging;
use super::request::{self, Checks};
use crate::domain::codes::CategoryCode;
use crate::domain::instant::Instant;
use crate::domain::period::MonthSpan;
use crate::domain::summary::{self, Figures, GroupKey, Grouping, StatementTotals, SummaryRequest};
use crate::proto::v1 as pb;
use crate::proto::v1::budget_service_server::BudgetService;
use crate::store::Store;
use crate::store::budget::{self as store, LineFilter, StoredBudgetLine, StoredCategory};
use crate::store::entities::budget_line;
use std::collections::HashMap;
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

#[tonic::async_trait]
impl BudgetService for BudgetApi {
    async fn list_categories(
        &self,
        request: Request<pb::ListCategoriesRequest>,
    ) -> Result<Response<pb::ListCategoriesResponse>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let direction = checks.take(convert::direction_filter(request.direction, "direction"));
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        let size = checks.take(paging::page_size(request.page_size));
        checks.finish().map_err(ApiError::from)?;

        let filters = paging::fingerprint(&("categories", direction.map(|d| d.as_str()), as_of));
        let (as_of, after) = paging::start::<(i32, String)>(&request.page_token, filters, as_of)
            .map_err(ApiError::from)?;
        let all = store::categories(self.store.reader(), as_of)
            .await
            .map_err(ApiError::from)?;
        let sort_key = |s: &StoredCategory| (s.category.display_order, s.category.code.to_string());
        let rows: Vec<&StoredCategory> = all
            .iter()
            .filter(|s| direction.is_none_or(|d| s.category.direction == d))
            .filter(|s| after.as_ref().is_none_or(|a| &sort_key(s) > a))
            .take(size as usize + 1)
            .collect();
        let (page, next_page_token) = paging::finish(rows, size, filters, as_of, |s| sort_key(s));
        Ok(Response::new(pb::ListCategoriesResponse {
            categories: page.into_iter().map(category_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn list_budget_lines(
        &self,
        request: Request<pb::ListBudgetLinesRequest>,
    ) -> Result<Response<pb::ListBudgetLinesResponse>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let scope = ListScope::parse(&mut checks, list_fields!(request));
        let filter = LineFilter {
            fiscal_year: checks.take(request::optional_fiscal_year(
                request.fiscal_year,
                "fiscal_year",
            )),
            months: checks.take_all(request::month_range(request.from_month, request.to_month)),
            category: checks.take(request::optional_category(&request.category, "category")),
            scenario: checks.take(request::scenario(request.scenario, "scenario")),
        };
        checks.finish().map_err(ApiError::from)?;

        let page = list::<budget_line::Entity>(&self.store, "budget_lines", scope, &filter, |_| {
            filter.condition()
        })
        .await?;
        let (budget_lines, next_page_token) = page.convert::<StoredBudgetLine, _>()?;
        Ok(Response::new(pb::ListBudgetLinesResponse {
            budget_lines,
            next_page_token,
        }))
    }

    async fn summarize_budget(
        &self,
        request: Request<pb::SummarizeBudgetRequest>,
    ) -> Result<Response<pb::SummarizeBudgetResponse>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let code = checks.take(request::org_unit(&request.org_unit, "org_unit").map(Some));
        let span = request::summary_span(
            &mut checks,
            request.fiscal_year,
            request.from_month,
            request.to_month,
        );
        let grouping = checks.take(
            match pb::SummaryGrouping::try_from(request.group_by) {
                Ok(pb::SummaryGrouping::Unspecified | pb::SummaryGrouping::Category) => {
                    Ok(Grouping::Category)
                }
                Ok(pb::SummaryGrouping::ChildUnit) => Ok(Grouping::ChildUnit),
                Ok(pb::SummaryGrouping::Month) => Ok(Grouping::Month),
                Err(_) => Err(request::unknown_enum(
                    "group_by",
                    request.group_by,
                    "grouping",
                )),
            }
            .map(Some),
        );
        let date = checks.take(request::structure_date(
            &request.structure_date,
            "structure_date",
        ));
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        checks.finish().map_err(ApiError::from)?;
        let (code, span, grouping) = (
            code.expect("checked"),
            span.expect("checked"),
            grouping.expect("checked"),
        );
        let as_of = as_of.unwrap_or_else(Instant::now);
        let date = request::tree_date(date, as_of);

        let tree =
            super::scope::summary_tree(&self.store, &code, &request.org_unit, date, as_of).await?;
        let unit_groups = tree.child_of_root(&code);
        let categories: HashMap<CategoryCode, _> = store::categories(self.store.reader(), as_of)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|s| (s.category.code.clone(), s.category))
            .collect();
        let groups = match grouping {
            Grouping::ChildUnit => tree.child_groups(&code),
            Grouping::Category | Grouping::Month => vec![(code.clone(), tree.subtree(&code))],
        };
        let lines = store::summary_lines(self.store.reader(), &groups, span, as_of)
            .await
            .map_err(ApiError::from)?;
        let covered = crate::store::sources::budget_summary(span);
        let sources =
            super::sources::of(&self.store, &covered, &tree.subtree(&code), as_of).await?;
        let result = summary::summarize(
            &SummaryRequest {
                span,
                grouping,
                unit_groups: &unit_groups,
                categories: &categories,
            },
            &lines,
        );

        let groups = result
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
        Ok(Response::new(pb::SummarizeBudgetResponse {
            org_unit: convert::org_unit_name(&code),
            span: Some(convert::span(span)),
            groups,
            totals: Some(totals_to_proto(&result.totals)),
            exact: result.is_exact(),
            inexact_spans: result
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
            uncovered: result
                .uncovered_months
                .iter()
                .filter(|(_, months)| !months.is_empty())
                .map(|(figure, months)| pb::UncoveredMonths {
                    figure: (*figure).to_owned(),
                    months: months.iter().map(|m| i32::from(*m)).collect(),
                })
                .collect(),
            sources,
        }))
    }
}
