//! OrganizationService: the organisation tree.

use super::caller::grant;
use super::convert;
use super::request::{self, Checks};
use crate::proto::v1 as pb;
use crate::proto::v1::organization_service_server::OrganizationService;
use crate::service::ServiceError;
use crate::service::organization::{self as service, UnitKey, UnitQuery};
use crate::service::paging::PageRequest;
use crate::service::read::UnitFilter;
use crate::store::Store;
use crate::store::org::StoredOrgUnit;
use tonic::{Request, Response, Status};

pub struct OrganizationApi {
    store: Store,
}

impl OrganizationApi {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn to_proto(stored: &StoredOrgUnit) -> pb::OrgUnit {
    let unit = &stored.unit;
    pb::OrgUnit {
        name: convert::org_unit_name(&unit.code),
        code: unit.code.to_string(),
        display_name: unit.name.clone(),
        kind: convert::org_unit_kind(unit.kind) as i32,
        parent: unit
            .parent
            .as_ref()
            .map(convert::org_unit_name)
            .unwrap_or_default(),
        valid_from: unit.valid_from.to_string(),
        valid_to: unit.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        provenance: Some(convert::provenance(&stored.provenance)),
    }
}

impl TryFrom<pb::GetOrgUnitRequest> for UnitKey {
    type Error = ServiceError;

    fn try_from(r: pb::GetOrgUnitRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let code = checks.need(request::org_unit(&r.name, "name"));
        let at = request::at(&mut checks, &r.structure_date, r.as_of.as_ref());
        checks.done(code.map(|code| UnitKey { code, at }))
    }
}

impl TryFrom<pb::ListOrgUnitsRequest> for UnitQuery {
    type Error = ServiceError;

    fn try_from(r: pb::ListOrgUnitsRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let query = UnitQuery {
            parent: UnitFilter {
                unit: checks.take(request::optional_org_unit(&r.org_unit, "org_unit")),
                include_descendants: r.include_descendants,
            },
            kind: checks.take(convert::org_unit_kind_filter(r.kind, "kind")),
            at: request::at(&mut checks, &r.structure_date, r.as_of.as_ref()),
            page: checks.take(PageRequest::parse(r.page_size, &r.page_token)),
        };
        checks.done(Some(query))
    }
}

#[tonic::async_trait]
impl OrganizationService for OrganizationApi {
    async fn get_org_unit(
        &self,
        request: Request<pb::GetOrgUnitRequest>,
    ) -> Result<Response<pb::OrgUnit>, Status> {
        let grant = grant(&request)?;
        let key = UnitKey::try_from(request.into_inner())?;
        let stored = service::get(&self.store, &grant, &key).await?;
        Ok(Response::new(to_proto(&stored)))
    }

    async fn list_org_units(
        &self,
        request: Request<pb::ListOrgUnitsRequest>,
    ) -> Result<Response<pb::ListOrgUnitsResponse>, Status> {
        let grant = grant(&request)?;
        let query = UnitQuery::try_from(request.into_inner())?;
        let page = service::list(&self.store, &grant, &query).await?;
        Ok(Response::new(pb::ListOrgUnitsResponse {
            org_units: page.rows.iter().map(to_proto).collect(),
            next_page_token: page.next_page_token,
        }))
    }
}
