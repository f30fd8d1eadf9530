//! StaffingService through the real server on every backend: the demo data reproduces the
//! seed reports' printed staffing figures; test fixtures (tests/fixtures/staffing*.txt,
//! loaded through the import path) cover what the demo data lacks: worked hours with FTE,
//! sick leave by band, positions with their deviations, history through `as_of`.

use crate::common;

use common::{assert_error, for_each_backend, load_fixture};
use std::collections::HashSet;
use tonic::Code;
use uppsikt::proto::v1 as pb;

fn unit(code: &str) -> String {
    format!("orgUnits/{code}")
}

fn profession(code: &str) -> String {
    format!("professionGroups/{code}")
}

/// Unit, profession code, (year, from, to), hours, FTE.
type WorkedRow = (String, String, (i32, i32, i32), String, String);
/// Unit, total, women, men, unknown.
type HeadcountRow = (String, i64, Option<i64>, Option<i64>, Option<i64>);

fn span(s: &Option<pb::MonthSpan>) -> (i32, i32, i32) {
    let s = s.as_ref().expect("span");
    (s.fiscal_year, s.from_month, s.to_month)
}

// ---------------------------------------------------------------------------------------
// Demo data: the printed figures

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_headcounts_reproduce_the_reports() {
    for_each_backend(true, async |app| {
        let mut client = app.staffing();
        // RS, "Antal månadsavlönade" at 31 December 2023: 629, of whom 377 women, 252 men.
        let rs = client
            .list_headcounts(pb::ListHeadcountsRequest {
                org_unit: unit("RS"),
                from_date: "2023-12-31".into(),
                to_date: "2023-12-31".into(),
                ..Default::default()
            })
            .await
            .expect("RS headcount")
            .into_inner();
        assert_eq!(rs.headcounts.len(), 1, "{}", app.label);
        let h = &rs.headcounts[0];
        println!(
            "{}: RS {} employees at {}, {:?} women, {:?} men",
            app.label, h.total, h.date, h.women, h.men
        );
        assert_eq!(
            (h.total, h.women, h.men, h.unknown),
            (629, Some(377), Some(252), None)
        );
        assert_eq!(h.employee_group, "monthly_salaried");
        let provenance = h.provenance.as_ref().expect("provenance");
        assert_eq!(provenance.document, "rs-arsredovisning-2023");
        assert_eq!(provenance.table, "Antal anställda");
        assert!(provenance.import.starts_with("imports/"));

        // HSN in April 2025: 3 793 monthly-salaried; the administrative subset is apart.
        let hsn = client
            .list_headcounts(pb::ListHeadcountsRequest {
                org_unit: unit("HSN"),
                from_date: "2025-04-01".into(),
                to_date: "2025-04-30".into(),
                ..Default::default()
            })
            .await
            .expect("HSN headcount")
            .into_inner();
        let groups: Vec<(&str, &str, i64)> = hsn
            .headcounts
            .iter()
            .map(|h| (h.date.as_str(), h.employee_group.as_str(), h.total))
            .collect();
        println!("{}: HSN April 2025 {groups:?}", app.label);
        assert_eq!(
            groups,
            [
                ("2025-04-30", "administrative", 464),
                ("2025-04-30", "monthly_salaried", 3793)
            ]
        );
        assert_eq!(hsn.headcounts[1].women, None, "no split printed for HSN");

        // Every RS year end, in date order; the whole region's subtree holds HSN and RS.
        let all = client
            .list_headcounts(pb::ListHeadcountsRequest {
                org_unit: unit("RJH"),
                include_descendants: true,
                employee_group: "monthly_salaried".into(),
                ..Default::default()
            })
            .await
            .expect("region")
            .into_inner();
        let rows: Vec<(String, String, i64)> = all
            .headcounts
            .iter()
            .map(|h| (h.org_unit.clone(), h.date.clone(), h.total))
            .collect();
        assert_eq!(rows.len(), 7, "{rows:?}");
        assert_eq!(rows[0], (unit("HSN"), "2023-04-30".into(), 3501));
        assert_eq!(rows[6], (unit("RS"), "2023-12-31".into(), 629));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_hired_staff_reproduces_the_report() {
    for_each_backend(true, async |app| {
        let mut client = app.staffing();
        let response = client
            .list_hired_staff(pb::ListHiredStaffRequest {
                org_unit: unit("HSN"),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                ..Default::default()
            })
            .await
            .expect("hired staff")
            .into_inner();
        let professions: Vec<&str> = response
            .hired_staff
            .iter()
            .map(|h| h.profession.as_str())
            .collect();
        // Ordered by profession code (an index serves it; summaries use display order).
        assert_eq!(
            professions,
            [
                "professionGroups/LAKARE",
                "professionGroups/LAKARE_PRIMARVARD",
                "professionGroups/OVRIGA",
                "professionGroups/SJUKSKOTERSKOR",
            ],
            "{}",
            app.label
        );
        let physicians = &response.hired_staff[0];
        let nurses = &response.hired_staff[3];
        println!(
            "{}: physicians cost {:?} kr, forecast {:?}, requested {} h = {} FTE, filled {} h = {} FTE; nurses cost {:?} kr",
            app.label,
            physicians.cost_sek,
            physicians.forecast_sek,
            physicians.hours_requested,
            physicians.fte_requested,
            physicians.hours_filled,
            physicians.fte_filled,
            nurses.cost_sek
        );
        assert_eq!(physicians.cost_sek, Some(47_100_000));
        assert_eq!(physicians.forecast_sek, Some(98_000_000));
        assert_eq!(nurses.cost_sek, Some(30_100_000));
        assert_eq!(physicians.hours_requested, "34121");
        // 34 121 / (165 × 4) = 51.698… → 51.70.
        assert_eq!(physicians.fte_requested, "51.70");
        assert_eq!(physicians.hours_filled, "31784");
        assert_eq!(physicians.fte_filled, "48.16");
        assert_eq!(span(&physicians.span), (2025, 1, 4));
        // No personnel cost is printed, so no share is derived.
        assert_eq!(physicians.personnel_cost_sek, None);
        assert_eq!(physicians.hired_share_percent, "");
        let others = &response.hired_staff[2];
        assert_eq!((others.hours_requested.as_str(), others.fte_requested.as_str()), ("", ""));

        // The profession filter is the group itself, not its "of which" sub-group; every year.
        let physicians = client
            .list_hired_staff(pb::ListHiredStaffRequest {
                profession: profession("LAKARE"),
                ..Default::default()
            })
            .await
            .expect("physicians")
            .into_inner();
        let costs: Vec<((i32, i32, i32), Option<i64>)> = physicians
            .hired_staff
            .iter()
            .map(|h| (span(&h.span), h.cost_sek))
            .collect();
        assert_eq!(
            costs,
            [
                ((2023, 1, 4), Some(54_600_000)),
                ((2024, 1, 4), Some(60_900_000)),
                ((2025, 1, 4), Some(47_100_000))
            ]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_profession_groups_and_sick_leave() {
    for_each_backend(true, async |app| {
        let mut client = app.staffing();
        let mut token = String::new();
        let mut groups = Vec::new();
        loop {
            let page = client
                .list_profession_groups(pb::ListProfessionGroupsRequest {
                    page_size: 4,
                    page_token: token,
                    ..Default::default()
                })
                .await
                .expect("page")
                .into_inner();
            assert!(page.profession_groups.len() <= 4);
            groups.extend(page.profession_groups);
            if page.next_page_token.is_empty() {
                break;
            }
            token = page.next_page_token;
        }
        assert_eq!(groups.len(), 14, "{}", app.label);
        let orders: Vec<i32> = groups.iter().map(|g| g.display_order).collect();
        assert!(orders.is_sorted(), "{orders:?}");
        let primary = groups
            .iter()
            .find(|g| g.code == "LAKARE_PRIMARVARD")
            .expect("primary care physicians");
        assert_eq!(primary.name, profession("LAKARE_PRIMARVARD"));
        assert_eq!(primary.parent, profession("LAKARE"));
        assert_eq!(primary.display_name, "Varav läkare primärvården");

        let rates = client
            .list_sick_leave(pb::ListSickLeaveRequest {
                org_unit: unit("RJH"),
                include_descendants: true,
                ..Default::default()
            })
            .await
            .expect("sick leave")
            .into_inner();
        let rows: Vec<(String, (i32, i32, i32), String)> = rates
            .sick_leave
            .iter()
            .map(|s| (s.org_unit.clone(), span(&s.span), s.rate_percent.clone()))
            .collect();
        assert_eq!(
            rows,
            [
                (unit("HSN"), (2025, 1, 4), "7.2".to_owned()),
                (unit("RJH"), (2023, 1, 12), "6.4".to_owned())
            ],
            "{}",
            app.label
        );
        assert_eq!(rates.sick_leave[0].gender, pb::SickLeaveGender::All as i32);
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Fixtures: the kinds the demo data lacks

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worked_hours_per_profession_with_fte() {
    for_each_backend(false, async |app| {
        load_fixture(app, "staffing.txt").await;
        let response = app
            .staffing()
            .list_worked_hours(pb::ListWorkedHoursRequest {
                org_unit: unit("TR-HSN"),
                include_descendants: true,
                ..Default::default()
            })
            .await
            .expect("worked hours")
            .into_inner();
        let rows: Vec<WorkedRow> = response
            .worked_hours
            .iter()
            .map(|w| {
                (
                    w.org_unit.clone(),
                    w.profession
                        .trim_start_matches("professionGroups/")
                        .to_owned(),
                    span(&w.span),
                    w.hours.clone(),
                    w.fte.clone(),
                )
            })
            .collect();
        println!("{}: worked hours {rows:#?}", app.label);
        let expected = [
            // Ordered by unit, then profession code, year and span.
            (
                "TR-HSN",
                "ADMINISTRATIV_PERSONAL",
                (2025, 1, 4),
                "2875.85",
                "4.36",
            ),
            ("TR-HSN", "LAKARE", (2025, 1, 4), "34121", "51.70"),
            ("TR-HSN", "LEDNING", (2025, 1, 4), "3.3", "0.01"), // 0.005: half away from zero
            (
                "TR-HSN",
                "SJUKSKOTERSKOR",
                (2024, 1, 12),
                "5694183",
                "2875.85",
            ),
            (
                "TR-HSN",
                "SJUKSKOTERSKOR",
                (2025, 1, 4),
                "412870.5",
                "625.56",
            ),
            ("TR-HSN", "UNDERSKOTERSKOR", (2025, 1, 4), "330", "0.50"),
            (
                "TR-MED",
                "SJUKSKOTERSKOR",
                (2025, 1, 4),
                "165000.25",
                "250.00",
            ),
        ]
        .map(|(u, p, s, h, f)| (unit(u), p.to_owned(), s, h.to_owned(), f.to_owned()));
        assert_eq!(rows, expected, "{}", app.label);
        let provenance = response.worked_hours[0]
            .provenance
            .as_ref()
            .expect("provenance");
        assert_eq!(provenance.document, "test-fixture");
        assert_eq!(provenance.table, "Utförd tid");

        // Filters: year, months, profession.
        let nurses = app
            .staffing()
            .list_worked_hours(pb::ListWorkedHoursRequest {
                fiscal_year: 2025,
                from_month: 1,
                to_month: 6,
                profession: profession("SJUKSKOTERSKOR"),
                ..Default::default()
            })
            .await
            .expect("nurses")
            .into_inner();
        let units: Vec<&str> = nurses
            .worked_hours
            .iter()
            .map(|w| w.org_unit.as_str())
            .collect();
        assert_eq!(units, ["orgUnits/TR-HSN", "orgUnits/TR-MED"]);
        let short = app
            .staffing()
            .list_worked_hours(pb::ListWorkedHoursRequest {
                from_month: 1,
                to_month: 3,
                ..Default::default()
            })
            .await
            .expect("Jan–Mar")
            .into_inner();
        assert!(short.worked_hours.is_empty(), "no span lies within Jan–Mar");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hired_share_of_personnel_cost_where_both_are_known() {
    for_each_backend(false, async |app| {
        load_fixture(app, "staffing.txt").await;
        let response = app
            .staffing()
            .list_hired_staff(pb::ListHiredStaffRequest {
                org_unit: unit("TR-HSN"),
                ..Default::default()
            })
            .await
            .expect("hired staff")
            .into_inner();
        let physicians = &response.hired_staff[0];
        println!(
            "{}: physicians {:?} kr of personnel cost {:?} kr: {} %; filled {} h = {} FTE",
            app.label,
            physicians.cost_sek,
            physicians.personnel_cost_sek,
            physicians.hired_share_percent,
            physicians.hours_filled,
            physicians.fte_filled
        );
        assert_eq!(physicians.profession, profession("LAKARE"));
        assert_eq!(physicians.personnel_cost_sek, Some(-309_060_000));
        // 47,1 / 309,06 × 100 = 15.2397… → 15.24.
        assert_eq!(physicians.hired_share_percent, "15.24");
        assert_eq!(physicians.hours_filled, "31784.5");
        assert_eq!(physicians.fte_filled, "48.16");
        let nurses = &response.hired_staff[1];
        assert_eq!(nurses.personnel_cost_sek, Some(0));
        assert_eq!(
            nurses.hired_share_percent, "",
            "no share of a zero personnel cost"
        );
        assert_eq!(nurses.forecast_sek, None);
    })
    .await;
}

fn sick_row(s: &pb::SickLeave) -> (i32, i32, i32, String) {
    (s.gender, s.age_band, s.length, s.rate_percent.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sick_leave_by_gender_age_band_and_length() {
    use pb::{SickLeaveAgeBand as Age, SickLeaveGender as Gender, SickLeaveLength as Length};
    for_each_backend(false, async |app| {
        load_fixture(app, "staffing.txt").await;
        let mut client = app.staffing();
        let all = client
            .list_sick_leave(pb::ListSickLeaveRequest {
                org_unit: unit("TR-HSN"),
                fiscal_year: 2025,
                ..Default::default()
            })
            .await
            .expect("sick leave")
            .into_inner();
        let rows: Vec<(i32, i32, i32, String)> = all.sick_leave.iter().map(sick_row).collect();
        let (g, a, l) = (Gender::All as i32, Age::All as i32, Length::All as i32);
        // Within the span by stored label: gender (all, men, women), age band (0-29, 30-49,
        // 50-, all), length (all, long, medium, short).
        let expected = [
            (g, Age::Under30 as i32, l, "5.5"),
            (g, Age::From30To49 as i32, l, "6"),
            (g, Age::From50 as i32, l, "7.25"),
            (g, a, l, "6.12"),
            (g, a, Length::Long as i32, "2.02"),
            (g, a, Length::Medium as i32, "1.2"),
            (g, a, Length::Short as i32, "2.9"),
            (Gender::Men as i32, a, l, "4.1"),
            (Gender::Women as i32, a, l, "6.85"),
        ]
        .map(|(g, a, l, r)| (g, a, l, r.to_owned()));
        println!("{}: sick leave 2025 {rows:?}", app.label);
        assert_eq!(rows, expected, "{}", app.label);
        // The lengths add up to the total as reported.
        let lengths: rust_decimal::Decimal = rows[4..7]
            .iter()
            .map(|r| r.3.parse::<rust_decimal::Decimal>().expect("decimal"))
            .sum();
        assert_eq!(lengths.to_string(), "6.12");

        let women = client
            .list_sick_leave(pb::ListSickLeaveRequest {
                gender: Gender::Women as i32,
                ..Default::default()
            })
            .await
            .expect("women")
            .into_inner();
        assert_eq!(women.sick_leave.len(), 1);
        assert_eq!(women.sick_leave[0].rate_percent, "6.85");

        // ALL as a filter: only the rates not split that way, every year.
        let unsplit = client
            .list_sick_leave(pb::ListSickLeaveRequest {
                gender: g,
                age_band: a,
                length: l,
                ..Default::default()
            })
            .await
            .expect("totals")
            .into_inner();
        let totals: Vec<((i32, i32, i32), &str)> = unsplit
            .sick_leave
            .iter()
            .map(|s| (span(&s.span), s.rate_percent.as_str()))
            .collect();
        assert_eq!(totals, [((2024, 1, 12), "5.9"), ((2025, 1, 4), "6.12")]);

        let long = client
            .list_sick_leave(pb::ListSickLeaveRequest {
                length: Length::Long as i32,
                ..Default::default()
            })
            .await
            .expect("long")
            .into_inner();
        assert_eq!(long.sick_leave.len(), 1);
        assert_eq!(long.sick_leave[0].rate_percent, "2.02");
    })
    .await;
}

fn position_row(p: &pb::Position) -> [String; 11] {
    let d = p.deviations.as_ref().expect("deviations");
    [
        p.date.clone(),
        p.profession
            .trim_start_matches("professionGroups/")
            .to_owned(),
        p.fte_budget.clone(),
        p.fte_needed.clone(),
        p.fte_available_now.clone(),
        p.fte_available_in_3_months.clone(),
        p.fte_hired.clone(),
        d.budget_minus_available_now.clone(),
        d.needed_minus_available_now.clone(),
        d.available_now_minus_available_in_3_months.clone(),
        d.needed_minus_available_now_minus_hired.clone(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_with_their_deviations() {
    for_each_backend(false, async |app| {
        load_fixture(app, "staffing.txt").await;
        let response = app
            .staffing()
            .list_positions(pb::ListPositionsRequest {
                org_unit: unit("TR-HSN"),
                include_descendants: true,
                ..Default::default()
            })
            .await
            .expect("positions")
            .into_inner();
        let rows: Vec<[String; 11]> = response.positions.iter().map(position_row).collect();
        println!("{}: positions {rows:#?}", app.label);
        let expected = [
            // date, group, budget, needed, now, in 3 months, hired, then the deviations
            // (positive = a shortage): budget − now, needed − now, now − in 3 months,
            // needed − now − hired
            [
                "2025-01-31",
                "SJUKSKOTERSKOR",
                "2875.85",
                "2880",
                "2870",
                "",
                "",
                "5.85",
                "10",
                "",
                "",
            ],
            ["2025-04-30", "LAKARE", "8", "", "", "", "", "", "", "", ""],
            [
                "2025-04-30",
                "SJUKSKOTERSKOR",
                "2875.85",
                "2901.1234",
                "2850.5",
                "2901.1234",
                "12.25",
                "25.35",
                "50.6234",
                "-50.6234",
                "38.3734",
            ],
            [
                "2025-04-30",
                "UNDERSKOTERSKOR",
                "20",
                "22.5",
                "19",
                "",
                "",
                "1",
                "3.5",
                "",
                "",
            ],
        ]
        .map(|row| row.map(str::to_owned));
        assert_eq!(rows, expected, "{}", app.label);
        assert!(
            response
                .positions
                .iter()
                .all(|p| p.org_unit == unit("TR-AVD1"))
        );

        let april = app
            .staffing()
            .list_positions(pb::ListPositionsRequest {
                from_date: "2025-02-01".into(),
                profession: profession("SJUKSKOTERSKOR"),
                ..Default::default()
            })
            .await
            .expect("April")
            .into_inner();
        assert_eq!(april.positions.len(), 1);
        assert_eq!(april.positions[0].date, "2025-04-30");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headcount_with_unknown_gender() {
    for_each_backend(false, async |app| {
        load_fixture(app, "staffing.txt").await;
        let response = app
            .staffing()
            .list_headcounts(pb::ListHeadcountsRequest {
                org_unit: unit("TR-HSN"),
                include_descendants: true,
                ..Default::default()
            })
            .await
            .expect("headcounts")
            .into_inner();
        let rows: Vec<HeadcountRow> = response
            .headcounts
            .iter()
            .map(|h| (h.org_unit.clone(), h.total, h.women, h.men, h.unknown))
            .collect();
        assert_eq!(
            rows,
            [
                (unit("TR-HSN"), 100, Some(70), Some(29), Some(1)),
                (unit("TR-MED"), 40, None, None, None)
            ]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_supersedes_and_as_of_reads_the_figure_as_it_stood() {
    for_each_backend(false, async |app| {
        let first = load_fixture(app, "staffing.txt").await;
        let correction = load_fixture(app, "staffing-correction.txt").await;
        assert!(correction.recorded_at > first.recorded_at);
        let before = Some(prost_types::Timestamp {
            seconds: first.recorded_at.div_euclid(1_000_000),
            nanos: (first.recorded_at.rem_euclid(1_000_000) * 1000) as i32,
        });
        let mut client = app.staffing();
        let request = |as_of: Option<prost_types::Timestamp>| pb::ListPositionsRequest {
            org_unit: unit("TR-AVD1"),
            from_date: "2025-04-30".into(),
            profession: profession("SJUKSKOTERSKOR"),
            as_of,
            ..Default::default()
        };
        let latest = client
            .list_positions(request(None))
            .await
            .expect("latest")
            .into_inner();
        let p = &latest.positions[0];
        assert_eq!(latest.positions.len(), 1, "{}", app.label);
        let needed_gap = |p: &pb::Position| {
            p.deviations
                .as_ref()
                .unwrap()
                .needed_minus_available_now
                .clone()
        };
        assert_eq!(
            (p.fte_needed.as_str(), needed_gap(p).as_str()),
            ("2910", "59.5")
        );
        assert_eq!(
            p.provenance.as_ref().unwrap().document,
            "test-fixture-correction"
        );

        let then = client
            .list_positions(request(before))
            .await
            .expect("as of the first import")
            .into_inner();
        let p = &then.positions[0];
        assert_eq!(then.positions.len(), 1);
        assert_eq!(
            (p.fte_needed.as_str(), needed_gap(p).as_str()),
            ("2901.1234", "50.6234")
        );
        let provenance = p.provenance.as_ref().unwrap();
        assert_eq!(provenance.document, "test-fixture");
        assert!(!provenance.superseded_at.is_empty(), "superseded since");

        let hours = |response: pb::ListWorkedHoursResponse| {
            let w = &response.worked_hours[0];
            (w.hours.clone(), w.fte.clone())
        };
        let worked = |as_of| pb::ListWorkedHoursRequest {
            profession: profession("LAKARE"),
            as_of,
            ..Default::default()
        };
        let now = hours(
            client
                .list_worked_hours(worked(None))
                .await
                .expect("now")
                .into_inner(),
        );
        let then = hours(
            client
                .list_worked_hours(worked(before))
                .await
                .expect("then")
                .into_inner(),
        );
        assert_eq!(now, ("34200".to_owned(), "51.82".to_owned()));
        assert_eq!(then, ("34121".to_owned(), "51.70".to_owned()));

        // Before anything was imported there was nothing, not even the group.
        let epoch = Some(prost_types::Timestamp {
            seconds: 0,
            nanos: 0,
        });
        let status = client.list_worked_hours(worked(epoch)).await.unwrap_err();
        assert_error(&status, Code::NotFound, None);
        let empty = client
            .list_worked_hours(pb::ListWorkedHoursRequest {
                as_of: epoch,
                ..Default::default()
            })
            .await
            .expect("at the epoch")
            .into_inner();
        assert!(empty.worked_hours.is_empty());
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Paging and errors

/// Reads every page of size `size` and asserts they equal the one-page answer, in order.
async fn assert_pages<T, F>(label: &str, all: Vec<T>, size: i32, mut page: F)
where
    T: PartialEq + std::fmt::Debug,
    F: AsyncFnMut(i32, String) -> (Vec<T>, String),
{
    let mut token = String::new();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let (items, next) = page(size, token).await;
        assert!(items.len() <= size as usize);
        pages += 1;
        seen.extend(items);
        if next.is_empty() {
            break;
        }
        token = next;
    }
    assert_eq!(seen, all, "{label}: pages of {size} match one page");
    assert_eq!(pages, all.len().div_ceil(size as usize).max(1), "{label}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_returns_every_figure_once_in_order() {
    for_each_backend(true, async |app| {
        load_fixture(app, "staffing.txt").await;
        let client = app.staffing();
        for size in [1, 2, 3] {
            let c = client.clone();
            let all = c
                .clone()
                .list_worked_hours(pb::ListWorkedHoursRequest::default())
                .await
                .unwrap()
                .into_inner()
                .worked_hours;
            assert_eq!(all.len(), 7);
            assert_pages("worked hours", all, size, async |page_size, page_token| {
                let r = c
                    .clone()
                    .list_worked_hours(pb::ListWorkedHoursRequest {
                        page_size,
                        page_token,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_inner();
                (r.worked_hours, r.next_page_token)
            })
            .await;

            let all = c
                .clone()
                .list_hired_staff(pb::ListHiredStaffRequest::default())
                .await
                .unwrap()
                .into_inner()
                .hired_staff;
            assert_eq!(all.len(), 14, "12 demo + 2 fixture");
            assert_pages("hired staff", all, size, async |page_size, page_token| {
                let r = c
                    .clone()
                    .list_hired_staff(pb::ListHiredStaffRequest {
                        page_size,
                        page_token,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_inner();
                (r.hired_staff, r.next_page_token)
            })
            .await;

            let all = c
                .clone()
                .list_sick_leave(pb::ListSickLeaveRequest::default())
                .await
                .unwrap()
                .into_inner()
                .sick_leave;
            assert_eq!(all.len(), 12);
            assert_pages("sick leave", all, size, async |page_size, page_token| {
                let r = c
                    .clone()
                    .list_sick_leave(pb::ListSickLeaveRequest {
                        page_size,
                        page_token,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_inner();
                (r.sick_leave, r.next_page_token)
            })
            .await;

            let all = c
                .clone()
                .list_positions(pb::ListPositionsRequest::default())
                .await
                .unwrap()
                .into_inner()
                .positions;
            assert_eq!(all.len(), 4);
            assert_pages("positions", all, size, async |page_size, page_token| {
                let r = c
                    .clone()
                    .list_positions(pb::ListPositionsRequest {
                        page_size,
                        page_token,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_inner();
                (r.positions, r.next_page_token)
            })
            .await;

            let all = c
                .clone()
                .list_headcounts(pb::ListHeadcountsRequest::default())
                .await
                .unwrap()
                .into_inner()
                .headcounts;
            assert_eq!(all.len(), 11, "9 demo + 2 fixture");
            let keys: HashSet<(String, String, String)> = all
                .iter()
                .map(|h| (h.org_unit.clone(), h.date.clone(), h.employee_group.clone()))
                .collect();
            assert_eq!(keys.len(), all.len());
            assert_pages("headcounts", all, size, async |page_size, page_token| {
                let r = c
                    .clone()
                    .list_headcounts(pb::ListHeadcountsRequest {
                        page_size,
                        page_token,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_inner();
                (r.headcounts, r.next_page_token)
            })
            .await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_invalid_argument_naming_the_field() {
    for_each_backend(true, async |app| {
        let mut client = app.staffing();
        let cases: Vec<(pb::ListWorkedHoursRequest, &str)> = vec![
            (
                pb::ListWorkedHoursRequest {
                    page_size: -1,
                    ..Default::default()
                },
                "page_size",
            ),
            (
                pb::ListWorkedHoursRequest {
                    to_month: 13,
                    ..Default::default()
                },
                "to_month",
            ),
            (
                pb::ListWorkedHoursRequest {
                    from_month: 5,
                    to_month: 4,
                    ..Default::default()
                },
                "from_month",
            ),
            (
                pb::ListWorkedHoursRequest {
                    fiscal_year: 25,
                    ..Default::default()
                },
                "fiscal_year",
            ),
            (
                pb::ListWorkedHoursRequest {
                    profession: "LAKARE".into(),
                    ..Default::default()
                },
                "profession",
            ),
            (
                pb::ListWorkedHoursRequest {
                    org_unit: "HSN".into(),
                    ..Default::default()
                },
                "org_unit",
            ),
            (
                pb::ListWorkedHoursRequest {
                    structure_date: "2025-02-30".into(),
                    ..Default::default()
                },
                "structure_date",
            ),
            (
                pb::ListWorkedHoursRequest {
                    page_token: "not-a-token".into(),
                    ..Default::default()
                },
                "page_token",
            ),
        ];
        for (request, field) in cases {
            let status = client.list_worked_hours(request).await.unwrap_err();
            assert_eq!(status.code(), Code::InvalidArgument, "{field}: {status:?}");
            assert_error(&status, Code::InvalidArgument, Some(field));
        }

        // Dates: malformed, and from after to.
        for (from, to, field) in [
            ("2025-13-01", "", "from_date"),
            ("", "30 april", "to_date"),
            ("2025-05-01", "2025-04-30", "from_date"),
        ] {
            let status = client
                .list_headcounts(pb::ListHeadcountsRequest {
                    from_date: from.into(),
                    to_date: to.into(),
                    ..Default::default()
                })
                .await
                .unwrap_err();
            assert_error(&status, Code::InvalidArgument, Some(field));
            let status = client
                .list_positions(pb::ListPositionsRequest {
                    from_date: from.into(),
                    to_date: to.into(),
                    ..Default::default()
                })
                .await
                .unwrap_err();
            assert_error(&status, Code::InvalidArgument, Some(field));
        }
        let status = client
            .list_headcounts(pb::ListHeadcountsRequest {
                employee_group: "Monthly Salaried".into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("employee_group"));

        // Unknown enum numbers.
        for (request, field) in [
            (
                pb::ListSickLeaveRequest {
                    gender: 9,
                    ..Default::default()
                },
                "gender",
            ),
            (
                pb::ListSickLeaveRequest {
                    age_band: 5,
                    ..Default::default()
                },
                "age_band",
            ),
            (
                pb::ListSickLeaveRequest {
                    length: -1,
                    ..Default::default()
                },
                "length",
            ),
        ] {
            let status = client.list_sick_leave(request).await.unwrap_err();
            assert_error(&status, Code::InvalidArgument, Some(field));
        }
        let status = client
            .list_hired_staff(pb::ListHiredStaffRequest {
                page_size: -5,
                from_month: 13,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("page_size"));
        assert_error(&status, Code::InvalidArgument, Some("from_month"));
        let status = client
            .list_profession_groups(pb::ListProfessionGroupsRequest {
                page_size: -1,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("page_size"));

        // A page token used with other filters.
        let first = client
            .list_hired_staff(pb::ListHiredStaffRequest {
                fiscal_year: 2025,
                page_size: 1,
                ..Default::default()
            })
            .await
            .expect("first page")
            .into_inner();
        assert!(!first.next_page_token.is_empty());
        let status = client
            .list_hired_staff(pb::ListHiredStaffRequest {
                fiscal_year: 2024,
                page_size: 1,
                page_token: first.next_page_token.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("page_token"));
        // Nor with another list.
        let status = client
            .list_worked_hours(pb::ListWorkedHoursRequest {
                fiscal_year: 2025,
                page_size: 1,
                page_token: first.next_page_token,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::InvalidArgument, Some("page_token"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_unit_or_profession_is_not_found() {
    for_each_backend(true, async |app| {
        let mut client = app.staffing();
        let status = client
            .list_headcounts(pb::ListHeadcountsRequest {
                org_unit: unit("NOPE"),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::NotFound, None);
        let status = client
            .list_hired_staff(pb::ListHiredStaffRequest {
                org_unit: unit("NOPE"),
                include_descendants: true,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::NotFound, None);
        let status = client
            .list_sick_leave(pb::ListSickLeaveRequest {
                org_unit: unit("NOPE"),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::NotFound, None);
        let status = client
            .list_positions(pb::ListPositionsRequest {
                org_unit: unit("NOPE"),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::NotFound, None);
        let status = client
            .list_worked_hours(pb::ListWorkedHoursRequest {
                profession: profession("ASTRONAUTER"),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::NotFound, None);
        // The unit is looked up in the tree at the structure date: RS dates from 2020.
        let status = client
            .list_headcounts(pb::ListHeadcountsRequest {
                org_unit: unit("RS"),
                structure_date: "2019-06-30".into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_error(&status, Code::NotFound, None);
    })
    .await;
}
