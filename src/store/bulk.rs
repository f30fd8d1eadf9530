//! Rows written in bulk by the importer: the ids of a whole batch taken up front, so the
//! change log can name the rows without reading them back, and the rows sent as multi-row
//! INSERTs of bound values built once per batch.
//!
//! Only the importer writes these tables, and it holds the write lock (`write_lock`) across
//! every instance on the database, so no other writer draws ids meanwhile.

use super::error::StoreError;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityName, EntityTrait, IdenStatic, Iterable,
    Statement, Value,
};

/// Bound parameters per multi-row INSERT (SQLite, MySQL): under SQLite's 32 766 and MySQL's
/// 65 535. PostgreSQL takes one array per column instead (`insert_unnest`).
const MAX_PARAMETERS: usize = 30_000;

/// The first of `count` new ids of `table`, taken for this write (its id column's sequence
/// moved past them on PostgreSQL; on SQLite and MySQL an explicit id above every id the table
/// ever held moves its counter itself).
pub async fn take_ids(
    db: &impl ConnectionTrait,
    table: &str,
    count: usize,
) -> Result<i64, StoreError> {
    let backend = db.get_database_backend();
    let count = i64::try_from(count).map_err(|_| StoreError::Corrupt("too many rows".into()))?;
    let sql = match backend {
        // A block of `count` values: nextval gives the first, setval moves past the last.
        DbBackend::Postgres => format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             nextval(pg_get_serial_sequence('{table}', 'id')) + {count} - 1) - {count} + 1"
        ),
        // AUTOINCREMENT never reuses an id, also one of a row deleted since: the larger of
        // the counter and the highest id.
        DbBackend::Sqlite => format!(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), \
             COALESCE((SELECT MAX(id) FROM {table}), 0)) + 1"
        ),
        DbBackend::MySql => format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"),
        other => return Err(StoreError::Corrupt(format!("no bulk writes on {other:?}"))),
    };
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("no next id of {table}")))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// Inserts `models` with new ids, the first of which is returned (the rest follow in order);
/// 0 when there are none.
pub async fn insert<A>(db: &impl ConnectionTrait, models: Vec<A>) -> Result<i64, StoreError>
where
    A: ActiveModelTrait,
    A::Entity: Default,
{
    if models.is_empty() {
        return Ok(0);
    }
    let entity = A::Entity::default();
    let first = take_ids(db, entity.table_name(), models.len()).await?;
    let mut rows = Rows::of(entity);
    for (id, model) in (first..).zip(models) {
        rows.push_model(model, id)?;
    }
    rows.insert(db).await?;
    Ok(first)
}

/// A table's rows as bound values: `columns` names each row's values, in order.
pub struct Rows {
    table: String,
    columns: Vec<String>,
    values: Vec<Value>,
}

impl Rows {
    pub fn new(table: impl Into<String>, columns: Vec<String>) -> Self {
        Self {
            table: table.into(),
            columns,
            values: Vec::new(),
        }
    }

    /// The columns of entity `E`, in the entity's order (the id first where it is first).
    pub fn of<E: EntityTrait>(entity: E) -> Self {
        Self::new(
            entity.table_name(),
            E::Column::iter().map(|c| c.as_str().to_owned()).collect(),
        )
    }

    /// Adds `model` as a row with `id`; every other column must be set.
    pub fn push_model<A: ActiveModelTrait>(&mut self, model: A, id: i64) -> Result<(), StoreError> {
        for column in <A::Entity as EntityTrait>::Column::iter() {
            let value = if column.as_str() == "id" {
                Value::BigInt(Some(id))
            } else {
                model.get(column).into_value().ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "{}: column {} not set",
                        self.table,
                        column.as_str()
                    ))
                })?
            };
            self.values.push(value);
        }
        Ok(())
    }

    /// Adds one row; `row` holds a value for each column, in order.
    pub fn push(&mut self, row: impl IntoIterator<Item = Value>) {
        self.values.extend(row);
    }

    /// Room for `rows` more rows.
    pub fn reserve(&mut self, rows: usize) {
        self.values.reserve(rows * self.columns.len());
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Writes the rows, as many to a statement as the parameter limit allows.
    pub async fn insert(self, db: &impl ConnectionTrait) -> Result<(), StoreError> {
        let width = self.columns.len();
        if width == 0 || self.values.is_empty() {
            return Ok(());
        }
        if !self.values.len().is_multiple_of(width) {
            return Err(StoreError::Corrupt(format!(
                "{}: {} values for {width} columns",
                self.table,
                self.values.len()
            )));
        }
        let backend = db.get_database_backend();
        if backend == DbBackend::Postgres {
            return self.insert_unnest(db).await;
        }
        let per_statement = (MAX_PARAMETERS / width).max(1);
        let head = format!(
            "INSERT INTO {} ({}) VALUES ",
            quote(backend, &self.table),
            self.columns
                .iter()
                .map(|c| quote(backend, c))
                .collect::<Vec<_>>()
                .join(", ")
        );
        // Statements of a full chunk share their text, so the driver prepares it once.
        let mut full: Option<String> = None;
        let mut left = self.values.len() / width;
        let mut values = self.values.into_iter();
        while left > 0 {
            let rows = left.min(per_statement);
            let chunk: Vec<Value> = values.by_ref().take(rows * width).collect();
            let sql = if rows == per_statement {
                full.get_or_insert_with(|| statement(backend, &head, rows, width))
                    .clone()
            } else {
                statement(backend, &head, rows, width)
            };
            db.execute_raw(Statement::from_sql_and_values(backend, sql, chunk))
                .await?;
            left -= rows;
        }
        Ok(())
    }
}

impl Rows {
    /// PostgreSQL: every row in one statement, each column one array parameter unnested into
    /// rows. The server then parses a dozen values instead of a value per cell, which is
    /// what held a multi-row INSERT far behind COPY.
    async fn insert_unnest(self, db: &impl ConnectionTrait) -> Result<(), StoreError> {
        let width = self.columns.len();
        let rows = self.values.len() / width;
        let mut arrays: Vec<ArrayLiteral> = (0..width).map(|_| ArrayLiteral::new(rows)).collect();
        for (i, value) in self.values.into_iter().enumerate() {
            arrays[i % width].push(&value, &self.table, &self.columns[i % width])?;
        }
        let types: Vec<&str> = arrays
            .iter()
            .map(|a| a.sql_type.unwrap_or("text"))
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) SELECT * FROM UNNEST({})",
            quote(DbBackend::Postgres, &self.table),
            self.columns
                .iter()
                .map(|c| quote(DbBackend::Postgres, c))
                .collect::<Vec<_>>()
                .join(", "),
            types
                .iter()
                .enumerate()
                .map(|(i, t)| format!("${}::{t}[]", i + 1))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let values = arrays
            .into_iter()
            .map(|a| Value::String(Some(a.finish())))
            .collect::<Vec<_>>();
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
        Ok(())
    }
}

/// One column's values as a PostgreSQL array literal (`{1,NULL,"text"}`), and its element
/// type.
struct ArrayLiteral {
    text: String,
    sql_type: Option<&'static str>,
    empty: bool,
}

impl ArrayLiteral {
    fn new(rows: usize) -> Self {
        let mut text = String::with_capacity(rows * 8 + 2);
        text.push('{');
        Self {
            text,
            sql_type: None,
            empty: true,
        }
    }

    fn push(&mut self, value: &Value, table: &str, column: &str) -> Result<(), StoreError> {
        use std::fmt::Write;
        if !self.empty {
            self.text.push(',');
        }
        self.empty = false;
        let (sql_type, written) = match value {
            Value::BigInt(v) => ("bigint", v.map(|v| write!(self.text, "{v}"))),
            Value::Int(v) => ("integer", v.map(|v| write!(self.text, "{v}"))),
            Value::SmallInt(v) => ("smallint", v.map(|v| write!(self.text, "{v}"))),
            Value::Bool(v) => (
                "boolean",
                v.map(|v| write!(self.text, "{}", if v { 't' } else { 'f' })),
            ),
            Value::ChronoDate(v) => ("date", v.map(|v| write!(self.text, "{v}"))),
            Value::String(v) => (
                "text",
                v.as_deref().map(|v| {
                    self.text.push('"');
                    for c in v.chars() {
                        if c == '"' || c == '\\' {
                            self.text.push('\\');
                        }
                        self.text.push(c);
                    }
                    self.text.push('"');
                    Ok(())
                }),
            ),
            other => {
                return Err(StoreError::Corrupt(format!(
                    "{table}.{column}: no bulk write of {other:?}"
                )));
            }
        };
        match written {
            Some(result) => result.map_err(|e| StoreError::Corrupt(e.to_string()))?,
            None => self.text.push_str("NULL"),
        }
        self.sql_type = Some(sql_type);
        Ok(())
    }

    fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }
}

/// `head` followed by `rows` groups of `width` placeholders.
fn statement(backend: DbBackend, head: &str, rows: usize, width: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * width * 6);
    sql.push_str(head);
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push('(');
        for column in 0..width {
            if column > 0 {
                sql.push(',');
            }
            n += 1;
            match backend {
                DbBackend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

fn quote(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_each_backend() {
        assert_eq!(
            statement(DbBackend::Postgres, "INSERT INTO t (a, b) VALUES ", 2, 2),
            "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)"
        );
        assert_eq!(statement(DbBackend::Sqlite, "X ", 1, 3), "X (?,?,?)");
    }
}
