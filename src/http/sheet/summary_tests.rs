//! The Summarize tables, checked for every Summarize RPC of the descriptor set.

use super::*;
use crate::http::methods;
use crate::proto::v1 as pb;
use prost::Message;

fn summaries() -> Vec<&'static methods::Method> {
    let all: Vec<_> = methods::api()
        .filter(|m| m.name.starts_with("Summarize"))
        .collect();
    assert!(all.len() >= 4, "the Summarize RPCs are enumerated");
    all
}

#[test]
fn every_figure_column_is_filled_by_every_kind_of_row_in_its_table() {
    for method in summaries() {
        let layout = Layout::of(&method.output, &method.input);
        let header = walk(&method.output, &method.input, None);
        for (table, key) in layout.tables.iter().zip(&layout.keys) {
            let figures: Vec<&str> = table
                .columns
                .iter()
                .filter(|c| matches!(c.kind, ColumnKind::Money | ColumnKind::Decimal))
                .map(|c| c.name.as_str())
                .collect();
            for row in header.iter().filter(|r| &r.table == key) {
                for figure in &figures {
                    assert!(
                        row.cells.iter().any(|c| c.name == *figure),
                        "{}: table {}: rows of {} have no column {figure}",
                        method.name,
                        table.name,
                        row.section
                    );
                }
            }
        }
    }
}

#[test]
fn every_summary_has_uniquely_named_tables_and_one_column_per_name() {
    for method in summaries() {
        let layout = Layout::of(&method.output, &method.input);
        let mut names: Vec<&str> = layout.tables.iter().map(|t| t.name.as_str()).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "{}: {names:?}", method.name);
        for table in &layout.tables {
            assert_eq!(table.columns[0].name, "section", "{}", method.name);
            // No figure is under two names: a column's last segment is not a dotted
            // variant of another column of the table.
            for column in &table.columns {
                let dotted = format!(".{}", column.name);
                assert!(
                    !table.columns.iter().any(|c| c.name.ends_with(&dotted)
                        && c.name.split('.').count() == 2
                        && matches!(c.kind, ColumnKind::Money)),
                    "{}: {} twice in {}",
                    method.name,
                    column.name,
                    table.name
                );
            }
        }
    }
}

#[test]
fn budget_categories_and_totals_share_their_figure_columns() {
    let method = methods::find("/uppsikt.v1.BudgetService/SummarizeBudget").expect("RPC");
    let layout = Layout::of(&method.output, &method.input);
    let names: Vec<&str> = layout.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["categories", "inexact_spans", "uncovered", "sources"]
    );
    let answer = pb::SummarizeBudgetResponse {
        org_unit: "orgUnits/HSN".into(),
        groups: vec![pb::SummaryGroup {
            span: Some(pb::MonthSpan {
                fiscal_year: 2025,
                from_month: 1,
                to_month: 4,
            }),
            categories: vec![pb::CategoryFigures {
                category: "categories/PERSONALKOSTNADER".into(),
                figures: Some(pb::Figures {
                    actual_sek: Some(-965_403_000),
                    change_percent: "5.23".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        }],
        totals: Some(pb::StatementTotals {
            net_cost: Some(pb::Figures {
                actual_sek: Some(-1_271_593_000),
                ..Default::default()
            }),
            ..Default::default()
        }),
        exact: true,
        ..Default::default()
    };
    let message = DynamicMessage::decode(method.output.clone(), answer.encode_to_vec().as_slice())
        .expect("decodes");
    let rows = layout.rows(&method.output, &method.input, &message);
    let table = &layout.tables[0];
    let column = |name: &str| {
        table
            .columns
            .iter()
            .position(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name} in {:?}", table.columns))
    };
    let actual = column("actual_sek");
    assert_eq!(table.columns[actual].kind, ColumnKind::Money);
    assert_eq!(
        table.columns[column("change_percent")].kind,
        ColumnKind::Decimal
    );
    let cells: Vec<(&str, &Cell)> = rows
        .iter()
        .filter(|(t, _)| *t == 0)
        .map(|(_, row)| {
            let Cell::Text(section) = &row[0] else {
                panic!("section")
            };
            (section.as_str(), &row[actual])
        })
        .collect();
    assert_eq!(
        cells,
        [
            ("groups.categories", &Cell::Int(-965_403_000)),
            ("totals.net_cost", &Cell::Int(-1_271_593_000)),
        ]
    );
    let first = &rows[0].1;
    assert_eq!(first[column("span.from_month")], Cell::Int(1));
    assert_eq!(first[column("exact")], Cell::Bool(true));
    assert!(
        table
            .columns
            .iter()
            .all(|c| c.name != "org_unit" || c.kind == ColumnKind::Text)
    );
}

#[test]
fn staffing_tables_are_its_report_tables() {
    let method = methods::find("/uppsikt.v1.StaffingService/SummarizeStaffing").expect("RPC");
    let layout = Layout::of(&method.output, &method.input);
    let names: Vec<&str> = layout.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "worked_hours",
            "hired_staff",
            "headcounts",
            "sick_leave",
            "positions",
            "inexact_spans",
            "uncovered",
            "sources"
        ]
    );
    let hired = &layout.tables[1];
    let names: Vec<&str> = hired.columns.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"cost.value_sek"), "{names:?}");
    assert!(names.contains(&"org_unit"), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with("worked_hours")),
        "{names:?}"
    );
}
