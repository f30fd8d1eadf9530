//! Categories: key code.

use super::{Change, Current, ImportContext, classify};
use crate::domain::category::Category;
use crate::domain::codes::CategoryCode;
use crate::domain::provenance::Source;
use crate::domain::validation::Violation;
use crate::import::record::{Entry, Record};
use crate::store::{StoreError, budget as store};
use sea_orm::DatabaseTransaction;
use std::collections::HashMap;

pub struct CategoryState {
    by_code: HashMap<CategoryCode, Current<Category>>,
}

impl CategoryState {
    pub async fn load(txn: &DatabaseTransaction) -> Result<Self, StoreError> {
        let mut by_code = HashMap::new();
        for row in store::current_category_rows(txn).await? {
            let id = row.id;
            let stored = store::category_to_domain(row)?;
            by_code.insert(
                stored.category.code.clone(),
                Current {
                    id,
                    value: stored.category,
                    written_now: false,
                },
            );
        }
        Ok(Self { by_code })
    }

    pub fn get(&self, code: &CategoryCode) -> Option<&Category> {
        self.by_code.get(code).map(|c| &c.value)
    }
}

pub async fn apply(
    ctx: &mut ImportContext,
    txn: &DatabaseTransaction,
    entries: Vec<Entry>,
) -> Result<(), StoreError> {
    let mut inserts: Vec<(Category, Source)> = Vec::new();
    let mut superseded = Vec::new();
    for entry in &entries {
        let Record::Category(category, source) = &entry.record else {
            continue;
        };
        match classify(ctx.categories.by_code.get(&category.code), category) {
            Err(violation) => ctx.reject(&entry.place, violation.with_field("code")),
            Ok(change) => {
                let counts = ctx.outcome.count("category");
                match change {
                    Change::Unchanged => counts.unchanged += 1,
                    Change::Insert => counts.inserted += 1,
                    Change::Supersede(id) => {
                        counts.superseded += 1;
                        superseded.push(id);
                    }
                }
                if change != Change::Unchanged {
                    ctx.categories.by_code.insert(
                        category.code.clone(),
                        Current {
                            id: 0,
                            value: category.clone(),
                            written_now: true,
                        },
                    );
                    inserts.push((category.clone(), source.clone()));
                }
            }
        }
    }
    for entry in &entries {
        if let Record::Category(category, _) = &entry.record
            && let Some(parent) = &category.parent
            && ctx.categories.get(parent).is_none()
        {
            ctx.reject(
                &entry.place,
                Violation::new("parent", format!("unknown category {parent}")),
            );
        }
    }
    if ctx.writing() {
        store::write_categories(txn, &inserts, &superseded, ctx.meta).await?;
    }
    Ok(())
}
