//! Property-based fuzzing (issue 38, docs/fuzzing.md) of the readers of client input that
//! the library exposes: the record text format, SIE 4 (and its mapping), spreadsheets (CSV
//! and XLSX), page tokens and change cursors. The HTTP forms (query strings, JSON bodies,
//! envelopes) are fuzzed by the unit tests in src/http (`http::fuzz`, `http::stream::fuzz`).
//!
//! Each target feeds arbitrary input and structure-aware mutations of valid input (the
//! fixtures, data/demo, data/examples). Properties: no panic, and every rejection is
//! INVALID_ARGUMENT through the one mapping of src/status.rs, with a BadRequest whose every
//! violation names a field (and, for files, the line or cell). Cases per target:
//! UPPSIKT_FUZZ_CASES (default 256, for CI); the long run sets a million.

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::LazyLock;
use tonic::Code;
use tonic_types::StatusExt;
use uppsikt::api::change::{decode_cursor, encode_cursor};
use uppsikt::api::sheets::lists::LISTS;
use uppsikt::api::sheets::{csv as sheet_csv, xlsx as sheet_xlsx};
use uppsikt::domain::instant::Instant;
use uppsikt::domain::validation::Violation;
use uppsikt::import::sie::{Mapping, SieReader};
use uppsikt::import::text::TextReader;
use uppsikt::import::{ImportError, RecordViolation};
use uppsikt::service::paging;
use uppsikt::status::ApiError;
use uppsikt::store::listing::{KeyPart, RowKey};

type Outcome = Result<(), TestCaseError>;

/// Cases per target: UPPSIKT_FUZZ_CASES, else a count CI runs in seconds.
fn cases() -> u32 {
    std::env::var("UPPSIKT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Runs `test` on `cases()` values of `strategy` and says how long it took (seen with
/// `--nocapture`: the figures of docs/fuzzing.md).
fn run<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Outcome)
where
    S::Value: Debug,
{
    let config = Config {
        cases: cases(),
        // Found cases are kept as named regression tests, not in files beside the source.
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let start = std::time::Instant::now();
    let result = runner.run(&strategy, test);
    let elapsed = start.elapsed();
    if let Err(error) = result {
        panic!(
            "fuzz {name}: failed after {:.1} s: {error}",
            elapsed.as_secs_f64()
        );
    }
    println!(
        "fuzz {name}: {} cases in {:.1} s ({:.0} cases/s)",
        cases(),
        elapsed.as_secs_f64(),
        f64::from(cases()) / elapsed.as_secs_f64().max(1e-9)
    );
}

// ---- what every rejection must be ----

/// The client's view of `error`: INVALID_ARGUMENT with a BadRequest whose violations each
/// name a field and say what is wrong.
fn check_status(error: ApiError) -> Outcome {
    let status = tonic::Status::from(error);
    prop_assert_eq!(status.code(), Code::InvalidArgument, "{:?}", status);
    prop_assert!(!status.message().trim().is_empty());
    let details = status.get_error_details();
    prop_assert!(details.error_info().is_some(), "no ErrorInfo: {:?}", status);
    let Some(bad) = details.bad_request() else {
        return Err(TestCaseError::fail(format!("no BadRequest: {status:?}")));
    };
    prop_assert!(!bad.field_violations.is_empty(), "{:?}", status);
    for v in &bad.field_violations {
        prop_assert!(
            !v.field.trim().is_empty(),
            "a violation names no field: {:?}",
            v
        );
        prop_assert!(!v.description.trim().is_empty(), "{:?}", v);
    }
    Ok(())
}

/// A file's rejection: violations each naming a field and a location `located` accepts,
/// sent as INVALID_ARGUMENT.
fn check_records(violations: Vec<RecordViolation>, located: impl Fn(&str) -> bool) -> Outcome {
    prop_assert!(!violations.is_empty(), "a rejection without a violation");
    for v in &violations {
        prop_assert!(!v.field.trim().is_empty(), "no field named: {:?}", v);
        prop_assert!(!v.description.trim().is_empty(), "{:?}", v);
        prop_assert!(
            v.location.as_deref().is_some_and(&located),
            "no line or cell named: {:?}",
            v
        );
    }
    check_status(ImportError::InvalidRecords(violations).into())
}

fn check_import_error(error: ImportError, located: impl Fn(&str) -> bool) -> Outcome {
    match error {
        ImportError::InvalidRecords(violations) => check_records(violations, located),
        other => Err(TestCaseError::fail(format!(
            "not a record rejection: {other:?}"
        ))),
    }
}

fn check_violation(violation: Violation, field: &str) -> Outcome {
    prop_assert_eq!(&violation.field, field);
    check_status(violation.into())
}

// ---- mutations ----

/// Text that parsers meet at their edges: numbers at and past the limits, bad dates,
/// quoting and escaping, separators, control and non-ASCII characters.
const SNIPPETS: &[&str] = &[
    "",
    "0",
    "-0",
    "-1",
    "+7",
    "1.5",
    "1,5",
    "-0.001",
    "1.005",
    "12345678901234567890",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "1e309",
    "NaN",
    "inf",
    "2025-04-30",
    "2025-02-30",
    "2025-13-01",
    "0000-00-00",
    "9999-12-31",
    "20250101",
    "202513",
    "\"",
    "\"\"",
    "\\",
    "\\\"",
    "=",
    "==",
    "#",
    ",",
    ";",
    " ",
    "\t",
    "{",
    "}",
    "{}",
    "[]",
    "null",
    "true",
    "\"unterminated",
    "x\"y",
    "å",
    "Ö",
    "🦀",
    "\u{0}",
    "\u{feff}",
    "\r",
    "\n",
    "\u{2028}",
    "orgUnits/",
    "orgUnits/HSN",
    "HSN",
    "KST-1700",
    "SCENARIO_BUDGET",
    "budget",
    "actual",
    "retract",
    "source",
];

/// A snippet, a long run of one character, or arbitrary text.
fn snippet() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(SNIPPETS).prop_map(str::to_owned),
        1 => (select(&["a", "9", "\"", "é", " "][..]), 250..1100_usize)
            .prop_map(|(c, n)| c.repeat(n)),
        3 => any::<String>(),
    ]
    .boxed()
}

/// An edit of a byte string.
#[derive(Debug, Clone)]
enum ByteEdit {
    Truncate(Index),
    Delete(Index, usize),
    Insert(Index, Vec<u8>),
    Flip(Index, u8),
    Set(Index, u8),
    /// A copy of a span put back elsewhere.
    Duplicate(Index, usize, Index),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        any::<Index>().prop_map(ByteEdit::Truncate),
        (any::<Index>(), 1..16_usize).prop_map(|(i, n)| ByteEdit::Delete(i, n)),
        (any::<Index>(), snippet()).prop_map(|(i, s)| ByteEdit::Insert(i, s.into_bytes())),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Flip(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Set(i, b)),
        (any::<Index>(), 1..64_usize, any::<Index>())
            .prop_map(|(i, n, at)| ByteEdit::Duplicate(i, n, at)),
    ]
}

fn apply_bytes(bytes: &mut Vec<u8>, edits: &[ByteEdit]) {
    for edit in edits {
        let len = bytes.len();
        match edit {
            ByteEdit::Truncate(i) => bytes.truncate(i.index(len + 1)),
            ByteEdit::Delete(i, n) if len > 0 => {
                let at = i.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            ByteEdit::Insert(i, text) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, text.iter().copied());
            }
            ByteEdit::Flip(i, mask) if len > 0 => bytes[i.index(len)] ^= mask.max(&1),
            ByteEdit::Set(i, value) if len > 0 => bytes[i.index(len)] = *value,
            ByteEdit::Duplicate(i, n, to) if len > 0 => {
                let from = i.index(len);
                let span = bytes[from..(from + n).min(len)].to_vec();
                let at = to.index(len + 1);
                bytes.splice(at..at, span);
            }
            _ => {}
        }
    }
}

/// Byte edits of text, read back as text (lossily: the text readers take `&str`).
fn apply_text(text: &str, edits: &[ByteEdit]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    apply_bytes(&mut bytes, edits);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// An edit of a sequence of parts (the fields of a line, the cells of a row, the lines of
/// a file).
#[derive(Debug, Clone)]
enum PartEdit {
    Replace(Index, String),
    Drop(Index),
    Duplicate(Index),
    Swap(Index, Index),
    Insert(Index, String),
    /// `key=value` parts: a new value, the key kept.
    Value(Index, String),
}

fn part_edit(parts: BoxedStrategy<String>) -> impl Strategy<Value = PartEdit> {
    prop_oneof![
        (any::<Index>(), parts.clone()).prop_map(|(i, s)| PartEdit::Replace(i, s)),
        any::<Index>().prop_map(PartEdit::Drop),
        any::<Index>().prop_map(PartEdit::Duplicate),
        (any::<Index>(), any::<Index>()).prop_map(|(i, j)| PartEdit::Swap(i, j)),
        (any::<Index>(), parts).prop_map(|(i, s)| PartEdit::Insert(i, s)),
        (any::<Index>(), snippet()).prop_map(|(i, s)| PartEdit::Value(i, s)),
    ]
}

fn apply_parts(parts: &mut Vec<String>, edits: &[PartEdit]) {
    for edit in edits {
        let len = parts.len();
        match edit {
            PartEdit::Replace(i, text) if len > 0 => parts[i.index(len)] = text.clone(),
            PartEdit::Drop(i) if len > 0 => {
                parts.remove(i.index(len));
            }
            PartEdit::Duplicate(i) if len > 0 => {
                let at = i.index(len);
                parts.insert(at, parts[at].clone());
            }
            PartEdit::Swap(i, j) if len > 0 => parts.swap(i.index(len), j.index(len)),
            PartEdit::Insert(i, text) => parts.insert(i.index(len + 1), text.clone()),
            PartEdit::Value(i, value) if len > 0 => {
                let part = &mut parts[i.index(len)];
                let key = part.split_once('=').map_or(part.as_str(), |(k, _)| k);
                *part = format!("{key}={value}");
            }
            _ => {}
        }
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect(path)
}

// ---- the record text format ----

/// Every record line of the fixtures and the demo data: valid lines to mutate.
static RECORD_LINES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut files = Vec::new();
    for dir in ["tests/fixtures", "data/demo"] {
        let path = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(&path).expect(dir) {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut lines: Vec<String> = files
        .iter()
        .flat_map(|path| {
            std::fs::read_to_string(path)
                .expect("fixture")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines
});

/// Every `key=` of those lines and every record kind, to put into mutated lines.
static RECORD_WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut words: Vec<String> = RECORD_LINES
        .iter()
        .flat_map(|line| {
            let mut parts = line.split_whitespace();
            let kind = parts.next().map(str::to_owned);
            kind.into_iter()
                .chain(parts.filter_map(|p| p.split_once('=').map(|(k, _)| format!("{k}="))))
        })
        .collect();
    words.sort();
    words.dedup();
    words
});

fn check_text(text: &str) -> Outcome {
    let mut reader = TextReader::new("fuzz.txt", 0);
    for (i, line) in text.lines().enumerate() {
        if let Err(violations) = reader.line(i + 1, line) {
            let location = format!("fuzz.txt:{}", i + 1);
            check_records(violations, |l| l == location)?;
        }
    }
    Ok(())
}

/// A record line: a valid one with its fields edited, or one made of the format's words.
fn record_line() -> impl Strategy<Value = String> {
    let word = select(RECORD_WORDS.clone()).boxed();
    let part = prop_oneof![
        (word.clone(), snippet()).prop_map(|(w, s)| format!("{w}{s}")),
        word,
        snippet(),
    ]
    .boxed();
    let mutated = (
        select(RECORD_LINES.clone()),
        prop::collection::vec(part_edit(part.clone()), 0..4),
        prop::collection::vec(byte_edit(), 0..2),
        any::<bool>(),
    )
        .prop_map(|(line, edits, bytes, retract)| {
            let mut parts: Vec<String> = line.split(' ').map(str::to_owned).collect();
            apply_parts(&mut parts, &edits);
            let line = apply_text(&parts.join(" "), &bytes);
            if retract {
                format!("retract {line}")
            } else {
                line
            }
        });
    let made = prop::collection::vec(part, 0..8).prop_map(|parts| parts.join(" "));
    prop_oneof![6 => mutated, 2 => made, 1 => any::<String>()]
}

#[test]
fn fuzz_record_text() {
    let lines = prop::collection::vec(record_line(), 1..4);
    run(
        "record_text",
        (lines, any::<bool>()),
        |(lines, with_source)| {
            let mut text = String::new();
            if with_source {
                text.push_str("source document=\"fuzz\" table=\"t\"\n");
            }
            text.push_str(&lines.join("\n"));
            check_text(&text)
        },
    );
}

// ---- SIE 4 ----

static SIE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/examples/huvudbok-2025.se"
    ))
    .expect("example ledger")
});
static SIE_MAPPING: LazyLock<String> =
    LazyLock::new(|| read("data/examples/huvudbok-2025.mapping.toml"));

const SIE_LABELS: &[&str] = &[
    "#FLAGGA",
    "#KSUMMA",
    "#PROGRAM",
    "#FORMAT",
    "#GEN",
    "#SIETYP",
    "#FNAMN",
    "#RAR",
    "#DIM",
    "#UNDERDIM",
    "#OBJEKT",
    "#KONTO",
    "#KTYP",
    "#IB",
    "#UB",
    "#RES",
    "#PSALDO",
    "#PBUDGET",
    "#OIB",
    "#OUB",
    "#VER",
    "#TRANS",
    "#RTRANS",
    "#BTRANS",
    "#ORGNR",
    "#VALUTA",
    "#OKÄND",
    "{",
    "}",
    "#",
    "",
];

const SIE_FIELDS: &[&str] = &[
    "0",
    "-1",
    "1",
    "202501",
    "202512",
    "202513",
    "202500",
    "20250101",
    "20251231",
    "3510",
    "5010",
    "1930",
    "99999",
    "{1 \"1700\"}",
    "{1 \"604\"}",
    "{1 \"999\"}",
    "{6 \"P12\"}",
    "{1 \"1700\" 6 \"P12\"}",
    "{}",
    "{1",
    "{1 \"1700\"",
    "\"1700\"}",
    "-84500.50",
    "45000.00",
    "1e5",
    "0.001",
    "-0.5",
    "99999999999999999999999.99",
    "\"text\"",
    "\"unterminated",
    "\"a\\\"b\"",
    "PC8",
    "4",
    "634299562",
];

fn sie_line() -> impl Strategy<Value = Vec<u8>> {
    let field = prop_oneof![
        4 => select(SIE_FIELDS).prop_map(str::to_owned),
        1 => snippet(),
    ];
    (select(SIE_LABELS), prop::collection::vec(field, 0..6)).prop_map(|(label, fields)| {
        let mut line = label.to_owned();
        for f in fields {
            line.push(' ');
            line.push_str(&f);
        }
        line.into_bytes()
    })
}

/// An edit of one line of a SIE file.
#[derive(Debug, Clone)]
enum LineEdit {
    Drop(Index),
    Duplicate(Index),
    Swap(Index, Index),
    Insert(Index, Vec<u8>),
    /// One field (space-separated) of a line edited.
    Field(Index, PartEdit),
    Bytes(Index, ByteEdit),
}

fn line_edit() -> impl Strategy<Value = LineEdit> {
    let field = prop_oneof![
        3 => select(SIE_FIELDS).prop_map(str::to_owned),
        1 => snippet(),
    ]
    .boxed();
    prop_oneof![
        1 => any::<Index>().prop_map(LineEdit::Drop),
        1 => any::<Index>().prop_map(LineEdit::Duplicate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(i, j)| LineEdit::Swap(i, j)),
        1 => (any::<Index>(), sie_line()).prop_map(|(i, l)| LineEdit::Insert(i, l)),
        3 => (any::<Index>(), part_edit(field)).prop_map(|(i, e)| LineEdit::Field(i, e)),
        2 => (any::<Index>(), byte_edit()).prop_map(|(i, e)| LineEdit::Bytes(i, e)),
    ]
}

fn apply_lines(lines: &mut Vec<Vec<u8>>, edits: &[LineEdit]) {
    for edit in edits {
        let len = lines.len();
        match edit {
            LineEdit::Drop(i) if len > 0 => {
                lines.remove(i.index(len));
            }
            LineEdit::Duplicate(i) if len > 0 => {
                let at = i.index(len);
                lines.insert(at, lines[at].clone());
            }
            LineEdit::Swap(i, j) if len > 0 => lines.swap(i.index(len), j.index(len)),
            LineEdit::Insert(i, line) => lines.insert(i.index(len + 1), line.clone()),
            LineEdit::Field(i, part) if len > 0 => {
                let line = &mut lines[i.index(len)];
                let mut fields: Vec<String> = String::from_utf8_lossy(line)
                    .split(' ')
                    .map(str::to_owned)
                    .collect();
                apply_parts(&mut fields, std::slice::from_ref(part));
                *line = fields.join(" ").into_bytes();
            }
            LineEdit::Bytes(i, byte) if len > 0 => {
                apply_bytes(&mut lines[i.index(len)], std::slice::from_ref(byte));
            }
            _ => {}
        }
    }
}

fn check_sie(bytes: &[u8], cut: Index) -> Outcome {
    let mapping = Mapping::parse(&SIE_MAPPING).expect("example mapping");
    let mut reader = SieReader::new("fuzz.se", mapping);
    // Fed in two chunks cut anywhere, as a file or a stream arrives.
    let at = cut.index(bytes.len() + 1);
    reader.feed(&bytes[..at]);
    reader.feed(&bytes[at..]);
    match reader.finish() {
        Ok(file) => {
            for entry in &file.lines {
                prop_assert_eq!(entry.record.kind(), "budget_line");
            }
            Ok(())
        }
        Err(violations) => check_records(violations, |l| {
            l.strip_prefix("fuzz.se:")
                .is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n > 0))
        }),
    }
}

fn sie_file() -> impl Strategy<Value = Vec<u8>> {
    let example = (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(line_edit(), 0..5),
        prop::collection::vec(byte_edit(), 0..2),
    )
        .prop_map(|(keep_checksum, crlf, edits, bytes)| {
            // Without #KSUMMA the edits reach the reading past the checksum.
            let mut lines: Vec<Vec<u8>> = SIE
                .split(|&b| b == b'\n')
                .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
                .filter(|l| keep_checksum || !l.starts_with(b"#KSUMMA"))
                .collect();
            apply_lines(&mut lines, &edits);
            let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
            let mut file = lines.join(end);
            apply_bytes(&mut file, &bytes);
            file
        });
    let made = prop::collection::vec(sie_line(), 0..12).prop_map(|lines| lines.join(&b'\n'));
    prop_oneof![
        6 => example,
        2 => made,
        1 => prop::collection::vec(any::<u8>(), 0..600),
    ]
}

#[test]
fn fuzz_sie() {
    run("sie", (sie_file(), any::<Index>()), |(file, cut)| {
        check_sie(&file, cut)
    });
}

#[test]
fn fuzz_sie_mapping() {
    let mapping = (
        prop::collection::vec(part_edit(snippet()), 0..3),
        prop::collection::vec(byte_edit(), 0..3),
    )
        .prop_map(|(edits, bytes)| {
            let mut lines: Vec<String> = SIE_MAPPING.lines().map(str::to_owned).collect();
            apply_parts(&mut lines, &edits);
            apply_text(&lines.join("\n"), &bytes)
        });
    run("sie_mapping", mapping, |text| match Mapping::parse(&text) {
        Ok(_) => Ok(()),
        Err(violation) => {
            prop_assert!(!violation.field.trim().is_empty(), "{:?}", violation);
            check_status(violation.into())
        }
    });
}

// ---- spreadsheets ----

static STAFFING_CSV: LazyLock<String> = LazyLock::new(|| read("data/examples/bemanning-2025.csv"));

/// A table: the example's rows, or an importable List's columns with made-up rows; its
/// cells edited. The first row is the header.
fn table() -> impl Strategy<Value = (Option<String>, Vec<Vec<String>>)> {
    let example = Just(
        STAFFING_CSV
            .lines()
            .map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
    )
    .prop_map(|rows| (None, rows));
    let list = (
        0..LISTS.len(),
        prop::collection::vec(
            prop::collection::vec(select(SNIPPETS).prop_map(str::to_owned), 0..40),
            0..3,
        ),
        any::<bool>(),
    )
        .prop_map(|(i, rows, named)| {
            let list = &LISTS[i];
            let mut table = vec![list.columns.clone()];
            for mut row in rows {
                row.resize(list.columns.len(), String::new());
                table.push(row);
            }
            (named.then(|| list.method.clone()), table)
        });
    let cell = prop_oneof![
        3 => select(SNIPPETS).prop_map(str::to_owned),
        1 => snippet(),
        1 => select(
            LISTS
                .iter()
                .flat_map(|l| l.columns.iter().cloned())
                .collect::<Vec<_>>()
        ),
    ]
    .boxed();
    (
        prop_oneof![example, list],
        prop::collection::vec((any::<Index>(), part_edit(cell)), 0..5),
        prop::collection::vec(any::<Index>(), 0..2),
    )
        .prop_map(|((sheet, mut rows), edits, drops)| {
            for (row, edit) in edits {
                if rows.is_empty() {
                    break;
                }
                let at = row.index(rows.len());
                apply_parts(&mut rows[at], std::slice::from_ref(&edit));
            }
            for row in drops {
                if rows.len() > 1 {
                    rows.remove(row.index(rows.len()));
                }
            }
            (sheet, rows)
        })
}

fn csv_text(rows: &[Vec<String>], separator: char) -> String {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|cell| {
                    if cell.contains([separator, '"', '\n', '\r']) {
                        format!("\"{}\"", cell.replace('"', "\"\""))
                    } else {
                        cell.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(&separator.to_string())
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn check_csv(bytes: Vec<u8>) -> Outcome {
    let mut notes = Vec::new();
    let located = |l: &str| {
        l.strip_prefix("fuzz.csv:")
            .is_some_and(|n| n.parse::<u64>().is_ok())
    };
    match sheet_csv::entries(std::io::Cursor::new(bytes), "fuzz.csv", 0, &mut notes) {
        Ok(rows) => {
            for row in rows {
                if let Err(error) = row {
                    check_import_error(error, located)?;
                }
            }
            Ok(())
        }
        Err(error) => check_import_error(error, located),
    }
}

#[test]
fn fuzz_sheet_csv() {
    let file = prop_oneof![
        4 => (table(), any::<bool>(), any::<bool>(), prop::collection::vec(byte_edit(), 0..3))
            .prop_map(|((_, rows), semicolons, bom, edits)| {
                let mut text = csv_text(&rows, if semicolons { ';' } else { ',' });
                if bom {
                    text.insert(0, '\u{feff}');
                }
                let mut bytes = text.into_bytes();
                apply_bytes(&mut bytes, &edits);
                bytes
            }),
        1 => prop::collection::vec(any::<u8>(), 0..600),
    ];
    run("sheet_csv", file, check_csv);
}

/// A cell of a workbook: text, or a typed value as Excel keeps it.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    Date(u16, u8, u8),
}

fn workbook(sheets: &[(String, Vec<Vec<Cell>>)]) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        // A name Excel refuses is left to the default: the header then names the List.
        let _ = sheet.set_name(name);
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                let _ = match cell {
                    Cell::Text(text) => sheet.write_string(r, c, text).map(|_| ()),
                    Cell::Number(n) => sheet.write_number(r, c, *n).map(|_| ()),
                    Cell::Bool(b) => sheet.write_boolean(r, c, *b).map(|_| ()),
                    Cell::Date(y, m, d) => match ExcelDateTime::from_ymd(*y, *m, *d) {
                        Ok(day) => sheet
                            .write_datetime_with_format(r, c, &day, &date)
                            .map(|_| ()),
                        Err(_) => Ok(()),
                    },
                };
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

/// Cells as a person's spreadsheet holds them: numbers as numbers, dates as dates.
fn typed(rows: &[Vec<String>]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|text| {
                    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
                    match (text.parse::<f64>(), date) {
                        (Ok(n), _) => Cell::Number(n),
                        (_, Some(d)) => {
                            use chrono::Datelike;
                            Cell::Date(d.year() as u16, d.month() as u8, d.day() as u8)
                        }
                        _ if text == "true" || text == "false" => Cell::Bool(text == "true"),
                        _ => Cell::Text(text.clone()),
                    }
                })
                .collect()
        })
        .collect()
}

fn check_xlsx(bytes: Vec<u8>) -> Outcome {
    let mut notes = Vec::new();
    let located = |l: &str| l.starts_with("fuzz.xlsx");
    match sheet_xlsx::entries(bytes, "fuzz.xlsx", 0, &mut notes) {
        Ok(rows) => {
            for row in rows {
                if let Err(error) = row {
                    check_import_error(error, located)?;
                }
            }
            Ok(())
        }
        Err(error) => check_import_error(error, located),
    }
}

/// Valid workbooks made once, to damage byte by byte: building one per case would cost
/// more than reading it.
static WORKBOOKS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let staffing: Vec<Vec<String>> = STAFFING_CSV
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let mut wrong = staffing.clone();
    wrong[1][3] = "many".to_owned();
    let mut books = vec![
        workbook(&[("Sheet1".to_owned(), typed(&staffing))]),
        workbook(&[("ListHeadcounts".to_owned(), typed(&wrong))]),
    ];
    let mut all = Vec::new();
    for list in LISTS.iter() {
        let row = list.columns.iter().map(|_| "1".to_owned()).collect();
        all.push((list.method.clone(), typed(&[list.columns.clone(), row])));
    }
    books.push(workbook(&all));
    books
});

#[test]
fn fuzz_sheet_xlsx_bytes() {
    let file = prop_oneof![
        5 => (0..WORKBOOKS.len(), prop::collection::vec(byte_edit(), 1..4)).prop_map(
            |(i, edits)| {
                let mut bytes = WORKBOOKS[i].clone();
                apply_bytes(&mut bytes, &edits);
                bytes
            }
        ),
        1 => prop::collection::vec(any::<u8>(), 0..600),
    ];
    run("sheet_xlsx_bytes", file, check_xlsx);
}

#[test]
fn fuzz_sheet_xlsx_cells() {
    let cell_edit = prop_oneof![
        Just(None),
        any::<f64>().prop_map(|n| Some(Cell::Number(n))),
        any::<bool>().prop_map(|b| Some(Cell::Bool(b))),
        (1900..10000_u16, 1..=12_u8, 1..=31_u8).prop_map(|(y, m, d)| Some(Cell::Date(y, m, d))),
    ];
    let book = (
        table(),
        prop::collection::vec((any::<Index>(), any::<Index>(), cell_edit), 0..3),
        select(
            &[
                "Sheet1",
                "ListBudgetLines",
                "budget_lines",
                "Position",
                "",
                "x/y",
            ][..],
        ),
    )
        .prop_map(|((named, rows), typed_edits, other_name)| {
            let mut cells = typed(&rows);
            for (r, c, cell) in typed_edits {
                if let Some(cell) = cell
                    && !cells.is_empty()
                {
                    let row = r.index(cells.len());
                    if !cells[row].is_empty() {
                        let col = c.index(cells[row].len());
                        cells[row][col] = cell;
                    }
                }
            }
            let name = named.unwrap_or_else(|| other_name.to_owned());
            workbook(&[(name, cells)])
        });
    run("sheet_xlsx_cells", book, check_xlsx);
}

// ---- page tokens and change cursors ----

/// A page token: the service's own (for these or other filters), or one edited.
fn token_text<K: Serialize + Debug + Clone + 'static>(
    key: BoxedStrategy<K>,
) -> impl Strategy<Value = (String, Option<(u64, i64, K)>)> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let issued = (prop_oneof![Just(FILTERS), any::<u64>()], any::<i64>(), key)
        .prop_map(|(f, t, k)| (paging::encode(f, Instant(t), &k), Some((f, t, k))))
        .boxed();
    prop_oneof![
        3 => issued.clone(),
        3 => (issued.clone(), prop::collection::vec(byte_edit(), 1..3))
            .prop_map(|((token, _), edits)| (apply_text(&token, &edits), None)),
        // The JSON inside edited, then encoded again: past base64, into the token's fields.
        3 => (issued, prop::collection::vec(byte_edit(), 1..3)).prop_map(|((token, _), edits)| {
            let mut json = URL_SAFE_NO_PAD.decode(token).expect("issued token");
            apply_bytes(&mut json, &edits);
            (URL_SAFE_NO_PAD.encode(json), None)
        }),
        1 => any::<String>().prop_map(|s| (s, None)),
        1 => prop::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| (URL_SAFE_NO_PAD.encode(b), None)),
    ]
}

const FILTERS: u64 = 0x5eed_f00d;

fn check_token<K>(token: &str, issued: Option<(u64, i64, K)>) -> Outcome
where
    K: DeserializeOwned + Serialize + PartialEq + Debug,
{
    match paging::start::<K>(token, FILTERS, Some(Instant(7))) {
        Ok((at, key)) => {
            if let Some((f, t, k)) = issued {
                prop_assert_eq!(f, FILTERS, "a token of other filters was taken");
                prop_assert_eq!(at, Instant(t));
                prop_assert_eq!(key.as_ref(), Some(&k));
            }
            if token.is_empty() {
                prop_assert_eq!(at, Instant(7));
            }
            Ok(())
        }
        Err(violation) => {
            // The rule: a token the service issued is refused only for other filters, and
            // says so; anything else is not a page token of this service.
            if let Some((f, _, _)) = issued {
                prop_assert_ne!(f, FILTERS, "an issued token was refused: {:?}", violation);
                prop_assert!(violation.description.contains("other filter values"));
            }
            check_violation(violation, "page_token")
        }
    }
}

#[test]
fn fuzz_page_tokens() {
    let row_key = prop::collection::vec(
        prop_oneof![
            any::<i64>().prop_map(KeyPart::Int),
            any::<String>().prop_map(KeyPart::Text),
            (-100_000..100_000_i32, 1..=366_u32).prop_map(|(y, d)| KeyPart::Date(
                chrono::NaiveDate::from_yo_opt(y.clamp(-200_000, 200_000), d).unwrap_or_default()
            )),
        ],
        0..4,
    );
    let tokens = prop_oneof![
        token_text(any::<i64>().boxed()).prop_map(|(t, i)| (
            t,
            i.map(|(f, t, k)| (f, t, vec![KeyPart::Int(k)])),
            0
        )),
        token_text(any::<String>().boxed()).prop_map(|(t, i)| (
            t,
            i.map(|(f, t, k)| (f, t, vec![KeyPart::Text(k)])),
            1
        )),
        token_text((any::<i32>(), any::<String>()).boxed()).prop_map(|(t, i)| (
            t,
            i.map(|(f, t, (a, b))| (f, t, vec![KeyPart::Int(a.into()), KeyPart::Text(b)])),
            2
        )),
        token_text(row_key.boxed()).prop_map(|(t, i)| (t, i, 3)),
    ];
    // Each token is read as every key type the services use; the one it was issued for
    // must round-trip, the others must be refused or read as some other key.
    run(
        "page_tokens",
        (tokens, any::<i32>()),
        |((token, issued, as_type), size)| {
            let back = |k: &RowKey| -> Option<(i64, String, (i32, String))> {
                match k.as_slice() {
                    [KeyPart::Int(i)] => Some((*i, String::new(), (0, String::new()))),
                    [KeyPart::Text(s)] => Some((0, s.clone(), (0, String::new()))),
                    [KeyPart::Int(a), KeyPart::Text(b)] => {
                        Some((0, String::new(), (i32::try_from(*a).ok()?, b.clone())))
                    }
                    _ => None,
                }
            };
            let given = |wanted: usize| issued.clone().filter(|_| as_type == wanted);
            check_token::<i64>(
                &token,
                given(0).and_then(|(f, t, k)| Some((f, t, back(&k)?.0))),
            )?;
            check_token::<String>(
                &token,
                given(1).and_then(|(f, t, k)| Some((f, t, back(&k)?.1))),
            )?;
            check_token::<(i32, String)>(
                &token,
                given(2).and_then(|(f, t, k)| Some((f, t, back(&k)?.2))),
            )?;
            check_token::<RowKey>(&token, given(3))?;
            match paging::PageRequest::parse(size, &token) {
                Ok(page) => {
                    prop_assert!(size >= 0 && (1..=paging::MAX_PAGE_SIZE).contains(&page.size))
                }
                Err(violation) => {
                    prop_assert!(size < 0);
                    check_violation(violation, "page_size")?;
                }
            }
            Ok(())
        },
    );
}

#[test]
fn fuzz_change_cursors() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let cursor = prop_oneof![
        2 => any::<i64>().prop_map(|id| encode_cursor(id.max(0))),
        3 => (any::<i64>(), prop::collection::vec(byte_edit(), 1..3))
            .prop_map(|(id, edits)| apply_text(&encode_cursor(id), &edits)),
        2 => (select(&["c1:", "c2:", "c1", ""][..]), snippet())
            .prop_map(|(prefix, rest)| URL_SAFE_NO_PAD.encode(format!("{prefix}{rest}"))),
        1 => any::<i64>().prop_map(|id| URL_SAFE_NO_PAD.encode(format!("c1:{id}"))),
        1 => any::<String>(),
    ];
    run(
        "change_cursors",
        (cursor, select(&["after", "since"][..])),
        |(cursor, field)| match decode_cursor(&cursor, field) {
            Ok(id) => {
                prop_assert!(id >= 0);
                prop_assert_eq!(decode_cursor(&encode_cursor(id), field), Ok(id));
                Ok(())
            }
            Err(violation) => check_violation(violation, field),
        },
    );
}

// ---- regressions found by these targets ----

/// record_text found it: `kind =value` gave a violation whose field was empty.
#[test]
fn a_value_without_a_key_names_a_field() {
    let line = "investment_figure = fiscal_year=2025 from_month=1 to_month=4 outcome_tkr=0";
    let violations = TextReader::new("fuzz.txt", 0)
        .line(1, line)
        .expect_err("no key");
    assert_eq!(violations[0].field, "key");
    check_text(line).expect("every violation names a field");
}

/// Seen while writing page_tokens: a token carrying the request's filter fingerprint but a
/// key of another shape (edited, or of another list) reached the query and came back
/// INTERNAL ("a page key of the wrong length"). It is now an invalid page_token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_key_of_another_shape_is_an_invalid_page_token() {
    use crate::common::{TestApp, assert_error, for_each_backend};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use uppsikt::proto::v1 as pb;
    for_each_backend(true, async |app: &TestApp| {
        let mut client = app.budget();
        let request = |page_token: String| pb::ListBudgetLinesRequest {
            page_size: 1,
            page_token,
            ..Default::default()
        };
        let first = client
            .list_budget_lines(request(String::new()))
            .await
            .expect("first page")
            .into_inner();
        let issued: serde_json::Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(&first.next_page_token)
                .expect("base64"),
        )
        .expect("JSON");
        let mut retyped = issued["k"].clone();
        retyped[0] = serde_json::json!({"d": "2025-01-01"});
        // A text part holding a NUL, which PostgreSQL's text cannot hold.
        let mut nul = issued["k"].clone();
        let text = nul
            .as_array_mut()
            .and_then(|parts| parts.iter_mut().find(|part| part.get("s").is_some()))
            .expect("a key with a text part");
        *text = serde_json::json!({"s": "HSN\u{0}"});
        for key in [
            serde_json::json!([]),
            serde_json::json!([{"i": 1}]),
            retyped,
            nul,
        ] {
            let mut forged = issued.clone();
            forged["k"] = key;
            let token = URL_SAFE_NO_PAD.encode(forged.to_string());
            let status = client
                .list_budget_lines(request(token))
                .await
                .expect_err("a key of another shape");
            assert_error(&status, Code::InvalidArgument, Some("page_token"));
        }
        client
            .list_budget_lines(request(first.next_page_token))
            .await
            .expect("the issued token reads on");
    })
    .await;
}
