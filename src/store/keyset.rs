//! Keyset pagination: "rows after this key" for a multi-column sort order.

use sea_orm::{ColumnTrait, Condition, Value};

/// Rows whose (c1, c2, …) sorts strictly after (v1, v2, …), all ascending:
/// c1 > v1 OR (c1 = v1 AND c2 > v2) OR …
pub fn after<C: ColumnTrait>(key: &[(C, Value)]) -> Condition {
    let mut any = Condition::any();
    for i in 0..key.len() {
        let mut branch = Condition::all();
        for (column, value) in &key[..i] {
            branch = branch.add(column.eq(value.clone()));
        }
        let (column, value) = &key[i];
        branch = branch.add(column.gt(value.clone()));
        any = any.add(branch);
    }
    any
}
