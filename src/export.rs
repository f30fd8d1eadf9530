//! `uppsikt export`: the data as it stood at an instant, written in the text format that
//! `uppsikt import` reads, so that export → import into an empty database reproduces every
//! figure. Definitions come first (parents before children), then facts; large tables are
//! read a page at a time.

use crate::domain::instant::Instant;
use crate::domain::provenance::{Provenance, Source};
use crate::import::record::Record;
use crate::import::text::{format_record, format_source};
use crate::store::entities::*;
use crate::store::facts::rows_at;
use crate::store::{Store, StoreError, budget, investment_rows, staffing_rows};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

/// Rows read per query.
const PAGE: u64 = 5000;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes the records and source lines, starting a new `source` line whenever the
/// provenance changes; counts records per kind.
struct Writer<W: Write> {
    out: W,
    source: Option<Source>,
    counts: BTreeMap<&'static str, u64>,
}

impl<W: Write> Writer<W> {
    fn write(&mut self, record: &Record, provenance: &Provenance) -> std::io::Result<()> {
        let source = Source {
            document: provenance.document.clone(),
            table: provenance.table.clone(),
        };
        if self.source.as_ref() != Some(&source) {
            writeln!(self.out, "{}", format_source(&source))?;
            self.source = Some(source);
        }
        writeln!(self.out, "{}", format_record(record))?;
        *self
            .counts
            .entry(crate::import::text::record_kind(record))
            .or_default() += 1;
        Ok(())
    }
}

/// Orders definitions so that every parent precedes its children.
fn parents_first<T>(
    items: Vec<T>,
    code: impl Fn(&T) -> String,
    parent: impl Fn(&T) -> Option<String>,
) -> Vec<T> {
    let parents: HashMap<String, Option<String>> =
        items.iter().map(|i| (code(i), parent(i))).collect();
    let depth = |start: &str| {
        let mut depth = 0;
        let mut current = parents.get(start).cloned().flatten();
        while let Some(p) = current {
            depth += 1;
            if depth > parents.len() {
                break; // a cycle in bad data: stop rather than loop
            }
            current = parents.get(&p).cloned().flatten();
        }
        depth
    };
    let mut keyed: Vec<(usize, T)> = items.into_iter().map(|i| (depth(&code(&i)), i)).collect();
    keyed.sort_by_key(|(d, _)| *d);
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Walks a fact table page by page, writing each row as a record.
macro_rules! export_table {
    ($writer:expr, $store:expr, $as_of:expr, $entity:ident, $convert:expr) => {{
        let mut after = 0;
        loop {
            let rows = rows_at::<$entity::Entity>(
                $store.db(),
                [
                    $entity::Column::Id,
                    $entity::Column::RecordedAt,
                    $entity::Column::SupersededAt,
                ],
                $as_of,
                after,
                PAGE,
            )
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for row in rows {
                let (record, provenance) = $convert(row)?;
                $writer.write(&record, &provenance)?;
            }
        }
    }};
}

/// Writes everything current at `as_of` to `out`; returns the records written per kind.
pub async fn export(
    store: &Store,
    as_of: Instant,
    out: impl Write,
) -> Result<BTreeMap<&'static str, u64>, ExportError> {
    let mut writer = Writer {
        out,
        source: None,
        counts: BTreeMap::new(),
    };
    let no_source = || Source {
        document: String::new(),
        table: None,
    };
    writeln!(writer.out, "# Uppsikt export as of {}", as_of.to_rfc3339())?;

    let units = parents_first(
        store.placements(as_of).await?,
        |u| u.unit.code.to_string(),
        |u| u.unit.parent.as_ref().map(ToString::to_string),
    );
    for u in units {
        writer.write(&Record::OrgUnit(u.unit, no_source()), &u.provenance)?;
    }
    let categories = parents_first(
        budget::categories(store.db(), as_of).await?,
        |c| c.category.code.to_string(),
        |c| c.category.parent.as_ref().map(ToString::to_string),
    );
    for c in categories {
        writer.write(&Record::Category(c.category, no_source()), &c.provenance)?;
    }
    let mut groups = Vec::new();
    let mut after = 0;
    loop {
        let rows = rows_at::<profession_group::Entity>(
            store.db(),
            [
                profession_group::Column::Id,
                profession_group::Column::RecordedAt,
                profession_group::Column::SupersededAt,
            ],
            as_of,
            after,
            PAGE,
        )
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in rows {
            groups.push(staffing_rows::profession_group_from_row(row)?);
        }
    }
    let groups = parents_first(
        groups,
        |(g, _)| g.code.to_string(),
        |(g, _)| g.parent.as_ref().map(ToString::to_string),
    );
    for (g, provenance) in groups {
        writer.write(&Record::ProfessionGroup(g, no_source()), &provenance)?;
    }
    export_table!(writer, store, as_of, investment, |row| {
        investment_rows::investment_from_row(row)
            .map(|(v, p)| (Record::Investment(v, no_source()), p))
    });
    export_table!(writer, store, as_of, budget_line, |row| {
        budget::line_to_domain(row).map(|l| {
            let line = crate::domain::budget::BudgetLine {
                org_unit: l.org_unit,
                category: l.category,
                span: l.span,
                scenario: l.scenario,
                amount_sek: l.amount_sek,
            };
            (Record::BudgetLine(line, no_source()), l.provenance)
        })
    });
    export_table!(writer, store, as_of, investment_figure, |row| {
        investment_rows::figures_from_row(row)
            .map(|(v, p)| (Record::InvestmentFigures(v, no_source()), p))
    });
    export_table!(writer, store, as_of, headcount, |row| {
        staffing_rows::headcount_from_row(row).map(|(v, p)| (Record::Headcount(v, no_source()), p))
    });
    export_table!(writer, store, as_of, worked_hours, |row| {
        staffing_rows::worked_hours_from_row(row)
            .map(|(v, p)| (Record::WorkedHours(v, no_source()), p))
    });
    export_table!(writer, store, as_of, hired_staff, |row| {
        staffing_rows::hired_staff_from_row(row)
            .map(|(v, p)| (Record::HiredStaff(v, no_source()), p))
    });
    export_table!(writer, store, as_of, sick_leave, |row| {
        staffing_rows::sick_leave_from_row(row).map(|(v, p)| (Record::SickLeave(v, no_source()), p))
    });
    export_table!(writer, store, as_of, position, |row| {
        staffing_rows::position_from_row(row).map(|(v, p)| (Record::Position(v, no_source()), p))
    });
    writer.out.flush()?;
    Ok(writer.counts)
}
