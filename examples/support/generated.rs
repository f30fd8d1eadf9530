//! Generated budget lines for the benchmarks: units, categories and lines enough for any
//! count, the same for every run.

use futures::stream::{self, StreamExt};
use uppsikt::domain::budget::BudgetLine;
use uppsikt::domain::codes::{CategoryCode, OrgUnitCode};
use uppsikt::domain::period::MonthSpan;
use uppsikt::domain::provenance::Source;
use uppsikt::domain::scenario::Scenario;
use uppsikt::import::place::Place;
use uppsikt::import::record::{Entry, Record};
use uppsikt::import::{ImportError, ImportRequest, run_import};
use uppsikt::store::Store;

const UNITS: usize = 200;
const CATEGORIES: usize = 25;
const SCENARIOS: [Scenario; 2] = [Scenario::Actual, Scenario::Budget];

/// The n-th generated line: unit → year → category → scenario → month, so that a batch
/// touches one or two units, as a real report per unit does.
pub fn line(n: usize) -> BudgetLine {
    let month = n % 12;
    let scenario = (n / 12) % 2;
    let category = (n / 24) % CATEGORIES;
    let year = (n / (24 * CATEGORIES)) % 20;
    let unit = n / (24 * CATEGORIES * 20);
    BudgetLine {
        org_unit: OrgUnitCode::from_stored(format!("U{unit:04}")),
        category: CategoryCode::from_stored(format!("C{category:02}")),
        span: MonthSpan {
            fiscal_year: 2000 + year as i32,
            from: month as u8 + 1,
            to: month as u8 + 1,
        },
        scenario: SCENARIOS[scenario],
        amount_sek: -((n as i64 * 7919) % 10_000_000) - 1,
    }
}

pub fn source() -> Source {
    Source {
        document: "bench".into(),
        table: Some("generated".into()),
    }
}

/// The units and categories the lines refer to, written first.
pub async fn definitions(store: &Store, lines: usize) {
    let units = lines.div_ceil(24 * CATEGORIES * 20).clamp(1, UNITS * 100);
    let mut text = String::from(
        "source document=bench\norg_unit code=ROOT name=Root kind=region valid_from=2000-01-01\n",
    );
    for u in 0..units {
        text.push_str(&format!(
            "org_unit code=U{u:04} name=U{u} kind=department parent=ROOT valid_from=2000-01-01\n"
        ));
    }
    for c in 0..CATEGORIES {
        text.push_str(&format!(
            "category code=C{c:02} name=C{c} direction=cost order={c}\n"
        ));
    }
    let text: &'static str = Box::leak(text.into_boxed_str());
    let files: &'static [(&str, &str)] = Box::leak(vec![("definitions", text)].into_boxed_slice());
    run_import(
        store,
        request(),
        uppsikt::import::files::text_entries(files),
        |_| {},
    )
    .await
    .expect("definitions");
}

fn request() -> ImportRequest {
    ImportRequest {
        document: "bench".into(),
        table: None,
        system: None,
        request_id: None,
        dry_run: false,
    }
}

/// Imports the first `lines` generated lines through the real write path.
pub async fn import(store: &Store, lines: usize) {
    let entries = stream::iter((0..lines).map(|n| {
        Ok::<_, ImportError>(Entry {
            place: Place {
                position: n,
                location: None,
            },
            record: Record::BudgetLine(line(n), source()),
        })
    }));
    let outcome = run_import(store, request(), entries.boxed(), |_| {})
        .await
        .expect("import");
    assert_eq!(outcome.counts["budget_line"].inserted, lines as u64);
}
