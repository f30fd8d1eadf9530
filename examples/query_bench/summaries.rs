//! SummarizeStaffing, SummarizeInvestments and SummarizeIndicators written by hand: for
//! each table one SQL statement over the subtree, grouped by the unit and the answer's keys,
//! then folded into the asked unit's groups (the whole subtree, the unit itself and each
//! child's subtree) here. Each gives its answer as `Answer`, figure by figure, and so does
//! each RPC's response: the run compares the two before it times them.

use crate::data::{COMMITTEES, REGION, Shape};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uppsikt::domain::instant::Instant;
use uppsikt::proto::v1 as pb;

/// An answer, figure by figure: "group table key field" → the figure as text.
pub type Answer = BTreeMap<String, String>;

/// The units a summary of `root` sums, and which of the root's groups each belongs to.
#[derive(Debug, Clone)]
pub struct Scope {
    pub root: String,
    pub units: Vec<String>,
    /// Each unit's group: the root itself, or the child whose subtree holds it.
    pub group_of: HashMap<String, String>,
}

impl Scope {
    /// The region: itself, and each committee with its divisions and departments.
    pub fn region(shape: &Shape) -> Self {
        let mut group_of = HashMap::from([(REGION.to_owned(), REGION.to_owned())]);
        for (c, committee) in COMMITTEES.iter().enumerate() {
            group_of.insert((*committee).to_owned(), (*committee).to_owned());
            for d in 0..shape.divisions() {
                if d / (shape.divisions() / COMMITTEES.len()) == c {
                    for unit in shape.division_subtree(d) {
                        group_of.insert(unit, (*committee).to_owned());
                    }
                }
            }
        }
        Self {
            root: REGION.to_owned(),
            units: shape.region_subtree(),
            group_of,
        }
    }

    /// Division `d`: itself, and each department alone.
    pub fn division(shape: &Shape, d: usize) -> Self {
        let units = shape.division_subtree(d);
        Self {
            root: shape.division(d),
            group_of: units.iter().map(|u| (u.clone(), u.clone())).collect(),
            units,
        }
    }

    /// The groups of the root (itself, then its children): the units whose own sick leave
    /// the summary shows.
    fn group_units(&self) -> Vec<String> {
        let groups: BTreeSet<&String> = self.group_of.values().collect();
        groups.into_iter().cloned().collect()
    }
}

/// Statement text with its bound values: the units and the read instant are parameters, as
/// the server binds them; years, months and dates are written into the text.
struct Sql {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Sql {
    fn new(db: &DatabaseConnection) -> Self {
        Self {
            backend: db.get_database_backend(),
            values: Vec::new(),
        }
    }

    fn param(&mut self, value: Value) -> String {
        self.values.push(value);
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    /// `column IN (…units…)`.
    fn units(&mut self, column: &str, units: &[String]) -> String {
        let list: Vec<String> = units
            .iter()
            .map(|u| self.param(u.as_str().into()))
            .collect();
        format!("{column} IN ({})", list.join(", "))
    }

    /// The transaction-time condition of every read: current at `now`.
    fn current(&mut self, prefix: &str, now: i64) -> String {
        format!(
            "{prefix}recorded_at <= {} AND ({prefix}superseded_at IS NULL OR {prefix}superseded_at > {})",
            self.param(now.into()),
            self.param(now.into())
        )
    }

    async fn rows(self, db: &DatabaseConnection, sql: String) -> Result<Vec<QueryResult>, String> {
        db.query_all_raw(Statement::from_sql_and_values(
            self.backend,
            sql,
            self.values,
        ))
        .await
        .map_err(|e| e.to_string())
    }
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, i: usize) -> Result<T, String> {
    row.try_get_by_index(i).map_err(|e| e.to_string())
}

/// A figure stored scaled by 10 000 as the API prints it (any number of decimals).
fn decimal(scaled: i64) -> String {
    Decimal::new(scaled, 4).normalize().to_string()
}

/// The API's decimal string, normalised; empty stays absent.
fn api_decimal(text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    Some(
        text.parse::<Decimal>()
            .map(|d| d.normalize().to_string())
            .unwrap_or_else(|_| format!("unparsable {text:?}")),
    )
}

fn put(answer: &mut Answer, key: String, value: Option<String>) {
    if let Some(value) = value {
        answer.insert(key, value);
    }
}

/// The part after the collection: "orgUnits/HSN" → "HSN".
fn code(name: &str) -> &str {
    name.rsplit_once('/').map_or(name, |(_, c)| c)
}

/// A sum as the server keeps it: absent until a value comes.
fn add(sum: &mut Option<i64>, value: Option<i64>) {
    if let Some(value) = value {
        *sum = Some(sum.unwrap_or(0).saturating_add(value));
    }
}

/// The prefix-less, lower-case name of a proto enum value ("FUNDING_CATEGORY_CARRIED_OVER"
/// with prefix "FUNDING_CATEGORY_" → "carried_over").
fn label(name: &str, prefix: &str) -> String {
    name.trim_start_matches(prefix).to_lowercase()
}

fn age_band(value: i32) -> &'static str {
    match pb::SickLeaveAgeBand::try_from(value) {
        Ok(pb::SickLeaveAgeBand::All) => "all",
        Ok(pb::SickLeaveAgeBand::Under30) => "0-29",
        Ok(pb::SickLeaveAgeBand::From30To49) => "30-49",
        Ok(pb::SickLeaveAgeBand::From50) => "50-",
        _ => "?",
    }
}

/// The differences between two answers, at most `limit` of them, for the failure message.
pub fn differences(api: &Answer, sql: &Answer, limit: usize) -> Vec<String> {
    let keys: BTreeSet<&String> = api.keys().chain(sql.keys()).collect();
    keys.into_iter()
        .filter(|k| api.get(*k) != sql.get(*k))
        .take(limit)
        .map(|k| format!("{k}: API {:?}, SQL {:?}", api.get(k), sql.get(k)))
        .collect()
}

// ---------------------------------------------------------------------------------------
// SummarizeStaffing

pub fn staffing_request(unit: &str, year: i32) -> pb::SummarizeStaffingRequest {
    pb::SummarizeStaffingRequest {
        org_unit: format!("orgUnits/{unit}"),
        fiscal_year: year,
        from_month: 1,
        to_month: 12,
        ..Default::default()
    }
}

const PERIOD_TABLES: [&str; 3] = ["worked_hours", "hired_staff", "sick_leave"];

/// SummarizeStaffing of `scope` for the whole of `year`, by hand: worked hours and hired
/// staff of the year and the year before, headcounts and positions at the year's last day
/// and a year earlier, the sick-leave rates stored on the groups' own units for exactly the
/// year, and the stored spans that overlap the year.
pub async fn staffing_sql(
    db: &DatabaseConnection,
    scope: &Scope,
    year: i32,
) -> Result<Answer, String> {
    let (from, to) = (1, 12);
    let date = format!("{year}-12-31");
    let prior_date = format!("{}-12-31", year - 1);
    let now = Instant::now().micros();
    let mut answer = Answer::new();
    let groups = |unit: &str| -> Vec<String> {
        let group = scope.group_of.get(unit).cloned().unwrap_or_default();
        vec!["*".to_owned(), group]
    };
    let period = |sql: &mut Sql| {
        format!(
            "{} AND {} AND fiscal_year IN ({year}, {}) AND from_month >= {from} AND to_month <= {to}",
            sql.units("org_unit_code", &scope.units),
            sql.current("", now),
            year - 1
        )
    };
    let prior = |y: i32| if y == year { "value" } else { "prior" };

    // Worked hours.
    let mut sql = Sql::new(db);
    let text = format!(
        "SELECT org_unit_code, profession_code, fiscal_year, CAST(SUM(hours_scaled) AS BIGINT) \
         FROM worked_hours WHERE {} GROUP BY org_unit_code, profession_code, fiscal_year",
        period(&mut sql)
    );
    let mut sums: BTreeMap<String, Option<i64>> = BTreeMap::new();
    for row in sql.rows(db, text).await? {
        let (unit, profession, y): (String, String, i32) =
            (get(&row, 0)?, get(&row, 1)?, get(&row, 2)?);
        for g in groups(&unit) {
            let key = format!("{g} worked {profession} {}", prior(y));
            add(sums.entry(key).or_default(), get(&row, 3)?);
        }
    }
    for (key, sum) in sums {
        put(&mut answer, key, sum.map(decimal));
    }

    // Hired staff.
    let mut sql = Sql::new(db);
    let text = format!(
        "SELECT org_unit_code, profession_code, fiscal_year, \
                CAST(SUM(cost_sek) AS BIGINT), CAST(SUM(forecast_sek) AS BIGINT), \
                CAST(SUM(personnel_cost_sek) AS BIGINT), \
                CAST(SUM(hours_requested_scaled) AS BIGINT), CAST(SUM(hours_filled_scaled) AS BIGINT) \
         FROM hired_staff WHERE {} GROUP BY org_unit_code, profession_code, fiscal_year",
        period(&mut sql)
    );
    let fields = [
        "cost",
        "forecast",
        "personnel_cost",
        "hours_requested",
        "hours_filled",
    ];
    let mut sums: BTreeMap<(String, usize), Option<i64>> = BTreeMap::new();
    for row in sql.rows(db, text).await? {
        let (unit, profession, y): (String, String, i32) =
            (get(&row, 0)?, get(&row, 1)?, get(&row, 2)?);
        for g in groups(&unit) {
            for (f, field) in fields.iter().enumerate() {
                let key = format!("{g} hired {profession} {field} {}", prior(y));
                add(sums.entry((key, f)).or_default(), get(&row, 3 + f)?);
            }
        }
    }
    for ((key, f), sum) in sums {
        let value = if f >= 3 {
            sum.map(decimal)
        } else {
            sum.map(|s| s.to_string())
        };
        put(&mut answer, key, value);
    }

    // Headcounts at the date and a year earlier; women and men only where every summed
    // snapshot splits by gender.
    let mut sql = Sql::new(db);
    let text = format!(
        "SELECT org_unit_code, employee_group, \
                CASE WHEN snapshot_date = '{date}' THEN 0 ELSE 1 END, \
                CAST(SUM(total) AS BIGINT), CAST(SUM(women) AS BIGINT), CAST(SUM(men) AS BIGINT), \
                SUM(CASE WHEN women IS NULL THEN 1 ELSE 0 END), \
                SUM(CASE WHEN men IS NULL THEN 1 ELSE 0 END) \
         FROM headcounts WHERE {} AND {} AND snapshot_date IN ('{date}', '{prior_date}') \
         GROUP BY org_unit_code, employee_group, CASE WHEN snapshot_date = '{date}' THEN 0 ELSE 1 END",
        sql.units("org_unit_code", &scope.units),
        sql.current("", now),
    );
    let mut sums: BTreeMap<(String, String, i32), [Option<i64>; 5]> = BTreeMap::new();
    for row in sql.rows(db, text).await? {
        let (unit, group, prior_flag): (String, String, i32) =
            (get(&row, 0)?, get(&row, 1)?, get(&row, 2)?);
        for g in groups(&unit) {
            let cell = sums
                .entry((g, group.clone(), prior_flag))
                .or_insert([None; 5]);
            for (i, sum) in cell.iter_mut().enumerate() {
                add(sum, get::<Option<i64>>(&row, 3 + i)?);
            }
        }
    }
    for ((g, group, prior_flag), [total, women, men, women_nulls, men_nulls]) in sums {
        let side = if prior_flag == 0 { "value" } else { "prior" };
        let key = |field: &str| format!("{g} headcount {group} {field} {side}");
        put(&mut answer, key("total"), total.map(|v| v.to_string()));
        let complete = |sum: Option<i64>, nulls: Option<i64>| {
            sum.filter(|_| nulls == Some(0)).map(|v| v.to_string())
        };
        put(&mut answer, key("women"), complete(women, women_nulls));
        put(&mut answer, key("men"), complete(men, men_nulls));
    }

    // Sick leave: each group's own unit, the stored rate of exactly the year.
    let group_units = scope.group_units();
    let mut sql = Sql::new(db);
    let text = format!(
        "SELECT org_unit_code, gender, age_band, length, fiscal_year, rate_scaled FROM sick_leave \
         WHERE {} AND {} AND fiscal_year IN ({year}, {}) AND from_month = {from} AND to_month = {to}",
        sql.units("org_unit_code", &group_units),
        sql.current("", now),
        year - 1
    );
    for row in sql.rows(db, text).await? {
        let unit: String = get(&row, 0)?;
        let band = format!(
            "{}/{}/{}",
            get::<String>(&row, 1)?,
            get::<String>(&row, 2)?,
            get::<String>(&row, 3)?
        );
        let side = prior(get(&row, 4)?);
        let rate = decimal(get(&row, 5)?);
        if unit == scope.root {
            answer.insert(format!("* sick {band} {side}"), rate.clone());
        }
        answer.insert(format!("{unit} sick {band} {side}"), rate);
    }

    // Positions at the date; a column only where every summed record reports it.
    let mut sql = Sql::new(db);
    let columns = [
        "fte_budget_scaled",
        "fte_needed_scaled",
        "fte_available_now_scaled",
        "fte_available_in_3_months_scaled",
        "fte_hired_scaled",
    ];
    let summed: Vec<String> = columns
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .chain(
            columns
                .iter()
                .map(|c| format!("SUM(CASE WHEN {c} IS NULL THEN 1 ELSE 0 END)")),
        )
        .collect();
    let text = format!(
        "SELECT org_unit_code, profession_code, {} FROM positions \
         WHERE {} AND {} AND snapshot_date = '{date}' GROUP BY org_unit_code, profession_code",
        summed.join(", "),
        sql.units("org_unit_code", &scope.units),
        sql.current("", now),
    );
    let mut sums: BTreeMap<(String, String), [Option<i64>; 10]> = BTreeMap::new();
    for row in sql.rows(db, text).await? {
        let (unit, profession): (String, String) = (get(&row, 0)?, get(&row, 1)?);
        for g in groups(&unit) {
            let cell = sums.entry((g, profession.clone())).or_insert([None; 10]);
            for (i, sum) in cell.iter_mut().enumerate() {
                add(sum, get::<Option<i64>>(&row, 2 + i)?);
            }
        }
    }
    let names = ["budget", "needed", "available_now", "in_3_months", "hired"];
    for ((g, profession), cell) in sums {
        for (i, name) in names.iter().enumerate() {
            let value = cell[i].filter(|_| cell[5 + i] == Some(0));
            put(
                &mut answer,
                format!("{g} positions {profession} {name}"),
                value.map(decimal),
            );
        }
    }

    // The stored spans overlapping the year and the year before: those inside cover
    // months, the others are left out.
    let mut exact = true;
    for table in PERIOD_TABLES {
        let mut sql = Sql::new(db);
        let text = format!(
            "SELECT DISTINCT fiscal_year, from_month, to_month FROM {table} \
             WHERE {} AND {} AND fiscal_year IN ({year}, {}) AND from_month <= {to} AND to_month >= {from}",
            sql.units("org_unit_code", &scope.units),
            sql.current("", now),
            year - 1
        );
        let mut covered: BTreeMap<i32, BTreeSet<i16>> = BTreeMap::new();
        for row in sql.rows(db, text).await? {
            let (y, f, t): (i32, i16, i16) = (get(&row, 0)?, get(&row, 1)?, get(&row, 2)?);
            if f >= from && t <= to {
                covered.entry(y).or_default().extend(f..=t);
            } else {
                exact = false;
                answer.insert(format!("inexact {table} {y} {f}-{t}"), "left out".into());
            }
        }
        for (y, months) in covered {
            let missing: Vec<String> = (from..=to)
                .filter(|m| !months.contains(m))
                .map(|m| m.to_string())
                .collect();
            if !missing.is_empty() {
                exact = false;
                answer.insert(format!("uncovered {table} {y}"), missing.join(","));
            }
        }
    }
    answer.insert("exact".into(), exact.to_string());
    Ok(answer)
}

fn decimal_change(c: &Option<pb::DecimalChange>) -> [Option<String>; 2] {
    match c {
        Some(c) => [api_decimal(&c.value), api_decimal(&c.prior_year)],
        None => [None, None],
    }
}

fn money_change(c: &Option<pb::MoneyChange>) -> [Option<String>; 2] {
    match c {
        Some(c) => [
            c.value_sek.map(|v| v.to_string()),
            c.prior_year_sek.map(|v| v.to_string()),
        ],
        None => [None, None],
    }
}

fn count_change(c: &Option<pb::CountChange>) -> [Option<String>; 2] {
    match c {
        Some(c) => [
            c.value.map(|v| v.to_string()),
            c.prior_year.map(|v| v.to_string()),
        ],
        None => [None, None],
    }
}

fn put_both(answer: &mut Answer, key: &str, [value, prior]: [Option<String>; 2]) {
    put(answer, format!("{key} value"), value);
    put(answer, format!("{key} prior"), prior);
}

/// The figures of a SummarizeStaffing response, keyed as `staffing_sql` keys them.
pub fn staffing_answer(r: &pb::SummarizeStaffingResponse) -> Answer {
    let mut answer = Answer::new();
    let groups = r.totals.iter().map(|g| ("*".to_owned(), g)).chain(
        r.by_child_unit
            .iter()
            .map(|g| (code(&g.org_unit).to_owned(), g)),
    );
    for (g, group) in groups {
        for w in &group.worked_hours {
            let key = format!("{g} worked {}", code(&w.profession));
            put_both(&mut answer, &key, decimal_change(&w.hours));
        }
        for h in &group.hired_staff {
            let p = code(&h.profession);
            put_both(
                &mut answer,
                &format!("{g} hired {p} cost"),
                money_change(&h.cost),
            );
            put_both(
                &mut answer,
                &format!("{g} hired {p} forecast"),
                money_change(&h.forecast),
            );
            put_both(
                &mut answer,
                &format!("{g} hired {p} personnel_cost"),
                money_change(&h.personnel_cost),
            );
            put_both(
                &mut answer,
                &format!("{g} hired {p} hours_requested"),
                decimal_change(&h.hours_requested),
            );
            put_both(
                &mut answer,
                &format!("{g} hired {p} hours_filled"),
                decimal_change(&h.hours_filled),
            );
        }
        for h in &group.headcounts {
            let key = |f: &str| format!("{g} headcount {} {f}", h.employee_group);
            put_both(&mut answer, &key("total"), count_change(&h.total));
            put_both(&mut answer, &key("women"), count_change(&h.women));
            put_both(&mut answer, &key("men"), count_change(&h.men));
        }
        for s in &group.sick_leave {
            let gender = pb::SickLeaveGender::try_from(s.gender).map_or("?".to_owned(), |v| {
                label(v.as_str_name(), "SICK_LEAVE_GENDER_")
            });
            let length = pb::SickLeaveLength::try_from(s.length).map_or("?".to_owned(), |v| {
                label(v.as_str_name(), "SICK_LEAVE_LENGTH_")
            });
            let key = format!("{g} sick {gender}/{}/{length}", age_band(s.age_band));
            let rate = s.rate.as_ref();
            put(
                &mut answer,
                format!("{key} value"),
                rate.and_then(|r| api_decimal(&r.value_percent)),
            );
            put(
                &mut answer,
                format!("{key} prior"),
                rate.and_then(|r| api_decimal(&r.prior_year_percent)),
            );
        }
        for p in &group.positions {
            let columns = [
                ("budget", &p.fte_budget),
                ("needed", &p.fte_needed),
                ("available_now", &p.fte_available_now),
                ("in_3_months", &p.fte_available_in_3_months),
                ("hired", &p.fte_hired),
            ];
            for (name, value) in columns {
                put(
                    &mut answer,
                    format!("{g} positions {} {name}", code(&p.profession)),
                    api_decimal(value),
                );
            }
        }
    }
    for s in &r.inexact_spans {
        if let Some(span) = &s.stored_span {
            answer.insert(
                format!(
                    "inexact {} {} {}-{}",
                    s.table, span.fiscal_year, span.from_month, span.to_month
                ),
                "left out".into(),
            );
        }
    }
    for u in &r.uncovered {
        let months: Vec<String> = u.months.iter().map(|m| m.to_string()).collect();
        answer.insert(
            format!("uncovered {} {}", u.table, u.fiscal_year),
            months.join(","),
        );
    }
    answer.insert("exact".into(), r.exact.to_string());
    answer
}

// ---------------------------------------------------------------------------------------
// SummarizeInvestments

pub fn investments_request(unit: &str, year: i32) -> pb::SummarizeInvestmentsRequest {
    pb::SummarizeInvestmentsRequest {
        org_unit: format!("orgUnits/{unit}"),
        fiscal_year: year,
        from_month: 1,
        to_month: 12,
        ..Default::default()
    }
}

#[derive(Default, Clone, Copy)]
struct Sums {
    budget: Option<i64>,
    outcome: Option<i64>,
    objects: i64,
}

impl Sums {
    fn absorb(&mut self, other: Sums) {
        add(&mut self.budget, other.budget);
        add(&mut self.outcome, other.outcome);
        self.objects += other.objects;
    }

    fn put(&self, answer: &mut Answer, key: &str) {
        put(
            answer,
            format!("{key} budget"),
            self.budget.map(|v| v.to_string()),
        );
        put(
            answer,
            format!("{key} outcome"),
            self.outcome.map(|v| v.to_string()),
        );
        answer.insert(format!("{key} objects"), self.objects.to_string());
    }
}

/// SummarizeInvestments of `scope` for the whole of `year`, by hand: the figures of the year
/// inside its months joined to their objects, summed per unit, funding, status and kind with
/// the objects counted; folded per child unit, per funding and status, and in total.
pub async fn investments_sql(
    db: &DatabaseConnection,
    scope: &Scope,
    year: i32,
) -> Result<Answer, String> {
    let (from, to) = (1, 12);
    let now = Instant::now().micros();
    let mut sql = Sql::new(db);
    let join = format!(
        "FROM investment_figures f JOIN investments i ON i.investment_id = f.investment_id AND {} \
         WHERE {} AND {} AND f.fiscal_year = {year}",
        sql.current("i.", now),
        sql.units("i.org_unit_code", &scope.units),
        sql.current("f.", now),
    );
    let text = format!(
        "SELECT i.org_unit_code, i.funding, i.status, \
                CAST(SUM(f.budget_sek) AS BIGINT), CAST(SUM(f.outcome_sek) AS BIGINT), \
                COUNT(DISTINCT f.investment_id) \
         {join} AND f.from_month >= {from} AND f.to_month <= {to} \
         GROUP BY i.org_unit_code, i.funding, i.status, i.kind"
    );
    let mut by_child: BTreeMap<String, Sums> = BTreeMap::new();
    let mut by_funding_status: BTreeMap<String, Sums> = BTreeMap::new();
    let mut totals = Sums::default();
    for row in sql.rows(db, text).await? {
        let (unit, funding, status): (String, String, String) =
            (get(&row, 0)?, get(&row, 1)?, get(&row, 2)?);
        let sums = Sums {
            budget: get(&row, 3)?,
            outcome: get(&row, 4)?,
            objects: get(&row, 5)?,
        };
        let group = scope.group_of.get(&unit).cloned().unwrap_or_default();
        by_child.entry(group).or_default().absorb(sums);
        by_funding_status
            .entry(format!("{funding}/{status}"))
            .or_default()
            .absorb(sums);
        totals.absorb(sums);
    }
    let mut answer = Answer::new();
    for (unit, sums) in by_child {
        sums.put(&mut answer, &format!("child {unit}"));
    }
    for (key, sums) in by_funding_status {
        sums.put(&mut answer, &format!("funding/status {key}"));
    }
    totals.put(&mut answer, "total");

    // The spans of the year's figures overlapping the months.
    let mut sql = Sql::new(db);
    let join = format!(
        "FROM investment_figures f JOIN investments i ON i.investment_id = f.investment_id AND {} \
         WHERE {} AND {} AND f.fiscal_year = {year}",
        sql.current("i.", now),
        sql.units("i.org_unit_code", &scope.units),
        sql.current("f.", now),
    );
    let text = format!(
        "SELECT DISTINCT f.from_month, f.to_month, \
                CASE WHEN f.from_month < {from} OR f.to_month > {to} THEN f.investment_id END \
         {join} AND f.from_month <= {to} AND f.to_month >= {from}"
    );
    let mut covered = BTreeSet::new();
    let mut inexact = 0;
    for row in sql.rows(db, text).await? {
        let (f, t, id): (i16, i16, Option<String>) = (get(&row, 0)?, get(&row, 1)?, get(&row, 2)?);
        match id {
            Some(id) => {
                inexact += 1;
                answer.insert(format!("inexact {id} {f}-{t}"), "left out".into());
            }
            None => covered.extend(f..=t),
        }
    }
    let uncovered: Vec<String> = if covered.is_empty() {
        Vec::new()
    } else {
        (from..=to)
            .filter(|m| !covered.contains(m))
            .map(|m| m.to_string())
            .collect()
    };
    answer.insert("uncovered".into(), uncovered.join(","));
    answer.insert(
        "exact".into(),
        (inexact == 0 && uncovered.is_empty()).to_string(),
    );
    Ok(answer)
}

fn investment_sums(answer: &mut Answer, key: &str, sums: &Option<pb::InvestmentSums>) {
    let sums = sums.unwrap_or_default();
    Sums {
        budget: sums.budget_sek,
        outcome: sums.outcome_sek,
        objects: i64::from(sums.object_count),
    }
    .put(answer, key);
}

/// The figures of a SummarizeInvestments response, keyed as `investments_sql` keys them.
pub fn investments_answer(r: &pb::SummarizeInvestmentsResponse) -> Answer {
    let mut answer = Answer::new();
    for g in &r.by_child_unit {
        investment_sums(
            &mut answer,
            &format!("child {}", code(&g.org_unit)),
            &g.sums,
        );
    }
    for g in &r.by_funding_status {
        let funding = pb::FundingCategory::try_from(g.funding).map_or("?".to_owned(), |v| {
            label(v.as_str_name(), "FUNDING_CATEGORY_")
        });
        let status = pb::InvestmentStatus::try_from(g.status).map_or("?".to_owned(), |v| {
            label(v.as_str_name(), "INVESTMENT_STATUS_")
        });
        investment_sums(
            &mut answer,
            &format!("funding/status {funding}/{status}"),
            &g.sums,
        );
    }
    investment_sums(&mut answer, "total", &r.totals);
    for s in &r.inexact_spans {
        if let Some(span) = &s.stored_span {
            answer.insert(
                format!(
                    "inexact {} {}-{}",
                    code(&s.investment),
                    span.from_month,
                    span.to_month
                ),
                "left out".into(),
            );
        }
    }
    let uncovered: Vec<String> = r.uncovered_months.iter().map(|m| m.to_string()).collect();
    answer.insert("uncovered".into(), uncovered.join(","));
    answer.insert("exact".into(), r.exact.to_string());
    answer
}

// ---------------------------------------------------------------------------------------
// SummarizeIndicators

pub fn indicators_request(unit: &str, year: i32) -> pb::SummarizeIndicatorsRequest {
    pb::SummarizeIndicatorsRequest {
        org_unit: format!("orgUnits/{unit}"),
        fiscal_year: year,
        ..Default::default()
    }
}

/// SummarizeIndicators of `scope` for `year`, by hand: the subtree's indicators with a
/// target or an outcome of the year, each judged in SQL on the year's target, its outcome
/// whose span ends last and the prior year's outcome over the same months, and counted per
/// goal area, unit and status.
pub async fn indicators_sql(
    db: &DatabaseConnection,
    scope: &Scope,
    year: i32,
) -> Result<Answer, String> {
    let now = Instant::now().micros();
    let mut sql = Sql::new(db);
    let units = sql.units("i.org_unit_code", &scope.units);
    // In the order the text uses them (SQLite binds `?` by position).
    let (ci, ct2, co, co2, ct, cp) = (
        sql.current("i.", now),
        sql.current("", now),
        sql.current("", now),
        sql.current("", now),
        sql.current("t.", now),
        sql.current("p.", now),
    );
    let text = format!(
        "WITH ind AS ( \
           SELECT i.indicator_code, i.org_unit_code, i.goal_area, i.unit FROM indicators i \
           WHERE {units} AND {ci} AND ( \
             i.indicator_code IN (SELECT indicator_code FROM indicator_targets WHERE {ct2} AND fiscal_year = {year}) \
             OR i.indicator_code IN (SELECT indicator_code FROM indicator_outcomes WHERE {co} AND fiscal_year = {year}))), \
         latest AS ( \
           SELECT indicator_code, from_month, to_month, value_scaled, outcome_text, \
                  ROW_NUMBER() OVER (PARTITION BY indicator_code ORDER BY to_month DESC, from_month ASC) AS n \
           FROM indicator_outcomes \
           WHERE {co2} AND fiscal_year = {year} AND indicator_code IN (SELECT indicator_code FROM ind)), \
         judged AS ( \
           SELECT ind.goal_area, ind.org_unit_code, \
             CASE \
               WHEN o.indicator_code IS NULL OR (o.value_scaled IS NULL AND o.outcome_text IS NULL) THEN 'no_outcome_yet' \
               WHEN t.indicator_code IS NULL THEN 'not_comparable' \
               WHEN t.comparator IN ('text', 'bare') THEN 'not_comparable' \
               WHEN o.value_scaled IS NULL THEN 'not_comparable' \
               WHEN COALESCE(t.unit, ind.unit) <> ind.unit THEN 'not_comparable' \
               WHEN t.comparator IN ('increase', 'decrease') AND p.value_scaled IS NULL THEN 'not_comparable' \
               WHEN t.comparator = 'increase' THEN CASE WHEN o.value_scaled > p.value_scaled THEN 'met' ELSE 'not_met' END \
               WHEN t.comparator = 'decrease' THEN CASE WHEN o.value_scaled < p.value_scaled THEN 'met' ELSE 'not_met' END \
               WHEN t.value_scaled IS NULL THEN 'not_comparable' \
               WHEN t.comparator = 'at_least' THEN CASE WHEN o.value_scaled >= t.value_scaled THEN 'met' ELSE 'not_met' END \
               WHEN t.comparator = 'at_most' THEN CASE WHEN o.value_scaled <= t.value_scaled THEN 'met' ELSE 'not_met' END \
               WHEN t.comparator = 'above' THEN CASE WHEN o.value_scaled > t.value_scaled THEN 'met' ELSE 'not_met' END \
               WHEN t.comparator = 'below' THEN CASE WHEN o.value_scaled < t.value_scaled THEN 'met' ELSE 'not_met' END \
               ELSE CASE WHEN o.value_scaled = t.value_scaled THEN 'met' ELSE 'not_met' END \
             END AS status \
           FROM ind \
           LEFT JOIN latest o ON o.indicator_code = ind.indicator_code AND o.n = 1 \
           LEFT JOIN indicator_targets t ON t.indicator_code = ind.indicator_code AND {ct} AND t.fiscal_year = {year} \
           LEFT JOIN indicator_outcomes p ON p.indicator_code = ind.indicator_code AND {cp} \
             AND p.fiscal_year = {} AND p.from_month = o.from_month AND p.to_month = o.to_month) \
         SELECT goal_area, org_unit_code, status, COUNT(*) FROM judged \
         GROUP BY goal_area, org_unit_code, status",
        year - 1
    );
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for row in sql.rows(db, text).await? {
        let (area, unit, status, n): (String, String, String, i64) =
            (get(&row, 0)?, get(&row, 1)?, get(&row, 2)?, get(&row, 3)?);
        for key in [
            format!("area/unit {area}/{unit} {status}"),
            format!("area {area} {status}"),
            format!("total {status}"),
        ] {
            *counts.entry(key).or_default() += n;
        }
    }
    Ok(counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k, n.to_string()))
        .collect())
}

fn indicator_counts(answer: &mut Answer, key: &str, counts: &Option<pb::IndicatorCounts>) {
    let c = counts.unwrap_or_default();
    for (status, n) in [
        ("met", c.met),
        ("not_met", c.not_met),
        ("not_comparable", c.not_comparable),
        ("no_outcome_yet", c.no_outcome_yet),
    ] {
        if n > 0 {
            answer.insert(format!("{key} {status}"), n.to_string());
        }
    }
}

/// The counts of a SummarizeIndicators response, keyed as `indicators_sql` keys them.
pub fn indicators_answer(r: &pb::SummarizeIndicatorsResponse) -> Answer {
    let mut answer = Answer::new();
    for g in &r.by_goal_area_unit {
        let key = format!("area/unit {}/{}", g.goal_area, code(&g.org_unit));
        indicator_counts(&mut answer, &key, &g.counts);
    }
    for g in &r.by_goal_area {
        indicator_counts(&mut answer, &format!("area {}", g.goal_area), &g.counts);
    }
    indicator_counts(&mut answer, "total", &r.totals);
    answer
}
