//! A table: a name, typed columns, and rows of cells placed under them. The one shape both
//! writers (CSV, XLSX) take.

use super::cell::{Cell, ColumnKind};
use super::record::Named;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

#[derive(Debug, Clone)]
pub struct Table {
    /// The table's name: the CSV's `table` parameter and the XLSX sheet.
    pub name: String,
    pub columns: Vec<Column>,
    index: HashMap<String, usize>,
}

/// One row, a cell per column.
pub type Row = Vec<Cell>;

impl Table {
    /// A table with the columns of `cells` in order of first appearance.
    pub fn new(name: impl Into<String>, cells: impl IntoIterator<Item = Named>) -> Self {
        let mut table = Self {
            name: name.into(),
            columns: Vec::new(),
            index: HashMap::new(),
        };
        for named in cells {
            table.add(named.name, named.kind);
        }
        table
    }

    fn add(&mut self, name: String, kind: ColumnKind) {
        if !self.index.contains_key(&name) {
            self.index.insert(name.clone(), self.columns.len());
            self.columns.push(Column { name, kind });
        }
    }

    /// The row of `cells`, each under its column; a cell without a column is a bug in the
    /// header walk and is reported, not dropped silently.
    pub fn place(&self, cells: Vec<Named>) -> Row {
        let mut row = vec![Cell::Empty; self.columns.len()];
        for named in cells {
            match self.index.get(&named.name) {
                Some(&i) => row[i] = named.cell,
                None => {
                    tracing::error!(table = %self.name, column = %named.name, "a cell without a column")
                }
            }
        }
        row
    }
}
