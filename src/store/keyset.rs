//! Keyset pagination: "rows after this key" for a multi-column sort order.

use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, Value};

/// Rows whose (c1, c2, …) sorts strictly after (v1, v2, …), all ascending.
pub fn after<C: ColumnTrait>(key: &[(C, Value)]) -> Condition {
    let key: Vec<(SimpleExpr, Value)> = key
        .iter()
        .map(|(column, value)| (Expr::col(*column), value.clone()))
        .collect();
    after_exprs(&key)
}

/// Rows whose (e1, e2, …) sorts strictly after (v1, v2, …), all ascending, for orders that
/// include computed expressions: e1 > v1 OR (e1 = v1 AND e2 > v2) OR …
pub fn after_exprs(key: &[(SimpleExpr, Value)]) -> Condition {
    let mut any = Condition::any();
    for i in 0..key.len() {
        let mut branch = Condition::all();
        for (expr, value) in &key[..i] {
            branch = branch.add(expr.clone().eq(value.clone()));
        }
        let (expr, value) = &key[i];
        branch = branch.add(expr.clone().gt(value.clone()));
        any = any.add(branch);
    }
    any
}
