// Personal: headcount; worked hours and FTE per profession group; hired staff with its cost,
// change and share of personnel cost; sick leave by gender, age band and length, and per
// month; positions with the four deviations. Each beside the year before, with totals.

import { call, listAll } from "./api.js";
import { COLORS, monthChart } from "./charts.js";
import { block, el, section, sourcesOf } from "./dom.js";
import { count, dateText, decimal, MONTHS, mkr, monthsText, percent, present } from "./format.js";

const EMPLOYEE_GROUPS = { monthly_salaried: "Månadsavlönade", administrative: "Administrativ personal" };
const GENDER = { SICK_LEAVE_GENDER_WOMEN: "kvinnor", SICK_LEAVE_GENDER_MEN: "män" };
const AGE = {
  SICK_LEAVE_AGE_BAND_UNDER_30: "0–29 år", SICK_LEAVE_AGE_BAND_FROM_30_TO_49: "30–49 år",
  SICK_LEAVE_AGE_BAND_FROM_50: "50 år och äldre",
};
const LENGTH = {
  SICK_LEAVE_LENGTH_SHORT: "kort (1–14 dagar)", SICK_LEAVE_LENGTH_MEDIUM: "medellång (15–59 dagar)",
  SICK_LEAVE_LENGTH_LONG: "lång (60 dagar eller mer)",
};
const isAll = (value) => !value || value.endsWith("_ALL");

function sickLeaveLabel(s) {
  const parts = [GENDER[s.gender], AGE[s.ageBand], LENGTH[s.length]].filter(Boolean);
  return parts.length ? parts.join(", ").replace(/^./, (c) => c.toUpperCase()) : "Totalt";
}

// Which split a rate belongs to, for the table's order: total, gender, age, length, mixed.
function sickLeaveOrder(s) {
  const splits = [!isAll(s.gender), !isAll(s.ageBand), !isAll(s.length)];
  const n = splits.filter(Boolean).length;
  return n === 0 ? 0 : n > 1 ? 4 : 1 + splits.indexOf(true);
}

export async function staff(ctx, number) {
  const part = section("personal", number, "Personal");
  const base = { org_unit: ctx.orgUnit, structure_date: ctx.structureDate, as_of: ctx.asOf };
  const request = { ...base, fiscal_year: ctx.year, from_month: ctx.from, to_month: ctx.to };
  const earlier = { ...request, fiscal_year: ctx.year - 1 };
  // The unit's own stored rates of each year inside the span: the monthly chart, and a check
  // that the summary's rate of a band is one stored rate, not several added up.
  const stored = (year) => ({ org_unit: ctx.orgUnit, fiscal_year: year, from_month: ctx.from,
    to_month: ctx.to, as_of: ctx.asOf });
  const [summary, before, groups, sickNow, sickBefore] = await Promise.all([
    call("StaffingService", "SummarizeStaffing", request),
    call("StaffingService", "SummarizeStaffing", earlier),
    listAll("StaffingService", "ListProfessionGroups", { as_of: ctx.asOf }, "professionGroups"),
    listAll("StaffingService", "ListSickLeave", stored(ctx.year), "sickLeave"),
    listAll("StaffingService", "ListSickLeave", stored(ctx.year - 1), "sickLeave"),
  ]);
  const professions = new Map(groups.map((g) => [g.name, g]));
  const professionName = (name) => (professions.get(name) || {}).displayName || name;
  const isSub = (name) => Boolean((professions.get(name) || {}).parent);
  const totals = summary.totals || {};
  const read = [{ label: "summering:", service: "StaffingService", method: "SummarizeStaffing", request }];
  const priorDate = dateText(summary.priorYearDate), date = dateText(summary.date);

  // Headcount at the date and a year earlier.
  const headRows = [];
  for (const h of totals.headcounts || []) {
    const group = h.employeeGroup;
    const row = (key, label, c = {}, className) => ({
      key, className, cells: [label, count(c.priorYear), count(c.value), count(c.change), percent(c.changePercent, 2)],
    });
    headRows.push(row(`headcount:${group}`, EMPLOYEE_GROUPS[group] || group, h.total));
    if (h.women && (present(h.women.value) || present(h.women.priorYear))) headRows.push(row(`headcount:${group}:women`, "varav kvinnor", h.women, "sub"));
    if (h.men && (present(h.men.value) || present(h.men.priorYear))) headRows.push(row(`headcount:${group}:men`, "varav män", h.men, "sub"));
  }
  block(part, {
    key: "headcount",
    title: "Antal anställda",
    unit: "antal",
    missing: headRows.length ? "" : `inga antal anställda per ${date} eller ${priorDate} är inlästa för ${ctx.unitName}.`,
    table: { columns: [{ label: "Anställningsgrupp" }, { label: `per ${priorDate}`, numeric: true },
      { label: `per ${date}`, numeric: true }, { label: "Förändring", numeric: true }, { label: "Förändring %", numeric: true }],
    rows: headRows },
    reads: [...read, { label: "rader:", service: "StaffingService", method: "ListHeadcounts",
      request: { ...base, include_descendants: true, from_date: summary.priorYearDate, to_date: summary.date } }],
    sources: sourcesOf(summary, "headcount"),
  });

  // Worked hours and FTE per profession group.
  const hours = totals.workedHours || [];
  const hourRow = (key, label, w = {}, className) => {
    const h = w.hours || {}, f = w.fte || {};
    return { key, className, cells: [label, decimal(h.priorYear, 0), decimal(h.value, 0), decimal(h.change, 0),
      percent(h.changePercent, 2), decimal(f.priorYear, 2), decimal(f.value, 2), decimal(f.change, 2)] };
  };
  block(part, {
    key: "worked-hours",
    title: "Utförd tid och årsarbetare per yrkesgrupp",
    unit: "timmar, årsarbetare",
    missing: hours.length ? "" : `ingen utförd tid per yrkesgrupp för ${ctx.spanText} eller samma period ${ctx.year - 1} är inläst för ${ctx.unitName}.`,
    table: {
      groups: [{ span: 1 }, { span: 4, label: "Timmar" }, { span: 3, label: "Årsarbetare (165 timmar per månad)" }],
      columns: [{ label: "Yrkesgrupp" }, { label: `${ctx.year - 1}`, numeric: true }, { label: `${ctx.year}`, numeric: true },
        { label: "Förändring", numeric: true }, { label: "Förändring %", numeric: true }, { label: `${ctx.year - 1}`, numeric: true },
        { label: `${ctx.year}`, numeric: true }, { label: "Förändring", numeric: true }],
      rows: [...hours.map((w) => hourRow(`worked:${w.profession}`, professionName(w.profession), w, isSub(w.profession) ? "sub" : "")),
        hourRow("worked-total", "Totalt", totals.workedHoursTotal, "total")],
    },
    reads: [...read, { label: "rader:", service: "StaffingService", method: "ListWorkedHours",
      request: { ...base, include_descendants: true, fiscal_year: ctx.year, from_month: ctx.from, to_month: ctx.to } }],
    sources: sourcesOf(summary, "worked_hours"),
  });

  // Hired staff: cost two years back where stored, the year before, the year, the change,
  // the full-year forecast, the share of personnel cost, hours requested and filled.
  const hired = totals.hiredStaff || [];
  const twoBack = new Map(((before.totals || {}).hiredStaff || []).map((h) => [h.profession, h]));
  const twoBackTotal = (before.totals || {}).hiredStaffTotal;
  const showTwoBack = [...twoBack.values()].some((h) => present(h.cost && h.cost.priorYearSek));
  const anyShare = [...hired, totals.hiredStaffTotal || {}].some((h) => present(h.hiredShare && h.hiredShare.valuePercent));
  const hiredRow = (key, label, h = {}, earlierFigures, className) => {
    const c = h.cost || {};
    const cells = [label];
    if (showTwoBack) cells.push(mkr(((earlierFigures || {}).cost || {}).priorYearSek));
    cells.push(mkr(c.priorYearSek), mkr(c.valueSek), mkr(c.changeSek), percent(c.changePercent, 2),
      mkr((h.forecast || {}).valueSek), percent((h.hiredShare || {}).valuePercent, 2),
      decimal((h.hoursRequested || {}).value, 0), decimal((h.hoursFilled || {}).value, 0), decimal((h.hoursUnfilled || {}).value, 0));
    return { key, className, cells };
  };
  const hiredColumns = [{ label: "Yrkesgrupp" }, ...(showTwoBack ? [{ label: `${ctx.year - 2}`, numeric: true }] : []),
    { label: `${ctx.year - 1}`, numeric: true }, { label: `${ctx.year}`, numeric: true }, { label: "Förändring", numeric: true },
    { label: "Förändring %", numeric: true }, { label: `Prognos ${ctx.year}`, numeric: true },
    { label: "Andel av personal­kostnad", numeric: true }, { label: "Publicerade", numeric: true },
    { label: "Besvarade", numeric: true }, { label: "Avvikelse", numeric: true }];
  const hiredGroups = [{ span: 1 }, { span: showTwoBack ? 5 : 4, label: `Kostnad ${monthsText(ctx.from, ctx.to)}, mkr` },
    { span: 2 }, { span: 3, label: `Avrop ${ctx.spanText}, timmar` }];
  block(part, {
    key: "hired-staff",
    title: "Inhyrd bemanning (bemanningsföretag)",
    unit: "mkr, timmar",
    missing: hired.length ? "" : `ingen kostnad för inhyrd bemanning för ${ctx.spanText} är inläst för ${ctx.unitName}.`,
    table: {
      groups: hiredGroups,
      columns: hiredColumns,
      rows: [...hired.map((h) => hiredRow(`hired:${h.profession}`, professionName(h.profession), h, twoBack.get(h.profession), isSub(h.profession) ? "sub" : "")),
        hiredRow("hired-total", "Totalt", totals.hiredStaffTotal, twoBackTotal, "total")],
    },
    note: "Kostnaden redovisas med positivt tecken, som i rapporten; totalen summerar huvudgrupperna (varav-rader ingår inte)."
      + (anyShare ? "" : " Andel av personalkostnad: personalkostnad per yrkesgrupp är inte inläst, så andelen kan inte beräknas."),
    reads: [...read, { label: "rader:", service: "StaffingService", method: "ListHiredStaff",
      request: { ...base, include_descendants: true, fiscal_year: ctx.year, from_month: ctx.from, to_month: ctx.to } }],
    sources: sourcesOf(summary, "hired_staff"),
  });

  // Sick leave by gender, age band and length. A rate is a share: where several stored spans
  // of one band lie inside the asked span, no single stored rate answers it, and none is shown.
  const band = (s) => `${s.gender}:${s.ageBand}:${s.length}`;
  const spansOf = (rows) => {
    const spans = new Map();
    for (const r of rows) spans.set(band(r), (spans.get(band(r)) || 0) + 1);
    return spans;
  };
  const spansNow = spansOf(sickNow), spansBefore = spansOf(sickBefore);
  const several = (spans, s) => (spans.get(band(s)) || 0) > 1;
  const sick = [...(totals.sickLeave || [])].sort((a, b) => sickLeaveOrder(a) - sickLeaveOrder(b));
  const severalAny = sick.some((s) => several(spansNow, s) || several(spansBefore, s));
  block(part, {
    key: "sick-leave",
    title: "Sjukfrånvaro",
    unit: "andel av ordinarie arbetstid, %",
    missing: sick.length ? "" : (sickNow.length
      ? `ingen andel för hela ${ctx.spanText} är inläst på ${ctx.unitName}, bara för kortare perioder (se per månad nedan); en andel läggs inte ihop.`
      : `ingen sjukfrånvaro för ${ctx.spanText} är inläst på ${ctx.unitName} (värden på underliggande enheter summeras inte: en andel läggs inte ihop).`),
    table: {
      columns: [{ label: "Grupp" }, { label: `${ctx.year - 1}`, numeric: true }, { label: `${ctx.year}`, numeric: true },
        { label: "Förändring, procentenheter", numeric: true }],
      rows: sick.map((s) => ({ key: `sick:${s.gender}:${s.ageBand}:${s.length}`, className: sickLeaveOrder(s) ? "sub" : "",
        cells: [sickLeaveLabel(s),
          several(spansBefore, s) ? "–" : percent(s.rate && s.rate.priorYearPercent, 2),
          several(spansNow, s) ? "–" : percent(s.rate && s.rate.valuePercent, 2),
          several(spansNow, s) || several(spansBefore, s) ? "–" : decimal(s.rate && s.rate.changePoints, 2)] })),
    },
    note: [sick.length && sick.every((s) => sickLeaveOrder(s) === 0) ? "Ingen uppdelning på kön, ålder eller längd är inläst." : "",
      severalAny ? ` Där flera perioder (t.ex. månader) är lagrade inom ${ctx.spanText} visas ingen andel för hela perioden (–): en andel kan inte läggas ihop; se per månad nedan.` : ""].join("").trim(),
    reads: [...read, { label: "rader:", service: "StaffingService", method: "ListSickLeave",
      request: { ...base, include_descendants: false, fiscal_year: ctx.year, from_month: ctx.from, to_month: ctx.to } }],
    sources: sourcesOf(summary, "sick_leave"),
  });

  // Sick leave per month (single-month rates of the unit), the year beside the year before.
  const allBands = (r) => isAll(r.gender) && isAll(r.ageBand) && isAll(r.length);
  const byMonth = (rows) => new Map(rows.filter((r) => allBands(r) && r.span.fromMonth === r.span.toMonth)
    .map((r) => [r.span.fromMonth, r.ratePercent]));
  const now = byMonth(sickNow), prior = byMonth(sickBefore);
  const months = [];
  for (let m = ctx.from; m <= ctx.to; m += 1) if (now.has(m) || prior.has(m)) months.push(m);
  const series = [{ name: `${ctx.year - 1}`, color: COLORS[2], byMonth: prior }, { name: `${ctx.year}`, color: COLORS[0], byMonth: now }];
  const monthRows = [...sickBefore, ...sickNow].filter((r) => allBands(r) && r.span.fromMonth === r.span.toMonth);
  block(part, {
    key: "sick-leave-months",
    title: "Sjukfrånvaro per månad",
    unit: "%",
    missing: months.length ? "" : `inga månadsvärden för sjukfrånvaro ${ctx.spanText} är inlästa på ${ctx.unitName}.`,
    table: {
      columns: [{ label: "Månad" }, { label: `${ctx.year - 1}`, numeric: true }, { label: `${ctx.year}`, numeric: true }],
      rows: months.map((m) => ({ key: `sick-month:${m}`, cells: [MONTHS[m - 1], percent(prior.get(m), 2), percent(now.get(m), 2)] })),
    },
    chart: months.length ? el("figure", { className: "chart-figure", "data-chart": "sick-leave-months" },
      monthChart("Sjukfrånvaro per månad", months, series), el("figcaption", {}, "Sjukfrånvaro per månad, andel av ordinarie arbetstid.")) : null,
    reads: [{ label: `${ctx.year}:`, service: "StaffingService", method: "ListSickLeave", request: stored(ctx.year) },
      { label: `${ctx.year - 1}:`, service: "StaffingService", method: "ListSickLeave", request: stored(ctx.year - 1) }],
    sources: monthRows.map((r) => r.provenance).filter(Boolean),
  });

  // Positions per area (child unit) at the date, with the four deviations, and the total.
  const positionCells = (p = {}) => {
    const d = p.deviations || {};
    return [p.fteBudget, p.fteNeeded, p.fteAvailableNow, p.fteAvailableIn3Months, p.fteHired,
      d.budgetMinusAvailableNow, d.neededMinusAvailableNow, d.availableNowMinusAvailableIn3Months,
      d.neededMinusAvailableNowMinusHired].map((v) => decimal(v, 2));
  };
  const positionRows = [];
  for (const group of (summary.byChildUnit || []).filter((g) => (g.positions || []).length)) {
    positionRows.push({ key: `positions:${group.orgUnit}`, className: "group-total",
      cells: [ctx.unitLabel(group.orgUnit), ...positionCells(group.positionsTotal)] });
    if (group.positions.length > 1) {
      for (const p of group.positions) positionRows.push({ key: `positions:${group.orgUnit}:${p.profession}`, className: "sub",
        cells: [professionName(p.profession), ...positionCells(p)] });
    } else {
      positionRows[positionRows.length - 1].cells[0] += `: ${professionName(group.positions[0].profession)}`;
    }
  }
  positionRows.push({ key: "positions-total", className: "total", cells: ["Totalt", ...positionCells(totals.positionsTotal)] });
  block(part, {
    key: "positions",
    title: `Befattningar per ${date}`,
    unit: "årsarbetare",
    missing: (totals.positions || []).length ? "" : `inga befattningar per ${date} är inlästa för ${ctx.unitName}.`,
    table: {
      groups: [{ span: 6 }, { span: 4, label: "Avvikelser (positivt = brist)" }],
      columns: [{ label: "Område" }, { label: "Budget", numeric: true }, { label: "Behov", numeric: true },
        { label: "Tillgängliga nu", numeric: true }, { label: "Om tre månader", numeric: true }, { label: "Inhyrda", numeric: true },
        { label: "Budget − tillg. nu", numeric: true }, { label: "Behov − tillg. nu", numeric: true },
        { label: "Tillg. nu − om tre mån", numeric: true }, { label: "Behov − tillg. nu − inhyrda", numeric: true }],
      rows: positionRows,
    },
    reads: [...read, { label: "rader:", service: "StaffingService", method: "ListPositions",
      request: { ...base, include_descendants: true, from_date: summary.date, to_date: summary.date } }],
    sources: sourcesOf(summary, "position"),
  });
  return part;
}
