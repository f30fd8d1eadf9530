//! The floors the server is measured against: hand-written SQL on the same kind of
//! connection the server uses (`Store::connect`: for SQLite WAL and a pool of 8 readers),
//! and the proto encoding of a page of lines.

use prost::Message;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, Value};
use uppsikt::api::convert;
use uppsikt::domain::codes::{CategoryCode, OrgUnitCode};
use uppsikt::domain::instant::Instant;
use uppsikt::domain::period::MonthSpan;
use uppsikt::domain::provenance::Provenance;
use uppsikt::domain::scenario::Scenario;
use uppsikt::proto::v1 as pb;

/// `IN (…)` over `units` with placeholders numbered from `first`.
fn in_list(backend: DbBackend, first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn placeholder(backend: DbBackend, i: usize) -> String {
    in_list(backend, i, 1)
}

/// The transaction-time condition every read has: current now. Placeholders `first` and
/// `first + 1`.
fn current_now(backend: DbBackend, first: usize) -> String {
    format!(
        "recorded_at <= {} AND (superseded_at IS NULL OR superseded_at > {})",
        placeholder(backend, first),
        placeholder(backend, first + 1)
    )
}

/// One summed row: category, scenario, year, from, to, amount.
pub type SummedRow = (String, String, i32, i16, i16, i64);

/// What SummarizeBudget needs from the database, written by hand: actual and budget of
/// `year` and actual of the year before, summed per category, scenario, year and span over
/// the subtree's units.
pub async fn summary_sql(
    db: &DatabaseConnection,
    units: &[String],
    year: i32,
) -> Result<Vec<SummedRow>, String> {
    let backend = db.get_database_backend();
    let n = units.len();
    let sql = format!(
        "SELECT category_code, scenario, fiscal_year, from_month, to_month, \
                CAST(SUM(amount_sek) AS BIGINT) \
         FROM budget_lines \
         WHERE org_unit_code IN ({}) AND {} \
           AND ((fiscal_year = {} AND scenario IN ('actual', 'budget')) \
                OR (fiscal_year = {} AND scenario = 'actual')) \
         GROUP BY category_code, scenario, fiscal_year, from_month, to_month",
        in_list(backend, 1, n),
        current_now(backend, n + 1),
        placeholder(backend, n + 3),
        placeholder(backend, n + 4),
    );
    let now = Instant::now().micros();
    let mut values: Vec<Value> = units.iter().map(|u| u.as_str().into()).collect();
    values.extend([now.into(), now.into(), year.into(), (year - 1).into()]);
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .map_err(|e| e.to_string())?;
    rows.iter()
        .map(|r| -> Result<SummedRow, sea_orm::DbErr> {
            Ok((
                r.try_get_by_index(0)?,
                r.try_get_by_index(1)?,
                r.try_get_by_index(2)?,
                r.try_get_by_index(3)?,
                r.try_get_by_index(4)?,
                r.try_get_by_index(5)?,
            ))
        })
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())
}

/// The first page of ListBudgetLines written by hand: the same filter and order, 101 rows
/// (a page of 100 and one to know whether another page follows).
pub async fn page_sql(
    db: &DatabaseConnection,
    units: &[String],
) -> Result<Vec<QueryResult>, String> {
    let backend = db.get_database_backend();
    let n = units.len();
    let sql = format!(
        "SELECT id, org_unit_code, category_code, fiscal_year, from_month, to_month, scenario, \
                amount_sek, source_document, source_table, import_id, recorded_at, superseded_at \
         FROM budget_lines \
         WHERE org_unit_code IN ({}) AND {} \
         ORDER BY org_unit_code, category_code, fiscal_year, scenario, from_month, id \
         LIMIT 101",
        in_list(backend, 1, n),
        current_now(backend, n + 1),
    );
    let now = Instant::now().micros();
    let mut values: Vec<Value> = units.iter().map(|u| u.as_str().into()).collect();
    values.extend([now.into(), now.into()]);
    db.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .map_err(|e| e.to_string())
}

fn row_to_proto(r: &QueryResult) -> Result<pb::BudgetLine, sea_orm::DbErr> {
    let scenario: String = r.try_get_by_index(6)?;
    let scenario = Scenario::parse(&scenario, "scenario")
        .map_err(|v| sea_orm::DbErr::Custom(v.to_string()))?;
    let provenance = Provenance {
        document: r.try_get_by_index(8)?,
        table: r.try_get_by_index(9)?,
        import_id: r.try_get_by_index(10)?,
        recorded_at: Instant(r.try_get_by_index(11)?),
        superseded_at: r.try_get_by_index::<Option<i64>>(12)?.map(Instant),
    };
    Ok(pb::BudgetLine {
        org_unit: convert::org_unit_name(&OrgUnitCode::from_stored(r.try_get_by_index(1)?)),
        category: convert::category_name(&CategoryCode::from_stored(r.try_get_by_index(2)?)),
        span: Some(convert::span(MonthSpan::from_stored(
            r.try_get_by_index(3)?,
            r.try_get_by_index(4)?,
            r.try_get_by_index(5)?,
        ))),
        scenario: convert::scenario(scenario) as i32,
        amount_sek: r.try_get_by_index(7)?,
        provenance: Some(convert::provenance(&provenance)),
    })
}

/// The response a page of rows becomes: decoded, converted with the server's own
/// conversions, and encoded as the proto message (the page token aside).
pub fn encode_page(rows: &[QueryResult]) -> Result<(Vec<u8>, Vec<i64>), String> {
    let lines = rows
        .iter()
        .take(100)
        .map(row_to_proto)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let amounts = lines.iter().map(|l| l.amount_sek).collect();
    let response = pb::ListBudgetLinesResponse {
        budget_lines: lines,
        next_page_token: String::new(),
    };
    Ok((response.encode_to_vec(), amounts))
}
