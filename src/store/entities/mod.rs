//! sea-orm entities, one file per table.

pub mod budget_line;
pub mod category;
pub mod import;
pub mod org_unit;
