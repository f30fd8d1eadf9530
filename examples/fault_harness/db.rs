//! Fresh databases for the harness, and the counts it checks, queried directly.

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

/// A database made for one part of the harness, dropped when done.
pub struct Fresh {
    pub label: &'static str,
    pub url: String,
    admin: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Fresh {
    pub fn sqlite() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        Ok(Self {
            label: "sqlite",
            url: format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("fault.db").display()
            ),
            admin: None,
            _dir: Some(dir),
        })
    }

    /// A new database on the server `admin_url` points at.
    pub async fn server(label: &'static str, admin_url: &str, tag: &str) -> anyhow::Result<Self> {
        let name = format!("uppsikt_fault_{tag}_{}", std::process::id());
        let admin = Database::connect(admin_url).await?;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
            .await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        admin.close().await?;
        let (base, query) = match admin_url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (admin_url, String::new()),
        };
        let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
        Ok(Self {
            label,
            url: format!("{base}/{name}{query}"),
            admin: Some((admin_url.to_owned(), name)),
            _dir: None,
        })
    }

    pub async fn drop_database(&self) {
        if let Some((admin_url, name)) = &self.admin
            && let Ok(admin) = Database::connect(admin_url).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                .await;
            let _ = admin.close().await;
        }
    }
}

pub async fn count(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row for {sql}"))?;
    Ok(row.try_get_by_index(0)?)
}

/// What one import wrote: budget lines, org units and change-log entries of the facts whose
/// source document is `document`, and import-log rows whose document ends with `log_name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub lines: i64,
    pub units: i64,
    pub changes: i64,
    pub logged: i64,
}

impl Written {
    pub fn nothing(&self) -> bool {
        *self
            == Self {
                lines: 0,
                units: 0,
                changes: 0,
                logged: 0,
            }
    }
}

pub async fn written(
    db: &DatabaseConnection,
    document: &str,
    log_name: &str,
) -> anyhow::Result<Written> {
    Ok(Written {
        lines: count(
            db,
            &format!("SELECT COUNT(*) FROM budget_lines WHERE source_document = '{document}'"),
        )
        .await?,
        units: count(
            db,
            &format!("SELECT COUNT(*) FROM org_units WHERE source_document = '{document}'"),
        )
        .await?,
        changes: count(
            db,
            &format!("SELECT COUNT(*) FROM changes WHERE source_document = '{document}'"),
        )
        .await?,
        logged: count(
            db,
            &format!("SELECT COUNT(*) FROM imports WHERE source_document LIKE '%{log_name}'"),
        )
        .await?,
    })
}
