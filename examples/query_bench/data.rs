//! The generated region: a tree region → 4 committees → 24 divisions → departments, income
//! and cost categories, and monthly actual and budget lines for every department, category
//! and year. Written through the real import path (`run_import`), so the rows are exactly
//! what an import of a region's follow-up data stores.

use futures::stream::{self, StreamExt};
use sea_orm::{ConnectionTrait, Database};
use std::path::{Path, PathBuf};
use std::time::Instant;
use uppsikt::domain::budget::BudgetLine;
use uppsikt::domain::codes::{CategoryCode, OrgUnitCode};
use uppsikt::domain::period::MonthSpan;
use uppsikt::domain::provenance::Source;
use uppsikt::domain::scenario::Scenario;
use uppsikt::import::place::Place;
use uppsikt::import::record::{Entry, Record};
use uppsikt::import::{ImportError, ImportRequest, run_import};
use uppsikt::store::Store;

/// Bump when the generated content changes, so that an old cached file is not reused.
const FORMAT: u32 = 2;
pub const REGION: &str = "RJH";
pub const COMMITTEES: [&str; 4] = ["HSN", "RS", "RUN", "KTN"];
const DIVISIONS_PER_COMMITTEE: usize = 6;
const SCENARIOS: [Scenario; 2] = [Scenario::Actual, Scenario::Budget];

/// What to generate; the cache file is keyed by these.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub departments: usize,
    pub categories: usize,
    pub years: usize,
    /// The years of staffing, investments and indicators: the last ones of `years`.
    pub fact_years: usize,
}

/// The scale: 480 departments, 20 categories, 5 years (1 152 000 lines); the other
/// facts for the last 2 years by default (5 with `--fact-years 5`), which keeps the default
/// run within minutes.
impl Default for Shape {
    fn default() -> Self {
        Self {
            departments: 480,
            categories: 20,
            years: 5,
            fact_years: 2,
        }
    }
}

impl Shape {
    pub const LAST_YEAR: i32 = 2025;

    pub fn first_year(&self) -> i32 {
        Self::LAST_YEAR + 1 - self.years as i32
    }

    pub fn lines(&self) -> usize {
        self.departments * self.categories * self.years * 12 * SCENARIOS.len()
    }

    fn income_categories(&self) -> usize {
        (self.categories / 5).max(1)
    }

    pub fn division(&self, d: usize) -> String {
        let committee = COMMITTEES[d / DIVISIONS_PER_COMMITTEE];
        format!("{committee}-D{}", d % DIVISIONS_PER_COMMITTEE + 1)
    }

    pub fn divisions(&self) -> usize {
        COMMITTEES.len() * DIVISIONS_PER_COMMITTEE
    }

    pub fn per_division(&self) -> usize {
        self.departments.div_ceil(self.divisions())
    }

    pub fn department(&self, i: usize) -> String {
        format!("K{:04}", 1000 + i)
    }

    pub fn departments(&self) -> Vec<String> {
        (0..self.departments).map(|i| self.department(i)).collect()
    }

    /// Every unit of the region, the region itself first: a whole-region subtree.
    pub fn region_subtree(&self) -> Vec<String> {
        let mut units = vec![REGION.to_owned()];
        units.extend(COMMITTEES.iter().map(|c| (*c).to_owned()));
        units.extend((0..self.divisions()).map(|d| self.division(d)));
        units.extend(self.departments());
        units
    }

    /// Division `d` and its departments.
    pub fn division_subtree(&self, d: usize) -> Vec<String> {
        let mut units = vec![self.division(d)];
        units.extend(
            (0..self.departments)
                .filter(|i| i / self.per_division() == d)
                .map(|i| self.department(i)),
        );
        units
    }

    fn category(&self, c: usize) -> (String, &'static str) {
        if c < self.income_categories() {
            (format!("INTAKT_{:02}", c + 1), "income")
        } else {
            (format!("KOSTNAD_{:02}", c + 1), "cost")
        }
    }

    /// The definitions in the record format: the tree and the categories.
    fn definitions(&self) -> String {
        let mut text = format!(
            "source document=query-bench table=definitions\n\
             org_unit code={REGION} name=\"Region (generated)\" kind=region valid_from=2000-01-01\n"
        );
        for c in COMMITTEES {
            text.push_str(&format!(
                "org_unit code={c} name=\"Nämnd {c}\" kind=committee parent={REGION} valid_from=2000-01-01\n"
            ));
        }
        for d in 0..self.divisions() {
            let committee = COMMITTEES[d / DIVISIONS_PER_COMMITTEE];
            let code = self.division(d);
            text.push_str(&format!(
                "org_unit code={code} name=\"Division {code}\" kind=division parent={committee} valid_from=2000-01-01\n"
            ));
        }
        for i in 0..self.departments {
            let code = self.department(i);
            let parent = self.division(i / self.per_division());
            text.push_str(&format!(
                "org_unit code={code} name=\"Avdelning {code}\" kind=department parent={parent} valid_from=2000-01-01\n"
            ));
        }
        for c in 0..self.categories {
            let (code, direction) = self.category(c);
            text.push_str(&format!(
                "category code={code} name=\"Kategori {}\" direction={direction} order={}\n",
                c + 1,
                (c + 1) * 10
            ));
        }
        text.push_str(&self.profession_definitions());
        text
    }

    /// The n-th line, in the order a report per unit brings them: department → year →
    /// category → scenario → month, so that an import batch touches one or two units.
    fn line(&self, n: usize) -> BudgetLine {
        let month = n % 12;
        let scenario = (n / 12) % SCENARIOS.len();
        let rest = n / (12 * SCENARIOS.len());
        let category = rest % self.categories;
        let year = (rest / self.categories) % self.years;
        let department = rest / (self.categories * self.years);
        let (code, direction) = self.category(category);
        // Deterministic amounts of a realistic size (tens of thousands to millions of
        // kronor a month), income positive and costs negative as printed.
        let base = 50_000 + ((department * 7919 + category * 104_729) % 2_000_000) as i64;
        let wobble = ((n * 2_654_435_761) % 20_001) as i64 - 10_000;
        let amount = base + wobble * 3;
        BudgetLine {
            org_unit: OrgUnitCode::from_stored(self.department(department)),
            category: CategoryCode::from_stored(code),
            span: MonthSpan {
                fiscal_year: self.first_year() + year as i32,
                from: month as u8 + 1,
                to: month as u8 + 1,
            },
            scenario: SCENARIOS[scenario],
            amount_sek: if direction == "income" {
                amount
            } else {
                -amount
            },
        }
    }
}

fn request(document: &str) -> ImportRequest {
    ImportRequest {
        document: document.into(),
        table: None,
        system: Some("query_bench".into()),
        request_id: None,
        dry_run: false,
    }
}

/// Writes the definitions and every line into the (empty, migrated) database at `url`.
pub async fn generate(url: &str, shape: Shape) -> anyhow::Result<()> {
    let store = Store::open(url).await?;
    let text: &'static str = Box::leak(shape.definitions().into_boxed_str());
    let files: &'static [(&str, &str)] = Box::leak(vec![("definitions", text)].into_boxed_slice());
    run_import(
        &store,
        request("query-bench definitions"),
        uppsikt::import::files::text_entries(files),
        |_| {},
    )
    .await?;

    let started = Instant::now();
    let source = Source {
        document: "query-bench".into(),
        table: Some("budget lines".into()),
    };
    let lines = shape.lines();
    let entries = stream::iter((0..lines).map(move |n| {
        Ok::<_, ImportError>(Entry {
            place: Place {
                position: n,
                location: None,
            },
            record: Record::BudgetLine(shape.line(n), source.clone()),
        })
    }));
    let last = std::cell::Cell::new(Instant::now());
    let outcome = run_import(&store, request("query-bench lines"), entries.boxed(), |n| {
        if last.get().elapsed().as_secs() >= 5 {
            eprintln!("  … {n} of {lines} lines");
            last.set(Instant::now());
        }
    })
    .await?;
    let inserted = outcome.counts.get("budget_line").map_or(0, |c| c.inserted);
    anyhow::ensure!(
        inserted == lines as u64,
        "generated {lines} lines but {inserted} were inserted"
    );
    eprintln!(
        "  {lines} lines imported in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    crate::facts::generate(&store, shape).await?;
    if store.backend() == uppsikt::store::Backend::Sqlite {
        // Fold the WAL into the file so that the cached file stands alone.
        store
            .db()
            .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    } else {
        // What autovacuum would have done by the time a region's data is read (it is off on
        // these machines): statistics, hint bits and the visibility map, so that the first
        // measurements do not pay for writing them.
        store.db().execute_unprepared("VACUUM ANALYZE").await?;
    }
    store.close().await?;
    Ok(())
}

/// The cached SQLite file for `shape` under `dir`, generated when missing. Generation
/// writes a `.partial` file and renames it when complete, so an interrupted run is never
/// mistaken for a finished one.
pub async fn sqlite_cached(dir: &Path, shape: Shape, regenerate: bool) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let name = format!(
        "bench-d{}-c{}-y{}-f{}-v{FORMAT}.db",
        shape.departments, shape.categories, shape.years, shape.fact_years
    );
    let path = dir.join(&name);
    if path.exists() && !regenerate {
        eprintln!("using the cached data {}", path.display());
        return Ok(path);
    }
    let partial = dir.join(format!("{name}.partial"));
    for file in [&path, &partial] {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
    eprintln!(
        "generating {} lines into {} (once; later runs reuse it)",
        shape.lines(),
        path.display()
    );
    generate(&format!("sqlite://{}?mode=rwc", partial.display()), shape).await?;
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

/// A fresh PostgreSQL database next to the one `admin_url` names, filled with `shape`;
/// returns its URL. `drop_postgres` removes it.
pub async fn postgres_fresh(admin_url: &str, name: &str, shape: Shape) -> anyhow::Result<String> {
    let url = crate::database::create(admin_url, name).await?;
    eprintln!("generating {} lines into PostgreSQL {name}", shape.lines());
    generate(&url, shape).await?;
    Ok(url)
}

pub async fn drop_postgres(admin_url: &str, name: &str) {
    if let Ok(admin) = Database::connect(admin_url).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
            .await;
        let _ = admin.close().await;
    }
}
