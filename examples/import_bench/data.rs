//! The generated ledger: 480 departments under 12 divisions, 5 years, 20 categories; actual
//! every month, budget by month for two categories in three and by tertial for the third
//! (1 008 000 budget lines by default). Written once as the record format (what `uppsikt
//! import` reads) and as CSV in the table's columns (what the database's bulk load reads),
//! the same rows in both.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub departments: usize,
    pub years: usize,
    pub categories: usize,
}

impl Shape {
    pub const DIVISIONS: usize = 12;
    pub const FIRST_YEAR: usize = 2021;

    /// Actual: 12 a year; budget: 12 a year, or 3 (tertials) for every third category.
    pub fn lines(&self) -> usize {
        let per_category = |c: usize| 12 + if c % 3 == 2 { 3 } else { 12 };
        self.departments * self.years * (0..self.categories).map(per_category).sum::<usize>()
    }

    fn key(&self) -> String {
        format!("d{}-y{}-c{}", self.departments, self.years, self.categories)
    }
}

/// One line's columns: unit, category, year, from, to, scenario, amount.
pub struct Line {
    pub unit: String,
    pub category: String,
    pub year: usize,
    pub from: u8,
    pub to: u8,
    pub scenario: &'static str,
    pub amount: i64,
}

/// Every line of `shape`, in the order a ledger export would give them: unit by unit.
pub fn lines(shape: Shape) -> impl Iterator<Item = Line> {
    let mut n: i64 = 0;
    (0..shape.departments)
        .flat_map(move |d| {
            (0..shape.years).flat_map(move |y| {
                (0..shape.categories).flat_map(move |c| {
                    let tertial = c % 3 == 2;
                    let actual = (1..=12u8).map(|m| (m, m, "actual"));
                    let budget: Vec<(u8, u8, &'static str)> = if tertial {
                        vec![(1, 4, "budget"), (5, 8, "budget"), (9, 12, "budget")]
                    } else {
                        (1..=12u8).map(|m| (m, m, "budget")).collect()
                    };
                    actual.chain(budget).map(move |(from, to, scenario)| Line {
                        unit: format!("AVD-{d:03}"),
                        category: format!("KAT_{c:02}"),
                        year: Shape::FIRST_YEAR + y,
                        from,
                        to,
                        scenario,
                        amount: 0,
                    })
                })
            })
        })
        .map(move |mut line| {
            n += 1;
            line.amount = -((n * 7919) % 9_999_991) - 1;
            line
        })
}

/// The files of one shape, under `dir`: definitions, the lines as records, the lines as CSV.
pub struct Files {
    pub definitions: PathBuf,
    pub records: PathBuf,
    pub csv: PathBuf,
}

/// Writes the files unless they exist already (keyed by the shape).
pub fn write(dir: &Path, shape: Shape) -> anyhow::Result<Files> {
    let dir = dir.join(shape.key());
    std::fs::create_dir_all(&dir)?;
    let files = Files {
        definitions: dir.join("definitions.txt"),
        records: dir.join("lines.txt"),
        csv: dir.join("lines.csv"),
    };
    if files.csv.exists() && files.records.exists() && files.definitions.exists() {
        return Ok(files);
    }
    let mut out = BufWriter::new(std::fs::File::create(&files.definitions)?);
    writeln!(out, "source document=\"import_bench: the region\"")?;
    writeln!(
        out,
        "org_unit code=REGION name=Regionen kind=region valid_from=2000-01-01"
    )?;
    for v in 0..Shape::DIVISIONS {
        writeln!(
            out,
            "org_unit code=DIV-{v:02} name=\"Division {v}\" kind=division parent=REGION valid_from=2000-01-01"
        )?;
    }
    for d in 0..shape.departments {
        writeln!(
            out,
            "org_unit code=AVD-{d:03} name=\"Avdelning {d}\" kind=department parent=DIV-{:02} valid_from=2000-01-01",
            d % Shape::DIVISIONS
        )?;
    }
    for c in 0..shape.categories {
        writeln!(
            out,
            "category code=KAT_{c:02} name=\"Kategori {c}\" direction={} order={c}",
            if c < 4 { "income" } else { "cost" }
        )?;
    }
    out.flush()?;

    let mut records = BufWriter::new(std::fs::File::create(&files.records)?);
    let mut csv = BufWriter::new(std::fs::File::create(&files.csv)?);
    writeln!(records, "source document=\"import_bench: the ledger\"")?;
    for l in lines(shape) {
        writeln!(
            records,
            "budget_line org_unit={} category={} fiscal_year={} from_month={} to_month={} scenario={} amount_sek={}",
            l.unit, l.category, l.year, l.from, l.to, l.scenario, l.amount
        )?;
        writeln!(
            csv,
            "{},{},{},{},{},{},{}",
            l.unit, l.category, l.year, l.from, l.to, l.scenario, l.amount
        )?;
    }
    records.flush()?;
    csv.flush()?;
    Ok(files)
}
