//! Which current rows refer to a definition, so that a retraction cannot leave references
//! dangling: one list of (table, column) per kind that others refer to.

use super::error::StoreError;
use sea_orm::{ConnectionTrait, Statement};

/// A column that refers to a definition's code: (table, column, what its rows are).
type Reference = (&'static str, &'static str, &'static str);

/// Where the codes of each definition kind are referred to.
const REFERENCES: &[(&str, &[Reference])] = &[
    (
        "org_unit",
        &[
            ("org_units", "parent_code", "child units"),
            ("budget_lines", "org_unit_code", "budget lines"),
            ("investments", "org_unit_code", "investments"),
            ("headcounts", "org_unit_code", "headcounts"),
            ("worked_hours", "org_unit_code", "worked hours"),
            ("hired_staff", "org_unit_code", "hired staff"),
            ("sick_leave", "org_unit_code", "sick leave"),
            ("positions", "org_unit_code", "positions"),
            ("indicators", "org_unit_code", "indicators"),
            ("assignments", "org_unit_code", "assignments"),
        ],
    ),
    (
        "category",
        &[
            ("categories", "parent_code", "sub-categories"),
            ("budget_lines", "category_code", "budget lines"),
        ],
    ),
    (
        "profession_group",
        &[
            ("profession_groups", "parent_code", "sub-groups"),
            ("worked_hours", "profession_code", "worked hours"),
            ("hired_staff", "profession_code", "hired staff"),
            ("positions", "profession_code", "positions"),
        ],
    ),
    (
        "investment",
        &[("investment_figures", "investment_id", "investment figures")],
    ),
    (
        "indicator",
        &[
            ("indicator_targets", "indicator_code", "indicator targets"),
            ("indicator_outcomes", "indicator_code", "indicator outcomes"),
        ],
    ),
];

/// What still refers to `code` of `kind` among the current rows, if anything. An org unit
/// counts as gone only when none of its placements is current.
pub async fn referrer(
    db: &impl ConnectionTrait,
    kind: &str,
    code: &str,
) -> Result<Option<&'static str>, StoreError> {
    if kind == "org_unit" && exists(db, "org_units", "code", code).await? {
        return Ok(None);
    }
    let tables = REFERENCES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[][..], |(_, tables)| tables);
    for (table, column, what) in tables {
        if exists(db, table, column, code).await? {
            return Ok(Some(what));
        }
    }
    Ok(None)
}

/// Whether a current row of `table` has `column` = `value`.
async fn exists(
    db: &impl ConnectionTrait,
    table: &str,
    column: &str,
    value: &str,
) -> Result<bool, StoreError> {
    let backend = db.get_database_backend();
    let placeholder = match backend {
        sea_orm::DatabaseBackend::Postgres => "$1",
        _ => "?",
    };
    let sql = format!(
        "SELECT 1 FROM {table} WHERE {column} = {placeholder} AND superseded_at IS NULL LIMIT 1"
    );
    Ok(db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [value.into()]))
        .await?
        .is_some())
}
