//! The registry of stored record kinds: one list that defines the `Record` enum, the order in
//! which an import batch applies the kinds, and the order in which the export writes them
//! (definitions before the facts that refer to them). A new kind is one line here, plus its
//! parser (`parse/`), its line format (`text.rs`) and its `StoredFact` impl (`apply/`).
//! Org units are not in the list: their placements in the tree are applied and exported by
//! their own code.

/// Calls `$then! { Variant(Type), … }` with every kind that goes through `StoredFact`.
#[macro_export]
macro_rules! with_fact_kinds {
    ($then:ident) => {
        $then! {
            Category($crate::domain::category::Category),
            ProfessionGroup($crate::domain::staffing::ProfessionGroup),
            Investment($crate::domain::investment::Investment),
            Indicator($crate::domain::indicator::Indicator),
            BudgetLine($crate::domain::budget::BudgetLine),
            InvestmentFigures($crate::domain::investment::InvestmentFigures),
            Headcount($crate::domain::staffing::Headcount),
            WorkedHours($crate::domain::staffing::WorkedHours),
            HiredStaff($crate::domain::staffing::HiredStaff),
            SickLeave($crate::domain::staffing::SickLeave),
            Position($crate::domain::staffing::Position),
            IndicatorTarget($crate::domain::indicator::IndicatorTarget),
            IndicatorOutcome($crate::domain::indicator::IndicatorOutcome),
            Assignment($crate::domain::indicator::Assignment),
        }
    };
}
