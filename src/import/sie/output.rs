//! A read SIE file as budget-line records: one per (unit, category, month, scenario), each
//! with the file as its source document and the SIE record as its table.

use super::reader::SieReader;
use super::sums::Kind;
use super::{SieFile, encoding::Encoding};
use crate::domain::budget::BudgetLine;
use crate::domain::period::MonthSpan;
use crate::domain::provenance::Source;
use crate::domain::scenario::Scenario;
use crate::import::error::RecordViolation;
use crate::import::place::Place;
use crate::import::record::{Entry, Record};

impl SieReader {
    /// The budget lines of the whole file, or every problem found (at most 1 000), each
    /// naming its line and field.
    pub fn finish(mut self) -> Result<SieFile, Vec<RecordViolation>> {
        self.check_end()?;
        file(self)
    }
}

fn file(reader: SieReader) -> Result<SieFile, Vec<RecordViolation>> {
    let file = reader.file_name().to_owned();
    let encoding: Encoding = reader.encoding();
    let program = reader.program.as_ref().map(|(name, version)| {
        let name = reader.text(name);
        let version = reader.text(version);
        if version.is_empty() {
            name
        } else {
            format!("{name} {version}")
        }
    });
    let company = reader.company.as_ref().map(|c| reader.text(c));
    let generated = reader.generated;
    let (sums, stats, negate) = reader.parts();
    let lines = sums.into_lines(negate).map_err(|line| {
        vec![RecordViolation {
            position: line,
            location: Some(format!("{file}:{line}")),
            field: "saldo".to_owned(),
            description: "the sum of the budget line is beyond what a 64-bit amount holds"
                .to_owned(),
        }]
    })?;
    let entries = lines
        .into_iter()
        .enumerate()
        .map(|(position, line)| {
            let (scenario, table) = match line.kind {
                Kind::Actual => (Scenario::Actual, "#PSALDO"),
                Kind::Budget => (Scenario::Budget, "#PBUDGET"),
            };
            let (fiscal_year, month) = line.month;
            Entry {
                place: Place {
                    position,
                    location: Some(format!("{file}:{}", line.first_line)),
                },
                record: Record::BudgetLine(
                    BudgetLine {
                        org_unit: line.unit,
                        category: line.category,
                        span: MonthSpan {
                            fiscal_year,
                            from: month,
                            to: month,
                        },
                        scenario,
                        amount_sek: line.amount_sek,
                    },
                    Source {
                        document: file.clone(),
                        table: Some(table.to_owned()),
                    },
                ),
            }
        })
        .collect();
    Ok(SieFile {
        lines: entries,
        program,
        generated,
        company,
        encoding,
        stats,
    })
}
