//! Account categories: key code; a parent must be defined before its children.

use super::ImportContext;
use super::fact::StoredFact;
use crate::domain::category::Category;
use crate::domain::codes::{CategoryCode, OrgUnitCode};
use crate::domain::instant::Instant;
use crate::domain::period::MonthSpan;
use crate::domain::provenance::{Provenance, Source};
use crate::domain::validation::Violation;
use crate::import::fields::FieldReader;
use crate::store::StoreError;
use crate::store::budget as store;
use crate::store::entities::category;
use crate::store::history::WriteMeta;
use sea_orm::DatabaseTransaction;

impl StoredFact for Category {
    const KIND: &'static str = "category";
    const KEY_FIELDS: &'static [&'static str] = &["code"];
    type Key = CategoryCode;
    type Series = CategoryCode;

    fn key(&self) -> CategoryCode {
        self.code.clone()
    }

    fn series_of(key: &CategoryCode) -> CategoryCode {
        key.clone()
    }

    fn parse_key(fields: &mut FieldReader) -> Option<CategoryCode> {
        fields.parsed("code", CategoryCode::parse)
    }

    fn owner(&self, _ctx: &ImportContext) -> Option<OrgUnitCode> {
        None
    }

    fn definition_code(key: &CategoryCode) -> Option<String> {
        Some(key.to_string())
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
        keys: &[&CategoryCode],
    ) -> Result<Vec<(i64, Self, Instant)>, StoreError> {
        let codes: Vec<String> = keys.iter().map(|c| c.to_string()).collect();
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
    ) -> Result<i64, StoreError> {
        store::write_categories(txn, inserts, superseded, meta).await
    }

    crate::fact_reads!(category, category_from_row);

    fn tree_link(&self) -> Option<(String, Option<String>)> {
        Some((
            self.code.to_string(),
            self.parent.as_ref().map(ToString::to_string),
        ))
    }
}

/// A stored category as the importer and the export see it.
fn category_from_row(row: category::Model) -> Result<(Category, Provenance), StoreError> {
    store::category_to_domain(row).map(|s| (s.category, s.provenance))
}
