//! The Import RPC's stream of entries, bounded: at most `max_records` records, and failing
//! (so the import rolls back) as soon as the call that carries it ends. What the records may
//! touch is judged where they are applied (`import::apply::scope`).

use crate::import::ImportError;
use crate::import::record::Entry;
use futures::StreamExt;
use futures::stream::BoxStream;

/// Held by the Import handler for as long as the call runs.
pub struct CallAlive(#[allow(dead_code)] tokio::sync::oneshot::Sender<()>);

/// The entries with the record cap; the first refusal ends the stream. The stream also
/// fails as soon as the returned `CallAlive` is dropped: when the call ends early (its
/// deadline passed) while the import runs on in its own task, a client that then closes
/// its stream must not commit what it sent.
pub fn bounded(
    entries: BoxStream<'static, Result<Entry, ImportError>>,
    max_records: u64,
) -> (BoxStream<'static, Result<Entry, ImportError>>, CallAlive) {
    let (alive, ended) = tokio::sync::oneshot::channel::<()>();
    let entries = until_call_ends(entries, ended);
    let mut count = 0_u64;
    let checked = entries
        .map(move |item| {
            count += 1;
            if count > max_records {
                return Err(ImportError::TooLarge { limit: max_records });
            }
            item
        })
        // Nothing after a refusal is read: the importer stops at the first error.
        .scan(false, |failed, item| {
            let out = if *failed { None } else { Some(item) };
            if let Some(Err(e)) = &out
                && !matches!(e, ImportError::InvalidRecords(_))
            {
                *failed = true;
            }
            futures::future::ready(out)
        })
        .boxed();
    (checked, CallAlive(alive))
}

/// `entries`, but failing with a stream error as soon as `ended` resolves (its sender was
/// dropped), even while waiting for the client's next message.
fn until_call_ends(
    entries: BoxStream<'static, Result<Entry, ImportError>>,
    ended: tokio::sync::oneshot::Receiver<()>,
) -> BoxStream<'static, Result<Entry, ImportError>> {
    futures::stream::unfold(Some((entries, ended)), |state| async move {
        let (mut entries, mut ended) = state?;
        tokio::select! {
            biased;
            item = entries.next() => item.map(|item| (item, Some((entries, ended)))),
            _ = &mut ended => Some((
                Err(ImportError::Stream(
                    "the call ended before the import (its deadline passed)".to_owned(),
                )),
                None,
            )),
        }
    })
    .boxed()
}
