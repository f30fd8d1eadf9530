//! The explorer page in a real browser: headless Chromium opens it against a server with the
//! demo data, preselecting HSN, 2025, Jan–Apr by URL; the page calls SummarizeBudget through
//! the Connect JSON form and renders the table this test reads from the dumped DOM.
//!
//! The page shows net cost −1 271 593 tkr: the service's sum of the report's printed lines.
//! The tertial report prints −1 271 592, the sum of the unrounded figures; the test checks
//! the page shows exactly what the API answers, and that this is within 3 tkr of the print.

use crate::common;

use common::{TestApp, for_each_backend};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use uppsikt::proto::v1 as pb;

/// The browser: `UPPSIKT_CHROMIUM`, else Debian's `chromium`.
pub(crate) fn chromium() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("UPPSIKT_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

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

/// The page's DOM after its scripts ran, as Chromium dumps it.
pub(crate) fn dump_dom(browser: &PathBuf, url: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("dom.html");
    let mut child = Command::new(browser)
        .args(uppsikt::print::HEADLESS_FLAGS)
        .arg("--virtual-time-budget=10000")
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(url)
        .stdout(std::fs::File::create(&out).expect("output file"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "chromium exited with {status}");
            break;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(out).expect("dumped DOM")
}

/// The cell texts of the table row marked `data-row="{key}"`.
pub(crate) fn row_cells(dom: &str, key: &str) -> Vec<String> {
    let marker = format!("data-row=\"{key}\"");
    let start = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no row {key} in the page:\n{dom}"));
    let row = &dom[start..start + dom[start..].find("</tr>").expect("row end")];
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let text = &cell[cell.find('>').expect("tag end") + 1..];
            text[..text.find("</td>").expect("cell end")].to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explorer_page_shows_hsn_net_cost_jan_apr_2025() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium is missing: .ci/run installs it (apt-get install chromium)"
        );
        eprintln!("SKIPPED: no chromium (install Debian's `chromium`, or set UPPSIKT_CHROMIUM)");
        return;
    };
    for_each_backend(true, async |app: &TestApp| {
        let summary = app
            .budget()
            .summarize_budget(pb::SummarizeBudgetRequest {
                org_unit: "orgUnits/HSN".into(),
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
                ..Default::default()
            })
            .await
            .expect("summary")
            .into_inner();
        let net = summary
            .totals
            .as_ref()
            .and_then(|t| t.net_cost.clone())
            .expect("net cost");
        let actual = net.actual_sek.expect("actual");
        common::assert_close("net cost actual", Some(actual), -1_271_592, 3);

        let url = format!("http://{}/?unit=HSN&year=2025&from=1&to=4", app.address);
        let browser = browser.clone();
        let dom = tokio::task::spawn_blocking(move || dump_dom(&browser, &url))
            .await
            .expect("browser task");

        let cells = row_cells(&dom, "net_cost");
        assert_eq!(cells[0], "Verksamhetens nettokostnader", "{}", app.label);
        assert_eq!(cells[1], tkr(actual), "{}: actual", app.label);
        assert_eq!(cells[1], "\u{2212}1\u{2009}271\u{2009}593", "{}", app.label);
        assert_eq!(
            cells[2],
            tkr(net.budget_sek.expect("budget")),
            "{}: budget",
            app.label
        );
        assert_eq!(
            cells[3],
            tkr(net.deviation_sek.expect("deviation")),
            "{}",
            app.label
        );
        let income = row_cells(&dom, "income");
        assert_eq!(income[1], "544\u{2009}840", "{}: income actual", app.label);
        let personnel = row_cells(&dom, "categories/PERSONALKOSTNADER");
        assert_eq!(personnel[1], "\u{2212}965\u{2009}403", "{}", app.label);
        // The chart: an actual and a budget bar per top-level category.
        // Rows holding only the full-year forecast have no bar.
        let top_level = summary.groups[0]
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
        assert_eq!(
            dom.matches("<rect").count(),
            2 * top_level,
            "{}: bars",
            app.label
        );
        assert!(
            dom.contains("Hälso- och sjukvårdsnämnden, jan–apr 2025"),
            "{}",
            app.label
        );
    })
    .await;
}
