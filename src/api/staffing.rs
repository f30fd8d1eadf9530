//! StaffingService: profession groups, headcounts, worked hours, hired staff, sick leave and
//! positions, with the derived figures (FTE, hired share, position deviations) served next to
//! the stored ones.

use super::caller::grant;
use super::request::{self, Checks, list_fields, list_query};
use super::staffing_convert::{group_to_proto, staffing_report_to_proto};
pub use crate::domain::codes::PROFESSION_GROUPS;
use crate::domain::codes::{ProfessionCode, parse_resource_name};
use crate::domain::org::parse_date;
use crate::domain::staffing::{
    SickLeaveAgeBand, SickLeaveGender, SickLeaveLength, parse_employee_group,
};
use crate::domain::validation::Violation;
use crate::proto::v1 as pb;
use crate::proto::v1::staffing_service_server::StaffingService;
use crate::service::ServiceError;
use crate::service::listing::{ListQuery, list};
use crate::service::paging::PageRequest;
use crate::service::staffing::{
    self as service, ProfessionQuery, StaffingSummaryQuery, list_by_profession,
};
use crate::store::Store;
use crate::store::staffing::{
    HeadcountFilter, HiredStaffFilter, PeriodFilter, PositionFilter, SickLeaveFilter,
    WorkedHoursFilter,
};
use chrono::NaiveDate;
use tonic::{Request, Response, Status};

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

impl TryFrom<pb::ListProfessionGroupsRequest> for ProfessionQuery {
    type Error = ServiceError;

    fn try_from(r: pb::ListProfessionGroupsRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let query = ProfessionQuery {
            as_of: checks.take(request::as_of(r.as_of.as_ref())),
            page: checks.take(PageRequest::parse(r.page_size, &r.page_token)),
        };
        checks.done(Some(query))
    }
}

impl TryFrom<pb::ListHeadcountsRequest> for ListQuery<HeadcountFilter> {
    type Error = ServiceError;

    fn try_from(r: pb::ListHeadcountsRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let (from_date, to_date) = checks.take_all(date_range(&r.from_date, &r.to_date));
        let employee_group = if r.employee_group.is_empty() {
            None
        } else {
            checks.take(parse_employee_group(&r.employee_group, "employee_group").map(Some))
        };
        let filter = HeadcountFilter {
            from_date,
            to_date,
            employee_group,
        };
        let query = list_query(&mut checks, list_fields!(r), filter);
        checks.done(Some(query))
    }
}

/// The filters ListWorkedHours and ListHiredStaff share.
fn period_filter(
    checks: &mut Checks,
    [fiscal_year, from_month, to_month]: [i32; 3],
    profession: &str,
) -> PeriodFilter {
    PeriodFilter {
        fiscal_year: checks.take(request::optional_fiscal_year(fiscal_year, "fiscal_year")),
        months: checks.take_all(request::month_range(from_month, to_month)),
        profession: checks.take(optional_profession(profession, "profession")),
    }
}

impl TryFrom<pb::ListWorkedHoursRequest> for ListQuery<WorkedHoursFilter> {
    type Error = ServiceError;

    fn try_from(r: pb::ListWorkedHoursRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let months = [r.fiscal_year, r.from_month, r.to_month];
        let filter = WorkedHoursFilter(period_filter(&mut checks, months, &r.profession));
        let query = list_query(&mut checks, list_fields!(r), filter);
        checks.done(Some(query))
    }
}

impl TryFrom<pb::ListHiredStaffRequest> for ListQuery<HiredStaffFilter> {
    type Error = ServiceError;

    fn try_from(r: pb::ListHiredStaffRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let months = [r.fiscal_year, r.from_month, r.to_month];
        let filter = HiredStaffFilter(period_filter(&mut checks, months, &r.profession));
        let query = list_query(&mut checks, list_fields!(r), filter);
        checks.done(Some(query))
    }
}

impl TryFrom<pb::ListSickLeaveRequest> for ListQuery<SickLeaveFilter> {
    type Error = ServiceError;

    fn try_from(r: pb::ListSickLeaveRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let filter = SickLeaveFilter {
            fiscal_year: checks.take(request::optional_fiscal_year(r.fiscal_year, "fiscal_year")),
            months: checks.take_all(request::month_range(r.from_month, r.to_month)),
            gender: checks.take(gender_filter(r.gender, "gender")),
            age_band: checks.take(age_band_filter(r.age_band, "age_band")),
            length: checks.take(length_filter(r.length, "length")),
        };
        let query = list_query(&mut checks, list_fields!(r), filter);
        checks.done(Some(query))
    }
}

impl TryFrom<pb::ListPositionsRequest> for ListQuery<PositionFilter> {
    type Error = ServiceError;

    fn try_from(r: pb::ListPositionsRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let (from_date, to_date) = checks.take_all(date_range(&r.from_date, &r.to_date));
        let filter = PositionFilter {
            from_date,
            to_date,
            profession: checks.take(optional_profession(&r.profession, "profession")),
        };
        let query = list_query(&mut checks, list_fields!(r), filter);
        checks.done(Some(query))
    }
}

impl TryFrom<pb::SummarizeStaffingRequest> for StaffingSummaryQuery {
    type Error = ServiceError;

    fn try_from(r: pb::SummarizeStaffingRequest) -> Result<Self, Self::Error> {
        let mut checks = Checks::default();
        let at = request::at(&mut checks, &r.structure_date, r.as_of.as_ref());
        let scope = request::summary_scope(
            &mut checks,
            &r.org_unit,
            [r.fiscal_year, r.from_month, r.to_month],
            at,
        );
        let date = checks.take(optional_date(&r.date, "date"));
        checks.done(scope.map(|scope| StaffingSummaryQuery { scope, date }))
    }
}

#[tonic::async_trait]
impl StaffingService for StaffingApi {
    async fn list_profession_groups(
        &self,
        request: Request<pb::ListProfessionGroupsRequest>,
    ) -> Result<Response<pb::ListProfessionGroupsResponse>, Status> {
        let grant = grant(&request)?;
        let query = ProfessionQuery::try_from(request.into_inner())?;
        let page = service::profession_groups(&self.store, &grant, &query).await?;
        Ok(Response::new(pb::ListProfessionGroupsResponse {
            profession_groups: page.rows.iter().map(group_to_proto).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn list_headcounts(
        &self,
        request: Request<pb::ListHeadcountsRequest>,
    ) -> Result<Response<pb::ListHeadcountsResponse>, Status> {
        let grant = grant(&request)?;
        let query = ListQuery::try_from(request.into_inner())?;
        let page = list(&self.store, &grant, "headcounts", &query).await?;
        Ok(Response::new(pb::ListHeadcountsResponse {
            headcounts: page.rows.iter().map(From::from).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn list_worked_hours(
        &self,
        request: Request<pb::ListWorkedHoursRequest>,
    ) -> Result<Response<pb::ListWorkedHoursResponse>, Status> {
        let grant = grant(&request)?;
        let query = ListQuery::try_from(request.into_inner())?;
        let page = list_by_profession(&self.store, &grant, "worked_hours", &query).await?;
        Ok(Response::new(pb::ListWorkedHoursResponse {
            worked_hours: page.rows.iter().map(From::from).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn list_hired_staff(
        &self,
        request: Request<pb::ListHiredStaffRequest>,
    ) -> Result<Response<pb::ListHiredStaffResponse>, Status> {
        let grant = grant(&request)?;
        let query = ListQuery::try_from(request.into_inner())?;
        let page = list_by_profession(&self.store, &grant, "hired_staff", &query).await?;
        Ok(Response::new(pb::ListHiredStaffResponse {
            hired_staff: page.rows.iter().map(From::from).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn list_sick_leave(
        &self,
        request: Request<pb::ListSickLeaveRequest>,
    ) -> Result<Response<pb::ListSickLeaveResponse>, Status> {
        let grant = grant(&request)?;
        let query = ListQuery::try_from(request.into_inner())?;
        let page = list(&self.store, &grant, "sick_leave", &query).await?;
        Ok(Response::new(pb::ListSickLeaveResponse {
            sick_leave: page.rows.iter().map(From::from).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn list_positions(
        &self,
        request: Request<pb::ListPositionsRequest>,
    ) -> Result<Response<pb::ListPositionsResponse>, Status> {
        let grant = grant(&request)?;
        let query = ListQuery::try_from(request.into_inner())?;
        let page = list_by_profession(&self.store, &grant, "positions", &query).await?;
        Ok(Response::new(pb::ListPositionsResponse {
            positions: page.rows.iter().map(From::from).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn summarize_staffing(
        &self,
        request: Request<pb::SummarizeStaffingRequest>,
    ) -> Result<Response<pb::SummarizeStaffingResponse>, Status> {
        let grant = grant(&request)?;
        let query = StaffingSummaryQuery::try_from(request.into_inner())?;
        let report = service::summarize(&self.store, &grant, &query).await?;
        Ok(Response::new(staffing_report_to_proto(&report)))
    }
}
