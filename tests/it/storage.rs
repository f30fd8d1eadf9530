//! The SQLite default: WAL mode and a pool of readers, so concurrent reads do not queue on
//! one connection (checked by holding several connections open at once, not by timing); and
//! on every backend, the indexes that serve the lists' orders, and the list pages' rows
//! decoded by position as sea-orm decodes them by name.

use crate::common;

use common::{TestApp, TestDatabase, load_fixture};
use sea_orm::{
    Condition, ConnectionTrait, DbBackend, IdenStatic, ModelTrait, Statement, TransactionTrait,
    Value,
};
use std::collections::HashMap;
use std::time::Duration;
use uppsikt::domain::access::Grant;
use uppsikt::domain::instant::Instant;
use uppsikt::store::Store;
use uppsikt::store::entities::{
    assignment, budget_line, headcount, hired_staff, investment, position, sick_leave, worked_hours,
};
use uppsikt::store::listing::{Listed, page};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_runs_in_wal_mode_with_a_pool_of_readers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("wal.db").display());
    let store = Store::open(&url).await.expect("open");
    let db = store.db();
    let mode = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA journal_mode",
        ))
        .await
        .expect("pragma")
        .expect("a row");
    assert_eq!(mode.try_get_by_index::<String>(0).expect("mode"), "wal");

    // Four read transactions open at the same time: with a single pooled connection the
    // second `begin` would wait for the first to end, and this would time out.
    let mut open = Vec::new();
    for _ in 0..4 {
        let txn = tokio::time::timeout(Duration::from_secs(10), db.begin())
            .await
            .expect("a connection of its own while the others are held")
            .expect("begin");
        txn.query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM org_units",
        ))
        .await
        .expect("read");
        open.push(txn);
    }
    for txn in open {
        txn.rollback().await.expect("rollback");
    }
    store.close().await.expect("close");
}

/// The columns of index `index` on `table`, in index order, from the database's catalog.
async fn index_columns(db: &impl ConnectionTrait, table: &str, index: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            format!("SELECT name FROM pragma_index_info('{index}') ORDER BY seqno")
        }
        DbBackend::Postgres => format!(
            "SELECT a.attname::text FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE c.relname = '{index}' \
             ORDER BY array_position(i.indkey::int2[], a.attnum)"
        ),
        _ => format!(
            "SELECT column_name FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND table_name = '{table}' \
               AND index_name = '{index}' ORDER BY seq_in_index"
        ),
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap_or_else(|e| panic!("{index}: {e}"))
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("a column name"))
        .collect()
}

fn order_of<E: Listed>() -> Vec<String> {
    E::order().iter().map(|c| c.as_str().to_owned()).collect()
}

/// Each list's index holds the list's order (`Listed::order`), so a keyset page is an index
/// range scan and not a sort: the order's columns in turn, then the row id. SQLite and
/// InnoDB add the primary key to every index themselves; PostgreSQL needs it named
/// (migrations `m20261207_000009` and `m20261208_000010`).
#[tokio::test]
async fn every_list_order_has_an_index_in_that_order_ending_with_the_row_id() {
    for database in common::TestDatabase::all().await {
        let store = Store::open(&database.url).await.expect("open");
        let db = store.db();
        let lists = [
            ("budget_lines", order_of::<budget_line::Entity>()),
            ("headcounts", order_of::<headcount::Entity>()),
            ("worked_hours", order_of::<worked_hours::Entity>()),
            ("hired_staff", order_of::<hired_staff::Entity>()),
            ("sick_leave", order_of::<sick_leave::Entity>()),
            ("positions", order_of::<position::Entity>()),
        ]
        .map(|(table, order)| (table, format!("ix_{table}_list_order"), order));
        // Object lists: the key's index serves the order too (migration 10).
        let objects = [
            (
                "investments",
                "investment_id",
                order_of::<investment::Entity>(),
            ),
            ("assignments", "code", order_of::<assignment::Entity>()),
        ]
        .map(|(table, key, order)| (table, format!("ix_{table}_{key}"), order));
        for (table, index, mut order) in lists.into_iter().chain(objects) {
            assert_eq!(
                order.pop().as_deref(),
                Some("id"),
                "{table}: the order ends with id"
            );
            if db.get_database_backend() == DbBackend::Postgres {
                order.push("id".to_owned());
            }
            assert_eq!(
                index_columns(db, table, &index).await,
                order,
                "{}: {index}",
                database.label
            );
        }
        store.close().await.expect("close");
    }
}

/// Compares one list's page, decoded by position (`store::positional`), with the same
/// rows as sea-orm's derived decoding reads them by name; returns how many of the page's
/// rows had `superseded_at` set and how many had it NULL.
async fn page_decodes_as_sea_orm<E: Listed>(
    store: &Store,
    as_of: Instant,
    label: &str,
) -> (usize, usize)
where
    E::Model: PartialEq + std::fmt::Debug,
{
    let db = store.reader();
    let id = *E::order().last().expect("an order");
    let by_name: HashMap<Value, E::Model> = E::find()
        .all(db)
        .await
        .expect("sea-orm's own read")
        .into_iter()
        .map(|model| (model.get(id), model))
        .collect();
    // With the org version read beside the rows: the model's columns still decode first.
    let everything = Grant::region()
        .unfiltered()
        .expect("the region reaches every unit");
    let read = page::<E>(
        db,
        &everything,
        Condition::all(),
        as_of,
        None,
        1_000_000,
        true,
    )
    .await
    .expect("a page");
    assert!(read.next.is_none(), "{label}: one page holds every row");
    assert!(read.org_version.is_some(), "{label}: the org version read");
    assert!(!read.rows.is_empty(), "{label}: the data set has rows");
    let superseded_at = E::history_columns().1;
    let mut counts = (0, 0);
    for row in &read.rows {
        assert_eq!(Some(row), by_name.get(&row.get(id)), "{label}");
        match row.get(superseded_at) {
            Value::BigInt(None) => counts.1 += 1,
            _ => counts.0 += 1,
        }
    }
    counts
}

/// Every list decodes its rows by position (`store::positional`, not sea-orm's lookup by
/// name): each row of each list equals sea-orm's own decoding of it, NULLs included, on
/// every backend. Read as of an instant before a correction, so that some rows carry the
/// `superseded_at` the correction gave them.
#[tokio::test]
async fn list_pages_decode_their_rows_as_sea_orm_does() {
    for database in TestDatabase::all().await {
        let app = TestApp::with_demo(database).await;
        load_fixture(&app, "staffing.txt").await;
        let before = Instant::now();
        tokio::time::sleep(Duration::from_millis(5)).await;
        load_fixture(&app, "staffing-correction.txt").await;
        let store = &app.store;
        let label = app.label;
        let counts = [
            page_decodes_as_sea_orm::<budget_line::Entity>(store, before, label).await,
            page_decodes_as_sea_orm::<headcount::Entity>(store, before, label).await,
            page_decodes_as_sea_orm::<worked_hours::Entity>(store, before, label).await,
            page_decodes_as_sea_orm::<hired_staff::Entity>(store, before, label).await,
            page_decodes_as_sea_orm::<sick_leave::Entity>(store, before, label).await,
            page_decodes_as_sea_orm::<position::Entity>(store, before, label).await,
            page_decodes_as_sea_orm::<investment::Entity>(store, before, label).await,
            page_decodes_as_sea_orm::<assignment::Entity>(store, before, label).await,
        ];
        let superseded: usize = counts.iter().map(|c| c.0).sum();
        let current: usize = counts.iter().map(|c| c.1).sum();
        assert!(
            superseded > 0 && current > 0,
            "{label}: rows with superseded_at set ({superseded}) and NULL ({current})"
        );
        app.stop().await;
    }
}

/// On PostgreSQL an import that changes a tenth of a table (and 1 000 rows) leaves the
/// table analyzed, so the next summary is planned from its real size; a table it changed
/// less is not analyzed. The other backends keep their own statistics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_import_leaves_the_planner_statistics_of_the_tables_it_changed() {
    use uppsikt::proto::v1 as pb;
    use uppsikt::proto::v1::import_record::Kind;
    common::for_each_backend(false, async |app: &TestApp| {
        let db = app.store.db();
        if db.get_database_backend() != DbBackend::Postgres {
            return;
        }
        let estimate = async |table: &str| -> f64 {
            db.query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                // The test's own schema's table (others may be in the same database).
                format!(
                    "SELECT reltuples::float8 FROM pg_class WHERE oid = to_regclass('{table}')"
                ),
            ))
            .await
            .expect("pg_class")
            .expect("a row")
            .try_get_by_index(0)
            .expect("reltuples")
        };
        let import = async |document: &str, lines: usize| {
            // One unit and one category: too few rows to analyze their tables.
            let unit = pb::OrgUnitRecord {
                code: "ST".into(),
                name: "Statistik".into(),
                kind: pb::OrgUnitKind::Department as i32,
                valid_from: "2020-01-01".into(),
                ..Default::default()
            };
            let category = pb::CategoryRecord {
                code: "SC".into(),
                name: "Statistik".into(),
                direction: pb::Direction::Cost as i32,
                ..Default::default()
            };
            let mut messages = vec![
                common::import_header(document),
                common::import_record(Kind::OrgUnit(unit)),
                common::import_record(Kind::Category(category)),
            ];
            messages.extend((0..lines).map(|n| {
                common::import_record(Kind::BudgetLine(pb::BudgetLineRecord {
                    org_unit: "ST".into(),
                    category: "SC".into(),
                    fiscal_year: 1900 + (n / 12) as i32,
                    from_month: (n % 12 + 1) as i32,
                    to_month: (n % 12 + 1) as i32,
                    scenario: pb::Scenario::Actual as i32,
                    amount_sek: n as i64 + 1,
                }))
            }));
            app.imports()
                .import(futures::stream::iter(messages))
                .await
                .expect("import");
        };
        // Never analyzed: PostgreSQL 14 and later say -1.
        assert!(estimate("budget_lines").await <= 0.0, "{}", app.label);
        import("first", 3000).await;
        assert_eq!(estimate("budget_lines").await, 3000.0, "{}", app.label);
        assert!(
            estimate("org_units").await <= 0.0,
            "one unit is no tenth of 1 000 rows"
        );
    })
    .await;
}
