//! Tables as CSV, in two dialects:
//! - RFC 4180 (the default): `,` between fields, `.` as decimal mark, UTF-8 without a byte
//!   order mark, CRLF. What programs read on their defaults (`pandas.read_csv(url)`).
//! - `dialect=excel`: what Excel with Swedish regional settings opens into columns on a
//!   double click: a UTF-8 byte order mark (else å ä ö are read as Windows-1252), `;` between
//!   fields (Swedish list separator) and `,` as decimal mark in decimals.

use super::cell::Cell;
use super::table::{Row, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Rfc4180,
    Excel,
}

impl Dialect {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "rfc4180" => Some(Self::Rfc4180),
            "excel" => Some(Self::Excel),
            _ => None,
        }
    }

    fn delimiter(self) -> u8 {
        match self {
            Self::Rfc4180 => b',',
            Self::Excel => b';',
        }
    }

    fn text(self, cell: &Cell) -> String {
        match (self, cell) {
            (Self::Excel, Cell::Decimal(_) | Cell::Float(_)) => cell.text().replace('.', ","),
            _ => cell.text(),
        }
    }

    /// The start of the file: the byte order mark (Excel) and the header.
    pub fn start(self, table: &Table) -> Vec<u8> {
        let mut bytes = match self {
            Self::Rfc4180 => Vec::new(),
            Self::Excel => "\u{feff}".as_bytes().to_vec(),
        };
        let header = table.columns.iter().map(|c| c.name.clone());
        bytes.extend(self.records(std::iter::once(header.collect())));
        bytes
    }

    /// Rows as CSV lines.
    pub fn rows(self, rows: &[Row]) -> Vec<u8> {
        self.records(
            rows.iter()
                .map(|row| row.iter().map(|cell| self.text(cell)).collect()),
        )
    }

    fn records(self, records: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
        let mut writer = ::csv::WriterBuilder::new()
            .delimiter(self.delimiter())
            .terminator(::csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for record in records {
            // Writing into memory cannot fail.
            let _ = writer.write_record(&record);
        }
        writer.into_inner().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::sheet::cell::ColumnKind;
    use crate::http::sheet::record::Named;

    fn table() -> Table {
        let column = |name: &str, kind| Named {
            name: name.to_owned(),
            kind,
            cell: Cell::Empty,
        };
        Table::new(
            "t",
            [
                column("display_name", ColumnKind::Text),
                column("actual_sek", ColumnKind::Money),
                column("change_percent", ColumnKind::Decimal),
            ],
        )
    }

    #[test]
    fn the_excel_dialect_has_a_bom_semicolons_and_decimal_commas() {
        let row = vec![
            Cell::Text("Sjukvårdsart, övr mat".into()),
            Cell::Int(-965_403_000),
            Cell::Decimal("5.23".into()),
        ];
        let plain = [
            Dialect::Rfc4180.start(&table()),
            Dialect::Rfc4180.rows(std::slice::from_ref(&row)),
        ]
        .concat();
        assert_eq!(
            String::from_utf8(plain).expect("UTF-8"),
            "display_name,actual_sek,change_percent\r\n\"Sjukvårdsart, övr mat\",-965403000,5.23\r\n"
        );
        let excel = [Dialect::Excel.start(&table()), Dialect::Excel.rows(&[row])].concat();
        assert_eq!(
            String::from_utf8(excel).expect("UTF-8"),
            "\u{feff}display_name;actual_sek;change_percent\r\nSjukvårdsart, övr mat;-965403000;5,23\r\n"
        );
    }
}
