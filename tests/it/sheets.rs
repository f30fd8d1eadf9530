//! Spreadsheets in the export's columns, on every backend, on the demo data.
