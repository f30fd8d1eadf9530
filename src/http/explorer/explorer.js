// The explorer: SummarizeBudget for a unit, year and span, as tables (per category, the
// full-year forecast, per child unit) and a chart, with downloads of each table and
// drill-down into child units. It calls the API on this page's origin: the Connect
// protocol's unary JSON form, and GET with format=xlsx/csv for the downloads.
"use strict";

const $ = (id) => document.getElementById(id);
const SPAN_FIGURES = ["actualSek", "budgetSek", "priorYearActualSek"];
const UNITS = new Map();
let shown = null;

function headers() {
  const token = $("token").value.trim();
  return token ? { Authorization: "Bearer " + token } : {};
}

// POST /uppsikt.v1.{Service}/{Method} with a JSON body; the answer, or an ExplorerError.
async function call(service, method, request, what) {
  const response = await fetch(`/uppsikt.v1.${service}/${method}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Connect-Protocol-Version": "1", ...headers() },
    body: JSON.stringify(request),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw swedishError(response.status, body, what);
  return body;
}

function unitName(name) {
  const unit = UNITS.get(name);
  return unit ? unit.displayName || unit.code : name.replace(/^orgUnits\//, "");
}

function showError(error) {
  const status = $("status");
  status.className = "error";
  status.replaceChildren(document.createTextNode(error.message));
  if (error.detail) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Vad servern svarade";
    details.append(summary, document.createTextNode(error.detail));
    status.appendChild(details);
  }
}

// ---- Coverage: which figures answer the asked span, per category ---------------------

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// From the month-grouped answer (a group per stored span), the months each category's
// figures cover; a figure not covering every asked month is partial and not shown as the
// span's. The API's `uncovered` says the same per figure over all categories.
function coverage(summary, byMonth, from, to) {
  const covered = new Map();
  for (const group of byMonth.groups || []) {
    const months = range(group.span.fromMonth, group.span.toMonth);
    for (const row of group.categories || []) {
      const figures = row.figures || {};
      for (const figure of SPAN_FIGURES) {
        if (!(figure in figures)) continue;
        const key = `${row.category} ${figure}`;
        if (!covered.has(key)) covered.set(key, new Set());
        months.forEach((m) => covered.get(key).add(m));
      }
    }
  }
  const asked = range(from, to);
  const partial = new Map(); // "category figure" → covered months
  for (const row of ((summary.groups || [])[0] || {}).categories || []) {
    for (const figure of SPAN_FIGURES) {
      if (!(figure in (row.figures || {}))) continue;
      const months = covered.get(`${row.category} ${figure}`) || new Set();
      if (asked.some((m) => !months.has(m))) partial.set(`${row.category} ${figure}`, [...months]);
    }
  }
  const totals = new Set();
  for (const item of summary.uncovered || []) {
    if (item.months && item.months.length) totals.add(UNCOVERED_FIGURES[item.figure]);
  }
  for (const row of ((summary.groups || [])[0] || {}).categories || []) {
    const counts = !row.parent && ["DIRECTION_INCOME", "DIRECTION_COST"].includes(row.direction);
    for (const figure of SPAN_FIGURES) {
      if (counts && partial.has(`${row.category} ${figure}`)) totals.add(figure);
    }
  }
  return { partial, totals };
}

// The figures shown: a partial figure and what is derived from it are left out.
function shownFigures(figures, partialFigures) {
  const out = { ...(figures || {}) };
  const missing = new Set(partialFigures);
  if (missing.has("actualSek") || missing.has("budgetSek")) missing.add("deviationSek");
  if (missing.has("actualSek") || missing.has("priorYearActualSek")) {
    missing.add("changeSek");
    missing.add("changePercent");
  }
  for (const figure of missing) if (figure in out) out[figure] = null;
  return out;
}

// ---- Tables --------------------------------------------------------------------------

function cell(row, text, numeric, negative) {
  const td = document.createElement("td");
  if (text === null) {
    td.textContent = "–";
    td.className = "n missing";
    td.title = "Uppgiften täcker inte hela perioden";
  } else {
    td.textContent = text;
    if (numeric) td.className = "n" + (negative ? " neg" : "");
  }
  row.appendChild(td);
}

const money = (value) => (value === null ? null : tkr(value));

function figureCells(row, f) {
  for (const name of ["actualSek", "budgetSek", "deviationSek", "priorYearActualSek", "changeSek"]) {
    cell(row, money(f[name]), true, name === "deviationSek" && Number(f[name] || 0) < 0);
  }
  cell(row, f.changePercent === null ? null : percent(f.changePercent), true, false);
}

function addRow(body, label, figures, className, key) {
  const row = document.createElement("tr");
  if (className) row.className = className;
  if (key) row.dataset.row = key;
  cell(row, label, false);
  figureCells(row, figures || {});
  body.appendChild(row);
}

const hasSpanFigure = (f) => f && SPAN_FIGURES.some((k) => k in f);

function showTable(summary, cover) {
  const body = document.querySelector("#summary tbody");
  body.replaceChildren();
  const group = (summary.groups || [])[0] || {};
  for (const category of (group.categories || []).filter((c) => hasSpanFigure(c.figures))) {
    const partial = SPAN_FIGURES.filter((f) => cover.partial.has(`${category.category} ${f}`));
    addRow(body, category.displayName, shownFigures(category.figures, partial),
      category.parent ? "sub" : "", category.category);
  }
  const totals = summary.totals || {};
  const partial = [...cover.totals];
  addRow(body, "Summa intäkter", shownFigures(totals.income, partial), "total", "income");
  addRow(body, "Summa bruttokostnader", shownFigures(totals.grossCost, partial), "total", "gross_cost");
  addRow(body, "Verksamhetens nettokostnader", shownFigures(totals.netCost, partial), "total", "net_cost");
}

// The full-year forecast, its budget and deviation, for the rows that have a forecast.
function showForecast(summary) {
  const body = document.querySelector("#forecast tbody");
  body.replaceChildren();
  const group = (summary.groups || [])[0] || {};
  const totals = summary.totals || {};
  const rows = (group.categories || []).map((c) => [c.displayName, c.figures, c.parent ? "sub" : "", c.category])
    .concat([["Summa intäkter", totals.income, "total", "income"],
      ["Summa bruttokostnader", totals.grossCost, "total", "gross_cost"],
      ["Verksamhetens nettokostnader", totals.netCost, "total", "net_cost"]])
    .filter(([, f]) => f && ("forecastSek" in f || "forecastDeviationSek" in f));
  for (const [label, f, className, key] of rows) {
    const row = document.createElement("tr");
    row.className = className;
    row.dataset.row = key;
    cell(row, label, false);
    cell(row, tkr(f.forecastSek), true, false);
    cell(row, tkr(f.fullYearBudgetSek), true, false);
    cell(row, tkr(f.forecastDeviationSek), true, Number(f.forecastDeviationSek || 0) < 0);
    body.appendChild(row);
  }
  $("forecast-section").hidden = rows.length === 0;
}

// A row per child unit: its net cost, or (when its lines are net figures only, such as a
// department's result) each of its top-level net categories. Clicking a row drills down.
function showChildren(byUnit, query, cover) {
  const body = document.querySelector("#children tbody");
  body.replaceChildren();
  let count = 0;
  for (const group of byUnit.groups || []) {
    const totals = (group.totals || {}).netCost;
    const sources = hasSpanFigure(totals) ? [["Verksamhetens nettokostnader", totals]] :
      (group.categories || []).filter((c) => !c.parent && c.direction === "DIRECTION_NET" && hasSpanFigure(c.figures))
        .map((c) => [c.displayName, c.figures]);
    for (const [what, figures] of sources) {
      const row = document.createElement("tr");
      const own = group.orgUnit === query.unit;
      row.dataset.unit = group.orgUnit;
      cell(row, own ? `${unitName(group.orgUnit)} (bokat direkt)` : unitName(group.orgUnit), false);
      cell(row, what, false);
      figureCells(row, shownFigures(figures, [...cover.totals]));
      if (!own) {
        row.className = "unit";
        row.tabIndex = 0;
        row.title = `Visa ${unitName(group.orgUnit)}`;
        const open = () => drill(group.orgUnit);
        row.addEventListener("click", open);
        row.addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
      }
      body.appendChild(row);
      count++;
    }
  }
  $("children-section").hidden = count === 0;
}

// Horizontal bars of actual and budget per top-level category, on one scale with zero
// marked, so costs (negative) extend left and income right. Partial figures have no bar.
function showChart(summary, cover) {
  const group = (summary.groups || [])[0] || {};
  const rows = (group.categories || []).filter((c) => !c.parent && hasSpanFigure(c.figures))
    .map((c) => ({ name: c.displayName, f: shownFigures(c.figures, SPAN_FIGURES.filter((f) => cover.partial.has(`${c.category} ${f}`))) }));
  const values = rows.flatMap((r) => [Number(r.f.actualSek || 0), Number(r.f.budgetSek || 0)]);
  const max = Math.max(1, ...values.map(Math.abs));
  const min = Math.min(0, ...values);
  const labelWidth = 230, width = 760, barHeight = 9, rowHeight = 26;
  const plot = width - labelWidth - 70;
  const hasNegative = min < 0, hasPositive = values.some((v) => v > 0);
  const zero = labelWidth + (hasNegative && hasPositive ? plot / 2 : hasNegative ? plot : 0);
  const scale = (hasNegative && hasPositive ? plot / 2 : plot) / max;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", rows.length * rowHeight + 30);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Utfall mot budget per kategori");
  const add = (name, attributes, text) => {
    const element = document.createElementNS(ns, name);
    for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, v);
    if (text !== undefined) element.textContent = text;
    svg.appendChild(element);
    return element;
  };
  rows.forEach((r, i) => {
    const y = i * rowHeight + 5;
    add("text", { x: 0, y: y + 13 }, r.name);
    [["actualSek", "#2f6f9f", 0], ["budgetSek", "#c9a13b", barHeight + 1]].forEach(([name, color, dy]) => {
      if (r.f[name] === null || r.f[name] === undefined) return;
      const value = Number(r.f[name]);
      const length = Math.abs(value) * scale;
      const bar = add("rect", {
        x: value < 0 ? zero - length : zero, y: y + dy, width: Math.max(length, 0.5), height: barHeight, fill: color,
      });
      bar.appendChild(document.createElementNS(ns, "title")).textContent = `${name === "actualSek" ? "Utfall" : "Budget"} ${tkr(value)} tkr`;
    });
  });
  const bottom = rows.length * rowHeight + 10;
  add("line", { x1: zero, x2: zero, y1: 0, y2: bottom, stroke: "#1d2530" });
  const end = (value, x, anchor) => add("text", { x, y: bottom + 14, "text-anchor": anchor }, `${tkr(value)} tkr`);
  add("text", { x: zero, y: bottom + 14, "text-anchor": "middle" }, "0");
  if (hasNegative) end(-max, zero - max * scale, "start");
  if (hasPositive) end(max, zero + max * scale, "end");
  $("chart").replaceChildren(svg);
}

// ---- Notices: spans the data does not answer ----------------------------------------

function notice(text, buttons) {
  const box = document.createElement("div");
  box.className = "notice";
  box.appendChild(document.createElement("p")).textContent = text;
  for (const [label, query] of buttons || []) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", () => show(query));
    box.appendChild(button);
  }
  $("coverage").appendChild(box);
  return box;
}

function coverageNotices(summary, cover, query) {
  const { year, from, to } = query;
  const byFigure = new Map();
  for (const [key, months] of cover.partial) {
    const figure = key.split(" ")[1];
    if (!byFigure.has(figure)) byFigure.set(figure, { months: new Set(), count: 0 });
    months.forEach((m) => byFigure.get(figure).months.add(m));
    byFigure.get(figure).count++;
  }
  for (const item of summary.uncovered || []) {
    const figure = UNCOVERED_FIGURES[item.figure];
    if (!byFigure.has(figure) && item.months.length) {
      const months = range(from, to).filter((m) => !item.months.includes(m));
      byFigure.set(figure, { months: new Set(months), count: 0 });
    }
  }
  if (byFigure.size) {
    const parts = [...byFigure].map(([figure, { months, count }]) =>
      partialText(figure, [...months], year) + (count ? ` (${count} ${count === 1 ? "kategori" : "kategorier"})` : ""));
    // The span every partial figure covers, if it starts where the asked one does.
    const common = range(from, to).filter((m) => [...byFigure.values()].every(({ months }) => months.has(m)));
    let end = from - 1;
    while (common.includes(end + 1)) end++;
    const buttons = end >= from ? [[`Visa ${spanText(from, end)} ${year}`, { ...query, to: end }]] : [];
    notice(`Uppgifterna täcker inte hela perioden ${spanText(from, to)} ${year}: ${parts.join("; ")}. ` +
      "Belopp som inte avser hela perioden visas som –.", buttons).dataset.notice = "uncovered";
  }
  const straddling = new Map();
  for (const line of summary.inexactSpans || []) {
    const span = line.storedSpan;
    const key = `${spanText(span.fromMonth, span.toMonth)} ${span.fiscalYear}`;
    if (!straddling.has(key)) straddling.set(key, new Set());
    straddling.get(key).add(line.category.replace(/^categories\//, ""));
  }
  for (const [span, categories] of straddling) {
    notice(`Uppgifter lagrade för ${span} (${[...categories].join(", ")}) kan inte delas upp på ` +
      `${spanText(from, to)} ${year} och ingår inte i tabellen.`).dataset.notice = "inexact";
  }
}

// When the unit has no figure at all for the span: which spans of nearby years it has.
async function noDataNotice(query) {
  const years = range(query.year - 6, query.year + 2);
  const answers = await Promise.all(years.map((year) =>
    call("BudgetService", "SummarizeBudget", {
      orgUnit: query.unit, fiscalYear: year, fromMonth: 1, toMonth: 12, groupBy: "SUMMARY_GROUPING_MONTH",
    }, unitName(query.unit)).catch(() => ({}))));
  const spans = [];
  years.forEach((year, i) => {
    // A span with the year's own actual or budget (not only the year before's actual).
    const own = (group) => (group.categories || []).some((c) => c.figures && ("actualSek" in c.figures || "budgetSek" in c.figures));
    for (const group of (answers[i].groups || []).filter(own)) {
      spans.push({ year, from: group.span.fromMonth, to: group.span.toMonth });
    }
  });
  const name = unitName(query.unit);
  const asked = `${spanText(query.from, query.to)} ${query.year}`;
  if (!spans.length) {
    notice(`Det finns inga uppgifter om intäkter och kostnader för ${name}, varken för ${asked} ` +
      `eller åren ${years[0]}–${years[years.length - 1]}.`).dataset.notice = "nodata";
    return;
  }
  const text = spans.map((s) => `${spanText(s.from, s.to)} ${s.year}`).join(", ");
  notice(`Det finns inga uppgifter för ${name} ${asked}. Uppgifter finns för: ${text}.`,
    spans.map((s) => [`Visa ${spanText(s.from, s.to)} ${s.year}`, { ...query, ...s }])).dataset.notice = "nodata";
}

// ---- Queries, drill-down and downloads --------------------------------------------------

function summaryRequest(query, groupBy) {
  const request = { orgUnit: query.unit, fiscalYear: query.year, fromMonth: query.from, toMonth: query.to };
  if (groupBy) request.groupBy = groupBy;
  return request;
}

function breadcrumb(unit) {
  const path = [];
  for (let name = unit; name && UNITS.has(name); name = UNITS.get(name).parent) path.unshift(name);
  const nav = $("path");
  nav.replaceChildren();
  path.slice(0, -1).forEach((name) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = unitName(name);
    button.addEventListener("click", () => drill(name));
    nav.append(button, document.createTextNode(" › "));
  });
}

async function show(query) {
  $("unit").value = query.unit;
  $("year").value = query.year;
  $("from").value = query.from;
  $("to").value = query.to;
  $("status").className = "";
  $("status").textContent = "Hämtar …";
  $("result").removeAttribute("data-ready");
  $("coverage").replaceChildren();
  try {
    if (!UNITS.has(query.unit)) {
      throw new ExplorerError(`Enheten ${query.unit.replace(/^orgUnits\//, "")} finns inte ` +
        "(eller ligger utanför din behörighet). Välj en enhet i listan.");
    }
    if (!Number.isInteger(query.year) || query.year < 1900 || query.year > 2100) {
      throw new ExplorerError("Ange ett år mellan 1900 och 2100.");
    }
    if (query.from > query.to) {
      throw new ExplorerError("Från-månaden kan inte vara efter till-månaden.");
    }
    const what = unitName(query.unit);
    const [summary, byMonth, byUnit] = await Promise.all([
      call("BudgetService", "SummarizeBudget", summaryRequest(query), what),
      call("BudgetService", "SummarizeBudget", summaryRequest(query, "SUMMARY_GROUPING_MONTH"), what),
      call("BudgetService", "SummarizeBudget", summaryRequest(query, "SUMMARY_GROUPING_CHILD_UNIT"), what),
    ]);
    shown = query;
    $("title").textContent = `${what}, ${spanText(query.from, query.to)} ${query.year}`;
    breadcrumb(query.unit);
    const cover = coverage(summary, byMonth, query.from, query.to);
    showTable(summary, cover);
    showForecast(summary);
    showChildren(byUnit, query, cover);
    showChart(summary, cover);
    coverageNotices(summary, cover, query);
    const empty = !(summary.groups || []).length;
    $("tables").hidden = empty;
    if (empty) await noDataNotice(query);
    $("result").hidden = false;
    $("status").textContent = "";
    const params = new URLSearchParams({
      unit: query.unit.replace(/^orgUnits\//, ""), year: query.year, from: query.from, to: query.to,
    });
    history.replaceState(null, "", "?" + params);
    $("result").dataset.ready = params.toString();
  } catch (error) {
    $("result").hidden = true;
    showError(error instanceof ExplorerError ? error : new ExplorerError("Något gick fel.", String(error)));
  }
}

function drill(unit) {
  show({ ...shown, unit });
}

function formQuery() {
  return {
    unit: $("unit").value, year: Number($("year").value),
    from: Number($("from").value), to: Number($("to").value),
  };
}

// Downloads the table as the server writes it (GET with format=…), with the token if any.
async function download(button) {
  if (!shown) return;
  const table = button.closest(".downloads").dataset.table;
  const params = new URLSearchParams({
    org_unit: shown.unit, fiscal_year: shown.year, from_month: shown.from, to_month: shown.to,
    format: button.dataset.format,
  });
  if (table === "children") params.set("group_by", "SUMMARY_GROUPING_CHILD_UNIT");
  if (button.dataset.dialect) params.set("dialect", button.dataset.dialect);
  try {
    const response = await fetch(`/uppsikt.v1.BudgetService/SummarizeBudget?${params}`, { headers: headers() });
    if (!response.ok) {
      throw swedishError(response.status, await response.json().catch(() => ({})), unitName(shown.unit));
    }
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = match ? match[1] : `SummarizeBudget.${button.dataset.format}`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  } catch (error) {
    showError(error instanceof ExplorerError ? error : new ExplorerError("Nedladdningen misslyckades.", String(error)));
  }
}

// Every unit (all pages), indented under its parent.
async function loadUnits() {
  let pageToken = "";
  do {
    const page = await call("OrganizationService", "ListOrgUnits", { pageSize: 1000, pageToken }, "");
    for (const unit of page.orgUnits || []) UNITS.set(unit.name, unit);
    pageToken = page.nextPageToken || "";
  } while (pageToken);
  const children = new Map();
  for (const unit of UNITS.values()) {
    const parent = unit.parent || "";
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(unit);
  }
  const select = $("unit");
  select.replaceChildren();
  const visit = (unit, depth) => {
    const option = document.createElement("option");
    option.value = unit.name;
    option.textContent = "\u00a0\u00a0".repeat(depth) + `${unit.displayName || unit.code} (${unit.code})`;
    select.appendChild(option);
    for (const child of children.get(unit.name) || []) visit(child, depth + 1);
  };
  for (const unit of [...UNITS.values()].filter((u) => !u.parent || !UNITS.has(u.parent))) visit(unit, 0);
}

async function start() {
  for (const id of ["from", "to"]) {
    MONTHS.forEach((name, i) => {
      const option = document.createElement("option");
      option.value = i + 1;
      option.textContent = name;
      $(id).appendChild(option);
    });
  }
  const params = new URLSearchParams(location.search);
  $("year").value = params.get("year") || new Date().getFullYear();
  $("from").value = params.get("from") || 1;
  $("to").value = params.get("to") || 12;
  $("query").addEventListener("submit", (event) => {
    event.preventDefault();
    show(formQuery());
  });
  document.querySelectorAll(".downloads button").forEach((b) => b.addEventListener("click", () => download(b)));
  try {
    await loadUnits();
  } catch (error) {
    showError(error);
    return;
  }
  if (params.get("unit")) {
    await show({ ...formQuery(), unit: "orgUnits/" + params.get("unit") });
  }
}

start();
