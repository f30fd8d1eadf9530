//! Budget lines: key (unit, category, year, scenario, span); spans of one series must not
//! overlap.

use super::{Change, Current, ImportContext, classify};
use crate::domain::category::Direction;
use crate::domain::codes::{CategoryCode, OrgUnitCode};
use crate::domain::period::MonthSpan;
use crate::domain::scenario::Scenario;
use crate::domain::validation::Violation;
use crate::import::record::{Entry, Record};
use crate::store::StoreError;
use crate::store::budget::{self as store, NewBudgetLine};
use sea_orm::DatabaseTransaction;
use std::collections::{BTreeSet, HashMap};

type Series = (OrgUnitCode, CategoryCode, i32, Scenario);

pub async fn apply(
    ctx: &mut ImportContext,
    txn: &DatabaseTransaction,
    entries: Vec<Entry>,
) -> Result<(), StoreError> {
    let lines: Vec<(&Entry, &NewBudgetLine)> = entries
        .iter()
        .filter_map(|e| match &e.record {
            Record::BudgetLine(line) => Some((e, line)),
            _ => None,
        })
        .collect();

    // The current spans of every series the batch touches, this import's earlier writes
    // included (they are visible inside the transaction).
    let units: BTreeSet<String> = lines.iter().map(|(_, l)| l.org_unit.to_string()).collect();
    let years: BTreeSet<i32> = lines.iter().map(|(_, l)| l.span.fiscal_year).collect();
    let units: Vec<String> = units.into_iter().collect();
    let years: Vec<i32> = years.into_iter().collect();
    let mut series: HashMap<Series, Vec<(MonthSpan, Current<i64>)>> = HashMap::new();
    for stored in store::current_lines_for(txn, &units, &years).await? {
        let key = (
            stored.org_unit,
            stored.category,
            stored.span.fiscal_year,
            stored.scenario,
        );
        series.entry(key).or_default().push((
            stored.span,
            Current {
                id: stored.id,
                value: stored.amount_sek,
                written_now: stored.provenance.recorded_at == ctx.meta.recorded_at,
            },
        ));
    }

    let mut inserts = Vec::new();
    let mut superseded = Vec::new();
    for (entry, line) in lines {
        let mut bad = false;
        if !ctx.knows_unit(&line.org_unit) {
            ctx.reject(
                entry,
                Violation::new("org_unit", format!("unknown org unit {}", line.org_unit)),
            );
            bad = true;
        }
        let direction = ctx.categories.get(&line.category).map(|c| c.direction);
        if direction.is_none() {
            ctx.reject(
                entry,
                Violation::new("category", format!("unknown category {}", line.category)),
            );
            bad = true;
        }
        if bad {
            continue;
        }
        let key = (
            line.org_unit.clone(),
            line.category.clone(),
            line.span.fiscal_year,
            line.scenario,
        );
        let spans = series.entry(key).or_default();
        let same = spans.iter().position(|(span, _)| *span == line.span);
        if let Some((other, _)) = spans
            .iter()
            .enumerate()
            .find(|(i, (span, _))| Some(*i) != same && span.overlaps(line.span))
            .map(|(_, s)| s)
        {
            ctx.reject(
                entry,
                Violation::new(
                    "from_month",
                    format!(
                        "months {}–{} overlap the stored span {}–{} of the same unit, category, year and scenario",
                        line.span.from, line.span.to, other.from, other.to
                    ),
                ),
            );
            continue;
        }
        let change = match classify(same.map(|i| &spans[i].1), &line.amount_sek) {
            Ok(change) => change,
            Err(violation) => {
                ctx.reject(entry, violation.with_field("from_month"));
                continue;
            }
        };
        let counts = ctx.outcome.count("budget_line");
        match change {
            Change::Unchanged => {
                counts.unchanged += 1;
                continue;
            }
            Change::Insert => counts.inserted += 1,
            Change::Supersede(id) => {
                counts.superseded += 1;
                superseded.push(id);
            }
        }
        let current = (
            line.span,
            Current {
                id: 0,
                value: line.amount_sek,
                written_now: true,
            },
        );
        match same {
            Some(i) => spans[i] = current,
            None => spans.push(current),
        }
        // Reported data is kept as reported; what merely looks odd is flagged.
        match direction {
            Some(Direction::Cost) if line.amount_sek > 0 => ctx.warn(
                entry,
                Violation::new(
                    "amount_sek",
                    "a cost with a positive amount (a reversal?) is stored as reported",
                ),
            ),
            Some(Direction::Income) if line.amount_sek < 0 => ctx.warn(
                entry,
                Violation::new(
                    "amount_sek",
                    "income with a negative amount is stored as reported",
                ),
            ),
            _ => {}
        }
        inserts.push(line.clone());
    }
    if ctx.writing() {
        store::supersede_lines(txn, &superseded, ctx.meta.recorded_at).await?;
        store::insert_lines(txn, &inserts, ctx.meta).await?;
    }
    Ok(())
}
