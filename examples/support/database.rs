//! A new database on the server an admin URL names, for a benchmark or harness run.

use sea_orm::{ConnectionTrait, Database};

/// Creates database `name` (dropping one of that name first) beside the one `admin_url`
/// names; returns its URL, with `admin_url`'s query.
pub async fn create(admin_url: &str, name: &str) -> anyhow::Result<String> {
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
    Ok(format!("{base}/{name}{query}"))
}
