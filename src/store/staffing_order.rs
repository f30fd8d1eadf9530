//! Sort orders of staffing lists that are not the stored strings' order: profession
//! groups by their display order (data, versioned like any fact) and sick-leave dimensions by
//! enum order. Both are small closed sets, mapped to ranks with a CASE expression so that the
//! database sorts and pages on them.

use crate::domain::codes::ProfessionCode;
use crate::domain::staffing::ProfessionGroup;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, Value};
use std::collections::BTreeMap;

/// Rank of a profession code whose group is unknown at the read instant: last. The importer
/// rejects such codes, so this only keeps the order total.
pub const UNKNOWN_PROFESSION_ORDER: i32 = i32::MAX;

/// The display order of each profession group, for sorting figures by profession.
#[derive(Debug, Clone, Default)]
pub struct ProfessionOrder(BTreeMap<String, i32>);

impl ProfessionOrder {
    pub fn new<'a>(groups: impl IntoIterator<Item = &'a ProfessionGroup>) -> Self {
        Self(
            groups
                .into_iter()
                .map(|g| (g.code.to_string(), g.display_order))
                .collect(),
        )
    }

    pub fn of(&self, code: &ProfessionCode) -> i32 {
        self.0
            .get(code.as_str())
            .copied()
            .unwrap_or(UNKNOWN_PROFESSION_ORDER)
    }

    pub fn contains(&self, code: &ProfessionCode) -> bool {
        self.0.contains_key(code.as_str())
    }

    /// `CASE WHEN column = 'LAKARE' THEN 20 … ELSE i32::MAX END`; `None` without groups,
    /// when every row ranks the same. (A bare constant cannot be sorted on: MariaDB reads an
    /// integer in ORDER BY as a column position.)
    pub(super) fn expr(&self, column: impl ColumnTrait) -> Option<SimpleExpr> {
        (!self.0.is_empty()).then(|| {
            rank_expr(
                column,
                self.0.iter().map(|(code, order)| (code.clone(), *order)),
                UNKNOWN_PROFESSION_ORDER,
            )
        })
    }
}

/// Maps a string column to an integer rank; `otherwise` for any other value. `ranks` must
/// not be empty.
pub(super) fn rank_expr(
    column: impl ColumnTrait,
    ranks: impl IntoIterator<Item = (String, i32)>,
    otherwise: i32,
) -> SimpleExpr {
    let mut ranks = ranks.into_iter();
    let (value, rank) = ranks.next().expect("at least one rank");
    let mut case = Expr::case(column.eq(value), rank);
    for (value, rank) in ranks {
        case = case.case(column.eq(value), rank);
    }
    case.finally(otherwise).into()
}

/// The rank of each value of a closed set: its position in `labels` (enum order).
pub(super) fn label_rank(
    column: impl ColumnTrait,
    labels: impl IntoIterator<Item = &'static str>,
) -> SimpleExpr {
    let ranks: Vec<(String, i32)> = labels
        .into_iter()
        .zip(0..)
        .map(|(label, rank)| (label.to_owned(), rank))
        .collect();
    let otherwise = ranks.len() as i32;
    rank_expr(column, ranks, otherwise)
}

/// The sort expressions with the page key's values, leaving out absent (constant) ones.
pub(super) fn sort_key(parts: Vec<(Option<SimpleExpr>, Value)>) -> Vec<(SimpleExpr, Value)> {
    parts
        .into_iter()
        .filter_map(|(expr, value)| expr.map(|e| (e, value)))
        .collect()
}
