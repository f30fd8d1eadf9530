//! IndicatorService on the demo data (issue 10): the HSN 2025 indicators come back with outcome
//! and target as printed and the status the comparator gives, SummarizeIndicators counts them
//! per goal area, "increase on prior year" is judged against the prior year's outcome, text and
//! bare targets are not comparable, assignments list with status and comment, history answers
//! `as_of`, and bad input (reads and import records) is INVALID_ARGUMENT naming the field.

use crate::common;

use common::{TestApp, assert_error, for_each_backend};
use std::collections::HashSet;
use tonic::Code;
use uppsikt::import::files::file_entries;
use uppsikt::import::{ImportRequest, run_import};
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::import_record::Kind;
use uppsikt::proto::v1::import_request::Content;

use pb::IndicatorStatus as S;

const HOS: &str = "Hälso- och sjukvård - God och nära vård i hela Jämtland Härjedalen";
const TANDVARD: &str = "Tandvård - God och tillgänglig tandvård i hela Jämtland Härjedalen";
const LEDNING: &str =
    "Ledningsprocesser - Ledning, styrning och uppföljning av beslut och verksamhet";

/// Every indicator the request lists, over all pages.
async fn list_all(app: &TestApp, mut request: pb::ListIndicatorsRequest) -> Vec<pb::Indicator> {
    let mut client = app.indicators();
    let mut all = Vec::new();
    loop {
        let page = client
            .list_indicators(request.clone())
            .await
            .unwrap_or_else(|e| panic!("{}: list: {e:?}", app.label))
            .into_inner();
        all.extend(page.indicators);
        if page.next_page_token.is_empty() {
            return all;
        }
        request.page_token = page.next_page_token;
    }
}

async fn list_assignments(
    app: &TestApp,
    mut request: pb::ListAssignmentsRequest,
) -> Vec<pb::Assignment> {
    let mut client = app.indicators();
    let mut all = Vec::new();
    loop {
        let page = client
            .list_assignments(request.clone())
            .await
            .unwrap_or_else(|e| panic!("{}: assignments: {e:?}", app.label))
            .into_inner();
        all.extend(page.assignments);
        if page.next_page_token.is_empty() {
            return all;
        }
        request.page_token = page.next_page_token;
    }
}

async fn get(app: &TestApp, code: &str) -> pb::Indicator {
    app.indicators()
        .get_indicator(pb::GetIndicatorRequest {
            name: format!("indicators/{code}"),
            as_of: None,
        })
        .await
        .unwrap_or_else(|e| panic!("{}: get {code}: {e:?}", app.label))
        .into_inner()
}

fn hsn_2025() -> pb::ListIndicatorsRequest {
    pb::ListIndicatorsRequest {
        org_unit: "orgUnits/HSN".into(),
        fiscal_year: 2025,
        ..Default::default()
    }
}

fn status_of(indicator: &pb::Indicator) -> S {
    let e = indicator.evaluations.last().expect("an evaluation");
    S::try_from(e.status).expect("a known status")
}

fn find<'a>(all: &'a [pb::Indicator], code: &str) -> &'a pb::Indicator {
    all.iter()
        .find(|i| i.code == code)
        .unwrap_or_else(|| panic!("{code} is listed"))
}

fn counts(group: Option<&pb::IndicatorSummaryGroup>) -> (i32, i32, i32, i32, i32) {
    let c = group.and_then(|g| g.counts).expect("counts");
    (
        c.met,
        c.not_met,
        c.not_comparable,
        c.no_outcome_yet,
        c.total,
    )
}

async fn load_fixture(app: &TestApp) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/indicators.txt");
    run_import(
        &app.store,
        ImportRequest {
            document: "fixtures".into(),
            table: None,
            system: Some("test".into()),
            request_id: None,
            dry_run: false,
        },
        Box::pin(file_entries(vec![path])),
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{}: fixture: {e}", app.label));
}

#[tokio::test]
async fn hsn_2025_indicators_come_back_as_printed_with_their_status() {
    for_each_backend(true, async |app| {
        let all = list_all(
            app,
            pb::ListIndicatorsRequest {
                page_size: 5,
                ..hsn_2025()
            },
        )
        .await;
        let codes: HashSet<&str> = all.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(all.len(), 27, "{}: 27 indicators in the report", app.label);
        assert_eq!(codes.len(), 27, "{}: each once over the pages", app.label);
        let mut sorted: Vec<&str> = all.iter().map(|i| i.code.as_str()).collect();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            all.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(),
            "ordered by code"
        );

        let hse = find(&all, "hsn-2025-hse");
        assert_eq!(hse.display_name, "Hållbart Säkerhets Engagemang (HSE)");
        assert_eq!(hse.goal_area, HOS);
        assert_eq!(hse.unit, pb::UnitOfMeasure::Index as i32);
        assert_eq!(hse.outcomes[0].value, "4.07");
        assert_eq!(hse.targets[0].text, "Minst 4,01");
        assert_eq!(hse.targets[0].value, "4.01");
        assert_eq!(hse.targets[0].comparator, pb::Comparator::AtLeast as i32);
        assert_eq!(
            status_of(hse),
            S::Met,
            "{}: HSE 4,07 against Minst 4,01",
            app.label
        );
        let provenance = hse.outcomes[0].provenance.as_ref().expect("provenance");
        assert_eq!(provenance.document, "hsn-tertial-april-2025");
        assert_eq!(
            provenance.table,
            "Kortsiktiga nyckeltal: Hälso- och sjukvård"
        );
        assert!(
            hse.outcomes[0]
                .comment
                .starts_with("Utfall högre än målvärde.")
        );

        let phone = find(&all, "hsn-2025-telefon-samma-dag");
        assert_eq!(phone.outcomes[0].value, "84");
        assert_eq!(phone.targets[0].text, "Minst 88 %");
        assert_eq!(
            status_of(phone),
            S::NotMet,
            "{}: 84 % against Minst 88 %",
            app.label
        );
        assert_eq!(phone.evaluations[0].reason, "84 is not at least 88");

        // Exactly at the bound is met; "Lägre än" is strict; "Max" is at most.
        assert_eq!(
            status_of(find(&all, "hsn-2025-bup-behandlingar-30-dagar")),
            S::Met
        );
        assert_eq!(status_of(find(&all, "hsn-2025-utlokaliseringar")), S::Met);
        assert_eq!(status_of(find(&all, "hsn-2025-1177-vantetid")), S::NotMet);
        assert_eq!(status_of(find(&all, "hsn-2025-sjuktal")), S::NotMet);
        // A value printed without a direction is not guessed.
        let children = find(&all, "hsn-2025-barn-tid-3-manader");
        assert_eq!(children.targets[0].comparator, pb::Comparator::Bare as i32);
        assert_eq!(status_of(children), S::NotComparable);
        // No outcome printed: the comment says why.
        let ambulance = find(&all, "hsn-2025-ambulans-ej-transport");
        assert_eq!(status_of(ambulance), S::NoOutcomeYet);
        assert!(ambulance.outcomes[0].value.is_empty());
        assert!(
            ambulance.outcomes[0]
                .comment
                .starts_with("Utdata har inte kunnat erhållas")
        );

        // The status filter returns exactly the listed indicators of that status.
        for wanted in [S::Met, S::NotMet, S::NotComparable, S::NoOutcomeYet] {
            let filtered = list_all(
                app,
                pb::ListIndicatorsRequest {
                    status: wanted as i32,
                    page_size: 4,
                    ..hsn_2025()
                },
            )
            .await;
            let expected = all.iter().filter(|i| status_of(i) == wanted).count();
            assert_eq!(filtered.len(), expected, "{}: {wanted:?}", app.label);
            assert!(filtered.iter().all(|i| status_of(i) == wanted));
        }
        let goal_area = list_all(
            app,
            pb::ListIndicatorsRequest {
                goal_area: TANDVARD.into(),
                ..hsn_2025()
            },
        )
        .await;
        assert_eq!(goal_area.len(), 4);
    })
    .await;
}

#[tokio::test]
async fn summarize_counts_per_goal_area_and_unit() {
    for_each_backend(true, async |app| {
        let summary = app
            .indicators()
            .summarize_indicators(pb::SummarizeIndicatorsRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2025,
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{}: summary: {e:?}", app.label))
            .into_inner();
        let area = |name: &str| summary.by_goal_area.iter().find(|g| g.goal_area == name);
        // (met, not met, not comparable, no outcome yet, total), counted from the report's
        // tables by hand.
        assert_eq!(counts(area(HOS)), (5, 11, 0, 1, 17), "{}", app.label);
        assert_eq!(counts(area(TANDVARD)), (1, 1, 2, 0, 4), "{}", app.label);
        assert_eq!(counts(area(LEDNING)), (3, 1, 2, 0, 6), "{}", app.label);
        assert_eq!(
            counts(
                summary
                    .totals
                    .as_ref()
                    .map(|c| pb::IndicatorSummaryGroup {
                        counts: Some(*c),
                        ..Default::default()
                    })
                    .as_ref()
            ),
            (9, 13, 4, 1, 27)
        );
        assert_eq!(summary.by_goal_area_unit.len(), 3);
        assert!(
            summary
                .by_goal_area_unit
                .iter()
                .all(|g| g.org_unit == "orgUnits/HSN")
        );

        // The region's subtree includes HSN; a goal-area filter narrows it.
        let region = app
            .indicators()
            .summarize_indicators(pb::SummarizeIndicatorsRequest {
                org_unit: "orgUnits/RJH".into(),
                fiscal_year: 2025,
                goal_area: LEDNING.into(),
                ..Default::default()
            })
            .await
            .expect("region summary")
            .into_inner();
        assert_eq!(region.by_goal_area.len(), 1);
        assert_eq!(counts(region.by_goal_area.first()), (3, 1, 2, 0, 6));

        // RS 2023: 58 verksamhetsmål in ten goals; mostly activities ("Genomförd aktivitet")
        // and bare values, which are not comparable. Counted from the data file by a script
        // independent of the service.
        let rs = app
            .indicators()
            .summarize_indicators(pb::SummarizeIndicatorsRequest {
                org_unit: "orgUnits/RS".into(),
                fiscal_year: 2023,
                ..Default::default()
            })
            .await
            .expect("RS summary")
            .into_inner();
        assert_eq!(rs.by_goal_area.len(), 10, "{}", app.label);
        let total = |s: &pb::SummarizeIndicatorsResponse| {
            let c = s.totals.expect("totals");
            (
                c.met,
                c.not_met,
                c.not_comparable,
                c.no_outcome_yet,
                c.total,
            )
        };
        assert_eq!(total(&rs), (5, 9, 44, 0, 58), "{}", app.label);
        let economy = rs
            .by_goal_area
            .iter()
            .find(|g| g.goal_area == "En ekonomi i balans genom god styrning och uppföljning");
        assert_eq!(counts(economy), (0, 3, 4, 0, 7));

        // HSN's plan 2024 prints targets only: all 19 are not yet measured.
        let plan = app
            .indicators()
            .summarize_indicators(pb::SummarizeIndicatorsRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2024,
                ..Default::default()
            })
            .await
            .expect("plan summary")
            .into_inner();
        assert_eq!(total(&plan), (0, 0, 0, 19, 19), "{}", app.label);
    })
    .await;
}

#[tokio::test]
async fn increase_on_prior_year_is_judged_against_the_prior_years_outcome() {
    for_each_backend(true, async |app| {
        load_fixture(app).await;
        let rising = get(app, "t-forsta-besok").await;
        assert_eq!(rising.decided_by, "Hälso- och sjukvårdsnämnden");
        assert_eq!(rising.external_id, "U00000");
        // One evaluation per year with a target or outcome: 2023 (no target) and 2024.
        assert_eq!(rising.evaluations.len(), 2);
        assert_eq!(rising.evaluations[0].status, S::NotComparable as i32);
        let e = &rising.evaluations[1];
        assert_eq!(e.status, S::Met as i32, "{}: {e:?}", app.label);
        assert_eq!(
            e.outcome.as_ref().unwrap().value,
            "62",
            "the year's latest outcome"
        );
        let prior = e.prior_outcome.as_ref().expect("the prior year's outcome");
        assert_eq!(prior.value, "61.5");
        assert_eq!(prior.span.unwrap().fiscal_year, 2023);
        assert_eq!(
            e.target.as_ref().unwrap().text,
            "Kompletteras efter årets slut"
        );

        let year = |code: &'static str| async move {
            let i = get(app, code).await;
            let e = i
                .evaluations
                .iter()
                .find(|e| e.fiscal_year == 2024)
                .expect("2024");
            S::try_from(e.status).unwrap()
        };
        assert_eq!(
            year("t-aterbesok").await,
            S::NotMet,
            "75 → 74.5 did not increase"
        );
        assert_eq!(
            year("t-utlokaliseringar").await,
            S::Met,
            "2.1 → 1.9 decreased"
        );
        assert_eq!(
            year("t-hse").await,
            S::NotComparable,
            "no prior-year outcome over the same months"
        );
        let text = get(app, "t-aktivitet").await;
        let e = &text.evaluations[0];
        assert_eq!(
            e.status,
            S::NotComparable as i32,
            "a text-only target is not guessed"
        );
        assert_eq!(e.reason, "the target is text only");
        assert_eq!(e.outcome.as_ref().unwrap().text, "Ja");

        let summary = app
            .indicators()
            .summarize_indicators(pb::SummarizeIndicatorsRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2024,
                goal_area: "Fixture".into(),
                ..Default::default()
            })
            .await
            .expect("summary")
            .into_inner();
        assert_eq!(counts(summary.by_goal_area.first()), (2, 1, 2, 0, 5));

        let with_status = list_assignments(
            app,
            pb::ListAssignmentsRequest {
                status: "Delvis uppfyllt".into(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(with_status.len(), 1);
        assert_eq!(with_status[0].code, "t-uppdrag");
        assert_eq!(with_status[0].comment, "Åtgärder pågår.");
    })
    .await;
}

#[tokio::test]
async fn a_correction_supersedes_and_as_of_reads_the_old_outcome() {
    for_each_backend(true, async |app| {
        let before = std::time::SystemTime::now();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let header = pb::ImportRequest {
            content: Some(Content::Header(pb::ImportHeader {
                source: Some(pb::ImportSource {
                    document: "hsn-delarsrapport-2025".into(),
                    table: "Kortsiktiga nyckeltal".into(),
                    system: "test".into(),
                }),
                ..Default::default()
            })),
        };
        let record = pb::ImportRequest {
            content: Some(Content::Record(pb::ImportRecord {
                kind: Some(Kind::IndicatorOutcome(pb::IndicatorOutcomeRecord {
                    indicator: "hsn-2025-telefon-samma-dag".into(),
                    fiscal_year: 2025,
                    from_month: 1,
                    to_month: 4,
                    value: "89".into(),
                    comment: "Rättat utfall.".into(),
                    ..Default::default()
                })),
                ..Default::default()
            })),
        };
        let response = app
            .imports()
            .import(tokio_stream::iter(vec![header, record]))
            .await
            .unwrap_or_else(|e| panic!("{}: import: {e:?}", app.label))
            .into_inner();
        let c = response
            .counts
            .iter()
            .find(|c| c.kind == "indicator_outcome")
            .unwrap();
        assert_eq!((c.inserted, c.superseded), (0, 1));

        let now = get(app, "hsn-2025-telefon-samma-dag").await;
        assert_eq!(now.outcomes[0].value, "89");
        assert_eq!(status_of(&now), S::Met);
        let since = before.duration_since(std::time::UNIX_EPOCH).unwrap();
        let then = app
            .indicators()
            .get_indicator(pb::GetIndicatorRequest {
                name: "indicators/hsn-2025-telefon-samma-dag".into(),
                as_of: Some(prost_types::Timestamp {
                    seconds: since.as_secs() as i64,
                    nanos: since.subsec_nanos() as i32,
                }),
            })
            .await
            .expect("as_of")
            .into_inner();
        assert_eq!(then.outcomes[0].value, "84");
        assert_eq!(status_of(&then), S::NotMet);
    })
    .await;
}

#[tokio::test]
async fn bad_reads_are_invalid_argument_naming_the_field() {
    for_each_backend(true, async |app| {
        let mut client = app.indicators();
        let list = |f: fn(&mut pb::ListIndicatorsRequest)| {
            let mut r = hsn_2025();
            f(&mut r);
            r
        };
        for (request, field) in [
            (list(|r| r.page_size = -1), "page_size"),
            (list(|r| r.fiscal_year = 99), "fiscal_year"),
            (list(|r| r.status = 99), "status"),
            (list(|r| r.org_unit = "HSN".into()), "org_unit"),
            (
                list(|r| r.structure_date = "2025-13-01".into()),
                "structure_date",
            ),
            (list(|r| r.goal_area = "x".repeat(300)), "goal_area"),
            (list(|r| r.page_token = "garbage!".into()), "page_token"),
        ] {
            let status = client.list_indicators(request).await.unwrap_err();
            assert_error(&status, Code::InvalidArgument, Some(field));
        }
        // A token used with other filter values.
        let first = client
            .list_indicators(pb::ListIndicatorsRequest {
                page_size: 2,
                ..hsn_2025()
            })
            .await
            .unwrap()
            .into_inner();
        let status = client
            .list_indicators(pb::ListIndicatorsRequest {
                page_size: 2,
                page_token: first.next_page_token,
                goal_area: HOS.into(),
                ..hsn_2025()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("page_token"));

        let status = client
            .get_indicator(pb::GetIndicatorRequest {
                name: "hsn-2025-hse".into(),
                as_of: None,
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("name"));
        let status = client
            .get_indicator(pb::GetIndicatorRequest {
                name: "indicators/no-such".into(),
                as_of: None,
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::NotFound, None);

        let status = client
            .summarize_indicators(pb::SummarizeIndicatorsRequest {
                org_unit: "orgUnits/HSN".into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("fiscal_year"));
        let status = client
            .summarize_indicators(pb::SummarizeIndicatorsRequest {
                fiscal_year: 2025,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("org_unit"));
        let status = client
            .summarize_indicators(pb::SummarizeIndicatorsRequest {
                org_unit: "orgUnits/NOPE".into(),
                fiscal_year: 2025,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::NotFound, None);

        let status = client
            .list_assignments(pb::ListAssignmentsRequest {
                fiscal_year: 3000,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("fiscal_year"));
        let status = client
            .list_assignments(pb::ListAssignmentsRequest {
                page_size: -5,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("page_size"));
    })
    .await;
}

#[tokio::test]
async fn bad_import_records_are_invalid_argument_naming_record_and_field() {
    for_each_backend(true, async |app| {
        let header = pb::ImportRequest {
            content: Some(Content::Header(pb::ImportHeader {
                source: Some(pb::ImportSource {
                    document: "test".into(),
                    ..Default::default()
                }),
                ..Default::default()
            })),
        };
        let record = |kind: Kind| pb::ImportRequest {
            content: Some(Content::Record(pb::ImportRecord {
                kind: Some(kind),
                ..Default::default()
            })),
        };
        let target = |f: fn(&mut pb::IndicatorTargetRecord)| {
            let mut r = pb::IndicatorTargetRecord {
                indicator: "hsn-2025-hse".into(),
                fiscal_year: 2026,
                comparator: pb::Comparator::AtLeast as i32,
                value: "4.1".into(),
                ..Default::default()
            };
            f(&mut r);
            record(Kind::IndicatorTarget(r))
        };
        let cases = vec![
            (target(|r| r.value = String::new()), "records[0].value"),
            (target(|r| r.value = "4,1".into()), "records[0].value"),
            (target(|r| r.comparator = 42), "records[0].comparator"),
            (
                target(|r| r.indicator = "no-such".into()),
                "records[0].indicator",
            ),
            (target(|r| r.fiscal_year = 20), "records[0].fiscal_year"),
            (
                target(|r| {
                    r.comparator = pb::Comparator::Increase as i32;
                }),
                "records[0].comparator",
            ),
            (
                target(|r| {
                    r.comparator = pb::Comparator::Text as i32;
                    r.value = String::new();
                }),
                "records[0].text",
            ),
            (
                record(Kind::IndicatorOutcome(pb::IndicatorOutcomeRecord {
                    indicator: "hsn-2025-hse".into(),
                    fiscal_year: 2025,
                    from_month: 5,
                    to_month: 8,
                    ..Default::default()
                })),
                "records[0].value",
            ),
            (
                record(Kind::IndicatorOutcome(pb::IndicatorOutcomeRecord {
                    indicator: "hsn-2025-hse".into(),
                    fiscal_year: 2025,
                    from_month: 8,
                    to_month: 3,
                    value: "4".into(),
                    ..Default::default()
                })),
                "records[0].from_month",
            ),
            (
                record(Kind::Indicator(pb::IndicatorRecord {
                    code: "Bad Code".into(),
                    org_unit: "HSN".into(),
                    goal_area: "A".into(),
                    name: "N".into(),
                    unit: pb::UnitOfMeasure::Percent as i32,
                    ..Default::default()
                })),
                "records[0].code",
            ),
            (
                record(Kind::Indicator(pb::IndicatorRecord {
                    code: "x".into(),
                    org_unit: "HSN".into(),
                    goal_area: "A".into(),
                    name: "N".into(),
                    ..Default::default()
                })),
                "records[0].unit",
            ),
            (
                record(Kind::Assignment(pb::AssignmentRecord {
                    code: "x".into(),
                    org_unit: "NOPE".into(),
                    goal_area: "A".into(),
                    fiscal_year: 2025,
                    text: "T".into(),
                    ..Default::default()
                })),
                "records[0].org_unit",
            ),
            (
                record(Kind::Assignment(pb::AssignmentRecord {
                    code: "x".into(),
                    org_unit: "HSN".into(),
                    goal_area: "A".into(),
                    fiscal_year: 2025,
                    ..Default::default()
                })),
                "records[0].text",
            ),
        ];
        for (bad, field) in cases {
            let status = app
                .imports()
                .import(tokio_stream::iter(vec![header.clone(), bad]))
                .await
                .unwrap_err();
            assert_error(&status, Code::InvalidArgument, Some(field));
        }
        // Nothing was written: the demo's HSE target for 2025 is the only one.
        assert_eq!(get(app, "hsn-2025-hse").await.targets.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn assignments_list_with_status_and_comment() {
    for_each_backend(true, async |app| {
        let hsn = list_assignments(
            app,
            pb::ListAssignmentsRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2025,
                page_size: 7,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(hsn.len(), 27, "{}: HSN 2025 assignments", app.label);
        let codes: HashSet<&str> = hsn.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes.len(), 27);
        let first = hsn.iter().find(|a| a.code == "hsn-2025-u01").expect("u01");
        assert_eq!(
            first.text,
            "Tillhandahåll en säker vård, där vårdskador förebyggs."
        );
        assert!(first.comment.starts_with("Kontinuerligt pågående arbete"));
        assert_eq!(first.goal_area, HOS);
        let provenance = first.provenance.as_ref().unwrap();
        assert_eq!(provenance.document, "hsn-tertial-april-2025");

        let dental = list_assignments(
            app,
            pb::ListAssignmentsRequest {
                goal_area: TANDVARD.into(),
                fiscal_year: 2025,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(dental.len(), 6);

        // RS 2023: the council's 20 assignments, each with the board's assessment.
        let rs = list_assignments(
            app,
            pb::ListAssignmentsRequest {
                org_unit: "orgUnits/RS".into(),
                include_descendants: true,
                fiscal_year: 2023,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(rs.len(), 20, "{}: RS 2023 assignments", app.label);
        assert!(rs.iter().all(|a| !a.comment.is_empty() && a.decided_by == "Regionfullmäktige"));
        let plan = list_assignments(
            app,
            pb::ListAssignmentsRequest {
                fiscal_year: 2024,
                goal_area: "Stödverksamhet - Ändamålsenlig kompetens för effektivt stöd till verksamhet och utveckling".into(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(plan.len(), 3);
        let none = list_assignments(
            app,
            pb::ListAssignmentsRequest {
                status: "Klar".into(),
                ..Default::default()
            },
        )
        .await;
        assert!(none.is_empty(), "no assignment has a printed status \"Klar\"");
    })
    .await;
}
