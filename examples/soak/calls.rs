//! The mix of reads a soak client makes: every List, Get and Summarize of every area, the CSV
//! form of a list over HTTP/1.1, and the change feed read as a mirror tails it.

use crate::Rng;
use http_body_util::{BodyExt, Empty};
use uppsikt::proto::v1 as pb;

/// The names the calls pick from, read from the server before the load starts.
pub struct Names {
    pub units: Vec<String>,
    pub categories: Vec<String>,
    pub investments: Vec<String>,
    pub indicators: Vec<String>,
    pub professions: Vec<String>,
}

/// Years with data: the generated division's and the demo's.
const YEARS: [i32; 5] = [2020, 2021, 2023, 2024, 2025];

/// The calls, with their weights in the mix (lists and summaries more often than the rest).
pub const CALLS: [(&str, u32); 22] = [
    ("GetOrgUnit", 4),
    ("ListOrgUnits", 2),
    ("ListCategories", 1),
    ("ListBudgetLines", 6),
    ("ListBudgetLines CSV", 3),
    ("SummarizeBudget", 6),
    ("ListInvestments", 2),
    ("GetInvestment", 2),
    ("SummarizeInvestments", 3),
    ("ListProfessionGroups", 1),
    ("ListHeadcounts", 2),
    ("ListWorkedHours", 2),
    ("ListHiredStaff", 2),
    ("ListSickLeave", 2),
    ("ListPositions", 2),
    ("SummarizeStaffing", 3),
    ("ListIndicators", 2),
    ("GetIndicator", 2),
    ("SummarizeIndicators", 3),
    ("ListAssignments", 2),
    ("ListImports", 1),
    ("ListChanges", 4),
];

/// One client's connection: a gRPC channel of its own, and an HTTP/1.1 client for the CSV.
pub struct Client {
    channel: tonic::transport::Channel,
    http: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        Empty<bytes::Bytes>,
    >,
    base: String,
    /// The change feed's cursor, as a mirror keeps it.
    after: String,
}

fn pick<'a>(rng: &mut Rng, from: &'a [String]) -> &'a str {
    &from[(rng.unit() * from.len() as f64) as usize % from.len()]
}

fn year(rng: &mut Rng) -> i32 {
    YEARS[(rng.unit() * YEARS.len() as f64) as usize % YEARS.len()]
}

fn page_size(rng: &mut Rng) -> i32 {
    [10, 100, 500][(rng.unit() * 3.0) as usize % 3]
}

/// A call's outcome: its status code's name when it failed.
pub type Outcome = Result<(), String>;

fn code(status: tonic::Status) -> String {
    format!("{:?}", status.code())
}

impl Client {
    pub async fn connect(api: std::net::SocketAddr) -> anyhow::Result<Self> {
        let channel = tonic::transport::Channel::from_shared(format!("http://{api}"))?
            .connect()
            .await?;
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http();
        Ok(Self {
            channel,
            http,
            base: format!("http://{api}"),
            after: String::new(),
        })
    }

    /// The call `CALLS[which]` with arguments picked by `rng`.
    pub async fn call(&mut self, which: usize, names: &Names, rng: &mut Rng) -> Outcome {
        let ch = self.channel.clone();
        let unit = pick(rng, &names.units).to_owned();
        let descendants = rng.unit() < 0.5;
        let year = year(rng);
        let size = page_size(rng);
        // A unary call on a client of `$service`.
        macro_rules! call {
            ($service:ident :: $client:ident, $method:ident, $request:expr) => {
                $service::$client::new(ch).$method($request).await.map(drop)
            };
        }
        // A List of one unit (and its subtree, or not), a page of a drawn size.
        macro_rules! list {
            ($service:ident :: $client:ident, $method:ident, $request:ident { $($field:ident: $value:expr),* }) => {
                call!($service::$client, $method, pb::$request {
                    org_unit: unit,
                    include_descendants: descendants,
                    page_size: size,
                    $($field: $value,)*
                    ..Default::default()
                })
            };
        }
        let profession = if rng.unit() < 0.3 {
            pick(rng, &names.professions).to_owned()
        } else {
            String::new()
        };
        let category = if rng.unit() < 0.3 {
            pick(rng, &names.categories).to_owned()
        } else {
            String::new()
        };
        let by_child = rng.unit() < 0.5;
        use pb::{
            budget_service_client as budget, import_service_client as imports,
            indicator_service_client as indicators, investment_service_client as investments,
            organization_service_client as org, staffing_service_client as staffing,
        };
        match CALLS[which].0 {
            "GetOrgUnit" => call!(
                org::OrganizationServiceClient,
                get_org_unit,
                pb::GetOrgUnitRequest {
                    name: unit,
                    ..Default::default()
                }
            ),
            "ListOrgUnits" => list!(
                org::OrganizationServiceClient,
                list_org_units,
                ListOrgUnitsRequest {}
            ),
            "ListCategories" => call!(
                budget::BudgetServiceClient,
                list_categories,
                pb::ListCategoriesRequest {
                    page_size: size,
                    ..Default::default()
                }
            ),
            "ListBudgetLines" => list!(
                budget::BudgetServiceClient,
                list_budget_lines,
                ListBudgetLinesRequest {
                    fiscal_year: year,
                    category: category
                }
            ),
            "ListBudgetLines CSV" => return self.csv(&unit, year).await,
            "SummarizeBudget" => call!(
                budget::BudgetServiceClient,
                summarize_budget,
                pb::SummarizeBudgetRequest {
                    org_unit: unit,
                    fiscal_year: year,
                    group_by: if by_child {
                        pb::SummaryGrouping::ChildUnit
                    } else {
                        pb::SummaryGrouping::Category
                    } as i32,
                    ..Default::default()
                }
            ),
            "ListInvestments" => list!(
                investments::InvestmentServiceClient,
                list_investments,
                ListInvestmentsRequest {}
            ),
            "GetInvestment" => call!(
                investments::InvestmentServiceClient,
                get_investment,
                pb::GetInvestmentRequest {
                    name: pick(rng, &names.investments).to_owned(),
                    ..Default::default()
                }
            ),
            "SummarizeInvestments" => call!(
                investments::InvestmentServiceClient,
                summarize_investments,
                pb::SummarizeInvestmentsRequest {
                    org_unit: unit,
                    fiscal_year: year,
                    group_by: vec![if by_child {
                        pb::InvestmentDimension::ChildUnit
                    } else {
                        pb::InvestmentDimension::Funding
                    } as i32],
                    ..Default::default()
                }
            ),
            "ListProfessionGroups" => call!(
                staffing::StaffingServiceClient,
                list_profession_groups,
                pb::ListProfessionGroupsRequest {
                    page_size: size,
                    ..Default::default()
                }
            ),
            "ListHeadcounts" => list!(
                staffing::StaffingServiceClient,
                list_headcounts,
                ListHeadcountsRequest {}
            ),
            "ListWorkedHours" => list!(
                staffing::StaffingServiceClient,
                list_worked_hours,
                ListWorkedHoursRequest { fiscal_year: year }
            ),
            "ListHiredStaff" => list!(
                staffing::StaffingServiceClient,
                list_hired_staff,
                ListHiredStaffRequest {
                    fiscal_year: year,
                    profession: profession
                }
            ),
            "ListSickLeave" => list!(
                staffing::StaffingServiceClient,
                list_sick_leave,
                ListSickLeaveRequest { fiscal_year: year }
            ),
            "ListPositions" => list!(
                staffing::StaffingServiceClient,
                list_positions,
                ListPositionsRequest {}
            ),
            "SummarizeStaffing" => call!(
                staffing::StaffingServiceClient,
                summarize_staffing,
                pb::SummarizeStaffingRequest {
                    org_unit: unit,
                    fiscal_year: year,
                    ..Default::default()
                }
            ),
            "ListIndicators" => list!(
                indicators::IndicatorServiceClient,
                list_indicators,
                ListIndicatorsRequest {}
            ),
            "GetIndicator" => call!(
                indicators::IndicatorServiceClient,
                get_indicator,
                pb::GetIndicatorRequest {
                    name: pick(rng, &names.indicators).to_owned(),
                    ..Default::default()
                }
            ),
            "SummarizeIndicators" => call!(
                indicators::IndicatorServiceClient,
                summarize_indicators,
                pb::SummarizeIndicatorsRequest {
                    org_unit: unit,
                    fiscal_year: year,
                    ..Default::default()
                }
            ),
            "ListAssignments" => list!(
                indicators::IndicatorServiceClient,
                list_assignments,
                ListAssignmentsRequest {}
            ),
            "ListImports" => call!(
                imports::ImportServiceClient,
                list_imports,
                pb::ListImportsRequest {
                    page_size: size,
                    ..Default::default()
                }
            ),
            "ListChanges" => {
                let mut c = pb::change_service_client::ChangeServiceClient::new(ch);
                let page = c
                    .list_changes(pb::ListChangesRequest {
                        after: self.after.clone(),
                        page_size: 500,
                        ..Default::default()
                    })
                    .await
                    .map_err(code)?
                    .into_inner();
                self.after = page.next_cursor;
                Ok(())
            }
            other => unreachable!("no call {other}"),
        }
        .map_err(code)
    }

    /// `GET` of a unit's budget lines as CSV (the "GET by fields" form), read to the end.
    async fn csv(&self, unit: &str, year: i32) -> Outcome {
        let uri = format!(
            "{}/uppsikt.v1.BudgetService/ListBudgetLines?org_unit={unit}&fiscal_year={year}&page_size=1000&format=csv",
            self.base
        );
        let response = self
            .http
            .get(uri.parse().map_err(|e| format!("uri: {e}"))?)
            .await
            .map_err(|e| format!("HTTP error: {e}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("HTTP body: {e}"))?;
        if status == http::StatusCode::OK {
            drop(body);
            Ok(())
        } else {
            Err(format!("HTTP {}", status.as_u16()))
        }
    }
}
