//! Export → import into an empty database → the same answers: SummarizeBudget,
//! SummarizeInvestments, every staffing list, every indicator (with targets, outcomes and
//! statuses), SummarizeIndicators and every assignment (provenance documents and tables included;
//! only import ids and recording times differ).

use crate::common;

use common::{TestApp, TestDatabase};
use uppsikt::import::files::file_entries;
use uppsikt::import::{ImportRequest, run_import};
use uppsikt::proto::v1 as pb;

fn request(document: &str) -> ImportRequest {
    ImportRequest {
        document: document.into(),
        table: None,
        system: Some("test".into()),
        request_id: None,
        dry_run: false,
    }
}

/// Everything the two databases must answer alike.
async fn answers(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    let mut budget = app.budget();
    for (unit, year, from, to) in [
        ("HSN", 2025, 1, 4),
        ("RS", 2023, 1, 12),
        ("RJH", 2024, 1, 12),
        ("RS-RST", 2023, 1, 12),
    ] {
        for group_by in [
            pb::SummaryGrouping::Category,
            pb::SummaryGrouping::ChildUnit,
        ] {
            let mut summary = budget
                .summarize_budget(pb::SummarizeBudgetRequest {
                    org_unit: format!("orgUnits/{unit}"),
                    fiscal_year: year,
                    from_month: from,
                    to_month: to,
                    group_by: group_by as i32,
                    ..Default::default()
                })
                .await
                .expect("budget summary")
                .into_inner();
            // Sources minus what an import necessarily changes (its id).
            summary.sources.iter_mut().for_each(|s| s.import.clear());
            out.push(format!("{summary:?}"));
        }
    }
    let mut investments = app.investments();
    for (unit, year, from, to) in [
        ("HSN", 2024, 1, 12),
        ("HSN", 2025, 1, 4),
        ("RS", 2023, 1, 12),
    ] {
        let mut summary = investments
            .summarize_investments(pb::SummarizeInvestmentsRequest {
                org_unit: format!("orgUnits/{unit}"),
                fiscal_year: year,
                from_month: from,
                to_month: to,
                ..Default::default()
            })
            .await
            .expect("investment summary")
            .into_inner();
        summary.sources.iter_mut().for_each(|s| s.import.clear());
        out.push(format!("{summary:?}"));
    }
    // Provenance minus what an import necessarily changes (its id and time).
    let source =
        |p: &Option<pb::Provenance>| p.as_ref().map(|p| (p.document.clone(), p.table.clone()));
    let mut staffing = app.staffing();
    let headcounts = staffing
        .list_headcounts(pb::ListHeadcountsRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .expect("headcounts")
        .into_inner();
    for mut h in headcounts.headcounts {
        let p = source(&h.provenance);
        h.provenance = None;
        out.push(format!("{h:?} {p:?}"));
    }
    let hours = staffing
        .list_worked_hours(pb::ListWorkedHoursRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .expect("worked hours")
        .into_inner();
    for mut w in hours.worked_hours {
        let p = source(&w.provenance);
        w.provenance = None;
        out.push(format!("{w:?} {p:?}"));
    }
    let hired = staffing
        .list_hired_staff(pb::ListHiredStaffRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .expect("hired staff")
        .into_inner();
    for mut h in hired.hired_staff {
        let p = source(&h.provenance);
        h.provenance = None;
        out.push(format!("{h:?} {p:?}"));
    }
    let sick = staffing
        .list_sick_leave(pb::ListSickLeaveRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .expect("sick leave")
        .into_inner();
    for mut s in sick.sick_leave {
        let p = source(&s.provenance);
        s.provenance = None;
        out.push(format!("{s:?} {p:?}"));
    }
    let positions = staffing
        .list_positions(pb::ListPositionsRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .expect("positions")
        .into_inner();
    for mut p in positions.positions {
        let s = source(&p.provenance);
        p.provenance = None;
        out.push(format!("{p:?} {s:?}"));
    }
    indicator_answers(app, &mut out).await;
    out
}

/// Provenance without what an import necessarily changes (its id and time).
fn keep_source(p: &mut Option<pb::Provenance>) {
    if let Some(p) = p {
        p.import.clear();
        p.recorded_at.clear();
    }
}

/// Indicators with targets, outcomes and statuses, their counts, and assignments.
async fn indicator_answers(app: &TestApp, out: &mut Vec<String>) {
    let mut indicators = app.indicators();
    let list = indicators
        .list_indicators(pb::ListIndicatorsRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .expect("indicators")
        .into_inner();
    assert!(list.next_page_token.is_empty());
    for mut i in list.indicators {
        keep_source(&mut i.provenance);
        i.targets
            .iter_mut()
            .for_each(|t| keep_source(&mut t.provenance));
        i.outcomes
            .iter_mut()
            .for_each(|o| keep_source(&mut o.provenance));
        for e in &mut i.evaluations {
            e.target
                .iter_mut()
                .for_each(|t| keep_source(&mut t.provenance));
            e.outcome
                .iter_mut()
                .for_each(|o| keep_source(&mut o.provenance));
            e.prior_outcome
                .iter_mut()
                .for_each(|o| keep_source(&mut o.provenance));
        }
        out.push(format!("{i:?}"));
    }
    for (unit, year) in [("HSN", 2025), ("HSN", 2024), ("RS", 2023)] {
        let mut summary = indicators
            .summarize_indicators(pb::SummarizeIndicatorsRequest {
                org_unit: format!("orgUnits/{unit}"),
                fiscal_year: year,
                ..Default::default()
            })
            .await
            .expect("indicator summary")
            .into_inner();
        summary.sources.iter_mut().for_each(|s| s.import.clear());
        out.push(format!("{summary:?}"));
    }
    let assignments = indicators
        .list_assignments(pb::ListAssignmentsRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .expect("assignments")
        .into_inner();
    for mut a in assignments.assignments {
        keep_source(&mut a.provenance);
        out.push(format!("{a:?}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_import_into_an_empty_database_gives_the_same_answers() {
    for (database, empty) in TestDatabase::all()
        .await
        .into_iter()
        .zip(TestDatabase::all().await)
    {
        let source = TestApp::with_demo(database).await;
        // The demo data has no worked hours or positions, nor indicator outcomes in two
        // years: add the staffing and indicator fixtures.
        let fixtures = vec![
            std::path::PathBuf::from("tests/fixtures/staffing.txt"),
            std::path::PathBuf::from("tests/fixtures/indicators.txt"),
        ];
        run_import(
            &source.store,
            request("fixtures"),
            Box::pin(file_entries(fixtures)),
            |_| {},
        )
        .await
        .expect("fixtures");

        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("export.txt");
        let file = std::fs::File::create(&path).expect("create");
        let counts = uppsikt::export::export(
            &source.store,
            uppsikt::domain::instant::Instant::now(),
            file,
        )
        .await
        .expect("export");
        for kind in [
            "org_unit",
            "category",
            "budget_line",
            "investment",
            "investment_figure",
            "headcount",
            "worked_hours",
            "hired_staff",
            "sick_leave",
            "position",
            "profession_group",
            "indicator",
            "indicator_target",
            "indicator_outcome",
            "assignment",
        ] {
            assert!(
                counts.get(kind).copied().unwrap_or(0) > 0,
                "{}: exported some {kind}",
                source.label
            );
        }

        let target = TestApp::start(empty).await;
        let outcome = run_import(
            &target.store,
            request("export"),
            Box::pin(file_entries(vec![path])),
            |_| {},
        )
        .await
        .expect("import of the export");
        assert_eq!(
            outcome.records(),
            counts.values().sum::<u64>(),
            "{}",
            source.label
        );

        let (before, after) = (answers(&source).await, answers(&target).await);
        assert!(before.len() > 40, "{}: a broad comparison", source.label);
        assert_eq!(before, after, "{}", source.label);
        source.stop().await;
        target.stop().await;
    }
}
