//! The planner's statistics after a large import. PostgreSQL plans from statistics that
//! autovacuum refreshes a while after a change of a tenth of a table (or never, where it is
//! off); until then the first load of a table is planned as if it were empty, and a summary
//! over it sorts on disk where a hash would do. So an import that changed that much of a
//! table analyzes it before it commits: the statistics are then part of the import.

use super::backend::Backend;
use super::error::StoreError;
use sea_orm::{ConnectionTrait, Statement};

/// Analyzes, in the import's transaction, each table it changed by at least a tenth (and
/// 1 000 rows). Only PostgreSQL: MariaDB recalculates InnoDB statistics by itself at that
/// rate, and SQLite's plans here do not depend on statistics.
pub async fn refresh_changed_tables(txn: &impl ConnectionTrait) -> Result<(), StoreError> {
    if Backend::from(txn.get_database_backend()) != Backend::Postgres {
        return Ok(());
    }
    // pg_stat_xact_user_tables counts this transaction's own changes (with, on PostgreSQL
    // 15, those of the session's recent transactions not yet reported: at worst an extra
    // ANALYZE, never a missed one).
    let changed = txn
        .query_all_raw(Statement::from_string(
            txn.get_database_backend(),
            "SELECT x.schemaname::text, x.relname::text FROM pg_stat_xact_user_tables x \
             JOIN pg_class c ON c.oid = x.relid \
             WHERE x.n_tup_ins + x.n_tup_upd + x.n_tup_del \
                   >= GREATEST(1000, 0.1 * GREATEST(c.reltuples, 0))",
        ))
        .await?;
    let quoted = |name: String| format!("\"{}\"", name.replace('"', "\"\""));
    for row in changed {
        let schema = quoted(row.try_get_by_index(0)?);
        let table = quoted(row.try_get_by_index(1)?);
        txn.execute_unprepared(&format!("ANALYZE {schema}.{table}"))
            .await?;
    }
    Ok(())
}
