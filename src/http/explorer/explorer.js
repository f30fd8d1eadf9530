// The explorer: SummarizeBudget for a unit, year and span, as a table and a chart.
// It calls the API through the Connect protocol's unary JSON form, on this page's origin.
"use strict";

const MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
const THIN_SPACE = "\u2009";
const MINUS = "\u2212";
const $ = (id) => document.getElementById(id);

// POST /uppsikt.v1.{Service}/{Method} with a JSON body; the answer, or throws the error.
async function call(service, method, request) {
  const headers = { "Content-Type": "application/json", "Connect-Protocol-Version": "1" };
  const token = $("token").value.trim();
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(`/uppsikt.v1.${service}/${method}`, {
    method: "POST", headers, body: JSON.stringify(request),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const violations = (body.details || [])
      .flatMap((d) => (d.debug && d.debug.fieldViolations) || [])
      .map((v) => `${v.field}: ${v.description}`);
    throw new Error(`${body.code || response.status}: ${body.message || ""} ${violations.join("; ")}`);
  }
  return body;
}

// Kronor as thousand kronor the way the reports print them: rounded half away from zero,
// thin spaces between thousands, a real minus sign.
function tkr(sek) {
  if (sek === undefined || sek === null || sek === "") return "";
  const value = Number(sek);
  const rounded = Math.sign(value) * Math.round(Math.abs(value) / 1000);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, THIN_SPACE);
  return (rounded < 0 ? MINUS : "") + digits;
}

function percent(text) {
  if (!text) return "";
  return text.replace("-", MINUS).replace(".", ",") + " %";
}

function cell(row, text, numeric, negative) {
  const td = document.createElement("td");
  td.textContent = text;
  if (numeric) td.className = "n" + (negative ? " neg" : "");
  row.appendChild(td);
}

function addRow(body, label, figures, className, key) {
  const f = figures || {};
  const row = document.createElement("tr");
  if (className) row.className = className;
  if (key) row.dataset.row = key;
  cell(row, label, false);
  for (const name of ["actualSek", "budgetSek", "deviationSek", "priorYearActualSek", "changeSek"]) {
    cell(row, tkr(f[name]), true, Number(f[name] || 0) < 0 && name === "deviationSek");
  }
  cell(row, percent(f.changePercent), true, false);
  body.appendChild(row);
}

// Rows with a figure of the span: a row holding only the full-year forecast has none of the
// columns shown here.
function spanRows(group) {
  const has = (f) => f && ["actualSek", "budgetSek", "priorYearActualSek"].some((k) => k in f);
  return (group.categories || []).filter((c) => has(c.figures));
}

function showTable(summary) {
  const body = document.querySelector("#summary tbody");
  body.replaceChildren();
  const group = (summary.groups || [])[0] || {};
  for (const category of spanRows(group)) {
    addRow(body, category.displayName, category.figures, category.parent ? "sub" : "", category.category);
  }
  const totals = summary.totals || {};
  addRow(body, "Summa intäkter", totals.income, "total", "income");
  addRow(body, "Summa bruttokostnader", totals.grossCost, "total", "gross_cost");
  addRow(body, "Verksamhetens nettokostnader", totals.netCost, "total", "net_cost");
}

// Horizontal bars of actual and budget per top-level category, on one scale with zero
// marked, so costs (negative) extend left and income right.
function showChart(summary) {
  const group = (summary.groups || [])[0] || {};
  const rows = spanRows(group).filter((c) => !c.parent);
  const values = rows.flatMap((c) => [Number(c.figures.actualSek || 0), Number(c.figures.budgetSek || 0)]);
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
  rows.forEach((category, i) => {
    const y = i * rowHeight + 5;
    add("text", { x: 0, y: y + 13 }, category.displayName);
    [["actualSek", "#2f6f9f", 0], ["budgetSek", "#c9a13b", barHeight + 1]].forEach(([name, color, dy]) => {
      const value = Number(category.figures[name] || 0);
      const length = Math.abs(value) * scale;
      const bar = add("rect", {
        x: value < 0 ? zero - length : zero, y: y + dy, width: Math.max(length, 0.5), height: barHeight, fill: color,
      });
      bar.appendChild(document.createElementNS(ns, "title")).textContent = `${name === "actualSek" ? "Utfall" : "Budget"} ${tkr(value)} tkr`;
    });
  });
  const bottom = rows.length * rowHeight + 10;
  add("line", { x1: zero, x2: zero, y1: 0, y2: bottom, stroke: "#1d2530" });
  // The scale: zero and the largest amount at the ends of the bars' reach, in tkr.
  const end = (value, x, anchor) => add("text", { x, y: bottom + 14, "text-anchor": anchor }, `${tkr(value)} tkr`);
  add("text", { x: zero, y: bottom + 14, "text-anchor": "middle" }, "0");
  if (hasNegative) end(-max, zero - max * scale, "start");
  if (hasPositive) end(max, zero + max * scale, "end");
  $("chart").replaceChildren(svg);
}

async function summarize(event) {
  if (event) event.preventDefault();
  const unit = $("unit").value, year = Number($("year").value);
  const from = Number($("from").value), to = Number($("to").value);
  $("status").className = "";
  $("status").textContent = "Hämtar …";
  try {
    const summary = await call("BudgetService", "SummarizeBudget", {
      orgUnit: unit, fiscalYear: year, fromMonth: from, toMonth: to,
    });
    const name = $("unit").selectedOptions[0] ? $("unit").selectedOptions[0].dataset.label : unit;
    $("title").textContent = `${name}, ${MONTHS[from - 1]}–${MONTHS[to - 1]} ${year}`;
    $("exactness").textContent = summary.exact ? "" :
      "Obs: de lagrade perioderna svarar inte exakt på den valda perioden (se inexactSpans/uncovered i API-svaret).";
    showTable(summary);
    showChart(summary);
    $("result").hidden = false;
    $("status").textContent = "";
    const params = new URLSearchParams({ unit: unit.replace(/^orgUnits\//, ""), year, from, to });
    history.replaceState(null, "", "?" + params);
  } catch (error) {
    $("status").className = "error";
    $("status").textContent = error.message;
  }
}

// Every unit (all pages), indented under its parent.
async function loadUnits() {
  const units = [];
  let pageToken = "";
  do {
    const page = await call("OrganizationService", "ListOrgUnits", { pageSize: 1000, pageToken });
    units.push(...(page.orgUnits || []));
    pageToken = page.nextPageToken || "";
  } while (pageToken);
  const children = new Map();
  for (const unit of units) {
    const parent = unit.parent || "";
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(unit);
  }
  const known = new Set(units.map((u) => u.name));
  const select = $("unit");
  select.replaceChildren();
  const visit = (unit, depth) => {
    const option = document.createElement("option");
    option.value = unit.name;
    option.dataset.label = unit.displayName || unit.code;
    option.textContent = "\u00a0\u00a0".repeat(depth) + `${unit.displayName || unit.code} (${unit.code})`;
    select.appendChild(option);
    for (const child of children.get(unit.name) || []) visit(child, depth + 1);
  };
  for (const unit of units.filter((u) => !u.parent || !known.has(u.parent))) visit(unit, 0);
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
  $("query").addEventListener("submit", summarize);
  try {
    await loadUnits();
  } catch (error) {
    $("status").className = "error";
    $("status").textContent = error.message;
    return;
  }
  if (params.get("unit")) {
    $("unit").value = "orgUnits/" + params.get("unit");
    await summarize();
  }
}

start();
