//! The core of the change-mirror example: keeps a SQLite file in step with an Uppsikt
//! server by following `ChangeService.ListChanges`. One table holds the current facts keyed
//! by (kind, key); another holds the cursor. Each page is applied in one SQLite transaction
//! together with its cursor, so a mirror stopped at any moment (even mid-page) resumes
//! exactly where its file says, without missing or repeating a change.

use anyhow::Context;
use prost::Message;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait, Value};
use tonic::transport::Channel;
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::change_service_client::ChangeServiceClient;

/// The mirror's schema: the facts as the Import RPC's records (JSON to read with SQLite's
/// JSON functions, protobuf to decode exactly), with their source and last change.
const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS facts (\
        kind TEXT NOT NULL, \
        key TEXT NOT NULL, \
        record_json TEXT NOT NULL, \
        record_proto BLOB NOT NULL, \
        document TEXT NOT NULL, \
        source_table TEXT NOT NULL, \
        import TEXT NOT NULL, \
        recorded_at TEXT NOT NULL, \
        PRIMARY KEY (kind, key))",
    "CREATE TABLE IF NOT EXISTS feed_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), cursor TEXT NOT NULL)",
];

/// What to mirror: every change, or only some kinds or an org-unit subtree.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub kinds: Vec<String>,
    /// `orgUnits/{code}`, with its descendants; empty for every unit.
    pub org_unit: String,
}

/// The server's feed: a client and the bearer token to send, if the server needs one.
pub struct Feed {
    pub client: ChangeServiceClient<Channel>,
    pub token: Option<String>,
}

impl Feed {
    pub fn new(channel: Channel, token: Option<String>) -> Self {
        Self {
            client: ChangeServiceClient::new(channel),
            token,
        }
    }

    async fn page(
        &mut self,
        request: pb::ListChangesRequest,
    ) -> anyhow::Result<pb::ListChangesResponse> {
        let mut request = tonic::Request::new(request);
        if let Some(token) = &self.token {
            request
                .metadata_mut()
                .insert("authorization", format!("Bearer {token}").parse()?);
        }
        Ok(self.client.list_changes(request).await?.into_inner())
    }
}

/// A mirror file.
pub struct Mirror {
    db: DatabaseConnection,
}

impl Mirror {
    /// Opens (or creates) the mirror at `path`.
    pub async fn open(path: &std::path::Path) -> anyhow::Result<Self> {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = Database::connect(&url)
            .await
            .with_context(|| format!("open {url}"))?;
        for statement in SCHEMA {
            db.execute_unprepared(statement).await?;
        }
        Ok(Self { db })
    }

    /// The cursor the next page starts after (empty: the beginning).
    pub async fn cursor(&self) -> anyhow::Result<String> {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT cursor FROM feed_cursor WHERE id = 1",
            ))
            .await?;
        Ok(match row {
            Some(row) => row.try_get_by_index(0)?,
            None => String::new(),
        })
    }

    /// Reads and applies one page; returns the number of changes applied (0: up to date).
    pub async fn sync_page(
        &self,
        feed: &mut Feed,
        selection: &Selection,
        page_size: i32,
    ) -> anyhow::Result<usize> {
        let after = self.cursor().await?;
        let page = feed
            .page(pb::ListChangesRequest {
                after,
                page_size,
                kinds: selection.kinds.clone(),
                org_unit: selection.org_unit.clone(),
                include_descendants: !selection.org_unit.is_empty(),
            })
            .await?;
        let txn = self.db.begin().await?;
        for change in &page.changes {
            apply(&txn, change).await?;
        }
        txn.execute_raw(statement(
            "INSERT INTO feed_cursor (id, cursor) VALUES (1, ?) \
             ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor",
            vec![page.next_cursor.clone().into()],
        ))
        .await?;
        txn.commit().await?;
        Ok(page.changes.len())
    }

    /// Applies pages until the mirror is up to date, or `max_pages` pages were applied;
    /// returns the number of changes applied.
    pub async fn sync(
        &self,
        feed: &mut Feed,
        selection: &Selection,
        page_size: i32,
        max_pages: Option<usize>,
    ) -> anyhow::Result<usize> {
        let mut applied = 0;
        let mut pages = 0;
        while max_pages.is_none_or(|max| pages < max) {
            let count = self.sync_page(feed, selection, page_size).await?;
            if count == 0 {
                break;
            }
            applied += count;
            pages += 1;
        }
        Ok(applied)
    }

    /// Every mirrored fact: (kind, key, record, document, table), ordered by kind and key.
    pub async fn facts(&self) -> anyhow::Result<Vec<(String, String, pb::ImportRecord)>> {
        let rows = self
            .db
            .query_all_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT kind, key, record_proto FROM facts ORDER BY kind, key",
            ))
            .await?;
        rows.into_iter()
            .map(|row| {
                let bytes: Vec<u8> = row.try_get_by_index(2)?;
                Ok((
                    row.try_get_by_index(0)?,
                    row.try_get_by_index(1)?,
                    pb::ImportRecord::decode(bytes.as_slice())?,
                ))
            })
            .collect()
    }

    pub async fn close(self) -> anyhow::Result<()> {
        self.db.close().await?;
        Ok(())
    }
}

/// One change: a record written replaces the fact with its key; a retraction removes it.
async fn apply(db: &impl ConnectionTrait, change: &pb::Change) -> anyhow::Result<()> {
    let record = change.record.clone().context("a change without a record")?;
    match pb::ChangeAction::try_from(change.action) {
        Ok(pb::ChangeAction::Inserted | pb::ChangeAction::Superseded) => {
            let provenance = change.provenance.clone().unwrap_or_default();
            db.execute_raw(statement(
                "INSERT INTO facts (kind, key, record_json, record_proto, document, \
                 source_table, import, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (kind, key) DO UPDATE SET record_json = excluded.record_json, \
                 record_proto = excluded.record_proto, document = excluded.document, \
                 source_table = excluded.source_table, import = excluded.import, \
                 recorded_at = excluded.recorded_at",
                vec![
                    change.kind.clone().into(),
                    change.key.clone().into(),
                    record_json(&record)?.into(),
                    record.encode_to_vec().into(),
                    record.document.clone().into(),
                    record.table.clone().into(),
                    provenance.import.into(),
                    provenance.recorded_at.into(),
                ],
            ))
            .await?;
        }
        Ok(pb::ChangeAction::Retracted) => {
            db.execute_raw(statement(
                "DELETE FROM facts WHERE kind = ? AND key = ?",
                vec![change.kind.clone().into(), change.key.clone().into()],
            ))
            .await?;
        }
        _ => anyhow::bail!(
            "change {} has an unknown action {}",
            change.cursor,
            change.action
        ),
    }
    Ok(())
}

/// The record in the proto3 JSON mapping, through the server's own descriptors.
fn record_json(record: &pb::ImportRecord) -> anyhow::Result<String> {
    let descriptor = uppsikt::proto::POOL
        .get_message_by_name("uppsikt.v1.ImportRecord")
        .context("ImportRecord descriptor")?;
    let message =
        prost_reflect::DynamicMessage::decode(descriptor, record.encode_to_vec().as_slice())?;
    Ok(serde_json::to_string(&message)?)
}

fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(sea_orm::DatabaseBackend::Sqlite, sql, values)
}
