//! StaffingService: profession groups, headcounts, worked hours, hired staff, sick leave and
//! positions, with the derived figures (FTE, hired share, position deviations) served next to
//! the stored ones.

use super::error::ApiError;
use super::paging;
use super::request::{self, Checks};
use super::scope::units_in_scope;
use super::staffing_convert::{
    group_to_proto, headcount_to_proto, hired_staff_to_proto, position_to_proto,
    sick_leave_to_proto, worked_hours_to_proto,
};
use crate::domain::codes::{OrgUnitCode, ProfessionCode, parse_resource_name};
use crate::domain::instant::Instant;
use crate::domain::org::parse_date;
use crate::domain::provenance::Provenance;
use crate::domain::staffing::{
    Headcount, ProfessionGroup, SickLeave, SickLeaveAgeBand, SickLeaveGender, SickLeaveLength,
    parse_employee_group,
};
use crate::domain::validation::Violation;
use crate::proto::v1 as pb;
use crate::proto::v1::staffing_service_server::StaffingService;
use crate::store::Store;
use crate::store::staffing::{
    self as store, HeadcountFilter, HeadcountKey, PeriodFilter, PositionFilter, PositionKey,
    ProfessionOrder, ProfessionPeriodKey, SickLeaveFilter, SickLeaveKey, Stored,
};
use chrono::NaiveDate;
use tonic::{Request, Response, Status};

/// The collection of profession groups: `professionGroups/{code}`.
pub const PROFESSION_GROUPS: &str = "professionGroups";

pub struct StaffingApi {
    store: Store,
}

impl StaffingApi {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn optional_profession(value: &str, field: &str) -> Result<Option<ProfessionCode>, Violation> {
    if value.is_empty() {
        Ok(None)
    } else {
        parse_resource_name(value, PROFESSION_GROUPS, field, ProfessionCode::parse).map(Some)
    }
}

fn optional_date(value: &str, field: &str) -> Result<Option<NaiveDate>, Violation> {
    if value.is_empty() {
        Ok(None)
    } else {
        parse_date(value, field).map(Some)
    }
}

/// `from_date` and `to_date`, each optional; from after to is an error on `from_date`.
fn date_range(
    from: &str,
    to: &str,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), Vec<Violation>> {
    let from = optional_date(from, "from_date");
    let to = optional_date(to, "to_date");
    match (from, to) {
        (Ok(Some(f)), Ok(Some(t))) if f > t => Err(vec![Violation::new(
            "from_date",
            format!("from_date {f} is after to_date {t}"),
        )]),
        (Ok(f), Ok(t)) => Ok((f, t)),
        (from, to) => Err([from.err(), to.err()].into_iter().flatten().collect()),
    }
}

fn gender_filter(value: i32, field: &str) -> Result<Option<SickLeaveGender>, Violation> {
    Ok(
        match pb::SickLeaveGender::try_from(value)
            .map_err(|_| request::unknown_enum(field, value, "value"))?
        {
            pb::SickLeaveGender::Unspecified => None,
            pb::SickLeaveGender::All => Some(SickLeaveGender::All),
            pb::SickLeaveGender::Women => Some(SickLeaveGender::Women),
            pb::SickLeaveGender::Men => Some(SickLeaveGender::Men),
        },
    )
}

fn age_band_filter(value: i32, field: &str) -> Result<Option<SickLeaveAgeBand>, Violation> {
    Ok(
        match pb::SickLeaveAgeBand::try_from(value)
            .map_err(|_| request::unknown_enum(field, value, "value"))?
        {
            pb::SickLeaveAgeBand::Unspecified => None,
            pb::SickLeaveAgeBand::All => Some(SickLeaveAgeBand::All),
            pb::SickLeaveAgeBand::Under30 => Some(SickLeaveAgeBand::Under30),
            pb::SickLeaveAgeBand::From30To49 => Some(SickLeaveAgeBand::From30To49),
            pb::SickLeaveAgeBand::From50 => Some(SickLeaveAgeBand::From50),
        },
    )
}

fn length_filter(value: i32, field: &str) -> Result<Option<SickLeaveLength>, Violation> {
    Ok(
        match pb::SickLeaveLength::try_from(value)
            .map_err(|_| request::unknown_enum(field, value, "value"))?
        {
            pb::SickLeaveLength::Unspecified => None,
            pb::SickLeaveLength::All => Some(SickLeaveLength::All),
            pb::SickLeaveLength::Short => Some(SickLeaveLength::Short),
            pb::SickLeaveLength::Medium => Some(SickLeaveLength::Medium),
            pb::SickLeaveLength::Long => Some(SickLeaveLength::Long),
        },
    )
}

/// The profession groups at `as_of` as a sort order; NOT_FOUND when the profession filter
/// names a group that does not exist then.
async fn profession_order(
    store: &Store,
    filter: &Option<ProfessionCode>,
    name: &str,
    as_of: Instant,
) -> Result<ProfessionOrder, ApiError> {
    let groups = store::profession_groups(store.reader(), as_of).await?;
    let order = ProfessionOrder::new(groups.iter().map(|(g, _)| g));
    if let Some(code) = filter
        && !order.contains(code)
    {
        return Err(ApiError::not_found(name));
    }
    Ok(order)
}

#[tonic::async_trait]
impl StaffingService for StaffingApi {
    async fn list_profession_groups(
        &self,
        request: Request<pb::ListProfessionGroupsRequest>,
    ) -> Result<Response<pb::ListProfessionGroupsResponse>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        let size = checks.take(paging::page_size(request.page_size));
        checks.finish().map_err(ApiError::from)?;

        let filters = paging::fingerprint(&("profession_groups", as_of));
        let (as_of, after) = paging::start::<(i32, String)>(&request.page_token, filters, as_of)
            .map_err(ApiError::from)?;
        // A handful of groups: sorted and paged in memory, like the categories.
        let all = store::profession_groups(self.store.reader(), as_of)
            .await
            .map_err(ApiError::from)?;
        let sort_key =
            |(g, _): &(ProfessionGroup, Provenance)| (g.display_order, g.code.to_string());
        let rows: Vec<&(ProfessionGroup, Provenance)> = all
            .iter()
            .filter(|s| after.as_ref().is_none_or(|a| &sort_key(s) > a))
            .take(size as usize + 1)
            .collect();
        let (page, next_page_token) = paging::finish(rows, size, filters, as_of, |s| sort_key(s));
        Ok(Response::new(pb::ListProfessionGroupsResponse {
            profession_groups: page.into_iter().map(group_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn list_headcounts(
        &self,
        request: Request<pb::ListHeadcountsRequest>,
    ) -> Result<Response<pb::ListHeadcountsResponse>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let unit = checks.take(request::optional_org_unit(&request.org_unit, "org_unit"));
        let (from_date, to_date) =
            checks.take_all(date_range(&request.from_date, &request.to_date));
        let employee_group = if request.employee_group.is_empty() {
            None
        } else {
            checks.take(parse_employee_group(&request.employee_group, "employee_group").map(Some))
        };
        let date = checks
            .take(request::structure_date(&request.structure_date, "structure_date").map(Some));
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        let size = checks.take(paging::page_size(request.page_size));
        checks.finish().map_err(ApiError::from)?;
        let date = date.expect("checked");

        let filters = paging::fingerprint(&(
            "headcounts",
            unit.as_ref(),
            request.include_descendants,
            from_date,
            to_date,
            &employee_group,
            date,
            as_of,
        ));
        let (as_of, after) = paging::start::<HeadcountKey>(&request.page_token, filters, as_of)
            .map_err(ApiError::from)?;
        let org_units = units_in_scope(
            &self.store,
            &request.org_unit,
            unit.as_ref(),
            request.include_descendants,
            date,
            as_of,
        )
        .await?;
        let filter = HeadcountFilter {
            org_units,
            from_date,
            to_date,
            employee_group,
            as_of,
        };
        let rows = store::list_headcounts(self.store.reader(), &filter, after.as_ref(), size + 1)
            .await
            .map_err(ApiError::from)?;
        let (page, next_page_token) =
            paging::finish(rows, size, filters, as_of, Stored::<Headcount>::key);
        Ok(Response::new(pb::ListHeadcountsResponse {
            headcounts: page.iter().map(headcount_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn list_worked_hours(
        &self,
        request: Request<pb::ListWorkedHoursRequest>,
    ) -> Result<Response<pb::ListWorkedHoursResponse>, Status> {
        let r = request.into_inner();
        let query = PeriodQuery::check(
            "worked_hours",
            PeriodFields {
                org_unit: &r.org_unit,
                include_descendants: r.include_descendants,
                fiscal_year: r.fiscal_year,
                from_month: r.from_month,
                to_month: r.to_month,
                profession: &r.profession,
                structure_date: &r.structure_date,
                as_of: r.as_of.as_ref(),
                page_size: r.page_size,
                page_token: &r.page_token,
            },
        )?;
        let (filter, order, after) = query.resolve(&self.store).await?;
        let rows = store::list_worked_hours(
            self.store.reader(),
            &filter,
            &order,
            after.as_ref(),
            query.size + 1,
        )
        .await
        .map_err(ApiError::from)?;
        let (page, next_page_token) =
            paging::finish(rows, query.size, query.filters, filter.as_of, |s| {
                s.key(&order)
            });
        Ok(Response::new(pb::ListWorkedHoursResponse {
            worked_hours: page.iter().map(worked_hours_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn list_hired_staff(
        &self,
        request: Request<pb::ListHiredStaffRequest>,
    ) -> Result<Response<pb::ListHiredStaffResponse>, Status> {
        let r = request.into_inner();
        let query = PeriodQuery::check(
            "hired_staff",
            PeriodFields {
                org_unit: &r.org_unit,
                include_descendants: r.include_descendants,
                fiscal_year: r.fiscal_year,
                from_month: r.from_month,
                to_month: r.to_month,
                profession: &r.profession,
                structure_date: &r.structure_date,
                as_of: r.as_of.as_ref(),
                page_size: r.page_size,
                page_token: &r.page_token,
            },
        )?;
        let (filter, order, after) = query.resolve(&self.store).await?;
        let rows = store::list_hired_staff(
            self.store.reader(),
            &filter,
            &order,
            after.as_ref(),
            query.size + 1,
        )
        .await
        .map_err(ApiError::from)?;
        let (page, next_page_token) =
            paging::finish(rows, query.size, query.filters, filter.as_of, |s| {
                s.key(&order)
            });
        Ok(Response::new(pb::ListHiredStaffResponse {
            hired_staff: page.iter().map(hired_staff_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn list_sick_leave(
        &self,
        request: Request<pb::ListSickLeaveRequest>,
    ) -> Result<Response<pb::ListSickLeaveResponse>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let unit = checks.take(request::optional_org_unit(&request.org_unit, "org_unit"));
        let year = checks.take(request::optional_fiscal_year(
            request.fiscal_year,
            "fiscal_year",
        ));
        let months = checks.take_all(request::month_range(request.from_month, request.to_month));
        let gender = checks.take(gender_filter(request.gender, "gender"));
        let age_band = checks.take(age_band_filter(request.age_band, "age_band"));
        let length = checks.take(length_filter(request.length, "length"));
        let date = checks
            .take(request::structure_date(&request.structure_date, "structure_date").map(Some));
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        let size = checks.take(paging::page_size(request.page_size));
        checks.finish().map_err(ApiError::from)?;
        let date = date.expect("checked");

        let filters = paging::fingerprint(&(
            "sick_leave",
            unit.as_ref(),
            request.include_descendants,
            year,
            months,
            gender,
            age_band,
            length,
            date,
            as_of,
        ));
        let (as_of, after) = paging::start::<SickLeaveKey>(&request.page_token, filters, as_of)
            .map_err(ApiError::from)?;
        let org_units = units_in_scope(
            &self.store,
            &request.org_unit,
            unit.as_ref(),
            request.include_descendants,
            date,
            as_of,
        )
        .await?;
        let filter = SickLeaveFilter {
            org_units,
            fiscal_year: year,
            months,
            gender,
            age_band,
            length,
            as_of,
        };
        let rows = store::list_sick_leave(self.store.reader(), &filter, after.as_ref(), size + 1)
            .await
            .map_err(ApiError::from)?;
        let (page, next_page_token) =
            paging::finish(rows, size, filters, as_of, Stored::<SickLeave>::key);
        Ok(Response::new(pb::ListSickLeaveResponse {
            sick_leave: page.iter().map(sick_leave_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn list_positions(
        &self,
        request: Request<pb::ListPositionsRequest>,
    ) -> Result<Response<pb::ListPositionsResponse>, Status> {
        let request = request.into_inner();
        let mut checks = Checks::default();
        let unit = checks.take(request::optional_org_unit(&request.org_unit, "org_unit"));
        let (from_date, to_date) =
            checks.take_all(date_range(&request.from_date, &request.to_date));
        let profession = checks.take(optional_profession(&request.profession, "profession"));
        let date = checks
            .take(request::structure_date(&request.structure_date, "structure_date").map(Some));
        let as_of = checks.take(request::as_of(request.as_of.as_ref()));
        let size = checks.take(paging::page_size(request.page_size));
        checks.finish().map_err(ApiError::from)?;
        let date = date.expect("checked");

        let filters = paging::fingerprint(&(
            "positions",
            unit.as_ref(),
            request.include_descendants,
            from_date,
            to_date,
            &profession,
            date,
            as_of,
        ));
        let (as_of, after) = paging::start::<PositionKey>(&request.page_token, filters, as_of)
            .map_err(ApiError::from)?;
        let org_units = units_in_scope(
            &self.store,
            &request.org_unit,
            unit.as_ref(),
            request.include_descendants,
            date,
            as_of,
        )
        .await?;
        let order = profession_order(&self.store, &profession, &request.profession, as_of).await?;
        let filter = PositionFilter {
            org_units,
            from_date,
            to_date,
            profession,
            as_of,
        };
        let rows = store::list_positions(
            self.store.reader(),
            &filter,
            &order,
            after.as_ref(),
            size + 1,
        )
        .await
        .map_err(ApiError::from)?;
        let (page, next_page_token) = paging::finish(rows, size, filters, as_of, |s| s.key(&order));
        Ok(Response::new(pb::ListPositionsResponse {
            positions: page.iter().map(position_to_proto).collect(),
            next_page_token,
        }))
    }
}

/// The request fields ListWorkedHours and ListHiredStaff share.
struct PeriodFields<'a> {
    org_unit: &'a str,
    include_descendants: bool,
    fiscal_year: i32,
    from_month: i32,
    to_month: i32,
    profession: &'a str,
    structure_date: &'a str,
    as_of: Option<&'a prost_types::Timestamp>,
    page_size: i32,
    page_token: &'a str,
}

/// A validated period-figure request.
struct PeriodQuery<'a> {
    fields: PeriodFields<'a>,
    unit: Option<OrgUnitCode>,
    year: Option<i32>,
    months: Option<(u8, u8)>,
    profession: Option<ProfessionCode>,
    date: NaiveDate,
    as_of: Option<Instant>,
    size: u64,
    /// The fingerprint of the filters, for the page token.
    filters: u64,
}

impl<'a> PeriodQuery<'a> {
    fn check(kind: &'static str, fields: PeriodFields<'a>) -> Result<Self, ApiError> {
        let mut checks = Checks::default();
        let unit = checks.take(request::optional_org_unit(fields.org_unit, "org_unit"));
        let year = checks.take(request::optional_fiscal_year(
            fields.fiscal_year,
            "fiscal_year",
        ));
        let months = checks.take_all(request::month_range(fields.from_month, fields.to_month));
        let profession = checks.take(optional_profession(fields.profession, "profession"));
        let date =
            checks.take(request::structure_date(fields.structure_date, "structure_date").map(Some));
        let as_of = checks.take(request::as_of(fields.as_of));
        let size = checks.take(paging::page_size(fields.page_size));
        checks.finish().map_err(ApiError::from)?;
        let date = date.expect("checked");
        let filters = paging::fingerprint(&(
            kind,
            &unit,
            fields.include_descendants,
            year,
            months,
            &profession,
            date,
            as_of,
        ));
        Ok(Self {
            fields,
            unit,
            year,
            months,
            profession,
            date,
            as_of,
            size,
            filters,
        })
    }

    /// The read instant (pinned by a token), the units in scope, the profession order and
    /// the key to continue after.
    async fn resolve(
        &self,
        store: &Store,
    ) -> Result<(PeriodFilter, ProfessionOrder, Option<ProfessionPeriodKey>), ApiError> {
        let (as_of, after) =
            paging::start::<ProfessionPeriodKey>(self.fields.page_token, self.filters, self.as_of)?;
        let org_units = units_in_scope(
            store,
            self.fields.org_unit,
            self.unit.as_ref(),
            self.fields.include_descendants,
            self.date,
            as_of,
        )
        .await?;
        let order =
            profession_order(store, &self.profession, self.fields.profession, as_of).await?;
        let filter = PeriodFilter {
            org_units,
            fiscal_year: self.year,
            months: self.months,
            profession: self.profession.clone(),
            as_of,
        };
        Ok((filter, order, after))
    }
}
