//! Running one import: request-id replay, one transaction, batches, all-or-nothing.

use super::apply::{ImportContext, ImportScope, ORG_UNIT_KIND};
use super::error::{ImportError, RecordRef, Stage};
use super::outcome::ImportOutcome;
use super::record::{Entry, ImportRequest};
use crate::domain::access::{Grant, OrgScope};
use crate::domain::validation::MAX_SHORT_TEXT;
use crate::store::history::WriteMeta;
use crate::store::{Store, StoreError, imports, write_lock};
use futures::{Stream, StreamExt};
use sea_orm::{DatabaseTransaction, TransactionTrait};

/// Records applied per batch: bounds the importer's memory whatever the stream's length.
pub const BATCH_SIZE: usize = 5000;

/// Longest accepted request id.
const MAX_REQUEST_ID: usize = 128;

/// Applies `entries` as one import. An item `Err(ImportError::InvalidRecords)` is a record
/// that could not even be parsed: it is collected with the others and the stream goes on.
/// Any other error ends the import with nothing written. `progress` is told the number of
/// records read so far after every batch.
pub async fn run_import<S>(
    store: &Store,
    request: ImportRequest,
    entries: S,
    progress: impl Fn(u64),
) -> Result<ImportOutcome, ImportError>
where
    S: Stream<Item = Result<Entry, ImportError>> + Unpin,
{
    run_import_as(store, request, None, entries, progress).await
}

/// Who runs an import over the API: the credential's name (for the import log) and what it
/// may reach (a scoped credential's records are judged against its scope).
#[derive(Debug, Clone)]
pub struct Importer {
    pub name: String,
    pub grant: Grant,
}

/// `run_import`, logging `importer` as who imported.
pub async fn run_import_as<S>(
    store: &Store,
    request: ImportRequest,
    importer: Option<&Importer>,
    mut entries: S,
    progress: impl Fn(u64),
) -> Result<ImportOutcome, ImportError>
where
    S: Stream<Item = Result<Entry, ImportError>> + Unpin,
{
    validate(&request)?;
    let cut = |stage: Stage| move |error| interrupted(stage, error);
    let txn = store.db().begin().await.map_err(cut(Stage::Start))?;
    let (ticket, import_id, mut ctx) = match begin(&txn, &request, importer).await {
        Ok(Begun::Replay(outcome)) => {
            txn.rollback().await.map_err(cut(Stage::Start))?;
            return Ok(outcome);
        }
        Ok(Begun::Import(ticket, import_id, ctx)) => (ticket, import_id, *ctx),
        Err(error) => return Err(abandon(txn, interrupted(Stage::Start, error)).await),
    };
    let recorded_at = ticket.recorded_at;

    // While a batch is written, the next one is read and parsed: the database works on the
    // one while this process works on the other.
    let mut read = 0_u64;
    let mut next = match next_batch(&mut entries, &mut read).await {
        Ok(next) => next,
        Err(error) => return Err(abandon(txn, error).await),
    };
    loop {
        ctx.take_violations(next.violations);
        let mut batch = next.entries;
        let written_up_to = read;
        // The last batch has nothing to read beside it.
        let (applied, following) = if next.last {
            (apply(&mut ctx, &txn, &mut batch).await, None)
        } else {
            let (applied, following) = futures::join!(
                apply(&mut ctx, &txn, &mut batch),
                next_batch(&mut entries, &mut read)
            );
            (applied, Some(following))
        };
        if let Err(error) = applied {
            return Err(abandon(txn, error).await);
        }
        if let Some(denied) = out_of_scope(&mut ctx) {
            return Err(abandon(txn, denied).await);
        }
        next = match following {
            None => break,
            Some(Ok(following)) => following,
            Some(Err(error)) => return Err(abandon(txn, error).await),
        };
        progress(written_up_to);
    }
    progress(read);
    let finish = Stage::Finish { records: read };
    if let Err(error) = ctx.check_retracted_definitions(&txn).await {
        return Err(abandon(txn, interrupted(finish, error)).await);
    }

    if !ctx.violations.is_empty() {
        let mut violations = std::mem::take(&mut ctx.violations);
        violations.sort_by_key(|v| v.position);
        return Err(abandon(txn, ImportError::InvalidRecords(violations)).await);
    }
    let mut outcome = ctx.outcome;
    outcome.request_id = request.request_id.clone();
    outcome.dry_run = request.dry_run;
    outcome.recorded_at = recorded_at.micros();
    if request.dry_run {
        txn.rollback().await.map_err(cut(finish))?;
        return Ok(outcome);
    }
    outcome.import_id = Some(import_id);
    let result = serde_json::to_string(&outcome)
        .map_err(|e| crate::store::StoreError::Corrupt(format!("import result: {e}")))?;
    let org_changed = outcome
        .counts
        .get(ORG_UNIT_KIND)
        .is_some_and(|c| c.inserted + c.superseded + c.retracted > 0);
    let recorded = async {
        crate::store::statistics::refresh_changed_tables(&txn).await?;
        imports::set_result(&txn, import_id, result).await?;
        if org_changed {
            write_lock::mark_org_changed(&txn, ticket).await?;
        }
        Ok::<_, StoreError>(())
    };
    if let Err(error) = recorded.await {
        return Err(abandon(txn, interrupted(finish, error)).await);
    }
    txn.commit()
        .await
        .map_err(cut(Stage::Commit { records: read }))?;
    tracing::info!(
        import_id,
        records = outcome.records(),
        imported_by = importer.map_or("command line", |i| i.name.as_str()),
        "import committed"
    );
    Ok(outcome)
}

/// The next batch of a stream: up to `BATCH_SIZE` entries, the violations of the records
/// that could not be parsed among them, and whether the stream ended.
struct Batch {
    entries: Vec<Entry>,
    violations: Vec<super::error::RecordViolation>,
    last: bool,
}

/// Reads the next batch; `read` counts every item taken. An error other than records that
/// could not be parsed ends the import.
async fn next_batch<S>(entries: &mut S, read: &mut u64) -> Result<Batch, ImportError>
where
    S: Stream<Item = Result<Entry, ImportError>> + Unpin,
{
    let mut batch = Batch {
        entries: Vec::with_capacity(BATCH_SIZE),
        violations: Vec::new(),
        last: false,
    };
    while batch.entries.len() < BATCH_SIZE {
        let Some(item) = entries.next().await else {
            batch.last = true;
            break;
        };
        *read += 1;
        match item {
            Ok(entry) => batch.entries.push(entry),
            Err(ImportError::InvalidRecords(violations)) => {
                if batch.violations.len() < super::apply::MAX_VIOLATIONS {
                    batch.violations.extend(violations);
                }
            }
            Err(other) => return Err(other),
        }
    }
    Ok(batch)
}

/// Writes `batch`; a database failure names the records the batch held.
async fn apply(
    ctx: &mut ImportContext,
    txn: &DatabaseTransaction,
    batch: &mut Vec<Entry>,
) -> Result<(), ImportError> {
    let stage = match (batch.first(), batch.last()) {
        (Some(first), Some(last)) => Stage::Records {
            first: record_ref(first),
            last: record_ref(last),
        },
        _ => Stage::Finish {
            records: ctx.outcome.records(),
        },
    };
    let entries = std::mem::replace(batch, Vec::with_capacity(super::run::BATCH_SIZE));
    ctx.apply_batch(txn, entries)
        .await
        .map_err(|error| interrupted(stage, error))
}

fn record_ref(entry: &Entry) -> RecordRef {
    RecordRef {
        position: entry.place.position,
        kind: entry.record.kind(),
        location: entry.place.location.clone(),
    }
}

/// A database failure at `stage`; other store errors (data that cannot be read back) stay
/// as they are.
fn interrupted(stage: Stage, error: impl Into<StoreError>) -> ImportError {
    match error.into() {
        corrupt @ StoreError::Corrupt(_) => ImportError::Store(corrupt),
        error => ImportError::Interrupted {
            stage: Box::new(stage),
            error,
        },
    }
}

/// What opening an import found: an earlier import of the same request id to replay, or
/// the write lock's ticket, the import's id and the context its records are applied in.
enum Begun {
    Replay(ImportOutcome),
    Import(write_lock::WriteTicket, i64, Box<ImportContext>),
}

/// Takes the write lock, looks for an earlier import of the request id, and logs the new
/// import.
async fn begin(
    txn: &DatabaseTransaction,
    request: &ImportRequest,
    importer: Option<&Importer>,
) -> Result<Begun, StoreError> {
    // The lock comes first: it makes this transaction the one writer across every instance
    // on the database, and the replay check below then sees every earlier import.
    let ticket = write_lock::acquire(txn).await?;
    if let Some(request_id) = &request.request_id
        && let Some(earlier) = imports::find_by_request_id(txn, request_id).await?
    {
        let mut outcome: ImportOutcome = serde_json::from_str(&earlier.result)
            .map_err(|e| StoreError::Corrupt(format!("import {} result: {e}", earlier.id)))?;
        outcome.replayed = true;
        return Ok(Begun::Replay(outcome));
    }
    let recorded_at = ticket.recorded_at;
    let import_id = imports::insert(
        txn,
        request.request_id.clone(),
        request.document.clone(),
        request.table.clone(),
        request.system.clone(),
        recorded_at,
    )
    .await?;
    let scope = importer.and_then(|i| i.grant.scope());
    if let Some(importer) = importer {
        let stored_scope = scope.map(OrgScope::to_stored);
        imports::set_importer(txn, import_id, &importer.name, stored_scope).await?;
    }
    let ctx = ImportContext::load(
        txn,
        WriteMeta {
            import_id,
            recorded_at,
        },
        scope.map(|s| ImportScope::new(s.clone(), recorded_at.date())),
    )
    .await?;
    Ok(Begun::Import(ticket, import_id, Box::new(ctx)))
}

/// The scope's refusal, if a record met one: it ends the import whole.
fn out_of_scope(ctx: &mut ImportContext) -> Option<ImportError> {
    ctx.denied
        .take()
        .map(|(place, description)| ImportError::OutOfScope {
            position: place.position,
            description,
        })
}

/// Rolls back and passes the error on; a failed rollback is logged, not hidden.
async fn abandon(txn: DatabaseTransaction, error: ImportError) -> ImportError {
    if let Err(rollback) = txn.rollback().await {
        tracing::error!(%rollback, "rollback of a rejected import failed");
    }
    error
}

fn validate(request: &ImportRequest) -> Result<(), ImportError> {
    let invalid = |field: &str, description: &str| ImportError::InvalidRequest {
        field: field.to_owned(),
        description: description.to_owned(),
    };
    if request.document.trim().is_empty() {
        return Err(invalid("source.document", "is required"));
    }
    for (field, value) in [
        ("source.document", Some(&request.document)),
        ("source.table", request.table.as_ref()),
        ("source.system", request.system.as_ref()),
    ] {
        if let Some(value) = value
            && value.chars().count() > MAX_SHORT_TEXT
        {
            return Err(invalid(field, "is longer than 255 characters"));
        }
    }
    if let Some(id) = &request.request_id
        && (id.is_empty() || id.len() > MAX_REQUEST_ID)
    {
        return Err(invalid("request_id", "must be 1–128 characters"));
    }
    Ok(())
}
