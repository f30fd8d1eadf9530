//! OrganizationService: the organisation tree.

use super::convert;
use super::error::ApiError;
use super::paging;
use super::request::{self, Checks};
use crate::domain::codes::OrgUnitCode;
use crate::proto::v1 as pb;
use crate::proto::v1::organization_service_server::OrganizationService;
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

#[tonic::async_trait]
impl OrganizationService for OrganizationApi {
    async fn get_org_unit(
        &self,
        request: Request<pb::GetOrgUnitRequest>,
    ) -> Result<Response<pb::OrgUnit>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let code = checks.take(request::org_unit(&request.name, "name").map(Some));
        let date = checks.take(request::structure_date(
            &request.structure_date,
            "structure_date",
        ));
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        checks.finish().map_err(ApiError::from)?;
        let code = code.expect("checked");
        let as_of = as_of.unwrap_or_else(crate::domain::instant::Instant::now);
        let date = request::tree_date(date, as_of);
        super::scope::check_unit_at(&self.store, &code, date, as_of, &request.name).await?;

        self.store
            .placement(&code, date, as_of)
            .await
            .map_err(ApiError::from)?
            .map(|p| Response::new(to_proto(&p)))
            .ok_or_else(|| ApiError::not_found(request.name).into())
    }

    async fn list_org_units(
        &self,
        request: Request<pb::ListOrgUnitsRequest>,
    ) -> Result<Response<pb::ListOrgUnitsResponse>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let parent = checks.take(request::optional_org_unit(&request.org_unit, "org_unit"));
        let kind = checks.take(convert::org_unit_kind_filter(request.kind, "kind"));
        let date = checks.take(request::structure_date(
            &request.structure_date,
            "structure_date",
        ));
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        let size = checks.take(paging::page_size(request.page_size));
        checks.finish().map_err(ApiError::from)?;

        let filters = paging::fingerprint(&(
            "org_units",
            &parent,
            request.include_descendants,
            kind.map(|k| k.as_str()),
            date,
            as_of,
        ));
        let (as_of, after) =
            paging::start::<String>(&request.page_token, filters, as_of).map_err(ApiError::from)?;
        let date = request::tree_date(date, as_of);
        let (tree, stored) = self
            .store
            .org_tree(date, as_of)
            .await
            .map_err(ApiError::from)?;

        if let Some(code) = &parent {
            super::scope::check_unit(&tree, code, &request.org_unit)?;
        }
        let visible = super::scope::visible_units(&tree);
        let members: Option<Vec<OrgUnitCode>> = match &parent {
            None => None,
            Some(code) if tree.get(code).is_none() => {
                return Err(ApiError::not_found(request.org_unit).into());
            }
            Some(code) if request.include_descendants => Some(
                tree.subtree(code)
                    .into_iter()
                    .filter(|c| c != code)
                    .collect(),
            ),
            Some(code) => Some(tree.children(code).to_vec()),
        };
        let rows: Vec<&StoredOrgUnit> = stored
            .iter()
            .filter(|s| s.unit.is_valid_at(date))
            .filter(|s| members.as_ref().is_none_or(|m| m.contains(&s.unit.code)))
            .filter(|s| visible.as_ref().is_none_or(|v| v.contains(&s.unit.code)))
            .filter(|s| kind.is_none_or(|k| s.unit.kind == k))
            .filter(|s| {
                after
                    .as_ref()
                    .is_none_or(|a| s.unit.code.as_str() > a.as_str())
            })
            .take(size as usize + 1)
            .collect();
        let (page, next_page_token) =
            paging::finish(rows, size, filters, as_of, |s| s.unit.code.to_string());
        Ok(Response::new(pb::ListOrgUnitsResponse {
            org_units: page.into_iter().map(to_proto).collect(),
            next_page_token,
        }))
    }
}
