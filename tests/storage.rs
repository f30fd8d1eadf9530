//! The SQLite default: WAL mode and a pool of readers, so concurrent reads do not queue on
//! one connection (checked by holding several connections open at once, not by timing).

use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use std::time::Duration;
use uppsikt::store::Store;

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
