//! StaffingService: profession groups, headcounts, worked hours, hired staff, sick leave and
//! positions, with the derived figures (FTE, hired share, position deviations) served next to
//! the stored ones.

use super::convert;
use super::error::ApiError;
use super::listing::{ListFields, ListScope, list, list_fields};
use super::paging;
use super::request::{self, Checks};
use super::staffing_convert::{group_to_proto, iso, staffing_group_to_proto};
use crate::domain::codes::{ProfessionCode, parse_resource_name};
use crate::domain::instant::Instant;
use crate::domain::org::parse_date;
use crate::domain::provenance::Provenance;
use crate::domain::staffing::{
    Headcount, HiredStaff, Position, ProfessionGroup, SickLeave, SickLeaveAgeBand, SickLeaveGender,
    SickLeaveLength, WorkedHours, parse_employee_group,
};
use crate::domain::staffing_summary::{Professions, summarize_group};
use crate::domain::validation::Violation;
use crate::proto::v1 as pb;
use crate::proto::v1::staffing_service_server::StaffingService;
use crate::store::entities::{headcount, hired_staff, position, sick_leave, worked_hours};
use crate::store::listing::Listed;
use crate::store::staffing::{
    self as store, HeadcountFilter, PeriodFilter, PositionFilter, SickLeaveFilter, Stored,
};
use crate::store::staffing_summary;
use crate::store::{Store, StoreError};
use chrono::{Months, NaiveDate};
use std::collections::HashMap;
use tonic::{Request, Response, Status};

/// The collection of profession groups: `professionGroups/{code}`.
pub const PROFESSION_GROUPS: &str = "professionGroups";

pub struct StaffingApi {
    store: Store,
}

/// The request fields ListWorkedHours and ListHiredStaff share.
struct PeriodFields<'a> {
    list: ListFields<'a>,
    fiscal_year: i32,
    from_month: i32,
    to_month: i32,
    profession: &'a str,
}

impl<'a> PeriodFields<'a> {
    fn of(
        list: ListFields<'a>,
        fiscal_year: i32,
        from_month: i32,
        to_month: i32,
        profession: &'a str,
    ) -> Self {
        Self {
            list,
            fiscal_year,
            from_month,
            to_month,
            profession,
        }
    }
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
        let r = request.into_inner();
        let mut checks = Checks::default();
        let scope = ListScope::parse(&mut checks, list_fields!(r));
        let (from_date, to_date) = checks.take_all(date_range(&r.from_date, &r.to_date));
        let employee_group = if r.employee_group.is_empty() {
            None
        } else {
            checks.take(parse_employee_group(&r.employee_group, "employee_group").map(Some))
        };
        checks.finish().map_err(ApiError::from)?;
        let filter = HeadcountFilter {
            from_date,
            to_date,
            employee_group,
        };
        let page = list::<headcount::Entity>(&self.store, "headcounts", scope, &filter, |_| {
            filter.condition()
        })
        .await?;
        let (headcounts, next_page_token) = page.convert::<Stored<Headcount>, _>()?;
        Ok(Response::new(pb::ListHeadcountsResponse {
            headcounts,
            next_page_token,
        }))
    }

    async fn list_worked_hours(
        &self,
        request: Request<pb::ListWorkedHoursRequest>,
    ) -> Result<Response<pb::ListWorkedHoursResponse>, Status> {
        let r = request.into_inner();
        use worked_hours::Column as C;
        let (worked_hours, next_page_token) = self
            .period_list::<worked_hours::Entity, Stored<WorkedHours>, _>(
                "worked_hours",
                PeriodFields::of(
                    list_fields!(r),
                    r.fiscal_year,
                    r.from_month,
                    r.to_month,
                    &r.profession,
                ),
                [C::FiscalYear, C::FromMonth, C::ToMonth, C::ProfessionCode],
            )
            .await?;
        Ok(Response::new(pb::ListWorkedHoursResponse {
            worked_hours,
            next_page_token,
        }))
    }

    async fn list_hired_staff(
        &self,
        request: Request<pb::ListHiredStaffRequest>,
    ) -> Result<Response<pb::ListHiredStaffResponse>, Status> {
        let r = request.into_inner();
        use hired_staff::Column as C;
        let (hired_staff, next_page_token) = self
            .period_list::<hired_staff::Entity, Stored<HiredStaff>, _>(
                "hired_staff",
                PeriodFields::of(
                    list_fields!(r),
                    r.fiscal_year,
                    r.from_month,
                    r.to_month,
                    &r.profession,
                ),
                [C::FiscalYear, C::FromMonth, C::ToMonth, C::ProfessionCode],
            )
            .await?;
        Ok(Response::new(pb::ListHiredStaffResponse {
            hired_staff,
            next_page_token,
        }))
    }

    async fn list_sick_leave(
        &self,
        request: Request<pb::ListSickLeaveRequest>,
    ) -> Result<Response<pb::ListSickLeaveResponse>, Status> {
        let r = request.into_inner();
        let mut checks = Checks::default();
        let scope = ListScope::parse(&mut checks, list_fields!(r));
        let filter = SickLeaveFilter {
            fiscal_year: checks.take(request::optional_fiscal_year(r.fiscal_year, "fiscal_year")),
            months: checks.take_all(request::month_range(r.from_month, r.to_month)),
            gender: checks.take(gender_filter(r.gender, "gender")),
            age_band: checks.take(age_band_filter(r.age_band, "age_band")),
            length: checks.take(length_filter(r.length, "length")),
        };
        checks.finish().map_err(ApiError::from)?;
        let page = list::<sick_leave::Entity>(&self.store, "sick_leave", scope, &filter, |_| {
            filter.condition()
        })
        .await?;
        let (sick_leave, next_page_token) = page.convert::<Stored<SickLeave>, _>()?;
        Ok(Response::new(pb::ListSickLeaveResponse {
            sick_leave,
            next_page_token,
        }))
    }

    async fn list_positions(
        &self,
        request: Request<pb::ListPositionsRequest>,
    ) -> Result<Response<pb::ListPositionsResponse>, Status> {
        let r = request.into_inner();
        let mut checks = Checks::default();
        let scope = ListScope::parse(&mut checks, list_fields!(r));
        let (from_date, to_date) = checks.take_all(date_range(&r.from_date, &r.to_date));
        let profession = checks.take(optional_profession(&r.profession, "profession"));
        checks.finish().map_err(ApiError::from)?;
        self.check_profession(&profession, &r.profession, r.as_of.as_ref())
            .await?;
        let filter = PositionFilter {
            from_date,
            to_date,
            profession,
        };
        let page = list::<position::Entity>(&self.store, "positions", scope, &filter, |_| {
            filter.condition()
        })
        .await?;
        let (positions, next_page_token) = page.convert::<Stored<Position>, _>()?;
        Ok(Response::new(pb::ListPositionsResponse {
            positions,
            next_page_token,
        }))
    }

    async fn summarize_staffing(
        &self,
        request: Request<pb::SummarizeStaffingRequest>,
    ) -> Result<Response<pb::SummarizeStaffingResponse>, Status> {
        let r = request.into_inner();
        let mut checks = Checks::default();
        let code = checks.take(request::org_unit(&r.org_unit, "org_unit").map(Some));
        let span = request::summary_span(&mut checks, r.fiscal_year, r.from_month, r.to_month);
        let date = checks.take(optional_date(&r.date, "date"));
        let structure_date =
            checks.take(request::structure_date(&r.structure_date, "structure_date"));
        let as_of = checks.take(request::as_of(r.as_of.as_ref()));
        checks.finish().map_err(ApiError::from)?;
        let (code, span) = (code.expect("checked"), span.expect("checked"));
        let as_of = as_of.unwrap_or_else(Instant::now);
        let date = date.unwrap_or_else(|| span.last_day());
        // 29 February a year later is 28 February: chrono clamps to the month's last day.
        let prior_date = date
            .checked_sub_months(Months::new(12))
            .ok_or_else(|| ApiError::from(vec![Violation::new("date", "is out of range")]))?;
        let tree = super::scope::summary_tree(
            &self.store,
            &code,
            &r.org_unit,
            request::tree_date(structure_date, as_of),
            as_of,
        )
        .await?;

        let mut groups = vec![(code.clone(), tree.subtree(&code))];
        groups.extend(tree.child_groups(&code));
        let reader = self.store.reader();
        let stored =
            staffing_summary::summary_cells(reader, &groups, span, (date, prior_date), as_of)
                .await
                .map_err(ApiError::from)?;
        let covered = crate::store::sources::staffing_summary(span, [date, prior_date]);
        let sources = super::sources::of(&self.store, &covered, &groups[0].1, as_of).await?;
        let professions: HashMap<ProfessionCode, ProfessionGroup> =
            store::profession_groups(reader, as_of)
                .await
                .map_err(ApiError::from)?
                .into_iter()
                .map(|(g, _)| (g.code.clone(), g))
                .collect();
        let professions = Professions(&professions);
        let mut summaries = stored
            .groups
            .iter()
            .map(|(unit, cells)| (unit, summarize_group(cells, &professions, span)));
        let (_, totals) = summaries
            .next()
            .expect("the whole subtree is the first group");
        let by_child_unit = summaries
            .filter(|(_, summary)| !summary.is_empty())
            .map(|(unit, summary)| staffing_group_to_proto(Some(unit), &summary))
            .collect();
        let uncovered: Vec<pb::UncoveredStaffingMonths> = stored
            .covered
            .iter()
            .filter_map(|((table, year), months)| {
                let missing: Vec<i32> = (span.from..=span.to)
                    .filter(|m| !months.contains(m))
                    .map(i32::from)
                    .collect();
                (!missing.is_empty()).then(|| pb::UncoveredStaffingMonths {
                    table: (*table).to_owned(),
                    fiscal_year: *year,
                    months: missing,
                })
            })
            .collect();
        Ok(Response::new(pb::SummarizeStaffingResponse {
            org_unit: convert::org_unit_name(&code),
            span: Some(convert::span(span)),
            prior_year_span: Some(convert::span(span.prior_year())),
            date: iso(date),
            prior_year_date: iso(prior_date),
            totals: Some(staffing_group_to_proto(None, &totals)),
            by_child_unit,
            exact: stored.straddling.is_empty() && uncovered.is_empty(),
            inexact_spans: stored
                .straddling
                .iter()
                .map(|(table, stored_span)| pb::InexactStaffingSpan {
                    table: (*table).to_owned(),
                    stored_span: Some(convert::span(*stored_span)),
                })
                .collect(),
            uncovered,
            sources,
        }))
    }
}

impl StaffingApi {
    /// ListWorkedHours and ListHiredStaff: figures per unit, span and profession group, in
    /// a table whose year, from month, to month and profession columns are `columns`.
    async fn period_list<E, D, P>(
        &self,
        name: &'static str,
        fields: PeriodFields<'_>,
        columns: [E::Column; 4],
    ) -> Result<(Vec<P>, String), ApiError>
    where
        E: Listed,
        D: TryFrom<E::Model, Error = StoreError>,
        P: for<'a> From<&'a D>,
    {
        let mut checks = Checks::default();
        let as_of = fields.list.as_of;
        let scope = ListScope::parse(&mut checks, fields.list);
        let filter = PeriodFilter {
            fiscal_year: checks.take(request::optional_fiscal_year(
                fields.fiscal_year,
                "fiscal_year",
            )),
            months: checks.take_all(request::month_range(fields.from_month, fields.to_month)),
            profession: checks.take(optional_profession(fields.profession, "profession")),
        };
        checks.finish().map_err(ApiError::from)?;
        self.check_profession(&filter.profession, fields.profession, as_of)
            .await?;
        list::<E>(&self.store, name, scope, &filter, |_| {
            filter.condition(columns)
        })
        .await?
        .convert::<D, P>()
    }

    /// NOT_FOUND when the profession filter names a group that does not exist (at `as_of`).
    async fn check_profession(
        &self,
        code: &Option<ProfessionCode>,
        name: &str,
        as_of: Option<&prost_types::Timestamp>,
    ) -> Result<(), ApiError> {
        let Some(code) = code else {
            return Ok(());
        };
        let as_of = request::as_of(as_of)?.unwrap_or_else(Instant::now);
        let groups = store::profession_groups(self.store.reader(), as_of).await?;
        if groups.iter().any(|(g, _)| &g.code == code) {
            Ok(())
        } else {
            Err(ApiError::not_found(name))
        }
    }
}
