//! The command line: `uppsikt import` goes through the same validation and transaction as
//! the RPC, reports every error with file, line and field, and `--dry-run` writes nothing.

use std::path::Path;
use std::process::{Command, Output};

fn uppsikt(args: &[&str], database: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_uppsikt"))
        .args(args)
        .env("UPPSIKT_DATABASE_URL", database)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run uppsikt")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write");
    path.display().to_string()
}

const UNITS: &str = "source document=cli-test\n\
org_unit code=X name=X kind=region valid_from=2020-01-01\n\
category code=C name=C direction=cost order=1\n";

#[test]
fn import_reports_every_bad_line_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let bad = write(
        dir.path(),
        "bad.txt",
        &format!(
            "{UNITS}budget_line org_unit=X category=C fiscal_year=2025 from_month=1 to_month=4 scenario=actual amount_sek=-5\n\
             budget_line org_unit=X category=C fiscal_year=2025 from_month=13 to_month=4 scenario=actual amount_sek=-5\n\
             budget_line org_unit=Y category=C fiscal_year=2025 from_month=5 to_month=6 scenario=actual amount_tkr=1.5555\n"
        ),
    );
    let out = uppsikt(&["import", &bad], &database);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("bad.txt:5: from_month"), "{stderr}");
    assert!(stderr.contains("bad.txt:6: amount_tkr"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");

    // Nothing was written: not even the valid units and line before the errors.
    let export = uppsikt(&["export"], &database);
    assert!(export.status.success(), "{}", text(&export.stderr));
    assert!(
        !text(&export.stdout).contains("org_unit"),
        "{}",
        text(&export.stdout)
    );
}

#[test]
fn dry_run_counts_and_writes_nothing_then_import_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let good = write(
        dir.path(),
        "good.txt",
        &format!(
            "{UNITS}budget_line org_unit=X category=C fiscal_year=2025 from_month=1 to_month=4 scenario=actual amount_mkr=-1.5\n"
        ),
    );
    let dry = uppsikt(&["import", "--dry-run", &good], &database);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let stdout = text(&dry.stdout);
    assert!(stdout.contains("dry run"), "{stdout}");
    assert!(
        stdout.contains("budget_line") && stdout.contains("inserted        1"),
        "{stdout}"
    );
    assert!(!text(&uppsikt(&["export"], &database).stdout).contains("budget_line"));

    let real = uppsikt(&["import", "--request-id", "cli-1", &good], &database);
    assert!(real.status.success(), "{}", text(&real.stderr));
    let export = text(&uppsikt(&["export"], &database).stdout);
    assert!(export.contains("amount_sek=-1500000"), "{export}");

    let again = uppsikt(&["import", "--request-id", "cli-1", &good], &database);
    assert!(
        text(&again.stdout).contains("already applied"),
        "{}",
        text(&again.stdout)
    );
}

#[test]
fn categories_need_known_parents_and_corrections_supersede() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let first = write(dir.path(), "first.txt", UNITS);
    assert!(uppsikt(&["import", &first], &database).status.success());

    let orphan = write(
        dir.path(),
        "orphan.txt",
        "source document=cli-test\ncategory code=D name=D direction=cost parent=NOPE order=2\n",
    );
    let out = uppsikt(&["import", &orphan], &database);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("orphan.txt:2: parent: unknown category NOPE"),
        "{}",
        text(&out.stderr)
    );

    let correction = write(
        dir.path(),
        "correction.txt",
        "source document=cli-test\n\
         category code=C name=\"C renamed\" direction=cost order=1\n\
         category code=D name=D direction=cost parent=C order=2\n",
    );
    let out = uppsikt(&["import", &correction], &database);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "category             inserted        1  superseded        1  unchanged        0"
        ),
        "{stdout}"
    );
    let export = text(&uppsikt(&["export"], &database).stdout);
    assert!(export.contains("name=\"C renamed\""), "{export}");
}

/// `uppsikt openapi` prints the document `GET /openapi.json` serves, in either version.
#[test]
fn openapi_prints_the_document_in_both_versions() {
    let out = Command::new(env!("CARGO_BIN_EXE_uppsikt"))
        .args(["openapi"])
        .output()
        .expect("run uppsikt");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let document: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["servers"][0]["url"], "/");
    assert_eq!(
        document["paths"]["/uppsikt.v1.BudgetService/SummarizeBudget"]["post"]["operationId"],
        "BudgetService_SummarizeBudget"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_uppsikt"))
        .args([
            "openapi",
            "--version",
            "2.0",
            "--server",
            "https://uppsikt.example.se",
        ])
        .output()
        .expect("run uppsikt");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let swagger: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(swagger["swagger"], "2.0");
    assert_eq!(swagger["host"], "uppsikt.example.se");
    assert_eq!(swagger["schemes"], serde_json::json!(["https"]));

    let out = Command::new(env!("CARGO_BIN_EXE_uppsikt"))
        .args(["openapi", "--server", "not a url"])
        .output()
        .expect("run uppsikt");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--server"),
        "{}",
        text(&out.stderr)
    );
}
