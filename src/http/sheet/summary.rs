//! A Summarize answer as tidy tables, derived from its descriptor:
//! - every element of a repeated message field is a row (`groups.categories`), and so is
//!   each field of a message holding only messages (`totals.net_cost`) and a single message
//!   of a list's row type beside the list (`worked_hours_total`);
//! - a message that holds rows (a group) is not a row: its other fields are columns of its
//!   rows (`org_unit`, `span.from_month`);
//! - a row's one nested figure message is named by its fields' own names, so a category row
//!   (`figures.actual_sek`) and a total row (a bare Figures) share the column `actual_sek`;
//! - rows showing the same figures form one table (categories and totals; a staffing
//!   summary's worked hours, hired staff, … each their own), so a money column is never
//!   blank because the row is of another kind: blank means the figure is absent;
//! - the answer's own scalar fields that do not echo a request field (`exact`) are columns
//!   of every row; those that do (`org_unit`, the asked `span`) are left out.
//!
//! Every row has a `section` column naming where in the answer it came from.

use super::cell::{Cell, ColumnKind};
use super::record::{self, Named, Naming, is_key_message, nested_message, value_type};
use super::table::{Row, Table};
use crate::http::query::is_scalar_message;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, Value};

/// What a field of a message holding rows is.
enum Role {
    /// A repeated message field: each element is a row, or a group holding rows.
    Rows(MessageDescriptor),
    /// A single message holding rows: walked into.
    Nested(MessageDescriptor),
    /// A single message that is a row.
    Row(MessageDescriptor),
    /// A column of the rows inside.
    Context,
}

fn row_source(field: &FieldDescriptor) -> Option<MessageDescriptor> {
    match field.kind() {
        Kind::Message(m) if !field.is_map() && !is_scalar_message(&m) && !is_key_message(&m) => {
            Some(m)
        }
        _ => None,
    }
}

fn only_messages(message: &MessageDescriptor) -> bool {
    let mut fields = message.fields().peekable();
    fields.peek().is_some()
        && message
            .fields()
            .all(|f| !f.is_list() && row_source(&f).is_some())
}

/// A message that holds rows rather than being one.
pub fn is_container(message: &MessageDescriptor) -> bool {
    message
        .fields()
        .any(|f| f.is_list() && row_source(&f).is_some())
        || only_messages(message)
}

fn role(container: &MessageDescriptor, field: &FieldDescriptor) -> Role {
    let Some(message) = row_source(field) else {
        return Role::Context;
    };
    if field.is_list() {
        return Role::Rows(message);
    }
    if is_container(&message) {
        return Role::Nested(message);
    }
    if only_messages(container) {
        return Role::Row(message);
    }
    let beside_a_list = container
        .fields()
        .filter(|f| f.is_list())
        .filter_map(|f| row_source(&f))
        .any(|element| {
            !is_container(&element) && (element == message || value_type(&element) == message)
        });
    if beside_a_list {
        Role::Row(message)
    } else {
        Role::Context
    }
}

/// A row before it is placed in its table.
struct SectionRow {
    /// The full name of the figures type that decides the table.
    table: String,
    section: String,
    /// Whether it is an element of a repeated field (for the table's name).
    listed: bool,
    cells: Vec<Named>,
}

/// The cells a group gives its rows, with the section they came from.
type Context = Vec<(String, Named)>;

struct Walk<'a> {
    answer: &'a [Named],
    rows: Vec<SectionRow>,
}

impl Walk<'_> {
    fn walk(
        &mut self,
        container: &MessageDescriptor,
        message: Option<&DynamicMessage>,
        section: &str,
        context: &Context,
        depth: usize,
    ) {
        if depth >= record::MAX_DEPTH {
            return;
        }
        let mut context = context.clone();
        if !section.is_empty() {
            let own: Vec<FieldDescriptor> = container
                .fields()
                .filter(|f| matches!(role(container, f), Role::Context))
                .collect();
            let mut cells = Vec::new();
            record::fields(&own, message, &mut cells);
            for mut named in cells {
                if context.iter().any(|(_, c)| c.name == named.name) {
                    named.name = format!("{section}.{}", named.name);
                }
                context.push((section.to_owned(), named));
            }
        }
        for field in container.fields() {
            let path = join(section, field.name());
            let value = message
                .filter(|m| m.has_field(&field))
                .map(|m| m.get_field(&field));
            let inner = value.as_deref().and_then(Value::as_message);
            match role(container, &field) {
                Role::Context => {}
                Role::Rows(element) => {
                    let elements: Vec<Option<&DynamicMessage>> = match (message, value.as_deref()) {
                        (None, _) => vec![None],
                        (Some(_), Some(Value::List(items))) => {
                            items.iter().map(Value::as_message).collect()
                        }
                        (Some(_), _) => Vec::new(),
                    };
                    for element_message in elements {
                        if is_container(&element) {
                            self.walk(&element, element_message, &path, &context, depth + 1);
                        } else {
                            self.row(&element, element_message, &path, true, &context);
                        }
                    }
                }
                Role::Nested(nested) => {
                    if message.is_none() || inner.is_some() {
                        self.walk(&nested, inner, &path, &context, depth + 1);
                    }
                }
                Role::Row(row) => {
                    if message.is_none() || inner.is_some() {
                        self.row(&row, inner, &path, false, &context);
                    }
                }
            }
        }
    }

    fn row(
        &mut self,
        descriptor: &MessageDescriptor,
        message: Option<&DynamicMessage>,
        section: &str,
        listed: bool,
        context: &Context,
    ) {
        let mut own = Vec::new();
        record::record(descriptor, message, "", Naming::Value, 1, &mut own);
        let taken = |name: &str| own.iter().any(|n| n.name == name);
        let mut cells = vec![Named {
            name: "section".to_owned(),
            kind: ColumnKind::Text,
            cell: Cell::Text(section.to_owned()),
        }];
        for (from, named) in context {
            let mut named = named.clone();
            if taken(&named.name) {
                named.name = format!("{from}.{}", named.name);
            }
            cells.push(named);
        }
        let answer: Vec<Named> = self
            .answer
            .iter()
            .map(|a| {
                let mut a = a.clone();
                if taken(&a.name) || cells.iter().any(|c| c.name == a.name) {
                    a.name = format!("response.{}", a.name);
                }
                a
            })
            .collect();
        cells.extend(own);
        cells.extend(answer);
        self.rows.push(SectionRow {
            table: value_type(descriptor).full_name().to_owned(),
            section: section.to_owned(),
            listed,
            cells,
        });
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The answer's own columns: scalar fields that echo no request field.
fn answer_fields(output: &MessageDescriptor, input: &MessageDescriptor) -> Vec<FieldDescriptor> {
    output
        .fields()
        .filter(|f| matches!(role(output, f), Role::Context))
        .filter(|f| nested_message(f).is_none())
        .filter(|f| input.get_field_by_name(f.name()).is_none())
        .collect()
}

fn walk(
    output: &MessageDescriptor,
    input: &MessageDescriptor,
    message: Option<&DynamicMessage>,
) -> Vec<SectionRow> {
    let mut answer = Vec::new();
    record::fields(&answer_fields(output, input), message, &mut answer);
    let mut walk = Walk {
        answer: &answer,
        rows: Vec::new(),
    };
    walk.walk(output, message, "", &Context::new(), 0);
    walk.rows
}

/// The tables of a Summarize answer, in the order their rows first appear.
pub struct Layout {
    pub tables: Vec<Table>,
    /// Each table's figures type.
    keys: Vec<String>,
}

impl Layout {
    pub fn of(output: &MessageDescriptor, input: &MessageDescriptor) -> Self {
        let header = walk(output, input, None);
        let mut keys: Vec<String> = Vec::new();
        for row in &header {
            if !keys.contains(&row.table) {
                keys.push(row.table.clone());
            }
        }
        let tables = keys
            .iter()
            .map(|key| {
                let rows: Vec<&SectionRow> = header.iter().filter(|r| &r.table == key).collect();
                let cells = rows.iter().flat_map(|r| r.cells.iter().cloned());
                Table::new(table_name(key, &rows), cells)
            })
            .collect();
        Self { tables, keys }
    }

    /// The rows of `answer`, each with the index of its table.
    pub fn rows(
        &self,
        output: &MessageDescriptor,
        input: &MessageDescriptor,
        answer: &DynamicMessage,
    ) -> Vec<(usize, Row)> {
        walk(output, input, Some(answer))
            .into_iter()
            .filter_map(|row| {
                let index = self.keys.iter().position(|k| k == &row.table)?;
                Some((index, self.tables[index].place(row.cells)))
            })
            .collect()
    }
}

/// A table's name: the field name its listed rows share (`categories`, `worked_hours`), else
/// its figures type in snake case (`investment_sums`).
fn table_name(key: &str, rows: &[&SectionRow]) -> String {
    let last = |section: &str| section.rsplit('.').next().unwrap_or(section).to_owned();
    let listed: Vec<String> = rows
        .iter()
        .filter(|r| r.listed)
        .map(|r| last(&r.section))
        .collect();
    match listed.first() {
        Some(first) if listed.iter().all(|l| l == first) => first.clone(),
        Some(_) => snake_case(key.rsplit('.').next().unwrap_or(key)),
        None => rows.first().map(|r| last(&r.section)).unwrap_or_default(),
    }
}

/// `InvestmentSums` as `investment_sums`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
