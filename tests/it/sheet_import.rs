//! Spreadsheets in the export's own columns, on every backend, on the demo data: every List
//! whose rows are records, exported as CSV (`?format=csv`) and as a workbook
//! (`?format=xlsx`) and sent back through the Import RPC, changes nothing; an edited cell is
//! the one change, in a CSV and in the exported workbook opened, edited and saved again (as
//! calamine reads it and rust_xlsxwriter writes it); a workbook written in the export's
//! columns reads alike; bad cells and headers are named.

use crate::common;

use common::http_client::get;
use common::{TestApp, assert_error, for_each_backend};
use tonic::Code;
use uppsikt::api::sheets::lists::{LISTS, all_lists};
use uppsikt::proto::v1 as pb;

/// Sends `bytes` as a file of `format` in chunks.
async fn import(
    app: &TestApp,
    document: &str,
    bytes: &[u8],
    format: pb::FileFormat,
    dry_run: bool,
) -> Result<pb::ImportResponse, tonic::Status> {
    let header = pb::ImportHeader {
        source: Some(pb::ImportSource {
            document: document.to_owned(),
            ..Default::default()
        }),
        dry_run,
        ..Default::default()
    };
    let file = pb::ImportFile {
        format: format as i32,
        mapping: String::new(),
    };
    common::import_file(app, header, file, bytes, 4096).await
}

async fn csv_of(app: &TestApp, path: &str) -> String {
    let answer = get(app.address, &format!("{path}?format=csv"), &[]).await;
    assert!(answer.status.is_success(), "{path}: {}", answer.status);
    answer.text()
}

async fn xlsx_of(app: &TestApp, path: &str) -> Vec<u8> {
    let answer = get(app.address, &format!("{path}?format=xlsx"), &[]).await;
    assert!(answer.status.is_success(), "{path}: {}", answer.status);
    answer.body.to_vec()
}

/// The exported workbook of `path` opened, its cell (row `row` of the data, column `column`)
/// set to the number `value`, and saved again, every other cell kept with its type: what a
/// user does in a spreadsheet program.
async fn edited_workbook(
    app: &TestApp,
    path: &str,
    column: &str,
    row: usize,
    value: f64,
) -> Vec<u8> {
    use calamine::{Data, Reader, Xlsx};
    let bytes = xlsx_of(app, path).await;
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        let sheet = out.add_worksheet();
        sheet.set_name(&name).expect("name");
        let header: Vec<String> = range
            .rows()
            .next()
            .expect("header")
            .iter()
            .map(|c| c.to_string())
            .collect();
        let target = header.iter().position(|c| c == column).expect("column");
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        for (r, cells) in range.rows().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                let (r32, c16) = (r as u32, c as u16);
                if r == row + 1 && c == target {
                    sheet.write_number(r32, c16, value).expect("edit");
                    continue;
                }
                match cell {
                    Data::Empty => continue,
                    Data::Int(n) => sheet.write_number(r32, c16, *n as f64).map(drop),
                    Data::Float(f) => sheet.write_number(r32, c16, *f).map(drop),
                    Data::Bool(b) => sheet.write_boolean(r32, c16, *b).map(drop),
                    Data::DateTime(d) => sheet
                        .write_number_with_format(r32, c16, d.as_f64(), &date)
                        .map(drop),
                    other => sheet.write_string(r32, c16, other.to_string()).map(drop),
                }
                .expect("cell");
            }
        }
    }
    out.save_to_buffer().expect("saved")
}

/// (header, rows) of a CSV text.
fn table(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn to_csv(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).expect("header");
    for row in rows {
        writer.write_record(row).expect("row");
    }
    writer.into_inner().expect("csv")
}

/// Every count is "unchanged": (records unchanged, any other count).
fn unchanged(response: &pb::ImportResponse) -> (i64, i64) {
    response.counts.iter().fold((0, 0), |(same, other), c| {
        (
            same + c.unchanged,
            other + c.inserted + c.superseded + c.retracted,
        )
    })
}

#[tokio::test]
async fn every_lists_csv_export_imports_again_with_nothing_to_change() {
    // The Lists that are logs rather than records have no record kind; every other List's
    // rows can be imported.
    let mut skipped: Vec<String> = all_lists()
        .into_iter()
        .map(|(_, method, _, _)| method)
        .filter(|m| !LISTS.iter().any(|l| &l.method == m))
        .collect();
    skipped.sort();
    assert_eq!(skipped, ["ListChanges", "ListImports"]);
    assert!(LISTS.len() >= 12, "{}", LISTS.len());
    for_each_backend(true, async |app: &TestApp| {
        let mut rows_seen = 0;
        for list in LISTS.iter() {
            let text = csv_of(app, &list.path).await;
            let (header, rows) = table(&text);
            assert_eq!(header, list.columns, "{}: {}", app.label, list.method);
            let document = format!("{}.csv", list.method);
            let response = import(app, &document, text.as_bytes(), pb::FileFormat::Csv, true)
                .await
                .unwrap_or_else(|s| panic!("{}: {}: {s:?}", app.label, list.method));
            let (same, changed) = unchanged(&response);
            assert_eq!(
                changed, 0,
                "{}: {}: {:?}",
                app.label, list.method, response.counts
            );
            assert!(
                same >= rows.len() as i64,
                "{}: {}: {same} of {} rows",
                app.label,
                list.method,
                rows.len()
            );
            // The same List as a workbook, as the export writes it.
            let book = xlsx_of(app, &list.path).await;
            let document = format!("{}.xlsx", list.method);
            let response = import(app, &document, &book, pb::FileFormat::Xlsx, true)
                .await
                .unwrap_or_else(|s| panic!("{}: {} xlsx: {s:?}", app.label, list.method));
            let (same_xlsx, changed) = unchanged(&response);
            assert_eq!(
                changed, 0,
                "{}: {} xlsx: {:?}",
                app.label, list.method, response.counts
            );
            assert_eq!(same_xlsx, same, "{}: {} xlsx", app.label, list.method);
            rows_seen += rows.len();
        }
        assert!(
            rows_seen > 500,
            "{}: the demo data has rows: {rows_seen}",
            app.label
        );
    })
    .await;
}

#[tokio::test]
async fn an_edited_cell_is_the_one_change() {
    for_each_backend(true, async |app: &TestApp| {
        let text = csv_of(app, "/uppsikt.v1.BudgetService/ListBudgetLines").await;
        let (header, mut rows) = table(&text);
        let column = |name: &str| header.iter().position(|c| c == name).expect(name);
        let amount = column("amount_sek");
        let old: i64 = rows[0][amount].parse().expect("amount");
        rows[0][amount] = (old - 1000).to_string();
        let document = "budgetrader-redigerade.csv";
        let response = import(
            app,
            document,
            &to_csv(&header, &rows),
            pb::FileFormat::Csv,
            false,
        )
        .await
        .expect("imported");
        let counts = &response.counts;
        assert_eq!(counts.len(), 1, "{counts:?}");
        assert_eq!(
            (
                counts[0].kind.as_str(),
                counts[0].inserted,
                counts[0].superseded,
                counts[0].unchanged
            ),
            ("budget_line", 0, 1, rows.len() as i64 - 1),
            "{}",
            app.label
        );
        // The edited line now, with the file as its source.
        let row = &rows[0];
        let span = |name: &str| row[column(name)].parse::<i32>().expect(name);
        let lines = app
            .budget()
            .list_budget_lines(pb::ListBudgetLinesRequest {
                org_unit: row[column("org_unit")].clone(),
                category: row[column("category")].clone(),
                fiscal_year: span("span.fiscal_year"),
                from_month: span("span.from_month"),
                to_month: span("span.to_month"),
                ..Default::default()
            })
            .await
            .expect("lines")
            .into_inner()
            .budget_lines;
        let scenario = &row[column("scenario")];
        let line = lines
            .iter()
            .find(|l| {
                pb::Scenario::try_from(l.scenario).map(|s| s.as_str_name()) == Ok(scenario.as_str())
            })
            .expect("the edited line");
        assert_eq!(line.amount_sek, old - 1000, "{}", app.label);
        let provenance = line.provenance.clone().expect("provenance");
        assert_eq!(
            (provenance.document.as_str(), provenance.table.as_str()),
            (document, "ListBudgetLines")
        );
    })
    .await;
}

/// A sheet: its name, header and rows.
type Sheet<'a> = (&'a str, &'a [String], &'a [Vec<String>]);

/// A workbook with one sheet per List, written as a person's spreadsheet program would:
/// numbers as numbers, dates as dates.
fn workbook(sheets: &[Sheet]) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, header, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).expect("sheet name");
        for (c, column) in header.iter().enumerate() {
            sheet.write_string(0, c as u16, column).expect("header");
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                let is_date =
                    cell.len() == 10 && cell.as_bytes()[4] == b'-' && cell.as_bytes()[7] == b'-';
                if cell.is_empty() {
                    continue;
                } else if let Ok(n) = cell.parse::<i64>() {
                    sheet.write_number(r, c, n as f64).expect("number");
                } else if is_date && let Ok(day) = ExcelDateTime::parse_from_str(cell) {
                    sheet
                        .write_datetime_with_format(r, c, &day, &date)
                        .expect("date");
                } else {
                    sheet.write_string(r, c, cell).expect("text");
                }
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

#[tokio::test]
async fn a_workbook_in_the_exports_columns_reads_alike() {
    for_each_backend(true, async |app: &TestApp| {
        let (units_header, units) =
            table(&csv_of(app, "/uppsikt.v1.OrganizationService/ListOrgUnits").await);
        let (lines_header, mut lines) =
            table(&csv_of(app, "/uppsikt.v1.BudgetService/ListBudgetLines").await);
        let (hours_header, hours) =
            table(&csv_of(app, "/uppsikt.v1.StaffingService/ListHiredStaff").await);
        let book = workbook(&[
            ("ListOrgUnits", &units_header, &units),
            ("budget_lines", &lines_header, &lines),
            ("Inhyrd personal", &hours_header, &hours),
        ]);
        let response = import(app, "uppsikt.xlsx", &book, pb::FileFormat::Xlsx, true)
            .await
            .expect("read");
        let (same, changed) = unchanged(&response);
        assert_eq!(changed, 0, "{}: {:?}", app.label, response.counts);
        assert_eq!(
            same as usize,
            units.len() + lines.len() + hours.len(),
            "{}",
            app.label
        );

        let amount = lines_header
            .iter()
            .position(|c| c == "amount_sek")
            .expect("amount");
        let old: i64 = lines[3][amount].parse().expect("amount");
        lines[3][amount] = (old + 7).to_string();
        // The export's own workbook, edited in one cell.
        let book = edited_workbook(
            app,
            "/uppsikt.v1.BudgetService/ListBudgetLines",
            "amount_sek",
            3,
            (old + 7) as f64,
        )
        .await;
        let response = import(app, "uppsikt.xlsx", &book, pb::FileFormat::Xlsx, false)
            .await
            .expect("imported");
        let c = &response.counts[0];
        assert_eq!(
            (c.inserted, c.superseded, c.unchanged),
            (0, 1, lines.len() as i64 - 1),
            "{}",
            app.label
        );
    })
    .await;
}

#[tokio::test]
async fn a_bad_cell_or_header_is_named_and_nothing_is_written() {
    for_each_backend(true, async |app: &TestApp| {
        let text = csv_of(app, "/uppsikt.v1.BudgetService/ListBudgetLines").await;
        let (header, mut rows) = table(&text);
        let amount = header
            .iter()
            .position(|c| c == "amount_sek")
            .expect("amount");
        rows[1][amount] = "12x".to_owned();
        rows[0][amount] = "-1".to_owned();
        let status = import(
            app,
            "trasig.csv",
            &to_csv(&header, &rows),
            pb::FileFormat::Csv,
            false,
        )
        .await
        .expect_err("a bad cell");
        // Line 3: the header is line 1, the first row line 2.
        assert_error(
            &status,
            Code::InvalidArgument,
            Some("trasig.csv:3.amount_sek"),
        );
        let mut extra = header.clone();
        extra.push("anteckning".to_owned());
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|mut r| {
                r.push(String::new());
                r
            })
            .collect();
        let status = import(
            app,
            "extra.csv",
            &to_csv(&extra, &rows),
            pb::FileFormat::Csv,
            false,
        )
        .await
        .expect_err("an unknown column");
        assert_error(&status, Code::InvalidArgument, Some("extra.csv:1.header"));
        assert!(
            status.message().contains("anteckning"),
            "{}",
            status.message()
        );
        // The first row's edit was not written.
        let again = import(app, "same.csv", text.as_bytes(), pb::FileFormat::Csv, true)
            .await
            .expect("dry run");
        assert_eq!(unchanged(&again).1, 0, "{}", app.label);
    })
    .await;
}
