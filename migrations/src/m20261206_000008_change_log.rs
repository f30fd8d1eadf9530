//! The change log behind `ChangeService.ListChanges`: one row per fact an import inserted,
//! superseded (a correction) or retracted, written in the import's transaction under the
//! write lock, so that ids increase in commit order and a reader that has seen id N has seen
//! every change before it. Existing history is backfilled in the same order (import by
//! import, org units first, then the kinds in the importer's order, retractions before
//! writes, rows by id), so that an existing database gets a complete feed.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CODE_LEN: u32 = 64;
const TEXT_LEN: u32 = 255;

#[derive(DeriveIden, Clone, Copy)]
enum Changes {
    Table,
    Id,
    ImportId,
    RecordedAt,
    Kind,
    Action,
    RowId,
    OrgUnitCode,
    SourceDocument,
    SourceTable,
}

/// Each fact table in the importer's order: its kind, its key columns (as migration 000006
/// lists them) and the SQL for the unit that owns a row (for the feed's org-unit filter).
/// Figures, targets and outcomes belong to the unit of their investment or indicator as it
/// stood when they were recorded; categories and profession groups are region-wide.
const TABLES: &[(&str, &str, &[&str], &str)] = &[
    ("org_units", "org_unit", &["code", "valid_from"], "t.code"),
    ("categories", "category", &["code"], "NULL"),
    ("profession_groups", "profession_group", &["code"], "NULL"),
    (
        "investments",
        "investment",
        &["investment_id"],
        "t.org_unit_code",
    ),
    (
        "indicators",
        "indicator",
        &["indicator_code"],
        "t.org_unit_code",
    ),
    (
        "budget_lines",
        "budget_line",
        &[
            "org_unit_code",
            "category_code",
            "scenario",
            "fiscal_year",
            "from_month",
            "to_month",
        ],
        "t.org_unit_code",
    ),
    (
        "investment_figures",
        "investment_figure",
        &["investment_id", "fiscal_year", "from_month", "to_month"],
        "(SELECT MIN(o.org_unit_code) FROM investments o WHERE o.investment_id = t.investment_id \
         AND o.recorded_at <= t.recorded_at \
         AND (o.superseded_at IS NULL OR o.superseded_at > t.recorded_at))",
    ),
    (
        "headcounts",
        "headcount",
        &["org_unit_code", "snapshot_date", "employee_group"],
        "t.org_unit_code",
    ),
    (
        "worked_hours",
        "worked_hours",
        UNIT_PROFESSION_SPAN,
        "t.org_unit_code",
    ),
    (
        "hired_staff",
        "hired_staff",
        UNIT_PROFESSION_SPAN,
        "t.org_unit_code",
    ),
    (
        "sick_leave",
        "sick_leave",
        &[
            "org_unit_code",
            "gender",
            "age_band",
            "length",
            "fiscal_year",
            "from_month",
            "to_month",
        ],
        "t.org_unit_code",
    ),
    (
        "positions",
        "position",
        &["org_unit_code", "snapshot_date", "profession_code"],
        "t.org_unit_code",
    ),
    (
        "indicator_targets",
        "indicator_target",
        &["indicator_code", "fiscal_year"],
        INDICATOR_OWNER,
    ),
    (
        "indicator_outcomes",
        "indicator_outcome",
        &["indicator_code", "fiscal_year", "from_month", "to_month"],
        INDICATOR_OWNER,
    ),
    (
        "assignments",
        "assignment",
        &["assignment_code"],
        "t.org_unit_code",
    ),
];

/// The key of worked hours and hired staff.
const UNIT_PROFESSION_SPAN: &[&str] = &[
    "org_unit_code",
    "profession_code",
    "fiscal_year",
    "from_month",
    "to_month",
];

const INDICATOR_OWNER: &str = "(SELECT MIN(o.org_unit_code) FROM indicators o \
     WHERE o.indicator_code = t.indicator_code AND o.recorded_at <= t.recorded_at \
     AND (o.superseded_at IS NULL OR o.superseded_at > t.recorded_at))";

/// Two SELECTs per table: every row ever written, as the change that wrote it (a correction
/// when a row of the same key was superseded at the instant it was recorded), and every row
/// superseded without a successor of the same key, as a retraction by the import of that
/// instant (from its source; retractions are logged before the writes of their kind).
fn backfill_selects(position: usize, table: &str, kind: &str, key: &[&str], owner: &str) -> String {
    let same_key = |alias: &str| {
        key.iter()
            .map(|c| format!("{alias}.{c} = t.{c}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    format!(
        "SELECT t.import_id AS import_id, t.recorded_at AS recorded_at, {position} AS kind_order, \
         1 AS phase, '{kind}' AS kind, \
         CASE WHEN EXISTS (SELECT 1 FROM {table} p WHERE p.superseded_at = t.recorded_at \
         AND {previous}) THEN 'superseded' ELSE 'inserted' END AS action, \
         t.id AS row_id, {owner} AS org_unit_code, t.source_document AS source_document, \
         t.source_table AS source_table FROM {table} t \
         UNION ALL \
         SELECT i.id, t.superseded_at, {position}, 0, '{kind}', 'retracted', t.id, {owner}, \
         i.source_document, i.source_table FROM {table} t \
         JOIN imports i ON i.recorded_at = t.superseded_at \
         WHERE t.superseded_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} n \
         WHERE n.recorded_at = t.superseded_at AND {next})",
        previous = same_key("p"),
        next = same_key("n"),
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    // The feed position: assigned under the write lock, so in commit order.
                    .col(big_pk_auto(Changes::Id))
                    .col(big_integer(Changes::ImportId))
                    // The import's transaction time, microseconds.
                    .col(big_integer(Changes::RecordedAt))
                    .col(string_len(Changes::Kind, 32))
                    // inserted, superseded or retracted.
                    .col(string_len(Changes::Action, 16))
                    // The row of the kind's table: the new value, or the retracted one.
                    .col(big_integer(Changes::RowId))
                    // The unit the fact belongs to; NULL for region-wide definitions.
                    .col(string_len_null(Changes::OrgUnitCode, CODE_LEN))
                    // Where the change came from (a retraction's own source).
                    .col(string_len(Changes::SourceDocument, TEXT_LEN))
                    .col(string_len_null(Changes::SourceTable, TEXT_LEN))
                    .to_owned(),
            )
            .await?;
        let selects = TABLES
            .iter()
            .enumerate()
            .map(|(i, (table, kind, key, owner))| backfill_selects(i, table, kind, key, owner))
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO changes (import_id, recorded_at, kind, action, row_id, \
                 org_unit_code, source_document, source_table) \
                 SELECT import_id, recorded_at, kind, action, row_id, org_unit_code, \
                 source_document, source_table FROM ({selects}) history \
                 ORDER BY recorded_at, import_id, kind_order, phase, row_id"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Changes::Table).to_owned())
            .await
    }
}
