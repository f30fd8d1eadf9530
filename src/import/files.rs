//! Streams of entries from text: files read line by line (memory bounded by a line, not a
//! file) or text already in memory (the embedded demo data).

use super::error::ImportError;
use super::record::Entry;
use super::text::TextReader;
use futures::Stream;
use futures::stream::{self, StreamExt};
use std::path::PathBuf;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};

type FileLines = Lines<BufReader<tokio::fs::File>>;

struct FileState {
    pending: std::vec::IntoIter<PathBuf>,
    current: Option<(FileLines, TextReader, usize)>,
    position: usize,
}

/// The records of `paths`, in order, as one stream.
pub fn file_entries(paths: Vec<PathBuf>) -> impl Stream<Item = Result<Entry, ImportError>> {
    let state = FileState {
        pending: paths.into_iter(),
        current: None,
        position: 0,
    };
    stream::unfold(state, |mut state| async move {
        loop {
            if state.current.is_none() {
                let path = state.pending.next()?;
                let name = path.display().to_string();
                match tokio::fs::File::open(&path).await {
                    Ok(file) => {
                        let reader = TextReader::new(name, state.position);
                        state.current = Some((BufReader::new(file).lines(), reader, 0));
                    }
                    Err(error) => {
                        let failure = ImportError::Stream(format!("cannot read {name}: {error}"));
                        state.pending = Vec::new().into_iter();
                        return Some((Err(failure), state));
                    }
                }
            }
            let (lines, reader, number) = state.current.as_mut().expect("set above");
            match lines.next_line().await {
                Ok(Some(line)) => {
                    *number += 1;
                    let parsed = reader.line(*number, &line);
                    state.position = reader.position();
                    match parsed {
                        Ok(None) => continue,
                        Ok(Some(entry)) => return Some((Ok(entry), state)),
                        Err(violations) => {
                            return Some((Err(ImportError::InvalidRecords(violations)), state));
                        }
                    }
                }
                Ok(None) => state.current = None,
                Err(error) => {
                    let failure = ImportError::Stream(format!("read error: {error}"));
                    state.current = None;
                    state.pending = Vec::new().into_iter();
                    return Some((Err(failure), state));
                }
            }
        }
    })
}

/// The records of named in-memory texts, in order, as one stream.
pub fn text_entries(
    texts: &'static [(&'static str, &'static str)],
) -> impl Stream<Item = Result<Entry, ImportError>> + Unpin {
    let mut position = 0;
    let entries: Vec<Result<Entry, ImportError>> = texts
        .iter()
        .flat_map(|(name, text)| {
            let mut reader = TextReader::new(*name, position);
            let parsed: Vec<_> = text
                .lines()
                .enumerate()
                .filter_map(|(i, line)| match reader.line(i + 1, line) {
                    Ok(None) => None,
                    Ok(Some(entry)) => Some(Ok(entry)),
                    Err(violations) => Some(Err(ImportError::InvalidRecords(violations))),
                })
                .collect();
            position = reader.position();
            parsed
        })
        .collect();
    stream::iter(entries).boxed()
}
