//! Domain → proto conversions shared by the services.

use super::request::{CATEGORIES, ORG_UNITS};
use crate::domain::category::Direction;
use crate::domain::codes::{CategoryCode, OrgUnitCode};
use crate::domain::org::OrgUnitKind;
use crate::domain::period::MonthSpan;
use crate::domain::provenance::Provenance;
use crate::domain::scenario::Scenario;
use crate::domain::validation::Violation;
use crate::proto::v1 as pb;
use crate::store::sources::ImportedSource;

/// `collection/id`: a resource name. Concatenated rather than formatted: listed rows carry
/// several each.
pub fn resource_name(collection: &str, id: &str) -> String {
    let mut name = String::with_capacity(collection.len() + 1 + id.len());
    name.push_str(collection);
    name.push('/');
    name.push_str(id);
    name
}

pub fn org_unit_name(code: &OrgUnitCode) -> String {
    resource_name(ORG_UNITS, code.as_str())
}

pub fn category_name(code: &CategoryCode) -> String {
    resource_name(CATEGORIES, code.as_str())
}

pub fn provenance(p: &Provenance) -> pb::Provenance {
    pb::Provenance {
        document: p.document.clone(),
        table: p.table.clone().unwrap_or_default(),
        import: super::import::import_name(p.import_id),
        recorded_at: p.recorded_at.to_rfc3339(),
        superseded_at: p.superseded_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
    }
}

pub fn span(s: MonthSpan) -> pb::MonthSpan {
    pb::MonthSpan {
        fiscal_year: s.fiscal_year,
        from_month: i32::from(s.from),
        to_month: i32::from(s.to),
    }
}

pub fn scenario(s: Scenario) -> pb::Scenario {
    match s {
        Scenario::Actual => pb::Scenario::Actual,
        Scenario::Budget => pb::Scenario::Budget,
        Scenario::Forecast => pb::Scenario::Forecast,
        Scenario::Plan => pb::Scenario::Plan,
    }
}

pub fn direction(d: Direction) -> pb::Direction {
    match d {
        Direction::Income => pb::Direction::Income,
        Direction::Cost => pb::Direction::Cost,
        Direction::Net => pb::Direction::Net,
    }
}

pub fn org_unit_kind(k: OrgUnitKind) -> pb::OrgUnitKind {
    match k {
        OrgUnitKind::Region => pb::OrgUnitKind::Region,
        OrgUnitKind::Committee => pb::OrgUnitKind::Committee,
        OrgUnitKind::Division => pb::OrgUnitKind::Division,
        OrgUnitKind::Area => pb::OrgUnitKind::Area,
        OrgUnitKind::Department => pb::OrgUnitKind::Department,
        OrgUnitKind::CostCentre => pb::OrgUnitKind::CostCentre,
    }
}

/// The domain kind for a filter value; `Ok(None)` for unspecified.
pub fn org_unit_kind_filter(value: i32, field: &str) -> Result<Option<OrgUnitKind>, Violation> {
    Ok(
        match pb::OrgUnitKind::try_from(value)
            .map_err(|_| super::request::unknown_enum(field, value, "value"))?
        {
            pb::OrgUnitKind::Unspecified => None,
            pb::OrgUnitKind::Region => Some(OrgUnitKind::Region),
            pb::OrgUnitKind::Committee => Some(OrgUnitKind::Committee),
            pb::OrgUnitKind::Division => Some(OrgUnitKind::Division),
            pb::OrgUnitKind::Area => Some(OrgUnitKind::Area),
            pb::OrgUnitKind::Department => Some(OrgUnitKind::Department),
            pb::OrgUnitKind::CostCentre => Some(OrgUnitKind::CostCentre),
        },
    )
}

pub fn direction_filter(value: i32, field: &str) -> Result<Option<Direction>, Violation> {
    Ok(
        match pb::Direction::try_from(value)
            .map_err(|_| super::request::unknown_enum(field, value, "value"))?
        {
            pb::Direction::Unspecified => None,
            pb::Direction::Income => Some(Direction::Income),
            pb::Direction::Cost => Some(Direction::Cost),
            pb::Direction::Net => Some(Direction::Net),
        },
    )
}

/// Where a summary's figures come from.
pub fn sources(sources: &[ImportedSource]) -> Vec<pb::SummarySource> {
    sources
        .iter()
        .map(|s| pb::SummarySource {
            kind: s.kind.clone(),
            document: s.document.clone(),
            table: s.table.clone().unwrap_or_default(),
            import: super::import::import_name(s.import_id),
        })
        .collect()
}
