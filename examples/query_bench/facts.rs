//! The generated region's other facts, beside its budget lines: staffing of all five kinds
//! (worked hours and hired staff per month, sick leave per month or per year, headcounts
//! and positions at each month's end) per department and profession group, investment objects with their yearly
//! figures, and indicators with a target per year and outcomes per tertial. Written through
//! the real import path, like the budget lines, for the last `fact_years` years of the shape.

use crate::data::{COMMITTEES, REGION, Shape};
use chrono::NaiveDate;
use futures::stream::{self, StreamExt};
use std::time::Instant;
use uppsikt::domain::codes::{IndicatorCode, InvestmentId, OrgUnitCode, ProfessionCode};
use uppsikt::domain::decimal::ExactDecimal;
use uppsikt::domain::indicator::{
    Comparator, Indicator, IndicatorOutcome, IndicatorTarget, UnitOfMeasure,
};
use uppsikt::domain::investment::{
    FundingCategory, Investment, InvestmentFigures, InvestmentKind, InvestmentStatus,
};
use uppsikt::domain::period::MonthSpan;
use uppsikt::domain::provenance::Source;
use uppsikt::domain::staffing::{
    Headcount, HiredStaff, Position, SickLeave, SickLeaveAgeBand, SickLeaveGender, SickLeaveLength,
    WorkedHours,
};
use uppsikt::import::place::Place;
use uppsikt::import::record::{Entry, Record};
use uppsikt::import::{ImportError, ImportRequest, run_import};
use uppsikt::store::Store;

/// Profession groups: code, parent, display order. LAKARE_PRIMARVARD is "of which" detail.
pub const PROFESSIONS: [(&str, Option<&str>, i32); 8] = [
    ("LAKARE", None, 10),
    ("LAKARE_PRIMARVARD", Some("LAKARE"), 11),
    ("SJUKSKOTERSKOR", None, 20),
    ("USK", None, 30),
    ("PSYKOLOGER", None, 40),
    ("FYSIOTERAPEUTER", None, 50),
    ("ADMINISTRATION", None, 60),
    ("OVRIGA", None, 70),
];

/// Hired staff is reported for the first four groups only, as the reports do.
const HIRED_PROFESSIONS: usize = 4;

/// The sick-leave bands reported: all, by gender, by age band, by length.
const BANDS: [(SickLeaveGender, SickLeaveAgeBand, SickLeaveLength); 9] = [
    (
        SickLeaveGender::All,
        SickLeaveAgeBand::All,
        SickLeaveLength::All,
    ),
    (
        SickLeaveGender::Women,
        SickLeaveAgeBand::All,
        SickLeaveLength::All,
    ),
    (
        SickLeaveGender::Men,
        SickLeaveAgeBand::All,
        SickLeaveLength::All,
    ),
    (
        SickLeaveGender::All,
        SickLeaveAgeBand::Under30,
        SickLeaveLength::All,
    ),
    (
        SickLeaveGender::All,
        SickLeaveAgeBand::From30To49,
        SickLeaveLength::All,
    ),
    (
        SickLeaveGender::All,
        SickLeaveAgeBand::From50,
        SickLeaveLength::All,
    ),
    (
        SickLeaveGender::All,
        SickLeaveAgeBand::All,
        SickLeaveLength::Short,
    ),
    (
        SickLeaveGender::All,
        SickLeaveAgeBand::All,
        SickLeaveLength::Medium,
    ),
    (
        SickLeaveGender::All,
        SickLeaveAgeBand::All,
        SickLeaveLength::Long,
    ),
];

const EMPLOYEE_GROUPS: [&str; 2] = ["monthly_salaried", "administrative"];
/// Investment objects per department; divisions and committees hold a few of their own.
const OBJECTS_PER_DEPARTMENT: usize = 10;
const OBJECTS_PER_PARENT: usize = 5;
/// Indicators per department, division, committee and the region.
const INDICATORS: [usize; 4] = [3, 5, 10, 10];
pub const GOAL_AREAS: [&str; 4] = ["Patient", "Medarbetare", "Ekonomi", "Verksamhet"];
const COMPARATORS: [Comparator; 9] = [
    Comparator::AtLeast,
    Comparator::AtMost,
    Comparator::Above,
    Comparator::Below,
    Comparator::Equal,
    Comparator::Increase,
    Comparator::Decrease,
    Comparator::Bare,
    Comparator::Text,
];

/// A deterministic pseudo-random number in 0..modulus from a few indices.
fn mix(parts: &[usize], modulus: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        h ^= *p as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        h ^= h >> 29;
    }
    (h % modulus as u64) as usize
}

fn scaled(v: i64) -> ExactDecimal {
    ExactDecimal::from_scaled(v)
}

fn month_end(year: i32, month: u32) -> NaiveDate {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    first_next.expect("a valid date").pred_opt().expect("a day")
}

/// Whether `unit` reports sick leave month by month (else for the whole year): about half
/// the units each way.
fn monthly_sick_leave(unit: &str) -> bool {
    unit.bytes().map(usize::from).sum::<usize>() % 2 == 0
}

fn profession(p: usize) -> ProfessionCode {
    ProfessionCode::from_stored(PROFESSIONS[p].0.to_owned())
}

fn unit(code: &str) -> OrgUnitCode {
    OrgUnitCode::from_stored(code.to_owned())
}

impl Shape {
    /// The years the facts cover: the last `fact_years` of the shape's years.
    pub fn fact_first_year(&self) -> i32 {
        Self::LAST_YEAR + 1 - self.fact_years as i32
    }

    /// The profession groups, in the record format.
    pub fn profession_definitions(&self) -> String {
        PROFESSIONS
            .iter()
            .map(|(code, parent, order)| {
                let parent = parent.map_or_else(String::new, |p| format!(" parent={p}"));
                format!("profession_group code={code} name=\"Yrke {code}\"{parent} order={order}\n")
            })
            .collect()
    }

    /// Staffing rows of one department and year (month by month), and for every unit its
    /// sick leave per month and for the whole year.
    fn staffing_of(&self, department: usize, year: i32) -> Vec<Record> {
        let source = Source {
            document: "query-bench".into(),
            table: Some("staffing".into()),
        };
        let code = self.department(department);
        let d = department;
        let y = year as usize;
        let mut records = Vec::with_capacity(8 * 12 * 4);
        for month in 1..=12u8 {
            let m = month as usize;
            let span = MonthSpan {
                fiscal_year: year,
                from: month,
                to: month,
            };
            for p in 0..PROFESSIONS.len() {
                // Hours with one decimal: hundreds to thousands of hours a month.
                let hours = 2000 + mix(&[d, p, y, m, 1], 40000) as i64;
                records.push(Record::WorkedHours(
                    WorkedHours {
                        org_unit: unit(&code),
                        span,
                        profession: profession(p),
                        hours: scaled(hours * 1000),
                    },
                    source.clone(),
                ));
                let fte_budget = 50000 + mix(&[d, p, 2], 400000) as i64;
                let gap = mix(&[d, p, y, m, 3], 30000) as i64;
                records.push(Record::Position(
                    Position {
                        org_unit: unit(&code),
                        date: month_end(year, month as u32),
                        profession: profession(p),
                        fte_budget: scaled(fte_budget),
                        fte_needed: (mix(&[d, p, 4], 9) != 0).then(|| scaled(fte_budget + gap)),
                        fte_available_now: Some(scaled(fte_budget - gap)),
                        fte_available_in_3_months: (mix(&[d, p, y, 5], 5) != 0)
                            .then(|| scaled(fte_budget - gap / 2)),
                        fte_hired: (p < HIRED_PROFESSIONS).then(|| scaled(gap / 3)),
                    },
                    source.clone(),
                ));
            }
            for p in 0..HIRED_PROFESSIONS {
                let cost = 10_000 + mix(&[d, p, y, m, 6], 400_000) as i64;
                let requested = 100000 + mix(&[d, p, y, m, 7], 3000000) as i64;
                records.push(Record::HiredStaff(
                    HiredStaff {
                        org_unit: unit(&code),
                        span,
                        profession: profession(p),
                        cost_sek: Some(cost),
                        forecast_sek: (month == 12).then_some(cost * 12),
                        personnel_cost_sek: (mix(&[d, p, 8], 6) != 0)
                            .then(|| -(cost * 5 + mix(&[d, p, y, m, 9], 900_000) as i64)),
                        hours_requested: Some(scaled(requested)),
                        hours_filled: (mix(&[d, p, y, m, 10], 7) != 0)
                            .then(|| scaled(requested * 3 / 4)),
                    },
                    source.clone(),
                ));
            }
            for (g, group) in EMPLOYEE_GROUPS.iter().enumerate() {
                let total = if g == 0 {
                    40 + mix(&[d, 11], 300) as i64 + mix(&[d, y, m, 12], 7) as i64
                } else {
                    5 + mix(&[d, 13], 30) as i64
                };
                let split = mix(&[d, 14], 7) != 0;
                let women = total * 7 / 10;
                records.push(Record::Headcount(
                    Headcount {
                        org_unit: unit(&code),
                        date: month_end(year, month as u32),
                        employee_group: (*group).to_owned(),
                        total,
                        women: split.then_some(women),
                        men: split.then_some(total - women),
                        unknown: None,
                    },
                    source.clone(),
                ));
            }
        }
        // Sick leave: the departments' own, and the parents' spread over the departments
        // so that every unit of the tree reports once a year.
        let parents = self.region_subtree();
        let parents = &parents[..parents.len() - self.departments];
        let mut reporting = vec![code.clone()];
        reporting.extend(
            parents
                .iter()
                .enumerate()
                .filter(|(i, _)| i % self.departments == department)
                .map(|(_, u)| u.clone()),
        );
        for (u, reporter) in reporting.iter().enumerate() {
            for (b, (gender, age_band, length)) in BANDS.iter().enumerate() {
                // Month by month, or the year as one span (a series' spans never overlap).
                let spans: Vec<(u8, u8)> = if monthly_sick_leave(reporter) {
                    (1..=12u8).map(|m| (m, m)).collect()
                } else {
                    vec![(1, 12)]
                };
                for (from, to) in spans {
                    let rate = 20000 + mix(&[d, u, b, y, from as usize, to as usize], 80000);
                    records.push(Record::SickLeave(
                        SickLeave {
                            org_unit: unit(reporter),
                            span: MonthSpan {
                                fiscal_year: year,
                                from,
                                to,
                            },
                            gender: *gender,
                            age_band: *age_band,
                            length: *length,
                            rate_percent: scaled(rate as i64 / 100 * 100),
                        },
                        source.clone(),
                    ));
                }
            }
        }
        records
    }

    /// The units that hold investment objects and indicators: departments, then divisions,
    /// committees and the region, with how many each holds.
    fn holders(&self, per: [usize; 4]) -> Vec<(String, usize)> {
        let mut holders: Vec<(String, usize)> = self
            .departments()
            .into_iter()
            .map(|d| (d, per[0]))
            .collect();
        holders.extend((0..self.divisions()).map(|d| (self.division(d), per[1])));
        holders.extend(COMMITTEES.iter().map(|c| ((*c).to_owned(), per[2])));
        holders.push((REGION.to_owned(), per[3]));
        holders
    }

    /// Investment objects with one figure per year (the whole year), some without outcome.
    fn investments(&self) -> Vec<Record> {
        let source = Source {
            document: "query-bench".into(),
            table: Some("investments".into()),
        };
        let mut records = Vec::new();
        let holders = self.holders([
            OBJECTS_PER_DEPARTMENT,
            OBJECTS_PER_PARENT,
            OBJECTS_PER_PARENT,
            0,
        ]);
        for (h, (holder, count)) in holders.iter().enumerate() {
            for o in 0..*count {
                let id = format!("inv-{}-{o:02}", holder.to_lowercase());
                let status = [
                    InvestmentStatus::Planned,
                    InvestmentStatus::Ongoing,
                    InvestmentStatus::Completed,
                    InvestmentStatus::Cancelled,
                ][mix(&[h, o, 1], 4)];
                records.push(Record::Investment(
                    Investment {
                        id: InvestmentId::from_stored(id.clone()),
                        org_unit: unit(holder),
                        name: format!("Objekt {o} vid {holder}"),
                        kind: [InvestmentKind::New, InvestmentKind::Reinvestment]
                            [mix(&[h, o, 2], 2)],
                        funding: [
                            FundingCategory::Frame,
                            FundingCategory::Unforeseen,
                            FundingCategory::Extra,
                            FundingCategory::CarriedOver,
                            FundingCategory::OutsideFrame,
                        ][mix(&[h, o, 3], 5)],
                        decision: None,
                        decided_year: Some(self.fact_first_year()),
                        status,
                        total_budget_sek: Some(1_000_000 + mix(&[h, o, 4], 50_000_000) as i64),
                        planned_completion: None,
                        procurement_contacted: None,
                        comment: None,
                    },
                    source.clone(),
                ));
                for y in 0..self.fact_years {
                    let year = self.fact_first_year() + y as i32;
                    let budget = 100_000 + mix(&[h, o, y, 5], 5_000_000) as i64;
                    records.push(Record::InvestmentFigures(
                        InvestmentFigures {
                            investment: InvestmentId::from_stored(id.clone()),
                            span: MonthSpan {
                                fiscal_year: year,
                                from: 1,
                                to: 12,
                            },
                            budget_sek: (mix(&[h, o, y, 6], 10) != 0).then_some(budget),
                            outcome_sek: (status != InvestmentStatus::Planned)
                                .then(|| budget * (50 + mix(&[h, o, y, 7], 70) as i64) / 100),
                            outcome_since_start_sek: None,
                            forecast_sek: Some(budget),
                            carry_over_requested_sek: None,
                        },
                        source.clone(),
                    ));
                }
            }
        }
        records
    }

    /// Indicators with a target per year (some years without) and cumulative outcomes per
    /// tertial (some the last year not yet reported, some text only, some a comment alone).
    fn indicators(&self) -> Vec<Record> {
        let source = Source {
            document: "query-bench".into(),
            table: Some("indicators".into()),
        };
        let mut records = Vec::new();
        for (h, (holder, count)) in self.holders(INDICATORS).iter().enumerate() {
            for i in 0..*count {
                let code = IndicatorCode::from_stored(format!("ind-{}-{i}", holder.to_lowercase()));
                let comparator = COMPARATORS[mix(&[h, i, 1], COMPARATORS.len())];
                records.push(Record::Indicator(
                    Indicator {
                        code: code.clone(),
                        org_unit: unit(holder),
                        goal_area: GOAL_AREAS[mix(&[h, i, 2], GOAL_AREAS.len())].to_owned(),
                        name: format!("Nyckeltal {i} för {holder}"),
                        decided_by: None,
                        unit: UnitOfMeasure::Percent,
                        external_id: None,
                    },
                    source.clone(),
                ));
                let goal = 500000 + mix(&[h, i, 3], 400000) as i64;
                for y in 0..self.fact_years {
                    let year = self.fact_first_year() + y as i32;
                    if mix(&[h, i, y, 4], 11) != 0 {
                        let value = comparator.needs_value().then(|| scaled(goal));
                        records.push(Record::IndicatorTarget(
                            IndicatorTarget {
                                indicator: code.clone(),
                                fiscal_year: year,
                                comparator,
                                value,
                                unit: (mix(&[h, i, 5], 15) == 0).then_some(UnitOfMeasure::Count),
                                text: (comparator == Comparator::Text)
                                    .then(|| "Genomförd aktivitet".to_owned()),
                            },
                            source.clone(),
                        ));
                    }
                    let last = y + 1 == self.fact_years;
                    let tertials = if last && mix(&[h, i, 6], 5) == 0 {
                        2
                    } else {
                        3
                    };
                    for t in 1..=tertials {
                        let to = (t * 4) as u8;
                        let value = goal - 100000 + mix(&[h, i, y, t, 7], 200000) as i64;
                        let (value, text, comment) = match mix(&[h, i, y, t, 8], 17) {
                            0 => (None, Some("Ja".to_owned()), None),
                            1 => (None, None, Some("Redovisas senare".to_owned())),
                            _ => (Some(scaled(value / 100 * 100)), None, None),
                        };
                        records.push(Record::IndicatorOutcome(
                            IndicatorOutcome {
                                indicator: code.clone(),
                                span: MonthSpan {
                                    fiscal_year: year,
                                    from: 1,
                                    to,
                                },
                                value,
                                text,
                                comment,
                            },
                            source.clone(),
                        ));
                    }
                }
            }
        }
        records
    }

    /// How many staffing rows the facts hold (for the heading).
    pub fn staffing_rows(&self) -> usize {
        let per_month = PROFESSIONS.len() * 2 + HIRED_PROFESSIONS + EMPLOYEE_GROUPS.len();
        let sick_spans: usize = self
            .region_subtree()
            .iter()
            .map(|u| if monthly_sick_leave(u) { 12 } else { 1 })
            .sum();
        self.fact_years * (self.departments * 12 * per_month + sick_spans * BANDS.len())
    }

    pub fn investment_objects(&self) -> usize {
        self.departments * OBJECTS_PER_DEPARTMENT
            + (self.divisions() + COMMITTEES.len()) * OBJECTS_PER_PARENT
    }

    pub fn indicator_count(&self) -> usize {
        self.holders(INDICATORS).iter().map(|(_, n)| n).sum()
    }
}

fn request(document: &str) -> ImportRequest {
    ImportRequest {
        document: document.into(),
        table: None,
        system: Some("query_bench".into()),
        request_id: None,
        dry_run: false,
    }
}

/// Imports `records` and checks that every one was inserted.
async fn import(
    store: &Store,
    what: &str,
    records: impl Iterator<Item = Record> + Send + 'static,
    expected: usize,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let entries = stream::iter(records.enumerate().map(|(position, record)| {
        Ok::<_, ImportError>(Entry {
            place: Place {
                position,
                location: None,
            },
            record,
        })
    }));
    let last = std::cell::Cell::new(Instant::now());
    let outcome = run_import(
        store,
        request(&format!("query-bench {what}")),
        entries.boxed(),
        |n| {
            if last.get().elapsed().as_secs() >= 5 {
                eprintln!("  … {n} of {expected} {what} records");
                last.set(Instant::now());
            }
        },
    )
    .await?;
    let inserted: u64 = outcome.counts.values().map(|c| c.inserted).sum();
    anyhow::ensure!(
        inserted == expected as u64,
        "generated {expected} {what} records but {inserted} were inserted"
    );
    eprintln!(
        "  {expected} {what} records imported in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes the staffing, investments and indicators into `store` (definitions already in).
pub async fn generate(store: &Store, shape: Shape) -> anyhow::Result<()> {
    let years: Vec<i32> = (shape.fact_first_year()..=Shape::LAST_YEAR).collect();
    let staffing = (0..shape.departments).flat_map(move |d| {
        let years = years.clone();
        years.into_iter().flat_map(move |y| shape.staffing_of(d, y))
    });
    import(store, "staffing", staffing, shape.staffing_rows()).await?;
    let investments = shape.investments();
    let count = investments.len();
    import(store, "investment", investments.into_iter(), count).await?;
    let indicators = shape.indicators();
    let count = indicators.len();
    import(store, "indicator", indicators.into_iter(), count).await?;
    Ok(())
}
