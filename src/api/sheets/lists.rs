//! The Lists whose rows are records, found in the descriptor set: a List's element message
//! `X` (its response's repeated message field) is the kind of `ImportRecord` whose message is
//! `XRecord` (or, for a plural name such as `InvestmentFigures`, `InvestmentFigureRecord`).
//! Lists of other things (the import log, the change feed) have no such kind and are not
//! read. The columns of a List are its element's, as the CSV export writes them.

use crate::http::sheet::columns::columns;
use crate::proto::POOL;
use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// The message every record kind is a field of.
pub const IMPORT_RECORD: &str = "uppsikt.v1.ImportRecord";

/// A List whose rows can be imported.
#[derive(Debug)]
pub struct SheetList {
    /// The RPC's path, e.g. `/uppsikt.v1.BudgetService/ListBudgetLines`.
    pub path: String,
    /// The RPC, e.g. `ListBudgetLines`.
    pub method: String,
    /// The response's field holding the rows, e.g. `budget_lines`.
    pub rows_field: String,
    /// The rows' message, e.g. `uppsikt.v1.BudgetLine`.
    pub element: MessageDescriptor,
    /// The `ImportRecord` field of the rows' record kind, e.g. `budget_line`.
    pub kind: FieldDescriptor,
    /// The columns of a row, as the export writes them.
    pub columns: Vec<String>,
}

/// Every API List (its path, name, rows field and element), importable or not.
pub fn all_lists() -> Vec<(String, String, String, MessageDescriptor)> {
    let mut lists = Vec::new();
    for service in POOL.services() {
        if !service.full_name().starts_with("uppsikt.") {
            continue;
        }
        for method in service.methods() {
            if !method.name().starts_with("List") {
                continue;
            }
            let rows = method
                .output()
                .fields()
                .find(|f| f.is_list() && matches!(f.kind(), Kind::Message(_)));
            if let Some(rows) = rows
                && let Kind::Message(element) = rows.kind()
            {
                let path = format!("/{}/{}", service.full_name(), method.name());
                lists.push((
                    path,
                    method.name().to_owned(),
                    rows.name().to_owned(),
                    element,
                ));
            }
        }
    }
    lists
}

/// The `ImportRecord` field whose kind holds messages like `element`, if any.
pub fn record_kind(element: &MessageDescriptor) -> Option<FieldDescriptor> {
    let outer = POOL.get_message_by_name(IMPORT_RECORD)?;
    let name = element.full_name();
    let candidates = [
        format!("{name}Record"),
        format!("{}Record", name.strip_suffix('s').unwrap_or(name)),
    ];
    outer.oneofs().find(|o| o.name() == "kind")?.fields().find(|field| {
        matches!(field.kind(), Kind::Message(m) if candidates.iter().any(|c| c == m.full_name()))
    })
}

/// The importable Lists, in the descriptor set's order.
pub static LISTS: LazyLock<Vec<SheetList>> = LazyLock::new(|| {
    all_lists()
        .into_iter()
        .filter_map(|(path, method, rows_field, element)| {
            let kind = record_kind(&element)?;
            Some(SheetList {
                path,
                method,
                rows_field,
                columns: columns(&element),
                element,
                kind,
            })
        })
        .collect()
});

/// The collections of the API's resource names (`orgUnits`, `categories`, …): the element
/// messages with a `name` field, in lower camel case and plural (AIP-122).
pub static COLLECTIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    all_lists()
        .into_iter()
        .filter(|(_, _, _, element)| element.get_field_by_name("name").is_some())
        .map(|(_, _, _, element)| {
            let mut name = element.name().to_owned();
            if let Some(first) = name.get(..1) {
                name.replace_range(..1, &first.to_ascii_lowercase());
            }
            match name.strip_suffix('y') {
                Some(stem) => format!("{stem}ies"),
                None => format!("{name}s"),
            }
        })
        .collect()
});

/// The List a sheet holds: the one named (by its RPC, rows field or element, e.g.
/// `ListBudgetLines`, `budget_lines`, `BudgetLine`), else the one whose columns are exactly
/// the header's. `Err` says why none fits.
pub fn find(sheet_name: Option<&str>, header: &[String]) -> Result<&'static SheetList, String> {
    let named = sheet_name.and_then(|name| {
        LISTS
            .iter()
            .find(|l| l.method == name || l.rows_field == name || l.element.name() == name)
    });
    let given: BTreeSet<&str> = header.iter().map(String::as_str).collect();
    if given.len() != header.len() {
        return Err("a column is repeated in the header".to_owned());
    }
    let fits = |list: &SheetList| {
        list.columns.len() == header.len()
            && list.columns.iter().all(|c| given.contains(c.as_str()))
    };
    if let Some(list) = named {
        return if fits(list) {
            Ok(list)
        } else {
            Err(difference(list, &given))
        };
    }
    if let Some(list) = LISTS.iter().find(|l| fits(l)) {
        return Ok(list);
    }
    // The closest List, to say what is missing or extra.
    let closest = LISTS.iter().max_by_key(|l| {
        let shared = l
            .columns
            .iter()
            .filter(|c| given.contains(c.as_str()))
            .count() as i64;
        2 * shared - l.columns.len() as i64
    });
    Err(match closest {
        Some(list) => difference(list, &given),
        None => "no List's rows can be imported".to_owned(),
    })
}

/// What keeps `header` from being `list`'s columns.
fn difference(list: &SheetList, given: &BTreeSet<&str>) -> String {
    let missing: Vec<&str> = list
        .columns
        .iter()
        .map(String::as_str)
        .filter(|c| !given.contains(c))
        .collect();
    let expected: BTreeSet<&str> = list.columns.iter().map(String::as_str).collect();
    let extra: Vec<&str> = given
        .iter()
        .copied()
        .filter(|c| !expected.contains(c))
        .collect();
    format!(
        "the header is not the columns of {} (?format=csv of it): missing {}; not its columns: {}",
        list.method,
        if missing.is_empty() {
            "none".to_owned()
        } else {
            missing.join(", ")
        },
        if extra.is_empty() {
            "none".to_owned()
        } else {
            extra.join(", ")
        },
    )
}
