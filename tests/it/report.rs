//! The report page (`/report`) in a real browser, and printed to PDF: headless Chromium
//! renders HSN's first tertial 2025 and RS's year 2023 from the demo data (plus
//! tests/fixtures/report.txt for the tables the seeds do not print), and the tests read the
//! figures back from the DOM and from the PDF's text (pdftotext).
//!
//! Expected figures come from the seed reports (shared/seeds), not from the server: the
//! income statement's net cost is the sum of the lines the tertial report prints (which is
//! −1 271 593, one tkr from its printed total −1 271 592, a sum of unrounded figures).
//! The positions and the monthly sick leave are made up in the fixture, which shows the sums.

use crate::common::browser::{chromium, dump_dom};
use crate::common::{self, TestApp, for_each_backend, http_client};
use std::path::{Path, PathBuf};
use std::process::Command;

const GROUP: char = '\u{a0}';
const MINUS: char = '\u{2212}';

/// The income and cost lines of "Intäkter och kostnader" in hsn-tertial-april-2025 (tkr):
/// (Ack utfall, Ack budget).
const HSN_LINES: [(i64, i64); 16] = [
    (39_684, 47_517),
    (232_355, 217_999),
    (263_101, 249_934),
    (9_700, 8_846),
    (-965_403, -821_877),
    (-173_445, -143_993),
    (-5_540, -6_869),
    (-178_243, -174_961),
    (-78_557, 0),
    (-212_131, -222_465),
    (-97_303, -97_202),
    (-1_572, -1_889),
    (-22_129, -22_812),
    (-6_865, -6_508),
    (-63_017, -57_036),
    (-12_228, -11_485),
];

/// A whole number as the page prints it: spaced thousands, a real minus.
fn swedish(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    if value < 0 {
        out.push(MINUS);
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(GROUP);
        }
        out.push(c);
    }
    out
}

/// A printed decimal ("-13,8", "2 337") in the page's form: no-break spaces, a real minus.
fn printed(text: &str) -> String {
    text.replace(' ', &GROUP.to_string())
        .replace('-', &MINUS.to_string())
}

/// The text of a DOM fragment's cell: entities decoded.
fn decode(html: &str) -> String {
    html.replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The cell texts of the table row marked `data-row="{key}"`, entities decoded.
fn row_cells(dom: &str, key: &str) -> Vec<String> {
    crate::common::browser::row_cells(dom, key)
        .iter()
        .map(|cell| decode(cell))
        .collect()
}

/// The HTML of the block (a table with its heading, note, downloads and provenance) `key`.
fn block<'a>(dom: &'a str, key: &str) -> &'a str {
    let marker = format!("data-block=\"{key}\"");
    let start = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no block {key} in the page"));
    let rest = &dom[start..];
    let end = rest[1..].find("data-block=").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// pdftotext and pdfinfo (poppler-utils), or None: absent outside CI the PDF part is skipped.
fn poppler() -> Option<()> {
    let found = Command::new("pdftotext").arg("-v").output().is_ok()
        && Command::new("pdfinfo").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but pdftotext is missing: .ci/run installs poppler-utils"
        );
        eprintln!("SKIPPED the PDF checks: no pdftotext (install Debian's poppler-utils)");
    }
    found.then_some(())
}

fn pdf_pages(pdf: &Path) -> usize {
    let info = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"))
}

/// The PDF's text (of one page when given), with no-break spaces as the page prints them.
fn pdf_text(pdf: &Path, page: Option<usize>) -> String {
    let mut command = Command::new("pdftotext");
    if let Some(page) = page {
        command.args(["-f", &page.to_string(), "-l", &page.to_string()]);
    }
    let out = command.arg(pdf).arg("-").output().expect("pdftotext");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn no_browser() -> Option<PathBuf> {
    let browser = chromium();
    if browser.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium is missing: .ci/run installs it (apt-get install chromium)"
        );
        eprintln!("SKIPPED: no chromium (install Debian's `chromium`, or set UPPSIKT_CHROMIUM)");
    }
    browser
}

async fn dom_of(browser: &Path, url: String) -> String {
    let browser = browser.to_path_buf();
    let dom = tokio::task::spawn_blocking(move || dump_dom(&browser, &url))
        .await
        .expect("browser task");
    assert!(
        dom.contains("data-ready=\"true\""),
        "the page did not finish: {dom}"
    );
    dom
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_shows_hsn_tertial_2025_and_rs_2023_in_the_browser_and_as_pdf() {
    let Some(browser) = no_browser() else { return };
    let poppler = poppler();
    for_each_backend(true, async |app: &TestApp| {
        common::load_fixture(app, "report.txt").await;
        let base = format!("http://{}", app.address);
        let url = format!("{base}/report?unit=HSN&year=2025&from=1&to=4");
        let dom = dom_of(&browser, url.clone()).await;
        let label = app.label;

        // Ekonomi: the net cost, the sum of the printed lines, within 3 tkr of the print.
        let actual: i64 = HSN_LINES.iter().map(|l| l.0).sum();
        let budget: i64 = HSN_LINES.iter().map(|l| l.1).sum();
        assert!((actual - -1_271_592).abs() <= 3 && (budget - -1_042_799).abs() <= 3);
        let net = row_cells(&dom, "net_cost");
        assert_eq!(net[0], "Summa verksamhetens nettokostnader", "{label}");
        assert_eq!(net[1], swedish(actual), "{label}: net cost");
        assert_eq!(net[1], "\u{2212}1\u{a0}271\u{a0}593", "{label}");
        assert_eq!(net[2], swedish(budget), "{label}: net budget");
        assert_eq!(net[3], swedish(actual - budget), "{label}: deviation");
        assert_eq!(
            row_cells(&dom, "categories/PERSONALKOSTNADER")[6],
            // Printed "5,2 %"; the API's two decimals are shown as they are.
            "5,23\u{a0}%"
        );
        // The chart of actual against budget: two bars per top-level category.
        let chart = block(&dom, "income-statement");
        assert_eq!(
            chart.matches("data-series=\"Utfall\"").count(),
            16,
            "{label}"
        );
        assert_eq!(
            chart.matches("data-series=\"Budget\"").count(),
            16,
            "{label}"
        );
        assert!(
            chart.contains("<p class=\"provenance\">Källor: ")
                && chart
                    .contains("hsn-tertial-april-2025, tabell ”Intäkter och kostnader” (import 1)"),
            "{label}: provenance"
        );
        // The download links work: the CSV of the summary holds the net cost.
        let csv_link = link(chart, "csv");
        assert!(csv_link.starts_with("/uppsikt.v1.BudgetService/SummarizeBudget?"));
        let answer = http_client::send(app.address, http::Method::GET, &csv_link, &[], "").await;
        assert_eq!(answer.status, 200, "{label}: {csv_link}");
        assert!(
            answer.text().contains(&(actual * 1000).to_string()),
            "{label}"
        );
        assert!(link(chart, "xlsx").ends_with("format=xlsx"));

        // The full-year forecast: "3.658 mkr … 500 mkr mer än den anslagna budgeten 3,158".
        let forecast = row_cells(&dom, "forecast:categories/NETTOKOSTNAD");
        assert_eq!(
            forecast[1..],
            [printed("-3 658,0"), printed("-3 158,0"), printed("-500,0")],
            "{label}"
        );

        // Personal: hired staff per profession and in total ("Bemanningsföretag", mkr and
        // hours): 2023, 2024, 2025, change, forecast, requested, filled, deviation.
        for (key, figures) in [
            (
                "LAKARE",
                [
                    "54,6", "60,9", "47,1", "-13,8", "98,0", "34 121", "31 784", "2 337",
                ],
            ),
            (
                "LAKARE_PRIMARVARD",
                [
                    "21,2", "19,6", "18,8", "-0,8", "51,2", "12 121", "12 529", "-408",
                ],
            ),
            (
                "SJUKSKOTERSKOR",
                [
                    "49,8", "51,1", "30,1", "-21,0", "63,8", "43 999", "43 068", "931",
                ],
            ),
            ("OVRIGA", ["1,7", "1,4", "1,3", "-0,1", "3,8", "", "", ""]),
        ] {
            let cells = row_cells(&dom, &format!("hired:professionGroups/{key}"));
            assert_hired(&cells, &figures, &format!("{label}: {key}"));
        }
        let total = row_cells(&dom, "hired-total");
        assert_eq!(total[0], "Totalt");
        assert_hired(
            &total,
            &[
                "106,1", "113,4", "78,5", "-34,9", "165,6", "78 120", "74 852", "3 268",
            ],
            label,
        );
        // The positions totals row (the fixture's made-up figures, summed there by hand).
        assert_eq!(
            row_cells(&dom, "positions-total"),
            [
                "Totalt", "295,00", "307,50", "281,75", "277,50", "10,50", "13,25", "25,75",
                "4,25", "15,25"
            ],
            "{label}"
        );
        // Måluppfyllelse: HSE 4,07 against "Minst 4,01", met.
        let hse = row_cells(&dom, "indicator:hsn-2025-hse");
        assert_eq!(hse[1..3], ["4,07", "Minst 4,01"], "{label}");
        assert_eq!(hse[4], "Uppfyllt", "{label}");
        assert_eq!(row_cells(&dom, "indicator-counts-total")[0], "Totalt");
        // What the demo lacks is named, not shown as an empty table.
        assert!(dom.contains("data-missing=\"worked-hours\""), "{label}");
        assert!(
            dom.contains("Utförd tid och årsarbetare per yrkesgrupp;"),
            "{label}"
        );

        // RS 2023: headcount 629 against 606, women 377 against 359, men 252 against 247.
        let rs = dom_of(
            &browser,
            format!("{base}/report?unit=RS&year=2023&from=1&to=12"),
        )
        .await;
        assert_eq!(
            row_cells(&rs, "headcount:monthly_salaried")[1..4],
            ["606", "629", "23"]
        );
        assert_eq!(
            row_cells(&rs, "headcount:monthly_salaried:women")[1..4],
            ["359", "377", "18"]
        );
        assert_eq!(
            row_cells(&rs, "headcount:monthly_salaried:men")[1..4],
            ["247", "252", "5"]
        );
        assert!(rs.contains("Årsredovisning 2023"), "{label}");

        // The same page printed to PDF, as `uppsikt report --pdf` prints it.
        if poppler.is_some() {
            let dir = tempfile::tempdir().expect("temp dir");
            let pdf = dir.path().join("hsn.pdf");
            let (b, u, p) = (browser.clone(), url.clone(), pdf.clone());
            tokio::task::spawn_blocking(move || uppsikt::print::print_pdf(&b, &u, &p))
                .await
                .expect("print task")
                .unwrap_or_else(|e| panic!("{label}: print: {e:#}"));
            check_pdf(&pdf, label, true);
        }
    })
    .await;
}

/// The href of the first link of `format` in a block.
fn link(block: &str, format: &str) -> String {
    let marker = format!("data-format=\"{format}\"");
    let at = block.find(&marker).expect("download link");
    let tag_start = block[..at].rfind("<a ").expect("link tag");
    let tag = &block[tag_start..];
    let href = &tag[tag.find("href=\"").expect("href") + 6..];
    decode(&href[..href.find('"').expect("href end")])
}

fn assert_hired(cells: &[String], figures: &[&str; 8], label: &str) {
    // Columns: name, 2023, 2024, 2025, change, change %, forecast, share, requested, filled,
    // deviation; the seed prints all but change % and share.
    let shown = [1, 2, 3, 4, 6, 8, 9, 10].map(|i| cells[i].clone());
    let expected = figures.map(printed);
    assert_eq!(shown, expected, "{label}: {cells:?}");
}

/// The PDF: every section on a page of its own, and the figures in its text.
/// `fixture`: the page includes tests/fixtures/report.txt's positions.
fn check_pdf(pdf: &Path, label: &str, fixture: bool) {
    let pages = pdf_pages(pdf);
    let text = pdf_text(pdf, None).replace('\u{202f}', "\u{a0}");
    assert!(
        (4..=20).contains(&pages),
        "{label}: {pages} pages (a cover, then three sections each from a new page)"
    );
    for figure in [
        "\u{2212}1\u{a0}271\u{a0}593",
        "\u{2212}1\u{a0}042\u{a0}801",
        "\u{2212}3\u{a0}658,0",
        "47,1",
        "165,6",
        "78\u{a0}120",
        "Minst 4,01",
    ]
    .into_iter()
    .chain(if fixture {
        vec!["281,75", "15,25"]
    } else {
        vec![]
    }) {
        let spaced = figure.replace('\u{a0}', " ");
        assert!(
            text.contains(figure) || text.contains(&spaced),
            "{label}: {figure:?} not in the PDF's text"
        );
    }
    assert!(text.contains("4,07"), "{label}: HSE");
    // Each section's heading opens a page.
    let mut opened = Vec::new();
    for page in 1..=pages {
        let first = pdf_text(pdf, Some(page))
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
            .to_owned();
        opened.push(first);
    }
    // A table that runs over a page break repeats its header row on the next page.
    assert!(
        opened
            .iter()
            .any(|l| l.starts_with("Uppdrag") || l.starts_with("Nyckeltal")),
        "{label}: no page opens with a repeated table header: {opened:?}"
    );
    for heading in ["1 Måluppfyllelse", "2 Ekonomi", "3 Personal"] {
        assert!(
            opened.iter().any(|l| l == heading),
            "{label}: no page opens with {heading}: {opened:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_of_a_unit_with_some_sections_renders_those_and_names_the_rest() {
    let Some(browser) = no_browser() else { return };
    for_each_backend(true, async |app: &TestApp| {
        common::load_fixture(app, "report.txt").await;
        let label = app.label;
        let base = format!("http://{}", app.address);
        // Department 604 in 2023: its net result against budget (rs-arsredovisning-2023,
        // "604 Kommunikationsavdelningen -13 520 -9 986 -3 534") and the fixture's sick leave
        // per month; no income statement, indicators, investments or other staffing.
        let dom = dom_of(
            &browser,
            format!("{base}/report?unit=RS-604&year=2023&from=1&to=12"),
        )
        .await;
        let net = row_cells(&dom, "categories/NETTORESULTAT");
        assert_eq!(
            net[1..4],
            [printed("-13 520"), printed("-9 986"), printed("-3 534")],
            "{label}"
        );
        let chart = block(&dom, "sick-leave-months");
        assert_eq!(
            chart.matches("data-month=").count(),
            12 + 3,
            "{label}: bars"
        );
        assert_eq!(
            row_cells(&dom, "sick-month:2")[1..],
            ["5,75\u{a0}%", "6,25\u{a0}%"]
        );
        // Twelve monthly rates lie inside the year: no rate for the year is shown (a rate is
        // never a sum of months), and the table says so; the months stay in the chart above.
        assert!(
            !dom.contains(
                "data-row=\"sick:SICK_LEAVE_GENDER_ALL:SICK_LEAVE_AGE_BAND_ALL:SICK_LEAVE_LENGTH_ALL\""
            ),
            "{label}: a rate for the year"
        );
        assert!(
            dom.contains("data-missing=\"sick-leave\""),
            "{label}: the year's rate is not named as missing"
        );
        for missing in [
            "income-statement",
            "indicator-counts",
            "assignments",
            "investments",
            "headcount",
            "worked-hours",
            "hired-staff",
            "positions",
        ] {
            assert!(
                dom.contains(&format!("data-missing=\"{missing}\"")),
                "{label}: {missing} is not named as missing"
            );
        }
        let named = dom.matches("<p class=\"missing\"").count();
        assert!(
            dom.contains(&format!("Saknas i data för perioden ({named}): ")),
            "{label}: the summary names the {named} missing tables"
        );
        assert!(
            dom.contains("data-table=\"net-items\""),
            "{label}: the net items render"
        );

        // A bad parameter is named.
        let bad = dump_dom(&browser, &format!("{base}/report?unit=HSN&year=20x5"));
        assert!(
            bad.contains("year: must be a whole number"),
            "{label}: {bad}"
        );
    })
    .await;
}

/// `uppsikt report --pdf` on a database file: without a browser it says so and writes
/// nothing; with one it starts a server, loads the demo (--demo) and writes the PDF.
#[test]
fn report_command_prints_a_pdf_or_says_there_is_no_browser() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = dir.path().join("out.pdf");
    let run = |browser: &Path| {
        Command::new(env!("CARGO_BIN_EXE_uppsikt"))
            .args([
                "report", "--demo", "--unit", "HSN", "--year", "2025", "--from", "1", "--to", "4",
            ])
            .arg("--database-url")
            .arg(format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("u.db").display()
            ))
            .arg("--pdf")
            .arg(&pdf)
            .env("UPPSIKT_CHROMIUM", browser)
            .output()
            .expect("run uppsikt")
    };
    let missing = run(Path::new("/nonexistent/chromium"));
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("no Chromium found (/nonexistent/chromium), so no PDF was written"),
        "{stderr}"
    );
    assert!(!pdf.exists());

    let Some(browser) = no_browser() else { return };
    let printed = run(&browser);
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    assert!(String::from_utf8_lossy(&printed.stdout).contains("wrote "));
    if poppler().is_some() {
        check_pdf(&pdf, "uppsikt report", false);
    }
}
