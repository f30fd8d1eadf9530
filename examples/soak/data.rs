//! The soak's data: the demo set the server loads, a generated division beside it for volume,
//! and the import every round sends, which supersedes the previous round's lines.

use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::import_record::Kind;

/// Departments of the generated division `SOAK` (under the demo's region root).
pub const DEPARTMENTS: usize = 200;
/// The years of the generated lines: before the demo's own (2022–2026), so nothing overlaps.
pub const YEARS: [i32; 2] = [2020, 2021];
/// Months × scenarios of one unit, category and year.
const PER_YEAR: usize = 24;

fn record(kind: Kind) -> pb::ImportRequest {
    pb::ImportRequest {
        content: Some(pb::import_request::Content::Record(pb::ImportRecord {
            kind: Some(kind),
            ..Default::default()
        })),
    }
}

fn header(document: String) -> pb::ImportRequest {
    pb::ImportRequest {
        content: Some(pb::import_request::Content::Header(pb::ImportHeader {
            source: Some(pb::ImportSource {
                document,
                ..Default::default()
            }),
            ..Default::default()
        })),
    }
}

fn unit(code: String, kind: pb::OrgUnitKind, parent: &str) -> pb::ImportRequest {
    record(Kind::OrgUnit(pb::OrgUnitRecord {
        name: code.clone(),
        code,
        kind: kind as i32,
        parent: parent.to_owned(),
        valid_from: "2020-01-01".to_owned(),
        valid_to: String::new(),
    }))
}

/// The n-th line of one year over the generated departments and `categories`: department →
/// category → scenario → month. `round` shifts the amounts, so that a round supersedes.
fn line(n: usize, year: i32, categories: &[String], round: usize) -> pb::ImportRequest {
    let month = n % 12;
    let scenario = (n / 12) % 2;
    let category = (n / PER_YEAR) % categories.len();
    let department = n / (PER_YEAR * categories.len());
    record(Kind::BudgetLine(pb::BudgetLineRecord {
        org_unit: format!("SOAK-D{department:03}"),
        category: categories[category].clone(),
        fiscal_year: year,
        from_month: month as i32 + 1,
        to_month: month as i32 + 1,
        scenario: if scenario == 0 {
            pb::Scenario::Actual
        } else {
            pb::Scenario::Budget
        } as i32,
        amount_sek: -((n as i64 * 7919 + round as i64 * 104_729) % 10_000_000) - 1,
    }))
}

/// Lines of one year over every generated department and category.
pub fn lines_per_year(categories: &[String]) -> usize {
    DEPARTMENTS * categories.len() * PER_YEAR
}

/// The division, its departments and every line of `YEARS`, as one import.
pub fn base(categories: &[String]) -> Vec<pb::ImportRequest> {
    let mut messages = vec![
        header("soak-base".to_owned()),
        unit("SOAK".to_owned(), pb::OrgUnitKind::Division, "RJH"),
    ];
    messages.extend(
        (0..DEPARTMENTS)
            .map(|d| unit(format!("SOAK-D{d:03}"), pb::OrgUnitKind::Department, "SOAK")),
    );
    for year in YEARS {
        messages.extend((0..lines_per_year(categories)).map(|n| line(n, year, categories, 0)));
    }
    messages
}

/// Round `round`'s import: the first `lines` lines of the last year, with new amounts.
pub fn round(categories: &[String], round: usize, lines: usize) -> Vec<pb::ImportRequest> {
    let year = YEARS[YEARS.len() - 1];
    let lines = lines.min(lines_per_year(categories));
    std::iter::once(header(format!("soak-round-{round}")))
        .chain((0..lines).map(|n| line(n, year, categories, round)))
        .collect()
}
