//! SIE 4 from the ledger, on every backend: the made-up example (data/examples) sent through
//! the Import RPC in chunks and summed by SummarizeBudget to the totals worked out by hand
//! from the file; broken copies rejected naming line and field with nothing written; the
//! same file as UTF-8 and Windows-1252; a corrected month; and the command line.

use crate::common;

use common::{TestApp, assert_error, for_each_backend};
use std::collections::BTreeMap;
use tonic::Code;
use tonic_types::StatusExt;
use uppsikt::import::sie::Encoding;
use uppsikt::proto::v1 as pb;

const DOCUMENT: &str = "huvudbok-2025.se";

fn example() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/examples/huvudbok-2025.se"
    ))
    .expect("example ledger")
}

fn mapping() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/examples/huvudbok-2025.mapping.toml"
    ))
    .expect("example mapping")
}

/// The file's lines (CRLF kept off), to edit.
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .filter(|l| !l.is_empty())
        .collect()
}

fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
        .collect()
}

/// The example without its checksum, with `line` inserted before the first `#PBUDGET`;
/// returns the file and the inserted line's number.
fn with_line(line: &str) -> (Vec<u8>, usize) {
    let mut all: Vec<Vec<u8>> = lines(&example())
        .into_iter()
        .filter(|l| !l.starts_with(b"#KSUMMA"))
        .collect();
    let at = all
        .iter()
        .position(|l| l.starts_with(b"#PBUDGET"))
        .expect("budget lines");
    all.insert(at, line.as_bytes().to_vec());
    (join(&all), at + 1)
}

/// The example's text in another encoding (its characters are all Latin-1 or ASCII).
fn recoded(encoding: Encoding) -> Vec<u8> {
    let text = Encoding::Cp437.decode(&example()).expect("CP437 decodes");
    match encoding {
        Encoding::Utf8 => text.into_bytes(),
        Encoding::Windows1252 => text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
            .collect(),
        Encoding::Cp437 => example(),
    }
}

/// Sends `bytes` as a SIE 4 file in chunks of 97 bytes.
async fn import(
    app: &TestApp,
    bytes: &[u8],
    dry_run: bool,
    request_id: &str,
) -> Result<pb::ImportResponse, tonic::Status> {
    let header = pb::ImportHeader {
        source: Some(pb::ImportSource {
            document: DOCUMENT.to_owned(),
            ..Default::default()
        }),
        request_id: request_id.to_owned(),
        dry_run,
        file: None,
    };
    let file = pb::ImportFile {
        format: pb::FileFormat::Sie4 as i32,
        mapping: mapping(),
    };
    common::import_file(app, header, file, bytes, 97).await
}

fn counts(response: &pb::ImportResponse) -> (i64, i64, i64) {
    let c = response
        .counts
        .iter()
        .find(|c| c.kind == "budget_line")
        .expect("budget lines counted");
    (c.inserted, c.superseded, c.unchanged)
}

/// Actual and budget per category of Regionstaben's subtree (where the ledger's cost
/// centres sit) for January–March 2025, and the derived totals.
async fn summary(
    app: &TestApp,
    as_of: Option<prost_types::Timestamp>,
) -> pb::SummarizeBudgetResponse {
    app.budget()
        .summarize_budget(pb::SummarizeBudgetRequest {
            org_unit: "orgUnits/RS-RST".to_owned(),
            fiscal_year: 2025,
            from_month: 1,
            to_month: 3,
            as_of,
            ..Default::default()
        })
        .await
        .expect("summary")
        .into_inner()
}

fn by_category(
    summary: &pb::SummarizeBudgetResponse,
) -> BTreeMap<String, (Option<i64>, Option<i64>)> {
    summary.groups[0]
        .categories
        .iter()
        .map(|c| {
            let f = c.figures.clone().unwrap_or_default();
            (
                c.category.trim_start_matches("categories/").to_owned(),
                (f.actual_sek, f.budget_sek),
            )
        })
        .collect()
}

/// Nothing of the ledger is stored: no 2025 line in Regionstaben's subtree.
async fn assert_nothing_written(app: &TestApp) {
    let lines = app
        .budget()
        .list_budget_lines(pb::ListBudgetLinesRequest {
            org_unit: "orgUnits/RS-RST".to_owned(),
            include_descendants: true,
            fiscal_year: 2025,
            ..Default::default()
        })
        .await
        .expect("lines")
        .into_inner();
    assert!(
        lines.budget_lines.is_empty(),
        "{}: {:?}",
        app.label,
        lines.budget_lines
    );
}

#[tokio::test]
async fn the_example_ledger_sums_to_the_totals_worked_out_by_hand() {
    for_each_backend(true, async |app: &TestApp| {
        let response = import(app, &example(), false, "ledger-2025-q1").await.expect("imported");
        assert_eq!(counts(&response), (60, 0, 0), "{}", app.label);

        // The file's #PSALDO lines, signed as the reports print them (SIE books income as a
        // credit, negative) and each line's sum rounded once, half away from zero.
        let forsaljning = 84_501 /* 3510 kst 1700 jan: -84 500.50 */ + 91_200 + 88_700 /* -88 700.25 */
            + 120_000 + 118_000 + 125_500; // kst 605
        let ovriga_intakter = 45_000 + 45_000 + 46_500; // 3910 kst 617
        let personal = -(412_300 + 415_800 /* 415 800.40 */ + 418_200) // 5010 kst 1700
            - (198_400 + 199_100 + 201_300) // kst 604
            - (356_901 /* 356 900.75 */ + 357_400 + 360_101 /* 360 100.50 */); // kst 605
        let konsult = -(15_750 /* 15 750.25 */ + 31_500) // 7610 kst 1700 (none in February)
            - (22_000 + 8_500 + 15_000) // kst 604; the project line {1 "604" 6 "P12"} is part of the 22 000
            - (90_000 /* 89 999.50 */ + 104_250 + 67_400); // kst 605
        // 7010: 45 000 a month on kst 617; January's total is 60 000, so 15 000 was booked
        // without a cost centre and goes to Regionstaben (without_object).
        let fastighet = -(45_000 * 3) - 15_000;
        let summary = summary(app, None).await;
        let actual: BTreeMap<String, Option<i64>> =
            by_category(&summary).into_iter().map(|(c, (a, _))| (c, a)).collect();
        let expected: BTreeMap<String, Option<i64>> = [
            ("FORSALJNING", forsaljning),
            ("OVRIGA_INTAKTER", ovriga_intakter),
            ("PERSONALKOSTNADER", personal),
            ("KONSULTKOSTNADER", konsult),
            ("FASTIGHETSKOSTNADER", fastighet),
        ]
        .into_iter()
        .map(|(c, v)| (c.to_owned(), Some(v)))
        .collect();
        assert_eq!(actual, expected, "{}", app.label);
        // #PBUDGET: the same budget each month.
        let budget: BTreeMap<String, Option<i64>> =
            by_category(&summary).into_iter().map(|(c, (_, b))| (c, b)).collect();
        assert_eq!(budget["FORSALJNING"], Some(3 * (85_000 + 120_000)), "{}", app.label);
        assert_eq!(budget["OVRIGA_INTAKTER"], Some(3 * 45_000), "{}", app.label);
        assert_eq!(budget["PERSONALKOSTNADER"], Some(-3 * (410_000 + 200_000 + 355_000)), "{}", app.label);
        assert_eq!(budget["KONSULTKOSTNADER"], Some(-3 * (20_000 + 15_000 + 90_000)), "{}", app.label);
        assert_eq!(budget["FASTIGHETSKOSTNADER"], Some(-3 * 45_000), "{}", app.label);
        let totals = summary.totals.expect("totals");
        let income = forsaljning + ovriga_intakter;
        let cost = personal + konsult + fastighet;
        assert_eq!(totals.income.and_then(|f| f.actual_sek), Some(income), "{}", app.label);
        assert_eq!(totals.gross_cost.and_then(|f| f.actual_sek), Some(cost), "{}", app.label);
        assert_eq!(totals.net_cost.and_then(|f| f.actual_sek), Some(income + cost), "{}", app.label);

        // Provenance: the file and its SIE record on each line, #PROGRAM and #GEN in the log.
        let line = app
            .budget()
            .list_budget_lines(pb::ListBudgetLinesRequest {
                org_unit: "orgUnits/KST-1700".to_owned(),
                fiscal_year: 2025,
                scenario: pb::Scenario::Budget as i32,
                ..Default::default()
            })
            .await
            .expect("lines")
            .into_inner()
            .budget_lines
            .remove(0);
        let provenance = line.provenance.expect("provenance");
        assert_eq!((provenance.document.as_str(), provenance.table.as_str()), (DOCUMENT, "#PBUDGET"));
        let log = app
            .imports()
            .list_imports(pb::ListImportsRequest::default())
            .await
            .expect("log")
            .into_inner();
        let source = log.imports[0].source.clone().expect("source");
        assert_eq!(
            source.system,
            "SIE 4 från Påhittat Ekonomisystem 4.2, genererad 2025-04-07, Region Jämtland \
             Härjedalen (påhittat exempel)",
            "{}",
            app.label
        );

        // The same request id again: the first result, nothing more written.
        let again = import(app, &example(), false, "ledger-2025-q1").await.expect("replayed");
        assert!(again.replayed, "{}", app.label);
        assert_eq!(counts(&again), (60, 0, 0), "{}", app.label);
        // The same file under a new id: every line unchanged.
        let unchanged = import(app, &example(), true, "").await.expect("dry run");
        assert_eq!(counts(&unchanged), (0, 0, 60), "{}", app.label);
    })
    .await;
}

#[tokio::test]
async fn a_broken_file_is_rejected_naming_line_and_field_with_nothing_written() {
    for_each_backend(true, async |app: &TestApp| {
        let mut cases: Vec<(&str, Vec<u8>, usize, &str)> = Vec::new();
        let (file, line) = with_line("#PSALDO 0 202501 5010 {1 \"9999\"} 100.00");
        cases.push((
            "an object #OBJEKT does not declare",
            file,
            line,
            "objektlista",
        ));
        let (file, line) = with_line("#PSALDO 0 202503 5010 {1 \"604\"");
        cases.push(("a truncated line", file, line, "objektlista"));
        let (file, line) = with_line("#PSALDO 0 202502 5010 {1 \"604\"} 12x.00");
        cases.push(("an amount that is not a number", file, line, "saldo"));
        let (file, line) = with_line("#PSALDO 0 202601 5010 {1 \"604\"} 100.00");
        cases.push(("a period outside #RAR 0 (2025)", file, line, "period"));
        let (file, line) = with_line("#PSALDO 0 202501 4010 {1 \"604\"} 100.00");
        cases.push(("an account #KONTO does not declare", file, line, "konto"));
        let (file, line) = with_line("#PSALDO 0 202501 5010 {} 1.00");
        cases.push(("a repeated account total", file, line, "objektlista"));
        // An account outside every range of the mapping (and no accounts.other).
        let mut all = lines(&with_line("#KONTO 8310 \"Ränteintäkter, påhittade\"").0);
        let at = all
            .iter()
            .position(|l| l.starts_with(b"#PBUDGET"))
            .expect("budget");
        all.insert(at, b"#PSALDO 0 202502 8310 {1 \"605\"} -250.00".to_vec());
        cases.push(("an unmapped account", join(&all), at + 1, "konto"));
        // The checksum of the untouched file, one digit changed.
        let mut all = lines(&example());
        let last = all.len();
        let ksumma = all.last_mut().expect("#KSUMMA last");
        let digit = ksumma.last_mut().expect("a digit");
        *digit = if *digit == b'9' { b'0' } else { *digit + 1 };
        cases.push(("a wrong #KSUMMA", join(&all), last, "kontrollsumma"));
        // A file cut short: its checksum is opened and never closed.
        let mut cut = lines(&example());
        cut.truncate(cut.len() - 10);
        let end = cut.len();
        cases.push(("a file cut short", join(&cut), end, "kontrollsumma"));

        for (what, file, line, field) in cases {
            let status = import(app, &file, false, "").await.expect_err(what);
            let expected = format!("{DOCUMENT}:{line}.{field}");
            assert_error(&status, Code::InvalidArgument, Some(&expected));
            let violations = status
                .get_error_details()
                .bad_request()
                .expect("BadRequest")
                .field_violations
                .clone();
            assert_eq!(violations.len(), 1, "{}: {what}: {violations:?}", app.label);
            assert_nothing_written(app).await;
        }

        // An object the mapping's rule makes a unit code of that no unit has: rejected by
        // the write path's reference check, at the line of its first balance.
        let mut all = lines(&with_line("#OBJEKT 1 \"1799\" \"Påhittad avdelning\"").0);
        let at = all
            .iter()
            .position(|l| l.starts_with(b"#PBUDGET"))
            .expect("budget");
        all.insert(at, b"#PSALDO 0 202501 5010 {1 \"1799\"} 100.00".to_vec());
        let status = import(app, &join(&all), false, "")
            .await
            .expect_err("unknown unit");
        assert_error(
            &status,
            Code::InvalidArgument,
            Some(&format!("{DOCUMENT}:{}.org_unit", at + 1)),
        );
        assert!(
            status.message().contains("KST-1799"),
            "{}",
            status.message()
        );
        assert_nothing_written(app).await;
        let log = app
            .imports()
            .list_imports(pb::ListImportsRequest::default())
            .await
            .expect("log");
        assert!(
            log.into_inner()
                .imports
                .iter()
                .all(|i| i.source.as_ref().is_none_or(|s| s.document != DOCUMENT))
        );
    })
    .await;
}

#[tokio::test]
async fn the_same_file_in_utf8_or_windows_1252_gives_the_same_figures_and_names() {
    for_each_backend(true, async |app: &TestApp| {
        // An unmapped account with å ä ö in its name: the error names it alike whatever the
        // file's encoding.
        let unmapped = |bytes: Vec<u8>, encoding: Encoding| {
            let text = encoding.decode(&bytes).expect("decodes");
            let text = text.replace(
                "#PBUDGET 0 202501 3510",
                "#KONTO 8310 \"Ränteintäkter, påhittade\"\r\n#PSALDO 0 202501 8310 {1 \"605\"} -1.00\r\n#PBUDGET 0 202501 3510",
            );
            match encoding {
                Encoding::Utf8 => text.into_bytes(),
                Encoding::Windows1252 => text.chars().map(|c| u32::from(c) as u8).collect(),
                Encoding::Cp437 => text.chars().map(|c| {
                    let mut buffer = [0; 4];
                    let bytes = uppsikt::import::sie::encoding::utf8_as_cp437(c.encode_utf8(&mut buffer).as_bytes());
                    bytes.expect("CP437 character")[0]
                }).collect(),
            }
        };
        let mut descriptions = Vec::new();
        for encoding in [Encoding::Cp437, Encoding::Utf8, Encoding::Windows1252] {
            let status = import(app, &unmapped(recoded(encoding), encoding), true, "").await.expect_err("unmapped");
            let details = status.get_error_details();
            let violation = details.bad_request().expect("BadRequest").field_violations.iter()
                .find(|v| v.field.ends_with(".konto")).expect("the account named").clone();
            assert!(violation.description.contains("Ränteintäkter, påhittade"), "{:?}: {}", encoding, violation.description);
            descriptions.push(violation.description);
        }
        assert!(descriptions.windows(2).all(|w| w[0] == w[1]), "{descriptions:?}");

        // The UTF-8 copy keeps its #KSUMMA (computed on the PC8 original); the Windows-1252
        // copy is sent without one.
        let windows = join(&lines(&recoded(Encoding::Windows1252)).into_iter().filter(|l| !l.starts_with(b"#KSUMMA")).collect::<Vec<_>>());
        let mut figures = Vec::new();
        let mut systems = Vec::new();
        for (i, file) in [example(), recoded(Encoding::Utf8), windows].into_iter().enumerate() {
            let response = import(app, &file, false, "").await.expect("imported");
            let expected = if i == 0 { (60, 0, 0) } else { (0, 0, 60) };
            assert_eq!(counts(&response), expected, "{}: copy {i}", app.label);
            figures.push(by_category(&summary(app, None).await));
            let log = app.imports().list_imports(pb::ListImportsRequest::default()).await.expect("log").into_inner();
            systems.push(log.imports[0].source.clone().expect("source").system);
        }
        assert!(figures.windows(2).all(|w| w[0] == w[1]), "{}: {figures:?}", app.label);
        assert!(systems.iter().all(|s| s.contains("Påhittat Ekonomisystem") && s.contains("Jämtland Härjedalen")), "{systems:?}");
        assert!(systems.windows(2).all(|w| w[0] == w[1]), "{systems:?}");
    })
    .await;
}

#[tokio::test]
async fn a_corrected_month_supersedes_only_that_months_lines() {
    for_each_backend(true, async |app: &TestApp| {
        let first = import(app, &example(), false, "").await.expect("imported");
        let before = summary(app, None).await;
        // March again, with kst 604's salaries corrected from 201 300.00 to 205 000.00.
        let march: Vec<Vec<u8>> = lines(&example())
            .into_iter()
            .filter(|l| !l.starts_with(b"#KSUMMA"))
            .filter(|l| {
                !(l.starts_with(b"#PSALDO") || l.starts_with(b"#PBUDGET"))
                    || l.windows(7).any(|w| w == b" 202503")
            })
            .map(|l| {
                if l == b"#PSALDO 0 202503 5010 {1 \"604\"} 201300.00" {
                    b"#PSALDO 0 202503 5010 {1 \"604\"} 205000.00".to_vec()
                } else {
                    l
                }
            })
            .collect();
        let corrected = import(app, &join(&march), false, "")
            .await
            .expect("corrected");
        // March holds 10 actual and 10 budget lines; one of them changed.
        assert_eq!(counts(&corrected), (0, 1, 19), "{}", app.label);
        let after = summary(app, None).await;
        let personal = |s: &pb::SummarizeBudgetResponse| by_category(s)["PERSONALKOSTNADER"].0;
        assert_eq!(
            personal(&after),
            personal(&before).map(|v| v - (205_000 - 201_300)),
            "{}",
            app.label
        );
        // January and February stay as the first import wrote them.
        let lines = app
            .budget()
            .list_budget_lines(pb::ListBudgetLinesRequest {
                org_unit: "orgUnits/RS-604".to_owned(),
                fiscal_year: 2025,
                category: "categories/PERSONALKOSTNADER".to_owned(),
                scenario: pb::Scenario::Actual as i32,
                ..Default::default()
            })
            .await
            .expect("lines")
            .into_inner()
            .budget_lines;
        let imports: Vec<(i32, String)> = lines
            .iter()
            .map(|l| {
                (
                    l.span.expect("span").from_month,
                    l.provenance.clone().expect("provenance").import,
                )
            })
            .collect();
        assert_eq!(imports[0], (1, first.r#import.clone()), "{}", app.label);
        assert_eq!(imports[1], (2, first.r#import.clone()), "{}", app.label);
        assert_eq!(imports[2], (3, corrected.r#import.clone()), "{}", app.label);
        // As reported before the correction.
        let recorded = chrono::DateTime::parse_from_rfc3339(&first.recorded_at).expect("instant");
        let as_of = prost_types::Timestamp {
            seconds: recorded.timestamp(),
            nanos: recorded.timestamp_subsec_nanos() as i32,
        };
        assert_eq!(
            by_category(&summary(app, Some(as_of)).await),
            by_category(&before),
            "{}",
            app.label
        );
    })
    .await;
}

#[test]
fn the_command_line_imports_the_examples_and_names_a_bad_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_uppsikt"))
            .args(args)
            .env("UPPSIKT_DATABASE_URL", &database)
            .env("RUST_LOG", "warn")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run uppsikt")
    };
    assert!(run(&["load-demo"]).status.success());
    let sie = "data/examples/huvudbok-2025.se";
    let toml = "data/examples/huvudbok-2025.mapping.toml";
    let out = run(&["import", "--format", "sie4", sie, "--mapping", toml]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("budget_line") && stdout.contains("inserted       60"),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("36 #PSALDO and 30 #PBUDGET read (CP437)")
    );

    // The example spreadsheet, in ListHeadcounts' export columns.
    let out = run(&["import", "data/examples/bemanning-2025.csv"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("headcount") && stdout.contains("inserted        4"),
        "{stdout}"
    );

    let (broken, line) = with_line("#PSALDO 0 202502 5010 {1 \"604\"} 12x.00");
    let path = dir.path().join("trasig.se");
    std::fs::write(&path, broken).expect("write");
    let out = run(&["import", path.to_str().expect("path"), "--mapping", toml]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!(
            "trasig.se:{line}: saldo: \"12x.00\" is not an amount"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
}
