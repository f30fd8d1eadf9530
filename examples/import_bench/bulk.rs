//! Fresh databases with the schema and the definitions, and each database's own bulk load of
//! the ledger's CSV into `budget_lines`, run by its own command-line client.

use super::data::Files;
use super::process;
use sea_orm::{ConnectionTrait, Database, Statement};
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

pub enum Backend {
    Sqlite,
    /// The admin URL.
    Postgres(String),
    Mariadb(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
            Backend::Mariadb(_) => "MariaDB",
        }
    }

    pub fn bulk_name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite3 .import + INSERT … SELECT",
            Backend::Postgres(_) => "psql \\copy",
            Backend::Mariadb(_) => "multi-row INSERT, 1 000 rows each",
        }
    }
}

/// A database made for one load.
pub struct Target {
    pub url: String,
    /// SQLite: the file; the others: the database's name.
    file: Option<PathBuf>,
    name: String,
}

/// The columns the CSV fills, in order.
const COLUMNS: &str =
    "org_unit_code, category_code, fiscal_year, from_month, to_month, scenario, amount_sek";
const DOCUMENT: &str = "import_bench: the ledger";

fn server_url(admin: &str, name: &str) -> String {
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    format!("{base}/{name}")
}

/// A fresh database with the schema and the units and categories, made by `uppsikt` itself.
pub async fn prepare(
    backend: &Backend,
    work: &Path,
    uppsikt: &Path,
    files: &Files,
) -> anyhow::Result<Target> {
    let name = format!(
        "uppsikt_import_bench_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros() % 1_000_000
    );
    let target = match backend {
        Backend::Sqlite => {
            let file = work.join(format!("{name}.db"));
            Target {
                url: format!("sqlite://{}?mode=rwc", file.display()),
                file: Some(file),
                name,
            }
        }
        Backend::Postgres(admin) | Backend::Mariadb(admin) => {
            let db = Database::connect(admin).await?;
            db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            db.close().await?;
            Target {
                url: server_url(admin, &name),
                file: None,
                name,
            }
        }
    };
    let run = process::run(uppsikt, &["import", "--database-url", &target.url])
        .arg_path(&files.definitions)
        .finish()?;
    anyhow::ensure!(run.success, "definitions: {}", run.stderr);
    Ok(target)
}

pub async fn drop_target(backend: &Backend, target: Target) -> anyhow::Result<()> {
    match backend {
        Backend::Sqlite => {
            if let Some(file) = &target.file {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                }
            }
        }
        Backend::Postgres(admin) | Backend::Mariadb(admin) => {
            let db = Database::connect(admin).await?;
            db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {}", target.name))
                .await?;
            db.close().await?;
        }
    }
    Ok(())
}

pub async fn count_lines(_backend: &Backend, target: &Target) -> anyhow::Result<i64> {
    let db = Database::connect(&target.url).await?;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM budget_lines",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no count"))?;
    let count = row.try_get_by_index::<i64>(0)?;
    db.close().await?;
    Ok(count)
}

/// Loads the CSV into `target`'s `budget_lines` the backend's own way; the seconds it took.
pub fn load(backend: &Backend, target: &Target, files: &Files, work: &Path) -> anyhow::Result<f64> {
    let csv = files.csv.display();
    let run = match backend {
        Backend::Sqlite => {
            let script = work.join("bulk-sqlite.sql");
            std::fs::write(
                &script,
                format!(
                    "CREATE TEMP TABLE staging(org_unit_code TEXT, category_code TEXT, \
                     fiscal_year INTEGER, from_month INTEGER, to_month INTEGER, scenario TEXT, \
                     amount_sek INTEGER);\n\
                     BEGIN;\n\
                     .mode csv\n\
                     .import '{csv}' staging\n\
                     INSERT INTO budget_lines ({COLUMNS}, source_document, import_id, recorded_at) \
                     SELECT {COLUMNS}, '{DOCUMENT}', (SELECT MAX(id) FROM imports), 0 FROM staging;\n\
                     COMMIT;\n"
                ),
            )?;
            let file = target.file.as_ref().expect("a SQLite target has a file");
            process::run(Path::new("sqlite3"), &["-bail"])
                .arg_path(file)
                .stdin_file(&script)?
                .finish()?
        }
        Backend::Postgres(_) => {
            // The columns the CSV leaves out get a default first (outside the timing).
            let prepare = format!(
                "ALTER TABLE budget_lines ALTER COLUMN source_document SET DEFAULT '{DOCUMENT}', \
                 ALTER COLUMN import_id SET DEFAULT 1, ALTER COLUMN recorded_at SET DEFAULT 0"
            );
            let ready = process::run(
                Path::new("psql"),
                &[&target.url, "-v", "ON_ERROR_STOP=1", "-c", &prepare],
            )
            .finish()?;
            anyhow::ensure!(ready.success, "psql: {}", ready.stderr);
            let copy = format!("\\copy budget_lines ({COLUMNS}) FROM '{csv}' WITH (FORMAT csv)");
            process::run(
                Path::new("psql"),
                &[&target.url, "-v", "ON_ERROR_STOP=1", "-c", &copy],
            )
            .finish()?
        }
        Backend::Mariadb(_) => {
            let script = work.join("bulk-mariadb.sql");
            mariadb_inserts(&files.csv, &script)?;
            let (user, host, port) = mysql_parts(&target.url)?;
            process::run(
                Path::new("mariadb"),
                &["-h", &host, "-P", &port, "-u", &user, &target.name],
            )
            .stdin_file(&script)?
            .finish()?
        }
    };
    anyhow::ensure!(run.success, "{} bulk load: {}", backend.name(), run.stderr);
    Ok(run.seconds)
}

/// `mysql://user@host:port/db` → (user, host, port).
fn mysql_parts(url: &str) -> anyhow::Result<(String, String, String)> {
    let rest = url
        .strip_prefix("mysql://")
        .ok_or_else(|| anyhow::anyhow!("not a mysql:// URL: {url}"))?;
    let (authority, _) = rest.split_once('/').unwrap_or((rest, ""));
    let (user, hostport) = authority.split_once('@').unwrap_or(("root", authority));
    let user = user.split(':').next().unwrap_or("root");
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
    Ok((user.to_owned(), host.to_owned(), port.to_owned()))
}

/// The CSV as multi-row INSERTs of 1 000 rows, in one transaction.
fn mariadb_inserts(csv: &Path, script: &Path) -> anyhow::Result<()> {
    let input = std::io::BufReader::new(std::fs::File::open(csv)?);
    let mut out = BufWriter::new(std::fs::File::create(script)?);
    writeln!(out, "SET autocommit = 0;")?;
    let mut in_statement = 0;
    for line in input.lines() {
        let line = line?;
        let f: Vec<&str> = line.split(',').collect();
        if in_statement == 0 {
            write!(
                out,
                "INSERT INTO budget_lines ({COLUMNS}, source_document, import_id, recorded_at) VALUES "
            )?;
        } else {
            write!(out, ",")?;
        }
        write!(
            out,
            "('{}','{}',{},{},{},'{}',{},'{DOCUMENT}',1,0)",
            f[0], f[1], f[2], f[3], f[4], f[5], f[6]
        )?;
        in_statement += 1;
        if in_statement == 1000 {
            writeln!(out, ";")?;
            in_statement = 0;
        }
    }
    if in_statement > 0 {
        writeln!(out, ";")?;
    }
    writeln!(out, "COMMIT;")?;
    out.flush()?;
    Ok(())
}
