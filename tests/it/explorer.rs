//! The explorer page in a real browser: headless Chromium, driven over the DevTools
//! protocol, opens it against a server with the demo data. The page calls SummarizeBudget
//! through the Connect JSON form and renders tables this test reads from the live DOM, and
//! compares with the gRPC answers:
//! - HSN Jan–Apr 2025 by URL: the figures, the full-year forecast and the chart;
//! - HSN Jan–Dec 2025: actual (and budget, prior year) cover only Jan–Apr, so they are not
//!   shown as the year's, a Swedish notice says which span the data covers, and its button
//!   shows that span;
//! - a year without data and an unknown unit: Swedish messages, which spans exist;
//! - RS 2023: a click on a child unit's row drills into it (its categories and children);
//! - the download buttons: the workbook and the CSV hold what the page shows.
//!
//! The page shows net cost −1 271 593 tkr: the service's sum of the report's printed lines.
//! The tertial report prints −1 271 592, the sum of the unrounded figures; the test checks
//! the page shows exactly what the API answers, and that this is within 3 tkr of the print.

use crate::common;

use calamine::{Data, Reader, Xlsx};
use common::browser::{Browser, chromium};
use common::{TestApp, for_each_backend};
use serde_json::Value;
use uppsikt::proto::v1 as pb;

/// Kronor as the page prints thousand kronor: rounded half away from zero, thin spaces,
/// a minus sign.
fn tkr(sek: i64) -> String {
    let rounded = (sek.abs() + 500) / 1000;
    let digits = rounded.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{2009}');
        }
        grouped.push(c);
    }
    if sek < 0 && rounded > 0 {
        format!("\u{2212}{grouped}")
    } else {
        grouped
    }
}

/// The cell texts of the row `selector` in the table `table`.
async fn row(browser: &mut Browser, table: &str, selector: &str) -> Vec<String> {
    let target = format!("#{table} tbody tr{selector}");
    let script = format!(
        "Array.from(document.querySelector({target:?})?.cells || []).map(c => c.textContent)"
    );
    let value = browser.eval(&script).await;
    let cells: Vec<String> = serde_json::from_value(value).expect("cells");
    assert!(!cells.is_empty(), "no row {selector} in #{table}");
    cells
}

/// Opens the page for `query` and waits until it has rendered that query.
async fn open(browser: &mut Browser, app: &TestApp, query: &str) {
    browser
        .goto(&format!("http://{}/?{query}", app.address))
        .await;
    wait_ready(browser, query).await;
}

async fn wait_ready(browser: &mut Browser, query: &str) {
    browser
        .wait_for(&format!(
            "document.querySelector('#result')?.dataset.ready === {query:?}"
        ))
        .await;
}

async fn text(browser: &mut Browser, selector: &str) -> String {
    let value = browser
        .eval(&format!(
            "document.querySelector({selector:?})?.innerText || ''"
        ))
        .await;
    value.as_str().unwrap_or_default().to_owned()
}

async fn summarize(
    app: &TestApp,
    unit: &str,
    year: i32,
    to: i32,
    group: pb::SummaryGrouping,
) -> pb::SummarizeBudgetResponse {
    app.budget()
        .summarize_budget(pb::SummarizeBudgetRequest {
            org_unit: format!("orgUnits/{unit}"),
            fiscal_year: year,
            from_month: 1,
            to_month: to,
            group_by: group as i32,
            ..Default::default()
        })
        .await
        .expect("summary")
        .into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explorer_shows_figures_forecast_and_what_the_data_does_not_cover() {
    let Some(path) = chromium() else { return };
    let browser = tokio::sync::Mutex::new(Browser::launch(&path).await);
    for_each_backend(true, async |app: &TestApp| {
        let mut browser = browser.lock().await;
        let browser = &mut *browser;
        let label = app.label;
        let summary = summarize(app, "HSN", 2025, 4, pb::SummaryGrouping::Category).await;
        let net = summary
            .totals
            .as_ref()
            .and_then(|t| t.net_cost.clone())
            .expect("net cost");
        let actual = net.actual_sek.expect("actual");
        common::assert_close("net cost actual", Some(actual), -1_271_592, 3);

        open(browser, app, "unit=HSN&year=2025&from=1&to=4").await;
        let cells = row(browser, "summary", "[data-row=net_cost]").await;
        assert_eq!(cells[0], "Verksamhetens nettokostnader", "{label}");
        assert_eq!(cells[1], tkr(actual), "{label}: actual");
        assert_eq!(cells[1], "\u{2212}1\u{2009}271\u{2009}593", "{label}");
        assert_eq!(
            cells[2],
            tkr(net.budget_sek.expect("budget")),
            "{label}: budget"
        );
        assert_eq!(
            cells[3],
            tkr(net.deviation_sek.expect("deviation")),
            "{label}"
        );
        let income = row(browser, "summary", "[data-row=income]").await;
        assert_eq!(income[1], "544\u{2009}840", "{label}: income actual");
        let personnel = row(
            browser,
            "summary",
            "[data-row='categories/PERSONALKOSTNADER']",
        )
        .await;
        assert_eq!(personnel[1], "\u{2212}965\u{2009}403", "{label}");
        assert_eq!(
            text(browser, "#title").await,
            "Hälso- och sjukvårdsnämnden, jan–apr 2025"
        );
        // The chart: an actual and a budget bar per top-level category with span figures.
        let group = &summary.groups[0];
        let top_level = group
            .categories
            .iter()
            .filter(|c| c.parent.is_empty())
            .filter(|c| {
                let f = c.figures.as_ref().expect("figures");
                f.actual_sek.is_some()
                    || f.budget_sek.is_some()
                    || f.prior_year_actual_sek.is_some()
            })
            .count();
        let bars = browser
            .eval("document.querySelectorAll('#chart rect').length")
            .await;
        assert_eq!(bars, Value::from(2 * top_level), "{label}: bars");
        // The full-year forecast where the data has one: the net cost's, from the API.
        let forecast = group
            .categories
            .iter()
            .find(|c| c.category == "categories/NETTOKOSTNAD")
            .and_then(|c| c.figures.clone())
            .expect("a full-year net cost");
        let shown = row(browser, "forecast", "[data-row='categories/NETTOKOSTNAD']").await;
        assert_eq!(
            shown[1],
            tkr(forecast.forecast_sek.expect("forecast")),
            "{label}"
        );
        assert_eq!(
            shown[2],
            tkr(forecast.full_year_budget_sek.expect("full-year budget")),
            "{label}"
        );
        assert_eq!(
            shown[3],
            tkr(forecast.forecast_deviation_sek.expect("deviation")),
            "{label}"
        );
        assert_eq!(shown[3], "\u{2212}500\u{2009}000", "{label}");

        // The full year: the data covers Jan–Apr only, and the page does not pass Jan–Apr
        // off as the year.
        let year = summarize(app, "HSN", 2025, 12, pb::SummaryGrouping::Category).await;
        let uncovered: Vec<&str> = year.uncovered.iter().map(|u| u.figure.as_str()).collect();
        assert!(
            uncovered.contains(&"actual") && uncovered.contains(&"prior_year_actual"),
            "{label}: {uncovered:?}"
        );
        open(browser, app, "unit=HSN&year=2025&from=1&to=12").await;
        let cells = row(browser, "summary", "[data-row=net_cost]").await;
        assert_eq!(
            &cells[1..],
            ["–", "–", "–", "–", "–", "–"],
            "{label}: no figure of Jan–Apr as the year's"
        );
        let notice = text(browser, "[data-notice=uncovered]").await;
        assert!(
            notice.contains("inte hela perioden jan–dec 2025"),
            "{label}: {notice}"
        );
        assert!(
            notice.contains("utfall bara för jan–apr 2025"),
            "{label}: {notice}"
        );
        assert!(
            notice.contains("föregående års utfall bara för jan–apr 2024"),
            "{label}: {notice}"
        );
        browser.click("[data-notice=uncovered] button").await;
        wait_ready(browser, "unit=HSN&year=2025&from=1&to=4").await;
        let cells = row(browser, "summary", "[data-row=net_cost]").await;
        assert_eq!(
            cells[1],
            tkr(actual),
            "{label}: the covered span, one click away"
        );

        // A year without data: which spans there are, in Swedish.
        open(browser, app, "unit=HSN&year=2030&from=1&to=12").await;
        let notice = text(browser, "[data-notice=nodata]").await;
        assert!(
            notice
                .contains("Det finns inga uppgifter för Hälso- och sjukvårdsnämnden jan–dec 2030"),
            "{label}: {notice}"
        );
        assert!(notice.contains("jan–apr 2025"), "{label}: {notice}");

        // An unknown unit: a Swedish sentence, not the server's error text.
        browser
            .goto(&format!(
                "http://{}/?unit=NOPE&year=2025&from=1&to=4",
                app.address
            ))
            .await;
        let status = browser
            .wait_for("document.querySelector('#status.error')?.innerText")
            .await;
        assert!(
            status
                .as_str()
                .expect("text")
                .starts_with("Enheten NOPE finns inte"),
            "{label}: {status}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explorer_drills_into_child_units_and_downloads_what_it_shows() {
    let Some(path) = chromium() else { return };
    let browser = tokio::sync::Mutex::new(Browser::launch(&path).await);
    for_each_backend(true, async |app: &TestApp| {
        let mut browser = browser.lock().await;
        let browser = &mut *browser;
        let label = app.label;
        open(browser, app, "unit=RS&year=2023&from=1&to=12").await;
        // RS-RST's row: its net result, from the child-unit grouping.
        let children = summarize(app, "RS-RST", 2023, 12, pb::SummaryGrouping::ChildUnit).await;
        browser
            .click("#children tr[data-unit='orgUnits/RS-RST']")
            .await;
        wait_ready(browser, "unit=RS-RST&year=2023&from=1&to=12").await;
        let title = text(browser, "#title").await;
        assert!(title.ends_with("jan–dec 2023"), "{label}: {title}");
        assert!(
            text(browser, "#path").await.contains("Regionstyrelsen"),
            "{label}: the way back"
        );
        for group in &children.groups {
            let result = group
                .categories
                .iter()
                .find(|c| c.parent.is_empty())
                .and_then(|c| c.figures.clone())
                .expect("a figure per child");
            let cells = row(
                browser,
                "children",
                &format!("[data-unit='{}']", group.org_unit),
            )
            .await;
            assert_eq!(
                cells[2],
                tkr(result.actual_sek.expect("actual")),
                "{label}: {}",
                group.org_unit
            );
            assert_eq!(
                cells[4],
                tkr(result.deviation_sek.expect("deviation")),
                "{label}: {}",
                group.org_unit
            );
        }
        assert!(children.groups.len() >= 8, "{label}: RS-RST's departments");

        // Download the categories table as a workbook: the same figures as on the page.
        open(browser, app, "unit=HSN&year=2025&from=1&to=4").await;
        browser
            .click(".downloads[data-table=summary] button[data-format=xlsx]")
            .await;
        let path = browser.download().await;
        assert_eq!(
            path.file_name().expect("name"),
            "SummarizeBudget-HSN-2025-1-4.xlsx",
            "{label}"
        );
        let mut workbook: Xlsx<_> = calamine::open_workbook(&path).expect("an XLSX workbook");
        let sheet = workbook
            .worksheet_range("categories")
            .expect("categories sheet");
        let header: Vec<String> = sheet
            .rows()
            .next()
            .expect("header")
            .iter()
            .map(|c| c.to_string())
            .collect();
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("{name}"))
        };
        let (category, actual) = (column("category"), column("actual_sek"));
        let mut compared = 0;
        for row_cells in sheet.rows().skip(1) {
            let Data::String(key) = &row_cells[category] else {
                continue;
            };
            let Data::Float(value) = row_cells[actual] else {
                continue;
            };
            let shown = row(browser, "summary", &format!("[data-row='{key}']")).await;
            assert_eq!(shown[1], tkr(value as i64), "{label}: {key}");
            compared += 1;
        }
        assert!(compared >= 16, "{label}: {compared} categories compared");
        drop(workbook);
        // The next backend's download gets the same name.
        std::fs::remove_file(&path).expect("remove");

        // The CSV for Swedish Excel: a byte order mark, semicolons, decimal commas.
        browser
            .click(".downloads[data-table=summary] button[data-dialect=excel]")
            .await;
        let path = browser.download().await;
        let bytes = std::fs::read(&path).expect("CSV");
        std::fs::remove_file(&path).expect("remove");
        assert!(bytes.starts_with("\u{feff}section;".as_bytes()), "{label}");
        let text = String::from_utf8(bytes).expect("UTF-8");
        assert!(
            text.contains(";Personalkostnader;") && text.contains(";5,23;"),
            "{label}"
        );
    })
    .await;
}
