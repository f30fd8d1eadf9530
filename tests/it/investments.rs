//! InvestmentService on the demo data reproduces the sums the seed reports print (issue 3),
//! filters combine, paging returns every object once, history answers `as_of`, and bad input
//! is INVALID_ARGUMENT naming the field. The demo figures are stored exactly as printed, so the
//! printed sums are reproduced to the krona (tolerance 0).

use crate::common;

use common::{assert_close, assert_error, for_each_backend, tkr};
use std::collections::{BTreeSet, HashSet};
use tonic::Code;
use uppsikt::proto::v1 as pb;

use pb::FundingCategory as Funding;
use pb::InvestmentKind as Kind;
use pb::InvestmentStatus as Status;

fn summary_request(unit: &str, year: i32, from: i32, to: i32) -> pb::SummarizeInvestmentsRequest {
    pb::SummarizeInvestmentsRequest {
        org_unit: format!("orgUnits/{unit}"),
        fiscal_year: year,
        from_month: from,
        to_month: to,
        ..Default::default()
    }
}

async fn summarize(
    app: &common::TestApp,
    request: pb::SummarizeInvestmentsRequest,
) -> pb::SummarizeInvestmentsResponse {
    app.investments()
        .summarize_investments(request)
        .await
        .unwrap_or_else(|e| panic!("{}: summary: {e:?}", app.label))
        .into_inner()
}

/// Every object the request lists, over all pages.
async fn list_all(
    app: &common::TestApp,
    mut request: pb::ListInvestmentsRequest,
) -> Vec<pb::Investment> {
    let mut client = app.investments();
    let mut all = Vec::new();
    loop {
        let page = client
            .list_investments(request.clone())
            .await
            .unwrap_or_else(|e| panic!("{}: list: {e:?}", app.label))
            .into_inner();
        all.extend(page.investments);
        if page.next_page_token.is_empty() {
            return all;
        }
        request.page_token = page.next_page_token;
    }
}

fn sums(group: Option<&pb::InvestmentSummaryGroup>, label: &str) -> pb::InvestmentSums {
    group
        .and_then(|g| g.sums)
        .unwrap_or_else(|| panic!("{label}: no group"))
}

fn by_funding_status(
    summary: &pb::SummarizeInvestmentsResponse,
    funding: Funding,
    status: Status,
) -> pb::InvestmentSums {
    sums(
        summary
            .by_funding_status
            .iter()
            .find(|g| g.funding == funding as i32 && g.status == status as i32),
        &format!("{funding:?}/{status:?}"),
    )
}

fn by_funding(summary: &pb::SummarizeInvestmentsResponse, funding: Funding) -> pb::InvestmentSums {
    sums(
        summary
            .by_funding
            .iter()
            .find(|g| g.funding == funding as i32),
        &format!("{funding:?}"),
    )
}

/// Asserts the printed budget and outcome (tkr) of a group.
#[track_caller]
fn assert_printed(label: &str, sums: &pb::InvestmentSums, outcome_tkr: i64, budget_tkr: i64) {
    assert_close(
        &format!("{label} outcome"),
        sums.outcome_sek,
        outcome_tkr,
        0,
    );
    assert_close(&format!("{label} budget"), sums.budget_sek, budget_tkr, 0);
}

fn budget_sum(objects: &[pb::Investment]) -> i64 {
    objects
        .iter()
        .flat_map(|i| &i.figures)
        .filter_map(|f| f.budget_sek)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsn_plan_2024_reproduces_the_planned_investments() {
    for_each_backend(true, async |app| {
        // "58 995 tkr in all": 44 objects, all planned, all on the year's frame.
        let summary = summarize(app, summary_request("HSN", 2024, 0, 0)).await;
        let span = summary.span.expect("span");
        assert_eq!(
            (span.from_month, span.to_month),
            (1, 12),
            "0 means the whole year"
        );
        assert!(summary.exact, "{}", app.label);
        let totals = summary.totals.expect("totals");
        assert_eq!(totals.budget_sek, Some(tkr(58_995)), "{}", app.label);
        assert_eq!(totals.outcome_sek, None, "a plan reports no outcome");
        assert_eq!(totals.object_count, 44);
        assert_eq!(summary.by_status.len(), 1);
        assert_eq!(summary.by_status[0].status, Status::Planned as i32);
        assert_eq!(
            by_funding(&summary, Funding::Frame).budget_sek,
            Some(tkr(58_995))
        );
        let per_unit: i64 = summary
            .by_child_unit
            .iter()
            .map(|g| g.sums.expect("sums").budget_sek.unwrap_or(0))
            .sum();
        assert_eq!(per_unit, tkr(58_995), "child units partition the subtree");
        let kirurgi = sums(
            summary
                .by_child_unit
                .iter()
                .find(|g| g.org_unit == "orgUnits/HSN-KIR"),
            "HSN-KIR",
        );
        // Ortopedi 170, Kvinna 340+275+530, ÖNH 550+200, Kirurgienhet 1 500, Områdesstab
        // 1 750+250+900, Ögon 1 600, Endoskopi 810.
        assert_eq!(kirurgi.budget_sek, Some(tkr(8_875)));
        assert_eq!(kirurgi.object_count, 12);

        // "17 new investments for 9 104 and 27 reinvestments for 49 891".
        for (kind, count, printed) in [(Kind::New, 17, 9_104), (Kind::Reinvestment, 27, 49_891)] {
            let objects = list_all(
                app,
                pb::ListInvestmentsRequest {
                    org_unit: "orgUnits/HSN".into(),
                    include_descendants: true,
                    fiscal_year: 2024,
                    kind: kind as i32,
                    ..Default::default()
                },
            )
            .await;
            assert_eq!(objects.len(), count, "{}: {kind:?}", app.label);
            assert!(objects.iter().all(|i| i.kind == kind as i32));
            assert_eq!(
                budget_sum(&objects),
                tkr(printed),
                "{}: {kind:?}",
                app.label
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsn_jan_apr_2025_reproduces_the_tertial_report() {
    for_each_backend(true, async |app| {
        let summary = summarize(app, summary_request("HSN", 2025, 1, 4)).await;
        assert!(summary.exact, "{}", app.label);
        // Ongoing objects decided in 2025 (the year's frame): 4 712 of 53 302.
        assert_printed(
            "frame, ongoing",
            &by_funding_status(&summary, Funding::Frame, Status::Ongoing),
            4_712,
            53_302,
        );
        // The unforeseen pot: 476 of 8 074.
        assert_printed(
            "unforeseen",
            &by_funding(&summary, Funding::Unforeseen),
            476,
            8_074,
        );
        // Carried over and not completed: 0 of 12 569.
        assert_printed(
            "carried over, ongoing",
            &by_funding_status(&summary, Funding::CarriedOver, Status::Ongoing),
            0,
            12_569,
        );
        let units: Vec<&str> = summary
            .by_child_unit
            .iter()
            .map(|g| g.org_unit.as_str())
            .collect();
        assert_eq!(
            units,
            ["orgUnits/HSN-MED", "orgUnits/HSN-NV"],
            "Kirurgi has no figures"
        );
        let totals = summary.totals.expect("totals");
        assert_eq!(totals.object_count, 7);
        assert_eq!(totals.budget_sek, Some(tkr(105 + 53_302 + 12_569 + 8_074)));
        assert_eq!(totals.outcome_sek, Some(tkr(124 + 4_712 + 476 + 50)));

        // Per division: Medicin 141 of 23 240, Nära vård 4 571 of 30 062.
        for (unit, outcome, budget) in [("HSN-MED", 141, 23_240), ("HSN-NV", 4_571, 30_062)] {
            let summary = summarize(app, summary_request(unit, 2025, 1, 4)).await;
            assert_printed(
                unit,
                &by_funding_status(&summary, Funding::Frame, Status::Ongoing),
                outcome,
                budget,
            );
        }

        // The same cells through the list with every filter at once.
        let objects = list_all(
            app,
            pb::ListInvestmentsRequest {
                org_unit: "orgUnits/HSN".into(),
                include_descendants: true,
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                kind: Kind::New as i32,
                status: Status::Ongoing as i32,
                funding: Funding::Frame as i32,
                ..Default::default()
            },
        )
        .await;
        let ids: Vec<&str> = objects.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            ["hsn-2025-med-ongoing-frame", "hsn-2025-nv-ongoing-frame"]
        );
        assert_eq!(budget_sum(&objects), tkr(53_302));
        assert_eq!(objects[0].decided_year, Some(2025));
        assert_eq!(objects[0].org_unit, "orgUnits/HSN-MED");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rs_2023_reproduces_the_annual_report() {
    for_each_backend(true, async |app| {
        let summary = summarize(app, summary_request("RS", 2023, 1, 12)).await;
        assert!(summary.exact, "{}", app.label);
        // Decided and completed in the year: 7 743 of 10 780.
        let decided = by_funding_status(&summary, Funding::Frame, Status::Completed);
        assert_printed("decided and completed", &decided, 7_743, 10_780);
        assert_eq!(decided.object_count, 7);
        // Carried over and completed: 18 285 of 26 801.
        let carried = by_funding_status(&summary, Funding::CarriedOver, Status::Completed);
        assert_printed("carried over and completed", &carried, 18_285, 26_801);
        assert_eq!(carried.object_count, 23);
        // Decided in the year, not completed: printed Summa 6 443 of 37 804.
        assert_printed(
            "decided, not completed",
            &by_funding_status(&summary, Funding::Frame, Status::Ongoing),
            6_443,
            37_804,
        );
        // Groups: Regionstaben (with 616 and 617) and objects booked on RS itself.
        let units: Vec<&str> = summary
            .by_child_unit
            .iter()
            .map(|g| g.org_unit.as_str())
            .collect();
        assert_eq!(units, ["orgUnits/RS", "orgUnits/RS-RST"]);
        let funding: Vec<i32> = summary.by_funding.iter().map(|g| g.funding).collect();
        let mut sorted = funding.clone();
        sorted.sort();
        assert_eq!(funding, sorted, "enum order");
        assert_eq!(summary.totals.expect("totals").object_count, 76);

        // The report's group subtotals: "Fastighet 973 / 1 250" and "10 517 / 20 175".
        let fastighet = summarize(app, summary_request("RS-617", 2023, 1, 12)).await;
        assert_printed(
            "Fastighet, decided and completed",
            &by_funding_status(&fastighet, Funding::Frame, Status::Completed),
            973,
            1_250,
        );
        assert_printed(
            "Fastighet, carried over and completed",
            &by_funding_status(&fastighet, Funding::CarriedOver, Status::Completed),
            10_517,
            20_175,
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_investment_returns_every_column() {
    for_each_backend(true, async |app| {
        let mut client = app.investments();
        let ambuss = client
            .get_investment(pb::GetInvestmentRequest {
                name: "investments/rs-2023-overford-ny-ambuss".into(),
                ..Default::default()
            })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(ambuss.name, "investments/rs-2023-overford-ny-ambuss");
        assert_eq!(ambuss.id, "rs-2023-overford-ny-ambuss");
        assert_eq!(ambuss.org_unit, "orgUnits/RS-616");
        assert_eq!(ambuss.display_name, "Regionservice, Ny AMBUSS");
        assert_eq!(ambuss.kind, Kind::New as i32);
        assert_eq!(ambuss.funding, Funding::CarriedOver as i32);
        assert_eq!(ambuss.status, Status::Completed as i32);
        assert_eq!(ambuss.decision, "RS/703/2021");
        assert_eq!(ambuss.decided_year, Some(2022));
        assert_eq!(ambuss.total_budget_sek, Some(tkr(5_276)));
        assert!(ambuss.comment.starts_with("utfallet stämmer överens"));
        assert_eq!(ambuss.procurement_contacted, None);
        let provenance = ambuss.provenance.as_ref().expect("provenance");
        assert_eq!(provenance.document, "rs-arsredovisning-2023");
        assert_eq!(provenance.table, "Investeringar");
        assert_eq!(ambuss.figures.len(), 1);
        let f = &ambuss.figures[0];
        let span = f.span.expect("span");
        assert_eq!(
            (span.fiscal_year, span.from_month, span.to_month),
            (2023, 1, 12)
        );
        assert_eq!(f.outcome_sek, Some(tkr(6_175)));
        assert_eq!(f.budget_sek, Some(tkr(5_276)));
        assert_eq!(f.outcome_since_start_sek, Some(tkr(6_175)));
        assert_eq!(f.forecast_sek, None);
        assert!(f.provenance.is_some());

        let vemdalen = client
            .get_investment(pb::GetInvestmentRequest {
                name: "investments/rs-2023-ambulanshall-vemdalen".into(),
                ..Default::default()
            })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(vemdalen.figures[0].forecast_sek, Some(tkr(2_000)));
        assert_eq!(
            vemdalen.figures[0].carry_over_requested_sek,
            Some(tkr(2_000))
        );
        assert!(!vemdalen.planned_completion.is_empty());

        // A blank outcome cell is absent, not zero.
        let servicecenter = client
            .get_investment(pb::GetInvestmentRequest {
                name: "investments/rs-2023-ombyggnation-servicecenter".into(),
                ..Default::default()
            })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(servicecenter.figures[0].outcome_sek, None);
        assert_eq!(servicecenter.figures[0].budget_sek, Some(tkr(3_300)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_combine() {
    for_each_backend(true, async |app| {
        let all = list_all(
            app,
            pb::ListInvestmentsRequest {
                page_size: 1000,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(all.len(), 127, "{}: every demo object", app.label);

        // Every combination of kind, status and funding agrees with filtering the full list.
        let kinds = [Kind::Unspecified, Kind::New, Kind::Reinvestment];
        let statuses = [
            Status::Unspecified,
            Status::Planned,
            Status::Ongoing,
            Status::Completed,
            Status::Cancelled,
        ];
        let fundings = [
            Funding::Unspecified,
            Funding::Frame,
            Funding::Unforeseen,
            Funding::Extra,
            Funding::CarriedOver,
            Funding::OutsideFrame,
        ];
        let matches = |value: i32, filter: i32| filter == 0 || value == filter;
        let mut non_empty = 0;
        for kind in kinds {
            for status in statuses {
                for funding in fundings {
                    let (k, s, f) = (kind as i32, status as i32, funding as i32);
                    let expected: Vec<&str> = all
                        .iter()
                        .filter(|i| {
                            matches(i.kind, k) && matches(i.status, s) && matches(i.funding, f)
                        })
                        .map(|i| i.id.as_str())
                        .collect();
                    let listed = list_all(
                        app,
                        pb::ListInvestmentsRequest {
                            kind: k,
                            status: s,
                            funding: f,
                            ..Default::default()
                        },
                    )
                    .await;
                    let listed: Vec<&str> = listed.iter().map(|i| i.id.as_str()).collect();
                    assert_eq!(
                        listed, expected,
                        "{}: {kind:?} {status:?} {funding:?}",
                        app.label
                    );
                    if !expected.is_empty() && k != 0 && s != 0 && f != 0 {
                        non_empty += 1;
                    }
                }
            }
        }
        assert!(
            non_empty >= 5,
            "the demo data exercises several full combinations"
        );

        // Unit filter: HSN-MED alone, and HSN with descendants.
        let medicin = list_all(
            app,
            pb::ListInvestmentsRequest {
                org_unit: "orgUnits/HSN-MED".into(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(medicin.len(), 4);
        assert!(medicin.iter().all(|i| i.org_unit == "orgUnits/HSN-MED"));
        let rs_alone = list_all(
            app,
            pb::ListInvestmentsRequest {
                org_unit: "orgUnits/RS".into(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(rs_alone.len(), 2, "only the objects booked on RS itself");
        let rs_tree = list_all(
            app,
            pb::ListInvestmentsRequest {
                org_unit: "orgUnits/RS".into(),
                include_descendants: true,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(rs_tree.len(), 76);

        // Year and months: the tertial figures lie within Jan–Apr, not within Jan–Mar.
        let year = |y: i32, from: i32, to: i32| pb::ListInvestmentsRequest {
            fiscal_year: y,
            from_month: from,
            to_month: to,
            ..Default::default()
        };
        assert_eq!(list_all(app, year(2025, 0, 0)).await.len(), 7);
        assert_eq!(list_all(app, year(2025, 1, 4)).await.len(), 7);
        assert_eq!(list_all(app, year(2025, 1, 3)).await.len(), 0);
        assert_eq!(list_all(app, year(2025, 2, 0)).await.len(), 0);
        assert_eq!(list_all(app, year(2024, 0, 0)).await.len(), 44);
        let rs_2023 = list_all(app, year(2023, 0, 0)).await;
        assert_eq!(rs_2023.len(), 76);
        assert!(rs_2023.iter().all(|i| i.figures.len() == 1));
        assert_eq!(list_all(app, year(2022, 0, 0)).await.len(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_returns_every_object_exactly_once() {
    for_each_backend(true, async |app| {
        let mut client = app.investments();
        let one_page = client
            .list_investments(pb::ListInvestmentsRequest {
                page_size: 1000,
                ..Default::default()
            })
            .await
            .expect("one page")
            .into_inner();
        assert!(one_page.next_page_token.is_empty());
        let expected: Vec<String> = one_page.investments.iter().map(|i| i.id.clone()).collect();
        let unique: BTreeSet<&String> = expected.iter().collect();
        assert_eq!(unique.len(), expected.len(), "ids are unique");
        // The documented order: by id, byte-wise (ids are ASCII). A database collation that
        // ignores hyphens (e.g. PostgreSQL with en_US) would break this.
        assert!(
            unique.iter().copied().eq(expected.iter()),
            "{}: ordered by id",
            app.label
        );

        for (size, filters) in [
            (7, pb::ListInvestmentsRequest::default()),
            (
                5,
                pb::ListInvestmentsRequest {
                    org_unit: "orgUnits/HSN".into(),
                    include_descendants: true,
                    fiscal_year: 2024,
                    ..Default::default()
                },
            ),
        ] {
            let all_at_once: Vec<String> = list_all(
                app,
                pb::ListInvestmentsRequest {
                    page_size: 1000,
                    ..filters.clone()
                },
            )
            .await
            .into_iter()
            .map(|i| i.id)
            .collect();
            let mut seen = HashSet::new();
            let mut paged = Vec::new();
            let mut token = String::new();
            let mut pages = 0;
            loop {
                let page = client
                    .list_investments(pb::ListInvestmentsRequest {
                        page_size: size,
                        page_token: token.clone(),
                        ..filters.clone()
                    })
                    .await
                    .expect("page")
                    .into_inner();
                pages += 1;
                assert!(page.investments.len() <= size as usize);
                for i in page.investments {
                    assert!(seen.insert(i.id.clone()), "{}: {} twice", app.label, i.id);
                    paged.push(i.id);
                }
                if page.next_page_token.is_empty() {
                    break;
                }
                token = page.next_page_token;
            }
            assert_eq!(
                paged, all_at_once,
                "{}: same objects, same order",
                app.label
            );
            assert_eq!(pages, all_at_once.len().div_ceil(size as usize));
        }
    })
    .await;
}

/// A later import: a second span for one object and a status change for another. The
/// earlier state stays readable through `as_of`.
const LATER: &[(&str, &str)] = &[(
    "later.txt",
    "source document=\"hsn-tertial-augusti-2025\" table=\"TOTAL HSN\"\n\
     investment_figure investment=hsn-2025-med-ongoing-frame fiscal_year=2025 from_month=5 to_month=8 outcome_tkr=300 budget_tkr=1\n\
     source document=\"rs-2023-rattelse\" table=\"Investeringar\"\n\
     investment id=rs-2023-lastbil-5-ton org_unit=RS-RST name=\"Lastbil 5 ton\" kind=new funding=frame decided_year=2023 status=completed\n",
)];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_spans_and_as_of() {
    for_each_backend(true, async |app| {
        let mut client = app.investments();
        let get = |name: &str, as_of: Option<prost_types::Timestamp>| pb::GetInvestmentRequest {
            name: format!("investments/{name}"),
            as_of,
        };
        let before = client
            .get_investment(get("hsn-2025-med-ongoing-frame", None))
            .await
            .expect("get")
            .into_inner();
        let recorded = before
            .provenance
            .as_ref()
            .expect("provenance")
            .recorded_at
            .clone();
        let recorded = chrono::DateTime::parse_from_rfc3339(&recorded).expect("rfc3339");
        let demo_time = prost_types::Timestamp {
            seconds: recorded.timestamp(),
            nanos: recorded.timestamp_subsec_nanos() as i32,
        };

        uppsikt::import::run_import(
            &app.store,
            uppsikt::import::ImportRequest {
                document: "test".into(),
                table: None,
                system: None,
                request_id: None,
                dry_run: false,
            },
            uppsikt::import::files::text_entries(LATER),
            |_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("{}: later import: {e:?}", app.label));

        // Figures come ordered by year and span; the earlier state has only Jan–Apr.
        let now = client
            .get_investment(get("hsn-2025-med-ongoing-frame", None))
            .await
            .expect("get")
            .into_inner();
        let spans: Vec<(i32, i32)> = now
            .figures
            .iter()
            .map(|f| {
                let s = f.span.expect("span");
                (s.from_month, s.to_month)
            })
            .collect();
        assert_eq!(spans, [(1, 4), (5, 8)], "{}", app.label);
        let then = client
            .get_investment(get("hsn-2025-med-ongoing-frame", Some(demo_time)))
            .await
            .expect("get")
            .into_inner();
        assert_eq!(then.figures.len(), 1);

        // A summary over both spans sums both; one cutting through May–Aug leaves it out and
        // says so.
        let whole = summarize(app, summary_request("HSN-MED", 2025, 1, 8)).await;
        assert!(whole.exact);
        let frame = by_funding_status(&whole, Funding::Frame, Status::Ongoing);
        assert_eq!(frame.outcome_sek, Some(tkr(141 + 300)));
        assert_eq!(frame.object_count, 1);
        let cut = summarize(app, summary_request("HSN-MED", 2025, 1, 6)).await;
        assert!(!cut.exact);
        assert_eq!(cut.inexact_spans.len(), 1);
        assert_eq!(
            cut.inexact_spans[0].investment,
            "investments/hsn-2025-med-ongoing-frame"
        );
        let stored = cut.inexact_spans[0].stored_span.expect("span");
        assert_eq!((stored.from_month, stored.to_month), (5, 8));
        assert_eq!(
            by_funding_status(&cut, Funding::Frame, Status::Ongoing).outcome_sek,
            Some(tkr(141))
        );
        let mut earlier = summary_request("HSN-MED", 2025, 1, 6);
        earlier.as_of = Some(demo_time);
        // May–Aug was not stored then: nothing straddles, but May and June are not covered.
        let then = summarize(app, earlier).await;
        assert!(then.inexact_spans.is_empty());
        assert_eq!(then.uncovered_months, [5, 6]);
        assert!(!then.exact);
        // May–Aug alone does not lie within Jan–Apr: the list by months sees the difference.
        let may_aug = list_all(
            app,
            pb::ListInvestmentsRequest {
                fiscal_year: 2025,
                from_month: 5,
                to_month: 8,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(may_aug.len(), 1);
        assert_eq!(
            may_aug[0].figures.len(),
            1,
            "only the figures within the months"
        );

        // The status change supersedes the object; it is listed once, as it stands.
        let completed = |as_of| pb::ListInvestmentsRequest {
            org_unit: "orgUnits/RS-RST".into(),
            status: Status::Completed as i32,
            funding: Funding::Frame as i32,
            as_of,
            ..Default::default()
        };
        let now = list_all(app, completed(None)).await;
        assert!(now.iter().any(|i| i.id == "rs-2023-lastbil-5-ton"));
        let then = list_all(app, completed(Some(demo_time))).await;
        assert!(!then.iter().any(|i| i.id == "rs-2023-lastbil-5-ton"));
        let all = list_all(app, pb::ListInvestmentsRequest::default()).await;
        assert_eq!(
            all.iter()
                .filter(|i| i.id == "rs-2023-lastbil-5-ton")
                .count(),
            1
        );
        let lastbil = client
            .get_investment(get("rs-2023-lastbil-5-ton", None))
            .await
            .expect("get")
            .into_inner();
        assert_eq!(lastbil.status, Status::Completed as i32);
        assert_eq!(
            lastbil.provenance.as_ref().expect("provenance").document,
            "rs-2023-rattelse"
        );
        assert_eq!(lastbil.figures.len(), 1, "its figures are untouched");
        let old = client
            .get_investment(get("rs-2023-lastbil-5-ton", Some(demo_time)))
            .await
            .expect("get")
            .into_inner();
        assert_eq!(old.status, Status::Ongoing as i32);
        assert_eq!(old.planned_completion, "utredning kring ev leasing pågår");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_names_the_field_and_unknown_ids_are_not_found() {
    for_each_backend(true, async |app| {
        let mut client = app.investments();

        for name in [
            "",
            "investments/",
            "investments/UPPER",
            "investments/a/b",
            "orgUnits/HSN",
            "rs-2023-overford-ny-ambuss",
        ] {
            let status = client
                .get_investment(pb::GetInvestmentRequest {
                    name: name.into(),
                    ..Default::default()
                })
                .await
                .expect_err(name);
            assert_error(&status, Code::InvalidArgument, Some("name"));
        }
        let status = client
            .get_investment(pb::GetInvestmentRequest {
                name: "investments/no-such-object".into(),
                ..Default::default()
            })
            .await
            .expect_err("unknown id");
        assert_error(&status, Code::NotFound, None);
        // An object recorded later did not exist at an earlier instant.
        let status = client
            .get_investment(pb::GetInvestmentRequest {
                name: "investments/rs-2023-overford-ny-ambuss".into(),
                as_of: Some(prost_types::Timestamp {
                    seconds: 0,
                    nanos: 0,
                }),
            })
            .await
            .expect_err("before it was recorded");
        assert_error(&status, Code::NotFound, None);

        let list = |f: fn(&mut pb::ListInvestmentsRequest)| {
            let mut request = pb::ListInvestmentsRequest::default();
            f(&mut request);
            request
        };
        let cases: Vec<(pb::ListInvestmentsRequest, &str)> = vec![
            (list(|r| r.page_size = -1), "page_size"),
            (
                list(|r| {
                    r.fiscal_year = 2025;
                    r.from_month = 13;
                }),
                "from_month",
            ),
            (
                list(|r| {
                    r.fiscal_year = 2025;
                    r.to_month = -1;
                }),
                "to_month",
            ),
            (
                list(|r| {
                    r.fiscal_year = 2025;
                    r.from_month = 5;
                    r.to_month = 4;
                }),
                "from_month",
            ),
            (list(|r| r.from_month = 1), "from_month"),
            (list(|r| r.to_month = 4), "to_month"),
            (list(|r| r.fiscal_year = 99_999), "fiscal_year"),
            (list(|r| r.status = 99), "status"),
            (list(|r| r.kind = -1), "kind"),
            (list(|r| r.funding = 6), "funding"),
            (list(|r| r.org_unit = "HSN".into()), "org_unit"),
            (
                list(|r| r.structure_date = "2025-02-30".into()),
                "structure_date",
            ),
            (list(|r| r.page_token = "garbage".into()), "page_token"),
            (
                list(|r| {
                    r.as_of = Some(prost_types::Timestamp {
                        seconds: 0,
                        nanos: 1_000_000_000,
                    })
                }),
                "as_of",
            ),
        ];
        for (request, field) in cases {
            let status = client.list_investments(request).await.expect_err(field);
            assert_error(&status, Code::InvalidArgument, Some(field));
        }
        let status = client
            .list_investments(pb::ListInvestmentsRequest {
                org_unit: "orgUnits/NOPE".into(),
                ..Default::default()
            })
            .await
            .expect_err("unknown unit");
        assert_error(&status, Code::NotFound, None);

        // A page token used with other filter values.
        let first = client
            .list_investments(pb::ListInvestmentsRequest {
                fiscal_year: 2024,
                page_size: 3,
                ..Default::default()
            })
            .await
            .expect("first page")
            .into_inner();
        assert!(!first.next_page_token.is_empty());
        for other in [
            pb::ListInvestmentsRequest {
                fiscal_year: 2023,
                ..Default::default()
            },
            pb::ListInvestmentsRequest {
                fiscal_year: 2024,
                kind: Kind::New as i32,
                ..Default::default()
            },
        ] {
            let status = client
                .list_investments(pb::ListInvestmentsRequest {
                    page_size: 3,
                    page_token: first.next_page_token.clone(),
                    ..other
                })
                .await
                .expect_err("token with other filters");
            assert_error(&status, Code::InvalidArgument, Some("page_token"));
        }

        let summary = |f: fn(&mut pb::SummarizeInvestmentsRequest)| {
            let mut request = summary_request("HSN", 2025, 1, 4);
            f(&mut request);
            request
        };
        let cases: Vec<(pb::SummarizeInvestmentsRequest, &str)> = vec![
            (summary(|r| r.org_unit = String::new()), "org_unit"),
            (summary(|r| r.org_unit = "orgUnits/".into()), "org_unit"),
            (summary(|r| r.fiscal_year = 0), "fiscal_year"),
            (summary(|r| r.fiscal_year = 20_250), "fiscal_year"),
            (summary(|r| r.from_month = 13), "from_month"),
            (summary(|r| r.to_month = -4), "to_month"),
            (
                summary(|r| {
                    r.from_month = 6;
                    r.to_month = 5;
                }),
                "from_month",
            ),
            (
                summary(|r| r.structure_date = "tomorrow".into()),
                "structure_date",
            ),
        ];
        for (request, field) in cases {
            let status = client
                .summarize_investments(request)
                .await
                .expect_err(field);
            assert_error(&status, Code::InvalidArgument, Some(field));
        }
        let status = client
            .summarize_investments(summary_request("NOPE", 2025, 1, 4))
            .await
            .expect_err("unknown unit");
        assert_error(&status, Code::NotFound, None);

        // A year without figures is an empty, exact summary, not an error.
        let empty = summarize(app, summary_request("HSN", 2019, 1, 12)).await;
        assert!(empty.exact && empty.by_funding.is_empty());
        let totals = empty.totals.expect("totals");
        assert_eq!((totals.budget_sek, totals.object_count), (None, 0));
    })
    .await;
}

fn dims(dimensions: &[pb::InvestmentDimension]) -> Vec<i32> {
    dimensions.iter().map(|d| *d as i32).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_by_answers_each_printed_table_in_one_call() {
    use pb::InvestmentDimension as Dim;
    for_each_backend(true, async |app| {
        // The plan: "Nyinvesteringar uppgår till 9 104 tkr. Reinvesteringar uppgår till
        // 49 891 tkr." (17 and 27 objects).
        let summary = summarize(
            app,
            pb::SummarizeInvestmentsRequest {
                group_by: dims(&[Dim::Kind]),
                ..summary_request("HSN", 2024, 0, 0)
            },
        )
        .await;
        let kinds: Vec<(i32, Option<i64>, i32)> = summary
            .groups
            .iter()
            .map(|g| {
                let s = g.sums.expect("sums");
                (g.kind, s.budget_sek, s.object_count)
            })
            .collect();
        println!("{}: HSN plan 2024 by kind {kinds:?}", app.label);
        assert_eq!(
            kinds,
            [
                (Kind::New as i32, Some(tkr(9_104)), 17),
                (Kind::Reinvestment as i32, Some(tkr(49_891)), 27)
            ],
            "{}",
            app.label
        );
        assert!(summary.groups.iter().all(|g| g.org_unit.is_empty()
            && g.funding == Funding::Unspecified as i32
            && g.status == Status::Unspecified as i32));

        // The tertial report's division × funding table (DEL 2, ongoing): Medicin 141 of
        // 23 240 on the frame, Nära vård 4 571 of 30 062; the order of `group_by` is free.
        let summary = summarize(
            app,
            pb::SummarizeInvestmentsRequest {
                group_by: dims(&[Dim::Funding, Dim::ChildUnit, Dim::Status, Dim::Funding]),
                ..summary_request("HSN", 2025, 1, 4)
            },
        )
        .await;
        let cell = |unit: &str, funding: Funding, status: Status| {
            summary
                .groups
                .iter()
                .find(|g| {
                    g.org_unit == format!("orgUnits/{unit}")
                        && g.funding == funding as i32
                        && g.status == status as i32
                })
                .and_then(|g| g.sums)
                .map(|s| (s.outcome_sek, s.budget_sek, s.object_count))
        };
        let printed = [
            ("HSN-MED", Funding::Frame, Status::Ongoing, 141, 23_240),
            ("HSN-NV", Funding::Frame, Status::Ongoing, 4_571, 30_062),
            ("HSN-MED", Funding::CarriedOver, Status::Ongoing, 0, 10_404),
            ("HSN-NV", Funding::CarriedOver, Status::Ongoing, 0, 2_165),
            ("HSN-MED", Funding::Unforeseen, Status::Ongoing, 476, 8_074),
            ("HSN-MED", Funding::OutsideFrame, Status::Ongoing, 50, 0),
            ("HSN-NV", Funding::CarriedOver, Status::Completed, 124, 105),
        ];
        for (unit, funding, status, outcome, budget) in printed {
            assert_eq!(
                cell(unit, funding, status),
                Some((Some(tkr(outcome)), Some(tkr(budget)), 1)),
                "{}: {unit} {funding:?} {status:?}",
                app.label
            );
        }
        assert_eq!(summary.groups.len(), printed.len());
        assert_eq!(summary.groups[0].org_unit, "orgUnits/HSN-MED", "unit order");

        // Division × funding without the status: Medicin's frame cell alone.
        let summary = summarize(
            app,
            pb::SummarizeInvestmentsRequest {
                group_by: dims(&[Dim::ChildUnit, Dim::Funding]),
                ..summary_request("HSN", 2025, 1, 4)
            },
        )
        .await;
        let medicin_frame = summary
            .groups
            .iter()
            .find(|g| g.org_unit == "orgUnits/HSN-MED" && g.funding == Funding::Frame as i32)
            .and_then(|g| g.sums)
            .expect("Medicin, frame");
        assert_eq!(
            (medicin_frame.outcome_sek, medicin_frame.budget_sek),
            (Some(tkr(141)), Some(tkr(23_240)))
        );
        assert!(
            summary
                .groups
                .iter()
                .all(|g| g.status == Status::Unspecified as i32)
        );

        // Without group_by, no groups; an unspecified dimension names the field.
        let plain = summarize(app, summary_request("HSN", 2025, 1, 4)).await;
        assert!(plain.groups.is_empty());
        let status = app
            .investments()
            .summarize_investments(pb::SummarizeInvestmentsRequest {
                group_by: vec![0],
                ..summary_request("HSN", 2025, 1, 4)
            })
            .await
            .expect_err("unspecified");
        assert_error(&status, Code::InvalidArgument, Some("group_by"));
        let status = app
            .investments()
            .summarize_investments(pb::SummarizeInvestmentsRequest {
                group_by: vec![99],
                ..summary_request("HSN", 2025, 1, 4)
            })
            .await
            .expect_err("unknown");
        assert_error(&status, Code::InvalidArgument, Some("group_by"));
    })
    .await;
}
