//! What an import may touch: at most `max_records` records, and for a credential with an
//! org-unit scope only units inside it. A record outside ends the stream with an error, and
//! the importer rolls back everything: the import is rejected whole.
//!
//! The scope is taken in today's tree. A new unit may be created under a unit inside the
//! scope (and then written to in the same import); categories and profession groups are
//! region-wide definitions, so a scoped credential may not write them.

use super::principal::Principal;
use crate::domain::codes::{IndicatorCode, InvestmentId, OrgUnitCode};
use crate::domain::instant::Instant;
use crate::domain::org::OrgTree;
use crate::import::ImportError;
use crate::import::record::{Entry, Record, RetractKey};
use crate::store::Store;
use futures::StreamExt;
use futures::stream::BoxStream;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::Mutex;

/// The scope of one import, prepared once before its records are read.
struct ScopeCheck {
    store: Store,
    /// Units the import may touch; grows with units it creates inside the scope.
    allowed: BTreeSet<OrgUnitCode>,
    /// Every unit ever placed: an existing unit outside `allowed` may not be redefined.
    known: HashSet<OrgUnitCode>,
    /// Investments defined earlier in this import.
    investments: HashMap<InvestmentId, OrgUnitCode>,
    /// Indicators defined earlier in this import.
    indicators: HashMap<IndicatorCode, OrgUnitCode>,
}

pub struct ImportGuard {
    max_records: u64,
    scope: Option<ScopeCheck>,
}

impl ImportGuard {
    pub async fn new(
        store: &Store,
        principal: Option<&Principal>,
        max_records: u64,
    ) -> Result<Self, ImportError> {
        let scope = match principal.and_then(|p| p.scope.as_ref()) {
            None => None,
            Some(scope) => {
                let placements = store.placements(Instant::now()).await?;
                let today = chrono::Utc::now().date_naive();
                let tree = OrgTree::at(today, placements.iter().map(|p| p.unit.clone()));
                Some(ScopeCheck {
                    store: store.clone(),
                    allowed: scope.units(&tree),
                    known: placements.iter().map(|p| p.unit.code.clone()).collect(),
                    investments: HashMap::new(),
                    indicators: HashMap::new(),
                })
            }
        };
        Ok(Self { max_records, scope })
    }

    /// The entries, checked; the first refusal ends the stream. The stream also fails (and
    /// the import rolls back) as soon as the returned `CallAlive` is dropped: when the call
    /// ends early (its deadline passed) while the import runs on in its own task, a client
    /// that then closes its stream must not commit what it sent.
    pub fn wrap(
        self,
        entries: BoxStream<'static, Result<Entry, ImportError>>,
    ) -> (BoxStream<'static, Result<Entry, ImportError>>, CallAlive) {
        let (alive, ended) = tokio::sync::oneshot::channel::<()>();
        let entries = until_call_ends(entries, ended);
        let max = self.max_records;
        let scope = self.scope.map(|s| Arc::new(Mutex::new(s)));
        let mut count = 0_u64;
        let checked = entries
            .then(move |item| {
                count += 1;
                let scope = scope.clone();
                async move {
                    if count > max {
                        return Err(ImportError::TooLarge { limit: max });
                    }
                    let entry = item?;
                    if let Some(scope) = scope {
                        scope.lock().await.check(&entry).await?;
                    }
                    Ok(entry)
                }
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
}

/// Held by the Import handler for as long as the call runs.
pub struct CallAlive(#[allow(dead_code)] tokio::sync::oneshot::Sender<()>);

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

impl ScopeCheck {
    async fn check(&mut self, entry: &Entry) -> Result<(), ImportError> {
        let position = entry.place.position;
        let deny = |description: String| {
            Err(ImportError::OutOfScope {
                position,
                description,
            })
        };
        let unit = match &entry.record {
            Record::Category(..) | Record::ProfessionGroup(..) => {
                return deny(
                    "categories and profession groups are region-wide: an import scoped to org \
                     units may not define them"
                        .to_owned(),
                );
            }
            Record::OrgUnit(unit, _) => {
                if self.known.contains(&unit.code) && !self.allowed.contains(&unit.code) {
                    return deny(format!("org unit {} is outside", unit.code));
                }
                match &unit.parent {
                    Some(parent) if self.allowed.contains(parent) => {
                        self.allowed.insert(unit.code.clone());
                        return Ok(());
                    }
                    Some(parent) => return deny(format!("parent {parent} is outside")),
                    None => {
                        return deny(format!("org unit {} would be a top-level unit", unit.code));
                    }
                }
            }
            Record::Investment(investment, _) => {
                if let Some(existing) = self.stored_unit(&investment.id).await?
                    && !self.allowed.contains(&existing)
                {
                    return deny(format!(
                        "investment {} belongs to a unit outside",
                        investment.id
                    ));
                }
                self.investments
                    .insert(investment.id.clone(), investment.org_unit.clone());
                &investment.org_unit
            }
            Record::InvestmentFigures(figures, _) => {
                let unit = match self.investments.get(&figures.investment) {
                    Some(unit) => Some(unit.clone()),
                    None => self.stored_unit(&figures.investment).await?,
                };
                // An unknown investment is the importer's to reject, as for anyone.
                match unit {
                    Some(unit) if !self.allowed.contains(&unit) => {
                        return deny(format!(
                            "investment {} belongs to a unit outside",
                            figures.investment
                        ));
                    }
                    _ => return Ok(()),
                }
            }
            Record::Indicator(indicator, _) => {
                if let Some(existing) = self.stored_indicator_unit(&indicator.code).await?
                    && !self.allowed.contains(&existing)
                {
                    return deny(format!(
                        "indicator {} belongs to a unit outside",
                        indicator.code
                    ));
                }
                self.indicators
                    .insert(indicator.code.clone(), indicator.org_unit.clone());
                &indicator.org_unit
            }
            Record::IndicatorTarget(r, _) => {
                return self.check_indicator(&r.indicator, position).await;
            }
            Record::IndicatorOutcome(r, _) => {
                return self.check_indicator(&r.indicator, position).await;
            }
            Record::Retract(retraction, _) => {
                return self.check_retraction(&retraction.key, position).await;
            }
            Record::Assignment(r, _) => &r.org_unit,
            Record::BudgetLine(r, _) => &r.org_unit,
            Record::Headcount(r, _) => &r.org_unit,
            Record::WorkedHours(r, _) => &r.org_unit,
            Record::HiredStaff(r, _) => &r.org_unit,
            Record::SickLeave(r, _) => &r.org_unit,
            Record::Position(r, _) => &r.org_unit,
        };
        if self.allowed.contains(unit) {
            Ok(())
        } else {
            deny(format!("org unit {unit} is outside"))
        }
    }

    /// A retraction may only withdraw a fact of a unit inside the scope, as a record may
    /// only write one; region-wide definitions are out of reach, as for records. A key that
    /// names nothing current is the importer's to reject, as for anyone.
    async fn check_retraction(
        &mut self,
        key: &RetractKey,
        position: usize,
    ) -> Result<(), ImportError> {
        let deny = |description: String| {
            Err(ImportError::OutOfScope {
                position,
                description,
            })
        };
        let unit = match key {
            RetractKey::Category(_) | RetractKey::ProfessionGroup(_) => {
                return deny(
                    "categories and profession groups are region-wide: an import scoped to org \
                     units may not retract them"
                        .to_owned(),
                );
            }
            RetractKey::IndicatorTarget((code, _)) | RetractKey::IndicatorOutcome((code, _)) => {
                return self.check_indicator(code, position).await;
            }
            RetractKey::Indicator(code) => self.stored_indicator_unit(code).await?,
            RetractKey::Investment(id) | RetractKey::InvestmentFigures((id, _)) => {
                match self.investments.get(id) {
                    Some(unit) => Some(unit.clone()),
                    None => self.stored_unit(id).await?,
                }
            }
            RetractKey::Assignment(code) => {
                crate::store::indicator::assignment_unit(self.store.db(), code).await?
            }
            RetractKey::OrgUnit((code, _)) => Some(code.clone()),
            RetractKey::BudgetLine(k) => Some(k.0.clone()),
            RetractKey::Headcount(k) => Some(k.0.clone()),
            RetractKey::WorkedHours(k) => Some(k.0.clone()),
            RetractKey::HiredStaff(k) => Some(k.0.clone()),
            RetractKey::SickLeave(k) => Some(k.0.clone()),
            RetractKey::Position(k) => Some(k.0.clone()),
        };
        match unit {
            Some(unit) if !self.allowed.contains(&unit) => {
                deny(format!("org unit {unit} is outside"))
            }
            _ => Ok(()),
        }
    }

    /// A target or outcome may only be written for an indicator of a unit inside the scope
    /// (an unknown indicator is the importer's to reject, as for anyone).
    async fn check_indicator(
        &mut self,
        code: &IndicatorCode,
        position: usize,
    ) -> Result<(), ImportError> {
        let unit = match self.indicators.get(code) {
            Some(unit) => Some(unit.clone()),
            None => self.stored_indicator_unit(code).await?,
        };
        match unit {
            Some(unit) if !self.allowed.contains(&unit) => Err(ImportError::OutOfScope {
                position,
                description: format!("indicator {code} belongs to a unit outside"),
            }),
            _ => Ok(()),
        }
    }

    async fn stored_indicator_unit(
        &self,
        code: &IndicatorCode,
    ) -> Result<Option<OrgUnitCode>, ImportError> {
        Ok(
            crate::store::indicator::indicator(self.store.db(), code, Instant::now())
                .await?
                .map(|s| s.indicator.org_unit),
        )
    }

    async fn stored_unit(&self, id: &InvestmentId) -> Result<Option<OrgUnitCode>, ImportError> {
        Ok(
            crate::store::investment::get(self.store.db(), id, Instant::now())
                .await?
                .map(|s| s.investment.org_unit),
        )
    }
}

/// Whether an import logged with `importer_scope` (`None`: an unscoped credential or the
/// command line) may be shown to `viewer`: a scoped viewer sees only imports by
/// credentials whose scope lies inside its own, in `tree`; such an import can only have
/// touched units inside the viewer's scope.
pub fn import_visible(
    viewer: Option<&Principal>,
    tree: &OrgTree,
    importer_scope: Option<&str>,
) -> bool {
    match viewer.and_then(|p| p.scope.as_ref()) {
        None => true,
        Some(scope) => importer_scope.is_some_and(|stored| {
            let importer = super::OrgScope::from_stored(stored);
            !importer.roots().is_empty() && scope.contains_scope(tree, &importer)
        }),
    }
}

/// One page of the import log as `viewer` may see it (newest first, before `before_id`):
/// for a scoped viewer, rows are read in chunks and filtered until the page is full.
pub async fn visible_imports(
    store: &Store,
    viewer: Option<&Principal>,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<crate::store::imports::StoredImport>, crate::store::StoreError> {
    use crate::store::imports;
    if viewer.and_then(|p| p.scope.as_ref()).is_none() {
        return imports::list(store.db(), before_id, limit).await;
    }
    let today = chrono::Utc::now().date_naive();
    let (tree, _) = store.org_tree(today, Instant::now()).await?;
    let chunk = limit.max(100);
    let mut before = before_id;
    let mut visible = Vec::new();
    loop {
        let rows = imports::list(store.db(), before, chunk).await?;
        let exhausted = (rows.len() as u64) < chunk;
        before = rows.last().map(|r| r.id);
        visible.extend(
            rows.into_iter()
                .filter(|r| import_visible(viewer, &tree, r.importer_scope.as_deref())),
        );
        if visible.len() as u64 >= limit || exhausted {
            visible.truncate(limit as usize);
            return Ok(visible);
        }
    }
}
