//! Reads as spreadsheets and the OpenAPI document, through the real server:
//! - every Get, List and Summarize of the descriptor set answers `format=csv` and
//!   `format=xlsx`; the workbook (read back with calamine) has the CSV's columns and rows,
//!   money as numbers equal to the CSV's kronor, dates as dates; both are attachments named
//!   after the method and its main filters;
//! - the Excel dialect: a byte order mark, `;`, decimal commas, else the same table;
//! - bad `format`, `dialect` and `table` name the parameter;
//! - `/openapi.json` (3.1 and 2.0) and `/favicon.ico` are served;
//! - pandas, openpyxl and openapi-spec-validator read them (examples/http_formats_check.py).

use crate::common;

use calamine::{Data, Reader, Xlsx};
use common::http_client::{connect_violations, get};
use common::{TestApp, for_each_backend};
use http::StatusCode;
use prost_reflect::Kind;
use serde_json::Value;
use std::io::Cursor;
use std::process::Command;
use uppsikt::proto::POOL;

/// The query of each read: a name from the List of the same resource for a Get, HSN 2025
/// Jan–Apr for a Summarize, nothing for a List (every row).
async fn reads(app: &TestApp) -> Vec<(String, String)> {
    let mut reads = Vec::new();
    for service in POOL.services().filter(|s| s.package_name() == "uppsikt.v1") {
        for method in service.methods() {
            let name = method.name();
            if method.is_client_streaming() || method.is_server_streaming() {
                continue;
            }
            let path = format!("/{}/{}", service.full_name(), name);
            let input = method.input();
            let query = if name.starts_with("Get") {
                let list = service
                    .methods()
                    .find(|m| {
                        m.name().starts_with("List")
                            && m.output().fields().any(|f| {
                                f.is_list()
                                    && matches!(f.kind(), Kind::Message(e) if e == method.output())
                            })
                    })
                    .unwrap_or_else(|| panic!("a List for {name}"));
                let answer = get(
                    app.address,
                    &format!("/{}/{}?page_size=1", service.full_name(), list.name()),
                    &[],
                )
                .await
                .json();
                let first = answer
                    .as_object()
                    .and_then(|o| o.values().find_map(Value::as_array))
                    .and_then(|rows| rows.first())
                    .unwrap_or_else(|| panic!("{}: a row to get", list.name()));
                format!("name={}", first["name"].as_str().expect("a name"))
            } else if name.starts_with("Summarize") {
                let mut query = "org_unit=orgUnits/HSN&fiscal_year=2025".to_owned();
                if input.get_field_by_name("to_month").is_some() {
                    query.push_str("&from_month=1&to_month=4");
                }
                query
            } else if name.starts_with("List") {
                String::new()
            } else {
                continue;
            };
            reads.push((path, query));
        }
    }
    reads
}

/// The cells of a CSV answer: header and rows.
fn csv_rows(body: &[u8], delimiter: u8) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(body);
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

/// Whether the workbook's cell holds what the CSV says; money must be a number.
fn agrees(column: &str, cell: &Data, text: &str) -> bool {
    match cell {
        Data::Empty => text.is_empty(),
        Data::Float(n) if column.ends_with("_sek") => {
            text.parse::<i64>().is_ok_and(|k| k as f64 == *n)
        }
        Data::Int(n) if column.ends_with("_sek") => text.parse::<i64>() == Ok(*n),
        _ if column.ends_with("_sek") => false,
        Data::Float(n) => text.parse::<f64>() == Ok(*n),
        Data::Int(n) => text.parse::<i64>() == Ok(*n),
        Data::Bool(b) => text == b.to_string(),
        Data::DateTime(d) => d
            .as_datetime()
            .is_some_and(|t| t.date().format("%Y-%m-%d").to_string() == text),
        Data::String(s) => s == text,
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_answers_a_workbook_with_the_csvs_rows_and_numeric_money() {
    for_each_backend(true, async |app| {
        let label = app.label;
        let reads = reads(app).await;
        assert!(reads.len() >= 18, "{label}: {} reads", reads.len());
        let (mut money, mut dates, mut rows_seen) = (0, 0, 0);
        for (path, query) in &reads {
            let method = path.rsplit('/').next().expect("method");
            let csv = get(app.address, &format!("{path}?{query}&format=csv"), &[]).await;
            assert_eq!(csv.status, StatusCode::OK, "{label}: {path}: {}", csv.text());
            assert!(csv.content_type().starts_with("text/csv"));
            let xlsx = get(app.address, &format!("{path}?{query}&format=xlsx"), &[]).await;
            assert_eq!(xlsx.status, StatusCode::OK, "{label}: {path}");
            assert_eq!(xlsx.content_type(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
            for (answer, extension) in [(&csv, "csv"), (&xlsx, "xlsx")] {
                let disposition = answer.headers["content-disposition"].to_str().expect("ASCII");
                assert!(disposition.starts_with(&format!("attachment; filename=\"{method}")), "{disposition}");
                assert!(disposition.contains(&format!(".{extension}\"")), "{disposition}");
                if query.contains("fiscal_year=2025") {
                    assert!(disposition.contains(&format!("{method}-HSN-2025")), "{disposition}");
                }
            }
            let (header, rows) = csv_rows(&csv.body, b',');
            let mut workbook = Xlsx::new(Cursor::new(xlsx.body.to_vec())).expect("an XLSX workbook");
            let sheet = workbook
                .worksheet_range_at(0)
                .expect("a worksheet")
                .expect("readable");
            let mut sheet_rows = sheet.rows();
            let sheet_header: Vec<String> = sheet_rows.next().expect("header").iter().map(|c| c.to_string()).collect();
            assert_eq!(sheet_header, header, "{label}: {path}: the same columns");
            let sheet_rows: Vec<&[Data]> = sheet_rows.collect();
            assert_eq!(sheet_rows.len(), rows.len(), "{label}: {path}: one row per CSV row");
            for (cells, texts) in sheet_rows.iter().zip(&rows) {
                for ((column, text), cell) in header.iter().zip(texts).zip(cells.iter()) {
                    assert!(agrees(column, cell, text), "{label}: {path}: {column}: {cell:?} vs {text:?}");
                    money += usize::from(column.ends_with("_sek") && !text.is_empty());
                    dates += usize::from(matches!(cell, Data::DateTime(_)));
                }
            }
            rows_seen += rows.len();
        }
        assert!(money > 500 && dates > 10 && rows_seen > 200, "{label}: {money} money cells, {dates} dates in {rows_seen} rows");

        // A Summarize workbook holds every table; text stays intact.
        let summary = get(
            app.address,
            "/uppsikt.v1.BudgetService/SummarizeBudget?org_unit=orgUnits/HSN&fiscal_year=2025&from_month=1&to_month=4&format=xlsx",
            &[],
        )
        .await;
        let workbook = Xlsx::new(Cursor::new(summary.body.to_vec())).expect("XLSX");
        assert_eq!(workbook.sheet_names(), ["categories", "inexact_spans", "uncovered", "sources"], "{label}");
        let mut workbook = workbook;
        let categories = workbook.worksheet_range("categories").expect("sheet");
        assert!(categories.rows().any(|r| r.iter().any(|c| c == &Data::String("Sjukvårdsart, övr mat o varor".into()))), "{label}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_excel_dialect_is_the_same_table_for_swedish_excel() {
    for_each_backend(true, async |app| {
        let path = "/uppsikt.v1.BudgetService/SummarizeBudget?org_unit=orgUnits/HSN&fiscal_year=2025&from_month=1&to_month=4&format=csv";
        let plain = get(app.address, path, &[]).await;
        let excel = get(app.address, &format!("{path}&dialect=excel"), &[]).await;
        assert_eq!(excel.status, StatusCode::OK);
        assert!(!plain.body.starts_with(b"\xef\xbb\xbf"), "no byte order mark for programs");
        assert!(excel.body.starts_with(b"\xef\xbb\xbf"), "a byte order mark for Excel");
        let (header, rows) = csv_rows(&plain.body, b',');
        let (excel_header, excel_rows) = csv_rows(&excel.body[3..], b';');
        assert_eq!(excel_header, header);
        assert_eq!(excel_rows.len(), rows.len());
        let percent = header.iter().position(|h| h == "change_percent").expect("column");
        for (a, b) in rows.iter().zip(&excel_rows) {
            assert_eq!(a[percent].replace('.', ","), b[percent], "{}", app.label);
            let others = |r: &Vec<String>| r.iter().enumerate().filter(|(i, _)| *i != percent).map(|(_, v)| v.clone()).collect::<Vec<_>>();
            assert_eq!(others(a), others(b), "{}", app.label);
        }
        assert!(excel_rows.iter().any(|r| r[percent] == "5,23"), "{}", app.label);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_spreadsheet_parameters_name_the_parameter() {
    for_each_backend(true, async |app| {
        let path =
            "/uppsikt.v1.BudgetService/SummarizeBudget?org_unit=orgUnits/HSN&fiscal_year=2025";
        for (query, field, words) in [
            ("format=xml", "format", "json, csv or xlsx"),
            (
                "format=xlsx&dialect=excel",
                "dialect",
                "only for format=csv",
            ),
            (
                "format=csv&dialect=semicolon",
                "dialect",
                "rfc4180 or excel",
            ),
            (
                "format=csv&table=nope",
                "table",
                "categories, inexact_spans, uncovered",
            ),
            ("table=categories", "table", "only for format=csv or xlsx"),
        ] {
            let answer = get(app.address, &format!("{path}&{query}"), &[]).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
            let violations = connect_violations(&answer.json());
            assert!(
                violations
                    .iter()
                    .any(|(f, d)| f == field && d.contains(words)),
                "{query}: {violations:?}"
            );
        }
        // A table by name: the CSV of `uncovered`, named so.
        let answer = get(
            app.address,
            &format!("{path}&format=csv&table=uncovered"),
            &[],
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(
            answer.text().starts_with("section,figure,months"),
            "{}",
            answer.text()
        );
        let disposition = answer.headers["content-disposition"]
            .to_str()
            .expect("ASCII");
        assert!(
            disposition.contains("SummarizeBudget-HSN-2025-uncovered.csv"),
            "{disposition}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_and_the_icon_are_served() {
    for_each_backend(false, async |app| {
        let document = get(app.address, "/openapi.json", &[]).await;
        assert_eq!(document.status, StatusCode::OK);
        assert_eq!(document.content_type(), "application/json");
        let document = document.json();
        assert_eq!(document["openapi"], "3.1.0");
        assert!(document["paths"]["/uppsikt.v1.BudgetService/SummarizeBudget"]["get"].is_object());
        let swagger = get(app.address, "/openapi.json?version=2.0", &[])
            .await
            .json();
        assert_eq!(swagger["swagger"], "2.0");
        assert_eq!(
            swagger["host"],
            app.address.to_string(),
            "the host it was asked on"
        );
        let icon = get(app.address, "/favicon.ico", &[]).await;
        assert_eq!(icon.status, StatusCode::OK);
        assert_eq!(icon.content_type(), "image/x-icon");
        assert!(icon.body.starts_with(&[0, 0, 1, 0]), "an ICO file");
    })
    .await;
}

/// pandas, openpyxl and openapi-spec-validator against the server: with CI set they must
/// be installed (.ci/run installs them); elsewhere the test says it skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_clients_read_the_spreadsheets_and_the_openapi_document() {
    let ready = Command::new("python3")
        .args(["-c", "import pandas, openpyxl, openapi_spec_validator"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but pandas/openpyxl/openapi-spec-validator are missing: .ci/run installs them"
        );
        eprintln!("SKIPPED: pip install pandas openpyxl openapi-spec-validator");
        return;
    }
    for_each_backend(true, async |app| {
        let address = app.address.to_string();
        let output = tokio::task::spawn_blocking(move || {
            Command::new("python3")
                .arg("examples/http_formats_check.py")
                .arg(address)
                .output()
                .expect("python3")
        })
        .await
        .expect("task");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}: {stdout}\n{}",
            app.label,
            String::from_utf8_lossy(&output.stderr)
        );
        eprintln!("{}: {stdout}", app.label);
    })
    .await;
}
