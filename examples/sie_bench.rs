//! SIE 4 import benchmark: a year's ledger for 500 cost centres × 200 accounts × 12 months
//! (1.2 M `#PSALDO` lines, generated, with `#KSUMMA`) imported by the real `uppsikt import
//! --format sie4`, beside `uppsikt import` of the same budget lines in the record format
//! (summed by this generator on its own, not by the reader). Each import runs as its own
//! process under `/usr/bin/time -v`, which reports the wall time and the peak resident
//! memory; afterwards the two databases' exports must hold the same budget lines.
//!
//!   cargo build --release --bin uppsikt
//!   cargo run --release --example sie_bench
//!   cargo run --release --example sie_bench -- --centres 50     # a smaller ledger
//!
//! PostgreSQL and MariaDB are measured too when UPPSIKT_TEST_POSTGRES_URL /
//! UPPSIKT_TEST_MYSQL_URL are set (fresh databases are created and dropped).

use sea_orm::{ConnectionTrait, Database};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const ACCOUNTS_PER_CATEGORY: usize = 10;
const YEAR: i32 = 2025;

struct Shape {
    centres: usize,
    accounts: usize,
    months: usize,
}

/// The ledger's balance of `account` (index) for `centre` in `month`, in öre: income
/// accounts (the first fifth) credit (negative), the others debit, with öre.
fn balance(centre: usize, account: usize, month: usize) -> i64 {
    let base = ((centre * 7919 + account * 104_729 + month * 1_299_709) % 9_999_999) as i64 + 1;
    if account * 5 < 200 { -base } else { base }
}

fn object_id(centre: usize) -> String {
    format!("{:04}", centre)
}

fn account_number(account: usize) -> usize {
    3000 + account * 10
}

/// Writes the ledger, its mapping, the unit and category definitions, and the same budget
/// lines in the record format.
fn generate(dir: &Path, shape: &Shape) -> (PathBuf, PathBuf, PathBuf, PathBuf, usize) {
    let categories = shape.accounts.div_ceil(ACCOUNTS_PER_CATEGORY);
    // Definitions: a root, the cost centres, the categories.
    let definitions = dir.join("definitions.txt");
    let mut text = String::from(
        "source document=sie-bench\norg_unit code=ROOT name=Root kind=region valid_from=2000-01-01\n",
    );
    for centre in 0..shape.centres {
        let _ = writeln!(
            text,
            "org_unit code=KST-{} name=\"Kostnadsställe {centre}\" kind=cost_centre parent=ROOT valid_from=2000-01-01",
            object_id(centre)
        );
    }
    for c in 0..categories {
        let direction = if c * ACCOUNTS_PER_CATEGORY * 5 < 200 {
            "income"
        } else {
            "cost"
        };
        let _ = writeln!(
            text,
            "category code=C{c:02} name=C{c} direction={direction} order={c}"
        );
    }
    std::fs::write(&definitions, text).expect("definitions");

    // The mapping: the object id is the unit code after KST-, ten accounts a category.
    let mapping = dir.join("mapping.toml");
    let mut text = String::from(
        "sign = \"negate\"\n[cost_centres]\ndimension = 1\nunit_rule = \"KST-{id}\"\n[accounts]\nranges = [\n",
    );
    for c in 0..categories {
        let from = account_number(c * ACCOUNTS_PER_CATEGORY);
        let to = account_number((c + 1) * ACCOUNTS_PER_CATEGORY) - 1;
        let _ = writeln!(
            text,
            "  {{ from = {from}, to = {to}, category = \"C{c:02}\" }},"
        );
    }
    text.push_str("]\n");
    std::fs::write(&mapping, text).expect("mapping");

    // The ledger, CP437, with its checksum over the labels and field contents.
    let ledger = dir.join("ledger.se");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&ledger).expect("ledger"));
    let mut crc = crc32fast::Hasher::new();
    let mut line = |out: &mut std::io::BufWriter<std::fs::File>, text: &str, fields: &[&str]| {
        let bytes: Vec<u8> = text
            .chars()
            .map(|c| match c {
                'å' => 0x86,
                'ä' => 0x84,
                'ö' => 0x94,
                c => c as u8,
            })
            .collect();
        out.write_all(&bytes).expect("write");
        out.write_all(b"\r\n").expect("write");
        if !fields.is_empty() {
            for field in fields {
                crc.update(field.as_bytes());
            }
        }
    };
    line(&mut out, "#FLAGGA 0", &[]);
    line(&mut out, "#KSUMMA", &[]);
    for (text, fields) in [
        (
            "#PROGRAM \"sie_bench\" 1.0",
            vec!["#PROGRAM", "sie_bench", "1.0"],
        ),
        ("#FORMAT PC8", vec!["#FORMAT", "PC8"]),
        ("#GEN 20250410", vec!["#GEN", "20250410"]),
        ("#SIETYP 4", vec!["#SIETYP", "4"]),
        (
            "#RAR 0 20250101 20251231",
            vec!["#RAR", "0", "20250101", "20251231"],
        ),
        (
            "#DIM 1 \"Kostnadsstalle\"",
            vec!["#DIM", "1", "Kostnadsstalle"],
        ),
    ] {
        line(&mut out, text, &fields);
    }
    for centre in 0..shape.centres {
        let id = object_id(centre);
        line(
            &mut out,
            &format!("#OBJEKT 1 \"{id}\" \"Kostnadsstalle {centre}\""),
            &["#OBJEKT", "1", &id, &format!("Kostnadsstalle {centre}")],
        );
    }
    for account in 0..shape.accounts {
        let number = account_number(account).to_string();
        line(
            &mut out,
            &format!("#KONTO {number} \"Konto {number}\""),
            &["#KONTO", &number, &format!("Konto {number}")],
        );
    }
    let mut sums: BTreeMap<(usize, usize, usize), i128> = BTreeMap::new();
    let mut psaldo = 0;
    for month in 1..=shape.months {
        let period = format!("{YEAR}{month:02}");
        for account in 0..shape.accounts {
            let number = account_number(account).to_string();
            for centre in 0..shape.centres {
                let ore = balance(centre, account, month);
                let amount = format!(
                    "{}{}.{:02}",
                    if ore < 0 { "-" } else { "" },
                    ore.abs() / 100,
                    ore.abs() % 100
                );
                let id = object_id(centre);
                line(
                    &mut out,
                    &format!("#PSALDO 0 {period} {number} {{1 \"{id}\"}} {amount}"),
                    &["#PSALDO", "0", &period, &number, "1", &id, &amount],
                );
                *sums
                    .entry((centre, account / ACCOUNTS_PER_CATEGORY, month))
                    .or_insert(0) += i128::from(ore);
                psaldo += 1;
            }
        }
    }
    let checksum = crc.finalize();
    out.write_all(format!("#KSUMMA {checksum}\r\n").as_bytes())
        .expect("write");
    out.flush().expect("flush");

    // The same budget lines in the record format: negated, each sum rounded once, half
    // away from zero.
    let records = dir.join("records.txt");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&records).expect("records"));
    writeln!(out, "source document=records.txt").expect("write");
    for ((centre, category, month), ore) in &sums {
        let signed = -ore;
        let kronor = signed / 100
            + match signed % 100 {
                r if r >= 50 => 1,
                r if r <= -50 => -1,
                _ => 0,
            };
        writeln!(
            out,
            "budget_line org_unit=KST-{} category=C{category:02} fiscal_year={YEAR} from_month={month} to_month={month} scenario=actual amount_sek={kronor}",
            object_id(*centre)
        )
        .expect("write");
    }
    out.flush().expect("flush");
    (definitions, mapping, ledger, records, psaldo)
}

/// Runs `uppsikt` under `/usr/bin/time -v`: (seconds, peak RSS in MiB, stdout).
fn timed(uppsikt: &Path, url: &str, args: &[&str]) -> (f64, f64, String) {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(uppsikt)
        .args(args)
        .env("UPPSIKT_DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run /usr/bin/time");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "uppsikt {args:?}: {stderr}");
    let field = |name: &str| {
        stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss):");
    let seconds = wall.split(':').fold(0.0, |total, part| {
        total * 60.0 + part.parse::<f64>().unwrap_or(0.0)
    });
    let rss_kib: f64 = field("Maximum resident set size (kbytes):")
        .parse()
        .unwrap_or(f64::NAN);
    (
        seconds,
        rss_kib / 1024.0,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A fresh database of `backend`: its URL and what to drop afterwards.
async fn fresh(backend: &str, dir: &Path, name: &str) -> (String, Option<(String, String)>) {
    let env = match backend {
        "sqlite" => {
            return (
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.join(format!("{name}.db")).display()
                ),
                None,
            );
        }
        "postgres" => "UPPSIKT_TEST_POSTGRES_URL",
        _ => "UPPSIKT_TEST_MYSQL_URL",
    };
    let admin = std::env::var(env).expect("admin URL");
    let db_name = format!("uppsikt_siebench_{}_{name}", std::process::id());
    let db = Database::connect(&admin).await.expect("admin");
    db.execute_unprepared(&format!("CREATE DATABASE {db_name}"))
        .await
        .expect("create");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    (format!("{base}/{db_name}"), Some((admin, db_name)))
}

async fn drop_database(cleanup: Option<(String, String)>) {
    if let Some((admin, name)) = cleanup {
        let db = Database::connect(&admin).await.expect("admin");
        let _ = db
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
            .await;
    }
}

/// The budget lines of a database's export, without their sources, sorted.
fn budget_lines(uppsikt: &Path, url: &str) -> Vec<String> {
    let out = Command::new(uppsikt)
        .arg("export")
        .env("UPPSIKT_DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("export");
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("budget_line "))
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let shape = Shape {
        centres: arg("--centres", 500),
        accounts: arg("--accounts", 200),
        months: arg("--months", 12).clamp(1, 12),
    };
    let exe = std::env::current_exe().expect("exe");
    let uppsikt = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("uppsikt"))
        .filter(|p| p.exists())
        .expect("the uppsikt binary beside the examples: cargo build --release --bin uppsikt");
    let dir = tempfile::tempdir().expect("temp dir");
    let started = std::time::Instant::now();
    let (definitions, mapping, ledger, records, psaldo) = generate(dir.path(), &shape);
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len()) as f64 / 1_048_576.0;
    println!(
        "ledger: {} cost centres × {} accounts × {} months = {psaldo} #PSALDO lines, {:.1} MiB; \
         record format: {:.1} MiB; generated in {:.1} s; {} cores",
        shape.centres,
        shape.accounts,
        shape.months,
        size(&ledger),
        size(&records),
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut backends = vec!["sqlite"];
    if std::env::var("UPPSIKT_TEST_POSTGRES_URL").is_ok() {
        backends.push("postgres");
    }
    if std::env::var("UPPSIKT_TEST_MYSQL_URL").is_ok() {
        backends.push("mariadb");
    }
    println!(
        "{:<9} {:<28} {:>9} {:>14} {:>13}",
        "backend", "import", "seconds", "peak RSS MiB", "budget lines"
    );
    for backend in backends {
        let mut exports = Vec::new();
        for (label, import_args) in [
            (
                "SIE 4 (--format sie4)",
                vec![
                    "import",
                    "--format",
                    "sie4",
                    ledger.to_str().expect("path"),
                    "--mapping",
                    mapping.to_str().expect("path"),
                ],
            ),
            (
                "record format",
                vec!["import", records.to_str().expect("path")],
            ),
        ] {
            let name = if label.starts_with("SIE") {
                "sie"
            } else {
                "records"
            };
            let (url, cleanup) = fresh(backend, dir.path(), name).await;
            timed(
                &uppsikt,
                &url,
                &["import", definitions.to_str().expect("path")],
            );
            let (seconds, peak, stdout) = timed(&uppsikt, &url, &import_args);
            let inserted = stdout
                .lines()
                .find(|l| l.starts_with("budget_line"))
                .and_then(|l| l.split_whitespace().nth(2))
                .unwrap_or("?")
                .to_owned();
            println!("{backend:<9} {label:<28} {seconds:>9.1} {peak:>14.1} {inserted:>13}");
            exports.push(budget_lines(&uppsikt, &url));
            drop_database(cleanup).await;
        }
        assert!(
            !exports[0].is_empty() && exports[0] == exports[1],
            "{backend}: the two imports stored different budget lines"
        );
        println!(
            "{backend:<9} both imports stored the same {} budget lines",
            exports[0].len()
        );
    }
}
