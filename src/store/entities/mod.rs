//! sea-orm entities, one file per table.

pub mod assignment;
pub mod budget_line;
pub mod category;
pub mod change;
pub mod headcount;
pub mod hired_staff;
pub mod import;
pub mod indicator;
pub mod indicator_outcome;
pub mod indicator_target;
pub mod investment;
pub mod investment_figure;
pub mod org_unit;
pub mod position;
pub mod profession_group;
pub mod sick_leave;
pub mod worked_hours;
