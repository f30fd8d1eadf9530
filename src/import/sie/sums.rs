//! The sums a SIE file's balances add up to: öre per (unit, category, year, month, scenario),
//! exact until the one rounding per budget line. Memory grows with the distinct keys and
//! with the (account, period, object) combinations, never with the text of the file.

use super::amount::round_to_kronor;
use crate::domain::codes::{CategoryCode, OrgUnitCode};
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

/// Values numbered in order of first appearance, so that keys hold small numbers.
#[derive(Debug)]
pub struct Interner<T> {
    values: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T: Clone + Eq + Hash> Interner<T> {
    pub fn new() -> Self {
        Self {
            values: Vec::new(),
            index: HashMap::new(),
        }
    }

    pub fn id(&mut self, value: &T) -> u32 {
        if let Some(&id) = self.index.get(value) {
            return id;
        }
        let id = self.values.len() as u32;
        self.values.push(value.clone());
        self.index.insert(value.clone(), id);
        id
    }

    pub fn get(&self, id: u32) -> &T {
        &self.values[id as usize]
    }
}

/// Which SIE record a balance came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `#PSALDO`: the actual balance of a period.
    Actual,
    /// `#PBUDGET`: the period's budget.
    Budget,
}

/// Year and month.
pub type Month = (i32, u8);

/// One budget line's key: unit, category, month and kind, by interned number.
type LineKey = (u32, u32, Month, Kind);

/// One account balance's key without its object: kind, month, account.
pub type AccountPeriod = (Kind, Month, u64);

/// A budget line as summed: whole kronor, and the first file line that went into it.
pub struct SummedLine {
    pub unit: OrgUnitCode,
    pub category: CategoryCode,
    pub month: Month,
    pub kind: Kind,
    pub amount_sek: i64,
    pub first_line: usize,
}

/// The running sums of one file.
pub struct Sums {
    pub units: Interner<OrgUnitCode>,
    pub categories: Interner<CategoryCode>,
    lines: HashMap<LineKey, (i128, usize)>,
    /// Per account and period: the sum of its cost-centre balances (to check the total).
    by_account: HashMap<AccountPeriod, i128>,
    /// Per account and period: the account's total (`{}`), with its line.
    totals: HashMap<AccountPeriod, (i128, usize, CategoryCode)>,
}

impl Sums {
    pub fn new() -> Self {
        Self {
            units: Interner::new(),
            categories: Interner::new(),
            lines: HashMap::new(),
            by_account: HashMap::new(),
            totals: HashMap::new(),
        }
    }

    /// Adds a cost centre's balance of `account` in `month`.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        unit: u32,
        category: u32,
        account: u64,
        month: Month,
        kind: Kind,
        ore: i128,
        line: usize,
    ) {
        let entry = self
            .lines
            .entry((unit, category, month, kind))
            .or_insert((0, line));
        entry.0 += ore;
        *self.by_account.entry((kind, month, account)).or_insert(0) += ore;
    }

    /// Notes an account's total over every object (`{}`). `Some(line)`: the line that gave
    /// it before.
    pub fn total(
        &mut self,
        key: AccountPeriod,
        ore: i64,
        line: usize,
        category: CategoryCode,
    ) -> Option<usize> {
        match self.totals.get(&key) {
            Some(&(_, earlier, _)) => Some(earlier),
            None => {
                self.totals.insert(key, (i128::from(ore), line, category));
                None
            }
        }
    }

    /// Per account total: the part its cost-centre balances do not hold (bookings without
    /// a cost centre), with the total's line and category; only those that are not zero.
    pub fn unassigned(&self) -> Vec<(AccountPeriod, i128, i128, usize, CategoryCode)> {
        let mut rests: Vec<_> = self
            .totals
            .iter()
            .filter_map(|(key, (total, line, category))| {
                let assigned = self.by_account.get(key).copied().unwrap_or(0);
                (*total != assigned)
                    .then(|| (*key, *total, total - assigned, *line, category.clone()))
            })
            .collect();
        rests.sort_by_key(|(_, _, _, line, _)| *line);
        rests
    }

    /// The budget lines, each sum signed by `negate` and rounded once to whole kronor, in
    /// order of unit, category, month and kind. `Err`: a sum beyond i64 kronor, with its
    /// line.
    pub fn into_lines(self, negate: bool) -> Result<Vec<SummedLine>, usize> {
        let sorted: BTreeMap<(&OrgUnitCode, &CategoryCode, Month, Kind), (i128, usize)> = self
            .lines
            .iter()
            .map(|(&(unit, category, month, kind), &value)| {
                (
                    (
                        self.units.get(unit),
                        self.categories.get(category),
                        month,
                        kind,
                    ),
                    value,
                )
            })
            .collect();
        sorted
            .into_iter()
            .map(|((unit, category, month, kind), (ore, first_line))| {
                let signed = if negate { -ore } else { ore };
                Ok(SummedLine {
                    unit: unit.clone(),
                    category: category.clone(),
                    month,
                    kind,
                    amount_sek: round_to_kronor(signed).ok_or(first_line)?,
                    first_line,
                })
            })
            .collect()
    }
}
