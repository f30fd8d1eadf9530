//! Bad input: INVALID_ARGUMENT naming the field, NOT_FOUND for unknown units, ErrorInfo on
//! every error, and no input that makes the server fail.

use crate::common;

use common::{assert_error, for_each_backend};
use tonic::Code;
use uppsikt::proto::v1 as pb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_arguments_name_the_field() {
    for_each_backend(true, async |app| {
        let mut budget = app.budget();
        let lines = |f: fn(&mut pb::ListBudgetLinesRequest)| {
            let mut request = pb::ListBudgetLinesRequest::default();
            f(&mut request);
            request
        };
        let cases: Vec<(pb::ListBudgetLinesRequest, &str)> = vec![
            (lines(|r| r.page_size = -1), "page_size"),
            (lines(|r| r.from_month = 13), "from_month"),
            (lines(|r| r.to_month = -2), "to_month"),
            (
                lines(|r| {
                    r.from_month = 5;
                    r.to_month = 4;
                }),
                "from_month",
            ),
            (lines(|r| r.scenario = 99), "scenario"),
            (lines(|r| r.org_unit = "HSN".into()), "org_unit"),
            (
                lines(|r| r.org_unit = "orgUnits/hsn lower".into()),
                "org_unit",
            ),
            (lines(|r| r.category = "categories/".into()), "category"),
            (lines(|r| r.fiscal_year = 99_999), "fiscal_year"),
            (
                lines(|r| r.structure_date = "2025-13-01".into()),
                "structure_date",
            ),
            (lines(|r| r.page_token = "not-a-token".into()), "page_token"),
            (
                lines(|r| {
                    r.as_of = Some(prost_types::Timestamp {
                        seconds: 0,
                        nanos: -5,
                    })
                }),
                "as_of",
            ),
        ];
        for (request, field) in cases {
            let status = budget.list_budget_lines(request).await.expect_err(field);
            assert_error(&status, Code::InvalidArgument, Some(field));
        }

        // A page token used with other filter values.
        let first = budget
            .list_budget_lines(pb::ListBudgetLinesRequest {
                fiscal_year: 2025,
                page_size: 2,
                ..Default::default()
            })
            .await
            .expect("first page")
            .into_inner();
        assert!(!first.next_page_token.is_empty());
        let status = budget
            .list_budget_lines(pb::ListBudgetLinesRequest {
                fiscal_year: 2024,
                page_size: 2,
                page_token: first.next_page_token,
                ..Default::default()
            })
            .await
            .expect_err("token with other filters");
        assert_error(&status, Code::InvalidArgument, Some("page_token"));

        let summary = |f: fn(&mut pb::SummarizeBudgetRequest)| {
            let mut request = pb::SummarizeBudgetRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2025,
                ..Default::default()
            };
            f(&mut request);
            request
        };
        for (request, field) in [
            (summary(|r| r.fiscal_year = 0), "fiscal_year"),
            (summary(|r| r.from_month = 0 - 1), "from_month"),
            (
                summary(|r| {
                    r.from_month = 9;
                    r.to_month = 3;
                }),
                "from_month",
            ),
            (summary(|r| r.group_by = 42), "group_by"),
            (summary(|r| r.org_unit = String::new()), "org_unit"),
        ] {
            let status = budget.summarize_budget(request).await.expect_err(field);
            assert_error(&status, Code::InvalidArgument, Some(field));
        }

        let status = app
            .organization()
            .list_org_units(pb::ListOrgUnitsRequest {
                page_size: -5,
                ..Default::default()
            })
            .await
            .expect_err("negative page size");
        assert_error(&status, Code::InvalidArgument, Some("page_size"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_units_are_not_found() {
    for_each_backend(true, async |app| {
        let status = app
            .organization()
            .get_org_unit(pb::GetOrgUnitRequest {
                name: "orgUnits/NOPE".into(),
                ..Default::default()
            })
            .await
            .expect_err("unknown unit");
        assert_error(&status, Code::NotFound, None);
        let status = app
            .budget()
            .summarize_budget(pb::SummarizeBudgetRequest {
                org_unit: "orgUnits/NOPE".into(),
                fiscal_year: 2025,
                ..Default::default()
            })
            .await
            .expect_err("unknown unit");
        assert_error(&status, Code::NotFound, None);
        let status = app
            .budget()
            .list_budget_lines(pb::ListBudgetLinesRequest {
                org_unit: "orgUnits/NOPE".into(),
                ..Default::default()
            })
            .await
            .expect_err("unknown unit");
        assert_error(&status, Code::NotFound, None);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extreme_values_are_answered_not_crashed_on() {
    for_each_backend(true, async |app| {
        let mut budget = app.budget();
        for request in [
            pb::ListBudgetLinesRequest {
                page_size: i32::MAX,
                ..Default::default()
            },
            pb::ListBudgetLinesRequest {
                fiscal_year: i32::MIN,
                ..Default::default()
            },
            pb::ListBudgetLinesRequest {
                org_unit: format!("orgUnits/{}", "A".repeat(10_000)),
                ..Default::default()
            },
            pb::ListBudgetLinesRequest {
                as_of: Some(prost_types::Timestamp {
                    seconds: i64::MAX,
                    nanos: 0,
                }),
                ..Default::default()
            },
            pb::ListBudgetLinesRequest {
                category: "categories/'; DROP TABLE budget_lines; --".into(),
                ..Default::default()
            },
        ] {
            match budget.list_budget_lines(request).await {
                Ok(_) => {}
                Err(status) => {
                    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
                    assert!(
                        !status.message().to_lowercase().contains("sql"),
                        "{status:?}"
                    );
                }
            }
        }
        // The server still answers.
        budget
            .list_budget_lines(pb::ListBudgetLinesRequest::default())
            .await
            .expect("still serving");
    })
    .await;
}
