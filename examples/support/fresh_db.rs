//! A database made for one run of a harness (fault_harness, soak) and dropped after it:
//! a file in a temporary directory on SQLite, a new database on a server (`database.rs`,
//! which the example includes beside this file).

use sea_orm::{ConnectionTrait, Database};

/// A database made for one part of a harness, dropped when done.
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
        let name = format!("uppsikt_{tag}_{}", std::process::id());
        let url = crate::database::create(admin_url, &name).await?;
        Ok(Self {
            label,
            url,
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
