//! One table (a CSV file or a sheet) of a List's rows: the header names the List, each row
//! becomes the List's element message (`columns::set`, the export's cells read back), then
//! Import records (`element`), then validated records exactly as the Import RPC reads them.

use super::element::{imported_columns, records};
use super::lists::{SheetList, find};
use crate::api::import_records::record_from_proto;
use crate::domain::provenance::Source;
use crate::http::sheet::columns::set;
use crate::import::error::RecordViolation;
use crate::import::place::Place;
use crate::import::record::Entry;
use crate::proto::v1 as pb;
use prost_reflect::DynamicMessage;

/// Reads the rows of one table.
pub struct TableReader {
    list: &'static SheetList,
    header: Vec<String>,
    /// `file` or `file#sheet`: locations are `{base}:{row}`.
    base: String,
    source: Source,
    position: usize,
}

impl TableReader {
    /// A table whose first row (line `line`) is `header`; `sheet` is its sheet's name, if it
    /// has one. `Err`: no List has exactly these columns.
    pub fn new(
        base: String,
        sheet: Option<&str>,
        header: Vec<String>,
        line: usize,
        source: Source,
        position: usize,
    ) -> Result<Self, RecordViolation> {
        let list = find(sheet, &header).map_err(|description| RecordViolation {
            position,
            location: Some(format!("{base}:{line}")),
            field: "header".to_owned(),
            description,
        })?;
        Ok(Self {
            list,
            header,
            base,
            source,
            position,
        })
    }

    /// The List the table holds, e.g. `ListBudgetLines`.
    pub fn list(&self) -> &str {
        &self.list.method
    }

    /// The source table of the records (default: none, the document alone).
    pub fn set_table(&mut self, table: String) {
        self.source.table = Some(table);
    }

    /// The position the next record gets.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The columns that are the server's (provenance, derived figures): read, not imported.
    pub fn server_columns(&self) -> Vec<String> {
        let imported = imported_columns(&self.list.element, &self.list.kind);
        self.header
            .iter()
            .filter(|c| {
                !imported
                    .iter()
                    .any(|i| *c == i || c.starts_with(&format!("{i}.")))
            })
            .cloned()
            .collect()
    }

    /// The records of the row on line `line`.
    pub fn row(
        &mut self,
        line: usize,
        cells: &[String],
    ) -> Result<Vec<Entry>, Vec<RecordViolation>> {
        let location = format!("{}:{line}", self.base);
        let position = self.position;
        let violation = |field: &str, description: String| RecordViolation {
            position,
            location: Some(location.clone()),
            field: field.to_owned(),
            description,
        };
        if cells.len() != self.header.len() {
            self.position += 1;
            return Err(vec![violation(
                "row",
                format!(
                    "has {} cells where the header has {} columns",
                    cells.len(),
                    self.header.len()
                ),
            )]);
        }
        let mut element = DynamicMessage::new(self.list.element.clone());
        let mut problems = Vec::new();
        for (column, text) in self.header.iter().zip(cells) {
            if let Err(description) = set(&mut element, column, text) {
                problems.push(violation(column, description));
            }
        }
        if !problems.is_empty() {
            self.position += 1;
            return Err(problems);
        }
        let rows = records(&self.list.kind, &element).map_err(|v| {
            self.position += 1;
            vec![violation(&v.field, v.description)]
        })?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let position = self.position;
            self.position += 1;
            let at = |field: String, description: String| RecordViolation {
                position,
                location: Some(location.clone()),
                field,
                description,
            };
            let record: pb::ImportRecord = row
                .record
                .transcode_to()
                .map_err(|e| vec![at("row".to_owned(), e.to_string())])?;
            match record_from_proto(record, &self.source) {
                Ok(record) => entries.push(Entry {
                    place: Place {
                        position,
                        location: Some(location.clone()),
                    },
                    record,
                }),
                Err(violations) => {
                    problems.extend(violations.into_iter().map(|v| {
                        // Named by the column the record field came from.
                        let column = row
                            .columns
                            .iter()
                            .find(|(field, _)| *field == v.field)
                            .map_or(v.field, |(_, column)| column.clone());
                        at(column, v.description)
                    }));
                }
            }
        }
        if problems.is_empty() {
            Ok(entries)
        } else {
            Err(problems)
        }
    }
}
