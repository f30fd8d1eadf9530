//! Spreadsheets in the export's own columns: a List exported as CSV (or XLSX), edited, and
//! imported again (docs/spreadsheet-import.md). Each file or sheet holds one List's rows;
//! the header (or the sheet's name) says which. The columns are the export's
//! (`crate::columns`), read back into the List's element message, turned into Import
//! records by rules over the descriptors (`element`), and validated as the Import RPC does.

pub mod csv;
pub mod element;
pub mod lists;
pub mod table;
pub mod xlsx;
