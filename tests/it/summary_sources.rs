//! The `sources` of every Summarize response: the documents, tables and imports of the rows
//! the summary read, as the data stands at `as_of`, on the demo data (hsn-tertial-april-2025)
//! and tests/fixtures/report.txt.

use crate::common::{self, TestApp, for_each_backend};
use uppsikt::proto::v1 as pb;

#[tokio::test]
async fn summaries_name_the_sources_of_the_rows_they_read() {
    for_each_backend(true, async |app: &TestApp| {
        let label = app.label;
        let budget = app
            .budget()
            .summarize_budget(pb::SummarizeBudgetRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                ..Default::default()
            })
            .await
            .expect("budget")
            .into_inner();
        let tables: Vec<&str> = budget.sources.iter().map(|s| s.table.as_str()).collect();
        assert!(
            tables.contains(&"Intäkter och kostnader"),
            "{label}: {tables:?}"
        );
        assert!(
            tables.contains(&"Prognos avvikelse mot budget"),
            "{label}: {tables:?}"
        );
        assert!(
            budget
                .sources
                .iter()
                .all(|s| s.document == "hsn-tertial-april-2025"
                    && s.kind == "budget_line"
                    && s.import.starts_with("imports/")),
            "{label}: only the tertial report's lines: {:?}",
            budget.sources
        );
        // The fixture's positions, read as the data stood before and after their import.
        let before = now();
        common::load_fixture(app, "report.txt").await;
        let staffing_at = async |as_of: Option<prost_types::Timestamp>| {
            app.staffing()
                .summarize_staffing(pb::SummarizeStaffingRequest {
                    org_unit: "orgUnits/HSN".into(),
                    fiscal_year: 2025,
                    from_month: 1,
                    to_month: 4,
                    as_of,
                    ..Default::default()
                })
                .await
                .expect("staffing")
                .into_inner()
                .sources
        };
        let kinds = |sources: &[pb::SummarySource]| -> Vec<String> {
            sources.iter().map(|s| s.kind.clone()).collect()
        };
        assert!(!kinds(&staffing_at(Some(before)).await).contains(&"position".to_owned()));
        let after = staffing_at(None).await;
        let positions: Vec<(&str, &str)> = after
            .iter()
            .filter(|s| s.kind == "position")
            .map(|s| (s.document.as_str(), s.table.as_str()))
            .collect();
        assert_eq!(
            positions,
            [("test-fixture-report", "Befattningar")],
            "{label}"
        );

        let investments = app
            .investments()
            .summarize_investments(pb::SummarizeInvestmentsRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                ..Default::default()
            })
            .await
            .expect("investments")
            .into_inner();
        let kinds: Vec<&str> = investments
            .sources
            .iter()
            .map(|s| s.kind.as_str())
            .collect();
        assert_eq!(kinds, ["investment", "investment_figure"], "{label}");
        assert!(
            investments
                .sources
                .iter()
                .all(|s| s.document == "hsn-tertial-april-2025")
        );

        let hired: Vec<&str> = after
            .iter()
            .filter(|s| s.kind == "hired_staff")
            .map(|s| s.table.as_str())
            .collect();
        assert_eq!(hired, ["Bemanningsföretag"], "{label}");
        assert!(after.iter().any(|s| s.kind == "headcount"));
        assert!(after.iter().any(|s| s.kind == "sick_leave"));

        let indicators = app
            .indicators()
            .summarize_indicators(pb::SummarizeIndicatorsRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2025,
                goal_area: "Tandvård - God och tillgänglig tandvård i hela Jämtland Härjedalen"
                    .into(),
                ..Default::default()
            })
            .await
            .expect("indicators")
            .into_inner();
        let tables: std::collections::BTreeSet<&str> = indicators
            .sources
            .iter()
            .map(|s| s.table.as_str())
            .collect();
        assert_eq!(
            tables.into_iter().collect::<Vec<_>>(),
            ["Kortsiktiga nyckeltal: Tandvård"],
            "{label}: only the goal area's"
        );
    })
    .await;
}

/// Now, as a request's `as_of`.
fn now() -> prost_types::Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock");
    prost_types::Timestamp {
        seconds: since.as_secs() as i64,
        nanos: since.subsec_nanos() as i32,
    }
}
