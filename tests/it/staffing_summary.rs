//! SummarizeStaffing through the real server on every backend: on the demo data, the staffing
//! tables the seed reports print (HSN hired staff Jan–Apr 2025, RS headcount per year with
//! the change), each one call; on made-up fixtures (tests/fixtures/staffing-summary.txt,
//! worked-hours.txt, positions.txt), every section: worked hours and FTE per profession group
//! and child unit, hired share, headcount roll-up, sick leave in percentage points, and a
//! positions table with its four deviations and totals. Demo figures are stored as printed,
//! so they are reproduced exactly (tolerance 0).

use crate::common;

use common::{assert_error, for_each_backend, load_fixture};
use tonic::Code;
use uppsikt::proto::v1 as pb;

fn request(unit: &str, year: i32, from: i32, to: i32) -> pb::SummarizeStaffingRequest {
    pb::SummarizeStaffingRequest {
        org_unit: format!("orgUnits/{unit}"),
        fiscal_year: year,
        from_month: from,
        to_month: to,
        ..Default::default()
    }
}

async fn summarize(
    app: &common::TestApp,
    request: pb::SummarizeStaffingRequest,
) -> pb::SummarizeStaffingResponse {
    app.staffing()
        .summarize_staffing(request)
        .await
        .unwrap_or_else(|e| panic!("{}: summary: {e:?}", app.label))
        .into_inner()
}

fn profession(code: &str) -> String {
    format!("professionGroups/{code}")
}

fn money(c: &Option<pb::MoneyChange>) -> (Option<i64>, Option<i64>, Option<i64>, &str) {
    let c = c.as_ref().expect("money");
    (
        c.value_sek,
        c.prior_year_sek,
        c.change_sek,
        &c.change_percent,
    )
}

fn count(c: &Option<pb::CountChange>) -> (Option<i64>, Option<i64>, Option<i64>, &str) {
    let c = c.as_ref().expect("count");
    (c.value, c.prior_year, c.change, &c.change_percent)
}

fn decimal(c: &Option<pb::DecimalChange>) -> [&str; 4] {
    let c = c.as_ref().expect("decimal");
    [&c.value, &c.prior_year, &c.change, &c.change_percent]
}

fn rate(c: &Option<pb::RateChange>) -> [&str; 3] {
    let c = c.as_ref().expect("rate");
    [&c.value_percent, &c.prior_year_percent, &c.change_points]
}

fn group<'a>(summary: &'a pb::SummarizeStaffingResponse, unit: &str) -> &'a pb::StaffingGroup {
    summary
        .by_child_unit
        .iter()
        .find(|g| g.org_unit == format!("orgUnits/{unit}"))
        .unwrap_or_else(|| panic!("a group for {unit}"))
}

fn deviations(d: &Option<pb::PositionDeviations>) -> [&str; 4] {
    let d = d.as_ref().expect("deviations");
    [
        &d.budget_minus_available_now,
        &d.needed_minus_available_now,
        &d.available_now_minus_available_in_3_months,
        &d.needed_minus_available_now_minus_hired,
    ]
}

fn columns(p: &pb::PositionSummary) -> [&str; 5] {
    [
        &p.fte_budget,
        &p.fte_needed,
        &p.fte_available_now,
        &p.fte_available_in_3_months,
        &p.fte_hired,
    ]
}

// ---------------------------------------------------------------------------------------
// Demo data: the printed tables

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsn_hired_staff_jan_apr_2025_is_the_printed_table() {
    for_each_backend(true, async |app| {
        let summary = summarize(app, request("HSN", 2025, 1, 4)).await;
        assert!(summary.exact, "{}: Jan–Apr is stored exactly", app.label);
        assert_eq!(summary.date, "2025-04-30", "the span's last day");
        assert_eq!(summary.prior_year_date, "2024-04-30");
        let totals = summary.totals.as_ref().expect("totals");

        // "Bemanningsföretag": cost 2024-04, 2025-04 and the change in mkr; forecast 2025;
        // hours requested and filled ack april, and their deviation.
        let printed = [
            ("LAKARE", (47.1, 60.9, -13.8), 98.0, Some(("34121", "31784", "2337"))),
            ("LAKARE_PRIMARVARD", (18.8, 19.6, -0.8), 51.2, Some(("12121", "12529", "-408"))),
            ("SJUKSKOTERSKOR", (30.1, 51.1, -21.0), 63.8, Some(("43999", "43068", "931"))),
            ("OVRIGA", (1.3, 1.4, -0.1), 3.8, None),
        ];
        let mkr = |v: f64| (v * 1_000_000.0).round() as i64;
        let rows: Vec<String> = totals
            .hired_staff
            .iter()
            .map(|h| h.profession.clone())
            .collect();
        assert_eq!(
            rows,
            printed.map(|(code, ..)| profession(code)),
            "{}: printed order",
            app.label
        );
        for ((code, (cost, prior, change), forecast, hours), row) in
            printed.iter().zip(&totals.hired_staff)
        {
            let (value, prior_year, change_sek, _) = money(&row.cost);
            assert_eq!(
                (value, prior_year, change_sek),
                (Some(mkr(*cost)), Some(mkr(*prior)), Some(mkr(*change))),
                "{}: {code}",
                app.label
            );
            assert_eq!(money(&row.forecast).0, Some(mkr(*forecast)), "{code}");
            if let Some((requested, filled, unfilled)) = hours {
                assert_eq!(decimal(&row.hours_requested)[0], *requested, "{code}");
                assert_eq!(decimal(&row.hours_filled)[0], *filled, "{code}");
                assert_eq!(decimal(&row.hours_unfilled)[0], *unfilled, "{code}");
            } else {
                assert_eq!(decimal(&row.hours_requested)[0], "", "{code}: no hours");
            }
        }

        // "Totalt 106,1 113,4 78,5 -34,9 165,6 78 120 74 852 3 268": the primary-care row
        // is "of which" physicians and is not added again.
        let total = &totals.hired_staff_total;
        let total = total.as_ref().expect("total");
        assert_eq!(total.profession, "");
        let (value, prior, change, percent) = money(&total.cost);
        println!(
            "{}: HSN hired staff Jan–Apr 2025 {value:?} against {prior:?}: {change:?} ({percent} %)",
            app.label
        );
        assert_eq!(
            (value, prior, change),
            (Some(mkr(78.5)), Some(mkr(113.4)), Some(mkr(-34.9)))
        );
        // "31 % lägre än föregående år".
        assert_eq!(percent, "-30.78");
        assert_eq!(money(&total.forecast).0, Some(mkr(165.6)));
        assert_eq!(decimal(&total.hours_requested)[0], "78120");
        assert_eq!(decimal(&total.hours_filled)[0], "74852");
        assert_eq!(decimal(&total.hours_unfilled)[0], "3268");
        // "motsvarar ca 118 årsarbetskrafter varav motsvarande 113 årsarbetare blev bemannade
        // (165 timmar/månad)".
        assert_eq!(decimal(&total.fte_requested)[0], "118.36");
        assert_eq!(decimal(&total.fte_filled)[0], "113.41");
        assert_eq!(rate(&total.hired_share)[0], "", "no personnel cost in the demo");

        // Headcount "Antal anställda månad Apr 2024 / Apr 2025": 3 689 and 3 793.
        let monthly = totals
            .headcounts
            .iter()
            .find(|h| h.employee_group == "monthly_salaried")
            .expect("monthly salaried");
        assert_eq!(
            count(&monthly.total),
            (Some(3_793), Some(3_689), Some(104), "2.82")
        );
        assert_eq!(count(&monthly.women).0, None, "no split printed for HSN");
        // Sick leave "Sjuktal per enhet" 7,2 %; no prior-year rate stored.
        assert_eq!(totals.sick_leave.len(), 1);
        assert_eq!(rate(&totals.sick_leave[0].rate), ["7.2", "", ""]);
        assert!(totals.worked_hours.is_empty() && totals.positions.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rs_headcount_per_year_with_the_change() {
    for_each_backend(true, async |app| {
        // "Antal anställda": 512 572 606 629, "Förändring mot fg år" 23; women 377 (+18),
        // men 252 (+5). One call per year, the snapshot at 31 December.
        let printed = [
            (2021, (572, 512), (336, 309), (236, 203)),
            (2022, (606, 572), (359, 336), (247, 236)),
            (2023, (629, 606), (377, 359), (252, 247)),
        ];
        for (year, total, women, men) in printed {
            let summary = summarize(app, request("RS", year, 0, 0)).await;
            assert_eq!(summary.date, format!("{year}-12-31"));
            let totals = summary.totals.as_ref().expect("totals");
            assert_eq!(totals.headcounts.len(), 1, "{}: {year}", app.label);
            let h = &totals.headcounts[0];
            for (label, c, (now, before)) in [
                ("total", &h.total, total),
                ("women", &h.women, women),
                ("men", &h.men, men),
            ] {
                let (value, prior, change, _) = count(c);
                assert_eq!(
                    (value, prior, change),
                    (Some(now), Some(before), Some(now - before)),
                    "{}: {year} {label}",
                    app.label
                );
            }
        }
        let summary = summarize(app, request("RS", 2023, 0, 0)).await;
        let h = &summary.totals.as_ref().unwrap().headcounts[0];
        println!("{}: RS 2023 headcount {:?}", app.label, count(&h.total));
        assert_eq!(count(&h.total), (Some(629), Some(606), Some(23), "3.80"));
        // The region's subtree holds HSN (April) and RS (December): at 31 December only RS.
        let region = summarize(app, request("RJH", 2023, 0, 0)).await;
        let h = &region.totals.as_ref().unwrap().headcounts[0];
        assert_eq!(count(&h.total).0, Some(629));
        assert!(
            region
                .by_child_unit
                .iter()
                .any(|g| g.org_unit == "orgUnits/RS"),
            "{}: RS is a child group",
            app.label
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Made-up fixtures: every section

async fn load_summary_fixtures(app: &common::TestApp) {
    for name in ["staffing-summary.txt", "worked-hours.txt", "positions.txt"] {
        load_fixture(app, name).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worked_hours_and_fte_per_profession_child_unit_and_in_total() {
    for_each_backend(false, async |app| {
        load_summary_fixtures(app).await;
        let summary = summarize(app, request("SR-HSN", 2025, 1, 4)).await;
        assert!(summary.exact, "{}", app.label);
        let totals = summary.totals.as_ref().expect("totals");
        let rows: Vec<(&str, [&str; 4], [&str; 4])> = totals
            .worked_hours
            .iter()
            .map(|w| (w.profession.as_str(), decimal(&w.hours), decimal(&w.fte)))
            .collect();
        println!("{}: worked hours {rows:#?}", app.label);
        let lakare = profession("LAKARE");
        let ssk = profession("SJUKSKOTERSKOR");
        let usk = profession("UNDERSKOTERSKOR");
        assert_eq!(
            rows,
            [
                (
                    lakare.as_str(),
                    ["11220", "10890", "330", "3.03"],
                    ["17.00", "16.50", "0.50", "3.03"]
                ),
                (
                    ssk.as_str(),
                    ["27720", "26070.5", "1649.5", "6.33"],
                    ["42.00", "39.50", "2.50", "6.33"]
                ),
                (
                    usk.as_str(),
                    ["9900", "10560", "-660", "-6.25"],
                    ["15.00", "16.00", "-1.00", "-6.25"]
                ),
            ]
        );
        let total = totals.worked_hours_total.as_ref().expect("total");
        assert_eq!(total.profession, "");
        // The total hours per year the reports print: 48 840 against 47 520.5.
        assert_eq!(
            decimal(&total.hours),
            ["48840", "47520.5", "1319.5", "2.78"]
        );
        assert_eq!(decimal(&total.fte), ["74.00", "72.00", "2.00", "2.78"]);

        let units: Vec<&str> = summary
            .by_child_unit
            .iter()
            .map(|g| g.org_unit.as_str())
            .collect();
        assert_eq!(
            units,
            ["orgUnits/SR-HSN", "orgUnits/SR-KIR", "orgUnits/SR-MED"],
            "the committee's own sick leave, then each division"
        );
        let med = group(&summary, "SR-MED");
        let med_total = med.worked_hours_total.as_ref().unwrap();
        assert_eq!(decimal(&med_total.hours)[..2], ["38280", "37290.5"]);
        assert_eq!(decimal(&med_total.fte)[0], "58.00");
        let kir = group(&summary, "SR-KIR");
        let kir_total = kir.worked_hours_total.as_ref().unwrap();
        assert_eq!(decimal(&kir_total.hours)[..2], ["10560", "10230"]);
        assert_eq!(decimal(&kir_total.fte)[0], "16.00");
        assert!(kir.worked_hours.iter().all(|w| w.profession != usk));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hired_share_headcount_and_sick_leave_against_the_prior_year() {
    for_each_backend(false, async |app| {
        load_summary_fixtures(app).await;
        let summary = summarize(app, request("SR-HSN", 2025, 1, 4)).await;
        let totals = summary.totals.as_ref().expect("totals");

        // Hired staff: 3,6 mkr against 3,7 mkr; the share takes figures reporting both
        // costs: 2025 3,6 / 27 = 13.33 %, 2024 (2,5 + 0,4) / (9,5 + 11) = 14.15 %.
        let total = totals.hired_staff_total.as_ref().unwrap();
        assert_eq!(
            money(&total.cost),
            (Some(3_600_000), Some(3_700_000), Some(-100_000), "-2.70")
        );
        assert_eq!(rate(&total.hired_share), ["13.33", "14.15", "-0.82"]);
        let lakare = &totals.hired_staff[0];
        assert_eq!(lakare.profession, profession("LAKARE"));
        assert_eq!(rate(&lakare.hired_share), ["20.00", "26.32", "-6.32"]);
        assert_eq!(decimal(&lakare.fte_requested), ["2.00", "", "", ""]);
        assert_eq!(decimal(&lakare.hours_unfilled)[0], "132");

        // Headcount at 30 April, summed over the areas; women and men only where every
        // area splits by gender (Ortopedi does not in 2025). The March snapshot is ignored.
        assert_eq!(totals.headcounts.len(), 1);
        let h = &totals.headcounts[0];
        assert_eq!(count(&h.total), (Some(250), Some(245), Some(5), "2.04"));
        assert_eq!(count(&h.women), (None, Some(179), None, ""));
        let med = &group(&summary, "SR-MED").headcounts[0];
        assert_eq!(count(&med.total), (Some(200), Some(197), Some(3), "1.52"));
        assert_eq!(count(&med.women), (Some(150), Some(149), Some(1), "0.67"));
        assert_eq!(count(&med.men), (Some(50), Some(48), Some(2), "4.17"));

        // Sick leave of the committee itself, the change in percentage points.
        let rates: Vec<(i32, i32, i32, [&str; 3])> = totals
            .sick_leave
            .iter()
            .map(|s| (s.gender, s.age_band, s.length, rate(&s.rate)))
            .collect();
        use pb::SickLeaveAgeBand as Age;
        use pb::SickLeaveGender as Gender;
        use pb::SickLeaveLength as Length;
        let all = (Gender::All as i32, Age::All as i32, Length::All as i32);
        assert_eq!(
            rates,
            [
                (all.0, Age::Under30 as i32, all.2, ["3.9", "4.1", "-0.2"]),
                (all.0, all.1, all.2, ["6.4", "5.9", "0.5"]),
                (all.0, all.1, Length::Long as i32, ["2.5", "", ""]),
                (Gender::Men as i32, all.1, all.2, ["4.2", "4.5", "-0.3"]),
                (Gender::Women as i32, all.1, all.2, ["7.1", "6.8", "0.3"]),
            ],
            "{}: ordered by the stored labels",
            app.label
        );
        // A division's rate is its own, never an average of its areas.
        let med = group(&summary, "SR-MED");
        assert_eq!(med.sick_leave.len(), 1);
        assert_eq!(rate(&med.sick_leave[0].rate), ["7", "6", "1"]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_positions_table_per_area_with_the_four_deviations_and_the_total() {
    for_each_backend(false, async |app| {
        load_summary_fixtures(app).await;
        let summary = summarize(app, request("SR-MED", 2025, 1, 4)).await;
        // The table: a row per area, the deviations positive for a shortage.
        let printed = [
            (
                "SR-MED-AKUT",
                ["75", "79", "70.5", "69.5", "3"],
                ["4.5", "8.5", "1", "5.5"],
            ),
            (
                "SR-MED-HJARTA",
                ["25", "27.5", "24", "22", "1.5"],
                ["1", "3.5", "2", "2"],
            ),
            (
                "SR-MED-INF",
                ["12", "12", "12.5", "12.5", "0"],
                ["-0.5", "-0.5", "0", "-0.5"],
            ),
        ];
        for (unit, cols, devs) in printed {
            let area = group(&summary, unit)
                .positions_total
                .as_ref()
                .expect("total");
            println!(
                "{}: {unit} {:?} {:?}",
                app.label,
                columns(area),
                deviations(&area.deviations)
            );
            assert_eq!(columns(area), cols, "{}: {unit}", app.label);
            assert_eq!(deviations(&area.deviations), devs, "{}: {unit}", app.label);
        }
        // The total row sums the areas.
        let totals = summary.totals.as_ref().expect("totals");
        let total = totals.positions_total.as_ref().expect("total");
        assert_eq!(columns(total), ["112", "118.5", "107", "104", "4.5"]);
        assert_eq!(deviations(&total.deviations), ["5", "11.5", "3", "7"]);
        // Per profession: nurses over three areas, assistant nurses in one.
        let nurses = &totals.positions[0];
        assert_eq!(nurses.profession, profession("SJUKSKOTERSKOR"));
        assert_eq!(columns(nurses), ["82", "87.5", "78", "74.5", "4.5"]);
        assert_eq!(deviations(&nurses.deviations), ["4", "9.5", "3.5", "5"]);
        let akut = group(&summary, "SR-MED-AKUT");
        assert_eq!(
            deviations(&akut.positions[0].deviations),
            ["3.5", "6.5", "1.5", "3.5"]
        );

        // Another date: the January snapshot alone, without the columns it lacks.
        let january = summarize(
            app,
            pb::SummarizeStaffingRequest {
                date: "2025-01-31".into(),
                ..request("SR-MED", 2025, 1, 4)
            },
        )
        .await;
        let total = january
            .totals
            .as_ref()
            .unwrap()
            .positions_total
            .as_ref()
            .unwrap();
        assert_eq!(columns(total), ["45", "46", "44", "", ""]);
        assert_eq!(deviations(&total.deviations), ["1", "2", "", ""]);
        assert_eq!(january.prior_year_date, "2024-01-31");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn straddling_and_uncovered_spans_are_reported_not_guessed() {
    for_each_backend(false, async |app| {
        load_summary_fixtures(app).await;
        // Jan–Mar: every stored span is Jan–Apr, so nothing is summed and each is named.
        let summary = summarize(app, request("SR-HSN", 2025, 1, 3)).await;
        assert!(!summary.exact, "{}", app.label);
        let left_out: Vec<(&str, i32)> = summary
            .inexact_spans
            .iter()
            .map(|s| {
                (
                    s.table.as_str(),
                    s.stored_span.as_ref().unwrap().fiscal_year,
                )
            })
            .collect();
        assert_eq!(
            left_out,
            [
                ("hired_staff", 2024),
                ("hired_staff", 2025),
                ("sick_leave", 2024),
                ("sick_leave", 2025),
                ("worked_hours", 2024),
                ("worked_hours", 2025),
            ]
        );
        let totals = summary.totals.as_ref().unwrap();
        assert_eq!(
            decimal(&totals.worked_hours_total.as_ref().unwrap().hours)[0],
            ""
        );

        // The full year: Jan–Apr figures do not answer it; the months are named per table.
        let year = summarize(app, request("SR-HSN", 2025, 0, 0)).await;
        assert!(!year.exact);
        let worked: Vec<(i32, Vec<i32>)> = year
            .uncovered
            .iter()
            .filter(|u| u.table == "worked_hours")
            .map(|u| (u.fiscal_year, u.months.clone()))
            .collect();
        assert_eq!(
            worked,
            [(2024, (5..=12).collect()), (2025, (5..=12).collect())]
        );
    })
    .await;
}

/// Monthly sick-leave rates of SR-KIR, which has no Jan–Apr rate (made up).
const MONTHLY_SICK_LEAVE: &str = "source document=\"test-monthly-sick-leave\"\n\
    sick_leave org_unit=SR-KIR fiscal_year=2025 from_month=1 to_month=1 gender=all age_band=all length=all rate_percent=6.5\n\
    sick_leave org_unit=SR-KIR fiscal_year=2025 from_month=2 to_month=2 gender=all age_band=all length=all rate_percent=7.5\n\
    sick_leave org_unit=SR-KIR fiscal_year=2025 from_month=3 to_month=3 gender=all age_band=all length=all rate_percent=7.25\n\
    sick_leave org_unit=SR-KIR fiscal_year=2025 from_month=4 to_month=4 gender=all age_band=all length=all rate_percent=6.75\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sick_leave_rate_is_the_one_stored_for_the_span_never_a_sum_of_months() {
    for_each_backend(false, async |app| {
        load_summary_fixtures(app).await;
        let files: &'static [(&str, &str)] = &[("monthly-sick-leave", MONTHLY_SICK_LEAVE)];
        uppsikt::import::run_import(
            &app.store,
            uppsikt::import::ImportRequest {
                document: "monthly sick leave".into(),
                table: None,
                system: Some("tests".into()),
                request_id: None,
                dry_run: false,
            },
            uppsikt::import::files::text_entries(files),
            |_| {},
        )
        .await
        .expect("monthly rates");
        let rates = |summary: &pb::SummarizeStaffingResponse| -> Vec<[String; 3]> {
            summary
                .by_child_unit
                .iter()
                .filter(|g| g.org_unit == "orgUnits/SR-KIR")
                .flat_map(|g| {
                    g.sick_leave
                        .iter()
                        .map(|s| rate(&s.rate).map(str::to_owned))
                })
                .collect()
        };
        // Jan–Apr: four monthly rates and none stored for the span. A share is not summed
        // (6.5 + 7.5 + 7.25 + 6.75 = 28 was served), nor averaged without the hours it is a
        // share of: there is none.
        let tertial = summarize(app, request("SR-HSN", 2025, 1, 4)).await;
        assert_eq!(rates(&tertial), Vec::<[String; 3]>::new(), "{}", app.label);
        // One month: that month's rate.
        let february = summarize(app, request("SR-HSN", 2025, 2, 2)).await;
        assert_eq!(
            rates(&february),
            [["7.5", "", ""].map(String::from)],
            "{}",
            app.label
        );
        // SR-MED's Jan–Apr rate is stored for the span: served as before.
        let med = group(&tertial, "SR-MED");
        assert_eq!(
            rate(&med.sick_leave[0].rate),
            ["7", "6", "1"],
            "{}",
            app.label
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_names_the_field() {
    for_each_backend(false, async |app| {
        load_summary_fixtures(app).await;
        let mut client = app.staffing();
        let cases = [
            (
                request("SR-HSN", 0, 1, 4),
                Code::InvalidArgument,
                "fiscal_year",
            ),
            (
                request("SR-HSN", 2025, 5, 4),
                Code::InvalidArgument,
                "from_month",
            ),
            (
                request("nope!", 2025, 1, 4),
                Code::InvalidArgument,
                "org_unit",
            ),
            (
                pb::SummarizeStaffingRequest {
                    date: "2025-02-30".into(),
                    ..request("SR-HSN", 2025, 1, 4)
                },
                Code::InvalidArgument,
                "date",
            ),
        ];
        for (request, code, field) in cases {
            let status = client
                .summarize_staffing(request)
                .await
                .expect_err("rejected");
            assert_error(&status, code, Some(field));
        }
        let status = client
            .summarize_staffing(request("SR-NOPE", 2025, 1, 4))
            .await
            .expect_err("unknown unit");
        assert_eq!(status.code(), Code::NotFound, "{}", app.label);
    })
    .await;
}
