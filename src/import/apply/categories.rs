//! Account categories: key code; a parent must be defined before its children.

use super::ImportContext;
use super::fact::StoredFact;
use crate::domain::category::Category;
use crate::domain::codes::CategoryCode;
use crate::domain::instant::Instant;
use crate::domain::period::MonthSpan;
use crate::domain::provenance::{Provenance, Source};
use crate::domain::validation::Violation;
use crate::store::StoreError;
use crate::store::budget as store;
use crate::store::entities::category;
use crate::store::facts::rows_at;
use crate::store::history::WriteMeta;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

impl StoredFact for Category {
    const KIND: &'static str = "category";
    type Key = CategoryCode;
    type Series = CategoryCode;

    fn key(&self) -> CategoryCode {
        self.code.clone()
    }

    fn series(&self) -> CategoryCode {
        self.code.clone()
    }

    fn span(&self) -> Option<MonthSpan> {
        None
    }

    fn key_field() -> &'static str {
        "code"
    }

    fn check_references(&self, ctx: &ImportContext) -> Vec<Violation> {
        match &self.parent {
            Some(parent) if ctx.category(parent).is_none() => {
                vec![Violation::new(
                    "parent",
                    format!("unknown category {parent}"),
                )]
            }
            _ => Vec::new(),
        }
    }

    fn define(&self, ctx: &mut ImportContext) {
        ctx.categories.insert(self.code.clone(), self.clone());
    }

    async fn load_current(
        txn: &DatabaseTransaction,
        batch: &[&Self],
    ) -> Result<Vec<(i64, Self, Instant)>, StoreError> {
        let codes: Vec<String> = batch.iter().map(|c| c.code.to_string()).collect();
        store::current_category_rows(txn, &codes)
            .await?
            .into_iter()
            .map(|row| {
                let id = row.id;
                store::category_to_domain(row).map(|s| (id, s.category, s.provenance.recorded_at))
            })
            .collect()
    }

    async fn write(
        txn: &DatabaseTransaction,
        inserts: &[(Self, Source)],
        superseded: &[i64],
        meta: WriteMeta,
    ) -> Result<(), StoreError> {
        store::write_categories(txn, inserts, superseded, meta).await
    }

    async fn export_page(
        db: &DatabaseConnection,
        as_of: Instant,
        after_id: i64,
        limit: u64,
    ) -> Result<Vec<(i64, Self, Provenance)>, StoreError> {
        use crate::store::entities::category::Column;
        rows_at::<category::Entity>(
            db,
            [Column::Id, Column::RecordedAt, Column::SupersededAt],
            as_of,
            after_id,
            limit,
        )
        .await?
        .into_iter()
        .map(|row| {
            let id = row.id;
            store::category_to_domain(row).map(|s| (id, s.category, s.provenance))
        })
        .collect()
    }

    fn tree_link(&self) -> Option<(String, Option<String>)> {
        Some((
            self.code.to_string(),
            self.parent.as_ref().map(ToString::to_string),
        ))
    }
}
