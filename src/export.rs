//! `uppsikt export`: the data as it stood at an instant, written in the text format that
//! `uppsikt import` reads, so that export → import into an empty database reproduces every
//! figure. Org units come first, then every kind of the registry (`import/kinds.rs`) in its
//! order: definitions (parents before children) before facts; tables are read a page at a
//! time.

use crate::domain::instant::Instant;
use crate::domain::provenance::{Provenance, Source};
use crate::import::apply::fact::StoredFact;
use crate::import::record::Record;
use crate::import::text::{format_record, format_source};
use crate::store::{Store, StoreError};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

/// Rows read per query.
const PAGE: u64 = 5000;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes the records and source lines, starting a new `source` line whenever the
/// provenance changes; counts records per kind.
struct Writer<W: Write> {
    out: W,
    source: Option<Source>,
    counts: BTreeMap<&'static str, u64>,
}

impl<W: Write> Writer<W> {
    fn write(&mut self, record: &Record, provenance: &Provenance) -> std::io::Result<()> {
        let source = Source {
            document: provenance.document.clone(),
            table: provenance.table.clone(),
        };
        if self.source.as_ref() != Some(&source) {
            writeln!(self.out, "{}", format_source(&source))?;
            self.source = Some(source);
        }
        writeln!(self.out, "{}", format_record(record))?;
        *self
            .counts
            .entry(crate::import::text::record_kind(record))
            .or_default() += 1;
        Ok(())
    }
}

/// Orders definitions so that every parent precedes its children.
fn parents_first<T>(
    items: Vec<T>,
    code: impl Fn(&T) -> String,
    parent: impl Fn(&T) -> Option<String>,
) -> Vec<T> {
    let parents: HashMap<String, Option<String>> =
        items.iter().map(|i| (code(i), parent(i))).collect();
    let depth = |start: &str| {
        let mut depth = 0;
        let mut current = parents.get(start).cloned().flatten();
        while let Some(p) = current {
            depth += 1;
            if depth > parents.len() {
                break; // a cycle in bad data: stop rather than loop
            }
            current = parents.get(&p).cloned().flatten();
        }
        depth
    };
    let mut keyed: Vec<(usize, T)> = items.into_iter().map(|i| (depth(&code(&i)), i)).collect();
    keyed.sort_by_key(|(d, _)| *d);
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Writes every row of kind `T` current at `as_of`, a page at a time; a tree kind is
/// collected and written parents first.
async fn export_kind<T, W>(
    writer: &mut Writer<W>,
    store: &Store,
    as_of: Instant,
) -> Result<(), ExportError>
where
    T: StoredFact,
    Record: From<(T, Source)>,
    W: Write,
{
    let mut tree = Vec::new();
    let mut after = 0;
    loop {
        let page = T::export_page(store.db(), as_of, after, PAGE).await?;
        let Some((last, ..)) = page.last() else { break };
        after = *last;
        for (_, value, provenance) in page {
            match value.tree_link() {
                Some(link) => tree.push((link, value, provenance)),
                None => writer.write(&Record::from((value, no_source())), &provenance)?,
            }
        }
    }
    for (_, value, provenance) in parents_first(tree, |(l, ..)| l.0.clone(), |(l, ..)| l.1.clone())
    {
        writer.write(&Record::from((value, no_source())), &provenance)?;
    }
    Ok(())
}

/// Defines `export_facts` from the kind registry (`import/kinds.rs`).
macro_rules! define_export_facts {
    ($($variant:ident($ty:ty)),+ $(,)?) => {
        /// Writes every registered kind, in registry order (definitions first).
        async fn export_facts<W: Write>(
            writer: &mut Writer<W>,
            store: &Store,
            as_of: Instant,
        ) -> Result<(), ExportError> {
            $(export_kind::<$ty, W>(writer, store, as_of).await?;)+
            Ok(())
        }
    };
}

crate::with_fact_kinds!(define_export_facts);

/// A record's own source: empty, as the provenance goes on `source` lines.
fn no_source() -> Source {
    Source {
        document: String::new(),
        table: None,
    }
}

/// Writes everything current at `as_of` to `out`; returns the records written per kind.
pub async fn export(
    store: &Store,
    as_of: Instant,
    out: impl Write,
) -> Result<BTreeMap<&'static str, u64>, ExportError> {
    let mut writer = Writer {
        out,
        source: None,
        counts: BTreeMap::new(),
    };
    writeln!(writer.out, "# Uppsikt export as of {}", as_of.to_rfc3339())?;

    let units = parents_first(
        store.placements(as_of).await?.to_vec(),
        |u| u.unit.code.to_string(),
        |u| u.unit.parent.as_ref().map(ToString::to_string),
    );
    for u in units {
        writer.write(&Record::OrgUnit(u.unit, no_source()), &u.provenance)?;
    }
    export_facts(&mut writer, store, as_of).await?;
    writer.out.flush()?;
    Ok(writer.counts)
}
