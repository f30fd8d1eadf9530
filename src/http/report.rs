//! The report page (`/report?unit=…&year=…&from=…&to=…`): a tertial report's tables from the
//! API, static HTML and JavaScript modules carried in the binary like the explorer's, with a
//! print stylesheet for A4. The files are in `report/`; docs/report.md describes the page.

use super::explorer::Asset;

const HTML: &str = "text/html; charset=utf-8";
const SCRIPT: &str = "text/javascript; charset=utf-8";

/// The file of the page served at `path`, if any.
pub fn asset(path: &str) -> Option<Asset> {
    let (content, content_type) = match path {
        "/report" | "/report/" => (include_str!("report/index.html"), HTML),
        "/report/report.js" => (include_str!("report/report.js"), SCRIPT),
        "/report/api.js" => (include_str!("report/api.js"), SCRIPT),
        "/report/dom.js" => (include_str!("report/dom.js"), SCRIPT),
        "/report/format.js" => (include_str!("report/format.js"), SCRIPT),
        "/report/charts.js" => (include_str!("report/charts.js"), SCRIPT),
        "/report/goals.js" => (include_str!("report/goals.js"), SCRIPT),
        "/report/economy.js" => (include_str!("report/economy.js"), SCRIPT),
        "/report/staff.js" => (include_str!("report/staff.js"), SCRIPT),
        _ => return None,
    };
    Some(Asset {
        content: content.as_bytes(),
        content_type,
    })
}
